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
# reads: scorecard, scorecard_changes, indicators, run_parameters, events, quarantine

# %% [markdown]
# # Implementation scorecard of the Japan–India Joint Declaration on Security Cooperation
#
# The declaration (Tokyo, 29 August 2025) lists 41 commitments in six sections. For each, this
# notebook shows whether public records show it being implemented, and whether activity since
# signing is above the equal-length period before it.
#
# **Method.** Every curated event (exercise, port call, R&D or industry step, dialogue) carries its
# source page. Rules in `data/mapping/evidence_rules.csv` link events to commitments. For each
# commitment the evidence events are counted in two windows of equal length: from signing to the
# day of the run, and the same number of days before signing. The status is
#
# - **no evidence**: no evidence event since signing (absence of evidence, not proof of inaction);
# - **initiated**: evidence since signing, at a lower rate than before;
# - **sustained**: evidence since signing at or above the earlier rate;
# - **intensified**: a higher rate, and an exact one-sided conditional binomial test of the two
#   Poisson rates gives p < 0.05;
# - **not measurable**: the indicator catalogue explains why public data cannot measure it.

# %%
from pipelines.reporting.notebook_helpers import connect, table

con = connect()
params = con.execute("SELECT * FROM run_parameters").df()
table(params)

# %% [markdown]
# ## Status of the 41 commitments

# %%
status_counts = con.execute(
    "SELECT status, count(*) AS commitments FROM scorecard GROUP BY status ORDER BY commitments DESC"
).df()
table(status_counts)

# %%
scorecard = con.execute(
    """SELECT commitment_id, theme, status, n_baseline, n_post, baseline_rate_per_year,
              post_rate_per_year, p_value, trend
       FROM scorecard"""
).df()
table(scorecard)

# %% [markdown]
# ## What changed since the previous scorecard

# %%
table(con.execute("SELECT commitment_id, previous_status, status, previous_n_post, n_post, change FROM scorecard_changes").df())

# %% [markdown]
# ## Data quality
# Rows that failed validation are kept in the `quarantine` table with their reason; none are
# counted above.

# %%
table(con.execute("SELECT source_kind, count(*) AS rows FROM quarantine GROUP BY ALL").df())
