"""The hybrid retriever behind langchain's BaseRetriever interface: each result a Document holding the chunk's text,
its id, its metadata, the ranker's score and the citation (《法规》第X条) to show."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.citations import citation


class LangchainRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any  # the assistant.retrieval.HybridRetriever it asks (made by HybridRetriever.as_langchain)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=chunk.text,
                id=chunk.id,
                metadata={**chunk.metadata, "score": score, "citation": citation(chunk)},
            )
            for chunk, score in self.hybrid.search(query)
        ]
