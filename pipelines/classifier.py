"""Explainable classifier of press items: relevance, register family and commitments.

Rules, not a model: the vocabulary (data/classifier/vocabulary.yaml) and the commitment rules
(data/classifier/commitment_rules.csv) are data that analysts read and change. Every decision
carries the terms that made it (`why`), so a reviewer can see at once why an item was proposed
and an analyst can see which rule to fix when it is wrong.

An item is relevant when it names Japan and India (directly, or through a name that implies both,
such as JIMEX or the Quad) and a security subject. Its family is the one whose terms weigh most,
terms in the headline (the text's first line) counting more. Its commitments are those of every
rule that matches; a rule may be limited to some families and may require or forbid a second term.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipelines import settings
from pipelines.inputs import InputError, load_yaml

FAMILIES = ("exercises", "port_calls", "rd_projects", "dialogues")


def compile_term(term: str) -> re.Pattern[str]:
    """A vocabulary term as a case-insensitive whole-word pattern."""
    return re.compile(rf"\b(?:{term})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    label: str
    pattern: re.Pattern[str]

    def find(self, text: str) -> str | None:
        """The text the term matched (shown in `why`), or None."""
        found = self.pattern.search(text)
        return found.group(0) if found else None


def _found(terms: list[Term], text: str) -> list[str]:
    """The distinct matched phrases, in vocabulary order."""
    hits = []
    for term in terms:
        hit = term.find(text)
        if hit and hit not in hits:
            hits.append(hit)
    return hits


@dataclass(frozen=True)
class CommitmentRule:
    rule_id: str
    commitment_id: str
    families: frozenset[str]
    not_families: frozenset[str]
    terms: Term | None
    requires: Term | None
    unless: Term | None

    def match(self, text: str, family: str | None) -> list[str] | None:
        """The evidence for this rule in `text` (a list of reasons), or None if it fails."""
        if self.families and family not in self.families:
            return None
        if family in self.not_families:
            return None
        reasons = [f"family={family}"] if self.families else []
        for term, needed in ((self.terms, True), (self.requires, True), (self.unless, False)):
            if term is None:
                continue
            hit = term.find(text)
            if bool(hit) != needed:
                return None
            if hit:
                reasons.append(hit)
        return reasons


@dataclass(frozen=True)
class Rules:
    japan: list[Term]
    india: list[Term]
    both: list[Term]
    security: list[Term]
    families: dict[str, list[tuple[Term, float]]]
    headline_weight: float
    commitment_rules: list[CommitmentRule]
    vocabulary: dict  # the raw YAML, for extraction


def load_rules(folder: Path | None = None) -> Rules:
    folder = folder or settings.DATA_DIR / "classifier"
    return _load_rules(str(folder))


class RulesError(ValueError):
    """A vocabulary or rule file that cannot be used; one line naming the file, rule and remedy."""


def _compiled(term: str, where: str) -> Term:
    try:
        return Term(term, compile_term(term))
    except re.error as error:
        raise RulesError(
            f"{where}: invalid regular expression {term!r} ({error}); fix or escape it"
        ) from None


@cache
def _load_rules(folder: str) -> Rules:
    vocabulary_file = Path(folder) / "vocabulary.yaml"
    vocabulary_name = f"data/classifier/{vocabulary_file.name}"
    try:
        vocabulary = load_yaml(vocabulary_file, vocabulary_name)
    except InputError as error:
        raise RulesError(str(error)) from None
    try:
        families = {
            family: [
                (_compiled(t, f"{vocabulary_name}: families.{family}"), float(w))
                for t, w in vocabulary["families"][family].items()
            ]
            for family in FAMILIES
        }
        lists = {
            key: [_compiled(t, f"{vocabulary_name}: {key}") for t in vocabulary[key]]
            for key in ("japan", "india", "both", "security")
        }
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, RulesError):
            raise
        raise RulesError(
            f"{vocabulary_name}: missing or malformed section {error}; restore its shape"
        ) from None
    rules_file = Path(folder) / "commitment_rules.csv"
    rules_name = f"data/classifier/{rules_file.name}"
    with rules_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rules = []
    for line_no, row in enumerate(rows, start=2):
        where = f"{rules_name}, rule {row['rule_id']} (row {line_no})"
        rules.append(
            CommitmentRule(
                rule_id=row["rule_id"],
                commitment_id=row["commitment_id"],
                families=frozenset(filter(None, row["family"].split("|"))),
                not_families=frozenset(filter(None, row["not_family"].split("|"))),
                terms=_compiled(row["terms"], f"{where}, terms") if row["terms"] else None,
                requires=_compiled(row["requires"], f"{where}, requires")
                if row["requires"]
                else None,
                unless=_compiled(row["unless"], f"{where}, unless") if row["unless"] else None,
            )
        )
    return Rules(
        japan=lists["japan"],
        india=lists["india"],
        both=lists["both"],
        security=lists["security"],
        families=families,
        headline_weight=float(vocabulary.get("headline_weight", 1)),
        commitment_rules=rules,
        vocabulary=vocabulary,
    )


@dataclass
class Decision:
    relevant: bool
    family: str | None
    commitments: list[str]
    why: dict = field(default_factory=dict)

    def as_json(self, item_id: str) -> dict:
        return {"id": item_id, "relevant": self.relevant, "family": self.family,
                "commitments": self.commitments, "why": self.why}  # fmt: skip


def classify(text: str, rules: Rules | None = None) -> Decision:
    """Relevance, family and commitments of one item; its first line is taken as the headline."""
    rules = rules or load_rules()
    first, _, rest = text.strip().partition("\n")
    headline = " ".join(first.split())
    text = headline + "\n" + " ".join(rest.split())
    both = _found(rules.both, text)
    japan = _found(rules.japan, text) + both
    india = _found(rules.india, text) + both
    security = _found(rules.security, text)
    why: dict = {"japan": japan, "india": india, "security": security}
    missing = [
        name
        for name, hits in (("Japan", japan), ("India", india), ("security", security))
        if not hits
    ]
    if missing:
        why["not_relevant"] = "names no " + " and no ".join(missing)
        return Decision(False, None, [], why)

    scores: dict[str, float] = {}
    family_terms: dict[str, list[str]] = {}
    for family, weighted in rules.families.items():
        score, hits = 0.0, []
        for term, weight in weighted:
            hit = term.find(text)
            if hit:
                score += weight * (rules.headline_weight if term.find(headline) else 1)
                hits.append(hit)
        scores[family], family_terms[family] = score, hits
    best = max(FAMILIES, key=lambda f: (scores[f], -FAMILIES.index(f)))
    family = best if scores[best] > 0 else None
    why["family"] = {
        f: {"score": scores[f], "terms": family_terms[f]} for f in FAMILIES if scores[f]
    }

    commitments: dict[str, list[str]] = {}
    for rule in rules.commitment_rules:
        reasons = rule.match(text, family)
        if reasons is not None:
            commitments.setdefault(rule.commitment_id, []).append(
                f"{rule.rule_id}: {', '.join(reasons)}"
            )
    ordered = sorted(commitments, key=lambda c: tuple(int(p) for p in c.split(".")))
    why["commitments"] = {c: commitments[c] for c in ordered}
    return Decision(True, family, ordered, why)
