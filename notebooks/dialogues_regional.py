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
# reads: scorecard, evidence, events, indicators
# charts: security_dialogues, regional_coordination

# %% [markdown]
# # Sections 5 and 6: regional and global coordination, and the dialogue architecture
#
# Commitments 5.1–5.8 (ASEAN and FOIP, infrastructure, the law of the sea, the Quad, UNSC reform,
# terrorism, disarmament, the NSG) and 6.1–6.6 (NSA dialogue, economic security dialogue, joint and
# cross-services dialogue, coast-guard commandants, defence industry forum, track 1.5 dialogue).
# Several section-5 commitments are shared positions that bilateral activity cannot measure; the
# indicator catalogue says so and why.

# %% [markdown]
# Each commitment is read for what it is (its **kind** in `data/codebook.yaml`: recurring,
# milestone, activity, statement or not measurable) and judged only up to its **coverage date**, the
# day to which every register it draws on was searched. The table leads with both.

# %%
from pipelines.reporting.notebook_helpers import assessment, connect, evidence, show_chart, table

con = connect()
assessment(con, [5, 6])

# %% [markdown]
# ## Indicators

# %%
show_chart("security_dialogues")
show_chart("regional_coordination")

# %% [markdown]
# ## Dialogues by mechanism and year

# %%
table(con.execute(
    """SELECT mechanism, count(*) FILTER (WHERE start_date < DATE '2025-08-29') AS before_signing,
              count(*) FILTER (WHERE start_date >= DATE '2025-08-29') AS since_signing
       FROM events WHERE family = 'dialogues' GROUP BY mechanism ORDER BY mechanism"""
).df())

# %% [markdown]
# ## Evidence behind every number

# %%
evidence(con, ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6"])
