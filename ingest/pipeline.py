"""The ingest pipeline: walk paths, load and clean files, chunk them, embed, and commit each
document to the store; then mark superseded versions and repealed texts, and refresh the BM25 index.

Safety: one writer at a time (a file lock); new chunks are written under ids that include the new
content hash, the document record (the commit point) is written next, and the old chunks are deleted
last. A journal of in-flight documents lets the next run finish or roll back what a crash
(even kill -9) interrupted, and readers ignore chunks whose hash is not the committed one.

Speed: files are prepared (loaded, chunked, segmented for BM25 and, once the built-in embedder is
fitted, embedded) in worker processes (ingest.preparation) and written in batches of several thousand
chunks: a few large Chroma writes and one commit of the batch's document records. With the built-in
embedder the writer first fits it on a sample of the first files. The BM25 token cache is filled as
chunks are written, so the lexical index is rebuilt without reading the chunks back.

Vectors: the built-in embedder's are written with the chunks. A neural embedder's (a few chunks per second on
a CPU) are not: the documents are searchable once committed and the BM25 index rebuilt, and their vectors are
computed afterwards (ingest.vector_builder), at the end of the run unless it is asked not to.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from assistant.settings import Settings
from ingest.authority import confirmed_note, held_documents, held_note
from ingest.chunk import Chunk
from ingest.corrections import BY_ADMIN, BY_UPLOADER, Corrections, describe_fields, normalise
from ingest.corrections import apply as apply_correction
from ingest.embedders import LsaEmbeddings
from ingest.embedders.builtin import FIT_SAMPLE
from ingest.encoding import readable_path
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.loaders.limits import LoadLimits
from ingest.metadata import VERSIONED_KINDS, doc_id_for
from ingest.preparation import Preparation, Prepared, Task
from ingest.repeal import chinese_date, find_repeals, repeal_claims
from ingest.report import STATUS_LABELS, FileResult, IngestReport
from ingest.shared_state import ServerBusy
from ingest.store import ORIGIN_CURATED, ORIGIN_UPLOAD, DocumentRecord, chunk_id, chunk_ids
from ingest.vector_builder import STAGE, VectorBuilder, VectorsBusy, vectors_later

# Bump when cleaning or chunking changes, so unchanged files are re-chunked once.
PIPELINE_VERSION = "4"  # 2: heading-only plan sections kept, mixed-encoding files read line by line;
# 3: over-long lines cut to the token budget and never taken for headings, UTF-16 without BOM and stray bytes read;
# 4: kinds classified by legal form (ingest.legal_forms), regions down to districts and counties
BATCH_CHUNKS = 5000  # chunks embedded and written per batch (Chroma's largest batch is about 5,400)


class IngestBusy(Exception):
    def __init__(self, data_dir: Path):
        super().__init__(f"另一个导入任务正在写入 {data_dir}，请等它结束后再试")


def content_hash(data: bytes, settings: Settings) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"|pipeline={PIPELINE_VERSION}|budget={settings.chunk_max_tokens}".encode())
    return digest.hexdigest()[:20]


_REPEAL_READ_CHUNKS = 4000  # stored chunks read per call when finding what earlier records repeal
_STAMP_SETTLED_S = 2.0  # a file modified more recently may change again within the same clock tick


def file_stamp(stat: os.stat_result, settings: Settings) -> str:
    """Size and modification time of a file, with what else content_hash covers: a file whose stamp
    equals the one StampCache kept is unchanged without being read again (as git and make decide). ""
    (never trusted) for a file modified in the last seconds, whose next change might keep size and time."""
    if time.time() - stat.st_mtime < _STAMP_SETTLED_S:
        return ""
    return f"{stat.st_size}:{stat.st_mtime_ns}|pipeline={PIPELINE_VERSION}|budget={settings.chunk_max_tokens}"


def _oversized_or_unreadable(path: Path, max_bytes: float) -> FileResult | None:
    """A file that cannot be opened (vanished, dangling or looping symlink) or is over the size limit."""
    try:
        status = path.stat()
    except OSError as exc:
        if path.is_symlink():
            return FileResult(path, "failed", reason=f"符号链接指向的文件不存在或链接形成循环（{exc.strerror}），已跳过")
        return FileResult(path, "failed", reason="文件不存在或在导入过程中被移走")
    if not stat.S_ISREG(status.st_mode):  # a named pipe or a device would block the read, or never end
        return FileResult(path, "failed", reason="不是普通文件（管道、设备或套接字），已跳过；请导入保存在磁盘上的文件")
    size = status.st_size
    if size > max_bytes:
        return FileResult(path, "failed", reason=f"文件过大（{size / 2**20:.1f} MB，上限 {max_bytes / 2**20:g} MB）："
                                                 "请拆分成多个文件后再导入，或调大 ANQUAN_MAX_FILE_MB")
    return None


def walk(paths: Iterable[Path], max_file_mb: float = 30) -> Iterator[tuple[Path, FileResult | None]]:
    """Files to ingest, sorted; symlinked folders are followed, each real folder once (a link back to a
    parent is no loop). Yields (path, None) for a file to consider, or (path, result) for one that is
    rejected up front (unsupported type, unreadable, over max_file_mb)."""
    max_bytes = max_file_mb * 2**20
    for root in paths:
        if root.is_file():
            yield root, _oversized_or_unreadable(root, max_bytes)
        elif root.is_dir():
            found: list[Path] = []
            visited: set[str] = set()
            for folder, dirs, files in os.walk(root, followlinks=True):
                visited.add(os.path.realpath(folder))
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and os.path.realpath(os.path.join(folder, d)) not in visited)
                found.extend(Path(folder) / f for f in files if not f.startswith("."))
            for path in sorted(found):
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield path, _oversized_or_unreadable(path, max_bytes)
                else:
                    yield path, FileResult(path, "skipped", reason=f"不支持的文件类型“{path.suffix or '无扩展名'}”，"
                                                                  f"已跳过（支持：{'、'.join(SUPPORTED_SUFFIXES)}）")
        else:
            yield root, FileResult(root, "failed", reason="路径不存在，请检查拼写")


def chunk_metadata(chunk: Chunk, record: DocumentRecord, ordinal: int) -> dict:
    return {
        "doc_id": record.doc_id, "doc_hash": record.hash, "title": record.title, "kind": record.kind,
        "region": record.region, "date": record.date, "source": record.source,
        "superseded": record.superseded, "superseded_by": record.superseded_by,
        "unit": chunk.unit, "article": chunk.article, "article_num": chunk.article_num,
        "article_sub": chunk.article_sub, "part": chunk.part, "parts": chunk.parts,
        "heading_path": " / ".join(chunk.heading_path), "locations": json.dumps(chunk.locations, ensure_ascii=False),
        "ordinal": ordinal,
    }


def write_json(path: Path, value: object) -> None:
    """Replace path with value as JSON, atomically: a temporary file beside it, renamed over it only when
    complete (a failed write leaves the old file and no temporary one). Text that is not valid UTF-8 (a
    file name's bytes kept as surrogate escapes) is written as JSON escapes, so it reads back the same."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(value).encode("ascii")  # \udcxx escapes: json.loads gives the same str back
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class StampCache:
    """This machine's record of the files it read: source path -> (file_stamp, content hash), so an
    untouched file is not read and hashed again. Local, like the paths (with a Chroma server too)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self._changed = False

    def hash_of(self, source: str, stamp: str) -> str | None:
        entry = self.entries.get(source)
        return entry[1] if stamp and entry and entry[0] == stamp else None

    def remember(self, source: str, stamp: str, doc_hash: str) -> None:
        if stamp:
            self.entries[source] = [stamp, doc_hash]
        else:
            self.entries.pop(source, None)
        self._changed = True

    def save(self) -> None:
        if self._changed:
            write_json(self.path, self.entries)
            self._changed = False


class Journal:
    """Documents being written; what a crashed run leaves here is finished or rolled back next time."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return []

    def write(self, entries: list[dict]) -> None:
        write_json(self.path, entries)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class _Laps:
    """Records into report.stages the seconds since the previous lap (or since it was made)."""

    def __init__(self, report: IngestReport):
        self.report, self.last = report, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[stage] = self.report.stages.get(stage, 0.0) + now - self.last
        self.last = now


class Ingestor:
    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None,
                 progress: Callable[[str, int, int], None] | None = None):
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        self.progress = progress or (lambda stage, done, total: None)
        self.journal = Journal(settings.data_dir / "ingest-journal.json")
        self.stamps = StampCache(settings.data_dir / "file-stamps.json")
        self._unsettled: dict[str, str] = {}  # source -> content hash of files too recent to stamp when read
        self._screened: set[str] = set()  # the recorded sources of the files screened (exist, whatever their name)
        self.origin = ORIGIN_CURATED  # who brings the files of the current run (ORIGIN_UPLOAD: the web)
        self.corrections: Corrections | None = None  # kept corrections of titles, kinds, regions, dates (read per run)

    @contextmanager
    def _exclusive(self):
        """The data dir's file lock and, with a Chroma server, the server's writer lease: one writer at a time."""
        lock = FileLock(str(self.settings.data_dir / "ingest.lock"))
        try:
            lock.acquire(timeout=self.settings.ingest_lock_timeout)
        except Timeout:
            raise IngestBusy(self.settings.data_dir) from None
        try:
            with self.kb.writer_lease():
                yield
        except ServerBusy:
            raise IngestBusy(self.kb.store.location) from None
        finally:
            lock.release()

    def run(self, paths: list[Path], prune: bool = False, origin: str = ORIGIN_CURATED,
            confirm_supersede: bool = False, vectors: bool = True) -> IngestReport:
        """Ingest the files under paths. origin: who brings them (ORIGIN_UPLOAD for the web). A file that would
        supersede or repeal a text in force is held 待确认 unless confirm_supersede: the administrator confirms
        every file under these paths (ingest.authority). With a neural embedder the documents are searchable
        (BM25, articles, versions) once the lexical part is done; then, unless vectors=False, the chunks that lack
        a vector get one (ingest.vector_builder; anquan embed or anquan serve do it otherwise)."""
        self.origin = origin
        with self._exclusive():
            self.kb.sync_shared_model()
            dropped = self.kb.store.drop_legacy()
            report = self._run(paths, prune, confirm_supersede)
            if dropped:
                report.notes.insert(0, "知识库存储格式已更新：旧格式的索引已删除，本次导入的文件已按新格式入库；"
                                       "此前导入、本次未导入的文件请重新导入")
        if vectors and vectors_later(self.kb):
            try:
                built = VectorBuilder(self.kb, self.progress).run()
            except VectorsBusy as exc:
                report.notes.append(str(exc))
            else:
                report.stages[STAGE] = built.seconds
                report.seconds += built.seconds
                if built.written:
                    report.notes.append(f"已为 {built.written} 个切块计算向量")
        return report

    def confirm(self, doc_ids: list[str]) -> IngestReport:
        """An administrator's confirmation: these documents held 待确认 supersede or repeal what they name."""
        with self._exclusive():
            started = time.perf_counter()
            report = IngestReport(embedder=self.kb.embedder.description)
            records = self.kb.documents()
            for doc_id in doc_ids:
                if doc_id not in records:
                    report.results.append(FileResult(Path(doc_id), "failed", doc_id, reason="知识库中没有这个文档"))
            report.notes.extend(self._apply_versions(records, confirmed={d for d in doc_ids if d in records}))
            report.seconds = time.perf_counter() - started
            return report

    def correct(self, doc_id: str, changes: dict[str, str | None], authoritative: bool = True,
                reset: bool = False) -> IngestReport:
        """Correct a document's title, kind, region or date (reset: undo every correction of it); the correction
        is kept (ingest.corrections) and applied whenever its metadata is derived again. Which version is in force
        is derived anew. authoritative: an administrator's correction, in effect at once; otherwise (the web
        without the administrator password) the document is held 待确认 when the correction would make it
        supersede or repeal a text in force. Raises CorrectionError (Chinese) for a value that cannot be."""
        fields = normalise(changes)
        with self._exclusive():
            started = time.perf_counter()
            report = IngestReport(embedder=self.kb.embedder.description)
            records = self.kb.documents()
            record = records.get(doc_id)
            if record is None:
                report.results.append(FileResult(Path(doc_id), "failed", doc_id, reason="知识库中没有这个文档"))
                return report
            corrections = Corrections(self.settings.data_dir)
            wanted = {} if reset else {**(corrections.fields(doc_id) or record.corrected), **fields}
            before = {name: getattr(record, name) for name in ("title", "kind", "region", "date")}
            if not apply_correction(record, wanted):
                report.results.append(FileResult(Path(record.source), "unchanged", doc_id, record.chunk_count,
                                                 reason="与现有信息相同，未作更改"))
                report.seconds = time.perf_counter() - started
                return report
            confirmed: set[str] = set()
            if authoritative and not record.pending:
                confirmed.add(doc_id)  # an administrator's word: no confirmation needed
            elif not authoritative:
                record.vetted = ""  # like new content: held when it would displace a text in force
            corrections.set(doc_id, record.corrected, BY_ADMIN if authoritative else BY_UPLOADER, record.hash)
            corrections.save()
            self.kb.store.update_documents([record])
            changed = {k: v for k, v in ((n, getattr(record, n)) for n in before) if before[k] != v}
            what = describe_fields(changed) if changed else "无"
            reason = ("已撤销更正，恢复自动识别的信息：" if reset else "已更正：") + what
            report.results.append(FileResult(Path(record.source), "updated", doc_id, record.chunk_count, reason=reason))
            report.notes.extend(self._apply_versions(self.kb.documents(), confirmed))
            report.seconds = time.perf_counter() - started
            return report

    def _apply_corrections(self, records: dict[str, DocumentRecord]) -> None:
        """Put the kept corrections on the records that do not carry them yet (a document re-imported unchanged
        after it was deleted, a corrections file brought from elsewhere)."""
        corrections = self.corrections
        changed = []
        for doc_id in corrections.entries:
            record = records.get(doc_id)
            if record is not None and apply_correction(record, corrections.fields(doc_id)):
                if corrections.by(doc_id) != BY_ADMIN:
                    record.vetted = ""
                changed.append(record)
        if changed:
            self.kb.store.update_documents(changed)

    def remove(self, doc_ids: list[str]) -> IngestReport:
        """Delete documents (chunks and record), re-derive which versions are in force, refresh BM25."""
        with self._exclusive():
            return self._remove(doc_ids)

    def _remove(self, doc_ids: list[str]) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(embedder=self.kb.embedder.description)
        records = self.kb.documents()
        for doc_id in doc_ids:
            record = records.get(doc_id)
            if record is None:
                report.results.append(FileResult(Path(doc_id), "failed", doc_id, reason="知识库中没有这个文档"))
                continue
            self.kb.store.delete_document(doc_id)
            report.results.append(FileResult(Path(record.source), "pruned", doc_id, record.chunk_count,
                                             reason="已按要求删除"))
        report.notes.extend(self._apply_versions(self.kb.documents()))
        self.kb.rebuild_bm25(self.kb.documents())
        report.seconds = time.perf_counter() - started
        return report

    def _recover(self) -> None:
        entries = self.journal.read()
        if not entries:
            return
        records = self.kb.documents()
        for entry in entries:
            record = records.get(entry["doc_id"])
            if record is not None and record.hash == entry["hash"]:
                self.kb.store.delete_stale_chunks(entry["doc_id"], entry["hash"])
            else:
                self.kb.store.delete_chunks_of_version(entry["doc_id"], entry["hash"])
        self.journal.clear()

    def _run(self, paths: list[Path], prune: bool, confirm_supersede: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(embedder=self.kb.embedder.description)
        lap = _Laps(report)
        self._recover()
        # read before anything is written: a corrections file that cannot be read stops the run here
        self.corrections = Corrections(self.settings.data_dir)
        records = self.kb.documents()
        files = list(walk(paths, self.settings.max_file_mb))
        todo: list[Task] = []
        seen_docs: dict[str, tuple[Path, str]] = {}
        for n, (path, rejected) in enumerate(files, start=1):
            self.progress("检查文件", n, len(files))
            if rejected is not None:
                report.results.append(rejected)
                continue
            result, task = self._screen(path, records, seen_docs)
            if task is not None:
                todo.append(task)
            else:
                report.results.append(result)
        self.stamps.save()
        lap("检查文件")
        if todo:
            self._write(todo, records, report, lap)
        records = self.kb.documents()
        if prune:
            self._prune(paths, records, report)
            records = self.kb.documents()
        confirmed = {r.doc_id for r in report.results if r.status in ("added", "updated", "unchanged") and r.doc_id}
        self._apply_corrections(records)
        report.notes.extend(self._apply_versions(records, confirmed if confirm_supersede else ()))
        if self.kb.rebuild_bm25(self.kb.documents()):
            report.notes.append("已重建 BM25 词法索引")
        self._stamp_settled()
        lap("版本状态与 BM25 索引")
        report.seconds = time.perf_counter() - started
        return report

    def _stamp_settled(self) -> None:
        """Stamp the files that were too recent to stamp when read (a corpus copied just before the run)
        and have settled since with the content that was read: the next run need not read them again."""
        for source, doc_hash in self._unsettled.items():
            try:
                path = Path(source)
                stamp = file_stamp(path.stat(), self.settings)
                if stamp and content_hash(path.read_bytes(), self.settings) == doc_hash:
                    self.stamps.remember(source, stamp, doc_hash)
            except OSError:
                continue
        self._unsettled.clear()
        self.stamps.save()

    def _screen(self, path: Path, records: dict[str, DocumentRecord],
                seen_docs: dict[str, tuple[Path, str]]) -> tuple[FileResult, Task | None]:
        """Decide from the content hash whether a file needs work: (result, None) when it does not,
        else (result, task) for prepare_document."""
        doc_id = doc_id_for(readable_path(path))
        real = str(path.resolve())  # the stamps' key: the path as the file system has it
        source = str(readable_path(Path(real)))  # as recorded and shown (a name that is not UTF-8 decoded)
        self._screened.add(source)
        try:
            stamp = file_stamp(path.stat(), self.settings)
            doc_hash = self.stamps.hash_of(real, stamp)  # None unless untouched since it was last read
            if doc_hash is None:
                doc_hash = content_hash(path.read_bytes(), self.settings)
                self.stamps.remember(real, stamp, doc_hash)
                if not stamp:
                    self._unsettled[real] = doc_hash
        except OSError:
            return FileResult(path, "failed", doc_id, reason="文件不存在或在导入过程中被移走"), None
        if doc_id in seen_docs:
            first_path, first_hash = seen_docs[doc_id]
            first_path = readable_path(first_path)
            reason = (f"与 {first_path} 内容相同，已跳过" if first_hash == doc_hash else
                      f"与本次导入的 {first_path} 文件名相同但内容不同，已跳过；如是不同文件请改名")
            return FileResult(path, "skipped", doc_id, reason=reason), None
        seen_docs[doc_id] = (path, doc_hash)
        existing = records.get(doc_id)
        if (self.origin == ORIGIN_UPLOAD and existing is not None and existing.hash != doc_hash
                and not existing.from_upload and Path(existing.source).parent != path.resolve().parent):
            return FileResult(path, "skipped", doc_id,
                              reason=f"与管理员从命令行导入的《{existing.title}》文件名相同，网页上传不能替换它，已跳过；"
                                     f"如是新版本，请改用写明新版本日期的文件名上传，如“{existing.title}(2025-01-01)”"), None
        if existing is not None and existing.source != source and Path(existing.source).exists():
            if existing.hash == doc_hash:
                return FileResult(path, "unchanged", doc_id, existing.chunk_count,
                                  reason=f"内容与已入库的 {existing.source} 相同"), None
            return FileResult(path, "skipped", doc_id,
                              reason=f"文档编号与已入库的 {existing.source} 相同但内容不同，已跳过；如是不同文件请改名"), None
        if existing is not None and existing.hash == doc_hash:
            return FileResult(path, "unchanged", doc_id, existing.chunk_count), None
        status = "updated" if existing is not None else "added"
        return FileResult(path, status, doc_id), (path, doc_hash, status)

    def _ensure_fitted(self, new_texts: list[str], records: dict[str, DocumentRecord], at_least: int = 0) -> bool:
        """Fit the built-in embedder if it needs it (the corpus will hold at least the stored chunks plus
        max(len(new_texts), at_least)). Returns True when stored vectors must be recomputed."""
        model = self.kb.embedder.embeddings
        if not isinstance(model, LsaEmbeddings):
            return False
        existing = sum(r.chunk_count for r in records.values())
        if not model.needs_refit(existing + max(len(new_texts), at_least)):
            return False
        stored_texts = [index_text(c.text, c.metadata.get("heading_path", ""))
                        for c in self.kb.store.committed_chunks(records)]
        self.progress("拟合内置向量模型", 0, 1)
        model.fit(stored_texts + new_texts)
        self.kb.publish_shared_model()
        if not stored_texts:
            model.mark_vectors_current()  # no stored vector to recompute: readers may use the new fit now
        return bool(stored_texts)

    def _reembed_all(self) -> None:
        stored = list(self.kb.store.committed_chunks(self.kb.documents()))
        model = self.kb.embedder.embeddings
        vectors = model.embed_array([index_text(c.text, c.metadata.get("heading_path", "")) for c in stored])
        self.kb.store.write_vectors([c.id for c in stored], vectors)
        model.mark_vectors_current()  # readers in other processes switch to the new fit now

    def _write(self, todo: list[Task], records: dict[str, DocumentRecord], report: IngestReport, lap: _Laps) -> None:
        # A spread-out order, so the first batches (the built-in embedder's fit sample) are a fair
        # sample of the corpus; which of two same-named files counts was decided in walk order.
        todo = list(todo)
        random.Random(13).shuffle(todo)
        model = self.kb.embedder.embeddings
        with Preparation(todo, self.settings.chunk_max_tokens, self.kb.tokenizer, self.kb.terms, model,
                         self.settings.data_dir / "ingest-spool",
                         LoadLimits.from_settings(self.settings)) as preparation:
            stream = iter(preparation)
            held: list[Prepared | FileResult] = []
            existing = sum(r.chunk_count for r in records.values())
            if isinstance(model, LsaEmbeddings) and model.needs_refit(existing + FIT_SAMPLE):
                # the fit needs texts before anything is embedded: hold prepared files until there are enough
                held_chunks = 0
                while held_chunks < FIT_SAMPLE and (item := next(stream, None)) is not None:
                    held.append(item)
                    held_chunks += len(item.texts) if isinstance(item, Prepared) else 0
                    self.progress("读取与切分", len(held), len(todo))
                lap("读取拟合样本")
                texts = [t for item in held if isinstance(item, Prepared) for t in item.texts]
                if self._ensure_fitted(texts, records, at_least=len(texts) if held_chunks < FIT_SAMPLE else FIT_SAMPLE):
                    report.notes.append("语料规模变化较大，已重新拟合内置向量模型并更新全部向量")
                    self._reembed_all()
                lap("拟合向量模型")
            preparation.embedder_fitted()
            batch: list[Prepared] = []
            batch_chunks = 0
            for done, item in enumerate(preparation.with_vectors(itertools.chain(held, stream)), start=1):
                if isinstance(item, Prepared):
                    batch.append(item)
                    batch_chunks += len(item.chunks)
                else:
                    report.results.append(item)
                if batch and (batch_chunks >= BATCH_CHUNKS or done == len(todo)):
                    self._write_batch(batch, records, report)
                    batch, batch_chunks = [], 0
                self.progress("读取、切分与写入", done, len(todo))
        lap("读取、切分与写入")

    def _write_batch(self, batch: list[Prepared], records: dict[str, DocumentRecord], report: IngestReport) -> None:
        """Embed and write the chunks of several documents, then commit their records together."""
        self.journal.write([{"doc_id": item.meta.doc_id, "hash": item.doc_hash} for item in batch])
        now = datetime.now().isoformat(timespec="seconds")
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict] = []
        committed: list[DocumentRecord] = []
        corrections = self.corrections
        for item in batch:
            meta = item.meta
            previous = records.get(meta.doc_id)
            record = DocumentRecord(doc_id=meta.doc_id, source=str(readable_path(item.path.resolve())), hash=item.doc_hash,
                                    title=meta.title, kind=meta.kind, region=meta.region, date=meta.date,
                                    version_key=meta.version_key, chunk_count=len(item.chunks), ingested_at=now,
                                    origin=self.origin,
                                    repeals=[c.to_dict() for c in repeal_claims(
                                        (c.article if c.unit == "article" else "", c.text) for c in item.chunks)])
            # an administrator's correction outlives the metadata derived anew (kept on this machine, or, with a
            # shared Chroma server, on the record a correction elsewhere wrote)
            apply_correction(record, corrections.fields(meta.doc_id) or (previous.corrected if previous else {}))
            if previous is not None:  # the version status stays until the version-status stage derives it again
                record.superseded, record.superseded_by = previous.superseded, previous.superseded_by
                record.repealed_by, record.repealed_by_article, record.repealed_on = (
                    previous.repealed_by, previous.repealed_by_article, previous.repealed_on)
                record.vetted, record.held_over = previous.vetted, list(previous.held_over)  # vetted: the old hash
            ids += [chunk_id(meta.doc_id, item.doc_hash, i) for i in range(len(item.chunks))]
            texts += [c.text for c in item.chunks]
            metadatas += [chunk_metadata(c, record, i) for i, c in enumerate(item.chunks)]
            committed.append(record)
        # a neural embedder's vectors come after the documents are searchable (ingest.vector_builder)
        vectors = None if vectors_later(self.kb) else self._vectors(batch)
        self.kb.store.add_chunks(ids, vectors, texts, metadatas, new=True)  # ids carry the new content hash
        signature = self.kb.tokenizer.signature
        tokens = [t for item in batch if item.segmentation == signature for t in item.tokens]
        token_ids = [chunk_id(item.meta.doc_id, item.doc_hash, i) for item in batch if item.segmentation == signature
                     for i in range(len(item.chunks))]
        self.kb.bm25.cache.put_many(zip(token_ids, tokens, strict=True))
        self.kb.store.commit_documents(committed)
        for item in batch:
            if item.meta.doc_id in records:
                self.kb.store.delete_stale_chunks(item.meta.doc_id, item.doc_hash)
            report.results.append(FileResult(item.path, item.status, item.meta.doc_id, len(item.chunks),
                                             reason="；".join(item.meta.warnings)))
        self.journal.clear()

    def _vectors(self, batch: list[Prepared]) -> np.ndarray:
        """The vectors of the batch's texts, in order: those a worker made with the current fit, the
        rest embedded here."""
        model = self.kb.embedder.embeddings
        fit_id = getattr(model, "fit_id", "")
        missing = [item for item in batch if not (fit_id and item.fit_id == fit_id and item.vectors is not None)]
        if missing:
            embedded = model.embed_array([t for item in missing for t in item.texts])
            offset = 0
            for item in missing:
                item.vectors, offset = embedded[offset:offset + len(item.texts)], offset + len(item.texts)
        return np.vstack([item.vectors for item in batch])

    def _prune(self, roots: list[Path], records: dict[str, DocumentRecord], report: IngestReport) -> None:
        resolved_roots = [readable_path(r.resolve()) for r in roots]  # as sources are recorded
        for record in records.values():
            source = Path(record.source)
            under_root = any(source == root or root in source.parents for root in resolved_roots)
            # a source recorded with its name decoded (not UTF-8 on disk) does not exist as such, but was screened
            if under_root and not source.exists() and record.source not in self._screened:
                self.kb.store.delete_document(record.doc_id)
                report.results.append(FileResult(source, "pruned", record.doc_id, record.chunk_count,
                                                 reason="源文件已不存在"))

    def _apply_versions(self, records: dict[str, DocumentRecord], confirmed: Iterable[str] = ()) -> list[str]:
        """Within each version group the newest date is in force; mark the others superseded. Then mark
        the documents another ingested document repeals (…同时废止), and clear the mark of those whose
        repealing document is gone. A document not yet vetted that would supersede or repeal a text in force
        is held 待确认 instead, with no effect, unless an administrator confirmed it (ingest.authority)."""
        notes: list[str] = []
        confirmed = set(confirmed)
        held = held_documents(records, self.kb.pack.document_aliases, confirmed)
        groups: dict[str, list[DocumentRecord]] = {}
        for record in records.values():
            if record.kind in VERSIONED_KINDS and record.doc_id not in held:
                groups.setdefault(record.version_key, []).append(record)
        changed: list[DocumentRecord] = []
        for record in records.values():
            group = groups.get(record.version_key, [record]) if record.kind in VERSIONED_KINDS else [record]
            newest = max(group, key=lambda r: (r.date, r.doc_id))
            superseded = record.doc_id not in held and newest is not record and newest.date > record.date
            by = newest.doc_id if superseded else ""
            if (record.superseded, record.superseded_by) != (superseded, by):
                record.superseded, record.superseded_by = superseded, by
                changed.append(record)
                if superseded:
                    notes.append(f"《{record.title}》（{record.doc_id}）已被 {by} 取代，默认检索不再使用旧版")
        changed_ids = {r.doc_id for r in changed}
        changed += [r for r in self._read_repeals(records) if r.doc_id not in changed_ids]
        changed_ids = {r.doc_id for r in changed}
        repeals = find_repeals(records, self.kb.pack.document_aliases, suspended=held)
        for record in records.values():
            repeal = repeals.get(record.doc_id)
            status = (repeal.by, repeal.article, repeal.on) if repeal else ("", "", "")
            if (record.repealed_by, record.repealed_by_article, record.repealed_on) == status:
                continue
            record.repealed_by, record.repealed_by_article, record.repealed_on = status
            if record.doc_id not in changed_ids:
                changed.append(record)
                changed_ids.add(record.doc_id)
            if repeal:
                by = records[repeal.by]
                since = f"自{chinese_date(repeal.on)}起" if repeal.on else ""
                notes.append(f"《{record.title}》（{record.doc_id}）{since}由《{by.title}》{repeal.article}废止，"
                             f"默认检索不再使用")
            else:
                notes.append(f"《{record.title}》（{record.doc_id}）不再标记为已废止：知识库中已没有废止它的文档")
        held_notes: list[str] = []
        for record in records.values():
            over = held.get(record.doc_id, [])
            if record.held_over == over and record.vetted == record.hash:
                continue
            if over and over != record.held_over:
                record.held_over = over
                held_notes.append(held_note(record, records))
            elif record.held_over and not over and record.doc_id in confirmed:
                notes.append(confirmed_note(record))
            record.held_over, record.vetted = over, record.hash
            if record.doc_id not in changed_ids:
                changed.append(record)
                changed_ids.add(record.doc_id)
        notes[:0] = held_notes  # what waits for the administrator first
        if changed:
            self.kb.store.update_documents(changed)
        return notes

    def _read_repeals(self, records: dict[str, DocumentRecord]) -> list[DocumentRecord]:
        """What the documents recorded before repeals were read repeal, from their stored chunks (once:
        the records are written back with it). Returns the records it filled in."""
        pending = [r for r in records.values() if r.repeals is None]
        for start in range(0, len(pending), 64):
            batch = pending[start:start + 64]
            ids = [i for r in batch for i in chunk_ids(r.doc_id, r.hash, r.chunk_count)]
            chunks = {}
            for first in range(0, len(ids), _REPEAL_READ_CHUNKS):
                chunks.update((c.id, c) for c in self.kb.store.get_chunks(ids[first:first + _REPEAL_READ_CHUNKS]))
            for record in batch:
                stored = [chunks[i] for i in chunk_ids(record.doc_id, record.hash, record.chunk_count) if i in chunks]
                record.repeals = [c.to_dict() for c in repeal_claims(
                    (c.metadata.get("article", "") if c.metadata.get("unit") == "article" else "", c.text)
                    for c in stored)]
        return pending


def ingest(paths: list[Path], settings: Settings, prune: bool = False, kb: KnowledgeBase | None = None,
           progress: Callable[[str, int, int], None] | None = None, origin: str = ORIGIN_CURATED,
           confirm_supersede: bool = False, vectors: bool = True) -> IngestReport:
    return Ingestor(settings, kb, progress).run(paths, prune, origin=origin, confirm_supersede=confirm_supersede,
                                                vectors=vectors)


__all__ = ["IngestReport", "FileResult", "IngestBusy", "Ingestor", "ingest", "STATUS_LABELS"]
