"""Reviewers' decisions on press-feed candidates (data/review/decisions.csv).

One row per decided candidate: candidate_id, decision (accept | reject), note, reviewer,
decided_on, and optional corrections to the proposed row as `field=value | field=value` (for the
fields the text did not state, such as a host). Candidate ids derive from the item's URL, so a
decision holds for every later refresh: a rejected item never returns to the queue.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipelines.curated.registers import FAMILY_COLUMNS, physical_lines, register_columns
from pipelines.inputs import InputError, read_bytes

COLUMNS = ("candidate_id", "decision", "note", "reviewer", "decided_on", "corrections")
CORRECTABLE = set(register_columns("dialogues")) | {c for cs in FAMILY_COLUMNS.values() for c in cs}


class ReviewError(ValueError):
    """A decisions file that cannot be read (its header, typically)."""


def read_decisions(path: Path) -> pd.DataFrame:
    """Every decision as text with its line number; checks of values are the table's suite's job."""
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS}).assign(
            line_no=pd.Series(dtype="int64")
        )
    name = f"data/review/{path.name}"
    try:
        lines, bad = physical_lines(read_bytes(path, name))
    except InputError as error:
        raise ReviewError(str(error)) from None
    if bad:
        raise ReviewError(f"{name}, line {min(bad)}: not valid UTF-8; save the file as UTF-8")
    reader = csv.reader(iter(lines))
    try:
        header = [c.strip() for c in next(reader)]
        rows, line_nos = [], []
        while True:
            first_line = reader.line_num + 1  # a decision's note may span several lines
            try:
                fields = next(reader)
            except StopIteration:
                break
            if not any(value.strip() for value in fields):
                continue
            rows.append(
                dict(zip(header, fields + [""] * (len(header) - len(fields)), strict=False))
            )
            line_nos.append(first_line)
    except StopIteration:
        header, rows, line_nos = [], [], []
    except csv.Error as error:
        raise ReviewError(
            f"{name}, line {reader.line_num}: CSV cannot be parsed ({error})"
        ) from None
    frame = pd.DataFrame(rows, columns=header, dtype="string")
    missing = [c for c in COLUMNS if c not in frame.columns and c != "corrections"]
    if missing:
        raise ReviewError(f"{path.name}, line 1: the header lacks column(s) {', '.join(missing)}")
    if "corrections" not in frame.columns:
        frame["corrections"] = ""
    frame = frame[list(COLUMNS)].apply(lambda column: column.str.strip()).replace("", pd.NA)
    return frame.assign(line_no=pd.Series(line_nos, dtype="int64"))


def parse_corrections(text: str | None) -> tuple[dict[str, str], list[str]]:
    """`field=value | field=value` as a dict, and the problems of parts that cannot be applied.

    `|` separates corrections because `;` already separates the codes of a participants field.
    """
    fields, problems = {}, []
    for part in filter(None, (p.strip() for p in (text or "").split("|"))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in CORRECTABLE:
            problems.append(f"correction {part!r} names no register field")
        else:
            fields[name] = value.strip()
    return fields, problems
