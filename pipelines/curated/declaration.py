"""Parse the declaration's text into its 41 numbered commitments.

The text is parsed as published, blank lines and all (section 4's lead sentence is broken by a blank
line, section 5 has blank lines between items). Anything that does not fit the expected shape fails
loudly with a message naming what is missing, so a changed or truncated text never yields fewer rows.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

EXPECTED_ITEMS = {1: 9, 2: 5, 3: 8, 4: 5, 5: 8, 6: 6}

_SECTION = re.compile(r"^(\d+)\.\s+(\S.*)$")
_ITEM = re.compile(r"^-\s*\((\d+)\)\s+(\S.*)$")


class DeclarationFormatError(ValueError):
    """The declaration text does not have the structure the commitments are read from."""


@dataclass(frozen=True)
class Commitment:
    commitment_id: str
    section: int
    item: int
    section_text: str
    text: str
    theme: str


def parse_commitments(text: str, themes: dict[str, str]) -> list[Commitment]:
    """Return the commitments in document order; raise DeclarationFormatError on any deviation."""
    leads: dict[int, str] = {}
    items: dict[int, list[tuple[int, str]]] = {}
    section: int | None = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if match := _SECTION.match(line):
            section = int(match[1])
            if section in leads:
                raise DeclarationFormatError(f"line {line_no}: section {section} appears twice")
            leads[section], items[section] = match[2], []
        elif match := _ITEM.match(line):
            if section is None:
                raise DeclarationFormatError(f"line {line_no}: item before any numbered section")
            items[section].append((int(match[1]), match[2]))
        elif section is not None and not items[section]:
            leads[section] += " " + line  # the lead sentence continues after a blank line
        elif section == max(EXPECTED_ITEMS):
            break  # the place and date of signature follow the last section
        elif section is not None:
            raise DeclarationFormatError(
                f"line {line_no}: unexpected text inside section {section}: {line[:60]!r}"
            )

    _check_structure(items)
    missing_themes = [
        f"{s}.{n}" for s, entries in items.items() for n, _ in entries if f"{s}.{n}" not in themes
    ]
    if missing_themes:
        raise DeclarationFormatError(
            f"no theme curated for commitment(s) {', '.join(missing_themes)}"
        )
    return [
        Commitment(f"{s}.{n}", s, n, leads[s], item_text, themes[f"{s}.{n}"])
        for s in sorted(items)
        for n, item_text in items[s]
    ]


def _check_structure(items: dict[int, list[tuple[int, str]]]) -> None:
    problems = []
    for section, expected in EXPECTED_ITEMS.items():
        if section not in items:
            problems.append(f"section {section} is missing (expected {expected} items)")
            continue
        numbers = [n for n, _ in items[section]]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(
                f"section {section} items are numbered {numbers}, not 1..{len(numbers)}"
            )
        if len(numbers) != expected:
            absent = sorted(set(range(1, expected + 1)) - set(numbers))
            detail = f"; missing item(s) {', '.join(f'({n})' for n in absent)}" if absent else ""
            problems.append(
                f"section {section} has {len(numbers)} items, expected {expected}{detail}"
            )
    extra = sorted(set(items) - set(EXPECTED_ITEMS))
    if extra:
        problems.append(f"unexpected section(s) {extra}")
    if problems:
        raise DeclarationFormatError(
            "declaration text does not parse into 41 commitments: " + "; ".join(problems)
        )


def read_themes(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["commitment_id"]: row["theme"] for row in csv.DictReader(handle)}


def item_digest(commitment: Commitment) -> str:
    """sha256 of an item's text and its section's lead, whitespace collapsed (reflowing is no change)."""
    text = " ".join(f"{commitment.section_text}\n{commitment.text}".split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_pinned(commitments: list[Commitment], pins_file: Path) -> None:
    """Fail naming every item whose text differs from the checksum pinned for it.

    The parser checks the structure only: two items swapped, or one reworded, still parse into
    41 commitments. The pins (data/declaration/checksums.csv) catch that.
    """
    with pins_file.open(newline="", encoding="utf-8") as handle:
        pinned = {row["commitment_id"]: row["sha256"].strip() for row in csv.DictReader(handle)}
    changed = [
        c.commitment_id for c in commitments if pinned.get(c.commitment_id) != item_digest(c)
    ]
    if changed:
        raise DeclarationFormatError(
            f"declaration text of item(s) {', '.join(changed)} differs from its pinned checksum "
            f"({pins_file.name}); restore the published text, or re-pin if the text was corrected"
        )


def write_pins(commitments: list[Commitment], pins_file: Path) -> None:
    """Pin the current text (run by hand after a deliberate correction of the declaration)."""
    with pins_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["commitment_id", "sha256"])
        writer.writerows((c.commitment_id, item_digest(c)) for c in commitments)
