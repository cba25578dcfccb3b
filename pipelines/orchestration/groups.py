"""What each Dagster asset group holds, in words an analyst reads in the UI.

Dagster 1.13 has no description for a group, so each asset's description ends with its group's
(the asset page and the graph's sidebar show it); README's table of groups is this one.
"""

from dagster import AssetSpec

GROUPS: dict[str, str] = {
    "sources": (
        "Inputs as read: the declaration, the analysts' registers and reference tables, mapping "
        "rules and reviews, trade figures and press feeds, each loaded into a raw table."
    ),
    "staging": (
        "Typed and checked copies of the raw tables, one SQL model each; a row that fails a check "
        "goes to `quarantine` with its file, line and reason."
    ),
    "mapping": (
        "The evidence ledger: which events count for which of the 41 commitments (rules, "
        "analysts' links and reviews), with the indicator catalogue, codebook and press candidates."
    ),
    "marts": (
        "What the report shows: indicator values, activity rates, mechanism and milestone status, "
        "the scorecard of the 41 commitments and its history."
    ),
    "reports": (
        "What a reader opens: charts, executed notebooks, Data Docs, the static report in "
        "build/report and draft releases."
    ),
}


def group_note(group: str) -> str:
    return f"Group `{group}`: {GROUPS[group]}"


def with_group_description(spec: AssetSpec) -> AssetSpec:
    """The spec with its group's description appended to its own."""
    if spec.group_name not in GROUPS:
        raise ValueError(
            f"asset {spec.key.to_user_string()}: group {spec.group_name!r} has no description "
            "in pipelines/orchestration/groups.py"
        )
    own = (spec.description or "").strip()
    note = group_note(spec.group_name)
    return spec.replace_attributes(description=f"{own}\n\n{note}" if own else note)
