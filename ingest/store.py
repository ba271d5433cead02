"""The Chroma store: one collection of chunks (vectors, texts, metadata) and one of documents
(the manifest: source path, content hash, metadata, version status), both named after the embedder
so a different embedder never mixes vectors. Embedded PersistentClient by default, HttpClient when a
Chroma server is configured."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import chromadb
from chromadb import FtsIndexConfig, HnswIndexConfig, Schema, StringInvertedIndexConfig, VectorIndexConfig
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError

from assistant.settings import Settings

_PAGE = 5000
# How long one process reuses the document table it read (a query reads it several times); writes made
# through this store update it at once, writes by another process are seen after this many seconds.
DOCUMENTS_TTL = 2.0
# Chunk metadata Chroma filters on is stored as its own keys; the rest, and the chunk's text, travel in
# one JSON string (PACKED). Every key and every document is a row in Chroma's SQLite tables with an index
# over its value (documents also go into a full-text index we do not use), so this makes writes of large
# corpora much cheaper. Readers see the text and one flat dict either way.
FILTER_KEYS = ("doc_id", "doc_hash", "kind", "region", "superseded", "superseded_by")
PACKED = "meta"
_TEXT = "text"  # the chunk's text, inside PACKED


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


def pack_metadata(meta: dict[str, Any], text: str) -> dict[str, Any]:
    packed = {k: meta[k] for k in FILTER_KEYS if k in meta}
    rest = {k: v for k, v in meta.items() if k not in FILTER_KEYS}
    rest[_TEXT] = text
    packed[PACKED] = json.dumps(rest, ensure_ascii=False)
    return packed


def unpack(document: str | None, meta: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """(text, flat metadata) of a stored chunk, whichever way it was written (earlier versions kept the
    text as the Chroma document and the metadata in separate keys)."""
    if not meta:
        return document or "", {}
    if PACKED not in meta:
        return document or "", dict(meta)
    flat = {k: v for k, v in meta.items() if k != PACKED}
    flat.update(json.loads(meta[PACKED]))
    text = flat.pop(_TEXT, None)
    return (document or "") if text is None else text, flat


def _table_signature(records: dict[str, DocumentRecord]) -> str:
    """What a reader's vector index depends on: which version of which documents, and which are current."""
    return hashlib.sha1("\n".join(sorted(f"{r.doc_id}:{r.hash}:{r.superseded}" for r in records.values()))
                        .encode("utf-8")).hexdigest()


def _chunk_schema() -> Schema:
    """Chunks: cosine HNSW; no full-text index on the texts (BM25 is our lexical index) and no inverted
    index on the packed metadata string."""
    schema = Schema()
    schema.create_index(config=VectorIndexConfig(space="cosine", hnsw=HnswIndexConfig(ef_construction=64)))
    schema.delete_index(config=FtsIndexConfig(), key="#document")
    for key in (PACKED, "superseded_by"):
        schema.delete_index(config=StringInvertedIndexConfig(), key=key)
    return schema


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

    def to_metadata(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def short_title(self) -> str:
        """The regulation's name shared by all its versions (version_key without the region)."""
        return self.version_key.split("|", 1)[-1]

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> DocumentRecord:
        known = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta}
        return cls(**known)


@dataclass
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def heading_path(self) -> list[str]:
        path = self.metadata.get("heading_path", "")
        return path.split(" / ") if path else []

    @property
    def locations(self) -> list[str]:
        return json.loads(self.metadata.get("locations", "[]") or "[]")


def open_client(settings: Settings):
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
                                   settings=chroma_settings)
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    def __init__(self, settings: Settings, embedder_name: str):
        self.client = open_client(settings)
        self.location = (f"Chroma 服务器 {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host
                         else f"本地 Chroma（{settings.data_dir / 'chroma'}）")
        self.is_server = bool(settings.chroma_host)
        self.name = embedder_name
        self.chunks = self._open_chunks(f"anquan-chunks-{embedder_name}")
        self.documents = self.client.get_or_create_collection(f"anquan-docs-{embedder_name}", embedding_function=None)
        self.batch_size = min(self.client.get_max_batch_size(), _PAGE)
        self._documents: dict[str, DocumentRecord] | None = None
        self._documents_read_at = 0.0
        self._documents_stamp: tuple[int, ...] | None = None
        self.generation = 0  # counts reads of the document table: equal generations, same documents
        # Embedded Chroma keeps its vector index in memory: after another process changed the store this
        # process would query a stale index (missing new chunks, or "Error finding id" for deleted ones).
        self._settings = settings
        self._seen = ""  # the committed documents as this process last saw them
        self._wrote = False  # this store changed them itself since
        self._stale = False

    def _open_chunks(self, name: str):
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # noqa: BLE001 - not there yet (the error type differs between local and server)
            pass
        try:
            return self.client.create_collection(name, embedding_function=None, schema=_chunk_schema())
        except Exception:  # noqa: BLE001 - created meanwhile by another process, or a server without schemas
            return self.client.get_or_create_collection(name, embedding_function=None,
                                                        configuration={"hnsw": {"space": "cosine"}})

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
        if self._documents is not None and (time.monotonic() - self._documents_read_at < DOCUMENTS_TTL
                                            or (stamp is not None and stamp == self._documents_stamp)):
            return dict(self._documents)
        self._documents = self._read_documents()
        self.generation += 1
        self._documents_read_at = time.monotonic()
        self._documents_stamp = stamp
        seen = _table_signature(self._documents)
        if self._seen and seen != self._seen and not self._wrote and not self.is_server:
            self._stale = True  # changed by another process
        self._seen, self._wrote = seen, False
        return dict(self._documents)

    def _reopen(self) -> None:
        """A fresh embedded client reads the vector index as it is on disk now. Chroma shares one system
        per path in a process; a new one is started and put in its place (clients already open keep theirs)."""
        from chromadb.api import ServerAPI
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import System
        from chromadb.telemetry.product import ProductTelemetryClient

        chroma_settings = ChromaSettings(anonymized_telemetry=False, is_persistent=True,
                                         persist_directory=str(self._settings.data_dir / "chroma"))
        system = System(chroma_settings)
        system.instance(ProductTelemetryClient)
        system.instance(ServerAPI)
        system.start()
        SharedSystemClient._identifier_to_system[SharedSystemClient._get_identifier_from_settings(chroma_settings)] = system
        self.client = open_client(self._settings)
        self.chunks = self._open_chunks(f"anquan-chunks-{self.name}")
        self.documents = self.client.get_or_create_collection(f"anquan-docs-{self.name}", embedding_function=None)
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

    def _wrote_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Keep the document table read before current after writing these records (one writer at a
        time holds the ingest lock, so nobody else changed it meanwhile): no read of the whole table."""
        self._wrote = True
        if self._documents is None:
            return
        documents = dict(self._documents)  # a new table: other threads may be copying the current one
        documents.update((r.doc_id, DocumentRecord(**asdict(r))) for r in records)
        self._documents_read_at, self._documents_stamp = time.monotonic(), self._disk_stamp()
        self._seen, self._wrote = _table_signature(documents), False
        self._documents = documents
        self.generation += 1

    def commit_document(self, record: DocumentRecord) -> None:
        self.commit_documents([record])

    def commit_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Commit several documents at once (their chunks must be written already)."""
        for start in range(0, len(records), self.batch_size):
            batch = records[start:start + self.batch_size]
            self.documents.upsert(ids=[r.doc_id for r in batch], embeddings=[[1.0]] * len(batch),
                                  documents=[r.title for r in batch], metadatas=[r.to_metadata() for r in batch])
        self._wrote_documents(records)

    def update_documents(self, records: list[DocumentRecord]) -> None:
        for start in range(0, len(records), self.batch_size):
            batch = records[start:start + self.batch_size]
            self.documents.update(ids=[r.doc_id for r in batch], metadatas=[r.to_metadata() for r in batch])
        self._wrote_documents(records)

    def delete_document(self, doc_id: str) -> None:
        self._documents, self._wrote = None, True
        self.chunks.delete(where={"doc_id": doc_id})
        self.documents.delete(ids=[doc_id])

    # chunks
    def add_chunks(self, ids: list[str], embeddings, texts: list[str], metadatas: list[dict[str, Any]],
                   new: bool = False) -> None:
        """Write chunks; new=True when none of the ids can exist yet (cheaper than an upsert)."""
        write = self.chunks.add if new else self.chunks.upsert
        for start in range(0, len(ids), self.batch_size):
            end = start + self.batch_size
            write(ids=ids[start:end], embeddings=embeddings[start:end],
                  metadatas=[pack_metadata(m, t) for m, t in zip(metadatas[start:end], texts[start:end], strict=True)])

    def delete_stale_chunks(self, doc_id: str, current_hash: str) -> None:
        self.chunks.delete(where={"$and": [{"doc_id": doc_id}, {"doc_hash": {"$ne": current_hash}}]})

    def delete_chunks_of_version(self, doc_id: str, doc_hash: str) -> None:
        self.chunks.delete(where={"$and": [{"doc_id": doc_id}, {"doc_hash": doc_hash}]})

    def set_superseded(self, doc_id: str, superseded: bool, by: str) -> None:
        ids = self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
        for start in range(0, len(ids), self.batch_size):
            batch = ids[start:start + self.batch_size]
            self.chunks.update(ids=batch, metadatas=[{"superseded": superseded, "superseded_by": by}] * len(batch))

    def get_chunks(self, ids: list[str] | None = None, where: dict | None = None) -> list[StoredChunk]:
        result = self.chunks.get(ids=ids, where=where, include=["documents", "metadatas"])
        return [StoredChunk(i, *unpack(d, m)) for i, d, m in
                zip(result["ids"], result["documents"], result["metadatas"], strict=True)]

    def get_metadatas(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> metadata for the given ids (those that exist), fetched in pages."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _PAGE):
            result = self.chunks.get(ids=ids[start:start + _PAGE], include=["metadatas"])
            found.update((i, unpack(None, m)[1]) for i, m in zip(result["ids"], result["metadatas"], strict=True))
        return found

    def get_texts(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """id -> (text, metadata) for the given ids, fetched in pages."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(ids), _PAGE):
            result = self.chunks.get(ids=ids[start:start + _PAGE], include=["documents", "metadatas"])
            for i, d, m in zip(result["ids"], result["documents"], result["metadatas"], strict=True):
                found[i] = unpack(d, m)
        return found

    def iter_chunks(self) -> Iterator[StoredChunk]:
        offset = 0
        while True:
            page = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for i, d, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
                yield StoredChunk(i, *unpack(d, m))
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def count(self) -> int:
        return self.chunks.count()

    def query(self, embedding: list[float], k: int, where: dict | None = None) -> list[tuple[StoredChunk, float]]:
        if self._stale:
            self._reopen()
        if where == {"superseded": False}:
            # Chroma filters before its vector search, which is slow on a large collection; superseded
            # versions are few, so search a little deeper unfiltered and drop them here
            depth = 2 * k + 10
            found = self._query(embedding, depth, None)
            current = [(chunk, score) for chunk, score in found if not chunk.metadata.get("superseded")]
            if len(current) >= k or len(found) < depth:
                return current[:k]
        return self._query(embedding, k, where)

    def _query(self, embedding: list[float], k: int, where: dict | None) -> list[tuple[StoredChunk, float]]:
        try:
            result = self.chunks.query(query_embeddings=[embedding], n_results=k, where=where,
                                       include=["documents", "metadatas", "distances"])
        except InternalError:
            if self.is_server:
                raise
            self._reopen()  # chunks deleted by another process since this process loaded the index
            result = self.chunks.query(query_embeddings=[embedding], n_results=k, where=where,
                                       include=["documents", "metadatas", "distances"])
        return [(StoredChunk(i, *unpack(d, m)), 1.0 - float(dist)) for i, d, m, dist in
                zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0],
                    strict=True)]
