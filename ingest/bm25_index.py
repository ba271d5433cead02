"""The lexical index: bm25s over jieba tokens of the normalised chunk text, persisted beside the
vectors. Each build is written to a fresh directory and switched in atomically, so a crash leaves
the previous build usable; tokens are cached per chunk so a rebuild re-segments only new chunks."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import bm25s
import numpy as np

from ingest.tokenizer import Tokenizer

_PARALLEL_THRESHOLD = 4000
_WORKER_TOKENIZER: Tokenizer | None = None


def _init_worker(terms: list[str]) -> None:
    global _WORKER_TOKENIZER
    _WORKER_TOKENIZER = Tokenizer(terms)


def _tokenize_batch(texts: list[str]) -> list[str]:
    assert _WORKER_TOKENIZER is not None
    return [" ".join(_WORKER_TOKENIZER.tokens(t)) for t in texts]


_KEEP_OLD_BUILDS_S = 300.0


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


class TokenCache:
    """chunk id -> space-joined tokens, in SQLite (chunk ids change whenever their text does)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, tokens TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get_many(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with closing(self._connect()) as db:
            for start in range(0, len(ids), 900):
                batch = ids[start:start + 900]
                marks = ",".join("?" * len(batch))
                found.update(db.execute(f"SELECT id, tokens FROM tokens WHERE id IN ({marks})", batch).fetchall())
        return found

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO tokens (id, tokens) VALUES (?, ?)", items)

    def retain(self, ids: set[str]) -> None:
        with closing(self._connect()) as db, db:
            stale = [row[0] for row in db.execute("SELECT id FROM tokens") if row[0] not in ids]
            db.executemany("DELETE FROM tokens WHERE id = ?", [(i,) for i in stale])


class Bm25Index:
    def __init__(self, directory: Path, tokenizer: Tokenizer, terms: list[str]):
        self.directory = directory
        self.tokenizer = tokenizer
        self.terms = terms
        self.cache = TokenCache(directory / f"tokens-{tokenizer.signature}.sqlite")
        self._loaded_build: str | None = None
        self._retriever: bm25s.BM25 | None = None
        self.ids: list[str] = []
        self._doc_codes: np.ndarray = np.array([], dtype=np.int32)
        self._code_of: dict[str, int] = {}
        self._doc_names: list[str] = []
        self._position: dict[str, int] = {}
        self.fingerprint = ""
        self.idf: dict[str, float] = {}  # inverse document frequency of each token, for weighting evidence

    # building
    def _tokens_for(self, items: list[tuple[str, str]]) -> list[list[str]]:
        ids = [i for i, _ in items]
        cached = self.cache.get_many(ids)
        missing = [(i, text) for i, text in items if i not in cached]
        if missing:
            texts = [text for _, text in missing]
            if len(missing) >= _PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
                size = max(500, len(texts) // 16)
                batches = [texts[s:s + size] for s in range(0, len(texts), size)]
                with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1), initializer=_init_worker,
                                         initargs=(self.terms,)) as pool:
                    joined = [t for batch in pool.map(_tokenize_batch, batches) for t in batch]
            else:
                joined = [" ".join(self.tokenizer.tokens(text)) for text in texts]
            fresh = dict(zip([i for i, _ in missing], joined, strict=True))
            self.cache.put_many(fresh.items())
            cached.update(fresh)
        return [cached[i].split(" ") if cached[i] else [] for i in ids]

    def build(self, items: list[tuple[str, str, str]], fingerprint: str) -> None:
        """items: (chunk id, doc id, normalised index text)."""
        corpus_tokens = self._tokens_for([(i, text) for i, _, text in items])
        build_id = uuid.uuid4().hex[:12]
        target = self.directory / f"build-{build_id}"
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        if items:
            retriever.index(corpus_tokens, show_progress=False)
            retriever.save(str(target), show_progress=False)
        else:
            target.mkdir(parents=True)
        document_frequency: Counter[str] = Counter()
        for tokens in corpus_tokens:
            document_frequency.update(set(tokens))
        total = max(len(corpus_tokens), 1)
        idf = {t: round(math.log(1 + (total - n + 0.5) / (n + 0.5)), 4) for t, n in document_frequency.items()}
        (target / "idf.json").write_text(json.dumps(idf, ensure_ascii=False), encoding="utf-8")
        (target / "ids.json").write_text(json.dumps({"fingerprint": fingerprint, "ids": [i for i, _, _ in items],
                                                     "doc_ids": [d for _, d, _ in items]}), encoding="utf-8")
        pointer = self.directory / "CURRENT"
        tmp = self.directory / f"CURRENT.{build_id}.tmp"
        tmp.write_text(target.name, encoding="utf-8")
        os.replace(tmp, pointer)
        for old in self.directory.glob("build-*"):
            # another process may be writing that build or reading it: only remove builds that stopped
            # changing a while ago (a query loads its build within seconds)
            if old.name != target.name and _age(old) > _KEEP_OLD_BUILDS_S:
                shutil.rmtree(old, ignore_errors=True)
        self.cache.retain({i for i, _, _ in items})
        for stale in self.directory.glob("tokens-*.sqlite*"):
            if not stale.name.startswith(self.cache.path.name):
                stale.unlink(missing_ok=True)

    # reading
    def current_fingerprint(self) -> str | None:
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            return None
        ids_file = self.directory / pointer.read_text(encoding="utf-8").strip() / "ids.json"
        if not ids_file.exists():
            return None
        return json.loads(ids_file.read_text(encoding="utf-8"))["fingerprint"]

    def load(self) -> bool:
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            return False
        build = pointer.read_text(encoding="utf-8").strip()
        if build == self._loaded_build:
            return True
        path = self.directory / build
        meta = json.loads((path / "ids.json").read_text(encoding="utf-8"))
        self.ids = meta["ids"]
        names, codes = np.unique(np.array(meta["doc_ids"], dtype=str), return_inverse=True)
        self._doc_codes = codes.astype(np.int32)
        self._code_of = {name: i for i, name in enumerate(names.tolist())}
        self._doc_names = names.tolist()
        self._position = {}
        self.fingerprint = meta["fingerprint"]
        self.idf = json.loads((path / "idf.json").read_text(encoding="utf-8"))
        self._retriever = bm25s.BM25.load(str(path), mmap=False, show_progress=False) if self.ids else None
        self._loaded_build = build
        return True

    def doc_of(self, chunk_id: str) -> str:
        """The document a chunk in this build belongs to ("" when unknown)."""
        if not self._position:
            self._position = {cid: i for i, cid in enumerate(self.ids)}
        position = self._position.get(chunk_id)
        return self._doc_names[self._doc_codes[position]] if position is not None else ""

    def search(self, query_tokens: list[str], k: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        if self._retriever is None or not self.ids:
            return []
        vocab = self._retriever.vocab_dict
        tokens = [t for t in query_tokens if t in vocab]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        if allowed_docs is not None:
            allowed = [self._code_of[d] for d in allowed_docs if d in self._code_of]
            scores = np.where(np.isin(self._doc_codes, allowed), scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
