"""Repealed texts: what a document's own words repeal (本条例自2024年5月1日起施行。《煤矿安全监察条例》和
《国务院关于预防煤矿生产安全事故的特别规定》同时废止), and which ingested documents those words name.

Reading happens once per document version, when it is written (repeal_claims: the names as written, the
article that says so, the date); matching happens in the ingest's version-status stage over the whole set
of documents (find_repeals), so that a repealing document ingested later, or removed, updates the flag.

A name matches a document when, normalised like a version key (simplified script, no 中华人民共和国, no
（修订）/（试行）/date in brackets, no spaces or title quotes), it equals the document's title; or the issuer
written before the quotes makes it so (最高人民法院、最高人民检察院《关于办理……的解释》); or, only when
the title matches nothing, the State Council decree number after it (（国务院令第446号）) is one of the
document's aliases in the knowledge pack (446号令). A text never repeals a version of itself (that is
supersession), nor a document dated after it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING

from ingest.cleaning import normalise_for_index, to_simplified
from ingest.metadata import VERSIONED_KINDS, authority, version_key

if TYPE_CHECKING:
    from ingest.gazetteer import Gazetteer
    from ingest.store import DocumentRecord

# what a text ceasing to have effect is called: 废止, and in decisions and notices 失效 (宣布失效, 同时失效),
# 停止执行 and 不再执行
_ENDS = r"(?:废止|失效|停止执行|不再执行)"
# the words that end a repeal sentence: 同时废止, 即行废止, 自本条例施行之日起废止, 予以废止, 同时失效, 宣布失效,
# 同时停止执行, 自…起不再执行 ... (a verb of ending alone, 证书失效, 不再执行原标准, says nothing of a text)
_REPEAL = re.compile(rf"(?:同时|即行|一并|予以|宣布|相应|之日起|起)\s*{_ENDS}")
# a decision's operative verb before the names it repeals (国务院决定：废止《X》; 现决定废止《X》和《Y》), at the start
# of a clause (not 不得废止《X》, 拟废止《X》, 建议废止《X》)
_REPEAL_AHEAD = re.compile(
    r"(?:^|[:：，,])\s*(?:(?:现|特|兹)?决定|宣布)?\s*(?:予以|即行)?(?:废止|宣布失效)\s*"
    r"(?P<names>(?:[《〈][^《》〈〉]{2,60}[》〉][、，,和及与]?)+)"
)
_SENTENCE = re.compile(r"[。；;\n]")
_ENDING = re.compile(r"废止|廢止|失效|停止执行|停止執行|不再执行|不再執行")  # a passage that may repeal something
_CN_DIGIT = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CN_NUM = r"[〇○零一二三四五六七八九十]"
# 本条例自2024年5月1日起施行 (not 自1997年2月5日起施行的《…》, which describes the repealed text)
_EFFECTIVE = re.compile(
    rf"本[\u4e00-\u9fff]{{0,6}}?自\s*(?P<y>\d{{4}}|{_CN_NUM}{{4}})\s*年\s*(?P<m>\d{{1,2}}|{_CN_NUM}{{1,3}})"
    rf"\s*月\s*(?P<d>\d{{1,2}}|{_CN_NUM}{{1,3}})\s*日\s*起\s*(?:施行|实施|生效)(?!的)"
)
# a repeal of part of a text (《X》中有关……的规定, 《X》第十条) is no repeal of the text
_PARTIAL = re.compile(r"^\s*(?:中|第|的|有关|部分|关于)")
_AFTER_TITLE = re.compile(r"^\s*[（(](?P<inside>[^）)]{0,40})[）)]")
_DECREE_IN_BRACKETS = re.compile(r"国务院令?第?\s*(\d+)\s*号")
# how people write a State Council decree: 国务院令第446号, 国务院第446号令, 第446号令, 446号令
_DECREE = re.compile(r"^(?:中华人民共和国)?(?:国务院)?(?:令)?第?\s*(\d+)\s*号(?:令)?$")
_CITING = re.compile(r"(?:根据|依据|依照|按照|参照)[^，,]*$")
# a repeal that announces a list of the texts it repeals (对下列行政法规予以废止：, 下列规章同时废止:), and an item of
# such a list with the name it leads with (一、生产安全事故报告和调查处理条例（…公布）, 2. 《X》): the official form
# of the State Council's decisions, which quote no names
# (not 不予废止, 拟予废止, 暂不废止: a list kept in force, or only proposed); items may follow the colon on its line
_LIST_REPEAL = re.compile(
    r"下列(?:(?![不拟暂未])[^。；;\n，,]){0,20}?(?:(?:同时|即行|一并|予以|宣布)?\s*废止|(?:同时|宣布|予以)\s*失效)"
    r"\s*(?:[:：]\s*(?P<rest>.*))?$",
    re.M,
)
_LIST_ITEM = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|\d+\s*[、.．)）]|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])\s*"
    r"[《〈]?(?P<name>[^《》〈〉（(\n。；;，,]{2,60}?)[》〉]?(?=\s*(?:[（(]|[。；;]?\s*$))"
)
# a row of a table listing them (| 1 | X条例 | 2007年4月9日 |; Word's 1 | X条例 | …): a serial number, then the name
_TABLE_ROW = re.compile(r"^\s*\|?\s*(?:[一二三四五六七八九十百]+|\d+)\s*[、.．]?\s*\|\s*(?P<row>.*)$")
_TRAILING_BRACKET = re.compile(r"[（(][^（）()]*[)）]\s*$")
_LIST_START = "下列……废止："  # where an announced list starts (compared by identity)
_BEFORE_CHARS = 40  # text kept before a name: where the issuer written outside the quotes is found


@dataclass(frozen=True)
class RepealClaim:
    """One text a document says it repeals."""

    name: str  # the name inside 《》, as a name key (see name_key)
    before: str  # the sentence before the 《 (normalised, at most _BEFORE_CHARS): the issuer, when written there
    decree: str  # 446号令 when the name is followed by （国务院令第446号）, else ""
    article: str  # the article saying so (第七十六条), "" outside articles
    on: str  # the date the repeal takes effect, when the article says (本条例自2024年5月1日起施行), else ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RepealClaim:
        return cls(**{k: str(data.get(k, "")) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Repeal:
    """Which document repeals a document, by which article, from when."""

    by: str  # doc id
    article: str
    on: str


def name_key(title: str) -> str:
    """A title as a version key names it (no region), 中华人民共和国 and quotes left out wherever they are:
    《中华人民共和国消防法（2021修正）》 -> 消防法, 山东省实施<中华人民共和国标准化法>办法 -> 山东省实施标准化法办法."""
    name = version_key(title, "").split("|", 1)[1].replace("中华人民共和国", "")
    return re.sub(r"[\s<>〈〉《》]", "", normalise_for_index(name))


def decree_alias(text: str) -> str:
    """446号令 for 国务院令第446号, 国务院第446号令, 第446号令 or 446号令; "" for anything else."""
    simple = to_simplified(text).replace(" ", "")
    match = _DECREE.match(simple)
    return f"{match.group(1)}号令" if match and "令" in simple else ""


def _iso_date(y: str, m: str, d: str) -> str:
    def number(text: str) -> int:
        if text.isdigit():
            return int(text)
        if "十" not in text:
            return int("".join(_CN_DIGIT[c] for c in text))
        tens, _, units = text.partition("十")
        return int(_CN_DIGIT.get(tens, "1") if tens else 1) * 10 + (int(_CN_DIGIT[units]) if units else 0)

    try:
        year = y if y.isdigit() else "".join(_CN_DIGIT[c] for c in y)
        return date(int(year), number(m), number(d)).isoformat()
    except (KeyError, ValueError):
        return ""


def _titles(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, inside) of each outermost 《…》 of a sentence (a title quoted inside one is part of it)."""
    found, depth, start = [], 0, 0
    for i, ch in enumerate(sentence):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                found.append((start, i + 1, sentence[start + 1 : i]))
    return found


def _units(pieces: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(article label, text) with the parts of one article joined; (\"\", text) for other passages."""
    units: list[tuple[str, str]] = []
    for article, text in pieces:
        if article and units and units[-1][0] == article:
            units[-1] = (article, units[-1][1] + "\n" + text)
        else:
            units.append((article, text))
    return units


def _listed(article: str, text: str, listing: bool, claims: list[RepealClaim]) -> bool:
    """The items of a list a repeal announces (对下列行政法规予以废止：/ 一、X条例（…公布）/ 二、…): each item's
    leading name, quoted or not, is a text repealed. Whether the list goes on past this passage."""
    lines: list[str] = []
    for line in text.splitlines():
        announced = _LIST_REPEAL.search(line)
        if announced:  # 对下列行政法规予以废止：一、X（…）；二、Y（…）。: the items on its own line
            lines += [_LIST_START, *re.split(r"[；;]", announced.group("rest") or "")]
        else:
            lines.append(line)
    for line in lines:
        if line is _LIST_START:
            listing = True
            continue
        if not listing or not line.strip():
            continue
        row = _TABLE_ROW.match(line)
        if row is not None:
            cells = [c.strip() for c in row.group("row").split("|")]
            name = _TRAILING_BRACKET.sub("", cells[0]).strip().strip("《》〈〉")
            decree = _DECREE_IN_BRACKETS.search(row.group("row"))
            if len(name) >= 2:
                claims.append(RepealClaim(name_key(name), "", f"{decree.group(1)}号令" if decree else "", article, ""))
            continue
        if "|" in line:
            continue  # the table's header (序号 | 名称 | 公布日期) and the rule under it
        item = _LIST_ITEM.match(line)
        if item is None:
            return False  # 本决定自公布之日起施行: the list has ended
        bracket = _AFTER_TITLE.match(line[item.end("name") :])
        decree = _DECREE_IN_BRACKETS.search(bracket.group("inside")) if bracket else None
        claims.append(
            RepealClaim(name_key(item.group("name")), "", f"{decree.group(1)}号令" if decree else "", article, "")
        )
    return listing


def repeal_claims(pieces: Iterable[tuple[str, str]]) -> list[RepealClaim]:
    """What a document says it repeals, from its passages in order: (article label or "", text)."""
    claims: list[RepealClaim] = []
    listing = False  # inside a list of repealed texts (对下列行政法规予以废止：)
    for article, text in _units(pieces):
        if listing or _LIST_REPEAL.search(to_simplified(text)):
            listing = _listed(article, to_simplified(text), listing, claims)
        if not _ENDING.search(text):
            continue
        simple = to_simplified(text)
        effective = _EFFECTIVE.search(simple)
        on = _iso_date(effective.group("y"), effective.group("m"), effective.group("d")) if effective else ""
        for sentence in _SENTENCE.split(simple):
            ahead = _REPEAL_AHEAD.search(sentence)
            if ahead is not None:  # 国务院决定：废止《X》、《Y》: the names after the verb
                for _, _, inside in _titles(ahead.group("names")):
                    claims.append(RepealClaim(name=name_key(inside), before="", decree="", article=article, on=on))
            repeal = _REPEAL.search(sentence)
            if repeal is None:
                continue
            for start, end, inside in _titles(sentence[: repeal.start()]):
                after = sentence[end : repeal.start()]
                bracket = _AFTER_TITLE.match(after)
                rest = after[bracket.end() :] if bracket else after
                clause = re.split(r"[，,]", sentence[:start])[-1]
                if _PARTIAL.match(rest) or _CITING.search(clause):
                    continue
                decree = _DECREE_IN_BRACKETS.search(bracket.group("inside")) if bracket else None
                claims.append(
                    RepealClaim(
                        name=name_key(inside),
                        before=normalise_for_index(sentence[:start]).replace(" ", "")[-_BEFORE_CHARS:],
                        decree=f"{decree.group(1)}号令" if decree else "",
                        article=article,
                        on=on,
                    )
                )
    return list(dict.fromkeys(claims))


# a sentence that changes a named text: 对《X》作出修改, 将《X》第二十四条修改为, 《X》第二十四条修改为,
# 《X》已由……通过，现予公布 (a decree promulgating it); the verb belongs to the name (no comma between them but in
# the decree's form), so 贯彻新修订的《X》，本方案修改为…… changes no X
_AMENDING = re.compile(
    r"(?:对|将)[《〈<](?P<a>[^《》〈〉<>]{2,60})[》〉>][^《〈。；;\n，,]{0,40}?"
    r"(?:作(?:出)?(?:如下|以下)?修改|修改为|调整为|变更为|予以删除|删去)"
    r"|[《〈<](?P<b>[^《》〈〉<>]{2,60})[》〉>][^《〈。；;\n，,]{0,40}?(?:修改为|调整为|变更为)"
    r"|[《〈<](?P<c>[^《》〈〉<>]{2,60})[》〉>]已由[^《〈。；;\n]{0,80}?现予公布"
)


def amend_claims(texts: Iterable[str]) -> list[str]:
    """The name keys of the texts a document's words amend or promulgate anew, in order (a decision amending several
    laws names none of them in its title; a decree publishing a law carries its whole text)."""
    names: list[str] = []
    for text in texts:
        if "《" not in text and "〈" not in text and "<" not in text:
            continue
        for sentence in _SENTENCE.split(to_simplified(text)):
            for match in _AMENDING.finditer(sentence):
                if _CITING.search(re.split(r"[，,]", sentence[: match.start()])[-1]):
                    continue
                key = name_key(match.group("a") or match.group("b") or match.group("c"))
                if key and key not in names:
                    names.append(key)
    return names


class NameIndex:
    """Ingested documents by name key, and by alias (from the knowledge pack's document_aliases)."""

    def __init__(self, records: Iterable[DocumentRecord], aliases: dict[str, list[str]] | None = None):
        self.by_name: dict[str, list[DocumentRecord]] = {}
        self.by_alias: dict[str, list[DocumentRecord]] = {}
        alias_of: dict[str, set[str]] = {}
        for key, names in (aliases or {}).items():
            alias_of.setdefault(name_key(key), set()).update(alias_key(a) for a in names)
        for record in records:
            keys = {name_key(record.title), name_key(record.short_title)}
            for key in keys:
                self.by_name.setdefault(key, []).append(record)
            for alias in {a for key in keys for a in alias_of.get(key, ())}:
                self.by_alias.setdefault(alias, []).append(record)

    def named(self, claim: RepealClaim) -> list[DocumentRecord]:
        """The documents a repeal claim names: by title (with the issuer written before it), else by decree."""
        found = list(self.by_name.get(claim.name, []))
        for n in range(1, len(claim.before) + 1):  # 最高人民法院、最高人民检察院 + 关于办理……的解释
            found += [r for r in self.by_name.get(name_key(claim.before[-n:] + claim.name), []) if r not in found]
        if not found:  # by a name the pack knows it by (《事故报告条例》), else by decree
            found = list(self.by_alias.get(alias_key(claim.name), []))
        if not found and claim.decree:
            found = list(self.by_alias.get(claim.decree, []))
        return found


def alias_key(alias: str) -> str:
    """How an alias is compared: a decree number in any of its written forms as 446号令, else normalised."""
    return decree_alias(alias) or normalise_for_index(alias).replace(" ", "")


def _claims_of(record: DocumentRecord) -> list[RepealClaim]:
    return [RepealClaim.from_dict(c) for c in (record.repeals or []) if isinstance(c, dict)]


def _matches(
    records: dict[str, DocumentRecord], index: NameIndex, repealers: Iterable[DocumentRecord]
) -> Iterator[tuple[DocumentRecord, DocumentRecord, RepealClaim, str]]:
    """(repealer, repealed record, claim, date from which) for every ingested document a claim names."""
    for repealer in repealers:
        for claim in _claims_of(repealer):
            on = claim.on or repealer.date
            latest = max(repealer.date, claim.on)
            for record in index.named(claim):
                if record.doc_id == repealer.doc_id or record.version_key == repealer.version_key:
                    continue  # a text replacing its own earlier version supersedes it
                if not may_repeal(repealer, record):
                    continue
                if record.date and latest and record.date > latest:
                    continue  # a text dated after the repeal is not the one repealed
                yield repealer, record, claim, on


def may_repeal(repealer: DocumentRecord, record: DocumentRecord) -> bool:
    """Whether a text has the standing to repeal another: a text of no legal form (a plan, a notice, an enterprise's
    own rules) only another such text, a legal text only one of its rank in the hierarchy or below (authority). An
    enterprise's 管理制度 or a city's regulation naming 《生产安全事故报告和调查处理条例》…同时废止 repeals nothing: it
    was held for an administrator, and once confirmed took the regulation out of every answer."""
    if repealer.kind not in VERSIONED_KINDS:
        return record.kind not in VERSIONED_KINDS
    ranks = authority(repealer.kind, repealer.region), authority(record.kind, record.region)
    if ranks[0] == ranks[1] == LOCAL_RANK and repealer.region != record.region:
        return _binds_in(repealer.region, record.region)
    return ranks[0] >= ranks[1]


LOCAL_RANK = 1  # authority() of a local legal text


def _binds_in(place: str, other: str) -> bool:
    """Whether a local text of place may reach a text of another place: never one of a place it lies in (宁波市 in
    浙江省: a city's rule repealing its province's 条例 was held for an administrator as a real repeal) nor one of a
    place beside it (杭州市 and 宁波市, 浙江省 and 山东省); places the table of divisions does not know are left to the
    administrator."""
    from ingest.gazetteer import default_gazetteer

    table = default_gazetteer()
    if not place or not other or not (table.knows(place) or table.enclosing(place)):
        return True
    if not (table.knows(other) or table.enclosing(other)):
        return True
    # one place written two ways (宁波市 and 浙江省宁波市, 浙江 and 浙江省, an edit's --region) is its own place: a
    # city's new regulation repealing its old one was taken for a city reaching beside itself, and the repeal dropped
    here = _division(table, place)
    return here == _division(table, other) or here in table.enclosing(other)


def _division(table: Gazetteer, place: str) -> str:
    """A place's name as the table of divisions has it: 浙江省宁波市 → 宁波市, 浙江 → 浙江省."""
    full = table.full_name(place)
    if table.knows(full):
        return full
    return next((name for name in table.names() if full.endswith(name) and len(name) < len(full)), full)


def find_repeals(
    records: dict[str, DocumentRecord], aliases: dict[str, list[str]] | None = None, suspended: Collection[str] = ()
) -> dict[str, Repeal]:
    """doc id -> how it is repealed, for every document another ingested document repeals. Of several
    repealing documents, one in force is cited first, then the earliest repeal. The claims of the documents
    in suspended (held for an administrator's confirmation) have no effect."""
    index = NameIndex(records.values(), aliases)
    found: dict[str, tuple[tuple, Repeal]] = {}
    for repealer, record, claim, on in _matches(
        records, index, (r for r in records.values() if r.doc_id not in suspended)
    ):
        rank = (repealer.superseded, on or "9999", repealer.doc_id, claim.article)
        if record.doc_id not in found or rank < found[record.doc_id][0]:
            found[record.doc_id] = (rank, Repeal(repealer.doc_id, claim.article, on))
    return {doc_id: repeal for doc_id, (_, repeal) in found.items()}


def repeal_targets(
    records: dict[str, DocumentRecord],
    aliases: dict[str, list[str]] | None = None,
    repealers: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """Repealing doc id -> the doc ids of the ingested documents its claims name (of these repealers only,
    when given)."""
    chosen = [r for r in records.values() if repealers is None or r.doc_id in repealers]
    if not any(r.repeals for r in chosen):
        return {}
    targets: dict[str, list[str]] = {}
    for repealer, record, _, _ in _matches(records, NameIndex(records.values(), aliases), chosen):
        named = targets.setdefault(repealer.doc_id, [])
        if record.doc_id not in named:
            named.append(record.doc_id)
    return targets


def chinese_date(iso: str) -> str:
    """2024-05-01 -> 2024年5月1日 (a year alone stays a year)."""
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[0])}年{int(parts[1])}月{int(parts[2])}日"
    return f"{iso}年" if iso.isdigit() else iso


def repeal_text(on: str, by_title: str, article: str, pending: bool = False) -> str:
    """自2024年5月1日起由《煤矿安全生产条例》第七十六条废止 (将自…起… while the date has not come)."""
    since = f"自{chinese_date(on)}起" if on else ""
    return f"{'将' if pending else ''}{since}由《{by_title}》{article}废止"


def describe_repeal(record, records: dict) -> str:
    """How a document is repealed, for the user ("" when it is not)."""
    if not record.repealed_by:
        return ""
    by = records.get(record.repealed_by)
    return repeal_text(
        record.repealed_on,
        by.title if by is not None else record.repealed_by,
        record.repealed_by_article,
        pending=not record.repealed,
    )
