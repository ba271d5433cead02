"""Preparing files for the ingest's writer: load, clean and chunk each file; the index text and BM25 tokens
of its chunks; with the built-in embedder, once it is fitted, their vectors.

Many files are prepared in worker processes (both cores), handed to the writer in order, a bounded number
ahead of it. A worker passes a prepared file through a spool file and only the file's name through the
pool's pipe: the writer's Chroma calls hold the GIL for up to a second, during which the pool cannot read
results off the pipe, and with whole results in it the pipe was full at once and the workers stood still
(about 10 s of a full scale-corpus ingest). Files prepared before the built-in embedder was fitted (its
fit sample, and what the workers prepared during the fit) go back to the workers to be embedded, so the
writer, the critical path, embeds nothing itself."""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import shutil
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunk import Chunk, TooManyChunks, chunk_limit
from ingest.chunk_plan import chunk_plan
from ingest.chunk_regulation import check_article_starts, chunk_regulation, reads_as_articles
from ingest.cleaning import clean_text
from ingest.embedders.base import ArrayEmbeddings, CorpusFittedEmbeddings, corpus_fitted
from ingest.encoding import has_control_chars, name_reading, readable_path
from ingest.errors import IngestError, OverLimit
from ingest.knowledge_base import index_text
from ingest.loaders import load_file
from ingest.loaders.limits import LoadLimits
from ingest.metadata import DocumentMeta, describe, doc_id_for, future_date_problem
from ingest.report import FileResult
from ingest.tokenizer import Tokenizer
from ingest.workers import worker_processes

_PARALLEL_MIN_FILES = 8  # fewer files are prepared in-process (starting workers costs about a second)
_IN_FLIGHT_PER_WORKER = 512  # files handed to each worker ahead of the writer: more than a batch, so that
# the workers go on while the writer writes one (or fits the embedder)
_IN_FLIGHT_BYTES = 64 * 2**20  # and at most this much source text (a corpus of large files)
_EMBED_AHEAD = 256  # files prepared before the fit whose vectors the workers make ahead of the writer: more
# than a batch, so that they go on while it writes one
_WORKER_NICENESS = 10
_TITLE_MAX_CHARS = 120
_FAILED = (
    "处理这个文件时出错（文件可能已损坏，或内容结构异常），已跳过，其他文件照常导入；请用原程序打开确认，"
    "另存一份后再导入"
)
_OUT_OF_MEMORY = (
    "处理这个文件时内存不足（内容过于庞大或结构异常），已跳过，其他文件照常导入；请把文件拆分成几个较小的文件，"
    "或关闭其他占用内存的程序后再导入"
)
_log = logging.getLogger(__name__)

# (path, content hash, added|updated, the real path the content was read from when the file was screened)
Task = tuple[Path, str, str, str]
# a file whose real path is no longer the one screened: replaced since (by a symbolic link to another file, a file
# moved in its place), what would be read is not what the import was given
_REPLACED = "文件在导入过程中被替换了（换成了指向别处的符号链接，或被移走换成了别的文件），已跳过；请确认文件后重新导入"


@dataclass
class Prepared:
    path: Path
    meta: DocumentMeta
    doc_hash: str
    chunks: list[Chunk]
    status: str
    texts: list[str] = field(default_factory=list)  # what the embedder and BM25 see, one per chunk
    tokens: list[str] = field(default_factory=list)  # space-joined BM25 tokens, one per chunk
    segmentation: str = ""  # signature of the tokenizer that made the tokens
    vectors: Any = None  # the texts' vectors, when a worker embedded them with the built-in embedder's fit ...
    fit_id: str = ""  # ... of this id
    spool: str = ""  # the spool file it came through, kept while a worker may still embed it


def chunk_document(text: str, budget: int) -> tuple[str, list[Chunk]]:
    """Regulations (articles) by article; everything else by heading hierarchy. Within a chunk_limit, a text of more
    articles or chunks than it allows raises TooManyChunks (the articles are counted before the text is cleaned, and
    again after: cleaning splits a line glued together by runs of spaces)."""
    check_article_starts(text)
    clean = clean_text(text)
    check_article_starts(clean)
    if reads_as_articles(clean):
        return clean, chunk_regulation(clean, budget)
    return clean, chunk_plan(clean, budget)


def prepare_document(
    task: Task, budget: int, tokenizer: Tokenizer, limits: LoadLimits | None = None
) -> Prepared | FileResult:
    """Load, clean and chunk one file; the index text and BM25 tokens of each chunk. A file that cannot be
    read or has no text gives a failed result, and so does any error while preparing it: one file never
    stops the others."""
    path = task[0]
    doc_id = doc_id_for(readable_path(path))
    try:
        return _prepare(task, budget, tokenizer, limits or LoadLimits())
    except IngestError as exc:
        return FileResult(path, "failed", doc_id, reason=exc.reason)
    except MemoryError:  # this file's failure, not the run's: the memory it took is freed with its objects
        return FileResult(path, "failed", doc_id, reason=_OUT_OF_MEMORY)
    except Exception:  # noqa: BLE001 - the last resort at the per-file boundary
        _log.debug("preparing %s failed", readable_path(path), exc_info=True)
        return FileResult(path, "failed", doc_id, reason=_FAILED)


def _name_note(path: Path, shown: Path) -> str:
    """What the user is told of a path that is not UTF-8: the encoding its name was read in, or that it was read in
    none (its bytes shown as \\xNN), or that a folder above it is so named."""
    _, encoding = name_reading(path.name)
    if encoding is None:
        return (
            f"文件名不是 UTF-8 编码，按 GBK、Big5、Shift-JIS 也都读不通，无法识别的字节显示为 \\x 加两位十六进制数："
            f"“{shown.name}”；建议把文件改名"
        )
    if encoding != "UTF-8":
        return (
            f"文件名不是 UTF-8 编码（常见于 Windows 压缩包解压后），已按 {encoding}识别为“{shown.name}”；建议把文件改名"
        )
    return f"文件所在文件夹的名称不是 UTF-8 编码，已显示为“{shown.parent}”；建议把文件夹改名"


def _prepare(task: Task, budget: int, tokenizer: Tokenizer, limits: LoadLimits) -> Prepared | FileResult:
    path, doc_hash, status, real = task
    shown = readable_path(path)  # the name as text (a GBK name from a Windows archive, decoded)
    doc_id = doc_id_for(shown)
    if str(path.resolve()) != real:
        return FileResult(path, "failed", doc_id, reason=_REPLACED)
    warnings: list[str] = []
    if shown is not path:
        if has_control_chars(path.name):
            warnings.append(f"文件名含有控制字符或文字方向控制符，已显示为“{shown.name}”；建议把文件改名")
        else:
            warnings.append(_name_note(path, shown))
    text = load_file(path, limits, warnings)
    if str(path.resolve()) != real:  # replaced while it was read
        return FileResult(path, "failed", doc_id, reason=_REPLACED)
    try:
        with chunk_limit(limits.max_file_chunks):
            clean, chunks = chunk_document(text, budget)
    except TooManyChunks as exc:
        raise OverLimit(path, exc.reason) from None
    if not chunks:
        return FileResult(path, "failed", doc_id, reason="清洗后没有可入库的正文（可能全是网页模板内容）")
    meta = describe(shown, clean, has_articles=any(c.unit == "article" for c in chunks))
    if len(meta.title) > _TITLE_MAX_CHARS:  # the title goes into every chunk's metadata: one copy each
        warnings.append(f"标题过长（{len(meta.title)} 字），已只取前 {_TITLE_MAX_CHARS} 字；请检查文件开头是否缺少换行")
        meta = dataclasses.replace(meta, title=meta.title[:_TITLE_MAX_CHARS] + "…")
    if problem := future_date_problem(shown, clean, meta):
        return FileResult(path, "failed", doc_id, reason=problem)
    if warnings:
        meta = dataclasses.replace(meta, warnings=(*warnings, *meta.warnings))
    texts = [index_text(c.text, " / ".join(c.heading_path)) for c in chunks]
    tokens = [" ".join(tokenizer.tokens(t)) for t in texts]
    return Prepared(path, meta, doc_hash, chunks, status, texts, tokens, tokenizer.signature)


# in the worker processes
_WORKER_TOKENIZER: Tokenizer | None = None
# the embedder fitted on the corpus (the built-in one): (its class, directory, dim, fitted event)
_WORKER_EMBEDDER: tuple[type[CorpusFittedEmbeddings], Path, int, Any] | None = None
_WORKER_MODEL: CorpusFittedEmbeddings | None = None
_WORKER_SPOOL = Path()
_WORKER_SPOOLED = 0


def _init_worker(
    terms: list[str], embedder: tuple[type[CorpusFittedEmbeddings], Path, int, Any] | None, spool: Path
) -> None:
    global _WORKER_TOKENIZER, _WORKER_EMBEDDER, _WORKER_SPOOL
    # Ctrl+C reaches every process of the terminal's group: the writer stops the workers itself (the pool's
    # terminate). A worker stopped by it printed an English traceback, and one stopped holding the pool's queue
    # lock left the writer waiting for it forever
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # with the built-in embedder the writer (fit, embedding, Chroma) is the critical path once the fit sample is
    # read: the workers run ahead on the CPU time it leaves. With vectors computed later the workers are: the
    # writer waits for them (about half of a scale-corpus ingest), and niced below every other process on a busy
    # machine they stood still while the writer waited
    if embedder is not None and hasattr(os, "nice"):
        os.nice(_WORKER_NICENESS)
    _WORKER_TOKENIZER, _WORKER_EMBEDDER, _WORKER_SPOOL = Tokenizer(terms), embedder, spool


def _fitted_model() -> CorpusFittedEmbeddings | None:
    """The built-in embedder once the writer has fitted it (it sets the event after saving the fit)."""
    global _WORKER_MODEL
    if _WORKER_EMBEDDER is None or not _WORKER_EMBEDDER[3].is_set():
        return None
    if _WORKER_MODEL is None:
        model_class, directory, dim, _ = _WORKER_EMBEDDER
        _WORKER_MODEL = model_class.open(directory, dim)
    return _WORKER_MODEL


def _prepare_in_worker(task: Task, budget: int, limits: LoadLimits | None = None) -> str | FileResult:
    """prepare_document, with the chunks' vectors once the embedder is fitted; a prepared file comes back
    as the name of its spool file."""
    global _WORKER_SPOOLED
    assert _WORKER_TOKENIZER is not None
    item = prepare_document(task, budget, _WORKER_TOKENIZER, limits)
    if isinstance(item, FileResult):
        return item
    model = _fitted_model()
    if model is not None:
        item.vectors, item.fit_id = model.embed_array(item.texts), model.fit_id
    _WORKER_SPOOLED += 1
    spooled = _WORKER_SPOOL / f"{os.getpid()}-{_WORKER_SPOOLED}.pickle"
    with spooled.open("wb") as handle:
        pickle.dump(item, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return str(spooled)


def _embed_in_worker(spooled: str) -> tuple[str, str]:
    """The vectors of a file prepared before the fit, saved beside its spool file: (their file, fit id)."""
    with open(spooled, "rb") as handle:
        item: Prepared = pickle.load(handle)
    model = _fitted_model()
    assert model is not None, "embedding is asked for only after the fit"
    vectors = f"{spooled}.npy"
    np.save(vectors, model.embed_array(item.texts))
    return vectors, model.fit_id


class Preparation:
    """The files' prepared documents (or failed results), in order: in worker processes when there are
    enough files and cores, else in this process. A context manager: it owns the workers and the spool."""

    def __init__(
        self,
        todo: list[Task],
        budget: int,
        tokenizer: Tokenizer,
        terms: list[str],
        model: ArrayEmbeddings,
        spool: Path,
        limits: LoadLimits | None = None,
    ):
        self.todo, self.budget, self.tokenizer, self.terms = todo, budget, tokenizer, terms
        self.limits = limits or LoadLimits()
        self.spool = spool
        self.workers = min(2, os.cpu_count() or 1)
        self._fitted = worker_processes().Event()
        self._embedder = (type(model), model.directory, model.dim, self._fitted) if corpus_fitted(model) else None
        self._pool: Any = None

    def __enter__(self) -> Preparation:
        shutil.rmtree(self.spool, ignore_errors=True)  # what an interrupted run left
        if len(self.todo) >= _PARALLEL_MIN_FILES and self.workers >= 2:
            self.spool.mkdir(parents=True)
            self._pool = worker_processes().Pool(
                self.workers, initializer=_init_worker, initargs=(self.terms, self._embedder, self.spool)
            )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            shutil.rmtree(self.spool, ignore_errors=True)

    def embedder_fitted(self) -> None:
        """From now on the workers embed what they prepare (the built-in embedder's fit is saved)."""
        self._fitted.set()

    def __iter__(self) -> Iterator[Prepared | FileResult]:
        if self._pool is None:
            for task in self.todo:
                yield prepare_document(task, self.budget, self.tokenizer, self.limits)
            return
        upcoming = deque(self.todo)
        pending: deque[tuple[Any, int, Task]] = deque()  # (result, file size, task) of the files handed out
        in_flight_bytes = 0
        while upcoming or pending:
            # hand out files while few enough, in number and in bytes, are ahead of the writer
            while upcoming and (
                not pending
                or (len(pending) < self.workers * _IN_FLIGHT_PER_WORKER and in_flight_bytes < _IN_FLIGHT_BYTES)
            ):
                task = upcoming.popleft()
                size = _size_of(task[0])
                pending.append(
                    (self._pool.apply_async(_prepare_in_worker, (task, self.budget, self.limits)), size, task)
                )
                in_flight_bytes += size
            result, size, task = pending.popleft()
            in_flight_bytes -= size
            try:
                item = self._unspool(result.get())
            except MemoryError:
                item = FileResult(task[0], "failed", doc_id_for(readable_path(task[0])), reason=_OUT_OF_MEMORY)
            except Exception:  # noqa: BLE001 - what escaped the worker (its result not picklable, the spool gone)
                _log.debug("preparing %s in a worker failed", readable_path(task[0]), exc_info=True)
                item = FileResult(task[0], "failed", doc_id_for(readable_path(task[0])), reason=_FAILED)
            yield item

    def _unspool(self, result: str | FileResult) -> Prepared | FileResult:
        if isinstance(result, FileResult):
            return result
        with open(result, "rb") as handle:
            item: Prepared = pickle.load(handle)
        if item.vectors is None and self._embedder is not None:
            item.spool = result  # prepared before the fit: a worker embeds it from there
        else:
            os.unlink(result)
        return item

    def with_vectors(self, items: Iterable[Prepared | FileResult]) -> Iterator[Prepared | FileResult]:
        """The items, those prepared before the fit given their vectors by the workers (a few hundred files
        ahead of the writer). Without workers they pass as they are: the writer embeds them."""
        if self._pool is None or self._embedder is None:
            yield from items
            return
        source = iter(items)
        ahead: deque[tuple[Prepared | FileResult, Any]] = deque()  # (item, its embedding job or None)
        while True:
            while len(ahead) < _EMBED_AHEAD and (item := next(source, None)) is not None:
                spool = item.spool if isinstance(item, Prepared) else ""  # kept only while it has no vectors
                ahead.append((item, self._pool.apply_async(_embed_in_worker, (spool,)) if spool else None))
            if not ahead:
                return
            item, job = ahead.popleft()
            if job is not None:
                assert isinstance(item, Prepared)
                try:
                    vectors, item.fit_id = job.get()
                    item.vectors = np.load(vectors)
                    os.unlink(vectors)
                except MemoryError:  # the writer embeds it (and fails that file alone if memory runs out again)
                    item.vectors, item.fit_id = None, ""
                os.unlink(item.spool)
                item.spool = ""
            yield item


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone: the worker reports it
