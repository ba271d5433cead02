"""What the tests' child processes run (forkserver children). Kept apart from the test modules on purpose:
a child imports the module its target is defined in, and a test module (conftest, reportlab, the CLI …)
costs seconds to import in every child; this one imports only what a target needs, inside it."""

from __future__ import annotations

import random
import time
from pathlib import Path


def ask_in_child(data_dir: str, questions: list[str], doc: str, results) -> None:
    """Ask the questions with the built-in embedder; put (question, the articles of doc it cites) pairs."""
    from assistant.ask import Assistant
    from ingest.knowledge_base import KnowledgeBase
    from ingest.settings import Settings

    try:
        assistant = Assistant(KnowledgeBase(Settings(data_dir=Path(data_dir), embedder="builtin")))
        results.put(
            [(q, [c["article"] for c in assistant.ask(q).answer.citations if c["doc"] == doc]) for q in questions]
        )
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))


def rebuild_lexical_index(directory: str, seed: int, rounds: int, results) -> None:
    from ingest.bm25_index import Bm25Index
    from ingest.tokenizer import Tokenizer

    index, rng, errors = Bm25Index(Path(directory), Tokenizer([]), []), random.Random(seed), []
    for n in range(rounds):
        ids = sorted({f"c{rng.randrange(300)}" for _ in range(40)})
        try:
            index.build([(i, "d") for i in ids], f"{seed}-{n}", lambda want: {i: f"动火 作业 审批 {i}" for i in want})
            index.load()
            index.search(["动火"], 5)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
    results.put(errors)


def open_token_cache(path: str, at: float, results) -> None:
    from ingest.bm25_index import TokenCache

    while time.time() < at:  # all at the same instant
        pass
    try:
        cache = TokenCache(Path(path))
        cache.put_many([("c1", "动火 作业")])
        results.put(cache.get_many(["c1"]) == {"c1": "动火 作业"})
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))


def embed_in_child(settings, progress) -> None:
    """Compute the missing vectors (VectorBuilder); put each step's count done, then (pending, written)."""
    from ingest.knowledge_base import KnowledgeBase
    from ingest.vector_builder import VectorBuilder

    run = VectorBuilder(KnowledgeBase(settings), lambda stage, done, total: progress.put(done)).run()
    progress.put((run.pending, run.written))
