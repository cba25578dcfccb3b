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
# reads: scorecard, scorecard_changes, indicators, run_parameters, events, quarantine, register_coverage

# %% [markdown]
# # Implementation scorecard of the Japan–India Joint Declaration on Security Cooperation
#
# The declaration (Tokyo, 29 August 2025) lists 41 commitments in six sections. Each is read for
# what it is: the codebook (`data/codebook.yaml`, versioned) gives it a **kind**, says in plain words
# what counts, and names the registers it draws on. Each is judged only up to its **coverage date**,
# the earliest day to which all those registers were searched (from the registers' search log); a
# register never searched gives "not yet searched", never a window running to today.
#
# - **recurring** (a mechanism with a cadence): on schedule, overdue, established (first held
#   since signing), not yet held; with the last edition and when the next is due;
# - **milestone** (explore, establish): the rung of its ladder reached (proposed, agreed, first
#   held or delivered, regular) and the event that reached it;
# - **activity** (more, enhanced): the rate since the signing summit against a fixed baseline, the
#   three years before signing, as a rate ratio with a 90% exact interval: above or below baseline
#   only when the interval excludes 1, else in line with baseline; too few events to tell below
#   five events in both windows;
# - **statement** (a position stated together): reaffirmed in a joint document since signing, or not;
# - **not measurable**: the codebook says why.

# %%
from pipelines.reporting.notebook_helpers import assessment, connect, table

con = connect()
params = con.execute("SELECT * FROM run_parameters").df()
table(params)

# %% [markdown]
# ## Kind and coverage of the 41 commitments

# %%
table(con.execute(
    """SELECT kind, status, count(*) AS commitments FROM scorecard
       GROUP BY ALL ORDER BY kind, commitments DESC, status"""
).df())

# %%
assessment(con, [1, 2, 3, 4, 5, 6])

# %% [markdown]
# ## Coverage of the registers
# How far each register was searched systematically; windows end at the earliest of these for
# the registers a commitment draws on.

# %%
table(con.execute("SELECT register, complete_through, limiting_series FROM register_coverage").df())

# %% [markdown]
# ## What changed since the previous scorecard
# A status moves because the data changed or because the codebook did (its version).

# %%
table(con.execute(
    """SELECT commitment_id, previous_status, status, change, cause,
              previous_codebook_version, codebook_version FROM scorecard_changes"""
).df())

# %% [markdown]
# ## Data quality
# Rows that failed validation are kept in the `quarantine` table with their reason; none are
# counted above.

# %%
table(con.execute("SELECT source_kind, count(*) AS rows FROM quarantine GROUP BY ALL").df())
