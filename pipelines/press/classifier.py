"""Explainable classifier of press items: relevance, register family and commitments.

Two halves vote. The rules: the vocabulary (data/classifier/vocabulary.yaml) and the commitment
rules (data/classifier/commitment_rules.csv) are data that analysts read and change; an item is
relevant to them when it names Japan and India (directly, through a name that implies both such as
JIMEX or the Quad, or through the feed it came from) and a security subject, its family is the one
whose terms weigh most (headline terms counting more), and its commitments are those of every rule
that matches. The model (pipelines/press/press_model.py): logistic regressions on n-grams of the train
split of the labelled set, which carry over to wording the vocabulary lacks; stored as plain numbers
(data/classifier/press_model.json), so that classifying needs numpy but not scikit-learn.

Each commitment gets a confidence: the model's probability, raised by the precision on the train
split of any rule that fired (a noisy-or). It is proposed when the confidence reaches that
commitment's threshold, chosen on the dev split. Every decision says what made it (`why`): the
matched terms and rules, the model's probability, its heaviest n-grams in the item and the nearest
labelled item, so a reviewer sees at once why an item was proposed and an analyst which rule or
label to fix when it is wrong.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from pipelines import settings
from pipelines.inputs import InputError, load_yaml
from pipelines.press.labelled import LABELLED_SET, item_text, of_split, read_labelled
from pipelines.press.literals import may_match, required_literals
from pipelines.press.press_model import PressModel, Scored, load_press_model

FAMILIES = ("exercises", "port_calls", "rd_projects", "dialogues")


def compile_term(term: str) -> re.Pattern[str]:
    """A vocabulary term as a case-insensitive whole-word pattern."""
    return re.compile(rf"\b(?:{term})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    label: str
    pattern: re.Pattern[str]
    # strings one of which any match contains: most terms are absent from most items, and a
    # substring test says so far faster than a regex scan
    required: tuple[str, ...] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        required = required_literals(self.pattern.pattern, self.pattern.flags)
        object.__setattr__(self, "required", required)

    def find(self, text: str) -> str | None:
        """The text the term matched (shown in `why`), or None."""
        if not may_match(self.required, text):
            return None
        found = self.pattern.search(text)
        return found.group(0) if found else None


def _terms(patterns: list[str]) -> list[Term]:
    return [Term(p, compile_term(p)) for p in patterns]


def _hits(terms: list[Term], text: str) -> dict[int, str]:
    """Term index -> the text it matched first (one search per term: Python's `re` scans a
    long alternation slower than it scans for each term's literal prefix)."""
    hits: dict[int, str] = {}
    for index, term in enumerate(terms):
        hit = term.find(text)
        if hit:
            hits[index] = hit
    return hits


def _found(terms: list[Term], text: str) -> list[str]:
    """The distinct matched phrases, in vocabulary order."""
    found = []
    for _, hit in sorted(_hits(terms, text).items()):
        if hit not in found:
            found.append(hit)
    return found


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
    family_terms: dict[str, list[Term]]  # the same terms without weights, for one-pass matching
    headline_weight: float
    commitment_rules: list[CommitmentRule]
    feeds: dict[str, str]  # feed name -> the side ("japan" or "india") its items come from
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
        family_terms={f: [term for term, _ in weighted] for f, weighted in families.items()},
        headline_weight=float(vocabulary.get("headline_weight", 1)),
        commitment_rules=rules,
        feeds=dict(vocabulary.get("feeds") or {}),
        vocabulary=vocabulary,
    )


@dataclass
class Decision:
    relevant: bool
    family: str | None
    commitments: list[str]
    why: dict = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # per proposed commitment

    def as_json(self, item_id: str) -> dict:
        return {"id": item_id, "relevant": self.relevant, "family": self.family,
                "commitments": self.commitments, "why": self.why}  # fmt: skip

    @property
    def top_confidence(self) -> float:
        """What the review queue sorts by: the surest proposed commitment, else relevance."""
        if self.confidence:
            return max(self.confidence.values())
        return float(self.why.get("relevance", {}).get("confidence", 0.0))


@dataclass(frozen=True)
class RuleDecision:
    """What the rules alone say of one item."""

    text: str  # headline, newline, body, with spaces normalised
    relevant: bool
    family: str | None
    why: dict


def _normalise(text: str) -> tuple[str, str]:
    first, _, rest = text.strip().partition("\n")
    headline = " ".join(first.split())
    return headline, headline + "\n" + " ".join(rest.split())


def rule_decision(text: str, rules: Rules, source: str | None = None) -> RuleDecision:
    """Relevance and family by the vocabulary; the feed an item came from names its side."""
    headline, text = _normalise(text)
    both = _found(rules.both, text)
    feed = [f"feed {source}"] if source else []
    japan = _found(rules.japan, text) + both + (feed if rules.feeds.get(source) == "japan" else [])
    india = _found(rules.india, text) + both + (feed if rules.feeds.get(source) == "india" else [])
    security = _found(rules.security, text)
    why: dict = {"japan": japan, "india": india, "security": security}
    missing = [
        name
        for name, hits in (("Japan", japan), ("India", india), ("security", security))
        if not hits
    ]
    if missing:
        why["not_relevant"] = "names no " + " and no ".join(missing)
    scores: dict[str, float] = {}
    family_terms: dict[str, list[str]] = {}
    for family, weighted in rules.families.items():
        score, hits = 0.0, []
        for index, hit in sorted(_hits(rules.family_terms[family], text).items()):
            term, weight = weighted[index]
            score += weight * (rules.headline_weight if term.find(headline) else 1)
            hits.append(hit)
        scores[family], family_terms[family] = score, hits
    best = max(FAMILIES, key=lambda f: (scores[f], -FAMILIES.index(f)))
    why["family"] = {
        f: {"score": scores[f], "terms": family_terms[f]} for f in FAMILIES if scores[f]
    }
    return RuleDecision(text, not missing, best if scores[best] > 0 else None, why)


def rule_commitments(text: str, family: str | None, rules: Rules) -> dict[str, list[str]]:
    """Commitment -> the rules that matched, each as `RULE-ID: evidence, ...`."""
    found: dict[str, list[str]] = {}
    for rule in rules.commitment_rules:
        reasons = rule.match(text, family)
        if reasons is not None:
            found.setdefault(rule.commitment_id, []).append(f"{rule.rule_id}: {', '.join(reasons)}")
    return found


def _commitment_order(commitment: str) -> tuple[int, ...]:
    return tuple(int(p) for p in commitment.split("."))


THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(1, 20))


@dataclass
class Calibration:
    """Every number the classifier chose on data: rule precision on train, thresholds on dev."""

    rule_precision: dict[str, float]
    relevance_threshold: float = 0.5
    default_threshold: float = 0.5
    thresholds: dict[str, float] = field(default_factory=dict)

    def threshold(self, commitment: str) -> float:
        return self.thresholds.get(commitment, self.default_threshold)


@dataclass(frozen=True)
class Assessment:
    """One item as both halves see it, before any threshold applies."""

    rules: RuleDecision
    scored: Scored
    i: int  # the item's row in `scored`
    p_relevant: float
    relevance: float  # the rules' vote and the model's probability, half each
    family: str | None  # the rules' family, else the model's
    family_model: float | None  # the model's probability when it chose the family
    hits: dict[str, list[str]]
    confidence: dict[str, float]


class Classifier:
    """The rules and the model, fitted on the train split and calibrated on the dev split."""

    def __init__(
        self, rules: Rules, train: list[dict], dev: list[dict], model: PressModel | None = None
    ) -> None:
        """`model`, when given, must have been fitted on `train`; by default it is fitted now."""
        self.rules = rules
        if model is None:
            from pipelines.press.press_model_fit import fit_weights

            model = PressModel(train, fit_weights(train))
        self.model = model
        self.calibration = Calibration(rule_precision=self._rule_precision(train))
        if dev:
            self._calibrate(dev)

    def _rule_precision(self, items: list[dict]) -> dict[str, float]:
        # Laplace-smoothed: a rule that never fired on train counts as a coin toss
        fired: dict[str, list[bool]] = {}
        for item in items:
            decision = rule_decision(item_text(item), self.rules)
            hits = rule_commitments(decision.text, decision.family, self.rules)
            for commitment, matched in hits.items():
                for reason in matched:
                    rule_id = reason.split(":", 1)[0]
                    fired.setdefault(rule_id, []).append(commitment in item["commitments"])
        return {r: (sum(h) + 1) / (len(h) + 2) for r, h in fired.items()}

    def _calibrate(self, dev: list[dict]) -> None:
        texts = [item_text(item) for item in dev]
        parts = self._parts(texts, [None] * len(texts))
        calibration = self.calibration

        def closest(best: list[float], to: float) -> float:
            return min(best, key=lambda t: (abs(t - to), t))

        accuracy = {}
        for t in THRESHOLDS:
            calibration.relevance_threshold = t
            accuracy[t] = sum(
                self._decide(part).relevant == item["relevant"]
                for part, item in zip(parts, dev, strict=True)
            )
        top = max(accuracy.values())
        calibration.relevance_threshold = closest([t for t, n in accuracy.items() if n == top], 0.5)

        def f1(commitments: set[str] | None) -> float:
            tp = fp = fn = 0
            for part, item in zip(parts, dev, strict=True):
                gold, predicted = set(item["commitments"]), set(self._decide(part).commitments)
                if commitments is not None:
                    gold, predicted = gold & commitments, predicted & commitments
                tp, fp, fn = (
                    tp + len(gold & predicted),
                    fp + len(predicted - gold),
                    fn + len(gold - predicted),
                )
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

        scores = {}
        for t in THRESHOLDS:
            calibration.default_threshold = t
            scores[t] = f1(None)
        top = max(scores.values())
        calibration.default_threshold = closest([t for t, s in scores.items() if s == top], 0.5)
        # a threshold of its own only where dev holds enough of the commitment to choose one
        support: dict[str, int] = {}
        for item in dev:
            for c in item["commitments"]:
                support[c] = support.get(c, 0) + 1
        for commitment in sorted(c for c, n in support.items() if n >= 2):
            per = {}
            for t in THRESHOLDS:
                calibration.thresholds[commitment] = t
                per[t] = f1({commitment})
            top = max(per.values())
            calibration.thresholds[commitment] = closest(
                [t for t, s in per.items() if s == top], calibration.default_threshold
            )

    def _parts(self, texts: list[str], sources: list[str | None]) -> list[Assessment]:
        scored = self.model.score(texts)
        return [
            self._assess(rule_decision(text, self.rules, source), scored, i)
            for i, (text, source) in enumerate(zip(texts, sources, strict=True))
        ]

    def _assess(self, rules: RuleDecision, scored: Scored, i: int) -> Assessment:
        """Everything about one item that does not depend on a threshold."""
        p_relevant = float(scored.relevance[i])
        family, family_model = rules.family, None
        if family is None:
            probabilities = scored.family[i]
            family = FAMILIES[int(np.argmax(probabilities))]
            family_model = round(float(probabilities.max()), 3)
        hits = rule_commitments(rules.text, family, self.rules)
        precision = self.calibration.rule_precision
        confidence: dict[str, float] = {}
        for commitment in set(hits) | set(scored.commitments):
            p = (
                float(scored.commitments[commitment][i])
                if commitment in scored.commitments
                else 0.0
            )
            best_rule = max(
                (precision.get(h.split(":", 1)[0], 0.5) for h in hits.get(commitment, [])),
                default=0.0,
            )
            confidence[commitment] = 1 - (1 - p) * (1 - best_rule)
        return Assessment(
            rules=rules, scored=scored, i=i, p_relevant=p_relevant,
            relevance=0.5 * float(rules.relevant) + 0.5 * p_relevant, family=family,
            family_model=family_model, hits=hits, confidence=confidence,
        )  # fmt: skip

    def _decide(self, a: Assessment, explain: bool = False) -> Decision:
        calibration, model = self.calibration, self.model
        relevant = bool(a.relevance >= calibration.relevance_threshold)
        confidence = a.confidence
        chosen = [c for c, v in confidence.items() if v >= calibration.threshold(c)]
        if relevant and not chosen and confidence:
            # every relevant item evidences some commitment: propose the likeliest one
            chosen = [max(confidence, key=confidence.get)]
        chosen = sorted(chosen, key=_commitment_order) if relevant else []
        family = a.family if relevant else None
        if not explain:
            return Decision(relevant, family, chosen)
        why = dict(a.rules.why)
        why["relevance"] = {
            "confidence": round(a.relevance, 3),
            "threshold": calibration.relevance_threshold,
            "rules": a.rules.relevant,
            "model": round(a.p_relevant, 3),
        }
        if a.rules.relevant != relevant:
            why["relevance"]["model_terms"] = model.top_terms(a.scored, a.i, model.relevance)
            why["relevance"]["nearest"] = model.nearest(a.scored, a.i)
        if relevant and a.family_model is not None:
            why["family_model"] = {a.family: a.family_model}
        why["commitments"] = {}
        for c in chosen:
            entry: dict = {
                "confidence": round(confidence[c], 3),
                "threshold": calibration.threshold(c),
            }
            if c in a.hits:
                entry["rules"] = a.hits[c]
            if c in a.scored.commitments:
                entry["model"] = {
                    "probability": round(float(a.scored.commitments[c][a.i]), 3),
                    "terms": model.top_terms(a.scored, a.i, model.commitments[c]),
                    "nearest": model.nearest(a.scored, a.i, c),
                }
            why["commitments"][c] = entry
        if relevant:
            near = sorted(
                (c for c in confidence if c not in chosen), key=confidence.get, reverse=True
            )
            why["below_threshold"] = {
                c: round(confidence[c], 3) for c in near[:3] if confidence[c] >= 0.1
            }
        return Decision(relevant, family, chosen, why, {c: round(confidence[c], 3) for c in chosen})

    def classify_many(
        self, texts: list[str], sources: list[str | None] | None = None
    ) -> list[Decision]:
        """Decisions for a batch (one vectorisation for all), each with its `why`."""
        if not texts:
            return []
        parts = self._parts(list(texts), list(sources) if sources else [None] * len(texts))
        return [self._decide(a, explain=True) for a in parts]

    def classify(self, text: str, source: str | None = None) -> Decision:
        return self.classify_many([text], [source])[0]


def load_classifier(folder: Path | None = None, labelled: Path | None = None) -> Classifier:
    """The classifier fitted on the labelled set's train split, calibrated on its dev split."""
    return _load_classifier(
        str(folder or settings.DATA_DIR / "classifier"), str(labelled or LABELLED_SET)
    )


@cache
def _load_classifier(folder: str, labelled: str) -> Classifier:
    items = read_labelled(Path(labelled))
    train = of_split(items, "train")
    model = load_press_model(train, Path(labelled))
    return Classifier(load_rules(Path(folder)), train, of_split(items, "dev"), model)


def classify(text: str, source: str | None = None) -> Decision:
    """Relevance, family and commitments of one item; its first line is taken as the headline."""
    return load_classifier().classify(text, source)
