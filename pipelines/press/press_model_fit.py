"""Fitting the press model with scikit-learn, and storing it as plain numbers (`make classifier-model`).

Logistic regressions (liblinear, dual form) on tf-idf word and character n-grams of the train
split. The dual solver keeps each weight vector as a weighted sum of the train items' feature
rows (with a constant 1 for the intercept), so the fitted model is stored as those weights, one
per model and train item: a few thousand numbers a reviewer can read beside the labelled set,
where the weight vectors themselves would be hundreds of thousands. Before anything is stored the
numpy model rebuilt from them (pipelines/press/press_model.py) is checked against scikit-learn's own
vocabulary and probabilities on every labelled item.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from pipelines import settings
from pipelines.press.labelled import LABELLED_SET, item_text, of_split, read_labelled
from pipelines.press.press_model import (
    FAMILIES,
    FIT_SETTINGS,
    MODEL_FILE,
    PressModel,
    _headline_twice,
    _order,
    file_sha256,
)

# the rebuilt model must give scikit-learn's probabilities to this many decimals or better
TOLERANCE = 1e-9


class FitError(RuntimeError):
    """The stored form would not reproduce the fitted model."""


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words, chars = FIT_SETTINGS["words"], FIT_SETTINGS["chars"]
    return (
        TfidfVectorizer(**{**words, "ngram_range": tuple(words["ngram_range"])}),
        TfidfVectorizer(**{**chars, "ngram_range": tuple(chars["ngram_range"])}),
    )


def _logistic() -> LogisticRegression:
    # few positives per commitment: balanced weights keep rare ones from being drowned out; the
    # dual form is the fast one when features far outnumber items, and it is what makes the
    # weights expressible per train item
    return LogisticRegression(**FIT_SETTINGS["logistic"])


class _Fitted:
    def __init__(self, train: list[dict]) -> None:
        self.words, self.chars = _vectorizers()
        texts = [_headline_twice(item_text(item)) for item in train]
        x = sparse.hstack(
            [self.words.fit_transform(texts), self.chars.fit_transform(texts)], format="csr"
        )
        relevant = np.array([bool(item["relevant"]) for item in train])
        self.relevance = _logistic().fit(x, relevant)
        rows = np.flatnonzero(relevant)
        self.family = OneVsRestClassifier(_logistic()).fit(
            x[rows], [train[i]["family"] for i in rows]
        )
        labels = sorted({c for item in train for c in item["commitments"]}, key=_order)
        self.commitments = {
            c: _logistic().fit(x, [c in item["commitments"] for item in train]) for c in labels
        }
        self.biased = sparse.hstack([x, np.ones((x.shape[0], 1))], format="csr").toarray().T

    def weights(self) -> dict:
        models = {
            "relevance": self.relevance,
            **{
                f"family {f}": e
                for f, e in zip(self.family.classes_, self.family.estimators_, strict=True)
            },
            **{f"commitment {c}": m for c, m in self.commitments.items()},
        }
        if not all(hasattr(m, "coef_") for m in models.values()):
            raise FitError("a one-vs-rest family model is constant: a family has no negatives")
        w = np.column_stack([np.concatenate([m.coef_[0], m.intercept_]) for m in models.values()])
        dual = np.linalg.lstsq(self.biased, w, rcond=None)[0]
        error = float(np.abs(self.biased @ dual - w).max())
        if error > TOLERANCE * max(1.0, float(np.abs(w).max())):
            raise FitError(f"a weight vector is not a sum of train rows (off by {error:.2g})")
        per_model = {
            name: [float(v) for v in column] for name, column in zip(models, dual.T, strict=True)
        }
        return {
            "relevance": per_model["relevance"],
            "family": {str(f): per_model[f"family {f}"] for f in self.family.classes_},
            "commitments": {c: per_model[f"commitment {c}"] for c in self.commitments},
        }

    def check(self, model: PressModel, texts: list[str]) -> None:
        """The rebuilt model against scikit-learn: same n-grams, same probabilities."""
        for name, ours, theirs in (
            ("word", model.words.terms, self.words.get_feature_names_out()),
            ("character", model.chars.terms, self.chars.get_feature_names_out()),
        ):
            if list(ours) != list(theirs):
                raise FitError(f"the {name} n-grams differ from scikit-learn's")
        x = sparse.hstack(
            [self.words.transform([_headline_twice(t) for t in texts]),
             self.chars.transform([_headline_twice(t) for t in texts])], format="csr",
        )  # fmt: skip
        scored = model.score(texts)
        by_class = dict(zip(self.family.classes_, self.family.predict_proba(x).T, strict=True))
        expected = [
            (self.relevance.predict_proba(x)[:, 1], scored.relevance),
            *((by_class[f], scored.family[:, FAMILIES.index(f)]) for f in by_class),
            *(
                (m.predict_proba(x)[:, 1], scored.commitments[c])
                for c, m in self.commitments.items()
            ),
        ]
        worst = max(float(np.abs(a - b).max()) for a, b in expected)
        if worst > TOLERANCE:
            raise FitError(f"rebuilt probabilities differ from scikit-learn's by {worst:.2g}")


def fit_weights(train: list[dict], check_on: list[str] | None = None) -> dict:
    """Fit on the train items; the per-item weights of every model, checked on `check_on`."""
    fitted = _Fitted(train)
    weights = fitted.weights()
    fitted.check(PressModel(train, weights), [item_text(i) for i in train] + (check_on or []))
    return weights


def write_model(labelled: Path = LABELLED_SET, model_file: Path = MODEL_FILE) -> dict:
    """Fit on the labelled set's train split and store the weights; returns what was written."""
    items = read_labelled(labelled)
    train = of_split(items, "train")
    document = {
        "about": (
            "Press classifier model: per logistic regression, one weight per train item; its "
            "weight vector is the sum of those items' tf-idf rows (plus 1 for the intercept) so "
            "weighted. Written by `make classifier-model`; not used once labelled_sha256 differs."
        ),
        "labelled_file": _relative(labelled),
        "labelled_sha256": file_sha256(labelled),
        "fit_settings": FIT_SETTINGS,
        "scikit_learn": sklearn.__version__,
        "train_ids": [item["id"] for item in train],
        "weights": fit_weights(train, [item_text(i) for i in items]),
    }
    model_file.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return document


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(settings.PROJECT_ROOT))
    except ValueError:
        return path.name
