"""The lexical index: bm25s over jieba tokens of the normalised chunk text, persisted beside the
vectors. Each build is written to a fresh directory and switched in atomically, so a crash leaves
the previous build usable; tokens are cached per chunk (the ingest fills the cache as it writes), so a
rebuild re-segments only chunks it has never seen. Builds are loaded memory-mapped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import threading
import time
import uuid
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.workers import worker_processes

_PARALLEL_THRESHOLD = 4000
_K1, _B = 1.2, 0.75
# The evidence weights (idf.json) count at least this many passages: in a library of one or two passages every word
# is in most of them, which would make every word "common" and leave a question no content word to be answered on
# (a user's first import of one file was never answered); the passages not there are taken to lack the word.
IDF_MIN_PASSAGES = 10
RECENT_SCORES = 4  # score vectors kept (one question asks for two or three token lists, each more than once)
_POSTINGS = "postings.npz"  # each chunk's term ids and counts, reused by the next build
_FINGERPRINT = "fingerprint.txt"  # also in ids.json; read alone, it is cheap to check before every query
_WORKER_TOKENIZER: Tokenizer | None = None


def _init_worker(terms: list[str]) -> None:
    global _WORKER_TOKENIZER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle (as ingest.preparation's workers)
    _WORKER_TOKENIZER = Tokenizer(terms)


def _tokenize_batch(texts: list[str]) -> list[str]:
    assert _WORKER_TOKENIZER is not None
    return [" ".join(_WORKER_TOKENIZER.tokens(t)) for t in texts]


_KEEP_OLD_BUILDS_S = 300.0


class Bm25Damaged(Exception):
    """A file of the current build cannot be read. The index is derived from the store: it is built anew."""

    def __init__(self, build: Path, cause: BaseException):
        super().__init__(f"{build}: {type(cause).__name__}: {cause}")
        self.build = build


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


_LOCK_TIMEOUT_S = 60


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the database in WAL mode (readers do not wait for the writer; the mode stays set in the file).
    Switching needs the file to itself, and SQLite answers "locked" at once, without waiting, while
    another process opens it too (an ask and an ingest creating the cache together): try again."""
    deadline = time.monotonic() + _LOCK_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class TokenCache:
    """chunk id -> space-joined tokens, in SQLite (chunk ids change whenever their text does). What this
    process put since the last build is also kept in memory, so the build after an ingest does not read
    it back."""

    def __init__(self, path: Path):
        self.path = path
        self._recent: dict[str, str] = {}
        self._created = False  # created on first use: a reader (an ask) never writes it, nor needs a writable dir

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._create_table()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise  # locked, read-only, disk full: not the file's content (assistant.faults says what to do)
            # not a database (garbage, a damaged copy): it only caches tokens, so it is started anew instead of
            # every question and import failing
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._create_table()
        self._created = True

    def _create_table(self) -> None:
        with closing(sqlite3.connect(self.path, timeout=_LOCK_TIMEOUT_S)) as db:
            _use_wal(db)
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, tokens TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        if not self._created:
            self._create()
        return sqlite3.connect(self.path, timeout=_LOCK_TIMEOUT_S)

    def get_many(self, ids: list[str]) -> dict[str, str]:
        found = {i: self._recent[i] for i in ids if i in self._recent}
        ids = [i for i in ids if i not in found]
        with closing(self._connect()) as db:
            for start in range(0, len(ids), 900):
                batch = ids[start : start + 900]
                marks = ",".join("?" * len(batch))
                found.update(db.execute(f"SELECT id, tokens FROM tokens WHERE id IN ({marks})", batch).fetchall())
        return found

    def put_many(self, items: Iterable[tuple[str, str]]) -> None:
        items = list(items)
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO tokens (id, tokens) VALUES (?, ?)", items)
        self._recent.update(items)

    def forget_recent(self) -> None:
        self._recent.clear()

    def retain(self, ids: set[str]) -> None:
        with closing(self._connect()) as db, db:
            stale = [row[0] for row in db.execute("SELECT id FROM tokens") if row[0] not in ids]
            db.executemany("DELETE FROM tokens WHERE id = ?", [(i,) for i in stale])


def tokenize_in_parallel(texts: list[str], terms: list[str], workers: int) -> list[str]:
    """Space-joined tokens of normalised texts, segmented in worker processes with the same dictionary."""
    size = max(500, len(texts) // (8 * workers))
    batches = [texts[s : s + size] for s in range(0, len(texts), size)]
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=worker_processes(), initializer=_init_worker, initargs=(terms,)
    ) as pool:
        return [t for batch in pool.map(_tokenize_batch, batches) for t in batch]


def _csc(scores: np.ndarray, rows: np.ndarray, columns: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """The score matrix (chunk rows, term columns) in the compressed sparse column form bm25s keeps: what
    scipy.sparse.csc_matrix((scores, (rows, columns))) holds (a chunk's term appears once), with numpy alone."""
    index = np.int32 if max(len(scores), int(rows.max(initial=0)) + 1, width) < 2**31 else np.int64
    by_column = np.lexsort((rows, columns))  # by term, then by chunk
    pointers = np.concatenate([[0], np.cumsum(np.bincount(columns, minlength=width))])
    return {
        "data": scores[by_column].astype(np.float32),
        "indices": rows[by_column].astype(index),
        "indptr": pointers.astype(index),
    }


class Bm25Index:
    def __init__(
        self,
        directory: Path,
        tokenizer: Tokenizer,
        terms: list[str],
        filters_kept: int = Settings.model_fields["bm25_filters_kept"].default,
    ):
        self.directory = directory
        self.filters_kept = filters_kept
        self.tokenizer = tokenizer
        self.terms = terms
        self.cache = TokenCache(directory / f"tokens-{tokenizer.signature}.sqlite")
        self._loaded_build: str | None = None
        self._retriever: bm25s.BM25 | None = None
        self.ids: list[str] = []
        self._doc_codes: np.ndarray = np.array([], dtype=np.int32)
        self._code_of: dict[str, int] = {}
        self._doc_names: list[str] = []
        self.fingerprint = ""
        self.idf: dict[str, float] = {}  # inverse document frequency of each token, for weighting evidence
        # (build, query tokens) -> scores of the last few queries: one question's lists and its candidates' scores
        # ask for the same few (as written, with the legal terms) more than once
        self._recent: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()
        # threads of one process (the web UI) search while one of them loads a new build: a search sees one build
        self._reading = threading.Lock()
        self._state = _Build()

    # building
    def _tokens_for(self, ids: list[str], fetch: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
        """Space-joined tokens of each chunk: from the cache, else segmented from the text fetch() returns
        (chunks fetch() does not know are left out)."""
        cached = self.cache.get_many(ids)
        missing = [i for i in ids if i not in cached]
        if missing:
            texts = fetch(missing)
            found = [i for i in missing if i in texts]
            batch = [texts[i] for i in found]
            workers = min(2, os.cpu_count() or 1)
            if len(batch) >= _PARALLEL_THRESHOLD and workers > 1:
                joined = tokenize_in_parallel(batch, self.terms, workers)
            else:
                joined = [" ".join(self.tokenizer.tokens(text)) for text in batch]
            fresh = dict(zip(found, joined, strict=True))
            self.cache.put_many(fresh.items())
            cached.update(fresh)
        return {i: cached[i] for i in ids if i in cached}

    def _previous_postings(self) -> tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
        """The current build's (chunk id -> row, vocabulary, row pointers, term ids, term counts), when it
        was made with this segmentation; empty otherwise."""
        empty: tuple[dict[str, int], dict[str, int], np.ndarray, np.ndarray, np.ndarray]
        empty = ({}, {}, np.zeros(1, dtype=np.int64), np.array([], dtype=np.int32), np.array([], dtype=np.int32))
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            return empty
        try:
            path = self.directory / pointer.read_text(encoding="utf-8").strip()  # garbage there: no usable build
            meta = json.loads((path / "ids.json").read_text(encoding="utf-8"))
            if meta.get("segmentation") != self.tokenizer.signature:
                return empty
            with np.load(path / _POSTINGS) as stored:  # read whole here: a damaged archive fails here, not later
                postings = {name: stored[name] for name in ("rows", "terms", "counts")}
            vocab = json.loads((path / "vocab.index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, AttributeError, EOFError, zipfile.BadZipFile):
            return empty
        rows = {cid: n for n, cid in enumerate(meta["ids"])}
        return rows, vocab, postings["rows"], postings["terms"], postings["counts"]

    @staticmethod
    def _count_terms(joined: list[str], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Postings of chunks given as space-joined tokens: (term ids, counts, postings per chunk), each
        chunk's terms in id order; new terms are added to vocab in order of first occurrence."""
        tokens = " ".join(t for t in joined if t).split(" ") if any(joined) else []
        for term in dict.fromkeys(tokens):  # the distinct tokens, in order of first occurrence
            vocab.setdefault(term, len(vocab))
        term_ids = np.fromiter(map(vocab.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        per_chunk = np.fromiter((t.count(" ") + 1 if t else 0 for t in joined), dtype=np.int64, count=len(joined))
        pairs = np.repeat(np.arange(len(joined), dtype=np.int64), per_chunk) * (len(vocab) + 1) + term_ids
        distinct, counts = np.unique(pairs, return_counts=True)
        chunk_of = distinct // (len(vocab) + 1)
        return (
            (distinct % (len(vocab) + 1)).astype(np.int32),
            counts.astype(np.int32),
            np.bincount(chunk_of, minlength=len(joined)).astype(np.int64),
        )

    def build(
        self, chunks: list[tuple[str, str]], fingerprint: str, fetch: Callable[[list[str]], dict[str, str]]
    ) -> None:
        """chunks: (chunk id, doc id), sorted by id; fetch(ids) -> normalised index text of chunks whose
        tokens are neither in the current build nor cached.

        The BM25 matrix (bm25s's Lucene variant, k1=1.2, b=0.75) is computed with numpy from each chunk's
        term counts; the counts of chunks already in the current build are reused, so a rebuild after a
        small change segments and counts only the new chunks."""
        rows, vocab, old_rows, old_terms, old_counts = self._previous_postings()
        fresh = self._tokens_for([i for i, _ in chunks if i not in rows], fetch)
        chunks = [(i, d) for i, d in chunks if i in rows or i in fresh]
        # each new row is a run of postings in a pool: the previous build's, then the fresh chunks'
        starts = np.empty(len(chunks), dtype=np.int64)
        lengths = np.empty(len(chunks), dtype=np.int64)
        fresh_rows = [n for n, (chunk, _) in enumerate(chunks) if chunk not in rows]
        for n, (chunk, _) in enumerate(chunks):
            row = rows.get(chunk)
            if row is not None:
                starts[n], lengths[n] = old_rows[row], old_rows[row + 1] - old_rows[row]
        new_terms, new_counts, new_lengths = self._count_terms([fresh[chunks[n][0]] for n in fresh_rows], vocab)
        lengths[fresh_rows] = new_lengths
        starts[fresh_rows] = len(old_terms) + np.concatenate([[0], np.cumsum(new_lengths)[:-1]]).astype(np.int64)
        del fresh
        vocab.setdefault("", len(vocab))  # bm25s keeps an empty token
        row_pointers = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        gather = np.repeat(starts - row_pointers[:-1], lengths) + np.arange(row_pointers[-1], dtype=np.int64)
        terms = np.concatenate([old_terms.astype(np.int32), new_terms])[gather]
        counts = np.concatenate([old_counts.astype(np.int32), new_counts])[gather]
        del new_terms, new_counts, gather
        build_id = uuid.uuid4().hex[:12]
        target = self.directory / f"build-{build_id}"
        tmp = self.directory / f"CURRENT.{build_id}.tmp"
        try:
            target.mkdir(parents=True)
            idf: dict[str, float] = {}
            if chunks:
                total = len(chunks)
                doc_of_posting = np.repeat(np.arange(total, dtype=np.int32), lengths)
                doc_length = np.bincount(doc_of_posting, weights=counts, minlength=total)
                frequency = np.bincount(terms, minlength=len(vocab)).astype(np.float64)
                weights = np.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
                tf = counts.astype(np.float64)
                norm = _K1 * ((1 - _B) + _B * doc_length[doc_of_posting] / doc_length.mean())
                scores = (weights[terms] * tf / (norm + tf)).astype(np.float32)
                retriever = bm25s.BM25(k1=_K1, b=_B)
                retriever.scores = {**_csc(scores, doc_of_posting, terms, len(vocab)), "num_docs": total}
                retriever.vocab_dict = vocab
                retriever.nonoccurrence_array = None  # only BM25L and BM25+ use it
                retriever.save(str(target), show_progress=False)
                counted = max(total, IDF_MIN_PASSAGES)
                rounded = np.round(np.log(1 + (counted - frequency + 0.5) / (frequency + 0.5)), 4)
                idf = {t: float(rounded[n]) for t, n in vocab.items() if t and frequency[n] > 0}
            np.savez(target / _POSTINGS, rows=row_pointers, terms=terms, counts=counts)
            (target / "idf.json").write_text(json.dumps(idf, ensure_ascii=False), encoding="utf-8")
            (target / _FINGERPRINT).write_text(fingerprint, encoding="utf-8")
            (target / "ids.json").write_text(
                json.dumps(
                    {
                        "fingerprint": fingerprint,
                        "segmentation": self.tokenizer.signature,
                        "ids": [i for i, _ in chunks],
                        "doc_ids": [d for _, d in chunks],
                    }
                ),
                encoding="utf-8",
            )
            pointer = self.directory / "CURRENT"
            tmp.write_text(target.name, encoding="utf-8")
            os.replace(tmp, pointer)
        except BaseException:  # a full disk or an interruption: leave no partial build behind
            shutil.rmtree(target, ignore_errors=True)
            tmp.unlink(missing_ok=True)
            raise
        for old in self.directory.glob("build-*"):
            # another process may be writing that build or reading it: only remove builds that stopped
            # changing a while ago (a query loads its build within seconds)
            if old.name != target.name and _age(old) > _KEEP_OLD_BUILDS_S:
                shutil.rmtree(old, ignore_errors=True)
        self.cache.retain({i for i, _ in chunks})
        self.cache.forget_recent()
        for stale in self.directory.glob("tokens-*.sqlite*"):
            if not stale.name.startswith(self.cache.path.name):
                stale.unlink(missing_ok=True)

    # reading
    def current_fingerprint(self) -> str | None:
        """The fingerprint of the current build; None when there is none, or when its files cannot be read (damaged
        by a disk fault or an incomplete copy): the index is derived from the store, so it is built anew."""
        try:
            return self._current_fingerprint()
        except (ValueError, KeyError, TypeError, IsADirectoryError, NotADirectoryError):  # UnicodeDecodeError too
            return None

    def _current_fingerprint(self) -> str | None:
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            return None
        build = self.directory / pointer.read_text(encoding="utf-8").strip()
        if build.name == self._loaded_build:
            return self.fingerprint
        small = build / _FINGERPRINT
        if small.exists():
            return small.read_text(encoding="utf-8").strip()
        ids_file = build / "ids.json"  # a build made before the fingerprint had its own file
        if not ids_file.exists():
            return None
        return json.loads(ids_file.read_text(encoding="utf-8"))["fingerprint"]

    def load(self) -> bool:
        """Load the current build (when it changed since the last call). Searches running in other threads
        meanwhile finish on the build they started with: each reads one snapshot (_Build) of it."""
        pointer = self.directory / "CURRENT"
        try:
            build = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return False
        if build == self._loaded_build:
            return True
        with self._reading:  # one thread loads it; the others wait for it rather than load it again
            if build != self._loaded_build:
                self._load(build)
        return True

    def _load(self, build: str) -> None:
        path = self.directory / build
        try:
            meta = json.loads((path / "ids.json").read_text(encoding="utf-8"))
            ids = meta["ids"]
            names, codes = np.unique(np.array(meta["doc_ids"], dtype=str), return_inverse=True)
            idf = json.loads((path / "idf.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(path), mmap=True, show_progress=False) if ids else None
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:  # JSONDecodeError too
            # a file of the build truncated or overwritten (a disk fault, an incomplete copy or backup)
            raise Bm25Damaged(path, exc) from exc
        state = _Build(
            build,
            ids,
            codes.astype(np.int32),
            {name: i for i, name in enumerate(names.tolist())},
            names.tolist(),
            retriever,
        )
        # the attributes other modules read, then the snapshot searches read (one assignment)
        self.ids, self._doc_codes, self._code_of, self._doc_names = ids, state.doc_codes, state.code_of, state.doc_names
        self._retriever, self.fingerprint, self.idf = retriever, meta["fingerprint"], idf
        self._state = state
        self._loaded_build = build

    def doc_of(self, chunk_id: str) -> str:
        """The document a chunk in this build belongs to ("" when unknown)."""
        state = self._state
        position = state.positions().get(chunk_id)
        return state.doc_names[state.doc_codes[position]] if position is not None else ""

    def _scores(self, state: _Build, retriever: bm25s.BM25, tokens: list[str]):
        """BM25 scores of every chunk (by the build's retriever); the last RECENT_SCORES queries' are kept."""
        key = (state.name, tuple(tokens))
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        scores = retriever.get_scores(tokens)
        with self._recent_lock:
            self._recent[key] = scores
            while len(self._recent) > RECENT_SCORES:
                self._recent.popitem(last=False)
        return scores

    def scores_of(self, query_tokens: list[str], chunk_ids: list[str]) -> list[float]:
        """The BM25 scores of these chunks for the query (0 for a chunk not in this build)."""
        state = self._state
        if state.retriever is None or not state.ids:
            return [0.0] * len(chunk_ids)
        tokens = [t for t in query_tokens if t in state.retriever.vocab_dict]
        if not tokens:
            return [0.0] * len(chunk_ids)
        position = state.positions()
        scores = self._scores(state, state.retriever, tokens)
        return [float(scores[position[c]]) if c in position else 0.0 for c in chunk_ids]

    def search(self, query_tokens: list[str], k: int, allowed_docs: set[str] | None = None) -> list[tuple[str, float]]:
        state = self._state
        if state.retriever is None or not state.ids:
            return []
        vocab = state.retriever.vocab_dict
        tokens = [t for t in query_tokens if t in vocab]
        if not tokens:
            return []
        scores = self._scores(state, state.retriever, tokens)
        if allowed_docs is not None:
            scores = np.where(state.rows_of(frozenset(allowed_docs), self.filters_kept), scores, 0.0)
        k = min(k, len(scores))
        kth = -np.partition(-scores, k - 1)[k - 1]
        top = np.nonzero(scores >= max(kth, 1e-12))[
            0
        ]  # every chunk tied with the k-th, so ties are broken the same way
        # in every build (by chunk id), whatever order this build holds the chunks in
        ranked = sorted(top.tolist(), key=lambda i: (-scores[i], state.ids[i]))[:k]
        return [(state.ids[i], float(scores[i])) for i in ranked if scores[i] > 0]


@dataclass
class _Build:
    """One loaded build, as a search reads it (never changed once made; a new build is a new _Build)."""

    name: str = ""
    ids: list[str] = field(default_factory=list)
    doc_codes: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int32))
    code_of: dict[str, int] = field(default_factory=dict)
    doc_names: list[str] = field(default_factory=list)
    retriever: bm25s.BM25 | None = None
    _position: dict[str, int] | None = None
    _filters: OrderedDict[frozenset[str], np.ndarray] = field(default_factory=OrderedDict)
    _filters_lock: threading.Lock = field(default_factory=threading.Lock)

    def positions(self) -> dict[str, int]:
        """chunk id -> row (made on first use, whole, then shared)."""
        if self._position is None:
            self._position = {cid: i for i, cid in enumerate(self.ids)}
        return self._position

    def rows_of(self, docs: frozenset[str], kept: int) -> np.ndarray:
        """Which rows are chunks of these documents (a mask); the masks of the last `kept` sets asked for are kept."""
        with self._filters_lock:
            mask = self._filters.get(docs)
            if mask is not None:
                self._filters.move_to_end(docs)
                return mask
        wanted = np.zeros(len(self.doc_names), dtype=bool)
        wanted[[self.code_of[d] for d in docs if d in self.code_of]] = True
        mask = wanted[self.doc_codes]
        with self._filters_lock:
            self._filters[docs] = mask
            while len(self._filters) > kept:
                self._filters.popitem(last=False)
        return mask
