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
# reads: scorecard, evidence, events
# charts: port_calls, maritime_security

# %% [markdown]
# # Section 2: maritime security, port calls and coast guards
#
# Commitments 2.1–2.5: more frequent visits and port calls, maritime domain awareness,
# law-enforcement cooperation, disaster risk reduction and coordinated help to third countries.
# Port calls are counted in either direction: Japanese navy and coast-guard ships in Indian ports,
# Indian ones in Japanese ports.

# %% [markdown]
# Each commitment is read for what it is (its **kind** in `data/codebook.yaml`: recurring,
# milestone, activity, statement or not measurable) and judged only up to its **coverage date**, the
# day to which every register it draws on was searched. The table leads with both.

# %%
from pipelines.reporting.notebook_helpers import assessment, connect, evidence, show_chart, table

con = connect()
assessment(con, [2])

# %% [markdown]
# ## Indicators

# %%
show_chart("port_calls")
show_chart("maritime_security")

# %% [markdown]
# ## Port calls by direction and service

# %%
table(con.execute(
    """SELECT year(start_date) AS year, direction, service, count(*) AS port_calls
       FROM events WHERE family = 'port_calls' GROUP BY ALL ORDER BY year, direction, service"""
).df())

# %% [markdown]
# The 200 newest port calls, each linked to its source:

# %%
table(con.execute(
    """SELECT start_date, date_precision, vessels, port, direction,
              source_title || coalesce(' (English: ' || source_title_en || ')', '') AS source_title, source_url
       FROM events WHERE family = 'port_calls' ORDER BY start_date DESC, event_id LIMIT 200"""
).df(), link_column="source_url", text_column="source_title")

# %% [markdown]
# ## Evidence behind every number

# %%
evidence(con, ["2.1", "2.2", "2.3", "2.4", "2.5"])
