"""Checking what a model wrote against the sources it was given (LLM answers and LLM drafts):

- citations: every written form ([1,2]、【3】、[^4]、（资料5）、[⑨]、【九十九】、¹²、（文献9）、[No.9]、见资料9) is
  normalised to [n]; a number naming no source given is removed and reported (assistant.citations is the
  grammar);
- quotes: every quotation, between any pair of quotation marks (QUOTE_PAIRS: “…”、「…」、｢…｣、『…』、〝…〞、«…»、
  "…", `…`, ❝…❞ and more) and every Markdown blockquote (> …), also one running over a line break (not over a
  blank line), must be verbatim in a source — the
  source cited in its sentence, any source when the sentence cites none; a sentence never ends inside a quotation.
  Compared with spaces removed, NFKC and traditional -> simplified on both sides; a quote shortened with …… must
  hold its pieces in order. Otherwise it is flagged;
- article mentions: 第二百零一条, 第二百零一條, 第贰佰零壹条, 第 2 0 1 条, 该法二百零一条, 《某法》第X条,
  第X条第Y款第Z项, lists and ranges (第二十四、二百零一条, 第二十四至三百条: each number, a range at its
  ends), Article 201(3), named in the text (read in simplified, half-width form) must be an article given (by
  number, and by title when one is named) that has the paragraph (款) and item (项) named, or be written in a
  source; otherwise it is flagged;
- figures: every figure (a number with its unit: 三百人, 300人, 2小时, 五万元, 百分之十, in either numeral script,
  assistant.llm.figures) in a sentence or table row that cites a source or names an article or a law must be in
  that source (any source when it cites none), or in the question; 一百人 is 100人. A figure inside a quotation is
  checked with the quotation. Otherwise it is flagged;
- nothing cited at all is reported, so that the answer can say it cannot be checked.
The reply is cleaned first (assistant.llm.reply: control characters, reasoning blocks, images and links removed),
and a mark is never put inside an HTML tag.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.citations import CITE, cited_numbers, normalise_citations
from assistant.llm import figures as figure_check
from assistant.llm.reply import IMAGE_REMOVED, LINK_REMOVED, clean_reply
from ingest.articles import LEADING_LABEL
from ingest.cleaning import clauses, to_simplified
from ingest.numerals import NUMERAL_CHARS, cn_to_int, int_to_cn
from ingest.store import StoredChunk

MISQUOTE_MARK = "（⚠未能在所引条文中逐字核对）"
UNKNOWN_ARTICLE_MARK = "（⚠所给资料中没有此条，请核实）"
FIGURE_MARK = "（⚠数字未能在所引条文中核对）"
NEGATION_MARK = "（⚠与所引条文的肯定、否定不一致，请核实）"
# (opening, closing) quotation marks; a quotation is the text between a pair, on one line or running over line
# breaks but never over a blank line
QUOTE_PAIRS = [
    ("“", "”"),
    ("「", "」"),
    ("｢", "｣"),
    ("『", "』"),
    ("﹁", "﹂"),
    ("﹃", "﹄"),
    ("〝", "〞"),
    ("〝", "〟"),
    ("«", "»"),
    ("‹", "›"),
    ("„", "“"),
    ("„", "”"),
    ("‚", "‘"),
    ("‚", "’"),
    ("‘", "’"),
    ("‛", "’"),
    ("‟", "”"),
    ('"', '"'),
    ("＂", "＂"),
    ("＇", "＇"),
    ("❝", "❞"),
    ("❛", "❜"),
    ("🙶", "🙷"),
    ("`", "`"),
]
_QUOTE = re.compile(
    "|".join(
        f"{re.escape(opening)}(?P<q{n}>(?:[^{re.escape(opening + closing)}\n]|\n(?![ \t\u3000]*\n))+)"
        f"{re.escape(closing)}"
        for n, (opening, closing) in enumerate(QUOTE_PAIRS)
    )
)
MIN_QUOTE = 4  # characters (letters and digits) a quotation must hold to be checked: “三同时” is a term, not a quote
# a sentence whose character pairs are at least this share of one clause of a source it rests on restates that
# clause (a near copy): a negation it adds or drops turns the law around (应当设置 -> 不需要设置). Chosen on the red
# team's replies, not on evaluation data: a paraphrase keeps well under half of the pairs
NEAR_COPY = 0.7
_NEGATION = re.compile(r"不得|不需要|不必|不应|无需|无须|不|未|无|非|没有|禁止|严禁")
_MIN_NEAR_COPY = 8  # characters of a clause compared as a near copy
_ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
_QUOTE_MARKS = "".join(dict.fromkeys("".join(o + c for o, c in QUOTE_PAIRS) + "'"))
_NOISE = re.compile(rf"[\s\u200b-\u200f\ufeff*_`{re.escape(_QUOTE_MARKS)}]+")
_SENTENCE_END = re.compile(r"[。；！？\n]")
_NUM = rf"[{NUMERAL_CHARS}\d]+"
# a numeral as a model may write it in an article number: 二百零一, 贰佰零壹, 2 0 1 (spaced)
_SPACED_NUM = rf"[{NUMERAL_CHARS}\d](?:[ \t\u3000]*[{NUMERAL_CHARS}\d])*"
_LIST_SEP = r"[ \t\u3000]*(?:[、，,和及与或至到~～—–-]|以及)[ \t\u3000]*(?:第[ \t\u3000]*)?"
_NUMS = rf"(?P<nums>{_SPACED_NUM}(?:{_LIST_SEP}{_SPACED_NUM})*)"
_DETAIL = rf"(?:\s*第\s*(?P<paragraph>{_NUM})\s*款)?(?:\s*第\s*[（(]?\s*(?P<item>{_NUM})\s*[)）]?\s*项)?"
# 之一, or a list of them: 第二十四条之一、之二
_SUBS = rf"之(?P<subs>{_NUM}(?:[ \t\u3000]*(?:[、，,和及与或]|以及)[ \t\u3000]*之{_NUM})*)"
# 《title》第X条(之Y)(第Y款)(第(Z)项), a list or a range (第二十四、二十五条, 第二十四至三十条), or the
# number without 第 after a law's name (该法二百零一条, 《安全生产法》二十四条); matched in the folded text
# (simplified, half-width: 第貳佰零壹條 is 第贰佰零壹条)
_MENTION = re.compile(
    rf"(?:《(?P<title>[^《》\n]{{1,60}})》\s*)?"
    rf"(?P<label>(?:第\s*|(?:(?<=》)|(?<=[本该此]法)|(?<=条例))[ \t\u3000]*){_NUMS}"
    rf"\s*条(?:{_SUBS})?{_DETAIL})"
)
# Article 24, Articles 24 and 25, Art. 24(2), Article 201 of the … Law, paragraph 3
_ENGLISH_MENTION = re.compile(
    r"(?<![A-Za-z])Art(?:icles?|s?\.)\s*(?P<nums>\d+(?:\s*(?:,|and|or|to|-|–)\s*\d+)*)(?:\s*\((?P<paragraph>\d+)\))?"
    r"(?:[^.;。；\n]{0,60}?(?<![A-Za-z])(?:paragraph|para\.|§)\s*(?P<paragraph2>\d+))?"
    r"(?:[^.;。；\n]{0,30}?(?<![A-Za-z])item\s*\(?(?P<item>\d+))?",
    re.IGNORECASE,
)
# a Markdown blockquote (> …, over consecutive lines) is a quotation: its lines without the > marks
_BLOCKQUOTE = re.compile(r"^[ \t]*>.*(?:\n[ \t]*>.*)*", re.MULTILINE)
_BLOCKQUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]*)+(?:[-*+][ \t]+)?", re.MULTILINE)
_QUOTED_TITLE = re.compile(r"^《[^《》\n]{1,60}》\s*")
_ITEM_LINE = re.compile(rf"^\s*(?:[（(]\s*{_NUM}\s*[)）]|{_NUM}\s*[、.．])")
_NATIONAL = "中华人民共和国"
# where a figure's sentence ends (a table row is a line); citations right after the full stop belong to it
_CLAIM_END = re.compile(r"[。！？!?]|\n")
_TRAILING_CITES = re.compile(r"[ \t]*(?:\[\d+\][ \t]*)+")
_HTML_TAG = re.compile(r"<[A-Za-z/!?\u4e00-\u9fff][^<>\n]*>")


def canonical(text: str) -> str:
    """Text as quotes are compared: NFKC, simplified, no spaces, quotation marks or Markdown emphasis."""
    return _NOISE.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


def _substance(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _verbatim(quote: str, source: str) -> bool:
    """The quote is in the source; a quote shortened with …… has its pieces there in order."""
    pieces = [canonical(p) for p in _ELLIPSIS.split(quote)]
    position = 0
    for piece in (p for p in pieces if p):
        found = source.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _title_key(title: str) -> str:
    return canonical(title).removeprefix(_NATIONAL)


def _titles_match(named: str, title: str) -> bool:
    """《安全生产法》 names 中华人民共和国安全生产法; a short name (《危化品条例》) names the title whose characters it
    takes in order (危险化学品安全管理条例)."""
    named, title = _title_key(named), _title_key(title)
    if not named or not title:
        return False
    if named in title or title in named:
        return True
    position = 0
    for char in named:
        position = title.find(char, position) + 1
        if position == 0:
            return False
    return len(named) >= 3 and named[-1] == title[-1]


@dataclass
class Verification:
    removed: list[int] = field(default_factory=list)  # citation numbers that pointed at no provided source
    misquotes: list[str] = field(default_factory=list)  # quoted phrases not verbatim in their source
    unknown_articles: list[str] = field(default_factory=list)  # articles named that no source given is or states
    uncited: bool = False  # the text cites no source at all
    figures: list[str] = field(default_factory=list)  # figures (三百人) not in the sources their sentence rests on
    negations: list[str] = field(default_factory=list)  # near copies of a clause with a negation added or dropped
    images_removed: int = 0  # images (Markdown or HTML) taken out of the reply
    links_removed: int = 0  # link addresses taken out of the reply (the link text is kept)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    folded = to_simplified(unicodedata.normalize("NFKC", char))
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    """Simplified, half-width text of the same length (one character for one), so that positions carry over."""
    return "".join(_fold_char(char) for char in text)


def _numeral(text: str | None) -> int | None:
    try:
        return cn_to_int(text) if text else None
    except ValueError:
        return None


def _paragraphs(article_text: str) -> list[int]:
    """How many items (项) each paragraph (款) of an article holds: a line opening with （一） or 1. is an item of
    the paragraph before it, any other line starts a paragraph."""
    paragraphs: list[int] = []
    for line in (line for line in article_text.splitlines() if line.strip()):
        if _ITEM_LINE.match(line) and paragraphs:
            paragraphs[-1] += 1
        else:
            paragraphs.append(0)
    return paragraphs


def _holds(parts: list[StoredChunk], paragraph: int | None, item: int | None) -> bool:
    """The article (its parts given, in order) has the paragraph and the item named."""
    if paragraph is None and item is None:
        return True
    if not any(chunk.part == 1 for chunk in parts):
        return False  # the paragraphs cannot be counted from a later part alone
    ordered = sorted(parts, key=lambda chunk: chunk.part)
    paragraphs = _paragraphs("\n".join(chunk.text for chunk in ordered))
    if paragraph is not None:
        if not 1 <= paragraph <= len(paragraphs):
            return False
        return item is None or 1 <= item <= paragraphs[paragraph - 1]
    return item is not None and 1 <= item <= max(paragraphs, default=0)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    title: str | None
    label: str  # as written (folded)
    numbers: tuple[int, ...]  # each article named: the numbers of a list, the two ends of a range
    subs: tuple[int, ...]  # 之一 (1), 之一、之二 (1, 2); (0,) for none
    paragraph: int | None
    item: int | None


def _listed(nums: str) -> tuple[int, ...]:
    """The article numbers of 二十四、二百零一 or 二十四至三百 (a range is checked at its two ends)."""
    numbers = [_numeral(n) for n in re.split(_LIST_SEP, nums)]
    return tuple(dict.fromkeys(n for n in numbers if n is not None))


def _subs(subs: str | None) -> tuple[int, ...]:
    """The 之X numbers of 之一 or 之一、之二; (0,) for an article without one."""
    return tuple(dict.fromkeys(_numeral(n) or 0 for n in re.findall(_NUM, subs))) if subs else (0,)


def _mentions(text: str) -> list[_Mention]:
    """The articles text names, in Chinese (in any script, numeral system and spacing) or in English."""
    found = [
        _Mention(
            m.start(),
            m.end(),
            m.group("title"),
            m.group("label"),
            _listed(m.group("nums")),
            _subs(m.group("subs")),
            _numeral(m.group("paragraph")),
            _numeral(m.group("item")),
        )
        for m in _MENTION.finditer(_fold(text))
    ]
    for m in _ENGLISH_MENTION.finditer(text):
        numbers = tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", m.group("nums"))))
        found.append(
            _Mention(
                m.start(),
                m.end(),
                None,
                "",
                numbers,
                (0,),
                _numeral(m.group("paragraph") or m.group("paragraph2")),
                _numeral(m.group("item")),
            )
        )
    return found


def _article_given(
    mention: _Mention, number: int, sub: int, chunks: list[StoredChunk], canon_sources: list[str]
) -> bool:
    """An article a mention names (第number条之sub) is an article given that has the paragraph and item named, or
    is written in a source."""
    title, paragraph, item = mention.title, mention.paragraph, mention.item
    articles: dict[str, list[StoredChunk]] = {}
    for chunk in chunks:
        if (
            number is not None
            and chunk.unit == "article"
            and chunk.article_num == number
            and chunk.article_sub == sub
            and (title is None or _titles_match(title, chunk.title or chunk.doc_id))
        ):
            articles.setdefault(chunk.doc_id or chunk.title, []).append(chunk)
    if any(_holds(parts, paragraph, item) for parts in articles.values()):
        return True
    detail = (f"第{int_to_cn(paragraph)}款" if paragraph and paragraph < 10000 else "") + (
        f"第{int_to_cn(item)}项" if item and item < 10000 else ""
    )
    zhi = f"之{int_to_cn(sub)}" if 0 < sub < 10000 else ""
    written = canonical(f"第{int_to_cn(number)}条{zhi}{detail}") if 0 < number < 10000 and (zhi or not sub) else ""
    labels = {written, canonical(mention.label)} - {""}
    return any(
        any(
            (f"{canonical(title)}》{label}" if title else label) in source
            or (title and label in source and _title_key(title) in source)
            for label in labels
        )
        for source in canon_sources
    )


def _sentence_starts(text: str, quotes: list[re.Match]) -> list[int]:
    """Where each sentence starts: after 。；！？ or a line break, never inside a quotation."""
    starts = [0]
    for end in (match.end() for match in _SENTENCE_END.finditer(text)):
        if not any(quote.start() < end < quote.end() for quote in quotes):
            starts.append(end)
    return starts


def _claims(text: str, quotes: list[re.Match]) -> list[tuple[int, int]]:
    """The spans a figure is checked in: sentences ending at 。！？ or a line (a table row), never inside a
    quotation; a citation right after the full stop (……设置。[1]) belongs to the sentence before it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAIM_END.finditer(text):
        end = match.end()
        if end <= start or any(quote.start() < end < quote.end() for quote in quotes):
            continue
        if match.group() != "\n":
            trailing = _TRAILING_CITES.match(text, end)
            end = trailing.end() if trailing else end
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _attributed(claim: str) -> bool:
    """A sentence rests on the sources when it cites one, names an article or names a law (《…》)."""
    return bool(CITE.search(claim)) or "《" in claim or bool(_mentions(claim))


def _outside_tags(text: str, position: int) -> int:
    """A position moved past the HTML tag it falls in (a mark inside a tag would break it)."""
    for tag in _HTML_TAG.finditer(text, max(0, position - 2000), position + 2000):
        if tag.start() < position < tag.end():
            return tag.end()
    return position


def verify(text: str, chunks: list[StoredChunk], question: str = "") -> tuple[str, Verification, list[int]]:
    """Clean (assistant.llm.reply), normalise and check a model's text against its numbered sources (1-based, in
    order); a figure the question states is taken as given. Returns the text (citations as [n], unverifiable ones
    removed, misquotes, unknown articles and unknown figures marked), what was found, and the source numbers the
    text cites."""
    report = Verification()
    text, report.removed = normalise_citations(clean_reply(text), set(range(1, len(chunks) + 1)))
    report.images_removed, report.links_removed = text.count(IMAGE_REMOVED), text.count(LINK_REMOVED)
    canon_sources = [canonical(c.text) for c in chunks]
    quotes = list(_QUOTE.finditer(text))
    starts = _sentence_starts(text, quotes)

    def sentence_of(position: int) -> str:
        index = bisect_right(starts, position) - 1
        return text[starts[index] : starts[index + 1] if index + 1 < len(starts) else len(text)]

    marks: list[tuple[int, str]] = []  # (position, mark) to insert
    checked: list[tuple[int, int]] = [(match.start(), match.end()) for match in quotes]  # figures checked as quoted
    for match in quotes:
        quote = re.sub(r"\s*\n\s*", "", CITE.sub("", next(g for g in match.groups() if g is not None)))
        if _substance(quote) < MIN_QUOTE:
            continue
        pool = [canon_sources[n - 1] for n in cited_numbers(sentence_of(match.start()))] or canon_sources
        if not any(_verbatim(quote, source) for source in pool):
            report.misquotes.append(quote)
            marks.append((match.end(), MISQUOTE_MARK))
    for block in _BLOCKQUOTE.finditer(text):
        if any(block.start() <= quote.start() < block.end() for quote in quotes):
            continue  # the quotations inside it are checked as such
        quote = _BLOCKQUOTE_MARKS.sub("", CITE.sub("", block.group())).strip()
        quote = LEADING_LABEL.sub("", _QUOTED_TITLE.sub("", quote)).rstrip("。；;，,：:！!？? \t")
        if _substance(quote) < MIN_QUOTE:
            continue
        checked.append((block.start(), block.end()))
        pool = [canon_sources[n - 1] for n in cited_numbers(block.group())] or canon_sources
        if not any(_verbatim(quote, source) for source in pool):
            report.misquotes.append(quote)
            marks.append((block.end(), MISQUOTE_MARK))
    for mention in _mentions(text):
        if not all(
            _article_given(mention, number, sub, chunks, canon_sources)
            for number in mention.numbers
            for sub in mention.subs
        ):
            report.unknown_articles.append(text[mention.start : mention.end].strip())
            marks.append((mention.end, UNKNOWN_ARTICLE_MARK))
    marks += _check_figures(text, chunks, canon_sources, question, quotes, checked, report)
    marks += _check_negations(text, chunks, quotes, checked, report)
    for position, mark in sorted(((_outside_tags(text, p), m) for p, m in marks), reverse=True):
        text = text[:position] + mark + text[position:]
    used = sorted(cited_numbers(text))
    report.uncited = not used
    return text, report, used


def _check_figures(
    text: str,
    chunks: list[StoredChunk],
    canon_sources: list[str],
    question: str,
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
) -> list[tuple[int, str]]:
    """Each figure of a sentence resting on the sources (_attributed) must be a figure of the sources it cites (of
    any source when it cites none) or of the question: the marks for those that are not."""
    found = figure_check.figures(_fold(text))
    if not found:
        return []
    given = figure_check.keys(_fold(question))
    source_keys: list[set] = [figure_check.keys(_fold(chunk.text)) for chunk in chunks]
    marks = []
    claims = _claims(text, quotes)
    ends = [end for _, end in claims]
    for figure in found:
        if any(start <= figure.start < end for start, end in checked):
            continue
        start, end = claims[min(bisect_right(ends, figure.start), len(claims) - 1)]
        claim = text[start:end]
        if not _attributed(claim):
            continue
        cited = [n - 1 for n in cited_numbers(claim)] or list(range(len(chunks)))
        written = canonical(figure.text)
        for key in (figure.key, *figure.more):
            if key in given or any(key in source_keys[n] or written in canon_sources[n] for n in cited):
                continue
            report.figures.append(figure.text.strip())
            marks.append((figure.end, FIGURE_MARK))
            break
    return marks


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _negation_flipped(claim: str, clause: str) -> bool:
    """Whether a near copy of a clause adds a negation the clause does not have there (应当设置 -> 不需要设置) or
    drops one it has (不得超过 -> 超过)."""
    for match in _NEGATION.finditer(claim):  # added: the negation and what follows it are not in the clause
        if claim[match.start() : match.end() + 1] not in clause:
            return True
    for match in _NEGATION.finditer(clause):  # dropped: the words around it meet in the claim without it
        before, after = clause[max(0, match.start() - 2) : match.start()], clause[match.end() : match.end() + 2]
        if len(before) == 2 and len(after) == 2 and before + after in claim:
            return True
    return False


def _check_negations(
    text: str, chunks: list[StoredChunk], quotes: list[re.Match], checked: list[tuple[int, int]], report: Verification
) -> list[tuple[int, str]]:
    """A sentence resting on the sources that restates a clause of one it cites (NEAR_COPY) with a negation added
    or dropped: the marks for those (a quotation is checked word for word already)."""
    ends = "。；;！？!?\n"
    canon = [[canonical(c) for c in clauses(_fold(chunk.text), ends, _MIN_NEAR_COPY)] for chunk in chunks]
    source_clauses = [[(clause, _pairs(clause)) for clause in found] for found in canon]
    marks = []
    for start, end in _claims(text, quotes):
        claim_text = text[start:end]
        if any(s < end and start < e for s, e in checked) or not _attributed(claim_text):
            continue
        cited = [n - 1 for n in cited_numbers(claim_text)] or list(range(len(chunks)))
        for piece in re.split(r"[；;]", CITE.sub("", claim_text)):
            claim = canonical(_fold(piece))
            pairs = _pairs(claim)
            if len(claim) < _MIN_NEAR_COPY or not pairs:
                continue
            near = [
                clause
                for n in cited
                for clause, clause_pairs in source_clauses[n]
                if len(pairs & clause_pairs) >= NEAR_COPY * len(pairs)
            ]
            if near and all(_negation_flipped(claim, clause) for clause in near):
                report.negations.append(piece.strip())
                marks.append((end, NEGATION_MARK))
                break
    return marks


def notes(report: Verification, sources_given: int) -> list[str]:
    """What the check found, as the lines an answer or a draft shows under 核验."""
    found = []
    if report.removed:
        found.append(
            f"已删除无法对应资料的引用编号：{'、'.join(f'[{n}]' for n in report.removed)}"
            f"（只提供了 {sources_given} 条资料）"
        )
    if report.misquotes:
        found.append(f"{len(report.misquotes)} 处引文未能在所引条文中逐字核对，已标注")
    if report.unknown_articles:
        found.append(
            f"{len(report.unknown_articles)} 处提到的条文不在所给资料中，已标注：{'、'.join(report.unknown_articles)}"
        )
    if report.figures:
        found.append(
            f"{len(report.figures)} 处数字未能在所引条文中核对，已标注：{'、'.join(dict.fromkeys(report.figures))}"
        )
    if report.negations:
        found.append(f"{len(report.negations)} 处说法与所引条文的肯定、否定不一致，已标注")
    if report.images_removed or report.links_removed:
        removed = [f"{report.images_removed} 张图片" if report.images_removed else ""]
        removed.append(f"{report.links_removed} 个链接的地址" if report.links_removed else "")
        found.append(f"已移除回复中的 {'、'.join(r for r in removed if r)}（不加载外部图片，不显示外部链接）")
    return found


__all__ = [
    "CITE",
    "FIGURE_MARK",
    "MISQUOTE_MARK",
    "UNKNOWN_ARTICLE_MARK",
    "Verification",
    "canonical",
    "notes",
    "verify",
]
