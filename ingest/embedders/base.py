"""What every embedder here offers: langchain's Embeddings, the vectors of many texts as one array, and what it
can do: whether it is fitted on the corpus (the built-in LSA model) and so whether its vectors come later."""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Self, TypeGuard

import numpy as np
from langchain_core.embeddings import Embeddings


class ArrayEmbeddings(Embeddings):
    """An Embeddings that also gives a batch of passages' vectors as one (n, dim) float32 array."""

    @abstractmethod
    def embed_array(self, texts: list[str]) -> np.ndarray:
        """The passages' vectors, one row per text, in order."""

    @property
    def fitted_on_corpus(self) -> bool:
        """Whether the model is fitted on the corpus itself and refitted as it grows (the built-in LSA model): an
        ingest fits it before anything is embedded, and stored vectors are alike only under one fit. A neural
        model is trained elsewhere and never changes."""
        return False

    @property
    def vectors_later(self) -> bool:
        """Whether an ingest makes the documents searchable before their vectors are computed (ingest.vector_builder):
        every neural embedder. One fitted on the corpus is fast and fitted then anyway: it writes them with the
        chunks."""
        return not self.fitted_on_corpus

    fit_id = ""  # names the fit in use: vectors made under one fit_id are alike ("" for a model never refitted)

    def reload_if_refitted(self) -> bool:
        """Adopt the fit another process made since this one read it; True when it changed. A model not fitted on
        the corpus has no fit to reload."""
        return False

    def stored_vectors_fit(self) -> str | None:
        """The fit the stored vectors are made with, as the data directory says now, or None while a refit is
        rewriting them (they are then of two fits). A model never refitted: always its own."""
        return self.fit_id


class CorpusFittedEmbeddings(ArrayEmbeddings):
    """An embedder fitted on the corpus, its fit persisted in a directory (the built-in LSA model): what an ingest
    and processes sharing a Chroma server do with the fit."""

    directory: Path
    dim: int

    @property
    def fitted_on_corpus(self) -> bool:
        return True

    @classmethod
    @abstractmethod
    def open(cls, directory: Path, dim: int) -> Self:
        """The model as persisted in the directory (not fitted when nothing is)."""

    @abstractmethod
    def needs_refit(self, corpus_size: int) -> bool:
        """Whether a corpus of this many chunks calls for a (new) fit."""

    @abstractmethod
    def fit(self, texts: list[str]) -> None:
        """Fit on these texts and persist the fit."""

    @abstractmethod
    def adopt(self, other: Self) -> None:
        """Use another instance's fit (read from disk after another process refitted)."""

    @abstractmethod
    def mark_vectors_current(self) -> None:
        """Record that every stored vector is now made with this fit."""


def corpus_fitted(model: ArrayEmbeddings) -> TypeGuard[CorpusFittedEmbeddings]:
    """model.fitted_on_corpus, telling the type checker that the model offers the fit's methods."""
    return model.fitted_on_corpus
