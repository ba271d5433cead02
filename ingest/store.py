"""The Chroma store, three collections named after the embedder (a different embedder never mixes
vectors): the chunks' vectors (one row per chunk: its id and vector, nothing else); the chunks' texts and
metadata (one row per document version, or per TEXT_ROW_CHUNKS chunks of a long one, compressed); and the
documents (the manifest: source path, content hash, metadata, version status). Embedded PersistentClient by
default, HttpClient when a Chroma server is configured.

Why texts are not kept with each vector: Chroma writes every metadata string and document of a row into
indexed SQLite tables; for the scale corpus (150,000 chunks) those per-chunk rows took about 120 s of a
190 s ingest, against a few seconds for the same data grouped and compressed per document version.
Readers still get one StoredChunk (text + flat metadata) per chunk; a document's version status is read
from the manifest, so marking a version superseded rewrites no chunk."""

from __future__ import annotations

import atexit
import base64
import hashlib
import io
import json
import math
import os
import pickle
import re
import shutil
import sqlite3
import struct
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb import FtsIndexConfig, HnswIndexConfig, Schema, VectorIndexConfig
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from ingest.data_dir import has_room, writable
from ingest.errors import UserFacingError
from ingest.settings import Settings

_PAGE = 5000
_TEXT_PAGE = 200  # text rows fetched per call (each holds up to TEXT_ROW_CHUNKS chunks)
TEXT_ROW_CHUNKS = 16  # small rows: a query decodes little beyond the chunks it shows
_TEXT_CACHE_ROWS = 4096  # decoded text rows kept per process (a version's rows never change)
# How long one process reuses the document table it read (a query reads it several times); writes made
# through this store update it at once, writes by another process are seen after this many seconds.
DOCUMENTS_TTL = 2.0
# fields of a chunk's metadata that belong to its document: kept once per text row, and the version
# status (superseded, superseded_by, repealed, repealed_by, repealed_by_article, repealed_on) is read from
# the manifest
_DOC_FIELDS = ("title", "kind", "region", "date", "source")
_FROM_MANIFEST = (
    "doc_id",
    "doc_hash",
    "superseded",
    "superseded_by",
    "repealed",
    "repealed_by",
    "repealed_by_article",
    "repealed_on",
    "pending",
)
# the collections of earlier versions (every chunk's text and metadata in its own Chroma row)
_LEGACY = ("anquan-chunks-{}", "anquan-docs-{}")


def _chunk_prefix(doc_id: str, doc_hash: str) -> str:
    return f"{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:8]}-{doc_hash[:12]}-"


def chunk_id(doc_id: str, doc_hash: str, ordinal: int) -> str:
    """Chunk ids follow from the document's id, its content hash and the chunk's position, so the
    committed chunks of a document are known from its record alone."""
    return f"{_chunk_prefix(doc_id, doc_hash)}{ordinal:05d}"


def chunk_ids(doc_id: str, doc_hash: str, count: int) -> list[str]:
    """chunk_id for ordinals 0 .. count-1."""
    prefix = _chunk_prefix(doc_id, doc_hash)
    return [f"{prefix}{ordinal:05d}" for ordinal in range(count)]


def _row_of(chunk_id_: str) -> tuple[str, int]:
    """(text row id, ordinal) of a chunk id."""
    prefix, ordinal = chunk_id_.rsplit("-", 1)
    number = int(ordinal)
    return f"{prefix}-p{number // TEXT_ROW_CHUNKS}", number


def _encode(payload: Any) -> str:
    return base64.b64encode(zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 1)).decode("ascii")


def _decode(packed: str) -> Any:
    return json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))


@dataclass
class _TextRow:
    """The chunks of one text row: ordinals first .. first+len(chunks)-1 of one document version."""

    doc_id: str
    doc_hash: str
    first: int
    document: dict[str, Any]  # _DOC_FIELDS
    chunks: list  # [text, the chunk's own metadata] of each chunk

    def vector_ids(self) -> list[str]:
        prefix = _chunk_prefix(self.doc_id, self.doc_hash)
        return [f"{prefix}{ordinal:05d}" for ordinal in range(self.first, self.first + len(self.chunks))]


def _table_signature(records: dict[str, DocumentRecord]) -> str:
    """What a reader's vector index depends on: which version of which documents, and which are current."""
    return hashlib.sha1(
        "\n".join(sorted(f"{r.doc_id}:{r.hash}:{r.in_force}" for r in records.values())).encode("utf-8")
    ).hexdigest()


# The HNSW graph: candidates kept while inserting (Chroma's default is 100) and while searching (default
# 100). The scale corpus has many near-duplicate chunks, among which a search with Chroma's default width
# missed many of the exact nearest chunks, for some dev questions all of them. Searching wide makes up for
# a cheaper graph (faster to build): evals.bench reports how many of the exact 10 nearest chunks the
# search returns (ann_recall_at_10) and the search's latency.
_EF_CONSTRUCTION = 40
_EF_SEARCH = 800
_SCORE_DIGITS = 6  # similarities equal to this many digits are ties (broken by chunk id)


def _vector_schema() -> Schema:
    """Vectors: cosine HNSW; no full-text index (the rows carry no documents; BM25 is our lexical index)."""
    schema = Schema()
    schema.create_index(
        config=VectorIndexConfig(
            space="cosine", hnsw=HnswIndexConfig(ef_construction=_EF_CONSTRUCTION, ef_search=_EF_SEARCH)
        )
    )
    schema.delete_index(config=FtsIndexConfig(), key="#document")
    return schema


ORIGIN_CURATED = "curated"  # ingested from the command line (anquan ingest): the administrator's corpus
ORIGIN_UPLOAD = "upload"  # uploaded through the web library tab


@dataclass
class DocumentRecord:
    doc_id: str
    source: str
    hash: str
    title: str
    kind: str
    region: str
    date: str
    version_key: str
    chunk_count: int
    superseded: bool = False
    superseded_by: str = ""
    ingested_at: str = ""
    # What the document's text repeals (ingest.repeal.RepealClaim as dicts, read when it is written; None
    # for a record written before repeals were read). Whether another ingested document repeals this one is
    # derived from those of all documents in the version-status stage; a manifest without these fields
    # reads as not repealed.
    repeals: list[dict] | None = None
    repealed_by: str = ""  # doc id of the ingested document that repeals this one
    repealed_by_article: str = ""  # the article of it that says so (第七十六条)
    repealed_on: str = ""  # ISO date from which it is repealed
    # Name keys of the texts its words amend or promulgate anew (ingest.repeal.amend_claims: 对《X》作出修改,
    # 《X》已由……修订通过，现予公布); None for a record written before they were read.
    amends: list[str] | None = None
    # A sketch of its wording (ingest.likeness.sketch): a text repeating one in force under another title is held
    # like a newer version of it; None for a record written before sketches were kept.
    likeness: list[int] | None = None
    # Who brought it: ORIGIN_UPLOAD for a web upload, "" or ORIGIN_CURATED for the command line (the curated corpus).
    origin: str = ""
    # The content hash at which its version status was last derived ("" for a document not through that stage
    # yet): a document whose content is not the vetted one has not been accepted as authority over others.
    vetted: str = ""
    # Doc ids of texts in force that it would supersede (a newer version of the same title) or repeal (…同时废止)
    # but that an administrator has not confirmed: until then it is held 待确认, not in force, with no effect on
    # other documents, and those texts stay in force (ingest.authority).
    held_over: list[str] = field(default_factory=list)
    # What ingest derived for the fields an administrator corrected (title, kind, region, date -> the derived
    # value; the record holds the corrected one): empty when nothing is corrected (ingest.corrections).
    derived: dict[str, str] = field(default_factory=dict)
    # A digest of its chunks' texts (ingest.pipeline.text_digest): the same text in a file of another name or
    # encoding is a copy, not a second document; "" for a record written before it was kept.
    text_hash: str = ""

    @property
    def corrected(self) -> dict[str, str]:
        """The corrected fields and their corrected values."""
        return {name: getattr(self, name) for name in self.derived}

    @property
    def pending(self) -> bool:
        """Held 待确认: waiting for an administrator to confirm that it supersedes or repeals texts in force."""
        return bool(self.held_over)

    @property
    def from_upload(self) -> bool:
        return self.origin == ORIGIN_UPLOAD

    @property
    def repealed(self) -> bool:
        """Repealed by an ingested document, from a date that has come (a text repealed from a date still
        ahead is in force until then)."""
        return bool(self.repealed_by) and self.repealed_on <= date.today().isoformat()

    @property
    def in_force(self) -> bool:
        """Current law: neither superseded by a newer version nor repealed, nor held for confirmation."""
        return not self.superseded and not self.repealed and not self.held_over

    def to_metadata(self) -> dict[str, Any]:
        """The manifest row: the record as one JSON string (one indexed metadata row, not one per field)."""
        # its fields hold plain values (no dataclass): the same JSON as asdict's deep copy gives, without the copy
        return {"record": json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, ensure_ascii=False)}

    @property
    def short_title(self) -> str:
        """The regulation's name shared by all its versions (version_key without the region)."""
        return self.version_key.split("|", 1)[-1]

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> DocumentRecord:
        fields = json.loads(meta["record"])
        fields.setdefault("vetted", fields.get("hash", ""))  # written before vetting: its status was derived
        return cls(**{k: fields[k] for k in cls.__dataclass_fields__ if k in fields})


@dataclass
class StoredChunk:
    """A chunk as read back: its text and metadata (what ingest.pipeline.chunk_metadata wrote, with the document's
    version status from the manifest), the metadata read through the typed properties below."""

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    # the document
    @property
    def doc_id(self) -> str:
        return self.metadata.get("doc_id", "")

    @property
    def doc_hash(self) -> str:
        """The content hash of the document version the chunk belongs to."""
        return self.metadata.get("doc_hash", "")

    @property
    def title(self) -> str:
        return self.metadata.get("title", "")

    @property
    def cited_title(self) -> str:
        """The title a citation names: the document's id when the chunk has no title recorded."""
        return self.metadata.get("title", self.doc_id)

    @property
    def kind(self) -> str:
        return self.metadata.get("kind", "")

    @property
    def region(self) -> str:
        return self.metadata.get("region", "")

    @property
    def date(self) -> str:
        return self.metadata.get("date", "")

    # its version status (from the manifest)
    @property
    def superseded(self) -> bool:
        return bool(self.metadata.get("superseded"))

    @property
    def superseded_by(self) -> str:
        return self.metadata.get("superseded_by", "")

    @property
    def repealed(self) -> bool:
        return bool(self.metadata.get("repealed"))

    @property
    def repealed_by(self) -> str:
        return self.metadata.get("repealed_by", "")

    @property
    def repealed_by_article(self) -> str:
        return self.metadata.get("repealed_by_article", "")

    @property
    def repealed_on(self) -> str:
        return self.metadata.get("repealed_on", "")

    @property
    def pending(self) -> bool:
        """Whether the repeal or supersession is held for an administrator's confirmation."""
        return bool(self.metadata.get("pending"))

    # the chunk within it
    @property
    def unit(self) -> str:
        """ "article", "preamble" or "section" ("" when unknown)."""
        return self.metadata.get("unit", "")

    @property
    def article(self) -> str:
        """The article's label as written (第一百三十四条之一), "" when none."""
        return self.metadata.get("article", "")

    @property
    def article_num(self) -> int | None:
        """The article's number (0 for a title note); None when the chunk has none recorded."""
        return self.metadata.get("article_num")

    @property
    def article_sub(self) -> int:
        """The 之N of 第N条之一 (0 for none)."""
        return self.metadata.get("article_sub") or 0

    @property
    def part(self) -> int:
        """Which part of an over-long article this is (1 when it is whole)."""
        return self.metadata.get("part") or 1

    @property
    def parts(self) -> int:
        """How many parts the article was indexed in."""
        return self.metadata.get("parts", 1)

    @property
    def similarity(self) -> float | None:
        """The cosine of the chunk's vector to the question's, set by retrieval on the chunks it returns (None when
        either has no vector)."""
        return self.metadata.get("similarity")

    @property
    def ordinal(self) -> int:
        """The chunk's position in its document."""
        return self.metadata.get("ordinal", 0)

    @property
    def heading_text(self) -> str:
        """The heading path as stored: the headings joined by " / " ("" when none)."""
        return self.metadata.get("heading_path", "")

    @property
    def heading_path(self) -> list[str]:
        path = self.heading_text
        return path.split(" / ") if path else []

    @property
    def locations(self) -> list[str]:
        return json.loads(self.metadata.get("locations", "[]") or "[]")


_READ_ONLY_COPIES: dict[str, tuple[tuple[int, ...], Path]] = {}  # store folder -> (its stamp when copied, the copy)


def _folder_stamp(path: Path) -> tuple[int, ...]:
    stamps = []
    for name in ("chroma.sqlite3", "chroma.sqlite3-wal"):
        try:
            stamps.append((path / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def chroma_path(settings: Settings) -> Path:
    """The embedded store's folder. Chroma cannot open a store it cannot write (it migrates and journals on
    open), so a read-only data directory, or one on a disk with no room left (has_room), is read through a private
    copy in the temp folder, made once per process and removed at exit: questions, stats and show work; ingest and
    delete are refused."""
    path = settings.data_dir / "chroma"
    problem = store_files_problem(path, path)
    if problem:  # before a copy is made of it, or Chroma is given it
        raise StoreDamaged(settings.data_dir, problem)
    if writable(path) and writable(path / "chroma.sqlite3") and has_room(path):
        return path
    key, stamp = str(path.resolve()), _folder_stamp(path)
    known = _READ_ONLY_COPIES.get(key)
    if known is not None and known[0] == stamp and known[1].is_dir():
        return known[1]
    copy = Path(tempfile.mkdtemp(prefix="anquan-readonly-")) / "chroma"
    atexit.register(shutil.rmtree, copy.parent, True)
    try:
        if path.is_dir():
            shutil.copytree(path, copy)
        else:
            copy.mkdir()
    except BaseException:
        shutil.rmtree(copy.parent, ignore_errors=True)
        raise
    _READ_ONLY_COPIES[key] = (stamp, copy)
    return copy


def store_backend(settings: Settings) -> str:
    """The store by name (setting store): "server", a Chroma server at chroma_host, or "local", embedded Chroma in
    the data directory; auto: the server when a host is set."""
    if settings.store == "server" and not settings.chroma_host:
        raise UserFacingError("ANQUAN_STORE=server 需要同时设置 ANQUAN_CHROMA_HOST（Chroma 服务器地址）。")
    if settings.store == "auto":
        return "server" if settings.chroma_host else "local"
    return settings.store


def chroma_server_problem(settings: Settings, detail: str = "") -> str:
    """What to tell when the Chroma server (ANQUAN_CHROMA_HOST) cannot be used: its address does not parse, or nothing
    answers there (both were an unexpected error, ValueError, on every command and question)."""
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    if detail and "connect" not in detail.lower():
        return (
            f"ANQUAN_CHROMA_HOST 的值“{settings.chroma_host}”不是有效的 Chroma 服务器地址（{detail}）：请写主机名或 IP "
            f"地址，如 127.0.0.1 或 chroma.example.com，端口另写在 ANQUAN_CHROMA_PORT；不用服务器时删去 "
            f"ANQUAN_CHROMA_HOST，即使用数据目录中的本地存储。"
        )
    return (
        f"连接不到 Chroma 服务器 {where}，知识库无法读取：请确认该服务器正在运行（chroma run）、"
        f"地址 ANQUAN_CHROMA_HOST 和端口 ANQUAN_CHROMA_PORT 无误、网络可达，然后重试；"
        f"不用服务器时删去 ANQUAN_CHROMA_HOST，即使用数据目录中的本地存储。"
    )


def open_client(settings: Settings, path: Path | None = None):
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    host = settings.chroma_host if store_backend(settings) == "server" else None
    if host:
        try:
            return chromadb.HttpClient(
                host=host, port=settings.chroma_port, ssl=settings.chroma_ssl, settings=chroma_settings
            )
        except ValueError as exc:  # Chroma's one error for an address it cannot parse and for a server it cannot reach
            raise UserFacingError(chroma_server_problem(settings, str(exc))) from None
    shown = settings.data_dir / "chroma"  # what the user knows it as (path may be a read-only data dir's copy)
    if path is None:
        path = chroma_path(settings)  # which checks the store's files
    elif problem := store_files_problem(path, shown):
        raise StoreDamaged(settings.data_dir, problem)
    database = path / "chroma.sqlite3"
    if _file_key(database) not in _CHROMA_OPEN and (problem := lost_database_problem(database, shown / database.name)):
        raise StoreDamaged(settings.data_dir, problem)  # before SQLite creates the file or writes into it
    path.mkdir(parents=True, exist_ok=True)
    if _file_key(database) not in _CHROMA_OPEN:
        # never once Chroma holds the file in this process: see use_wal
        require_unlocked(database, settings.store_lock_wait_s, shown / "chroma.sqlite3")
        use_wal(database)
        problem = chroma_tables_problem(database, shown / "chroma.sqlite3")
        if problem:
            raise StoreDamaged(settings.data_dir, problem)
        damaged = damaged_segments(path)
        for segment in damaged:
            if segment.metadata_at_fault:
                set_aside_metadata(segment.folder)
        _DAMAGED[str(path.resolve())] = damaged
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    _CHROMA_OPEN.add(_file_key(database))
    return client


# The embedded stores' database files (path, inode) this process has a Chroma client on. Opening such a file
# in any other way and closing it again drops every POSIX lock the process holds on it, Chroma's (its own
# SQLite) included: another process's ingest, closing last as it then believes, checkpoints and removes the
# write-ahead log under the readers here, which then read "database disk image is malformed" until restarted.
_CHROMA_OPEN: set[tuple[str, int]] = set()


def _file_key(database: Path) -> tuple[str, int]:
    try:
        return str(database.resolve()), database.stat().st_ino
    except OSError:
        return str(database), -1


def damaged_store_message(data_dir: Path | None, problem: str, action: str = "操作") -> str:
    """What a user reads when the embedded store cannot be used as it is on disk (a file or folder in the wrong place,
    a truncated database, Chroma's own tables damaged): the path, that retrying does not help, and what to do.
    Nothing is deleted for the user: the store may be all there is of their uploads' index."""
    index = data_dir / "chroma" if data_dir else Path("chroma")
    uploads = data_dir / "uploads" if data_dir else "数据目录的 uploads 文件夹"
    if index.is_symlink() and not index.exists():
        remove = f"删除符号链接 {index}（或让它指向原来的 chroma 文件夹）"
    else:
        remove = f"删除文件 {index}" if index.is_file() else f"删除文件夹 {index}"
    return (
        f"知识库索引已损坏（{problem}），{action}未完成；重试不会有帮助。如有数据目录的备份，可用备份中的 chroma "
        f"文件夹替换 {index}；否则请{remove}（也可先改名留存），然后重新运行 anquan ingest 导入法规和方案文件"
        f"（原文件不受影响；网页上传过的文件保存在 {uploads}，一并重新导入即可）。"
    )


class StoreDamaged(UserFacingError):
    """The embedded store's files are not what Chroma can open, found before it opens them: told in Chinese with
    what to do (explain(action) names the action that did not happen); nothing is deleted."""

    def __init__(self, data_dir: Path, problem: str):
        self.data_dir, self.problem = data_dir, problem
        super().__init__(self.explain())

    def explain(self, action: str = "操作") -> str:
        return damaged_store_message(self.data_dir, self.problem, action)


def store_files_problem(path: Path, shown: Path) -> str:
    """Why the store folder at path (shown to the user as shown) cannot be opened as a Chroma store ("" when it
    can): a file where the folder belongs, a link to nowhere, or something else where its database file belongs.
    Chroma said only "unable to open database file" (code 14) or File exists."""
    if path.is_symlink() and not path.exists():
        return f"{shown} 是一个符号链接，指向的位置不存在"
    if path.exists() and not path.is_dir():
        return f"{shown} 应是存放知识库索引的文件夹，现在却是一个文件"
    database = path / "chroma.sqlite3"
    if database.is_symlink() and not database.exists():
        return f"{shown / 'chroma.sqlite3'} 是一个符号链接，指向的位置不存在"
    if database.exists() and not database.is_file():
        what = "一个文件夹" if database.is_dir() else "一个特殊文件"
        return f"{shown / 'chroma.sqlite3'} 应是知识库的数据库文件，现在却是{what}"
    return ""


# Chroma's own tables in the database file (sysdb, metadb and the log, as its migrations create them): one gone (a
# dropped embeddings_queue) failed every read with "Failed to pull logs from the log store", which says nothing of
# the cause
CHROMA_TABLES = (
    "migrations",
    "tenants",
    "databases",
    "collections",
    "segments",
    "embeddings",
    "embedding_metadata",
    "embeddings_queue",
    "max_seq_id",
)


def chroma_tables_problem(database: Path, shown: Path) -> str:
    """Why Chroma cannot use the tables of its database file ("" when they look whole, or the file is new or cannot
    be read here: a damaged file is reported when Chroma opens it). Every table Chroma keeps its state in must be
    there, and every collection must have its metadata and vector segment (rows deleted from segments: "Missing
    metadata segment" on every read). Reads the file: only before this process opens a Chroma client on it (see
    use_wal)."""
    if not database.is_file() or database.stat().st_size == 0:
        return lost_database_problem(database, shown)
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables & set(CHROMA_TABLES):  # a new file, Chroma creates its tables; or one emptied
                return _lost_database(database, shown, "中没有任何数据表")
            missing = [name for name in CHROMA_TABLES if name not in tables]
            if missing:
                return f"{shown} 中 Chroma 的数据表 {'、'.join(missing)} 不见了（数据库被改动或损坏）"
            lacking = [
                name
                for (name,) in db.execute(
                    "SELECT c.name FROM collections c WHERE "
                    "NOT EXISTS (SELECT 1 FROM segments s WHERE s.collection = c.id AND s.scope = 'METADATA') OR "
                    "NOT EXISTS (SELECT 1 FROM segments s WHERE s.collection = c.id AND s.scope = 'VECTOR') "
                    "ORDER BY c.name"
                )
            ]
    except sqlite3.Error:  # a damaged or locked file: reported when Chroma opens it
        return ""
    if lacking:
        names = "、".join(lacking[:3]) + ("等" if len(lacking) > 3 else "")
        return f"{shown} 中 {len(lacking)} 个集合（{names}）的分段记录（segments 表）不见了（数据库被改动或损坏）"
    return ""


_SEGMENT_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def lost_database_problem(database: Path, shown: Path) -> str:
    """_lost_database for a database file that is missing or of 0 bytes: to be asked before anything opens it
    (SQLite creates a missing file, and writes a header into an empty one)."""
    try:
        size = database.stat().st_size
    except FileNotFoundError:
        return _lost_database(database, shown, "不见了")
    except OSError:
        return ""
    return _lost_database(database, shown, "是空的（0 字节）") if size == 0 else ""


def _lost_database(database: Path, shown: Path, what: str) -> str:
    """Why a store whose database file is missing or holds no table (truncated to 0 bytes, replaced by an empty
    file) cannot be opened as a new one: its folder still holds the vector segments (folders named by a UUID)
    Chroma writes for every collection from the first chunk on, so documents were imported and their records are
    lost. Chroma would silently create a new, empty database there ("知识库为空", an import starting over with
    the segments orphaned). "" for a folder without segments: a store not yet created."""
    try:
        segments = [entry for entry in database.parent.iterdir() if _SEGMENT_FOLDER.fullmatch(entry.name)]
    except OSError:
        return ""
    if not segments:
        return ""
    return (
        f"{shown} {what}，而同一文件夹中还有 {len(segments)} 个向量分段文件夹：已导入文档的记录丢失了"
        "（数据库文件被截断、删除或替换，可能是磁盘已满、复制不完整或误操作）"
    )


class StoreLocked(UserFacingError):
    """The store's database file is held locked by another program; Chroma would wait for it without end."""


def require_unlocked(database: Path, wait: float, shown: Path | None = None) -> None:
    """Raise StoreLocked when the database file stays locked against writing for wait seconds. Chroma 1.x opens
    the file itself (its Rust bindings, with no busy timeout to set) and writes on opening (migrations): a
    program holding it in a transaction (BEGIN EXCLUSIVE in a database tool, a backup) made every command wait
    silently until it let go. Only before this process opens a Chroma client on the file (see use_wal); a
    missing or damaged file is left to the open, which reports it."""
    if not database.is_file():
        return
    try:
        with closing(sqlite3.connect(database, timeout=wait, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
            return
        raise StoreLocked(
            f"知识库数据库 {shown or database} 被其他程序锁定（例如正在使用它的数据库工具、备份或同步程序，"
            f"或另一个未结束的导入），等待 {wait:g} 秒后仍未释放，本次操作未执行，知识库内容未改动。"
            f"请关闭正在使用该文件的程序（或等导入完成）后重试；可用 ANQUAN_STORE_LOCK_WAIT_S 调整等待秒数。"
        ) from None
    except sqlite3.Error:
        return


def use_wal(database: Path) -> bool:
    """Put the embedded store's SQLite file in WAL mode (it stays set in the file; Chroma keeps it). Chroma
    creates it with a rollback journal, under which every write transaction of an ingest in another process
    locks readers out: questions waited seconds during an import. In WAL mode they read the last committed
    state meanwhile. Returns whether the file is in WAL mode (a file in use elsewhere is switched next time).
    A missing file is created in WAL mode. Only before this process opens a Chroma client on it (open_client):
    closing the file here would drop the locks Chroma's connections hold on it."""
    try:
        with database.open("rb") as handle:
            header = handle.read(20)
    except FileNotFoundError:
        header = b""
    except OSError:
        return False
    if len(header) == 20 and header[18] == 2 and header[19] == 2:  # the file format numbers of WAL mode
        return True
    try:
        with closing(sqlite3.connect(database, timeout=0.5)) as db:
            return db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal"
    except sqlite3.Error:
        return False


# Embedded Chroma keeps each collection's vector index (HNSW) in files of a folder named after its vector segment,
# written every sync_threshold changes (the changes since are replayed from its log). A damaged file there made
# Chroma hang without end (a truncated header.bin: an ingest stuck holding the ingest lock) or fail every search
# ("Error finding id", "Error getting embedding"), with nothing saying why. The files are checked before a process
# first opens the store: a damaged vector index of the chunks is left aside (questions are answered by the lexical
# index alone) and rebuilt by the next write (anquan ingest, anquan embed): the vectors are computed again.
_HNSW_SEGMENT = "urn:chroma:segment/vector/hnsw-local-persisted"
# header.bin as hnswlib writes it for Chroma: format version, offsetLevel0, max_elements, cur_element_count,
# size_data_per_element, label_offset, offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction
_HNSW_HEADER = struct.Struct("<i6QiI3QdQ")
_SEGMENT_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class DamagedSegment:
    """A collection whose persisted vector index cannot be loaded."""

    collection: str
    folder: Path  # the index's folder (chroma/<segment id>)
    reason: str  # what is wrong with it, in Chinese
    metadata_at_fault: bool = False  # what is wrong is its index_metadata.pickle (see set_aside_metadata)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


class _Stub:
    """Stands in for any class a pickle names: nothing is imported or run, the state it carries is kept as given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _DataOnly(pickle.Unpickler):
    """An unpickler that builds plain data only (a class named in the file becomes a _Stub, never imported):
    reading a file someone may have replaced runs none of its code."""

    def find_class(self, module: str, name: str) -> type:
        return _Stub

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("persistent id")


_U32 = 2**32
_U64 = 2**64


def _whole(value: Any, below: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < below


def _all_of(values: Any, kind: type, below: int = 0) -> bool:
    """Whether every one of values is exactly of this type (an int: no bool, within 0 .. below-1), fast enough for
    the 150,000 ids of a large index."""
    values = list(values)
    if not set(map(type, values)) <= {kind}:
        return False
    return not below or not values or (min(values) >= 0 and max(values) < below)


def _live_elements(folder: Path, count: int, per_element: int) -> int:
    """How many of the count elements of data_level0.bin hnswlib has not marked deleted (the flag byte of each
    element's level-0 link list)."""
    try:
        data = np.memmap(folder / "data_level0.bin", dtype=np.uint8, mode="r", shape=(count * per_element,))
    except (OSError, ValueError):
        return count
    return int(count - np.count_nonzero(data[2::per_element][:count] & 1))


def _metadata_problem(path: Path, count: int = 0, per_element: int = 0, name: str = "") -> str:
    """Why index_metadata.pickle is not what Chroma reads ("" when it is): a whole pickle of a dictionary (or of
    Chroma's PersistentData object) with total_elements_added and the id <-> label maps, as Chroma's Rust loader
    (serde_pickle into its IdMap) requires, and consistent with the index header's count of elements. A pickle
    that loads but has another shape ({} or [1, 2]) failed every read and write of the collection, and a valid
    one with no ids for an index that holds vectors made Chroma start the index anew, losing every vector."""
    name = name or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{name} 无法读取（{exc.strerror}）"
    if not data.strip(b"\0"):
        return f"{name} 没有内容（被清空或截断）"
    try:
        loaded = _DataOnly(io.BytesIO(data)).load()
    except Exception as exc:  # noqa: BLE001 - any fault of the opcode stream: not the file Chroma wrote
        if isinstance(exc, EOFError) or "truncated" in str(exc):
            return f"{name} 不完整（被截断）"
        return f"{name} 不是有效的索引信息文件（内容被改写或截断）"
    state = loaded.state if isinstance(loaded, _Stub) else loaded
    wrong = f"{name} 的内容不是 Chroma 的索引信息"
    if not isinstance(state, dict):
        what = "一个对象" if isinstance(loaded, _Stub) else type(state).__name__
        return f"{wrong}（是 {what}，应为记录向量编号的字典，文件被改写）"
    missing = [k for k in ("total_elements_added", "id_to_label", "label_to_id", "id_to_seq_id") if k not in state]
    if missing:
        return f"{wrong}（缺少 {'、'.join(missing)}，文件被改写）"
    ids, labels, seqs = state["id_to_label"], state["label_to_id"], state["id_to_seq_id"]
    if not (
        _whole(state["total_elements_added"], _U32)
        and (state.get("dimensionality") is None or _whole(state.get("dimensionality"), _U64))
        and (state.get("max_seq_id") is None or _whole(state.get("max_seq_id"), _U64))
        and isinstance(ids, dict)
        and isinstance(labels, dict)
        and isinstance(seqs, dict)
        and _all_of(ids, str)
        and _all_of(ids.values(), int, _U32)
        and _all_of(labels, int, _U32)
        and _all_of(labels.values(), str)
        and _all_of(seqs, str)
        and _all_of(seqs.values(), int, _U64)
    ):
        return f"{wrong}（其中的值类型不对，文件被改写）"
    if len(ids) != len(labels) or len(ids) > count:
        return f"{name} 与索引不符（记录 {len(ids):,} 个向量编号，索引中有 {count:,} 个向量）"
    if not ids and count and per_element and _live_elements(path.parent, count, per_element):
        return f"{name} 中没有任何向量编号，而索引中有 {count:,} 个向量（文件被改写）"
    return ""


_METADATA = "index_metadata.pickle"
_METADATA_ASIDE = "index_metadata.pickle.damaged"  # a damaged one, set aside (set_aside_metadata)


def hnsw_problem(folder: Path, persisted: bool) -> str:
    """Why Chroma cannot load the vector index kept in folder, in Chinese ("" when its files look whole). persisted:
    Chroma recorded having written the index (its changes are no longer in the log): then a missing folder or header
    is damage too; before the first write there is none, and the log holds everything."""
    return _hnsw_check(folder, persisted)[0]


def _hnsw_check(folder: Path, persisted: bool) -> tuple[str, bool]:
    """hnsw_problem, and whether what is wrong is the index's index_metadata.pickle."""
    header = folder / "header.bin"
    if not header.is_file():
        if not persisted:
            return "", False
        return ("索引文件夹不存在（可能是复制或备份不完整）" if not folder.is_dir() else "缺少 header.bin"), False
    try:
        with header.open("rb") as handle:
            raw = handle.read(_HNSW_HEADER.size + 1)
    except OSError as exc:
        return f"header.bin 无法读取（{exc.strerror}）", False
    if len(raw) != _HNSW_HEADER.size:
        return f"header.bin 有 {len(raw)} 字节，应为 {_HNSW_HEADER.size} 字节（文件被截断或改写）", False
    (_, offset0, capacity, count, per_element, label_at, data_at, level, _, _, max_m0, m, mult, _) = (
        _HNSW_HEADER.unpack(raw)
    )
    if not (
        offset0 == 0
        and 0 < m <= 10_000
        and max_m0 == 2 * m
        and data_at == 4 + 4 * max_m0
        and data_at < label_at
        and per_element == label_at + 8
        and count <= capacity < 2**40
        and -1 <= level < 256
        and math.isfinite(mult)
    ):
        return "header.bin 的内容不是有效的索引头（文件被改写）", False
    needed = count * per_element
    present = _size(folder / "data_level0.bin")
    if present < needed:
        return f"data_level0.bin 不完整（有 {max(0, present):,} 字节，应至少 {needed:,} 字节）", False
    if _size(folder / "length.bin") < 4 * count:
        return "length.bin 不完整或缺失", False
    if count and _size(folder / "link_lists.bin") < 0:
        return "缺少 link_lists.bin", False
    metadata, aside = folder / _METADATA, folder / _METADATA_ASIDE
    if metadata.exists():
        problem = _metadata_problem(metadata, count, per_element)
        return problem, bool(problem)
    if aside.exists():  # damaged until the collection is rebuilt (ChunkStore.repair removes the folder)
        why = _metadata_problem(aside, count, per_element, _METADATA) or f"{_METADATA} 的内容有误"
        return f"{why}；该文件已改名为 {_METADATA_ASIDE} 留存，待重建", False
    return "", False


def set_aside_metadata(folder: Path) -> bool:
    """Rename the vector index's damaged index_metadata.pickle to index_metadata.pickle.damaged (checked again
    first: Chroma may have just written a new one). A pickle Chroma cannot read failed every read of the
    collection, its rows (in the database) included: without one, Chroma takes the index for one never written and
    reads the rows, so that the texts and the documents can be read until the next write rebuilds the collection
    (ChunkStore.repair; hnsw_problem reports it damaged meanwhile). Nothing is deleted. Only before this process
    opens a Chroma client on the store. Returns whether it was renamed."""
    problem, at_fault = _hnsw_check(folder, True)
    if not (problem and at_fault):
        return False
    try:
        (folder / _METADATA).replace(folder / _METADATA_ASIDE)
    except OSError:  # a read-only store: its reads fail as before, its writes repair it
        return False
    return True


def damaged_segments(path: Path) -> list[DamagedSegment]:
    """The collections of the embedded store in path whose persisted vector index is damaged or missing. Reads the
    database file: only before this process opens a Chroma client on it (see use_wal)."""
    database = path / "chroma.sqlite3"
    if not database.is_file():
        return []
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            rows = db.execute(
                "SELECT s.id, c.name, EXISTS(SELECT 1 FROM max_seq_id m WHERE m.segment_id = s.id) "
                "FROM segments s JOIN collections c ON s.collection = c.id WHERE s.type = ?",
                (_HNSW_SEGMENT,),
            ).fetchall()
    except sqlite3.Error:  # a damaged or locked database file is reported when Chroma opens it
        return []
    suspects = [
        (str(name), path / str(segment), bool(persisted))
        for segment, name, persisted in rows
        if _SEGMENT_FOLDER.fullmatch(str(segment)) and _hnsw_check(path / str(segment), bool(persisted))[0]
    ]
    return _lasting(suspects) if suspects else []


# Chroma rewrites a vector index's files in place whenever a process loads the index and replays changes into it (any
# reader, not only an ingest): for the milliseconds of that write, another process opening the store sees a header.bin
# of 0 bytes or a short data_level0.bin (12 to 29 times in 6 s of checks beside three starting `anquan ask`s). Taken
# for damage, that process answered from the lexical index alone and set index_metadata.pickle aside. Damage is what
# stays: a problem counts once the index's files have stood unchanged for DAMAGE_SETTLE_S (waiting at most
# DAMAGE_SETTLE_MAX_S while they keep changing: a large index is written for seconds).
DAMAGE_SETTLE_S = 0.2
DAMAGE_SETTLE_MAX_S = 10.0


def _file_stamps(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, modification time) of every file in folder: changes while anything writes there."""
    stamps = []
    with suppress(OSError):
        for entry in os.scandir(folder):
            with suppress(OSError):
                info = entry.stat()
                stamps.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(stamps))


def _lasting(suspects: list[tuple[str, Path, bool]]) -> list[DamagedSegment]:
    """Of the (collection, folder, persisted) whose index looked damaged, those still damaged once their files have
    stood unchanged (see DAMAGE_SETTLE_S)."""
    deadline = time.monotonic() + DAMAGE_SETTLE_MAX_S
    waiting = {folder: (name, persisted, _file_stamps(folder)) for name, folder, persisted in suspects}
    found = []
    while waiting:
        time.sleep(DAMAGE_SETTLE_S)
        for folder, (name, persisted, before) in list(waiting.items()):
            reason, at_fault = _hnsw_check(folder, persisted)
            now = _file_stamps(folder)
            if reason and now != before and time.monotonic() < deadline:
                waiting[folder] = (name, persisted, now)  # still being written: look again
                continue
            del waiting[folder]
            if reason:
                found.append(DamagedSegment(name, folder, reason, at_fault))
    return found


# chroma folder -> its damaged vector indexes, as found when this process first opened it (open_client)
_DAMAGED: dict[str, list[DamagedSegment]] = {}
_REBUILT = "-rebuild"  # the name of a collection being rebuilt: its own and this


class VectorIndexDamaged(UserFacingError):
    """A write reached a vector index left aside as damaged (the writes repair it first: see ChunkStore.repair)."""


class _NoVectors:
    """In place of a chunks collection whose vector index is damaged: no chunk has a vector (questions are answered
    by the lexical index alone, and the vector coverage says 0), and nothing is written to it."""

    configuration: dict[str, Any] = {}

    def __init__(self, problem: str, collection_id: Any = None):
        self.problem = problem
        self.id = collection_id

    def count(self) -> int:
        return 0

    def get(self, *args, **kwargs) -> dict[str, Any]:
        return {"ids": [], "embeddings": [], "metadatas": [], "documents": []}

    def query(self, *args, **kwargs) -> dict[str, Any]:
        return {"ids": [[]], "distances": [[]]}

    def delete(self, *args, **kwargs) -> None:  # its vectors go with the whole index when it is rebuilt
        return None

    def modify(self, *args, **kwargs) -> None:
        return None

    def _refuse(self, *args, **kwargs) -> None:
        raise VectorIndexDamaged(self.problem)

    add = upsert = update = _refuse


class _ReadWriteLock:
    """Many readers at once, or one writer (re-entrant, and free to read meanwhile); a waiting writer goes before
    readers that come after it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writer: int | None = None
        self._depth = 0
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._changed:
            own = self._writer == me
            if not own:
                self._changed.wait_for(lambda: self._writer is None and not self._waiting)
                self._readers += 1
        try:
            yield
        finally:
            if not own:
                with self._changed:
                    self._readers -= 1
                    if not self._readers:
                        self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._changed:
            if self._writer == me:
                self._depth += 1
            else:
                self._waiting += 1
                self._changed.wait_for(lambda: self._writer is None and not self._readers)
                self._waiting -= 1
                self._writer, self._depth = me, 1
        try:
            yield
        finally:
            with self._changed:
                self._depth -= 1
                if not self._depth:
                    self._writer = None
                    self._changed.notify_all()


# Embedded Chroma writes a collection's vector index to disk every sync_threshold changes, and a process replays
# the changes made since into its index when it first reads it: about a millisecond each, so Chroma's default of
# 1,000 cost every `anquan ask` and `anquan serve` up to a second at start (0.75 s on regulations + plans; 0.02 s
# once the index file is current). A collection's threshold is a tenth of its vectors, at least Chroma's write
# batch and at most its default: a small index is written to disk more often (each write is small), a large one
# as Chroma does (a 150,000-vector index is ~250 MB a write).
SYNC_SHARE = 10
SYNC_LEAST = 100
SYNC_MOST = 1000

_READS = frozenset(["get", "query", "count", "peek"])
# reads run inside embedded Chroma at once (a process's askers and its import): more at once once hung every one of
# them inside Chroma's own code, its SQLite workers waiting too (20 askers over HTTP during an import, round 51)
CHROMA_READERS = 4
_CHROMA_READS = threading.BoundedSemaphore(CHROMA_READERS)


class _Guarded:
    """An embedded Chroma collection whose reads may run together but never beside a write or a reopen of the
    client in this process (see ChunkStore._reopen_now): a search running while another thread replaced the
    client's system read freed memory (a segfault of the web server under 20 askers during an import)."""

    def __init__(self, collection, lock: _ReadWriteLock):
        self._collection, self._lock = collection, lock

    def __getattr__(self, name: str):
        found = getattr(self._collection, name)
        if not callable(found):
            return found
        if name in _READS:

            def read(*args, **kwargs):
                with self._lock.reading(), _CHROMA_READS:
                    return found(*args, **kwargs)

            return read

        def write(*args, **kwargs):
            with self._lock.writing():
                return found(*args, **kwargs)

        return write


class ChunkStore:
    def __init__(self, settings: Settings, embedder_name: str):
        self.backend = store_backend(settings)
        self.is_server = self.backend == "server"
        self._path = None if self.is_server else chroma_path(settings)
        self.client = open_client(settings, self._path)
        self.read_only_copy = self._path is not None and self._path != settings.data_dir / "chroma"
        self.location = (
            f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port}"
            if self.is_server
            else f"本地 Chroma（{settings.data_dir / 'chroma'}）"
            + (
                f"；{'数据目录只读' if has_room(settings.data_dir) else '磁盘已满'}：可查询，不能导入或删除"
                if self.read_only_copy
                else ""
            )
        )
        self.name = embedder_name
        # Chroma reads together, writes and reopening the client alone (see _Guarded)
        self._chroma_lock = _ReadWriteLock()
        self._settings = settings
        # collection name -> its vector index found damaged when this process opened the store (damaged_segments)
        self.damaged: dict[str, DamagedSegment] = {}
        if self._path is not None:
            mine = {self._collection("vectors"), self._collection("texts"), self._collection("documents")}
            self.damaged = {
                d.collection: d for d in _DAMAGED.get(str(self._path.resolve()), []) if d.collection in mine
            }
        self._damaged_ids: dict[str, Any] = {}  # the id of each damaged collection when it was found so
        self._read_failure = ""  # why reading the vectors failed while answering (a damage the files did not show)
        self.vectors_rebuilt = False  # this process rebuilt the chunks' vector index: every vector is to be computed
        self.repairs: list[str] = []  # notes for after a write, in Chinese: what repair() did (and see KnowledgeBase)
        self._open_collections()
        self.batch_size = min(self.client.get_max_batch_size(), _PAGE)
        self._documents: dict[str, DocumentRecord] | None = None
        self._documents_read_at = 0.0
        self._documents_stamp: tuple[int, ...] | None = None
        self.generation = 0  # counts reads of the document table: equal generations, same documents
        self._rows: OrderedDict[str, _TextRow] = OrderedDict()  # decoded text rows, least recently used first
        self._rows_lock = threading.Lock()  # the web UI reads from several threads
        self._committed: tuple[int, dict[str, str]] = (-1, {})  # (generation, _committed_prefixes)
        # Embedded Chroma keeps its vector index in memory: after another process changed the store this
        # process would query a stale index (missing new chunks, or "Error finding id" for deleted ones).
        self._seen = ""  # the committed documents as this process last saw them
        self._wrote = False  # this store changed them itself since
        self._stale = False
        # the committed chunks that have a vector: ((_table_signature, vectors stored), ids), see with_vectors
        self._vectored: tuple[tuple[str, int], frozenset[str]] | None = None
        self._vectors_seen = -1  # vectors stored as this process last counted them (-1: not yet)

    def _collection(self, kind: str) -> str:
        """The name of this embedder's collection of that kind: vectors, texts or documents."""
        return f"anquan-{kind}-{self.name}"

    def _open_collections(self) -> None:
        guarded = (lambda c: c) if self.is_server else (lambda c: _Guarded(c, self._chroma_lock))
        if not self.is_server:
            self._finish_rebuilds()
        vectors = self._collection("vectors")
        left_aside = self._left_aside(vectors) if vectors in self.damaged else None
        self.chunks = left_aside or guarded(self._open_vectors(vectors))
        self.texts = guarded(self.client.get_or_create_collection(self._collection("texts"), embedding_function=None))
        self.documents = guarded(
            self.client.get_or_create_collection(self._collection("documents"), embedding_function=None)
        )

    def _left_aside(self, name: str) -> _NoVectors | None:
        """What stands in for the chunks collection whose vector index is damaged (never loaded: Chroma may hang on
        it); None when another process has rebuilt it since (it is another collection now)."""
        try:
            current = self.client.get_collection(name, embedding_function=None).id
        except Exception:  # noqa: BLE001 - gone: another process removed it to rebuild it
            current = None
        known = self._damaged_ids.setdefault(name, current)
        if current is None or current != known:
            self.damaged.pop(name, None)
            return None
        return _NoVectors(self.vector_problem, current)

    @property
    def vector_problem(self) -> str:
        """Why the chunks' vectors cannot be used now, in Chinese with what to do ("" when they can)."""
        damaged = self.damaged.get(self._collection("vectors"))
        if damaged is None:
            return self._read_failure
        folder = self._settings.data_dir / "chroma" / damaged.folder.name
        if self.read_only_copy:
            todo = "数据目录只读，无法修复：请开放数据目录的写权限后运行 anquan embed 重建向量索引"
        else:
            todo = (
                "运行 anquan embed 即可重建向量索引并重新计算向量（下一次 anquan ingest 或网页导入也会自动重建）；"
                "已导入的文档和条文不受影响"
            )
        return f"向量索引已损坏（{folder}：{damaged.reason}），本次只按词语检索（BM25），结果可能不如平时准确。{todo}。"

    def _finish_rebuilds(self) -> None:
        """Give a collection rebuilt by repair() its name back when the process doing it stopped between removing
        the damaged one and renaming the copy (the copy was complete: the damaged one is removed only then)."""
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        for kind in ("texts", "documents"):
            name = self._collection(kind)
            if f"{name}{_REBUILT}" in names and name not in names:
                with suppress(Exception):  # another process renamed it meanwhile
                    self.client.get_collection(f"{name}{_REBUILT}", embedding_function=None).modify(name=name)

    def repair(self) -> list[str]:
        """Rebuild every collection whose vector index was found damaged; returns what was done, in Chinese. The
        chunks' vectors are dropped with their index (they are computed again: see ingest.vector_builder, and
        vectors_rebuilt); the texts and the documents, whose index holds placeholders, are copied into a new
        collection from the database, nothing lost. Only while holding the ingest lock (KnowledgeBase.writer_lease
        calls it before every write)."""
        if self.is_server or self.read_only_copy or not self.damaged:
            return []
        done = []
        with self._chroma_lock.writing():
            for name, damaged in list(self.damaged.items()):
                folder = self._settings.data_dir / "chroma" / damaged.folder.name
                if name == self._collection("vectors"):
                    with suppress(Exception):  # removed meanwhile
                        self.client.delete_collection(name)
                    self.vectors_rebuilt = True
                    done.append(f"向量索引已损坏（{folder}：{damaged.reason}），已删除并重建；全部切块的向量将重新计算")
                else:
                    self._copy_rows(name)
                    what = "条文内容" if name == self._collection("texts") else "文档清单"
                    done.append(
                        f"{what}的索引文件已损坏（{folder}：{damaged.reason}），已按数据库中的内容重建，"
                        "已导入的内容没有丢失"
                    )
                if damaged.folder.parent == self._path and _SEGMENT_FOLDER.fullmatch(damaged.folder.name):
                    shutil.rmtree(damaged.folder, ignore_errors=True)
                del self.damaged[name]
            key = str(self._path.resolve()) if self._path is not None else ""
            _DAMAGED[key] = [d for d in _DAMAGED.get(key, []) if d.collection in self.damaged]
            self._open_collections()
            self._vectored, self._vectors_seen = None, -1
        self.repairs.extend(done)
        return done

    def _copy_rows(self, name: str) -> None:
        """Rebuild a collection of texts or documents: its rows copied into a new one, which then takes its name."""
        spare = f"{name}{_REBUILT}"
        with suppress(Exception):  # an unfinished copy of an earlier attempt
            self.client.delete_collection(spare)
        old = self.client.get_collection(name, embedding_function=None)
        new = self.client.create_collection(spare, embedding_function=None)
        offset = 0
        while True:
            page = old.get(include=["metadatas"], limit=_PAGE, offset=offset)
            ids, metadatas = page["ids"], page["metadatas"] or []
            for start in range(0, len(ids), self.batch_size):
                end = start + self.batch_size
                new.add(ids=ids[start:end], embeddings=[[1.0]] * len(ids[start:end]), metadatas=metadatas[start:end])
            if len(ids) < _PAGE:
                break
            offset += _PAGE
        if new.count() != old.count():
            raise VectorIndexDamaged(f"重建 {name} 时复制的行数与原有的不符，未替换原集合；请重试 anquan ingest")
        self.client.delete_collection(name)
        new.modify(name=name)

    def _open_vectors(self, name: str):
        try:
            collection = self.client.get_collection(name, embedding_function=None)
        except Exception:  # noqa: BLE001 - not there yet (the error type differs between local and server)
            pass
        else:
            return self._searching_wide(collection)
        try:
            return self.client.create_collection(name, embedding_function=None, schema=_vector_schema())
        except Exception:  # noqa: BLE001 - created meanwhile by another process, or a server without schemas
            return self._searching_wide(
                self.client.get_or_create_collection(
                    name, embedding_function=None, configuration={"hnsw": {"space": "cosine", "ef_search": _EF_SEARCH}}
                )
            )

    @staticmethod
    def _searching_wide(collection):
        """The collection, its searches set to _EF_SEARCH candidates (a collection made by an earlier version
        has Chroma's default); before its index is loaded, so that this process searches with it too."""
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search", _EF_SEARCH) < _EF_SEARCH:
            try:
                collection.modify(configuration={"hnsw": {"ef_search": _EF_SEARCH}})
            except Exception:  # noqa: BLE001 - a server that cannot change it searches as before
                pass
        return collection

    # the layout of earlier versions
    def legacy_collections(self) -> list[str]:
        """Collections this embedder's chunks were kept in by earlier versions (their documents must be
        ingested again: the manifest of this version starts empty)."""
        names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        return [name.format(self.name) for name in _LEGACY if name.format(self.name) in names]

    def other_libraries(self) -> list[tuple[str, int]]:
        """The libraries other embedders built in this store that hold documents: (embedder name, documents), most
        documents first. The collections are named after the embedder (builtin-lsa-256, e5-small-q4-384): another
        embedder, or another ANQUAN_BUILTIN_DIM, sees none of them."""
        prefix = "anquan-documents-"
        found = []
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            embedder = name[len(prefix) :]
            if not name.startswith(prefix) or embedder == self.name or name.endswith(_REBUILT):
                continue
            try:
                documents = self.client.get_collection(name, embedding_function=None).count()
            except Exception:  # noqa: BLE001 - removed meanwhile, or unreadable: not a library to point to
                continue
            if documents:
                found.append((embedder, documents))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))

    def drop_legacy(self) -> list[str]:
        dropped = self.legacy_collections()
        for name in dropped:
            self.client.delete_collection(name)
        return dropped

    # documents (the manifest)
    def _disk_stamp(self) -> tuple[int, ...] | None:
        """When the embedded store's files were last written (None with a server): an unchanged stamp
        means the document table read before is still current, however long ago."""
        if self.is_server:
            return None
        database = self._settings.data_dir / "chroma" / "chroma.sqlite3"
        stamps = []
        for path in (database, database.with_name("chroma.sqlite3-wal")):
            try:
                stamps.append(path.stat().st_mtime_ns)
            except OSError:
                stamps.append(0)
        return tuple(stamps)

    def all_documents(self) -> dict[str, DocumentRecord]:
        stamp = self._disk_stamp()
        if self._documents is not None and (
            time.monotonic() - self._documents_read_at < DOCUMENTS_TTL
            or (stamp is not None and stamp == self._documents_stamp)
        ):
            return dict(self._documents)
        self._documents = self._reopening(self._read_documents)  # a clash with a writer: reopen, read again
        self.generation += 1
        self._documents_read_at = time.monotonic()
        self._documents_stamp = stamp
        seen = _table_signature(self._documents)
        if self._seen and seen != self._seen and not self._wrote and not self.is_server:
            self._stale = True  # changed by another process
        self._seen, self._wrote = seen, False
        if not self.is_server:
            vectors = self.chunks.count()  # read from disk, unlike the index
            if 0 <= self._vectors_seen != vectors:
                self._stale = True  # another process wrote vectors (anquan embed): the index here lacks them
            self._vectors_seen = vectors
        return dict(self._documents)

    @property
    def status_signature(self) -> str:
        """Which versions of which documents, and which are in force, as last read or written."""
        return self._seen

    def vectors_rewritten(self) -> None:
        """Another process rewrote the stored vectors in place (a refit of the built-in embedder): their number
        is unchanged, but the vector index loaded here is stale; it is read again at the next search."""
        if not self.is_server:
            self._stale = True

    def invalidate(self) -> None:
        """Read the document table again at the next use (another process has just written it)."""
        self._documents_read_at = 0.0
        self._documents_stamp = None

    def _reopen(self, if_stale: bool = False) -> None:
        """A fresh embedded client reads the vector index as it is on disk now. Chroma shares one system
        per path in a process; a new one is started and put in its place (clients already open keep theirs).
        One thread at a time; with if_stale, only when no other thread has reopened it meanwhile."""
        with self._chroma_lock.writing():
            if not if_stale or self._stale:
                self._reopen_now()

    def _reopen_now(self) -> None:
        from chromadb.api import ServerAPI
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import System
        from chromadb.telemetry.product import ProductTelemetryClient

        chroma_settings = ChromaSettings(
            anonymized_telemetry=False, is_persistent=True, persist_directory=str(self._path)
        )
        system = System(chroma_settings)
        # System.instance is typed for concrete classes, but resolves an abstract one to its configured implementation
        system.instance(ProductTelemetryClient)  # type: ignore[type-abstract]
        system.instance(ServerAPI)  # type: ignore[type-abstract]
        system.start()
        SharedSystemClient._identifier_to_system[SharedSystemClient._get_identifier_from_settings(chroma_settings)] = (
            system
        )
        self.client = open_client(self._settings, self._path)
        self._open_collections()
        self._stale = False

    def _read_documents(self) -> dict[str, DocumentRecord]:
        records: dict[str, DocumentRecord] = {}
        offset = 0
        while True:
            page = self.documents.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for meta in page["metadatas"] or []:
                record = DocumentRecord.from_metadata(meta)
                records[record.doc_id] = record
            if len(page["ids"]) < _PAGE:
                return records
            offset += _PAGE

    def _wrote_documents(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep the document table read before current after writing these manifest rows (one writer at a
        time holds the ingest lock, so nobody else changed it meanwhile): no read of the whole table. The
        records are read from the rows as written, as a reader of the table would (sharing nothing with the
        writer's records)."""
        self._wrote = True
        if self._documents is None:
            return
        documents = dict(self._documents)  # a new table: other threads may be copying the current one
        documents.update((r.doc_id, r) for r in map(DocumentRecord.from_metadata, rows))
        self._documents_read_at, self._documents_stamp = time.monotonic(), self._disk_stamp()
        self._seen, self._wrote = _table_signature(documents), False
        self._documents = documents
        self.generation += 1

    def commit_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Commit several documents at once (their chunks must be written already)."""
        rows = [r.to_metadata() for r in records]
        for start in range(0, len(records), self.batch_size):
            batch = records[start : start + self.batch_size]
            self.documents.upsert(
                ids=[r.doc_id for r in batch],
                embeddings=[[1.0]] * len(batch),
                metadatas=rows[start : start + len(batch)],
            )
        self._wrote_documents(rows)

    def update_documents(self, records: list[DocumentRecord]) -> None:
        rows = [r.to_metadata() for r in records]
        for start in range(0, len(records), self.batch_size):
            batch = records[start : start + self.batch_size]
            self.documents.update(ids=[r.doc_id for r in batch], metadatas=rows[start : start + len(batch)])
        self._wrote_documents(rows)

    def delete_document(self, doc_id: str) -> None:
        """The document's record, then every stored version of its chunks."""
        self._documents, self._wrote = None, True
        self.documents.delete(ids=[doc_id])
        self._delete_versions(doc_id, lambda doc_hash: True)

    # chunks
    def add_chunks(
        self, ids: list[str], embeddings, texts: list[str], metadatas: list[dict[str, Any]], new: bool = False
    ) -> None:
        """Write chunks (every chunk of each document version among them): their texts first, then their
        vectors, so that every vector's text can be found and deleted with its version. new=True when none
        of the ids can exist yet (cheaper than an upsert). embeddings None: texts only, the vectors are
        written later (write_vectors; see ingest.vector_builder)."""
        rows: dict[str, _TextRow] = {}
        for chunk_id_, text, meta in zip(ids, texts, metadatas, strict=True):
            row_id, ordinal = _row_of(chunk_id_)
            row = rows.get(row_id)
            if row is None:
                row = rows[row_id] = _TextRow(
                    meta["doc_id"], meta["doc_hash"], ordinal, {k: meta[k] for k in _DOC_FIELDS if k in meta}, []
                )
            own = {k: v for k, v in meta.items() if k not in _DOC_FIELDS and k not in _FROM_MANIFEST}
            row.chunks.append([text, own])
        row_ids = list(rows)
        write = self.texts.add if new else self.texts.upsert
        for start in range(0, len(row_ids), self.batch_size):
            batch = row_ids[start : start + self.batch_size]
            write(
                ids=batch,
                embeddings=[[1.0]] * len(batch),
                metadatas=[
                    {
                        "doc_id": rows[r].doc_id,
                        "doc_hash": rows[r].doc_hash,
                        "first": rows[r].first,
                        "count": len(rows[r].chunks),
                        "chunks": _encode([rows[r].document, rows[r].chunks]),
                    }
                    for r in batch
                ],
            )
        if embeddings is not None:
            self.write_vectors(ids, embeddings, new)

    def write_vectors(self, ids: list[str], embeddings, new: bool = False) -> None:
        """Write these chunks' vectors (each Chroma call is one transaction: a chunk has its whole vector or
        none). Not while another thread reopens the client."""
        with self._chroma_lock.writing():
            write = self.chunks.add if new else self.chunks.upsert
            for start in range(0, len(ids), self.batch_size):
                end = start + self.batch_size
                write(ids=ids[start:end], embeddings=embeddings[start:end])
            stored = self.chunks.count()
            self._tune_sync(stored)
            if self._vectors_seen >= 0:
                self._vectors_seen = stored  # written here: the index here has them
            known = self._vectored
            if known is not None and ids:  # what with_vectors knew, with these: no new read of every id
                self._vectored = ((known[0][0], stored), known[1] | frozenset(ids))

    def _tune_sync(self, stored: int) -> None:
        """Have embedded Chroma write a small vector index to disk more often (SYNC_SHARE): every process replays
        the changes made since the index file was written when it first searches."""
        if self.is_server:
            return
        wanted = min(SYNC_MOST, max(SYNC_LEAST, stored // SYNC_SHARE))
        hnsw = (self.chunks.configuration or {}).get("hnsw") or {}
        if hnsw.get("sync_threshold") != wanted:
            with suppress(Exception):  # a Chroma that cannot change it syncs as before
                self.chunks.modify(configuration={"hnsw": {"sync_threshold": wanted}})

    def delete_stale_chunks(self, doc_id: str, current_hash: str) -> None:
        """Every stored version of the document's chunks but the current one."""
        self._delete_versions(doc_id, lambda doc_hash: doc_hash != current_hash)

    def delete_chunks_of_version(self, doc_id: str, doc_hash: str) -> None:
        self._delete_versions(doc_id, lambda stored: stored == doc_hash)

    def _delete_versions(self, doc_id: str, which) -> None:
        """Delete the text rows (vectors first) of the document's versions whose hash `which` accepts."""
        found = self.texts.get(where={"doc_id": doc_id}, include=["metadatas"])
        doomed = [
            (row_id, meta)
            for row_id, meta in zip(found["ids"], found["metadatas"], strict=True)
            if which(meta["doc_hash"])
        ]
        vector_ids = [
            f"{_chunk_prefix(doc_id, meta['doc_hash'])}{ordinal:05d}"
            for _, meta in doomed
            for ordinal in range(meta["first"], meta["first"] + meta["count"])
        ]
        for start in range(0, len(vector_ids), self.batch_size):
            self.chunks.delete(ids=vector_ids[start : start + self.batch_size])
        if vector_ids and self._vectors_seen >= 0:
            self._vectors_seen = self.chunks.count()  # deleted here: not another process's change
        if doomed:
            self.texts.delete(ids=[row_id for row_id, _ in doomed])
        with self._rows_lock:
            for row_id, _ in doomed:
                self._rows.pop(row_id, None)

    def _text_rows(self, row_ids: Iterable[str]) -> dict[str, _TextRow]:
        """The decoded text rows that exist among these ids (cached: a version's rows never change)."""
        wanted = list(dict.fromkeys(row_ids))
        found: dict[str, _TextRow] = {}
        with self._rows_lock:
            for r in wanted:
                row = self._rows.get(r)
                if row is not None:
                    self._rows.move_to_end(r)
                    found[r] = row
        missing = [r for r in wanted if r not in found]
        for start in range(0, len(missing), _TEXT_PAGE):
            page = self._reopening(
                lambda start=start: self.texts.get(ids=missing[start : start + _TEXT_PAGE], include=["metadatas"])
            )
            found.update(self._remember(page["ids"], page["metadatas"]))
        return found

    def _remember(self, row_ids: list[str], metadatas: list[dict[str, Any]]) -> dict[str, _TextRow]:
        decoded = {}
        for row_id, meta in zip(row_ids, metadatas, strict=True):
            document, chunks = _decode(meta["chunks"])
            decoded[row_id] = _TextRow(meta["doc_id"], meta["doc_hash"], meta["first"], document, chunks)
        with self._rows_lock:
            self._rows.update(decoded)
            while len(self._rows) > _TEXT_CACHE_ROWS:
                self._rows.popitem(last=False)
        return decoded

    def _stored_chunk(self, chunk_id_: str, row: _TextRow, ordinal: int) -> StoredChunk:
        text, own = row.chunks[ordinal - row.first]
        record = (self._documents or {}).get(row.doc_id)
        if record is not None and record.hash != row.doc_hash:
            record = None  # the record of another version says nothing about this chunk
        meta = {
            **row.document,
            "doc_id": row.doc_id,
            "doc_hash": row.doc_hash,
            **own,
            "superseded": record.superseded if record is not None else False,
            "superseded_by": record.superseded_by if record is not None else "",
            "repealed": record.repealed if record is not None else False,
            "repealed_by": record.repealed_by if record is not None else "",
            "repealed_by_article": record.repealed_by_article if record is not None else "",
            "repealed_on": record.repealed_on if record is not None else "",
            "pending": record.pending if record is not None else False,
        }
        if record is not None:  # title, kind, region and date as the record has them now (they may be corrected)
            meta.update(title=record.title, kind=record.kind, region=record.region, date=record.date)
        return StoredChunk(chunk_id_, text, meta)

    def get_chunks(self, ids: list[str]) -> list[StoredChunk]:
        """The stored chunks among these ids, in their order."""
        self.all_documents()  # the version status each chunk reports
        located = [(chunk_id_, *_row_of(chunk_id_)) for chunk_id_ in ids]
        rows = self._text_rows(row_id for _, row_id, _ in located)
        chunks = []
        for chunk_id_, row_id, ordinal in located:
            row = rows.get(row_id)
            if row is not None and row.first <= ordinal < row.first + len(row.chunks):
                chunks.append(self._stored_chunk(chunk_id_, row, ordinal))
        return chunks

    def document_chunks(self, doc_id: str, doc_hash: str | None = None) -> list[StoredChunk]:
        """Every stored chunk of a document (of one version when doc_hash is given), in order."""
        where: dict[str, Any] = {"doc_id": doc_id}
        if doc_hash is not None:
            where = {"$and": [where, {"doc_hash": doc_hash}]}
        found = self.texts.get(where=where, include=["metadatas"])
        rows = self._remember(found["ids"], found["metadatas"])
        self.all_documents()
        return [
            self._stored_chunk(chunk_id_, row, ordinal)
            for row in sorted(rows.values(), key=lambda r: (r.doc_hash, r.first))
            for ordinal, chunk_id_ in enumerate(row.vector_ids(), start=row.first)
        ]

    def iter_chunks(self) -> Iterator[StoredChunk]:
        """Every chunk that has a vector (with its text; "" for a vector whose text row is gone). Chunks whose
        vectors are still to be computed are not among them: committed_chunks has every committed chunk."""
        offset = 0
        while True:
            page = self.chunks.get(include=[], limit=_PAGE, offset=offset)["ids"]
            stored = {chunk.id: chunk for chunk in self.get_chunks(page)}
            yield from (stored.get(chunk_id_) or StoredChunk(chunk_id_, "") for chunk_id_ in page)
            if len(page) < _PAGE:
                return
            offset += _PAGE

    def count(self) -> int:
        """Vectors stored (committed chunks without a vector yet are not counted; see vector_coverage)."""
        return self.chunks.count()

    def has_vectors(self) -> bool:
        """Whether any vector is stored, for each question: the count this process last read when it is not zero
        (counting 150,000 rows each question is slow; it is read again with the documents, so vectors another process
        writes or removes are seen then), else counted now (the first vectors `anquan embed` writes are seen at
        once)."""
        return self._vectors_seen > 0 or self.count() > 0

    @staticmethod
    def committed_ids(records: dict[str, DocumentRecord]) -> list[str]:
        """Every chunk id of the committed document versions, by document id then position."""
        return [
            i
            for doc_id in sorted(records)
            for i in chunk_ids(doc_id, records[doc_id].hash, records[doc_id].chunk_count)
        ]

    def committed_chunks(self, records: dict[str, DocumentRecord]) -> Iterator[StoredChunk]:
        """Every chunk of the committed document versions (whether it has a vector or not), in committed_ids order."""
        ids = self.committed_ids(records)
        for start in range(0, len(ids), _PAGE):
            yield from self.get_chunks(ids[start : start + _PAGE])

    def with_vectors(self, records: dict[str, DocumentRecord]) -> frozenset[str]:
        """The ids of the committed chunks that have a vector (it may hold a few ids written since that are not
        committed). Read by chunk id a page at a time (a second or two for 150,000 chunks) and kept until the
        committed documents or the number of stored vectors change; this process's writes keep it current."""
        key = (_table_signature(records), self.chunks.count())
        known = self._vectored
        if known is not None and known[0] == key:
            return known[1]
        ids = self.committed_ids(records)
        found: set[str] = set()
        for start in range(0, len(ids), self.batch_size):
            part = ids[start : start + self.batch_size]
            found.update(self._reopening(lambda part=part: self.chunks.get(ids=part, include=[]))["ids"])
        present = frozenset(found)
        self._vectored = (key, present)
        return present

    def vector_coverage(self, records: dict[str, DocumentRecord]) -> tuple[int, int]:
        """(committed chunks that have a vector, committed chunks)."""
        present = self.with_vectors(records)
        ids = self.committed_ids(records)
        return sum(1 for i in ids if i in present), len(ids)

    def _committed_prefixes(self, records: dict[str, DocumentRecord]) -> dict[str, str]:
        """Chunk-id prefix of each committed document version -> its doc id (a chunk id starts with its
        version's prefix, so which chunks are committed is known without reading their texts)."""
        generation, prefixes = self._committed
        if generation != self.generation:
            prefixes = {_chunk_prefix(r.doc_id, r.hash): r.doc_id for r in records.values()}
            self._committed = (self.generation, prefixes)
        return prefixes

    def query(
        self, embedding: list[float], k: int, documents: set[str] | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """The k nearest chunks of committed document versions (of these documents, when given)."""
        records = self.all_documents()  # first: it finds out whether another process changed the index
        if self._stale:
            self._reopen(if_stale=True)
        prefixes = self._committed_prefixes(records)
        wanted = records.keys() if documents is None else documents

        def committed(found: list[tuple[str, float]]) -> list[tuple[str, float]]:
            return [(i, score) for i, score in found if prefixes.get(i.rsplit("-", 1)[0] + "-") in wanted]

        # most chunks pass: search a little deeper and drop the others here (a search with a Chroma filter
        # is slow on a large collection); else search only the wanted documents' chunks
        depth = 2 * k + 10
        found = self._query(embedding, depth, None)
        kept = committed(found)
        if len(kept) < k and len(found) == depth:
            present = self.with_vectors(records)  # an id without a vector fails the whole search
            ids = [
                i
                for doc_id in sorted(wanted)
                if doc_id in records  # sorted: the same request in every process
                for i in chunk_ids(doc_id, records[doc_id].hash, records[doc_id].chunk_count)
                if i in present
            ]
            kept = committed(self._query(embedding, depth, ids)) if ids else []
        # the cut at k by score, ties (copies of one text, float noise) by chunk id: the same k chunks whatever
        # order the index returned equal distances in (3 of 10 identical searches differed in their top 8)
        kept.sort(key=lambda pair: (-round(pair[1], _SCORE_DIGITS), pair[0]))
        score = dict(kept[:k])
        return [(chunk, score[chunk.id]) for chunk in self.get_chunks(list(score))]

    def _reopening(self, call):
        """Call; on an embedded store whose chunks another process deleted since this one loaded the index,
        reopen it and call again."""
        try:
            return call()
        except InternalError:
            if self.is_server:
                raise
            self._reopen()
            return call()

    def _vector_read(self, call, empty: dict[str, Any]) -> dict[str, Any]:
        """A read of the chunks' vectors; when the embedded store fails it even after a reopen, and again once the
        index's files had time to settle (another process may be writing them back, see _lasting), the vector index
        is damaged in a way its files did not show: the question is answered by the lexical index alone, and
        vector_problem says so until a read succeeds again."""
        try:
            found = self._reopening(call)
        except InternalError as exc:
            if self.is_server:
                raise
            time.sleep(DAMAGE_SETTLE_S)
            try:
                found = self._reopening(call)
            except InternalError:
                return self._failed_read(exc, empty)
        self._read_failure = ""
        return found

    def _failed_read(self, exc: InternalError, empty: dict[str, Any]) -> dict[str, Any]:
        """What _vector_read answers when the read failed for good: nothing, with vector_problem saying why."""
        where = self._settings.data_dir / "chroma"
        self._read_failure = (
            f"读取向量索引时出错（{where}，{exc}），向量索引可能已损坏；本次只按词语检索（BM25），"
            f"结果可能不如平时准确。如反复出现，请删除文件夹 {where} 中除 chroma.sqlite3 以外的子文件夹后"
            f"运行 anquan embed 重建向量索引（已导入的文档不受影响）。"
        )
        return empty

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (those that have one)."""
        if not ids:
            return {}
        if self._stale:
            self._reopen(if_stale=True)
        found = self._vector_read(
            lambda: self.chunks.get(ids=ids, include=["embeddings"]), {"ids": [], "embeddings": []}
        )
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(found["ids"], found["embeddings"], strict=True)}

    def _query(self, embedding: list[float], k: int, ids: list[str] | None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest vectors (among these ids, when given)."""
        result = self._vector_read(
            lambda: self.chunks.query(query_embeddings=[embedding], n_results=k, ids=ids, include=["distances"]),
            {"ids": [[]], "distances": [[]]},
        )
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
