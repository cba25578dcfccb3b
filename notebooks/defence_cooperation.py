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
# charts: exercises, specialised_exercises, joint_staff_dialogue, logistics_and_repair, counter_terrorism_and_cyber

# %% [markdown]
# # Section 1: defence cooperation and exercises
#
# Commitments 1.1–1.9: exercises of increasing complexity, Joint Staffs dialogue, tri-service
# HADR, special operations, the ACSA, niche areas (counter-terrorism, peacekeeping, cyber),
# information sharing, repair and maintenance of platforms, and CBR defence.
#
# Each chart counts, per calendar year, the distinct events that evidence the indicator's
# commitments; the dashed line marks the signing. The tables list every evidence event with the
# rule that linked it and a link to its source, so any number can be traced to its documents.

# %% [markdown]
# Each commitment is read for what it is (its **kind** in `data/codebook.yaml`: recurring,
# milestone, activity, statement or not measurable) and judged only up to its **coverage date**, the
# day to which every register it draws on was searched. The table leads with both.

# %%
from pipelines.reporting.notebook_helpers import assessment, connect, evidence, show_chart

con = connect()
SECTION = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9"]
assessment(con, [1])

# %% [markdown]
# ## Indicators

# %%
for indicator in ["exercises", "specialised_exercises", "joint_staff_dialogue",
                  "logistics_and_repair", "counter_terrorism_and_cyber"]:
    show_chart(indicator)

# %% [markdown]
# ## Evidence behind every number

# %%
evidence(con, SECTION)
