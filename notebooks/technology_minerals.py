# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
# reads: scorecard, evidence, events, minerals_trade, trade_by_mineral, indicator_values, ind_minerals_trade_value, ind_minerals_japan_share, ind_minerals_mirror_gap
# charts: defence_industry, economic_security, critical_minerals_cooperation, emerging_tech_and_space, bilateral_trade, bilateral_trade_yoy, minerals_trade_value, minerals_japan_share, minerals_mirror_gap, minerals_import_share

# %% [markdown]
# # Sections 3 and 4: technology, industry, economic security and critical minerals
#
# Commitments 3.1–3.8 and 4.1–4.5: co-development and co-production, industry visits, technology
# sharing, export controls, economic security and supply chains, military medicine, ATLA–DRDO
# research, critical minerals; and the newer threats: terrorism, emerging technologies, cyber and
# space.
#
# **Trade data.** Commitments 3.5 and 3.8 are also measured with trade. Offline runs use India's
# official statistics (DGCI&S, Department of Commerce, Export Import Data Bank): India's exports to
# Japan by 8-digit code for FY2017-18 to FY2024-25, and two-way trade for six 4-digit codes; a
# register of *published* figures (Embassy of India, press, OEC) for merchandise totals; and the
# full UN Comtrade series when fetched with `TRACKER_LIVE=1`. Each row below names its source.
#
# **What these series can and cannot show.** The newest EIDB year is FY2024-25, which ended on
# 31 March 2025; the declaration was signed on 29 August 2025, in FY2025-26. So these series
# describe the trade *before* the declaration only: they set the baseline against which later
# years can be read, and say nothing yet about its effect. Trade in a year also moves with prices,
# one-off shipments and industry cycles that no declaration controls; a change after signing would
# be a signal to look into, not proof. Values are India's own (exports FOB); India's imports from
# Japan are here only for six 4-digit codes, so Japan's side of most flows waits for Comtrade.

# %% [markdown]
# Each commitment is read for what it is (its **kind** in `data/codebook.yaml`: recurring,
# milestone, activity, statement or not measurable) and judged only up to its **coverage date**, the
# day to which every register it draws on was searched. The table leads with both.

# %%
from pipelines.reporting.notebook_helpers import assessment, connect, evidence, show_chart, table

con = connect()
assessment(con, [3, 4])

# %% [markdown]
# ## Event indicators

# %%
for indicator in ["defence_industry", "economic_security", "critical_minerals_cooperation",
                  "emerging_tech_and_space"]:
    show_chart(indicator)

# %% [markdown]
# ## Trade indicators

# %%
for indicator in ["bilateral_trade", "bilateral_trade_yoy"]:
    show_chart(indicator)

# %% [markdown]
# FY2022-23 is drawn as its own point: the register doubts its import figure (possibly a
# partial year), so no year-on-year change runs into or out of it.
#
# ### Critical minerals, one small multiple per mineral group
# Circles add codes that carry the mineral alone; squares (an *upper bound*) add codes that also
# carry other goods (HS 2825 holds many oxides, 8112 several metals, 2843 silver and gold
# compounds beside the platinum-group ones). An open triangle is a figure published as 0.00,
# i.e. under US$ 5,000, not zero; the axis is logarithmic, so nothing is drawn at zero. The
# dashed line marks the latest complete year.

# %%
show_chart("minerals_trade_value")

# %%
table(con.execute(
    """SELECT mineral, count(DISTINCT period) AS years, min(period) AS first, max(period) AS last,
              round(sum(value) FILTER (WHERE measure = 'specific'), 2) AS specific_usd_million,
              round(sum(value) FILTER (WHERE measure = 'upper bound'), 2) AS upper_bound_usd_million,
              sum(n_below_rounding) AS figures_under_5k
       FROM ind_minerals_trade_value WHERE origin = 'eidb'
       GROUP BY mineral
       ORDER BY specific_usd_million DESC NULLS LAST, upper_bound_usd_million DESC NULLS LAST,
                mineral"""
).df())

# %% [markdown]
# ### Japan's share of India's exports, and the mirror gap
# Japan's share divides India's exports to Japan by India's exports to all countries over the same
# 8-digit codes. The mirror gap compares what the importer reports with what the exporter reports
# for the same codes and period; it needs both reporters in the same kind of period (Comtrade gives
# calendar years for both; the EIDB's financial years meet no Japanese figure), so it stays empty
# offline.

# %%
for indicator in ["minerals_japan_share", "minerals_mirror_gap", "minerals_import_share"]:
    show_chart(indicator)

# %%
table(con.execute(
    """SELECT mineral, period, round(value, 1) AS japan_share_percent, japan_usd_million,
              world_usd_million
       FROM ind_minerals_japan_share WHERE measure = 'specific' AND period = 'FY2024-25'
       ORDER BY japan_usd_million DESC, mineral"""
).df())

# %% [markdown]
# ### Before and after signing
# Mean India–Japan merchandise trade per financial year, in the years before the signing and from
# FY2025-26 on (empty until figures for those years are published).

# %%
table(con.execute(
    """SELECT CASE WHEN period < 'FY2025' THEN 'before signing' ELSE 'since signing' END AS signing_window,
              count(*) AS years, round(avg(value), 2) AS mean_usd_billion
       FROM indicator_values WHERE indicator_id = 'bilateral_trade' GROUP BY ALL ORDER BY signing_window"""
).df())

# %% [markdown]
# ### Trade figures and their sources
# Published figures first, then India's EIDB figures, then up to 200 Comtrade rows (the full
# table is the report's exports/minerals_trade.csv). `hs_match` says how a code meets the
# catalogue; `carries` whether it carries one mineral (`specific`) or more (`mixed`).

# %%
table(con.execute(
    """SELECT period, period_kind, reporter, partner, flow, hs_code, hs_match, mineral, carries,
              value, unit, below_rounding, source, source_url
       FROM minerals_trade
       ORDER BY CASE origin WHEN 'published' THEN 0 WHEN 'eidb' THEN 1 ELSE 2 END, year, reporter,
                partner, flow, hs_code, period, mineral
       LIMIT (SELECT count(*) FROM minerals_trade WHERE origin <> 'comtrade') + 200"""
).df(), link_column="source_url", text_column="source")

# %% [markdown]
# ## Evidence behind every number

# %%
evidence(con, ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "4.1", "4.2", "4.3", "4.4", "4.5"])
