"""Vectors after the lexical index. With a neural embedder (e5 in-process, an embeddings server,
sentence-transformers) an ingest makes its documents searchable as soon as they are read and chunked: texts,
manifest, BM25, article lookup and versions. Their vectors are computed afterwards, here: at the end of the same
ingest, by `anquan embed`, or in a background thread of `anquan serve` while questions are answered. Retrieval
meanwhile ranks the chunks that have a vector by dense similarity as well; the others are found by BM25.

Which chunks are pending follows from the store alone, no queue file: the chunk ids of the committed document
versions (they follow from the manifest) that have no row in the vectors collection. A version replaced or
removed meanwhile is no longer committed, so its chunks are never embedded; in force documents come first.

Kill -9 safety: a chunk's vector is written in one Chroma call with the others of its step, after it was
computed; a crash loses no vector already written and leaves no chunk with part of a vector, and the vector
cache keeps what was computed but not yet written. A step is written holding the ingest lock (and with a Chroma
server its writer lease), after checking again that each chunk's version is still committed: an ingest that
replaces a version never leaves vectors behind for it. One builder runs per data directory at a time
(vectors.lock).

The built-in LSA embedder is fast and fitted on the corpus: its ingest writes each chunk's vector with its text,
as before; `anquan embed` completes whatever would lack one all the same.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from filelock import FileLock, Timeout

from ingest.embedders.cache import CachedEmbeddings
from ingest.errors import UserFacingError
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.legal_forms import default_forms
from ingest.metadata import NATIONAL, PLAN_KINDS
from ingest.shared_state import ServerBusy
from ingest.store import DocumentRecord, StoredChunk, chunk_ids

STAGE = "计算向量"  # the progress stage's name
_LOCK_POLL = 1.0  # seconds between two tries for the ingest lock while an ingest holds it
_BACKGROUND_NICENESS = 10  # the background thread's CPU priority below the questions' (Linux: per thread)
log = logging.getLogger("anquan.vectors")


def vectors_later(kb: KnowledgeBase) -> bool:
    """Whether this knowledge base's vectors are computed after its documents are searchable: with every neural
    embedder; the built-in one writes them with the chunks, except after its damaged vector index was rebuilt
    (every chunk's vector is to be computed again)."""
    return kb.embedder.embeddings.vectors_later or kb.store.vectors_rebuilt


@dataclass
class Coverage:
    """How many committed chunks have a vector."""

    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        """Rounded down: 100 only when every chunk has its vector."""
        return 100 if self.total == 0 else self.done * 100 // self.total

    def __str__(self) -> str:
        return f"向量 {self.percent}%（{self.done:,}/{self.total:,}）"


def coverage(kb: KnowledgeBase) -> Coverage:
    return Coverage(*kb.store.vector_coverage(kb.documents()))


class VectorsBusy(UserFacingError):
    def __init__(self, where: str):
        super().__init__(
            f"另一个进程正在为 {where} 计算向量（例如正在运行的 anquan serve 在后台计算）；它会算完全部切块，"
            f"进度可用 anquan stats 查看"
        )


class WriterBusy(UserFacingError):
    def __init__(self, where: str, seconds: float):
        super().__init__(
            f"另一个导入任务正在写入 {where}，等待 {seconds:g} 秒后仍未结束；已算好的向量已保存，"
            f"请等它结束后再运行 anquan embed"
        )


@dataclass
class VectorRun:
    """What one run of the builder did."""

    pending: int = 0  # chunks without a vector when it started
    written: int = 0  # vectors written
    seconds: float = 0.0
    stopped: bool = False  # asked to stop before every pending chunk was done


def vector_priority(record: DocumentRecord) -> int:
    """The order in which a document's vectors are computed, lower first: the field's national laws and rules (what
    most questions are answered by), then the user's own plans and the field's local rules, then everything else a
    national collection brings (its other fields' texts). In a collection of 150,000 chunks, computed for hours on a
    CPU, the dense signal reaches the texts that answer first."""
    if record.kind in PLAN_KINDS:
        return 1
    if not default_forms().in_field(record.title):
        return 2
    return 0 if record.region == NATIONAL else 1


class VectorBuilder:
    """Computes and writes the vectors of the committed chunks that have none, a step of settings.vector_batch
    chunks at a time. progress(stage, done, total) as the ingest reports it."""

    def __init__(
        self, kb: KnowledgeBase, progress: Callable[[str, int, int], None] | None = None, batch: int | None = None
    ):
        self.kb = kb
        self.settings = kb.settings
        self.progress = progress or (lambda stage, done, total: None)
        self.batch = max(1, batch or self.settings.vector_batch)

    def pending(self) -> list[str]:
        """The committed chunks without a vector: documents in force first, and of those the ones most questions
        are answered by first (vector_priority), then by document id and position."""
        records = self.kb.documents()
        present = self.kb.store.with_vectors(records)
        order = sorted(records.values(), key=lambda r: (not r.in_force, vector_priority(r), r.doc_id))
        return [i for r in order for i in chunk_ids(r.doc_id, r.hash, r.chunk_count) if i not in present]

    def run(self, stop: threading.Event | None = None) -> VectorRun:
        """Embed every pending chunk (until stop is set). Raises VectorsBusy when another builder runs for this
        data directory, WriterBusy when an ingest holds it longer than settings.ingest_lock_timeout (without stop)."""
        self.kb.require_writable()
        lock = FileLock(str(self.settings.data_dir / "vectors.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise VectorsBusy(self.kb.store.location) from None
        try:
            return self._run(stop)
        finally:
            lock.release()

    def _run(self, stop: threading.Event | None) -> VectorRun:
        started = time.perf_counter()
        todo = self.pending()
        run = VectorRun(pending=len(todo))
        self.progress(STAGE, 0, len(todo))
        for start in range(0, len(todo), self.batch):
            if stop is not None and stop.is_set():
                run.stopped = True
                break
            part = todo[start : start + self.batch]
            chunks = self.kb.store.get_chunks(part)  # a version deleted meanwhile is not found
            vectors = self._embed(chunks, start, len(todo))
            written = self._write(chunks, vectors, stop)
            if written is None:
                run.stopped = True
                break
            run.written += written
            self.progress(STAGE, start + len(part), len(todo))
        run.seconds = time.perf_counter() - started
        return run

    def _embed(self, chunks: list[StoredChunk], done: int, total: int) -> np.ndarray:
        """The chunks' vectors, from the texts the ingest would have embedded (heading path and text)."""
        texts = [index_text(c.text, c.heading_text) for c in chunks]
        model = self.kb.embedder.embeddings
        if not isinstance(model, CachedEmbeddings):
            return np.asarray(model.embed_array(texts), dtype=np.float32)
        computed = [done]
        count_lock = threading.Lock()  # an embeddings server's batches report from several threads

        def step(n: int) -> None:
            with count_lock:
                computed[0] += n
                self.progress(STAGE, min(computed[0], total), total)

        return model.embed_array(texts, progress=step)

    def _write(self, chunks: list[StoredChunk], vectors: np.ndarray, stop: threading.Event | None) -> int | None:
        """Write the vectors of the chunks whose version is still committed, holding the ingest lock (an ingest
        running meanwhile is waited for). Returns how many, or None when stop was set while waiting."""
        lock = FileLock(str(self.settings.data_dir / "ingest.lock"))
        deadline = time.monotonic() + self.settings.ingest_lock_timeout
        while True:
            try:
                lock.acquire(timeout=_LOCK_POLL)
                break
            except Timeout:
                if stop is not None and stop.is_set():
                    return None
                if stop is None and time.monotonic() > deadline:
                    raise WriterBusy(self.kb.store.location, self.settings.ingest_lock_timeout) from None
        try:
            with self.kb.writer_lease():
                self.kb.store.invalidate()  # the manifest as it is now, under the lock
                records = self.kb.documents()
                keep = [
                    n
                    for n, chunk in enumerate(chunks)
                    if (record := records.get(chunk.doc_id)) is not None and record.hash == chunk.doc_hash
                ]
                if keep:
                    self.kb.store.write_vectors([chunks[n].id for n in keep], vectors[keep])
                return len(keep)
        except ServerBusy:
            if stop is not None:
                return None
            raise WriterBusy(self.kb.store.location, self.settings.ingest_lock_timeout) from None
        finally:
            lock.release()


def serve_vectors(
    kb: KnowledgeBase,
    stop: threading.Event,
    idle: float | None = None,
    on_run: Callable[[VectorRun], None] | None = None,
) -> None:
    """What `anquan serve` runs in a daemon thread until stop is set: embed the pending chunks a step at a time,
    then look again every `idle` seconds (new uploads). Questions never wait for it: they read the store as it is,
    and the e5 embedder embeds questions on an engine of its own. Another builder running (anquan embed) is
    left to finish; a failure is logged and tried again later."""
    idle = kb.settings.vector_idle_seconds if idle is None else idle
    if kb.read_only:  # a read-only data directory is only read from
        return
    _lower_priority()
    while not stop.is_set():
        try:
            run = VectorBuilder(kb).run(stop)
        except VectorsBusy:
            pass
        except Exception:  # noqa: BLE001 - a background thread: logged, tried again after the pause
            log.warning("background vectors failed", exc_info=True)
        else:
            if run.written:
                log.info("background vectors: %d written in %.1f s", run.written, run.seconds)
            if on_run is not None:
                on_run(run)
        stop.wait(idle)


def start_background(
    kb: KnowledgeBase, idle: float | None = None, on_run: Callable[[VectorRun], None] | None = None
) -> tuple[threading.Thread, threading.Event]:
    """serve_vectors in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=serve_vectors, args=(kb, stop, idle, on_run), name="anquan-vectors", daemon=True)
    thread.start()
    return thread, stop


def _lower_priority() -> None:
    """Nice this thread (Linux nices threads one by one; the engine threads it starts inherit it)."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + _BACKGROUND_NICENESS)
    except (AttributeError, OSError):
        pass
