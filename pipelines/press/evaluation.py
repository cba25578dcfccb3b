"""How well the classifier agrees with a labelled set of real press items.

Commitment assignment is scored as multi-label classification: precision, recall and F1 over all
(item, commitment) pairs together (micro) and per commitment. Relevance is scored as accuracy, and
family as accuracy over the items labelled relevant. The labelled set lives in
data/classifier/labelled_items.jsonl (headline, a short excerpt, URL, labels and the labeller's note),
split once into train, dev and test (pipelines/press/labelled.py): figures on train are in-sample, dev
chose the thresholds, and only test measures the classifier on items it has never seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipelines.press.classifier import Classifier, load_classifier
from pipelines.press.labelled import LABELLED_SET, SPLITS, item_text, of_split, read_labelled

__all__ = ["LABELLED_SET", "Scores", "evaluate", "evaluate_splits", "item_text", "read_labelled"]


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


def evaluate(items: list[dict], classifier: Classifier | None = None) -> dict:
    classifier = classifier or load_classifier()
    decisions = classifier.classify_many([item_text(item) for item in items])
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    relevance_right = family_right = family_total = 0
    errors = []
    for item, decision in zip(items, decisions, strict=True):
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


def evaluate_splits(items: list[dict], classifier: Classifier | None = None) -> dict[str, dict]:
    """The figures of each split that has items, train (in-sample) first."""
    classifier = classifier or load_classifier()
    return {
        split: evaluate(of_split(items, split), classifier)
        for split in SPLITS
        if of_split(items, split)
    }
