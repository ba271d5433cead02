"""How a chunk is cited: 《title》第X条（chapter path） for articles, the plan title and heading path otherwise;
a chunk of a repealed text says so: 《title》第X条（已废止）.

Also the one grammar of numbered citations in generated text: answers and drafts write [n]; a model may
write [1,2]、[1 2]、[1/2]、[1-3]、【2】、［2］、[^2]、[资料2]、[No.2]、[citation:2]、[2: 《…》第X条]、（资料2）、
（文献2）、见资料2、<sup>2</sup> or a footnote ², and
the number in any numeral system: 2、２、②/❷/⑵、²、二. `citation_marks` finds every such form and
`normalise_citations` rewrites each to [n], dropping (and reporting) every number that is not a source given."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from assistant.pack import Citation, pack_of
from ingest.articles import LEADING_LABEL, ArticleRef
from ingest.cleaning import invisible, to_simplified
from ingest.knowledge_base import ArticleHit, KnowledgeBase
from ingest.legal_forms import squash
from ingest.likeness import SAME_ARTICLE
from ingest.metadata import NATIONAL
from ingest.numerals import NUMERAL_CHARS, cn_to_int
from ingest.store import DocumentRecord, StoredChunk

REPEALED_MARK = "（已废止）"


def _repealed(chunk: StoredChunk) -> str:
    return REPEALED_MARK if chunk.repealed else ""


def short_citation(chunk: StoredChunk) -> str:
    """《title》第X条 for an article, 《title》 otherwise: the form used inside a sentence."""
    article = chunk.article if chunk.unit == "article" else ""
    return f"《{chunk.cited_title}》{article}{_repealed(chunk)}"


def citation(chunk: StoredChunk, with_part: bool = True) -> str:
    title = f"《{chunk.cited_title}》"
    path = chunk.heading_text
    if chunk.unit == "article":
        part = f"（第{chunk.part}部分，共{chunk.parts}部分）" if with_part and chunk.parts > 1 else ""
        where = f"（{path}）" if path else ""
        return f"{title}{chunk.article}{part}{where}{_repealed(chunk)}"
    if chunk.unit == "preamble":
        return f"{title}（题注）{_repealed(chunk)}"
    return f"{title}{' · ' + path if path else ''}{_repealed(chunk)}"


def place_note(chunk: StoredChunk) -> str:
    """· 北京市地方性法规 for a local text whose title names no place of its own (a citation of 《生产安全事故报告和
    调查处理条例》 from a 北京市人大 text must not read as the national regulation's); "" otherwise. The one note the
    web's source entries and the command line's 依据 lines both show."""
    region = chunk.region
    if not region or region == NATIONAL:
        return ""
    title = squash(chunk.cited_title)
    if squash(region) in title or squash(region)[:2] in title:  # 北京市安全生产条例, 青山区…的通知 (青山市青山区)
        return ""
    return f" · {region}{chunk.kind}"


def placed_citation(chunk: StoredChunk) -> str:
    """How an answer lists a source it cites or points to: the citation with its place note."""
    return citation(chunk) + place_note(chunk)


def resolve_citation(kb: KnowledgeBase, cited: Citation) -> ArticleHit | None:
    """The indexed article a (short title, article) pair points at, in the version in force (a repealed
    text when that is all there is: its citation says so); None if absent. When the pack's article numbers are
    written against an older version (knowledge/cited_versions.yaml) that is indexed too, the article is the one of
    the version in force carrying that article's wording (an amendment may have renumbered it), or None when no
    article does any more."""
    wanted = to_simplified(cited.doc)
    versions = kb.versions_of(wanted)
    current = (
        [r for r in versions if r.in_force] or [r for r in versions if not r.superseded and not r.pending] or versions
    )
    if not current:
        return None
    hit = kb.get_article(current[0].doc_id, cited.ref)
    written = pack_of(kb).cited_versions.get(wanted, "")
    if not written or current[0].date <= written:
        return hit
    older = next((r for r in versions if r.date == written and r.doc_id != current[0].doc_id), None)
    if older is None:  # the version the pack was written against is not indexed: its numbers are all there is
        return hit
    return _followed(kb, older, current[0], cited.ref, hit)


# (older doc id, hash, current doc id, hash, article) -> the number of the article it is in the version in force (None:
# gone). Only what the two texts decide is kept: the article itself is read each time, with the version's status now
# (a repeal recorded since must show in the citation)
_FOLLOWED: dict[tuple[str, str, str, str, ArticleRef], ArticleRef | None] = {}
# (doc id, hash) -> each article of that version with its wording, read once for every citation followed into it
_WORDINGS: dict[tuple[str, str], list[tuple[ArticleRef, str]]] = {}


def _wording(hit: ArticleHit) -> str:
    """An article's wording without its number (第二十四条 in one version is 第二十五条 in the next)."""
    return re.sub(r"\s+", "", LEADING_LABEL.sub("", hit.text.strip()))


def _wordings(kb: KnowledgeBase, version: DocumentRecord) -> list[tuple[ArticleRef, str]]:
    key = (version.doc_id, version.hash)
    if key not in _WORDINGS:
        hits = ((ref, kb.get_article(version.doc_id, ref)) for ref in kb.articles_of(version.doc_id))
        _WORDINGS[key] = [(ref, _wording(hit)) for ref, hit in hits if hit is not None]
    return _WORDINGS[key]


def _followed(
    kb: KnowledgeBase, older: DocumentRecord, current: DocumentRecord, ref: ArticleRef, same: ArticleHit | None
) -> ArticleHit | None:
    """The article of the version in force whose wording is that of the older version's article (its own number
    first); None when none is like it (ingest.likeness.SAME_ARTICLE). Which article that is is kept per pair of
    versions (their hashes: the same pair of texts gives the same answer in any knowledge base)."""
    key = (older.doc_id, older.hash, current.doc_id, current.hash, ref)
    if key not in _FOLLOWED:
        before = kb.get_article(older.doc_id, ref)
        _FOLLOWED[key] = ref if before is None else _most_like(kb, _wording(before), current, ref, same)
    found = _FOLLOWED[key]
    if found == ref:
        return same
    return kb.get_article(current.doc_id, found) if found is not None else None


def _most_like(
    kb: KnowledgeBase, wording: str, current: DocumentRecord, ref: ArticleRef, same: ArticleHit | None
) -> ArticleRef | None:
    """The number of the article of the version in force sharing at least SAME_ARTICLE of the wording: ``ref`` (the
    same number, ``same`` its article) when it does, else the most alike; None when none does."""

    def likeness(other: str) -> float:
        return SequenceMatcher(None, wording, other, autojunk=False).ratio()

    if same is not None and likeness(_wording(same)) >= SAME_ARTICLE:
        return ref
    score, best = max(
        ((likeness(other), number) for number, other in _wordings(kb, current)), key=lambda p: p[0], default=(0.0, None)
    )
    return best if score >= SAME_ARTICLE else None


# --- numbered citations in generated text ---------------------------------------------------------------

MARKER = r"\[[0-9]+\]"  # the canonical form: every answer and draft cites its sources as [n]
CITE = re.compile(r"\[([0-9]+)\]")  # MARKER, its number read (ASCII digits: a model's ٦ or 𝟔 is normalised first)
_OPEN = re.escape("[［【〔〖⟦{｛〈〈⟨⦅〘〚")
_CLOSE = re.escape("]］】〕〗⟧}｝〉〉⟩⦆〙〛")


def _spaced(words: str) -> str:
    """Alternatives of words (separated by |) that may be written with spaces between their characters
    (资 料 ９９): a label of several Chinese characters matches spaced out too."""
    return "|".join(r"\s*".join(map(re.escape, word)) if not word.isascii() else word for word in words.split("|"))


# a source label: 资料2, [资 料 2], [S2], [Ref. 2] (a single Latin letter right before the number is one too)
_LABEL = (
    rf"(?:{_spaced('资料|資料|来源|來源|编号|編號|出处|出處|文献|文獻|参考|參考|引用|脚注|腳註|注')}|source|src|ref\.?|"
    r"reference|citation|cite|cit\.|No\.|No(?=\s)|Nr\.|№|[A-Za-z](?=[0-9０-９]))?\s*[#＃:：]?"
)
# a number as a model may write it in any script's decimal digits (6, ６, ٦, ६, 𝟔: each reads as 6)
_DIGITS = r"\d+"
# one character, one number: ⑨ ⑴ ⒐ ⓫ ⓵ ❾ ➈ ➒ ㉑ ㊱ ㈨ ㊈ (unicodedata.numeric reads each)
_CIRCLED = "".join(
    chr(code)
    for low, high in (
        (0x2460, 0x249B),
        (0x24EA, 0x24FF),
        (0x2776, 0x2793),
        (0x3220, 0x3229),
        (0x3251, 0x325F),
        (0x3280, 0x3289),
        (0x32B1, 0x32BF),
    )
    for code in range(low, high + 1)
)
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_CHINESE = NUMERAL_CHARS
# Roman numerals: Ⅸ、ⅻ (one character each, NFKC reads them as IX, xii), or written in Latin letters up to 89
_ROMAN_CHARS = "".join(chr(code) for code in range(0x2160, 0x2189))
_ROMAN_LATIN = r"(?<![A-Za-z])(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})(?![A-Za-z])"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# a source number as a model may write it: 12, １２, ⑫ (a run of such characters is several numbers), ¹², 十二, Ⅸ
_NUMBER = re.compile(rf"{_DIGITS}|[{_CIRCLED}]+|[{_SUPERSCRIPT}]+|[{_CHINESE}]+|[{_ROMAN_CHARS}]+|{_ROMAN_LATIN}")
# between two numbers of one citation: a comma, a range mark, a slash or only a space ([1 2], [1/2])
_SEPARATOR = r"(?:\s*(?:[,，、;；˒/／·和及与]|[-–—~～至−⁻])\s*|\s+)"
_BARE_SEPARATOR = r"\s*(?:[,，、;；˒]|[-–—~～至−⁻])\s*"  # in a bare parenthesis: (1/2) and (1 2) are no citation
_NUMBERS = rf"{_LABEL}\s*(?:{_NUMBER.pattern})(?:{_SEPARATOR}{_LABEL}\s*(?:{_NUMBER.pattern}))*"
_LABELLED = (
    r"(?:资料|資料|来源|來源|编号|編號|出处|出處|文献|文獻|参考文献|參考文獻|引用|注|source|src|ref\.?|citation|No\."
    r"|No(?=\s)|№)"
)
_SUPERSCRIPTS = rf"[{_SUPERSCRIPT}]+(?:\s*[,，、˒⁻]\s*[{_SUPERSCRIPT}]+)*"
_MARK = re.compile(
    # a bracketed number, with the target of a Markdown link if it is one ([2](#src))
    # (a model may name the source after the number: [2†source], [2: 《安全生产法》第二十四条])
    rf"[{_OPEN}]\s*\^?\s*(?P<body>{_NUMBERS})\s*(?:†[^{_CLOSE}\n]{{0,40}}|[:：]\s*(?![0-9０-９])[^{_CLOSE}\n]{{1,60}})?"
    rf"[{_CLOSE}]"
    rf"(?:\((?:#|https?://)[^)\s]{{0,200}}\))?"
    # a parenthesis is a citation with its label (（见资料2）), or a bare number closing a clause (…后作业（2）。);
    # a number opening a line or followed by text numbers an item: （1）… (2) …
    rf"|[（(]\s*(?:见|参见|详见|参考)?\s*(?P<labelled>{_LABELLED}\s*[#＃:：]?\s*(?:{_NUMBER.pattern})"
    rf"(?:{_SEPARATOR}{_LABEL}\s*(?:{_NUMBER.pattern}))*)\s*[)）]"
    rf"|(?<=[^\s：:])[（(]\s*(?P<bare>{_DIGITS}(?:{_BARE_SEPARATOR}{_DIGITS})*)\s*[)）](?=\s*(?:[。；;，,！？!?]|$))"
    rf"|<sup>\s*(?P<sup>{_NUMBERS})\s*</sup>"
    # a footnote number: superscript digits not raising a letter or a number (m², 10⁻⁶)
    rf"|(?<![A-Za-z0-9０-９Ａ-Ｚａ-ｚ{_SUPERSCRIPT}⁺⁻])⁽?(?P<superscript>{_SUPERSCRIPTS})⁾?"
    # a footnote number: circled numerals closing a clause (…1小时内报告⑨。), not opening an item (①建立…；②组织…)
    rf"|(?<=[\u4e00-\u9fff）)”」』])(?P<circled>[{_CIRCLED}]+)(?=\s*(?:[。；;，,！？!?]|$))"
    # a source named in running text: 见资料2、根据资料2，… (not 资料3份, 资料2023年)
    rf"|(?:^|(?<=[见據据自照按考如由在于和与及或\s，。；：、,.;:（(]))(?P<plain>(?:资料|資料|文献|文獻|来源|來源)\s*(?:编号|編號)?\s*"
    rf"[#＃:：]?\s*{_DIGITS})(?![0-9０-９.．年月日份套件页頁张張本册冊个個条條项項万千百%％号號元部批卷])",
    re.IGNORECASE | re.MULTILINE,
)
_DOCUMENT_NUMBER = re.compile(r"\s*[0-9０-９]+\s*号")  # 安委办〔2023〕5号 is a document number, not a citation
_RANGE_MARK = re.compile(r"[-–—~～至−⁻]")
MAX_RANGE = 20  # [1-3] cites 1, 2 and 3; a wider range is read as its two ends


@dataclass(frozen=True)
class CitationMark:
    start: int
    end: int
    written: str  # as the model wrote it: 【2】, [1,99], [^3]
    numbers: tuple[int, ...]  # the source numbers it names, in order
    ranged: bool = False  # written as a range ([1-9], 【2至5】)


def _roman(letters: str) -> int:
    values = [_ROMAN_VALUES[c] for c in letters.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _values(token: str) -> list[int]:
    """The numbers one numeral token writes: ⑨⑨ -> [9, 9], ¹² and １２ -> [12], 九十九 -> [99], Ⅸ and IX -> [9]."""
    if token[0] in _CIRCLED:
        return [int(unicodedata.numeric(char)) for char in token]
    folded = unicodedata.normalize("NFKC", token)
    if folded.isdigit():
        return [int(folded)]
    if all(c in _ROMAN_VALUES for c in folded.upper()):
        return [_roman(folded)]
    return [cn_to_int(token)]


# numerals of one character a model may write in an article number too (第⑳条, 第Ⅻ条, 第ⅩⅩⅩ条)
CIRCLED_NUMERALS = _CIRCLED
ROMAN_NUMERALS = _ROMAN_CHARS


def numeral_value(token: str) -> int:
    """The number one numeral token writes, as an article number: ⑳ 20, ⅩⅩⅩ 30, 二百零一 and ２０１ 201. Raises
    ValueError when it is none."""
    if len(token) == 1 and token in _CIRCLED:
        return int(unicodedata.numeric(token))
    if token and all(c in _ROMAN_CHARS for c in token):
        return _roman(unicodedata.normalize("NFKC", token))
    return cn_to_int(token)


def _numbers(body: str) -> tuple[int, ...]:
    """The source numbers a citation body names, in order: 1,3-5 -> (1, 3, 4, 5). Raises ValueError when a
    numeral cannot be read (then it is not a citation)."""
    found: list[int] = []
    previous_end: int | None = None
    for match in _NUMBER.finditer(body):
        values = _values(match.group())
        if (
            found
            and previous_end is not None
            and len(values) == 1
            and _RANGE_MARK.search(body[previous_end : match.start()])
        ):
            low, high = found[-1], values[0]
            found += list(range(low + 1, high + 1)) if 0 <= high - low <= MAX_RANGE else [high]
        else:
            found += values
        previous_end = match.end()
    return tuple(dict.fromkeys(found))


_TASK_BOX = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]*$")  # - [X] is a Markdown task list's box, not a citation


def visible(text: str) -> str:
    """The text without the characters that show nothing but are no space (zero-width spaces and joiners,
    direction marks, controls: ingest.cleaning.invisible): [9\u200b9] is read as written, [99]."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if c.isspace() or not invisible(c))


def citation_marks(text: str) -> list[CitationMark]:
    """Every citation in text, in order (a 〔2023〕5号 document number is not one). Pass the text through
    `visible` first: a marker with an invisible character inside is not found otherwise."""
    marks = []
    for match in _MARK.finditer(text):
        if _DOCUMENT_NUMBER.match(text, match.end()):
            continue
        if match.group(0)[1:-1].strip() in {"X", "x", ""} and _TASK_BOX.match(
            text, text.rfind("\n", 0, match.start()) + 1, match.start()
        ):
            continue
        body = next(g for g in match.group("body", "labelled", "bare", "sup", "superscript", "circled", "plain") if g)
        try:
            numbers = _numbers(body)
        except ValueError:
            continue
        if numbers:
            ranged = len(numbers) > 1 and bool(_RANGE_MARK.search(body))
            marks.append(CitationMark(match.start(), match.end(), match.group(0), numbers, ranged))
    return marks


# a bracketed number no source can have: signed or with a fraction ([-2], [1.5], 【+3】); it stood in the answer as
# a citation, unremarked, beside the valid ones
_NO_SOURCE_NUMBER = re.compile(
    rf"[{_OPEN}]\s*(?:[-+−－＋]\s*{_DIGITS}(?:[.．]{_DIGITS})?|{_DIGITS}[.．]{_DIGITS})\s*[{_CLOSE}]"
)


# a bracketed number written with emphasis or markup around it ([**6**], [<b>6</b>], [`6`], [_6_]) or as a
# superscript in Markdown's way (^6^): the number is read as the figures are, through the markup
_EMPHASISED = re.compile(
    rf"(?P<open>[{_OPEN}])\s*(?P<mark>\*{{1,2}}|_{{1,2}}|`|<(?P<tag>b|strong|em|i|sup)>)\s*(?P<body>[^{_CLOSE}\n*_`<>]{{1,40}}?)"
    rf"\s*(?:\*{{1,2}}|_{{1,2}}|`|</(?P=tag)>)\s*(?P<close>[{_CLOSE}])"
    # (not raising a letter or a number: m^2^, 2^10^)
    r"|(?<![A-Za-z0-9０-９])\^(?P<caret>\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\^"
)


def _unwrapped(match: re.Match) -> str:
    if match.group("caret"):
        return f"[{match.group('caret')}]"
    return f"{match.group('open')}{match.group('body')}{match.group('close')}"


def normalise_citations(
    text: str, valid: set[int], ranges: list[tuple[int, int]] | None = None
) -> tuple[str, list[int | str]]:
    """Rewrite every citation form to [n] ([1,2] -> [1][2], 【3】 -> [3]); a number naming no source in valid is
    dropped, and so is a bracketed number no source can have ([1.5], [-2]). Returns the text (invisible characters
    removed, see `visible`) and what was dropped (in order of appearance, once each): the numbers, and such a mark
    as written. ranges: when given, the span in the returned text of each citation written as a range ([1-9],
    【2至5】) is appended to it: a range names sources by their place in the list, not by what they say."""
    text = _EMPHASISED.sub(_unwrapped, visible(text))
    removed: list[int | str] = []
    pieces: list[str] = []
    position = 0
    marks: list[CitationMark] = citation_marks(text)
    taken = [(m.start, m.end) for m in marks]
    marks += [
        CitationMark(m.start(), m.end(), m.group(), ())
        for m in _NO_SOURCE_NUMBER.finditer(text)
        if not any(a < m.end() and m.start() < b for a, b in taken)
    ]
    written = 0  # the length of the returned text so far
    for mark in sorted(marks, key=lambda m: m.start):
        pieces.append(text[position : mark.start])
        written += mark.start - position
        pieces.append("".join(f"[{n}]" for n in mark.numbers if n in valid))
        if ranges is not None and pieces[-1] and mark.ranged:
            ranges.append((written, written + len(pieces[-1])))
        written += len(pieces[-1])
        dropped = [n for n in mark.numbers if n not in valid] if mark.numbers else [mark.written]
        removed += [n for n in dropped if n not in removed]
        position = mark.end
    pieces.append(text[position:])
    return "".join(pieces), removed


def cited_numbers(text: str) -> list[int]:
    """The [n] of a normalised text, once each, in order of appearance."""
    return list(dict.fromkeys(int(n) for n in CITE.findall(text)))
