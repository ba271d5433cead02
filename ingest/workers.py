"""The context ingest's worker processes start in."""

from __future__ import annotations

import multiprocessing
from typing import Any


def worker_processes() -> Any:
    """A fork server that has imported the pipeline. A plain fork of the importer copies it with the locks its other
    threads (Chroma's, the embedder's, the BM25 writer's) held at that moment, and a worker waiting on one of them
    never returns: an import hung for good, now and then."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.pipeline"])
    return context
