"""The textbook LangChain pipeline the project is measured against, built in the same run on the same
corpus: RecursiveCharacterTextSplitter(500, 50) over the raw files, BM25 (bm25s) over jieba tokens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.errors import IngestError
from ingest.loaders import load_file
from ingest.pipeline import walk


def _tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if t.strip()]


@dataclass
class BaselineRetriever:
    documents: list[Document]
    index: bm25s.BM25

    @classmethod
    def build(cls, corpus: list[Path]) -> BaselineRetriever:
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
        index = bm25s.BM25()
        index.index([_tokens(d.page_content) for d in documents], show_progress=False)
        return cls(documents, index)

    def search(self, query: str, k: int = 10) -> list[tuple[Document, float]]:
        vocab = self.index.vocab_dict
        tokens = [t for t in _tokens(query) if t in vocab]
        if not tokens:
            return []
        scores = self.index.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self.documents[i], float(scores[i])) for i in top if scores[i] > 0]
