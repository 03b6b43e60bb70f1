"""The trained half of the clause analysis: TF-IDF over jieba words and character n-grams, one logistic
regression per clause type, trained on corpus.training_clauses() the first time it is needed in a process
(about a second; nothing is downloaded or written)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from .corpus import training_clauses
from .kinds import TYPES

jieba.setLogLevel(logging.WARNING)
DIGITS = re.compile(r"\d+(\.\d+)?")
WORD = re.compile(r"\w", re.UNICODE)


def words(text: str) -> list[str]:
    """jieba's words (English words come through whole), lower-cased, numbers folded to one token."""
    text = DIGITS.sub("0", text.lower())
    return [w for w in jieba.lcut(text) if WORD.search(w)]


@dataclass(frozen=True)
class ClauseModel:
    features: FeatureUnion
    classifiers: dict[str, LogisticRegression]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """len(texts) × len(TYPES) probabilities."""
        if not texts:
            return np.zeros((0, len(TYPES)))
        matrix = self.features.transform([DIGITS.sub("0", t) for t in texts])
        return np.column_stack([self.classifiers[kind].predict_proba(matrix)[:, 1] for kind in TYPES])


def train(samples: Sequence[tuple[str, str, tuple[str, ...]]]) -> ClauseModel:
    texts = [DIGITS.sub("0", text) for _, text, _ in samples]
    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2, lowercase=True)),
    ])
    matrix = features.fit_transform(texts)
    classifiers = {}
    for kind in TYPES:
        labels = np.array([kind in kinds for _, _, kinds in samples], dtype=int)
        classifiers[kind] = LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear").fit(matrix, labels)
    return ClauseModel(features, classifiers)


@lru_cache(maxsize=1)
def default_model() -> ClauseModel:
    return train(training_clauses())
