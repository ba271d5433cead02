"""Who may change which legal text is in force.

By law the newer version of a text supersedes the older (新法优于旧法), and a text that says so repeals
another (……同时废止). But a file is not authority: anyone who can upload could otherwise name a file like
安全生产法, date it later, and have the real law marked 已被取代. So a document that is not yet vetted (added
or changed since the version status was last derived, or held before) and would supersede or repeal a text
in force, or amend one (关于修改《…》的决定), or repeat the wording of one under a title of its own
(中华人民共和囯安全生产法, a look-alike character: ingest.likeness), or is a local text bearing the title of a
national law or regulation in force (no local body makes one: cited by it, it would read as the national text), is
held 待确认 instead: it is not in force, its claims have no effect, and the texts it names stay in force, until an
administrator confirms it (`anquan ingest … --confirm-supersede`, or the web library with the administrator
password). Documents that arrive together, none of them in force before, are versioned among themselves as before
(a corpus ingested at once); a document older than the text in force is simply superseded.

A held document stays held until it is confirmed, even when the texts it named are removed meanwhile. New
content uploaded under the name of a confirmed upload is held again over what the confirmed content displaced
(a confirmation is for the text the administrator read); an edit ingested from the command line is held only
for what it newly supersedes or repeals. A new version older than the text in force is simply superseded.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ingest.cleaning import to_simplified
from ingest.likeness import SAME_TEXT, similarity
from ingest.metadata import LAWMAKING_KINDS, NATIONAL, PLAN_KINDS, VERSIONED_KINDS
from ingest.repeal import NameIndex, name_key, repeal_targets
from ingest.store import DocumentRecord

# a text that amends another (关于修改《中华人民共和国安全生产法》的决定, 《刑法》修正案): it changes the text in force
_AMENDS = re.compile(r"关于修改《([^》]+)》|《([^》]+)》修正案")

# a title that makes an act about a text (a decision, an interpretation, a reply, an amendment): with the text it
# names in force, it changes what that text says, whatever quote marks (《》, 〈〉, none) or script it is written in
_ACT_ON_TEXT = re.compile(r"(?:决定|决议|解释|说明|批复|答复|复函|函|修正案|勘误|更正)$")
_INTERPRETS = re.compile(r"(?:解释|说明|批复|答复|复函|函)\W*$")
_CORRECTS = re.compile(r"(?:勘误|更正)\W*$")
# （一）, （全文）, （2025年版） at the end of a title: not the form of the act
_TRAILING_BRACKETS = re.compile(r"(?:[(（][^()（）]*[)）]\s*)+$")
_QUOTED = re.compile(r"[《〈<]([^《》〈〉<>]+)[》〉>]")
_SHORTEST_NAME = 3  # characters of a name key looked for in an unquoted title (消防法)

CONFIRM_HINT = "确认方法：管理员运行 anquan ingest 该文件 --confirm-supersede，或在网页“知识库”页输入管理员密码确认"


def unvetted(record: DocumentRecord) -> bool:
    """Not accepted as authority over other documents: content not yet through the version-status stage, or held."""
    return record.vetted != record.hash or record.pending


def established(record: DocumentRecord) -> bool:
    """In force when the version status was last derived (a changed document keeps its earlier status until then)."""
    return bool(record.vetted) and record.in_force


def held_documents(
    records: dict[str, DocumentRecord],
    aliases: dict[str, list[str]] | None = None,
    confirmed: Collection[str] = (),
    uploaded_law_waits: bool = False,
) -> dict[str, list[str]]:
    """doc id -> the doc ids of the texts in force it would supersede or repeal, for every document that must
    wait for an administrator's confirmation (the confirmed ones never do). uploaded_law_waits (a web shared
    with an administrator): a law, regulation, rule or judicial interpretation uploaded through the web waits
    too, whatever it names: held over itself (its own authority is what waits)."""
    waiting = [r for r in records.values() if unvetted(r) and r.doc_id not in confirmed]
    if not waiting:
        return {}
    groups: dict[str, list[DocumentRecord]] = {}
    for record in records.values():
        if record.kind in VERSIONED_KINDS:
            groups.setdefault(record.version_key, []).append(record)
    repeals = repeal_targets(records, aliases, {r.doc_id for r in waiting})
    versioned = [r for r in records.values() if r.kind in VERSIONED_KINDS and established(r)]
    national = national_texts(records)
    names = NameIndex(records.values(), aliases)
    held: dict[str, list[str]] = {}
    for record in waiting:
        over: list[str] = []
        group = groups.get(record.version_key, []) if record.kind in VERSIONED_KINDS else []
        if any(other.doc_id in confirmed and other.date > record.date for other in group):
            continue  # a confirmed newer version supersedes it
        for other in group:
            # a newer date displaces the version in force; so does the same date, from a new document (two
            # texts of one title and date would both be in force)
            if (
                other is not record
                and established(other)
                and (other.date < record.date or (other.date == record.date and not record.vetted))
            ):
                over.append(other.doc_id)
        # a text it repealed already (from a date still ahead: in force until then) is no new repeal
        over += [
            d
            for d in repeals.get(record.doc_id, [])
            if established(records[d]) and records[d].repealed_by != record.doc_id and d not in over
        ]
        over += [d for d in amended(record, names) if established(records[d]) and d not in over]
        over += [d for d in copied(record, versioned) if d not in over]
        over += [d for d in national_namesakes(record, national) if d not in over]
        if record.from_upload and record.vetted and record.vetted != record.hash:
            # a re-uploaded file under the same name: what its confirmed content displaced waits for a new
            # confirmation of the new content (the administrator's own edits on the command line do not)
            over += [
                d.doc_id
                for d in records.values()
                if record.doc_id in (d.superseded_by, d.repealed_by) and d.doc_id not in over
            ]
        if not over and record.pending:
            over = list(record.held_over)  # held until confirmed
        if not over and uploaded_law_waits and record.from_upload and record.kind in LAWMAKING_KINDS:
            over = [record.doc_id]
        if over:
            held[record.doc_id] = sorted(over)
    return held


def copied(record: DocumentRecord, in_force: list[DocumentRecord]) -> list[str]:
    """The doc ids of the legal texts in force (of another title: versions of one title are compared by date) whose
    wording a new document repeats (ingest.likeness.SAME_TEXT): 中华人民共和囯安全生产法 for 中华人民共和国安全生产法.
    A document accepted before is not compared again: a library read anew (a new PIPELINE_VERSION) holds nothing
    it held not before, and two accepted texts are never held over each other."""
    if record.kind in PLAN_KINDS or not record.likeness or record.vetted:
        return []
    return [
        other.doc_id
        for other in in_force
        if other.version_key != record.version_key
        and other.doc_id != record.doc_id
        and similarity(record.likeness, other.likeness) >= SAME_TEXT
    ]


def national_texts(records: dict[str, DocumentRecord]) -> dict[str, list[str]]:
    """The national laws, regulations, rules and judicial interpretations in force, by their shared name
    (DocumentRecord.short_title: 安全生产法 for 中华人民共和国安全生产法)."""
    found: dict[str, list[str]] = {}
    for record in records.values():
        if _national(record) and record.kind in LAWMAKING_KINDS and established(record):
            found.setdefault(record.short_title, []).append(record.doc_id)
    return found


def _national(record: DocumentRecord) -> bool:
    return record.region in ("", NATIONAL)


def national_namesakes(record: DocumentRecord, national: dict[str, list[str]]) -> list[str]:
    """The doc ids of the national texts in force whose title a local document bears (《生产安全事故报告和调查处理
    条例》 with a 北京市人大常委会 line above it, or an upload corrected to 北京市): a local body makes no text of a
    national law's name, and cited by that name it would read as the national text. Held like a newer version."""
    if _national(record):
        return []
    return [d for d in national.get(record.short_title, []) if d != record.doc_id]


def amended(record: DocumentRecord, names: NameIndex) -> list[str]:
    """The doc ids of the texts a document amends or interprets by its title (关于修改《…安全生产法》的决定 ->
    安全生产法; 关于《…安全生产法》第二十四条的解释 -> 安全生产法)."""
    found: list[str] = []
    for name in (m.group(1) or m.group(2) for m in _AMENDS.finditer(record.title)):
        for other in names.by_name.get(name_key(name), []):
            if other.doc_id != record.doc_id and other.doc_id not in found:
                found.append(other.doc_id)
    for other in acted_on(record, names):
        if other.doc_id not in found:
            found.append(other.doc_id)
    for name in record.amends or []:  # what its words amend or promulgate anew, whatever its title
        for other in names.by_name.get(name, []):
            if other.doc_id != record.doc_id and other.doc_id not in found:
                found.append(other.doc_id)
    return found


def target_amended(record: DocumentRecord, target: DocumentRecord) -> bool:
    """Whether the record's words amend or promulgate the target anew (its amendment claims name it)."""
    return name_key(target.title) in (record.amends or []) or name_key(target.short_title) in (record.amends or [])


def acted_on(record: DocumentRecord, names: NameIndex) -> list[DocumentRecord]:
    """The texts a decision, interpretation, reply or amendment names in its title, however written:
    关于修改〈中华人民共和国安全生产法〉的决定, 关于修改安全生产法的决定, 安全生产法修正案, 關於《…安全生產法》…的解釋,
    关于适用《…安全生产法》若干问题的解释（一）, 关于中华人民共和国安全生产法第二十四条第二款的解释."""
    title = _TRAILING_BRACKETS.sub("", to_simplified(record.title).strip()).strip()
    if not _ACT_ON_TEXT.search(title):
        return []
    found: list[DocumentRecord] = []

    def add(candidates: list[DocumentRecord]) -> None:
        found.extend(c for c in candidates if c.doc_id != record.doc_id and c not in found)

    for match in _QUOTED.finditer(title):
        add(names.by_name.get(name_key(match.group(1)), []))
    if not found:  # no quote marks: a name of an ingested text written inside the title
        squashed = name_key(title)
        for key, candidates in names.by_name.items():
            if len(key) >= _SHORTEST_NAME and key in squashed and key != squashed:
                add(candidates)
    return found


def challengers(record: DocumentRecord, records: dict[str, DocumentRecord]) -> list[str]:
    """The doc ids of the held documents that would supersede or repeal this one (not itself: an upload held over
    its own authority challenges nothing)."""
    return [r.doc_id for r in records.values() if r is not record and record.doc_id in r.held_over]


def origin_label(record: DocumentRecord) -> str:
    return "网页上传" if record.from_upload else "命令行导入"


def held_description(record: DocumentRecord, records: dict[str, DocumentRecord]) -> str:
    """将取代《安全生产法》（安全生产法(2021-06-10)）、将废止《…》（…）: what a held document would do."""
    parts = []
    for doc_id in record.held_over:
        if doc_id == record.doc_id:
            parts.append(f"网页上传的{record.kind}，管理员确认后才作为依据")
            continue
        target = records.get(doc_id)
        if target is None:
            parts.append(f"将取代或废止 {doc_id}（已不在知识库中）")
            continue
        if target.version_key == record.version_key:
            verb = "取代"
        elif target.short_title == record.short_title and _national(target) and not _national(record):
            parts.append(
                f"标题与现行的全国性《{target.title}》（{doc_id}）相同，却标为{record.region}的{record.kind}"
                f"（地方不制定与全国性法律法规同名的文本，引用时无法区分）"
            )
            continue
        elif similarity(record.likeness, target.likeness) >= SAME_TEXT:
            parts.append(f"与现行的《{target.title}》（{doc_id}）内容基本相同而标题不同")
            continue
        else:
            simple = _TRAILING_BRACKETS.sub("", to_simplified(record.title).strip()).strip()
            verb = (
                "修改"
                if _AMENDS.search(simple) or "修改" in simple or "修正案" in simple or target_amended(record, target)
                else "解释"
                if _INTERPRETS.search(simple)
                else "更正"
                if _CORRECTS.search(simple)
                else "调整"
                if "废止" not in simple and _ACT_ON_TEXT.search(_TRAILING_BRACKETS.sub("", simple.strip()))
                else "废止"
            )
        parts.append(f"将{verb}现行的《{target.title}》（{doc_id}）")
    return "、".join(parts)


def held_note(record: DocumentRecord, records: dict[str, DocumentRecord], changed_text: bool = False) -> str:
    """What an import says of a document it holds 待确认; changed_text: one held already whose text a new import
    changed (the administrator must read it again)."""
    again = "待确认期间文本已更新，需重新核对；" if changed_text else ""
    return (
        f"《{record.title}》（{record.doc_id}，{origin_label(record)}）{held_description(record, records)}："
        f"{again}已暂缓，待管理员确认，确认前仍以原文为准，该文档不参与检索；{CONFIRM_HINT}"
    )


def confirmed_note(record: DocumentRecord) -> str:
    return f"管理员已确认《{record.title}》（{record.doc_id}，{origin_label(record)}）生效"
