"""Checking what a model wrote against the sources it was given (LLM answers and LLM drafts):

- citations: every bracket-like form ([1,2]、【3】、[^4]、（资料5）) is normalised to [n]; a number naming no
  source given is removed and reported (assistant.citations is the grammar);
- quotes: every quotation (“…”、「…」、『…』、"…"、＂…＂、‘…’) must be verbatim in a source — the source cited in its
  sentence, any source when the sentence cites none. Compared with spaces removed, NFKC and traditional ->
  simplified on both sides; a quote shortened with …… must hold its pieces in order. Otherwise it is flagged;
- article mentions: 第二百零一条 or 《某法》第X条 named in the text must be an article given (by number, and by
  title when one is named) or be written in a source; otherwise it is flagged;
- nothing cited at all is reported, so that the answer can say it cannot be checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.citations import CITE, cited_numbers, normalise_citations
from ingest.articles import ARTICLE_LABEL
from ingest.cleaning import to_simplified
from ingest.numerals import cn_to_int
from ingest.store import StoredChunk

MISQUOTE_MARK = "（⚠未能在所引条文中逐字核对）"
UNKNOWN_ARTICLE_MARK = "（⚠所给资料中没有此条，请核实）"
_QUOTE = re.compile(r"“(?P<q1>[^“”\n]+)”|「(?P<q2>[^「」\n]+)」|『(?P<q3>[^『』\n]+)』|\"(?P<q4>[^\"\n]+)\""
                    r"|＂(?P<q5>[^＂\n]+)＂|‘(?P<q6>[^‘’\n]+)’")
MIN_QUOTE = 4  # characters (letters and digits) a quotation must hold to be checked: “三同时” is a term, not a quote
_ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
_NOISE = re.compile(r"[\s\u200b-\u200f\ufeff*_`“”「」『』\"'‘’＂]+")
_SENTENCE = re.compile(r"(?<=[。；！？\n])")
_MENTION = re.compile(rf"(?:《(?P<title>[^《》\n]{{1,60}})》\s*)?(?P<label>{ARTICLE_LABEL.pattern})")
_NATIONAL = "中华人民共和国"


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


def _article_given(title: str | None, label: str, chunks: list[StoredChunk], canon_sources: list[str]) -> bool:
    match = ARTICLE_LABEL.fullmatch(re.sub(r"\s+", "", label))
    try:
        number = cn_to_int(match.group("num")) if match else None
        sub = cn_to_int(match.group("sub")) if match and match.group("sub") else 0
    except ValueError:
        number, sub = None, 0
    for chunk in chunks:
        meta = chunk.metadata
        if (number is not None and meta.get("unit") == "article" and meta.get("article_num") == number
                and (meta.get("article_sub") or 0) == sub
                and (title is None or _titles_match(title, meta.get("title") or meta.get("doc_id", "")))):
            return True
    written = canonical(f"{title}》{label}" if title else label)
    return any(written in source or (title and canonical(label) in source and _title_key(title) in source)
               for source in canon_sources)


def verify(text: str, chunks: list[StoredChunk]) -> tuple[str, Verification, list[int]]:
    """Normalise and check a model's text against its numbered sources (1-based, in order).
    Returns the text (citations as [n], unverifiable ones removed, misquotes and unknown articles marked),
    what was found, and the source numbers the text cites."""
    report = Verification()
    text, report.removed = normalise_citations(text, set(range(1, len(chunks) + 1)))
    canon_sources = [canonical(c.text) for c in chunks]
    marks: list[tuple[int, str]] = []  # (position, mark) to insert
    offset = 0
    for sentence in _SENTENCE.split(text):
        cited = [n for n in cited_numbers(sentence)]
        pool = [canon_sources[n - 1] for n in cited] or canon_sources
        for match in _QUOTE.finditer(sentence):
            quote = next(g for g in match.groups() if g is not None)
            if _substance(quote) < MIN_QUOTE:
                continue
            if not any(_verbatim(quote, source) for source in pool):
                report.misquotes.append(quote)
                marks.append((offset + match.end(), MISQUOTE_MARK))
        for match in _MENTION.finditer(sentence):
            if not _article_given(match.group("title"), match.group("label"), chunks, canon_sources):
                report.unknown_articles.append(match.group(0).strip())
                marks.append((offset + match.end(), UNKNOWN_ARTICLE_MARK))
        offset += len(sentence)
    for position, mark in sorted(marks, reverse=True):
        text = text[:position] + mark + text[position:]
    used = sorted(cited_numbers(text))
    report.uncited = not used
    return text, report, used


def notes(report: Verification, sources_given: int) -> list[str]:
    """What the check found, as the lines an answer or a draft shows under 核验."""
    found = []
    if report.removed:
        found.append(f"已删除无法对应资料的引用编号：{'、'.join(f'[{n}]' for n in report.removed)}"
                     f"（只提供了 {sources_given} 条资料）")
    if report.misquotes:
        found.append(f"{len(report.misquotes)} 处引文未能在所引条文中逐字核对，已标注")
    if report.unknown_articles:
        found.append(f"{len(report.unknown_articles)} 处提到的条文不在所给资料中，已标注：{'、'.join(report.unknown_articles)}")
    return found


__all__ = ["CITE", "MISQUOTE_MARK", "UNKNOWN_ARTICLE_MARK", "Verification", "canonical", "notes", "verify"]
