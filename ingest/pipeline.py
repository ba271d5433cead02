"""The ingest run: walk the paths (ingest.walk), load and clean the files, chunk them, embed, and commit each
document to the store; then derive which versions are in force (ingest.versions) and refresh the BM25 index.

Safety: one writer at a time (a file lock); new chunks are written under ids that include the new
content hash, the document record (the commit point) is written next, and the old chunks are deleted
last. A journal of in-flight documents (ingest.journal) lets the next run finish or roll back what a crash
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

import dataclasses
import hashlib
import itertools
import json
import os
import random
import time
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from ingest.authority import held_documents
from ingest.chunk import Chunk
from ingest.corrections import BY_ADMIN, BY_UPLOADER, Corrections, describe_fields, normalise
from ingest.corrections import apply as apply_correction
from ingest.embedders.base import corpus_fitted
from ingest.embedders.builtin import FIT_SAMPLE
from ingest.encoding import readable_name, readable_path
from ingest.errors import os_reason
from ingest.journal import Journal
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.legal_forms import LEGAL_KINDS
from ingest.likeness import sketch
from ingest.loaders.limits import LoadLimits
from ingest.metadata import NATIONAL, VERSIONED_KINDS, doc_id_for, visible
from ingest.preparation import Preparation, Prepared, Task
from ingest.repeal import amend_claims, repeal_claims
from ingest.report import STATUS_LABELS, FileResult, IngestReport
from ingest.settings import Settings
from ingest.shared_state import ServerBusy
from ingest.store import ORIGIN_CURATED, ORIGIN_UPLOAD, DocumentRecord, StoredChunk, chunk_id
from ingest.vector_builder import STAGE, VectorBuilder, VectorsBusy, vectors_later
from ingest.versions import apply_versions
from ingest.walk import StampCache, content_hash, file_stamp, links_outside, walk

BATCH_CHUNKS = 5000  # chunks embedded and written per batch (Chroma's largest batch is about 5,400)
_WRITE_OUT_OF_MEMORY = (
    "写入这个文件的切块时内存不足（内容过于庞大），已跳过，其他文件照常导入，已入库的内容没有受影响；"
    "请把文件拆分成几个较小的文件，或关闭其他占用内存的程序后再导入"
)


class IngestBusy(Exception):
    def __init__(self, where: Path | str):  # the data directory, or the Chroma server
        super().__init__(f"另一个导入任务正在写入 {where}，请等它结束后再试")


def chunk_metadata(chunk: Chunk, record: DocumentRecord, ordinal: int) -> dict:
    return {
        "doc_id": record.doc_id,
        "doc_hash": record.hash,
        "title": record.title,
        "kind": record.kind,
        "region": record.region,
        "date": record.date,
        "source": record.source,
        "superseded": record.superseded,
        "superseded_by": record.superseded_by,
        "unit": chunk.unit,
        "article": chunk.article,
        "article_num": chunk.article_num,
        "article_sub": chunk.article_sub,
        "part": chunk.part,
        "parts": chunk.parts,
        "heading_path": " / ".join(chunk.heading_path),
        "locations": json.dumps(chunk.locations, ensure_ascii=False),
        "ordinal": ordinal,
    }


class _Laps:
    """Records into report.stages the seconds since the previous lap (or since it was made)."""

    def __init__(self, report: IngestReport):
        self.report, self.last = report, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[stage] = self.report.stages.get(stage, 0.0) + now - self.last
        self.last = now


class Ingestor:
    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ):
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        self.progress = progress or (lambda stage, done, total: None)
        self.journal = Journal(settings.data_dir / "ingest-journal.json")
        self.stamps = StampCache(settings.data_dir / "file-stamps.json")
        self._unsettled: dict[str, str] = {}  # source -> content hash of files too recent to stamp when read
        self._screened: set[str] = set()  # the recorded sources of the files screened (exist, whatever their name)
        # doc id -> the files skipped because of an earlier file of the run with that doc id (a namesake, or a copy
        # under another name)
        self._later: dict[str, list[Path]] = {}
        self._folders: list[tuple[str, str]] = []  # the folders walked: (as given, absolute; real path)
        self.origin = ORIGIN_CURATED  # who brings the files of the current run (ORIGIN_UPLOAD: the web)
        # when the current run began: its documents' ingested_at (texts one import brings together are of one time;
        # ingest.versions orders imports by it)
        self.run_started = ""
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

    def run(
        self,
        paths: list[Path],
        prune: bool = False,
        origin: str = ORIGIN_CURATED,
        confirm_supersede: bool = False,
        vectors: bool = True,
    ) -> IngestReport:
        """Ingest the files under paths. origin: who brings them (ORIGIN_UPLOAD for the web). A file that would
        supersede or repeal a text in force is held 待确认 unless confirm_supersede: the administrator confirms
        every file under these paths (ingest.authority). With a neural embedder the documents are searchable
        (BM25, articles, versions) once the lexical part is done; then, unless vectors=False, the chunks that lack
        a vector get one (ingest.vector_builder; anquan embed or anquan serve do it otherwise)."""
        self.origin = origin
        with self._exclusive():
            self.kb.sync_shared_model()
            dropped = self.kb.store.drop_legacy()
            refitted = self._finish_interrupted_refit()
            report = self._run(paths, prune, confirm_supersede)
            if refitted:
                report.notes.insert(0, "上次导入在更新全部向量时中断，已重新拟合内置向量模型并更新全部向量")
            if dropped:
                report.notes.insert(
                    0,
                    "知识库存储格式已更新：旧格式的索引已删除，本次导入的文件已按新格式入库；"
                    "此前导入、本次未导入的文件请重新导入",
                )
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
            report.notes.extend(self._versions(records, confirmed={d for d in doc_ids if d in records}))
            report.seconds = time.perf_counter() - started
            return report

    def correct(
        self,
        doc_id: str,
        changes: dict[str, str | None],
        authoritative: bool = True,
        reset: bool = False,
        confirm_supersede: bool | None = None,
    ) -> IngestReport:
        """Correct a document's title, kind, region or date (reset: undo every correction of it); the correction
        is kept (ingest.corrections) and applied whenever its metadata is derived again. Which version is in force
        is derived anew. authoritative: an administrator's correction, in effect at once; otherwise (the web
        without the administrator password) the document is held 待确认 when the correction would make it
        supersede or repeal a text in force. confirm_supersede (anquan edit): False, an administrator's correction is
        held too when it would, as an import is (a plan retitled 中华人民共和国安全生产法 and dated later took the law
        out of every answer at once); True, it is confirmed, a held document too; None (the web's administrator),
        confirmed unless held. Raises CorrectionError (Chinese) for a value that
        cannot be."""
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
            as_was = dataclasses.replace(record, vetted="", held_over=list(record.held_over))
            if not apply_correction(record, wanted):
                if authoritative and confirm_supersede and record.pending:  # anquan edit … --confirm-supersede
                    report.notes.extend(self._versions(records, {doc_id}))
                    report.results.append(
                        FileResult(Path(record.source), "updated", doc_id, record.chunk_count, reason="已确认生效")
                    )
                    report.seconds = time.perf_counter() - started
                    return report
                report.results.append(
                    FileResult(
                        Path(record.source), "unchanged", doc_id, record.chunk_count, reason="与现有信息相同，未作更改"
                    )
                )
                report.seconds = time.perf_counter() - started
                return report
            confirmed: set[str] = set()
            if authoritative and (confirm_supersede or (confirm_supersede is None and not record.pending)):
                confirmed.add(doc_id)  # an administrator's word, confirmed: no confirmation needed
            elif not authoritative or confirm_supersede is False:
                record.vetted = ""  # like new content: held when it would displace a text in force
                if authoritative and not record.pending and self._displaces_no_more(records, as_was, record):
                    confirmed.add(doc_id)  # the administrator's edit is held only for what it newly displaces
            releases = authoritative and record.pending and doc_id not in confirmed
            if releases and self._displaces_nothing(records, record):
                # held for what the document was: an edit undone (--reset) or a title put right leaves it displacing
                # nothing, and it was held still, 将废止 the text it no longer names, out of every answer. An upload
                # keeps its hold: what its confirmed content displaced waits for a confirmation of its new content.
                record.held_over = []
            corrections.set(doc_id, record.corrected, BY_ADMIN if authoritative else BY_UPLOADER, record.hash)
            corrections.save()
            self.kb.store.update_documents([record])
            changed = {k: v for k, v in ((n, getattr(record, n)) for n in before) if before[k] != v}
            what = describe_fields(changed) if changed else "无"
            reason = ("已撤销更正，恢复自动识别的信息：" if reset else "已更正：") + what
            report.results.append(FileResult(Path(record.source), "updated", doc_id, record.chunk_count, reason=reason))
            report.notes.extend(self._versions(self.kb.documents(), confirmed))
            report.notes.extend(_basis_lost(before, record))
            report.seconds = time.perf_counter() - started
            return report

    def _displaces_no_more(self, records: dict[str, DocumentRecord], was: DocumentRecord, now: DocumentRecord) -> bool:
        """Whether a document as corrected would supersede or repeal no text in force it would not have displaced as
        it was (both read as not yet vetted): a kind or date corrected leaves a document that copies a template
        (held only for its likeness to texts in force) as it was."""
        aliases = self.kb.vocabulary.document_aliases
        waits = bool(self.settings.admin_password)
        over_before = held_documents({**records, was.doc_id: was}, aliases, (), waits).get(was.doc_id, [])
        over_after = held_documents({**records, now.doc_id: now}, aliases, (), waits).get(now.doc_id, [])
        return set(over_after) <= set(over_before)

    def _displaces_nothing(self, records: dict[str, DocumentRecord], record: DocumentRecord) -> bool:
        """Whether a held document of the administrator's own corpus, read as new content and held for nothing,
        would supersede or repeal no text in force (the web's uploads are left held: see correct)."""
        if record.from_upload:
            return False
        fresh = dataclasses.replace(record, vetted="", held_over=[])
        waits = bool(self.settings.admin_password)
        aliases = self.kb.vocabulary.document_aliases
        return not held_documents({**records, record.doc_id: fresh}, aliases, (), waits).get(record.doc_id)

    def _apply_corrections(self, records: dict[str, DocumentRecord]) -> None:
        """Put the kept corrections on the records that do not carry them yet (a document re-imported unchanged
        after it was deleted, a corrections file brought from elsewhere)."""
        corrections = self.corrections
        assert corrections is not None, "read at the start of the run"
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
            report.results.append(
                FileResult(Path(record.source), "pruned", doc_id, record.chunk_count, reason="已按要求删除")
            )
        report.notes.extend(self._versions(self.kb.documents()))
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
        self.run_started = datetime.now().isoformat(timespec="microseconds")
        report = IngestReport(embedder=self.kb.embedder.description)
        lap = _Laps(report)
        self._recover()
        # read before anything is written: a corrections file that cannot be read stops the run here
        self.corrections = Corrections(self.settings.data_dir)
        records = self.kb.documents()
        # a link to a file of the import is read like the file: the file is the original its copies are skipped for
        files = sorted(walk(paths, self.settings.max_file_mb, self.settings.data_dir), key=lambda f: f[0].is_symlink())
        # the folders walked, as given and as real paths: what a file found in one may be read from
        self._folders = [(os.path.abspath(p), os.path.realpath(p)) for p in paths if p.is_dir()]
        todo: list[Task] = []
        seen_docs: dict[str, tuple[Path, str]] = {}
        self._later.clear()
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
        report.notes.extend(_lookalike_names(path for path, rejected in files if rejected is None))
        self.stamps.save()
        lap("检查文件")
        while todo:
            self._write(todo, records, report, lap, confirm_supersede)
            if todo := self._in_place_of_failed(report, records, seen_docs):
                records = self.kb.documents()  # with what was just written (the built-in embedder's fit counts it)
        records = self.kb.documents()
        if prune:
            self._prune(paths, records, report)
            records = self.kb.documents()
        confirmed = {r.doc_id for r in report.results if r.status in ("added", "updated", "unchanged") and r.doc_id}
        self._apply_corrections(records)
        report.notes.extend(self._versions(records, confirmed if confirm_supersede else ()))
        if self.kb.rebuild_bm25(self.kb.documents()):
            report.notes.append("已重建 BM25 词法索引")
        self._stamp_settled()
        lap("版本状态与 BM25 索引")
        report.seconds = time.perf_counter() - started
        return report

    def _versions(self, records: dict[str, DocumentRecord], confirmed: Iterable[str] = ()) -> list[str]:
        """Derive which versions are in force (ingest.versions); the notes to report."""
        # with an administrator password the web is shared: a law uploaded there waits for the administrator
        return apply_versions(
            self.kb.store,
            self.kb.vocabulary.document_aliases,
            records,
            confirmed,
            uploaded_law_waits=bool(self.settings.admin_password),
        )

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

    def _shown(self, file: Path | DocumentRecord) -> str:
        """A file named in a result: its path for the command line, whose user put it there; for the web (an
        upload), only its name and who brought it: a path of the server (its data directory, the administrator's
        corpus folder) is nothing a web user needs or should learn."""
        if self.origin != ORIGIN_UPLOAD:
            return str(file.source if isinstance(file, DocumentRecord) else file)
        if isinstance(file, DocumentRecord):
            who = "网页上传的" if file.from_upload else "管理员从命令行导入的"
            return f"{who}文件“{Path(file.source).name}”"
        return f"“{file.name}”"

    def _screen(
        self, path: Path, records: dict[str, DocumentRecord], seen_docs: dict[str, tuple[Path, str]]
    ) -> tuple[FileResult, Task | None]:
        """Decide from the content hash whether a file needs work: (result, None) when it does not,
        else (result, task) for prepare_document."""
        doc_id = doc_id_for(readable_path(path))
        real = str(path.resolve())  # the stamps' key: the path as the file system has it
        # a file of a folder that is a link to a file outside it is left out: the walk's check again, as the file is
        # about to be read (checked at the walk only, a link to /etc/shadow swapped in after it was read and stored)
        if (inside := self._folder_of(path)) is not None and (outside := links_outside(path, inside)):
            return FileResult(path, "skipped", doc_id, reason=outside), None
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
        except OSError as exc:
            return FileResult(path, "failed", doc_id, reason=os_reason(exc)), None
        if doc_id in seen_docs:
            first_path, first_hash = seen_docs[doc_id]
            first = self._shown(readable_path(first_path))
            reason = (
                f"与 {first} 内容相同，已跳过"
                if first_hash == doc_hash
                else f"与本次导入的 {first} 文件名相同但内容不同，已跳过；如是不同文件请改名"
            )
            self._later.setdefault(doc_id, []).append(path)
            return FileResult(path, "skipped", doc_id, reason=reason), None
        seen_docs[doc_id] = (path, doc_hash)
        existing = records.get(doc_id)
        if (
            self.origin == ORIGIN_UPLOAD
            and existing is not None
            and existing.hash != doc_hash
            and not existing.from_upload
            and Path(existing.source).parent != path.resolve().parent
        ):
            return FileResult(
                path,
                "skipped",
                doc_id,
                reason=f"与管理员从命令行导入的《{existing.title}》文件名相同，网页上传不能替换它，已跳过；"
                f"如是新版本，请改用写明新版本日期的文件名上传，如“{existing.title}(2025-01-01)”",
            ), None
        if existing is not None and existing.source != source and Path(existing.source).exists():
            if existing.hash == doc_hash:
                return FileResult(
                    path,
                    "unchanged",
                    doc_id,
                    existing.chunk_count,
                    reason=f"内容与已入库的 {self._shown(existing)} 相同",
                ), None
            return FileResult(
                path,
                "skipped",
                doc_id,
                reason=f"文档编号与已入库的 {self._shown(existing)} 相同但内容不同，已跳过；如是不同文件请改名",
            ), None
        if existing is not None and existing.hash == doc_hash:
            return FileResult(path, "unchanged", doc_id, existing.chunk_count), None
        if existing is None:
            # the stored original first: a file of this run may itself be skipped as its copy, and is no original
            original = self._copy_of(records, lambda r: r.hash == doc_hash)
            if original is not None:
                return FileResult(
                    path, "skipped", doc_id, original.chunk_count, reason=self._stored_copy_reason(original)
                ), None
            first_copy = next(((d, s) for d, (s, h) in seen_docs.items() if h == doc_hash and s != path), None)
            if first_copy is not None:
                # screened again should the first copy fail (a date in its name that cannot be): _in_place_of_failed
                self._later.setdefault(first_copy[0], []).append(path)
                return FileResult(path, "skipped", doc_id, reason=_copy_reason(self._shown(first_copy[1]))), None
        status = "updated" if existing is not None else "added"
        return FileResult(path, status, doc_id), (path, doc_hash, status, real)

    def _folder_of(self, path: Path) -> str | None:
        """The real path of the folder walked that a file was found in (the innermost), or None for a file named on
        its own (read wherever it leads)."""
        where = os.path.abspath(path)
        held = [(given, real) for given, real in self._folders if where.startswith(given.rstrip(os.sep) + os.sep)]
        return max(held, key=lambda f: len(f[0]))[1] if held else None

    def _copy_of(self, records: dict[str, DocumentRecord], same: Callable[[DocumentRecord], bool]):
        """The stored document a new file is a copy of under another name (same content), or None: one whose file
        is still there with that content (a file renamed since it was imported is imported under its new name, as
        before; see _still_holds). A web upload is no original of a file the administrator imports: the curated
        corpus is kept apart from uploads (a law uploaded first would have had the administrator's import of it
        skipped as its copy)."""
        for record in records.values():
            if record.from_upload and self.origin != ORIGIN_UPLOAD:
                continue
            if same(record) and (record.from_upload or self._still_holds(record)):
                return record
        return None

    def _still_holds(self, record: DocumentRecord) -> bool:
        """Whether a stored document's file is there with the content stored: one changed since (the new text of
        规定.md imported in this run, its old text kept as 规定-旧版.md) is no original of a copy of its old text,
        which was skipped as already there while the run replaced it, and was in no document."""
        path = Path(record.source)
        try:
            stamp = file_stamp(path.stat(), self.settings)
            held = self.stamps.hash_of(str(path.resolve()), stamp) or content_hash(path.read_bytes(), self.settings)
        except OSError:
            return False
        return held == record.hash

    def _stored_copy_reason(self, original: DocumentRecord) -> str:
        if self.origin == ORIGIN_UPLOAD and not original.from_upload:  # the uploader cannot delete the original
            return (
                f"与管理员已导入的《{original.title}》内容相同（只是文件名不同），该文档已在知识库中，"
                "无需再上传，已跳过"
            )
        return _copy_reason(self._shown(original), stored=True)

    def _in_place_of_failed(
        self, report: IngestReport, records: dict[str, DocumentRecord], seen_docs: dict[str, tuple[Path, str]]
    ) -> list[Task]:
        """A file that failed is never the original others are skipped as copies (or namesakes) of: the files
        skipped for a first file that then failed (its namesakes, its copies under other names) are screened again,
        in order, as if it had not been there; the tasks to write. Each says for itself why it fails (a copy's failure
        may be its own: removed while the import ran)."""
        todo: list[Task] = []
        for failed in [r for r in report.results if r.status == "failed"]:
            first = seen_docs.get(failed.doc_id)
            # (a file of this doc id that failed before it was screened, or in an earlier round, is not the first)
            if failed.doc_id not in self._later or first is None or readable_path(first[0]) != failed.path:
                continue
            later = self._later.pop(failed.doc_id)
            del seen_docs[failed.doc_id]
            for path in later:  # a copy under a name of its own was noted as the first of its name: screened anew
                own = doc_id_for(readable_path(path))
                if own in seen_docs and seen_docs[own][0] == path:
                    del seen_docs[own]
            skipped = {readable_path(path) for path in later}
            report.results = [r for r in report.results if not (r.status == "skipped" and r.path in skipped)]
            for path in later:
                result, task = self._screen(path, records, seen_docs)
                if task is not None:
                    todo.append(task)
                else:
                    report.results.append(result)
        return todo

    def _ensure_fitted(self, new_texts: list[str], records: dict[str, DocumentRecord], at_least: int = 0) -> bool:
        """Fit the built-in embedder if it needs it (the corpus will hold at least the stored chunks plus
        max(len(new_texts), at_least)). Returns True when stored vectors must be recomputed."""
        model = self.kb.embedder.embeddings
        if not corpus_fitted(model):
            return False
        existing = sum(r.chunk_count for r in records.values())
        if not model.needs_refit(existing + max(len(new_texts), at_least)):
            return False
        stored_texts = [index_text(c.text, c.heading_text) for c in self.kb.store.committed_chunks(records)]
        if not stored_texts and not new_texts:
            return False  # every file was refused or empty: nothing to fit on (the next import fits)
        self.progress("拟合内置向量模型", 0, 1)
        model.fit(stored_texts + new_texts)
        self.kb.publish_shared_model()
        if not stored_texts:
            model.mark_vectors_current()  # no stored vector to recompute: readers may use the new fit now
        return bool(stored_texts)

    def finish_refit(self) -> bool:
        """What anquan embed does first: the rewrite of an interrupted refit finished (_finish_interrupted_refit),
        holding the data directory as an ingest does."""
        with self._exclusive():
            return self._finish_interrupted_refit()

    def _finish_interrupted_refit(self) -> bool:
        """An ingest killed while it rewrote every stored vector after refitting the built-in embedder left vectors of
        two fits, which no question vector compares with (questions were answered by their words alone, and an
        ingest bringing nothing new changed nothing): fit again on what is stored and rewrite them all, as the
        interrupted ingest would have. Returns whether it did. (With a Chroma server the fit is the server's.)"""
        model = self.kb.embedder.embeddings
        if not corpus_fitted(model) or not self.kb.vectors_of_two_fits():
            return False
        stored = list(self.kb.store.committed_chunks(self.kb.documents()))
        if not stored:
            return False
        self.progress("拟合内置向量模型", 0, 1)
        model.fit([index_text(c.text, c.heading_text) for c in stored])
        self._reembed_all(stored)
        return True

    def _reembed_all(self, stored: list[StoredChunk] | None = None) -> None:
        """Every committed chunk's vector (stored: those chunks, when the caller has read them) made with the
        built-in embedder's new fit; readers switch to the fit then."""
        if stored is None:
            stored = list(self.kb.store.committed_chunks(self.kb.documents()))
        model = self.kb.embedder.embeddings
        assert corpus_fitted(model), "only an embedder fitted on the corpus is refitted"
        vectors = model.embed_array([index_text(c.text, c.heading_text) for c in stored])
        self.kb.store.write_vectors([c.id for c in stored], vectors)
        model.mark_vectors_current()  # readers in other processes switch to the new fit now

    def _write(
        self,
        todo: list[Task],
        records: dict[str, DocumentRecord],
        report: IngestReport,
        lap: _Laps,
        confirm_supersede: bool = False,
    ) -> None:
        # A spread-out order, so the first batches (the built-in embedder's fit sample) are a fair
        # sample of the corpus; which of two same-named files counts was decided in walk order.
        todo = list(todo)
        random.Random(13).shuffle(todo)
        model = self.kb.embedder.embeddings
        with Preparation(
            todo,
            self.settings.chunk_max_tokens,
            self.kb.tokenizer,
            self.kb.terms,
            model,
            self.settings.data_dir / "ingest-spool",
            LoadLimits.from_settings(self.settings),
        ) as preparation:
            stream = iter(preparation)
            held: list[Prepared | FileResult] = []
            existing = sum(r.chunk_count for r in records.values())
            if corpus_fitted(model) and model.needs_refit(existing + FIT_SAMPLE):
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
            texts_seen: dict[str, Path] = {}
            for done, item in enumerate(preparation.with_vectors(itertools.chain(held, stream)), start=1):
                if isinstance(item, Prepared) and (copy := self._text_copy(item, records, texts_seen)) is not None:
                    report.results.append(copy)
                elif isinstance(item, Prepared) and (lost := self._articles_lost(item, records, confirm_supersede)):
                    report.results.append(lost)
                elif isinstance(item, Prepared):
                    batch.append(item)
                    batch_chunks += len(item.chunks)
                else:
                    report.results.append(item)
                if batch and (batch_chunks >= BATCH_CHUNKS or done == len(todo)):
                    self._write_batch_or_each(batch, records, report)
                    batch, batch_chunks = [], 0
                self.progress("读取、切分与写入", done, len(todo))
        lap("读取、切分与写入")

    def _text_copy(
        self, item: Prepared, records: dict[str, DocumentRecord], texts_seen: dict[str, Path]
    ) -> FileResult | None:
        """A new plain-text document whose text is that of another of this import or of one stored (the same law
        saved as .md and .txt, in UTF-8 and GBK, with CRLF): skipped, naming the original; a copy indexed twice
        answered and cited everything twice. None for a document of a text of its own (noted in texts_seen). A PDF
        or Word file reading as the text of another is left alone: what was read may be what was left of it (a page
        skipped), not a copy."""
        if item.status != "added" or not item.chunks or item.path.suffix.lower() not in _PLAIN_TEXT:
            return None
        digest = text_digest([item.meta.title, item.meta.date, *(c.text for c in item.chunks)])
        if digest in texts_seen:
            reason = _copy_reason(self._shown(readable_path(texts_seen[digest])))
            return FileResult(item.path, "skipped", item.meta.doc_id, reason=reason)
        original = self._copy_of(
            records,
            lambda r: r.text_hash == digest and r.doc_id != item.meta.doc_id and Path(r.source).suffix in _PLAIN_TEXT,
        )
        if original is not None:
            reason = self._stored_copy_reason(original)
            return FileResult(item.path, "skipped", item.meta.doc_id, original.chunk_count, reason=reason)
        texts_seen[digest] = item.path
        return None

    def _articles_lost(self, item: Prepared, records: dict[str, DocumentRecord], confirmed: bool) -> FileResult | None:
        """A new text of a stored legal text with none of its articles (第X条) left: a file cut short or a placeholder
        saved over it (69 articles of 工伤保险条例 replaced by one line, and every question resting on them lost its
        basis, silently). Refused, the stored text kept, unless the administrator confirmed the run
        (--confirm-supersede); None otherwise."""
        previous = records.get(item.meta.doc_id)
        if confirmed or item.status != "updated" or previous is None or previous.kind not in VERSIONED_KINDS:
            return None
        if any(chunk.unit == "article" for chunk in item.chunks):
            return None
        stored = {c.article for c in self.kb.store.document_chunks(previous.doc_id, previous.hash) if c.article}
        if len(stored) < 2:
            return None  # it had no articles to lose
        return FileResult(
            item.path,
            "failed",
            item.meta.doc_id,
            reason=f"新文本中没有按“第X条”编排的条文，而已入库的《{previous.title}》有 {len(stored)} 条：可能是被截断或"
            f"损坏的文件，已保留原文本，未替换。核对无误、确需替换时，请加 --confirm-supersede 重新导入",
        )

    def _write_batch_or_each(
        self, batch: list[Prepared], records: dict[str, DocumentRecord], report: IngestReport
    ) -> None:
        """Write the batch; when memory runs out, roll it back and write its files one by one: a file that runs out
        of memory alone fails with a reason, the others are written (one file never stops the import)."""
        try:
            self._write_batch(batch, records, report)
            return
        except MemoryError:
            self._recover()  # the journal names the batch: what it left half-written goes
        for item in batch:
            item.vectors = None  # freed; embedded again with the file alone
            written = self.kb.documents().get(item.meta.doc_id)
            if written is not None and written.hash == item.doc_hash:  # committed before memory ran out
                report.results.append(
                    FileResult(
                        item.path, item.status, item.meta.doc_id, len(item.chunks), reason="；".join(item.meta.warnings)
                    )
                )
                continue
            try:
                self._write_batch([item], records, report)
            except MemoryError:
                self._recover()
                report.results.append(FileResult(item.path, "failed", item.meta.doc_id, reason=_WRITE_OUT_OF_MEMORY))

    def _write_batch(self, batch: list[Prepared], records: dict[str, DocumentRecord], report: IngestReport) -> None:
        """Embed and write the chunks of several documents, then commit their records together."""
        self.journal.write([{"doc_id": item.meta.doc_id, "hash": item.doc_hash} for item in batch])
        now = self.run_started or datetime.now().isoformat(timespec="microseconds")
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict] = []
        committed: list[DocumentRecord] = []
        corrections = self.corrections
        assert corrections is not None, "read at the start of the run"
        for item in batch:
            meta = item.meta
            previous = records.get(meta.doc_id)
            record = DocumentRecord(
                doc_id=meta.doc_id,
                source=str(readable_path(item.path.resolve())),
                hash=item.doc_hash,
                title=meta.title,
                kind=meta.kind,
                region=meta.region,
                date=meta.date,
                version_key=meta.version_key,
                chunk_count=len(item.chunks),
                ingested_at=now,
                origin=self.origin,
                repeals=[
                    c.to_dict()
                    for c in repeal_claims((c.article if c.unit == "article" else "", c.text) for c in item.chunks)
                ],
                amends=amend_claims(c.text for c in item.chunks),
                likeness=sketch(c.text for c in item.chunks),
                text_hash=text_digest([item.meta.title, item.meta.date, *(c.text for c in item.chunks)]),
            )
            # an administrator's correction outlives the metadata derived anew (kept on this machine, or, with a
            # shared Chroma server, on the record a correction elsewhere wrote)
            apply_correction(record, corrections.fields(meta.doc_id) or (previous.corrected if previous else {}))
            if previous is not None:  # the version status stays until the version-status stage derives it again
                record.superseded, record.superseded_by = previous.superseded, previous.superseded_by
                record.repealed_by, record.repealed_by_article, record.repealed_on = (
                    previous.repealed_by,
                    previous.repealed_by_article,
                    previous.repealed_on,
                )
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
        token_ids = [
            chunk_id(item.meta.doc_id, item.doc_hash, i)
            for item in batch
            if item.segmentation == signature
            for i in range(len(item.chunks))
        ]
        self.kb.bm25.cache.put_many(zip(token_ids, tokens, strict=True))
        self.kb.store.commit_documents(committed)
        for item in batch:
            if item.meta.doc_id in records:
                self.kb.store.delete_stale_chunks(item.meta.doc_id, item.doc_hash)
            report.results.append(
                FileResult(
                    item.path, item.status, item.meta.doc_id, len(item.chunks), reason="；".join(item.meta.warnings)
                )
            )
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
                item.vectors, offset = embedded[offset : offset + len(item.texts)], offset + len(item.texts)
        return np.vstack([item.vectors for item in batch])

    def _prune(self, roots: list[Path], records: dict[str, DocumentRecord], report: IngestReport) -> None:
        resolved_roots = [readable_path(r.resolve()) for r in roots]  # as sources are recorded
        for record in records.values():
            source = Path(record.source)
            under_root = any(source == root or root in source.parents for root in resolved_roots)
            # a source recorded with its name decoded (not UTF-8 on disk) does not exist as such, but was screened
            if under_root and not source.exists() and record.source not in self._screened:
                self.kb.store.delete_document(record.doc_id)
                report.results.append(
                    FileResult(source, "pruned", record.doc_id, record.chunk_count, reason="源文件已不存在")
                )


_PLAIN_TEXT = (".md", ".markdown", ".txt")


def text_digest(texts: Iterable[str]) -> str:
    """A document's title, date and text as its chunks hold it, digested: equal for the same document whatever file
    it came from (two texts of one body under two titles or dates, a city's copy of a template, are two documents)."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()[:24]


def _copy_reason(original: str, stored: bool = False) -> str:
    where = "已入库的" if stored else "本次导入的"
    return (
        f"与{where} {original} 内容相同（只是文件名不同），不重复入库，已跳过；如要改用这个文件名，请先删除原文档再导入"
    )


def _lookalike_names(paths: Iterable[Path]) -> list[str]:
    """A note for each set of files in one folder whose names differ only in Unicode normalisation (an
    accented letter composed, NFC, or as letter plus combining mark, NFD, as macOS writes it): they look the
    same in every list, yet are different files and documents."""
    groups: dict[tuple[Path, str], list[Path]] = {}
    spaced: dict[tuple[Path, str], list[Path]] = {}
    unseen: dict[tuple[Path, str], list[Path]] = {}  # names without what shows nothing (zero-width spaces, joiners)
    for path in paths:
        groups.setdefault((path.parent, unicodedata.normalize("NFC", path.name)), []).append(path)
        name = Path(unicodedata.normalize("NFC", path.name))
        spaced.setdefault((path.parent, name.stem.strip(_SPACES) + name.suffix), []).append(path)
        unseen.setdefault((path.parent, visible(name.name)), []).append(path)
    notes = [
        f"以下文件的名称看起来相同，只是字符的 Unicode 编码形式不同（NFC/NFD），会作为不同文件分别入库："
        f"{'、'.join(readable_name(p.name) + '（' + _form(p.name) + '）' for p in same)}；建议改名以便区分"
        for same in groups.values()
        if len(same) > 1
    ]
    # 规定.md and 规定 .md (a space typed before the extension, or left at the start): two documents, each cited
    # under a name that looks like the other's
    notes += _alike(spaced, "开头或扩展名前的空格", readable_name)
    # 规定.md and 规定\u200b.md (a zero-width space or a word joiner pasted from a web page or a chat): two documents
    # whose names print alike everywhere, and one cannot be typed to edit or remove it
    notes += _alike(unseen, "看不见的字符（零宽空格、连接符等）", _unseen_shown)
    return notes


def _alike(groups: dict[tuple[Path, str], list[Path]], differing: str, shown: Callable[[str], str]) -> list[str]:
    """A note for each group of files whose names differ only in what ``differing`` says, each name ``shown``."""
    return [
        f"以下文件的名称只差{differing}，看起来相同，会作为不同文档分别入库："
        f"{'、'.join('“' + shown(p.name) + '”' for p in same)}；如是同一文件请删去多余的一份，否则请改名以便区分"
        for same in groups.values()
        if len({unicodedata.normalize("NFC", p.name) for p in same}) > 1
    ]


def _unseen_shown(name: str) -> str:
    """A name as readable_name shows it, with what shows nothing written as \\u200b."""
    shown = readable_name(name)
    return "".join(c if visible(c) else f"\\u{ord(c):04x}" for c in shown)


_SPACES = " \t\u3000"


def _form(name: str) -> str:
    return (
        "NFC" if unicodedata.is_normalized("NFC", name) else "NFD" if unicodedata.is_normalized("NFD", name) else "混合"
    )


def ingest(
    paths: list[Path],
    settings: Settings,
    prune: bool = False,
    kb: KnowledgeBase | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    origin: str = ORIGIN_CURATED,
    confirm_supersede: bool = False,
    vectors: bool = True,
) -> IngestReport:
    return Ingestor(settings, kb, progress).run(
        paths, prune, origin=origin, confirm_supersede=confirm_supersede, vectors=vectors
    )


__all__ = ["IngestReport", "FileResult", "IngestBusy", "Ingestor", "ingest", "STATUS_LABELS"]


def _basis_lost(before: dict[str, str], record: DocumentRecord) -> list[str]:
    """What an edit takes from the answers (said, not asked: the administrator's word stands): a legal text filed as
    no legal form is no basis any more; a national one filed under a region binds only there."""
    name = f"《{record.title}》"
    if before["kind"] in LEGAL_KINDS and record.kind not in LEGAL_KINDS:
        return [f"{name}由{before['kind']}改为{record.kind}：此后不再作为回答、起草和自查的法定依据"]
    if record.kind in LEGAL_KINDS and before["region"] == NATIONAL and record.region != NATIONAL:
        return [f"{name}的地区由全国改为{record.region}：此后只在{record.region}适用，问其他地方或不问地方时不作为依据"]
    return []
