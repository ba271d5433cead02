"""Which version is in force: within each version group the newest date is; a document another one repeals
(…同时废止) is marked repealed; a document not yet vetted that would supersede or repeal a text in force is held
待确认 (ingest.authority). Derived anew from the committed records after every change."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.authority import confirmed_note, held_documents, held_note
from ingest.likeness import sketch
from ingest.metadata import VERSIONED_KINDS
from ingest.repeal import amend_claims, chinese_date, find_repeals, repeal_claims
from ingest.store import ChunkStore, DocumentRecord, StoredChunk, chunk_ids

_REPEAL_READ_CHUNKS = 4000  # stored chunks read per call when finding what earlier records repeal


def apply_versions(
    store: ChunkStore,
    aliases: dict[str, list[str]],
    records: dict[str, DocumentRecord],
    confirmed: Iterable[str] = (),
    uploaded_law_waits: bool = False,
) -> list[str]:
    """Within each version group the newest date is in force; mark the others superseded. Then mark
    the documents another ingested document repeals (…同时废止), and clear the mark of those whose
    repealing document is gone. A document not yet vetted that would supersede or repeal a text in force
    is held 待确认 instead, with no effect, unless an administrator confirmed it; so is a law uploaded through a web
    shared with an administrator (uploaded_law_waits, ingest.authority)."""
    notes: list[str] = []
    confirmed = set(confirmed)
    filled = read_repeals(store, records)  # before holding: an upload is compared with the wording of older records
    held = held_documents(records, aliases, confirmed, uploaded_law_waits)
    groups: dict[str, list[DocumentRecord]] = {}
    for record in records.values():
        if record.kind in VERSIONED_KINDS and record.doc_id not in held:
            groups.setdefault(record.version_key, []).append(record)
    changed: list[DocumentRecord] = []
    for record in records.values():
        group = groups.get(record.version_key, [record]) if record.kind in VERSIONED_KINDS else [record]
        # of two texts of the same date, the one a later import brought (confirmed to replace the other, a corrected
        # edition) is in force, not both; texts one import brought together each stay; the date first, so a late
        # import of an old version supersedes nothing
        newest = max(group, key=lambda r: (r.date, r.ingested_at, r.doc_id))
        superseded = (
            record.doc_id not in held
            and newest is not record
            and (newest.date, newest.ingested_at) > (record.date, record.ingested_at)
        )
        by = newest.doc_id if superseded else ""
        if (record.superseded, record.superseded_by) != (superseded, by):
            record.superseded, record.superseded_by = superseded, by
            changed.append(record)
            if superseded:
                notes.append(f"《{record.title}》（{record.doc_id}）已被 {by} 取代，默认检索不再使用旧版")
    changed_ids = {r.doc_id for r in changed}
    changed += [r for r in filled if r.doc_id not in changed_ids]
    changed_ids = {r.doc_id for r in changed}
    repeals = find_repeals(records, aliases, suspended=held)
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
            repealer = records[repeal.by]
            since = f"自{chinese_date(repeal.on)}起" if repeal.on else ""
            notes.append(
                f"《{record.title}》（{record.doc_id}）{since}由《{repealer.title}》{repeal.article}废止，"
                f"默认检索不再使用"
            )
        else:
            notes.append(f"《{record.title}》（{record.doc_id}）不再标记为已废止：知识库中已没有废止它的文档")
    held_notes: list[str] = []
    for record in records.values():
        over = held.get(record.doc_id, [])
        if record.held_over == over and record.vetted == record.hash:
            continue
        if over and (over != record.held_over or record.vetted != record.hash):
            # held anew, or its text changed while it waited: what the administrator read is not what is held
            changed_text = over == record.held_over
            record.held_over = over
            held_notes.append(held_note(record, records, changed_text))
        elif record.held_over and not over and record.doc_id in confirmed:
            notes.append(confirmed_note(record))
        record.held_over, record.vetted = over, record.hash
        if record.doc_id not in changed_ids:
            changed.append(record)
            changed_ids.add(record.doc_id)
    notes[:0] = held_notes  # what waits for the administrator first
    if changed:
        store.update_documents(changed)
    return notes


def read_repeals(store: ChunkStore, records: dict[str, DocumentRecord]) -> list[DocumentRecord]:
    """What the documents recorded before repeals (or amendments, or the sketch of their wording) were read repeal
    and amend, and their sketch, from their stored chunks (once: the records are written back with it). Returns the
    records it filled in."""
    pending = [r for r in records.values() if r.repeals is None or r.amends is None or r.likeness is None]
    for start in range(0, len(pending), 64):
        batch = pending[start : start + 64]
        ids = [i for r in batch for i in chunk_ids(r.doc_id, r.hash, r.chunk_count)]
        chunks: dict[str, StoredChunk] = {}
        for first in range(0, len(ids), _REPEAL_READ_CHUNKS):
            chunks.update((c.id, c) for c in store.get_chunks(ids[first : first + _REPEAL_READ_CHUNKS]))
        for record in batch:
            stored = [chunks[i] for i in chunk_ids(record.doc_id, record.hash, record.chunk_count) if i in chunks]
            record.repeals = [
                c.to_dict() for c in repeal_claims((c.article if c.unit == "article" else "", c.text) for c in stored)
            ]
            record.amends = amend_claims(c.text for c in stored)
            record.likeness = sketch(c.text for c in stored)
    return pending
