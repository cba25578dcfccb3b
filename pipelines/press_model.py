"""The learned half of the press classifier: linear models on word and character n-grams.

The vocabulary misses what it was not written for ("the two navies", "anti-drone system"); a
logistic regression on n-grams of the labelled train items generalises from their wording instead.
It is fitted when first used (under a second at this size): no weights are stored or downloaded.
Every probability it gives can be explained by the n-grams that weigh most for it in the item and
by the nearest labelled item, which is what `why` reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import normalize

from pipelines.labelled import item_text

FAMILIES = ("exercises", "port_calls", "rd_projects", "dialogues")


def _headline_twice(text: str) -> str:
    # the headline says what the item is about; the excerpt often only gives context
    headline, _, rest = text.strip().partition("\n")
    return f"{headline}\n{headline}\n{rest}"


@dataclass(frozen=True)
class Scored:
    """The model's probabilities for a batch of texts, and what it needs to explain them."""

    words: sparse.csr_matrix  # the word n-gram part of the features, to explain with
    similarity: np.ndarray  # (n, train items): cosine of each text to each labelled train item
    relevance: np.ndarray  # (n,)
    family: np.ndarray  # (n, len(FAMILIES))
    commitments: dict[str, np.ndarray]  # commitment -> (n,)


class PressModel:
    """Relevance, family and one-vs-rest commitment models fitted on labelled items."""

    def __init__(self, items: list[dict]) -> None:
        self.items = items
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w[\w+-]*\b"
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
        )
        texts = [_headline_twice(item_text(item)) for item in items]
        x = self._fit_features(texts)
        self.train_rows = normalize(x)
        relevant = np.array([bool(item["relevant"]) for item in items])
        self.relevance = _logistic().fit(x, relevant)
        family_rows = np.flatnonzero(relevant)
        self.family = OneVsRestClassifier(_logistic()).fit(
            x[family_rows], [items[i]["family"] for i in family_rows]
        )
        labels = sorted({c for item in items for c in item["commitments"]}, key=_order)
        self.commitments = {
            c: _logistic().fit(x, [c in item["commitments"] for item in items]) for c in labels
        }
        self.word_names = self.words.get_feature_names_out()
        self.labelled_with = {
            c: np.array([i for i, item in enumerate(items) if c in item["commitments"]])
            for c in labels
        }

    def _fit_features(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.words.fit_transform(texts), self.chars.fit_transform(texts)], format="csr"
        )

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        texts = [_headline_twice(t) for t in texts]
        return sparse.hstack(
            [self.words.transform(texts), self.chars.transform(texts)], format="csr"
        )

    def score(self, texts: list[str]) -> Scored:
        x = self.features(texts)
        by_class = dict(zip(self.family.classes_, self.family.predict_proba(x).T, strict=True))
        family = np.column_stack([by_class.get(f, np.zeros(x.shape[0])) for f in FAMILIES])
        return Scored(
            words=x[:, : len(self.word_names)].tocsr(),
            similarity=(normalize(x) @ self.train_rows.T).toarray(),
            relevance=self.relevance.predict_proba(x)[:, 1],
            family=family,
            commitments={c: m.predict_proba(x)[:, 1] for c, m in self.commitments.items()},
        )

    def top_terms(self, scored: Scored, i: int, model, k: int = 3) -> list[str]:
        """The word n-grams of item `i` that push this model's probability up the most."""
        start, end = scored.words.indptr[i], scored.words.indptr[i + 1]
        columns, values = scored.words.indices[start:end], scored.words.data[start:end]
        weights = model.coef_[0][columns] * values
        order = np.argsort(-weights)[:k]
        return [str(self.word_names[columns[j]]) for j in order if weights[j] > 0]

    def nearest(self, scored: Scored, i: int, commitment: str | None = None) -> dict | None:
        """The most similar labelled train item, among those labelled `commitment` if given."""
        rows = self.labelled_with.get(commitment) if commitment else None
        similarity = scored.similarity[i]
        if rows is None:
            rows = np.arange(len(self.items))
        if not len(rows):
            return None
        best = int(rows[np.argmax(similarity[rows])])
        return {"id": self.items[best]["id"], "similarity": round(float(similarity[best]), 3)}


def _logistic() -> LogisticRegression:
    # few positives per commitment: balanced weights keep rare ones from being drowned out; the
    # dual form is the fast one when features far outnumber items
    return LogisticRegression(
        C=10.0, class_weight="balanced", max_iter=2000, solver="liblinear", dual=True
    )


def _order(commitment: str) -> tuple[int, ...]:
    return tuple(int(p) for p in commitment.split("."))
