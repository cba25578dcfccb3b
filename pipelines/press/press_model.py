"""The learned half of the press classifier: linear models on word and character n-grams.

The vocabulary misses what it was not written for ("the two navies", "anti-drone system"); a
logistic regression on n-grams of the labelled train items generalises from their wording instead.
Every probability it gives can be explained by the n-grams that weigh most for it in the item and
by the nearest labelled item, which is what `why` reports.

The models are fitted with scikit-learn (pipelines/press/press_model_fit.py, `make classifier-model`)
and kept in data/classifier/press_model.json as plain numbers: each model's weight on each train
item, since a dual-form logistic regression's weight vector is the sum of the train items' feature
rows weighted so. Here the n-gram vocabulary and its idf are recounted from the train items, the
weight vectors rebuilt from them, and items scored with numpy alone: classifying does not pay for
importing scikit-learn and scipy, nor for fitting. The file records the sha256 of the labelled set
it was fitted on and the settings it was fitted with; when either differs it is not used, and the
model is fitted afresh in memory (with a warning naming the command that stores it).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines import settings
from pipelines.press.labelled import LABELLED_SET, item_text

FAMILIES = ("exercises", "port_calls", "rd_projects", "dialogues")
MODEL_FILE = settings.DATA_DIR / "classifier" / "press_model.json"
TOKEN = r"(?u)\b\w[\w+-]*\b"
# What the stored weights were fitted with; a file fitted with other settings is stale. The fit
# (pipelines/press/press_model_fit.py) builds its scikit-learn estimators from these very values.
FIT_SETTINGS: dict = {
    "words": {"ngram_range": [1, 2], "sublinear_tf": True, "token_pattern": TOKEN},
    "chars": {"analyzer": "char_wb", "ngram_range": [3, 5], "sublinear_tf": True, "min_df": 2},
    "logistic": {
        "C": 10.0,
        "class_weight": "balanced",
        "max_iter": 2000,
        "solver": "liblinear",
        "dual": True,
        # liblinear visits items in a random order and stops at a tolerance: without a fixed
        # seed two fits differ in the sixth decimal, enough to move a rounded probability
        "random_state": 0,
    },
    "text": "headline twice, then the excerpt",
}


def _headline_twice(text: str) -> str:
    # the headline says what the item is about; the excerpt often only gives context
    headline, _, rest = text.strip().partition("\n")
    return f"{headline}\n{headline}\n{rest}"


_TOKEN = re.compile(TOKEN)


def word_ngrams(text: str) -> list[str]:
    """Lower-cased words and word pairs, as scikit-learn's word analyser yields them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def char_ngrams(text: str) -> list[str]:
    """3- to 5-character n-grams inside space-padded words (scikit-learn's `char_wb`)."""
    grams: list[str] = []
    for word in text.lower().split():
        word = f" {word} "
        size = len(word)
        for n in (3, 4, 5):
            if size <= n:  # a word no longer than n gives itself once, and nothing longer
                grams.append(word)
                break
            grams += [word[i : i + n] for i in range(size - n + 1)]
    return grams


class Tfidf:
    """Sublinear tf times smoothed idf, rows of unit length (scikit-learn's TfidfVectorizer)."""

    def __init__(self, analyse: Callable[[str], list[str]], texts: list[str], min_df: int) -> None:
        self.analyse = analyse
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(analyse(text)))
        self.terms = sorted(term for term, n in df.items() if n >= min_df)
        self.index = {term: i for i, term in enumerate(self.terms)}
        counts = np.array([df[term] for term in self.terms], dtype=np.float64)
        self.idf = np.log((len(texts) + 1) / (counts + 1)) + 1

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's columns (ascending) and values."""
        index = self.index
        found = sorted((index[g], n) for g, n in Counter(self.analyse(text)).items() if g in index)
        columns = np.array([c for c, _ in found], dtype=np.intp)
        values = np.log(np.array([n for _, n in found], dtype=np.float64)) + 1
        values *= self.idf[columns]
        norm = np.sqrt(np.dot(values, values))
        return columns, values / norm if norm else values


@dataclass(frozen=True)
class Linear:
    """One logistic regression: the probability is the logistic of `coef . x + intercept`."""

    coef: np.ndarray
    intercept: float


@dataclass(frozen=True)
class Scored:
    """The model's probabilities for a batch of texts, and what it needs to explain them."""

    words: list[tuple[np.ndarray, np.ndarray]]  # each text's word n-grams: columns, values
    similarity: np.ndarray  # (n, train items): cosine of each text to each labelled train item
    relevance: np.ndarray  # (n,)
    family: np.ndarray  # (n, len(FAMILIES))
    commitments: dict[str, np.ndarray]  # commitment -> (n,)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms == 0] = 1
    return x / norms[:, None]


class PressModel:
    """Relevance, family and one-vs-rest commitment models over the train items' n-grams.

    `weights` holds, per model, one weight per train item (in the order of `items`): the model's
    weight vector is the items' feature rows, each with a constant 1 appended for the intercept,
    summed with those weights.
    """

    def __init__(self, items: list[dict], weights: dict) -> None:
        self.items = items
        texts = [_headline_twice(item_text(item)) for item in items]
        self.words = Tfidf(word_ngrams, texts, min_df=1)
        self.chars = Tfidf(char_ngrams, texts, min_df=FIT_SETTINGS["chars"]["min_df"])
        self.word_names = self.words.terms
        train = self._dense([self._row(text) for text in texts])
        self.train_rows = _unit_rows(train)
        families = sorted(weights["family"])
        commitments = sorted(weights["commitments"], key=_order)
        duals = np.array(
            [
                weights["relevance"],
                *(weights["family"][f] for f in families),
                *(weights["commitments"][c] for c in commitments),
            ],
            dtype=np.float64,
        )
        if duals.shape[1:] != (len(items),):
            raise ValueError(f"the stored weights do not give one per train item ({len(items)})")
        # (features, models); each train row's constant 1 sums its weights into the intercept
        self._coef_by_feature = train.T @ duals.T
        self._intercept = duals.sum(axis=1)
        models = [
            Linear(self._coef_by_feature[:, k], float(self._intercept[k]))
            for k in range(len(duals))
        ]
        self.relevance = models[0]
        self.family = dict(zip(families, models[1 : 1 + len(families)], strict=True))
        self.commitments = dict(zip(commitments, models[1 + len(families) :], strict=True))
        self._train_by_feature = np.ascontiguousarray(self.train_rows.T)
        self.labelled_with = {
            c: np.array([i for i, item in enumerate(items) if c in item["commitments"]])
            for c in self.commitments
        }

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (*self.words.row(text), *self.chars.row(text))

    def _dense(self, rows: list[tuple[np.ndarray, ...]]) -> np.ndarray:
        offset = len(self.words.terms)
        x = np.zeros((len(rows), offset + len(self.chars.terms)))
        for i, (word_columns, word_values, char_columns, char_values) in enumerate(rows):
            x[i, word_columns] = word_values
            x[i, offset + char_columns] = char_values
        return x

    def score(self, texts: list[str]) -> Scored:
        n = len(texts)
        offset = len(self.words.terms)
        words = []
        logits = np.empty((n, len(self._intercept)))
        similarity = np.empty((n, len(self.items)))
        # item by item over its own n-grams: a few hundred columns of ten thousand
        for i, text in enumerate(texts):
            word_columns, word_values, char_columns, char_values = self._row(_headline_twice(text))
            words.append((word_columns, word_values))
            columns = np.concatenate([word_columns, offset + char_columns])
            values = np.concatenate([word_values, char_values])
            logits[i] = values @ self._coef_by_feature[columns]
            norm = np.sqrt(np.dot(values, values))
            similarity[i] = (values / (norm or 1)) @ self._train_by_feature[columns]
        with np.errstate(over="ignore"):  # a very sure "no" overflows exp: 1 / inf is 0
            p = 1 / (1 + np.exp(-(logits + self._intercept)))
        # one-vs-rest: each family's probability, shared out so that they sum to one
        by_class = p[:, 1 : 1 + len(self.family)]
        sums = by_class.sum(axis=1, keepdims=True)
        by_class = np.divide(by_class, sums, out=by_class.copy(), where=sums != 0)
        columns_of = dict(zip(self.family, by_class.T, strict=True))
        family = np.column_stack([columns_of.get(f, np.zeros(n)) for f in FAMILIES])
        first = 1 + len(self.family)
        return Scored(
            words=words,
            similarity=similarity,
            relevance=p[:, 0],
            family=family,
            commitments={c: p[:, first + k] for k, c in enumerate(self.commitments)},
        )

    def top_terms(self, scored: Scored, i: int, model: Linear, k: int = 3) -> list[str]:
        """The word n-grams of item `i` that push this model's probability up the most."""
        columns, values = scored.words[i]
        weights = model.coef[columns] * values
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


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stale_reason(stored: dict, labelled_sha256: str, train: list[dict]) -> str | None:
    """Why a stored model cannot stand for a fit on these train items, or None if it can."""
    if stored.get("labelled_sha256") != labelled_sha256:
        return "fitted on another version of the labelled set"
    if stored.get("fit_settings") != FIT_SETTINGS:
        return "fitted with other settings"
    if stored.get("train_ids") != [item["id"] for item in train]:
        return "fitted on other train items"
    return None


def load_press_model(
    train: list[dict], labelled: Path = LABELLED_SET, model_file: Path = MODEL_FILE
) -> PressModel:
    """The stored model when it was fitted on this labelled set, else one fitted now."""
    sha = file_sha256(labelled)
    try:
        stored = json.loads(model_file.read_text(encoding="utf-8"))
        reason = stale_reason(stored, sha, train)
    except FileNotFoundError:
        stored, reason = {}, "missing"
    except (json.JSONDecodeError, AttributeError) as error:
        stored, reason = {}, f"unreadable ({error})"
    if reason is None:
        return PressModel(train, stored["weights"])
    if labelled.resolve() == LABELLED_SET.resolve():
        print(
            f"warning: {model_file.name} is {reason}; fitting the press model now "
            "(`make classifier-model` stores it)",
            file=sys.stderr,
        )
    from pipelines.press.press_model_fit import fit_weights

    return PressModel(train, fit_weights(train))


def _order(commitment: str) -> tuple[int, ...]:
    return tuple(int(p) for p in commitment.split("."))
