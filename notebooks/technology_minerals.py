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
# reads: scorecard, evidence, events, minerals_trade, indicator_values
# charts: defence_industry, economic_security, critical_minerals_cooperation, emerging_tech_and_space, bilateral_trade, bilateral_trade_yoy, minerals_trade_value, minerals_import_share

# %% [markdown]
# # Sections 3 and 4: technology, industry, economic security and critical minerals
#
# Commitments 3.1–3.8 and 4.1–4.5: co-development and co-production, industry visits, technology
# sharing, export controls, economic security and supply chains, military medicine, ATLA–DRDO
# research, critical minerals; and the newer threats: terrorism, emerging technologies, cyber and
# space.
#
# **Trade data.** Commitments 3.5 and 3.8 are also measured with trade. Offline runs use a
# register of *published* figures (India's Department of Commerce data as published by the
# Embassy of India in Tokyo and the press, OEC, the Ministry of Mines); the full UN Comtrade series
# is fetched with `TRACKER_LIVE=1` (and `COMTRADE_API_KEY` for the keyed endpoint), one year
# partition at a time. Each row below names its source.

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
for indicator in ["bilateral_trade", "bilateral_trade_yoy", "minerals_trade_value", "minerals_import_share"]:
    show_chart(indicator)

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
# Published figures first, then up to 200 Comtrade rows (the full table is the report's
# exports/minerals_trade.csv).

# %%
table(con.execute(
    """SELECT period, reporter, partner, flow, mineral, value, unit, source, source_url
       FROM minerals_trade ORDER BY origin DESC, year, reporter, partner, flow
       LIMIT (SELECT count(*) FROM minerals_trade WHERE origin = 'published') + 200"""
).df(), link_column="source_url", text_column="source")

# %% [markdown]
# ## Evidence behind every number

# %%
evidence(con, ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "4.1", "4.2", "4.3", "4.4", "4.5"])
