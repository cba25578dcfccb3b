"""The codebook (data/codebook.yaml): each commitment's kind, what counts, and the rules of its kind.

Read and checked against the declaration's commitments: a commitment left out, an unknown kind, a
recurring commitment without a cadence or a milestone without a ladder fails, naming the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.inputs import InputError, load_yaml

KINDS = ("recurring", "milestone", "activity", "statement", "not measurable")
REGISTERS = ("exercises", "port_calls", "rd_projects", "dialogues", "statements")
CADENCE_BASES = ("declared", "observed", "assumed")
COUNTS_FROM = ("signing", "any")


class CodebookError(ValueError):
    """The codebook is incomplete or a rule in it cannot be applied."""


@dataclass(frozen=True)
class Codebook:
    version: str
    commitments: pd.DataFrame  # the table `codebook`
    mechanisms: pd.DataFrame  # the table `codebook_mechanisms`
    rungs: pd.DataFrame  # the table `codebook_rungs`


def read_codebook(path: Path, commitment_ids: set[str]) -> Codebook:
    """Every commitment once, with the fields its kind needs; all problems are reported at once."""
    try:
        document = load_yaml(path, "data/codebook.yaml") or {}
    except InputError as error:
        raise CodebookError(str(error)) from None
    version = str(document.get("version") or "")
    problems: list[str] = []
    if not version:
        problems.append("codebook: missing version")
    changelog = document.get("changelog") or []
    if not any(str(entry.get("version")) == version and entry.get("date") for entry in changelog):
        problems.append(f"codebook: changelog has no dated entry for version {version!r}")
    rows, mechanisms, rungs, seen = [], [], [], set()
    for position, entry in enumerate(document.get("commitments") or [], start=1):
        label = f"commitment {entry.get('id', f'#{position}')}"
        commitment_id = str(entry.get("id", ""))
        if commitment_id in seen:
            problems.append(f"{label}: listed twice")
        seen.add(commitment_id)
        if commitment_id not in commitment_ids:
            problems.append(f"{label}: not a commitment of the declaration")
        kind = entry.get("kind")
        if kind not in KINDS:
            problems.append(f"{label}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
        registers = list(entry.get("registers") or [])
        unknown = sorted(set(registers) - set(REGISTERS))
        if unknown:
            problems.append(f"{label}: unknown register(s) {unknown}")
        if kind not in ("not measurable", None) and not registers:
            problems.append(f"{label}: a {kind} commitment must name the registers it draws on")
        for field in ("counts", "does_not_count"):
            if not entry.get(field):
                problems.append(f"{label}: missing {field}")
        if kind == "not measurable" and not entry.get("reason"):
            problems.append(f"{label}: a not measurable commitment must give its reason")
        if kind == "recurring":
            mechanisms += _mechanisms(commitment_id, label, entry, problems)
        if kind == "milestone":
            rungs += _rungs(commitment_id, label, entry, problems)
        rows.append(
            {
                "commitment_id": commitment_id,
                "kind": kind,
                "reading": _text(entry.get("reading")),
                "counts": _text(entry.get("counts")),
                "does_not_count": _text(entry.get("does_not_count")),
                "registers": registers,
                "counts_from": entry.get("counts_from", "signing"),
                "reason": _text(entry.get("reason")),
                "codebook_version": version,
            }
        )
    missing = sorted(commitment_ids - seen, key=lambda c: tuple(map(int, c.split("."))))
    if missing:
        problems.append(f"codebook: no entry for commitment(s) {', '.join(missing)}")
    if problems:
        raise CodebookError("data/codebook.yaml: " + "; ".join(problems))
    return Codebook(
        version,
        pd.DataFrame(rows),
        pd.DataFrame(mechanisms, columns=list(_MECHANISM_COLUMNS)),
        pd.DataFrame(rungs, columns=list(_RUNG_COLUMNS)),
    )


_MECHANISM_COLUMNS = (
    "commitment_id", "mechanism_id", "name", "register", "match_values", "name_pattern",
    "cadence_months", "cadence_basis", "cadence_note", "grace_days",
)  # fmt: skip
_RUNG_COLUMNS = (
    "commitment_id", "rung", "stage", "evidence", "declaration", "registers", "match_values",
    "not_values", "name_pattern", "min_events", "counts_from",
)  # fmt: skip


def _mechanisms(commitment_id: str, label: str, entry: dict, problems: list[str]) -> list[dict]:
    found = entry.get("mechanisms") or []
    if not found:
        problems.append(f"{label}: a recurring commitment must list its mechanisms")
    rows = []
    for mechanism in found:
        name = f"{label} mechanism {mechanism.get('id', '?')}"
        months = mechanism.get("cadence_months")
        if not isinstance(months, int) or months <= 0:
            problems.append(f"{name}: cadence_months must be a positive number of months")
        if mechanism.get("cadence_basis") not in CADENCE_BASES:
            problems.append(f"{name}: cadence_basis must be one of {', '.join(CADENCE_BASES)}")
        grace = mechanism.get("grace_days")
        if not isinstance(grace, int) or grace < 0:
            problems.append(f"{name}: grace_days must be a number of days")
        if mechanism.get("register") not in REGISTERS:
            problems.append(f"{name}: unknown register {mechanism.get('register')!r}")
        if not mechanism.get("values") and not mechanism.get("name_pattern"):
            problems.append(f"{name}: give values or a name_pattern to recognise its editions")
        _check_pattern(name, mechanism.get("name_pattern"), problems)
        rows.append(
            {
                "commitment_id": commitment_id,
                "mechanism_id": mechanism.get("id"),
                "name": mechanism.get("name"),
                "register": mechanism.get("register"),
                "match_values": list(mechanism.get("values") or []),
                "name_pattern": mechanism.get("name_pattern"),
                "cadence_months": months,
                "cadence_basis": mechanism.get("cadence_basis"),
                "cadence_note": _text(mechanism.get("cadence_note")),
                "grace_days": grace,
            }
        )
    return rows


def _rungs(commitment_id: str, label: str, entry: dict, problems: list[str]) -> list[dict]:
    ladder = entry.get("ladder") or []
    if len(ladder) < 2:
        problems.append(f"{label}: a milestone needs a ladder of at least two rungs")
    counts_from = entry.get("counts_from", "signing")
    if counts_from not in COUNTS_FROM:
        problems.append(f"{label}: counts_from must be one of {', '.join(COUNTS_FROM)}")
    rows = []
    for number, rung in enumerate(ladder, start=1):
        if not rung.get("stage") or not rung.get("evidence"):
            problems.append(f"{label} rung {number}: give its stage and the evidence that moves it")
        _check_pattern(f"{label} rung {number}", rung.get("name_pattern"), problems)
        rows.append(
            {
                "commitment_id": commitment_id,
                "rung": number,
                "stage": rung.get("stage"),
                "evidence": _text(rung.get("evidence")),
                "declaration": bool(rung.get("declaration", False)),
                "registers": list(entry.get("registers") or []),
                "match_values": list(rung.get("values") or []),
                "not_values": list(rung.get("not_values") or []),
                "name_pattern": rung.get("name_pattern"),
                "min_events": int(rung.get("min_events", 1)),
                "counts_from": counts_from,
            }
        )
    return rows


def _check_pattern(label: str, pattern: str | None, problems: list[str]) -> None:
    if pattern:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(
                f"{label}: name_pattern {pattern!r} is not a regular expression ({error})"
            )


def _text(value) -> str:
    return " ".join(str(value or "").split())
