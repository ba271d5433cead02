"""The knowledge base: the active embedder, the Chroma store and the BM25 index of one data
directory, opened together. The ingest pipeline writes through it; the assistant reads through it."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from ingest.articles import ArticleRef
from ingest.bm25_index import Bm25Damaged, Bm25Index
from ingest.cleaning import normalise_for_index, to_simplified
from ingest.data_dir import (
    DataDirError,
    DiskFull,
    ReadOnlyDataDir,
    data_dir_problem,
    has_room,
    layout_problem,
    writable,
)
from ingest.embedders import ActiveEmbedder, resolve_embedder
from ingest.embedders.base import corpus_fitted
from ingest.errors import UserFacingError
from ingest.repeal import NameIndex, alias_key
from ingest.settings import Settings
from ingest.shared_state import SharedState
from ingest.store import ChunkStore, DocumentRecord, StoredChunk, chunk_ids
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary

_ARTICLE_INDEXES = 256  # documents whose article -> chunk ids map is kept in memory
_REFIT_POLL_S = 0.05  # how often a question waiting for a refit's vectors looks whether they are written
_T = TypeVar("_T")


def index_text(text: str, heading_path: str) -> str:
    """What BM25 and the embedder see: the heading path and the text, normalised."""
    return normalise_for_index(f"{heading_path}\n{text}" if heading_path else text)


def fingerprint(records: dict[str, DocumentRecord], segmentation: str) -> str:
    """Identifies what a lexical index was built from: the committed documents and the segmentation."""
    lines = ["format:2", f"segmentation:{segmentation}", *sorted(f"{r.doc_id}:{r.hash}" for r in records.values())]
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


log = logging.getLogger("anquan")


def _unrebuilt(state: str, where: Path, consequence: str = "") -> UserFacingError:
    """A lexical index missing or damaged in a read-only data directory, where it cannot be built anew."""
    return UserFacingError(
        f"词语索引{state}（{where}），而数据目录是只读的，无法重建{consequence}：请以有写权限的用户运行一次 "
        "anquan search 或 anquan ask（会自动重建词语索引），或恢复该目录的备份"
    )


class LibraryOfAnotherEmbedder(UserFacingError):
    """The current embedder's library is empty, while another embedder's, in the same store, holds documents (the
    collections are named after the embedder: ANQUAN_BUILTIN_DIM=512 on a library built at 256 saw none of it)."""


def _library_label(name: str, current: str) -> tuple[str, str]:
    """(what built the library kept under embedder name, the settings that choose that embedder again)."""
    if match := re.fullmatch(r"builtin-lsa-(\d+)", name):
        dim = int(match[1])
        default = Settings.model_fields["builtin_dim"].default
        setting = f"ANQUAN_BUILTIN_DIM={dim}" + ("（默认值：删去这一设置亦可）" if dim == default else "")
        if not current.startswith("builtin-lsa-"):
            setting = f"ANQUAN_EMBEDDER=builtin、{setting}"
        return f"内置向量（{dim} 维）", setting
    if name.startswith("e5-"):
        return "multilingual-e5-small 向量", "ANQUAN_EMBEDDER=e5"
    if name.startswith("st-"):
        return (
            f"sentence-transformers 模型的向量（{name}）",
            "ANQUAN_EMBEDDER=sentence-transformers 及原来的 ANQUAN_ST_MODEL",
        )
    if match := re.fullmatch(r"server-(.+)-(\d+)", name):
        return f"向量服务的模型 {match[1]}（{match[2]} 维）", f"ANQUAN_EMBEDDER=server、ANQUAN_EMBED_MODEL={match[1]}"
    return f"另一种向量（{name}）", "原来的向量设置"


@dataclass
class ArticleHit:
    document: DocumentRecord
    chunks: list[StoredChunk]  # the article's parts, in order

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.chunks)


class KnowledgeBase:
    def __init__(self, settings: Settings, embedder: ActiveEmbedder | None = None):
        self.settings = settings
        problem = data_dir_problem(settings.data_dir)
        if problem:
            raise DataDirError(problem)
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirError(
                f"无法创建数据目录 {settings.data_dir}（{exc.strerror}）：请用 ANQUAN_DATA_DIR 指定一个"
                f"可写的文件夹，或请管理员开放权限。"
            ) from None
        # a read-only data directory (a mount, missing permissions), or one on a full disk, can be read from, never
        # written
        self.read_only = not writable(settings.data_dir) or not has_room(settings.data_dir)
        self._bm25_lock = threading.Lock()  # one rebuild of the lexical index at a time in this process
        if problem := layout_problem(settings.data_dir):
            raise DataDirError(problem)
        self.embedder = embedder or resolve_embedder(settings)
        if problem := layout_problem(settings.data_dir, embedder=self.embedder.name):
            raise DataDirError(problem)
        self.store = ChunkStore(settings, self.embedder.name)
        # with a Chroma server: the built-in embedder's fit and the ingest lease are shared there too
        self.shared = SharedState(self.store.client, self.embedder.name) if self.store.is_server else None
        self.sync_shared_model()
        # the knowledge pack's files parsed (read_yaml keeps their data here: parsing the YAML again in every new
        # process was a tenth of a second of the first question)
        self.pack_cache = settings.data_dir / "cache" / "knowledge"
        # the segmenter terms and document aliases of the knowledge pack (read by ingest itself)
        self.vocabulary = Vocabulary(settings.knowledge_dir, self.pack_cache)
        self._article_indexes: dict[tuple[str, str], dict[tuple[int, int], list[str]]] = {}
        # derived from the document table, recomputed when the store reads it again (store.generation)
        self._fingerprint: tuple[tuple[int, str], str] = ((-1, ""), "")
        self._titles: tuple[int, dict[str, list[DocumentRecord]]] = (-1, {})
        self._names: tuple[int, NameIndex | None] = (-1, None)
        self.terms = self.vocabulary.segmenter_terms
        # other embedders' libraries in the store, looked at when this one's is empty: (generation, them)
        self._elsewhere: tuple[int, list[tuple[str, int]]] = (-1, [])
        self._writing = 0  # writes under way in this process (writer_lease): an empty library is theirs to fill

    def sync_shared_model(self) -> bool:
        """Use the built-in embedder fit the server's vectors were made with (another process may have refitted)."""
        model = self.embedder.embeddings
        return self.shared is not None and corpus_fitted(model) and self.shared.sync_model(model)

    def publish_shared_model(self) -> None:
        model = self.embedder.embeddings
        if self.shared is not None and corpus_fitted(model):
            self.shared.publish_model(model)

    @contextmanager
    def writer_lease(self) -> Iterator[None]:
        """One ingest at a time across every process sharing the Chroma server (raises ServerBusy). Entered by every
        write, holding the ingest lock: a collection of the embedded store found damaged is rebuilt first (its
        vector index left as it was, the write would hang or fail; see ChunkStore.repair)."""
        lease = (
            nullcontext()
            if self.shared is None
            else self.shared.ingest_lease(
                self.settings.ingest_lock_timeout, f"{socket.gethostname()} 进程 {os.getpid()}"
            )
        )
        with lease:
            self._writing += 1
            try:
                if self.store.damaged:
                    self.store.repair()
                was_empty = not self.store.all_documents()
                yield
                if was_empty:
                    self._note_library_elsewhere()
            finally:
                self._writing -= 1

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.terms)

    @cached_property
    def bm25(self) -> Bm25Index:
        return Bm25Index(
            self.settings.data_dir / "bm25" / self.embedder.name,
            self.tokenizer,
            self.terms,
            self.settings.bm25_filters_kept,
        )

    def documents(self) -> dict[str, DocumentRecord]:
        """The committed documents. Raises LibraryOfAnotherEmbedder (outside a write) when there are none while
        another embedder's library in the store holds documents: the settings changed, and "知识库为空，请先导入"
        would have the user import everything again into a second library, or give up."""
        records = self.store.all_documents()
        if not records and not self._writing:
            problem = self.library_elsewhere()
            if problem:
                raise LibraryOfAnotherEmbedder(problem)
        return records

    def _libraries_elsewhere(self) -> list[tuple[str, int]]:
        generation = self.store.generation
        if self._elsewhere[0] != generation:
            self._elsewhere = (generation, self.store.other_libraries())
        return self._elsewhere[1]

    def _elsewhere_described(self) -> tuple[str, str]:
        """(the other libraries, named with their document counts; the settings that choose the largest again)."""
        others = self._libraries_elsewhere()
        labels = [(*_library_label(name, self.embedder.name), count) for name, count in others]
        what = "；另有".join(f"用{label}建立的知识库（{count:,} 个文档）" for label, _, count in labels)
        return what, labels[0][1]

    def library_elsewhere(self) -> str:
        """Why the knowledge base looks empty when another embedder's library in the store holds documents, with
        what to do, in Chinese ("" when no other library holds any). Only when this embedder's library is empty."""
        if not self._libraries_elsewhere():
            return ""
        what, setting = self._elsewhere_described()
        return (
            f"当前向量设置（{self.embedder.description}，{self.embedder.reason}）下的知识库是空的，"
            f"而{self.store.location}中有{what}：向量设置与建库时不同，就看不到已导入的文档。"
            f"请把设置改回 {setting}，然后重试；已导入的文档都还在。如确要改用当前设置，请用 anquan ingest "
            f"把法规和方案全部重新导入（按当前设置另建索引，原有索引不受影响）。"
        )

    def _note_library_elsewhere(self) -> None:
        """A write that put the first documents into this embedder's library while another's holds documents: say
        so after it (the CLI prints store.repairs after an ingest), for the settings may have been changed by
        mistake, and from now on questions see only the new library."""
        if not self.store.all_documents() or not self._libraries_elsewhere():
            return
        what, setting = self._elsewhere_described()
        note = (
            f"注意：{self.store.location}中另有{what}，当前向量设置（{self.embedder.description}）下看不到；"
            f"本次导入的文档进了按当前设置新建的知识库，此后提问只查这个新库。如是误改了设置，请改回 {setting}"
            f"，再把本次的文件导入一次（原知识库未受影响）；如确要改用当前设置，请把其余法规和方案也全部重新导入。"
        )
        if note not in self.store.repairs:
            self.store.repairs.append(note)

    def rebuild_bm25(self, records: dict[str, DocumentRecord] | None = None, force: bool = False) -> bool:
        """Rebuild the lexical index when it does not match the committed documents. Returns True if built."""
        records = records if records is not None else self.documents()
        current = fingerprint(records, self.tokenizer.signature)
        if not force and self.bm25.current_fingerprint() == current:
            return False
        # the committed chunks follow from the records (chunks left by an interrupted ingest are not among them)
        chunks = sorted((i, r.doc_id) for r in records.values() for i in chunk_ids(r.doc_id, r.hash, r.chunk_count))

        def fetch(ids: list[str]) -> dict[str, str]:
            return {c.id: index_text(c.text, c.heading_text) for c in self.store.get_chunks(ids)}

        self.bm25.build(chunks, current, fetch)
        return True

    def documents_fingerprint(self) -> str:
        """fingerprint() of the committed documents, computed once per read of the document table."""
        key = (self.store.generation, self.tokenizer.signature)  # before the table: a newer one only recomputes
        records = self.documents()
        if self._fingerprint[0] != key:
            self._fingerprint = (key, fingerprint(records, self.tokenizer.signature))
        return self._fingerprint[1]

    def require_writable(self) -> None:
        """Raise ReadOnlyDataDir (a Chinese message) before a write is attempted in a read-only data directory."""
        if not writable(self.settings.data_dir):
            raise ReadOnlyDataDir(self.settings.data_dir)
        if not has_room(self.settings.data_dir):
            raise DiskFull(self.settings.data_dir)
        if self.read_only:  # read-only when this process opened it (and read through a copy since)
            raise ReadOnlyDataDir(self.settings.data_dir)
        if problem := layout_problem(self.settings.data_dir, writing=True, embedder=self.embedder.name):
            raise DataDirError(problem)

    def refresh_embedder(self) -> bool:
        """Use the built-in embedder's current fit: another process (an ingest) may have refitted it since
        this one read it (and recomputed every stored vector: the vector index loaded here is then read
        again). Returns True when it changed."""
        if not self.embedder.embeddings.reload_if_refitted():
            return False
        self.store.vectors_rewritten()
        return True

    def under_one_fit(self, search: Callable[[], _T], lexical: Callable[[], _T]) -> _T:
        """search() (it embeds the question and compares it with stored vectors), seeing only vectors of the fit
        it embeds with. Another process may refit the built-in embedder and rewrite every stored vector while
        questions are answered here: a search during which the fit changed is made again with the new one;
        while the vectors are being rewritten (two fits at once) the question waits for them, at most
        settings.refit_wait_s, and is then answered by lexical() (at once when no ingest is running: one was
        interrupted, and the next ingest or anquan embed finishes the rewrite). With a Chroma server the fit is
        shared through the server: search() as it is."""
        model = self.embedder.embeddings
        if self.shared is not None or not corpus_fitted(model):
            return search()
        deadline = time.monotonic() + self.settings.refit_wait_s
        while True:
            self.refresh_embedder()
            fit = model.fit_id
            if model.stored_vectors_fit() == fit:
                result = search()
                if model.fit_id == fit and model.stored_vectors_fit() == fit:
                    return result
            elif time.monotonic() >= deadline or not self.ingest_running():
                return lexical()
            else:
                time.sleep(_REFIT_POLL_S)
            if time.monotonic() >= deadline:
                return lexical()

    def vectors_of_two_fits(self) -> bool:
        """Whether the stored vectors are of two fits of the built-in embedder: an ingest refitted it and was killed
        while it rewrote them (questions meanwhile are answered by their words alone; the next ingest or anquan embed
        rewrites them). Never with a Chroma server (the fit is the server's) nor a neural embedder."""
        model = self.embedder.embeddings
        return self.shared is None and corpus_fitted(model) and model.stored_vectors_fit() is None

    def refit_interrupted(self) -> bool:
        """vectors_of_two_fits left by an ingest that no longer runs (not the rewrite an import is making now): what
        anquan stats and the web's header tell the user."""
        return self.vectors_of_two_fits() and not self.ingest_running()

    def ingest_running(self) -> bool:
        """Whether an ingest holds this data directory's lock now (an ingest in another process or thread)."""
        lock = FileLock(str(self.settings.data_dir / "ingest.lock"))
        try:
            lock.acquire(timeout=0)
        except (Timeout, OSError):
            return True
        lock.release()
        return False

    def ensure_bm25(self) -> None:
        """Make the lexical index match the committed documents (another process or a crash may have
        changed the store since it was built), and load it. While an ingest runs (it rebuilds the index when
        it ends) or when the data directory is read-only, the current build is used as it is: a question
        never waits for a rebuild that an ingest is about to redo."""
        self.refresh_embedder()
        if self.bm25.current_fingerprint() != self.documents_fingerprint() and not self.read_only:
            with self._bm25_lock:
                if self.bm25.current_fingerprint() != self.documents_fingerprint() and not self.ingest_running():
                    self.sync_shared_model()
                    self.rebuild_bm25(self.documents())
        if self.read_only and self.bm25.current_fingerprint() is None and self.documents():
            raise _unrebuilt("缺失", self.bm25.directory, "，检索会漏掉大部分条文")
        try:
            self.bm25.load()
        except Bm25Damaged as damaged:
            if self.read_only:
                raise _unrebuilt("已损坏", damaged.build) from damaged
            log.warning("the lexical index was damaged, built anew: %s", damaged)
            with self._bm25_lock:  # derived from the store: built anew, then read
                self.rebuild_bm25(self.documents(), force=True)
            self.bm25.load()

    def versions_of(self, title: str) -> list[DocumentRecord]:
        """Every indexed version of the regulation with this (simplified) title, as version_key names it."""
        generation = self.store.generation  # before the table: a newer one only recomputes
        records = self.documents()
        if self._titles[0] != generation:
            titles: dict[str, list[DocumentRecord]] = {}
            for record in records.values():
                titles.setdefault(record.short_title, []).append(record)
            self._titles = (generation, titles)
        return list(self._titles[1].get(title, []))

    def name_index(self) -> NameIndex:
        """The documents by title and by the knowledge pack's aliases (446号令), once per read of the table."""
        generation = self.store.generation  # before the table: a newer one only recomputes
        records = self.documents()
        names = self._names[1]
        if self._names[0] != generation or names is None:
            names = NameIndex(records.values(), self.vocabulary.document_aliases)
            self._names = (generation, names)
        return names

    # lookups
    def find_documents(self, name: str, include_superseded: bool = False) -> list[DocumentRecord]:
        """Documents whose id or title contains the name (simplified/traditional alike), or that the name
        is an alias of (446号令, 国务院令第446号, 危化品条例), in force first. Superseded and repealed texts
        only when asked for or when nothing in force matches (a text named on purpose is shown, flagged)."""
        wanted = _as_named(name)
        records = list(self.documents().values())
        matches = [
            r for r in records if wanted and (wanted in to_simplified(r.title) or wanted in to_simplified(r.doc_id))
        ]
        aliased = self._aliased(wanted)
        matches += [r for r in records if r.doc_id in aliased and r not in matches]
        if not include_superseded and any(r.in_force for r in matches):
            matches = [r for r in matches if r.in_force]

        # exact name first (安全生产法 before 北京市实施《安全生产法》办法), then in force, then shortest title
        return sorted(
            matches,
            key=lambda r: (
                r.short_title != wanted and r.doc_id not in aliased,
                not r.in_force,
                r.superseded,
                len(r.title),
            ),
        )

    def others_named(self, name: str, matches: list[DocumentRecord]) -> list[str]:
        """The titles of distinct documents a name given in part fits besides the first of find_documents' matches (安全
        生产条例: 煤矿安全生产条例 and each region's), or [] when the name is one document's title, id or alias or fits
        one title only (its versions are one document)."""
        wanted = _as_named(name)
        titles = list(dict.fromkeys(r.short_title for r in matches))
        if len(titles) < 2 or any(wanted in (to_simplified(r.short_title), to_simplified(r.doc_id)) for r in matches):
            return []
        return [] if self._aliased(wanted) else titles[1:]

    def _aliased(self, wanted: str) -> set[str]:
        """The doc ids a name (_as_named) is an alias of (446号令, 危化品条例)."""
        return {r.doc_id for r in self.name_index().by_alias.get(alias_key(wanted), [])} if wanted else set()

    def get_article(self, doc_id: str, ref: ArticleRef) -> ArticleHit | None:
        record = self.documents().get(doc_id)
        if record is None:
            return None
        ids = self._article_index(record).get((ref.number, ref.sub), [])
        chunks = sorted(self.store.get_chunks(ids=ids), key=lambda c: c.ordinal) if ids else []
        return ArticleHit(record, chunks) if chunks else None

    def articles_of(self, doc_id: str) -> list[ArticleRef]:
        """The articles (条) of a committed document, in order (number 0 is its title note, 题注)."""
        record = self.documents().get(doc_id)
        return sorted(ArticleRef(n, sub) for n, sub in self._article_index(record)) if record else []

    def _article_index(self, record: DocumentRecord) -> dict[tuple[int, int], list[str]]:
        """(article number, sub-number) -> chunk ids of one committed document version. Read by chunk id
        (the ids follow from the record), which stays fast however large the store is; kept per version."""
        key = (record.doc_id, record.hash)
        index = self._article_indexes.get(key)
        if index is None:
            ids = chunk_ids(record.doc_id, record.hash, record.chunk_count)
            index = {}
            for chunk in self.store.get_chunks(ids):
                if chunk.article_num is not None:
                    index.setdefault((chunk.article_num, chunk.article_sub), []).append(chunk.id)
            if len(self._article_indexes) >= _ARTICLE_INDEXES:
                self._article_indexes.pop(next(iter(self._article_indexes)))
            self._article_indexes[key] = index
        return index


def _as_named(name: str) -> str:
    """A document's name as a user typed it, compared: simplified, without 《》 and surrounding spaces."""
    return to_simplified(name.strip()).replace("《", "").replace("》", "")
