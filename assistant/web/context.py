"""What every tab shares: the settings, the one opened knowledge base, a lock that keeps writes
(ingest, delete) and reads apart within this process, and the header line."""

from __future__ import annotations

import functools
import inspect
import logging
import tempfile
import threading
import uuid
from functools import cached_property
from pathlib import Path

import gradio as gr

from assistant.ask import Assistant
from assistant.llm import llm_label
from assistant.settings import Settings
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import KINDS

_ASSISTANT_CACHE = 16
log = logging.getLogger("anquan.web")


def friendly_errors(action: str):
    """An unexpected failure in a handler reaches the user as a Chinese message, the traceback the log."""

    def explain(exc: Exception) -> gr.Error:
        log.exception("%s failed", action)
        return gr.Error(f"{action}时出错：{exc}。请稍后重试；如反复出现，请把服务器日志交给管理员。", title="出错了")

    def decorate(fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def streaming(*args, **kwargs):
                try:
                    yield from fn(*args, **kwargs)
                except gr.Error:
                    raise
                except Exception as exc:
                    raise explain(exc) from exc

            return streaming

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:
                raise explain(exc) from exc

        return wrapper

    return decorate


class WebContext:
    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None):
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        self.lock = threading.RLock()
        self._assistants: dict[tuple, Assistant] = {}
        self._exports = Path(tempfile.mkdtemp(prefix="anquan-web-"))

    def export_path(self, filename: str) -> Path:
        """A fresh place for a file the user downloads (one folder per export, so names stay readable)."""
        folder = self._exports / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        return folder / filename

    @cached_property
    def llm(self):
        """One LLM composer for the app when an endpoint is configured, else None (offline)."""
        if not self.settings.llm_base_url:
            return None
        from assistant.llm import LlmComposer

        return LlmComposer(self.settings)

    def assistant(self, current_only: bool = True, kinds: list[str] | None = None,
                  regions: list[str] | None = None) -> Assistant:
        """An Assistant for these filters (built once per combination: the retriever holds a reranker)."""
        key = (current_only, tuple(sorted(kinds or [])), tuple(sorted(regions or [])))
        if key not in self._assistants:
            if len(self._assistants) >= _ASSISTANT_CACHE:
                self._assistants.pop(next(iter(self._assistants)))
            self._assistants[key] = Assistant(self.kb, include_superseded=not current_only, llm=self.llm,
                                              kinds=list(kinds or []) or None, regions=list(regions or []) or None)
        return self._assistants[key]

    # what the header and the 知识库 tab show
    @property
    def mode(self) -> str:
        if self.settings.llm_base_url:
            return llm_label(self.settings)
        return "离线"

    @property
    def store_label(self) -> str:
        return "服务器" if self.kb.store.is_server else "本地"

    def header(self) -> str:
        records = self.kb.documents()
        current = sum(1 for r in records.values() if r.in_force)
        return (f"模式：**{self.mode}**　·　知识库：**{self.store_label}**（{current} 个现行文档，"
                f"{len(records)} 个文档共 {sum(r.chunk_count for r in records.values())} 个切块）")

    def kinds(self) -> list[str]:
        present = {r.kind for r in self.kb.documents().values()}
        return [k for k in KINDS if k in present] or list(KINDS)

    def regions(self) -> list[str]:
        present = sorted({r.region for r in self.kb.documents().values() if r.region})
        return (["全国"] if "全国" in present else []) + [r for r in present if r != "全国"]
