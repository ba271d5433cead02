"""What every tab shares: the settings, the one opened knowledge base (read by every question), the
writes (ingest, delete, confirm), which run one at a time in a worker process so that questions go on
meanwhile, and the header line."""

from __future__ import annotations

import functools
import inspect
import logging
import multiprocessing
import queue
import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from functools import cached_property
from pathlib import Path

import gradio as gr

from assistant.ask import Assistant
from assistant.faults import UserFacingError, user_message
from assistant.llm import composer_label, resolve_composer
from assistant.retrieval.reranker import reranker_label
from assistant.web.admin import AdminGuard
from assistant.web.server_paths import hide_server_paths
from assistant.web.writer import write_in_worker
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import KINDS
from ingest.settings import Settings

_ASSISTANT_CACHE = 16
log = logging.getLogger("anquan.web")


def friendly_errors(action: str, settings: Settings | None = None):
    """A failure in a handler reaches the user as a Chinese message saying what to do (a full disk, a
    read-only data directory …), or that the server's log holds the traceback; never as a traceback, and never
    naming a path of the server (server_paths)."""

    def explain(exc: Exception) -> gr.Error:
        log.warning("%s failed: %r", action, exc)
        known = settings or _settings_or_none()
        return gr.Error(hide_server_paths(user_message(exc, known, action), known), title="出错了")

    def decorate(fn):
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def streaming(*args, **kwargs):
                try:
                    refuse_invalid_text(args, kwargs)
                    yield from fn(*args, **kwargs)
                except gr.Error:
                    raise
                except Exception as exc:
                    raise explain(exc) from exc

            return streaming

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                refuse_invalid_text(args, kwargs)
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise explain(exc) from exc

        return wrapper

    return decorate


INVALID_TEXT = (
    "输入中含有无效的字符（不成对的 UTF-16 代理码位，如 \\ud800，不是有效的文字，可能是客户端的编码有误），没有处理；"
    "请删去这些字符，或检查调用程序的文字编码后重试。"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_invalid_text(*values: object) -> None:
    """gr.Error (INVALID_TEXT) when any text among values (in lists, tuples and dicts too) holds a lone surrogate:
    JSON lets a client send "\\ud800", Python keeps it in the string, and it failed the first library that
    encodes the text (OpenCC: UnicodeEncodeError, told as an unexpected error). A browser never sends one."""
    todo = list(values)
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                raise gr.Error(INVALID_TEXT, title="输入有误", print_exception=False)
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())


def _settings_or_none() -> Settings | None:
    try:
        return Settings()
    except Exception:  # noqa: BLE001 - a broken configuration is itself what is being reported
        return None


class WorkerFailed(UserFacingError):
    """A write in the worker process failed; the message (Chinese) says why and what to do."""


_WORKERS = None


def _workers():
    """The process context writes run in: a fork server that has imported the pipeline once (a fresh
    interpreter would spend seconds on imports per write; forking the web process itself, with its
    threads, is unsafe). The write's target lives in assistant.web.writer, which imports no Gradio."""
    global _WORKERS
    if _WORKERS is None:
        _WORKERS = multiprocessing.get_context("forkserver")
        _WORKERS.set_forkserver_preload(["ingest.pipeline", "assistant.web.writer"])
    return _WORKERS


class WebContext:
    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None):
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        # the administrator password's throttling (made here, not at first use: concurrent first guesses share it)
        self.admin_guard = AdminGuard(settings.admin_password, settings) if settings.admin_password else None
        # writes (ingest, delete, confirm) of this process, one at a time; questions never take it
        self.lock = threading.RLock()
        self._assistants: dict[tuple, Assistant] = {}
        # downloads (self-check Excel, drafts): a temp folder made at the first export, removed by close(),
        # when the context is collected or when the process exits
        self._exports: Path | None = None
        self._exports_removal: weakref.finalize | None = None
        self._exports_lock = threading.Lock()
        # anquan serve's background thread computing the vectors the committed chunks lack (neural embedders)
        self.vectors_thread: threading.Thread | None = None
        self._vectors_stop: threading.Event | None = None

    def start_background_vectors(self) -> bool:
        """Compute the missing vectors in a daemon thread while questions are answered (ingest.vector_builder):
        with a neural embedder, a writable data directory and settings.vector_serve_background. Returns whether
        it runs."""
        from ingest.vector_builder import start_background, vectors_later

        if self.vectors_thread is None and (
            self.settings.vector_serve_background and not self.kb.read_only and vectors_later(self.kb)
        ):
            self.vectors_thread, self._vectors_stop = start_background(self.kb)
        return self.vectors_thread is not None

    def stop_background_vectors(self, timeout: float | None = None) -> None:
        if self._vectors_stop is not None and self.vectors_thread is not None:
            self._vectors_stop.set()
            self.vectors_thread.join(timeout)
            self.vectors_thread = self._vectors_stop = None

    def write(self, method: str, *args, progress=None, **kwargs):
        """Ingestor(settings).<method>(*args, **kwargs) (run, remove, confirm …) in a worker process, one
        write at a time, and its report. Questions meanwhile read the knowledge base as committed so far:
        a write in this process would hold the GIL and share the index objects every question reads.
        Raises IngestBusy when another ingest holds the data directory, UserFacingError for anything else."""
        from ingest.pipeline import IngestBusy

        self.kb.require_writable()
        with self.lock:
            context = _workers()
            results = context.Queue()
            # not a daemon: the ingest starts worker processes of its own
            worker = context.Process(target=write_in_worker, args=(self.settings, method, args, kwargs, results))
            worker.start()
            deadline = time.monotonic() + self.settings.web_ingest_timeout
            try:
                while True:
                    try:
                        message = results.get(timeout=0.5)
                    except queue.Empty:
                        if time.monotonic() > deadline:
                            raise WorkerFailed(
                                f"导入超过 {self.settings.web_ingest_timeout:g} 秒仍未完成，已停止；"
                                f"已入库的内容不受影响。请分批导入，或调大 ANQUAN_WEB_INGEST_TIMEOUT。"
                            ) from None
                        if not worker.is_alive() and results.empty():
                            raise WorkerFailed(
                                f"导入进程意外退出（退出码 {worker.exitcode}），未能完成；已入库的内容"
                                f"不受影响。请重试；如反复出现，请把服务器日志交给管理员。"
                            ) from None
                        continue
                    if message[0] == "progress":
                        if progress is not None:
                            progress(*message[1:])
                        continue
                    if message[0] == "busy":
                        busy = IngestBusy.__new__(IngestBusy)
                        Exception.__init__(busy, message[1])
                        raise busy
                    if message[0] == "failed":
                        raise WorkerFailed(message[1])
                    return message[1]
            finally:
                if worker.is_alive():
                    worker.join(5)
                if worker.is_alive():
                    worker.kill()
                    worker.join()
                self.kb.store.invalidate()  # read what the worker committed at once, not after the cache expires

    def export_path(self, filename: str) -> Path:
        """A fresh place for a file the user downloads (one folder per export, so names stay readable)."""
        with self._exports_lock:
            if self._exports is None:
                self._exports = Path(tempfile.mkdtemp(prefix="anquan-web-"))
                self._exports_removal = weakref.finalize(self, shutil.rmtree, self._exports, ignore_errors=True)
            folder = self._exports / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        return folder / filename

    def close(self) -> None:
        """Stop the background vectors and remove the exports folder (when the server closes)."""
        self.stop_background_vectors(timeout=5)
        with self._exports_lock:
            if self._exports_removal is not None:
                self._exports_removal()
            self._exports = self._exports_removal = None

    @cached_property
    def llm(self):
        """One LLM composer for the app when the composer is llm (an endpoint is configured), else None (offline)."""
        return resolve_composer(self.settings)

    def assistant(
        self, current_only: bool = True, kinds: list[str] | None = None, regions: list[str] | None = None
    ) -> Assistant:
        """An Assistant for these filters (built once per combination: the retriever holds a reranker)."""
        key = (current_only, tuple(sorted(kinds or [])), tuple(sorted(regions or [])))
        if key not in self._assistants:
            if len(self._assistants) >= _ASSISTANT_CACHE:
                self._assistants.pop(next(iter(self._assistants)))
            self._assistants[key] = Assistant(
                self.kb,
                include_superseded=not current_only,
                llm=self.llm,
                kinds=list(kinds or []) or None,
                regions=list(regions or []) or None,
            )
        return self._assistants[key]

    # what the header and the 知识库 tab show
    @property
    def mode(self) -> str:
        return composer_label(self.settings)

    @property
    def store_label(self) -> str:
        return "服务器" if self.kb.store.is_server else "本地"

    def header(self) -> str:
        from ingest.vector_builder import coverage

        records = self.kb.documents()
        current = sum(1 for r in records.values() if r.in_force)
        interrupted = self.kb.refit_interrupted()  # a refit of the built-in embedder killed half-way
        return self.said(
            f"模式：**{self.mode}**　·　向量：{self.kb.embedder.name}　·　重排：{reranker_label(self.settings)}"
            f"　·　知识库：**{self.store_label}**（{current} 个现行文档，"
            f"{len(records)} 个文档共 {sum(r.chunk_count for r in records.values())} 个切块）　·　{coverage(self.kb)}"
            + ("（上次更新向量时中断，暂只按词语检索；再导入一次即可恢复）" if interrupted else "")
        )

    def said(self, text: str) -> str:
        """text as the web may show it: without a path of the server (server_paths)."""
        return hide_server_paths(text, self.settings)

    def kinds(self) -> list[str]:
        present = {r.kind for r in self.kb.documents().values()}
        return [k for k in KINDS if k in present] or list(KINDS)

    def regions(self) -> list[str]:
        present = sorted({r.region for r in self.kb.documents().values() if r.region})
        return (["全国"] if "全国" in present else []) + [r for r in present if r != "全国"]
