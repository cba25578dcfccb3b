"""How well the classifier agrees with a labelled set of real press items.

Commitment assignment is scored as multi-label classification: precision, recall and F1 over all
(item, commitment) pairs together (micro) and per commitment. Relevance is scored as accuracy, and
family as accuracy over the items labelled relevant. The labelled set lives in
tests/data/labelled_items.jsonl (headline, a short excerpt, URL, labels and the labeller's note).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines import settings
from pipelines.classifier import Rules, classify, load_rules

LABELLED_SET = settings.PROJECT_ROOT / "tests" / "data" / "labelled_items.jsonl"


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # labelled pairs

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> Scores:
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(round(precision, 3), round(recall, 3), round(f1, 3), tp + fn)


def read_labelled(path: Path = LABELLED_SET) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def item_text(item: dict) -> str:
    """What the classifier reads of a labelled item: headline, then the excerpt."""
    return f"{item['headline']}\n{item.get('excerpt') or ''}"


def evaluate(items: list[dict], rules: Rules | None = None) -> dict:
    rules = rules or load_rules()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    relevance_right = family_right = family_total = 0
    errors = []
    for item in items:
        decision = classify(item_text(item), rules)
        gold, predicted = set(item["commitments"]), set(decision.commitments)
        for c in gold & predicted:
            tp[c] += 1
        for c in predicted - gold:
            fp[c] += 1
        for c in gold - predicted:
            fn[c] += 1
        relevance_right += decision.relevant == item["relevant"]
        if item["relevant"]:
            family_total += 1
            family_right += decision.family == item["family"]
        if (
            gold != predicted
            or decision.relevant != item["relevant"]
            or (item["relevant"] and decision.family != item["family"])
        ):
            errors.append(
                {
                    "id": item["id"],
                    "relevant": [item["relevant"], decision.relevant],
                    "family": [item["family"], decision.family],
                    "missed": sorted(gold - predicted),
                    "extra": sorted(predicted - gold),
                }
            )
    commitments = sorted(set(tp) | set(fp) | set(fn), key=lambda c: tuple(map(int, c.split("."))))
    micro = Scores.of(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return {
        "items": len(items),
        "micro": micro.__dict__,
        "relevance_accuracy": round(relevance_right / len(items), 3) if items else 0.0,
        "family_accuracy": round(family_right / family_total, 3) if family_total else 0.0,
        "per_commitment": {c: Scores.of(tp[c], fp[c], fn[c]).__dict__ for c in commitments},
        "disagreements": errors,
    }
