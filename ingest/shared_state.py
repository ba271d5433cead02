"""What app processes sharing one Chroma server must share beyond the chunks and the document
manifest: the fitted built-in embedder (vectors are comparable only under one fit) and a lease that
lets one ingest at a time write. Both live in one small collection on the server; the local data
directory keeps a copy of the model and the BM25 index, rebuilt from the server when it changed."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.embedders.base import CorpusFittedEmbeddings

_MODEL_FILES = ("lsa.joblib", "lsa.json")
_PART_CHARS = 4 * 1024 * 1024  # base64 characters per record: a large fit is written in several requests
LEASE_SECONDS = 30.0  # a crashed ingest (kill -9) blocks others at most this long
_RENEW_EVERY = 5.0


class ServerBusy(Exception):
    pass


def _model_version(directory: Path) -> str | None:
    paths = [directory / name for name in _MODEL_FILES]
    if not all(p.exists() for p in paths):
        return None
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class SharedState:
    def __init__(self, client, embedder_name: str):
        self.collection = client.get_or_create_collection(f"anquan-shared-{embedder_name}", embedding_function=None)

    # the built-in embedder's fit
    def server_model_version(self) -> str | None:
        got = self.collection.get(ids=["model"], include=["metadatas"])
        return got["metadatas"][0]["version"] if got["ids"] else None

    def publish_model(self, model: CorpusFittedEmbeddings) -> None:
        """Make the local fit the server's (after an ingest fitted it). The pointer record is the commit point."""
        version = _model_version(model.directory)
        if version is None or version == self.server_model_version():
            return
        for name in _MODEL_FILES:
            text = base64.b64encode((model.directory / name).read_bytes()).decode("ascii")
            parts = [text[i : i + _PART_CHARS] for i in range(0, len(text), _PART_CHARS)] or [""]
            for n, part in enumerate(parts):
                self.collection.upsert(
                    ids=[f"model-{version}-{name}-{n}"],
                    embeddings=[[0.0]],
                    metadatas=[
                        {
                            "kind": "model-part",
                            "version": version,
                            "file": name,
                            "part": n,
                            "parts": len(parts),
                            "data": part,
                        }
                    ],
                )
        self.collection.upsert(ids=["model"], embeddings=[[0.0]], metadatas=[{"kind": "model", "version": version}])
        self.collection.delete(where={"$and": [{"kind": "model-part"}, {"version": {"$ne": version}}]})

    def sync_model(self, model: CorpusFittedEmbeddings) -> bool:
        """Replace the local fit by the server's when they differ. Returns True when the model changed."""
        for _ in range(3):
            version = self.server_model_version()
            if version is None or version == _model_version(model.directory):
                return False
            files: dict[str, list[tuple[int, int, str]]] = {}
            got = self.collection.get(
                where={"$and": [{"kind": "model-part"}, {"version": version}]}, include=["metadatas"]
            )
            for meta in got["metadatas"]:
                files.setdefault(meta["file"], []).append((meta["part"], meta["parts"], meta["data"]))
            complete = all(name in files and len(files[name]) == files[name][0][1] for name in _MODEL_FILES)
            if not complete:  # replaced by a newer fit while reading; read the pointer again
                time.sleep(0.2)
                continue
            model.directory.mkdir(parents=True, exist_ok=True)
            for name in _MODEL_FILES:
                data = base64.b64decode("".join(d for _, _, d in sorted(files[name])))
                tmp = model.directory / f"{name}.{uuid.uuid4().hex[:8]}.tmp"
                tmp.write_bytes(data)
                tmp.replace(model.directory / name)
                fresh = type(model).open(model.directory, model.dim)
            model.adopt(fresh)
            return True
        return False

    # one writer at a time across every process using the server
    @contextmanager
    def ingest_lease(self, timeout: float, holder: str) -> Iterator[None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        while True:
            now = time.time()
            # add() keeps an existing record: of two processes adding at once, the first one wins
            self.collection.add(
                ids=["lease"],
                embeddings=[[0.0]],
                metadatas=[{"kind": "lease", "token": token, "holder": holder, "expires": now + LEASE_SECONDS}],
            )
            got = self.collection.get(ids=["lease"], include=["metadatas"])
            current = got["metadatas"][0] if got["ids"] else None
            if current is not None and current["token"] == token:
                break
            if current is not None and current["expires"] < now:  # its holder died without releasing it
                self.collection.delete(ids=["lease"], where={"token": current["token"]})
                continue
            if time.monotonic() > deadline:
                raise ServerBusy(current["holder"] if current else "")
            time.sleep(0.5)
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(_RENEW_EVERY):
                try:
                    self.collection.update(
                        ids=["lease"],
                        metadatas=[
                            {"kind": "lease", "token": token, "holder": holder, "expires": time.time() + LEASE_SECONDS}
                        ],
                    )
                except Exception:  # noqa: BLE001 - a missed renewal only shortens the lease
                    pass

        renewer = threading.Thread(target=renew, daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            self.collection.delete(ids=["lease"], where={"token": token})
