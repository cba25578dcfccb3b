"""A proposed register row from a classified press item: what the text states, nothing guessed.

Dates, vessels with hull numbers, ports, exercise names and participants (codes of
data/reference/participants.csv) are read from the item's text with the vocabulary of
data/classifier/vocabulary.yaml; the item's URL is the row's source. A field the text does not
state stays empty and is listed in `missing`, for the reviewer to fill in through a correction
(data/review/decisions.csv) or to leave for the register checks to quarantine.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import pandas as pd

from pipelines import settings
from pipelines.curated.registers import FAMILY_COLUMNS, register_columns
from pipelines.press.classifier import Decision, Rules, compile_term

PREFIX = {"exercises": "EX", "port_calls": "PC", "rd_projects": "RD", "dialogues": "DL"}
REQUIRED = {
    "common": ("name", "start_date", "host", "japan_participants", "india_participants"),
    "exercises": ("exercise_type",),
    "port_calls": ("vessels", "port", "direction"),
    "rd_projects": ("stage",),
    "dialogues": ("mechanism",),
}
MULTILATERAL_EXERCISES = ("Malabar", "(?-i:MILAN)", "La Perouse", "RIMPAC")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_UNTIL = r"\s*(?:-|–|to|and|until)\s*"
# "October 6 to 8", "January 16-26, 2023", "October 12-15"
MONTH_FIRST = re.compile(
    rf"\b({_MONTHS})\.? {_DAY}(?:{_UNTIL}(?:({_MONTHS})\.? )?{_DAY})?\b(?:,? (\d{{4}}))?"
)
# "from 18 to 20 Feb", "9 and 10 March 2023"
DAY_FIRST = re.compile(rf"\b{_DAY}(?:{_UNTIL}{_DAY})? ({_MONTHS})\b\.?(?:,? (\d{{4}}))?")
VESSEL = re.compile(
    r"(?-i:\b(INS|JS|ICGS|JCGS)\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?))"
    r"(?:\s*\(([A-Z]{1,4}[- ]?\d{1,4})\))?"  # hull number: (DDH-184), (F49)
)
NAMED_SHIP = re.compile(r"(?-i:\b(?:[Ss]hip|vessel)s? ([A-Z][a-z]{3,}))")


@cache
def _participant_countries() -> dict[str, str]:
    frame = pd.read_csv(settings.DATA_DIR / "reference" / "participants.csv", dtype="string")
    return dict(zip(frame["code"], frame["country"], strict=True))


def _first(vocabulary: dict[str, list[str]], text: str) -> str | None:
    for value, terms in vocabulary.items():
        if any(compile_term(term).search(text) for term in terms):
            return value
    return None


def _month(name: str) -> int:
    return [m[:3].lower() for m in _MONTHS.split("|")[:12]].index(name[:3].lower()) + 1


def event_dates(text: str, published: date | None) -> tuple[date, date] | None:
    """The first day range the text states; without a year, the one nearest publication."""
    found = []
    for match in MONTH_FIRST.finditer(text):
        m1, d1, m2, d2, y = match.groups()
        found.append((match.start(), _month(m1), int(d1), _month(m2 or m1), int(d2 or d1), y))
    for match in DAY_FIRST.finditer(text):
        d1, d2, m, y = match.groups()
        found.append((match.start(), _month(m), int(d1), _month(m), int(d2 or d1), y))
    for _, m1, d1, m2, d2, y in sorted(found):
        if y:
            years = [int(y)]
        elif published is not None:  # a release may announce next month's event, or last month's
            years = sorted(
                (published.year - 1, published.year, published.year + 1),
                key=lambda candidate: abs((_safe(candidate, m1, d1) - published).days),
            )
        else:
            continue
        try:
            return date(years[0], m1, d1), date(years[0] + (m2 < m1), m2, d2)
        except ValueError:
            continue
    return None


def _safe(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, 1)


def vessels(text: str) -> list[str]:
    """Ships named in the text, with the hull number where given: 'JS Kaga (DDH-184)'."""
    names: list[str] = []
    for prefix, name, hull in VESSEL.findall(text):
        label = f"{prefix} {name}" + (f" ({hull})" if hull else "")
        if not any(n.startswith(f"{prefix} {name}") for n in names):
            names.append(label)
    for name in NAMED_SHIP.findall(text):
        if not any(name in n for n in names):
            names.append(name)
    return names


def propose(item, decision: Decision, rules: Rules) -> dict:
    """The register row an item proposes, with `missing` naming required fields left empty."""
    vocabulary = rules.vocabulary
    text = f"{item.title or ''}\n{item.text or ''}"
    family = decision.family
    row: dict = dict.fromkeys(register_columns(family) if family else register_columns("dialogues"))
    for column in (c for columns in FAMILY_COLUMNS.values() for c in columns):
        row.setdefault(column, None)

    published = item.published_date
    stated = event_dates(text, published)
    if stated:
        row["start_date"], row["end_date"] = (d.isoformat() for d in stated)
        row["date_precision"] = "day"
    elif published is not None:  # the release date stands in for the event's
        fmt = "%Y-%m-%d" if item.date_precision == "day" else "%Y-%m"
        row["start_date"], row["date_precision"] = published.strftime(fmt), item.date_precision

    codes = [
        code
        for code, terms in vocabulary["participants"].items()
        if any(compile_term(term).search(text) for term in terms)
    ]
    countries = _participant_countries()
    row["japan_participants"] = ";".join(c for c in codes if countries.get(c) == "JP") or None
    row["india_participants"] = ";".join(c for c in codes if countries.get(c) == "IN") or None
    others = [
        hit for term in vocabulary["other_states"] if (hit := _search(term, text)) is not None
    ]
    named_exercises = [h for t in vocabulary["exercise_names"] if (h := _search(t, text))]
    multilateral = bool(others) or any(_search(t, text) for t in MULTILATERAL_EXERCISES)
    row["other_participants"] = "; ".join(dict.fromkeys(others)) or None
    row["multilateral"] = "true" if multilateral else "false"

    ships = vessels(text)
    without_ships = VESSEL.sub(" ", text)  # INS Kochi is a ship, not a port
    ports = [(p, c) for p, c in vocabulary["ports"].items() if _search(p, without_ships)]
    row["location"] = ports[0][0] if ports else None
    row["host"] = ports[0][1] if ports else ("unstated" if family == "dialogues" else None)

    row["name"] = (item.title or "")[:200] or None
    row["source_url"] = item.canonical_url
    row["source_title"] = item.title
    row["published_date"] = (
        published.isoformat() if published and item.date_precision == "day" else None
    )
    row["retrieved_date"] = item.retrieved_date.isoformat() if item.retrieved_date else None
    row["notes"] = f"Proposed by the press-feed classifier from candidate {item.candidate_id}" + (
        f" (exercise {', '.join(dict.fromkeys(named_exercises))})" if named_exercises else ""
    )

    if family == "exercises":
        row["exercise_type"] = _exercise_type(text, multilateral)
        row["domains"] = (
            ";".join(
                domain
                for domain, pattern in (
                    ("maritime", r"naval|navy|maritime|ships?|JMSDF|coast guards?|(?-i:INS|JS)"),
                    ("land", r"army|JGSDF|ground|Dharma Guardian"),
                    ("air", r"air force|JASDF|IAF|aircraft|air combat|fighters?"),
                )
                if _search(pattern, text)
            )
            or None
        )
    elif family == "port_calls":
        row["vessels"] = "; ".join(ships) or None
        row["port"] = row["location"]
        row["service"] = "coast_guard" if _search(r"coast guards?|JCG|ICG", text) else "navy"
        japanese_ship = _search(r"(?-i:JS|JCGS)|JMSDF|Japan(ese)? (Coast Guard|navy|warship)", text)
        if ports:
            row["direction"] = "JP->IN" if ports[0][1] == "IN" else "IN->JP"
            if (ports[0][1] == "IN") != bool(japanese_ship):
                row["direction"] = None  # the ship's side and the port's disagree: leave to a human
    elif family == "rd_projects":
        row["partners"] = ";".join(codes) or None
        row["stage"] = _first(vocabulary["stages"], text)
        row["technology_area"] = _first(vocabulary["technology_areas"], text)
    elif family == "dialogues":
        row["mechanism"] = _first(vocabulary["mechanisms"], text) or "other"

    required = REQUIRED["common"] + (REQUIRED.get(family, ()) if family else ())
    row["missing"] = [name for name in required if not row.get(name)]
    if family is None:
        row["missing"].insert(0, "family")
    row["event_id"] = (
        f"{PREFIX[family]}-{(row['start_date'] or '0000')[:4]}-{item.candidate_id}"
        if family
        else None
    )
    return row


def _search(term: str, text: str) -> str | None:
    found = compile_term(term).search(text)
    return found.group(0) if found else None


def _exercise_type(text: str, multilateral: bool) -> str:
    if _search(r"coast guards?|JCG|ICG", text):
        return "coast_guard"
    if _search("PASSEX|passing exercise", text):
        return "passex"
    if _search(r"HADR|humanitarian|disaster relief", text):
        return "hadr"
    if _search(r"special (forces|operations)", text):
        return "special_forces"
    return "multilateral" if multilateral else "bilateral"
