"""Neural vectors kept by model and text hash in one SQLite file, and the embedder base that uses it: a text is
never embedded twice, whichever data directory or re-ingest asks for it again, and an interrupted run keeps
every vector it had computed.

The cache is only a cache: when its file cannot be opened, read or written (damaged, a directory, on a full or
read-only disk), a warning naming it is given once and the vectors are computed without it (and not kept);
an ingest or an embed never fails because of it."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ingest.embedders.base import ArrayEmbeddings

PROGRESS_MIN = 64  # a progress bar is shown when at least this many texts must be computed
SAVE_EVERY = 128  # computed vectors are written to the cache this many at a time


log = logging.getLogger(__name__)
_WARNED: set[str] = set()  # cache files already warned about in this process
_WARNED_LOCK = threading.Lock()


def _why(exc: BaseException, path: Path) -> str:
    text = str(exc).lower()
    if path.is_dir():
        return "是一个文件夹而不是缓存文件"
    if "malformed" in text or "not a database" in text:
        return "已损坏"
    if "disk is full" in text or getattr(exc, "errno", None) == 28:
        return "所在磁盘已满"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return "不可写"
    if "locked" in text:
        return "被其他程序长时间锁定"
    return f"无法打开或读写（{exc}）"


class VectorCache:
    """Vectors by (model, sha1 of text) in one SQLite file; safe to share between processes. Unusable (see the
    module), it warns once and behaves as an empty cache that keeps nothing."""

    def __init__(self, path: Path, model: str):
        self.path, self.model = path, model
        self.usable = True
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))"
                )
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60)
            self._local.db = db
        return db

    def _give_up(self, exc: BaseException) -> None:
        """Stop using the cache (in this process, for this file) and say so once."""
        self.usable = False
        db = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            try:
                db.close()
            except sqlite3.Error:
                pass
        with _WARNED_LOCK:
            if str(self.path) in _WARNED:
                return
            _WARNED.add(str(self.path))
        what = "文件夹" if self.path.is_dir() else "文件"
        log.warning(
            "向量缓存 %s %s，本次已不使用缓存：向量照常计算，只是不会保存以便下次复用。"
            "可删除该%s（下次会重建缓存），或用 ANQUAN_VECTOR_CACHE 指定另一个可写的位置。",
            self.path,
            _why(exc, self.path),
            what,
        )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, keys: list[str], dim: int | None = None) -> dict[str, np.ndarray]:
        """The cached vectors of these keys (of dim numbers each when given: a damaged row is left out)."""
        found: dict[str, np.ndarray] = {}
        if not self.usable:
            return found
        try:
            db = self._connect()
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                rows = db.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({','.join('?' * len(part))})",
                    [self.model, *part],
                ).fetchall()
                for h, v in rows:
                    if isinstance(v, bytes) and len(v) % 4 == 0 and (dim is None or len(v) == 4 * dim):
                        found[h] = np.frombuffer(v, dtype=np.float32)
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)
            return {}
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        if not self.usable:
            return
        try:
            db = self._connect()
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [(self.model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
                )
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)


class _Steps:
    """A progress bar's update() that calls back instead."""

    def __init__(self, callback: Callable[[int], None]):
        self.update = callback


class CachedEmbeddings(ArrayEmbeddings):
    """A neural embedder whose passage vectors go through a VectorCache. Subclasses set ``name`` and ``dim``
    and compute vectors in ``_compute`` (passages) and ``embed_query_array`` (a question, never cached: a
    write per question would sit on the answer's hot path)."""

    name: str
    dim: int
    cache: VectorCache | None = None
    label = "计算向量"  # the progress bar's title

    def _compute(self, texts: list[str], bar=None) -> np.ndarray:
        raise NotImplementedError

    def embed_query_array(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def embed_array(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """The passages' vectors. progress: called with the number of texts computed at each step, instead of
        the progress bar shown on stderr for a long computation."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [VectorCache.key(t) for t in texts]
        known = self.cache.get(list(dict.fromkeys(keys)), getattr(self, "dim", None)) if self.cache else {}
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        text_of = dict(zip(keys, texts, strict=True))
        bar: Any = None
        if progress is not None:
            bar = _Steps(progress)
        elif len(todo) >= PROGRESS_MIN:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc=self.label, unit="块", file=sys.stderr, disable=None)
        try:
            for start in range(0, len(todo), SAVE_EVERY):  # saved as it goes: an interrupted run keeps its work
                part = todo[start : start + SAVE_EVERY]
                fresh = dict(zip(part, self._compute([text_of[k] for k in part], bar), strict=True))
                if self.cache:
                    self.cache.put(fresh)
                known.update(fresh)
        finally:
            if bar is not None and progress is None:
                bar.close()
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()
