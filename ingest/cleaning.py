"""Cleaning: web-scrape boilerplate, broken line wraps, whitespace and full-width forms.

`clean_text` keeps the original script (what users see and quote); `normalise_for_index` is the
simplified, width-folded form that BM25 and the embedder see.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from ingest.articles import NUMERAL

# Lines a download site, template site or web page adds around a document. Matched on the
# simplified form of a line, so traditional-script pages (plan 002) are caught too.
_BOILERPLATE_LINE = [
    r"^温馨提示[:：]?$",
    r"本文档由用户上传",
    r"版权归属",
    r"(联系|网站)客服",
    r"客服(QQ|电话|微信)?[:：]?\s*\d",
    r"下载前请仔细阅读",
    r"下载文档时可能由于网络",
    r"查看预览时可能会显示错乱",
    r"收益归属",
    r"付费(完成|之前|下载)",
    r"本站不保证",
    r"可阅读全部内容",
    r"整理(代)?发布",
    r"^位置[:：].*>",
    r"^(当前位置|您现在的位置)[:：]",
    r"^(首页|上一篇|下一篇|相关推荐|猜你喜欢|热门推荐|相关文章|返回顶部|点击下载|立即下载|免费下载|收藏|分享到)",
    r"^[\s•·\-*]*\d+(\.\d+)?\s*[KM]B$",
    r"^[\s•·\-*]*\d{4}-\d{1,2}-\d{1,2}\s*(发布|上传)$",
    r"^[\s•·\-*]*(共\s*)?\d+\s*页$",
    r"^[\s•·\-*]*第\s*\d+\s*页\s*(/|，|,)?\s*(共\s*\d+\s*页)?$",
    r"^[-—–\s]*\d+\s*[-—–\s]*$",
    r"^\S{1,6}\s*\d+(\.\d+)?[WwKk万]$",  # view counters such as 生产2.11W
    r"^范文(斋|网|大全|库)$",
    r"(小编|范文网|范文大全).*(收集|整理|分享|推荐|阅读)",
    r"欢迎(阅读|借鉴|参考|下载).*(希望|喜欢|帮助)",
    r"(让我们|大家).{0,12}(一起)?来?(学习|看看).{0,8}(吧|。)",
    r"分享.{0,12}范文.{0,12}(方便|供)大家",
    r"白驹过隙",
]
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE_LINE))

# Sentence-final punctuation: a line ending in one of these is complete.
_LINE_END = tuple("。！？；：!?;:…”’」』）)】》")
# Lines that open a new unit and must never be joined to the previous line.
_STARTS_UNIT = re.compile(
    r"^(#|第[零〇一二三四五六七八九十百千\d]+[编章节条]|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]\D|[①-⑳]|篇[一二三四五六七八九十\d]|[-*•])"
)
_WRAP_MIN_LENGTH = 25
_FULLWIDTH_ALNUM = {
    code: code - 0xFEE0
    for rng in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(rng[0], rng[1] + 1)
}
_SPACES = {
    0x3000: " ",
    0x00A0: " ",
    0x2002: " ",
    0x2003: " ",
    0x2009: " ",
    0x200B: "",
    0x200C: "",
    0x200D: "",
    0xFEFF: "",
    # and what else shows nothing inside a word, left by a web page or a word processor: a soft hyphen, the word
    # joiner and invisible operators, direction marks (not the embeddings and overrides, which reorder what is shown
    # and are shown escaped); 第三\u00ad条 or 第十一条\u200e was no article label, and the article ran into the one
    # before
    0x00AD: "",
    0x061C: "",
    0x180E: "",
    0x200E: "",
    0x200F: "",
    0x2060: "",
    0x2061: "",
    0x2062: "",
    0x2063: "",
    0x2064: "",
}
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INNER_GAP = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
# an article label (and the space after it, as an article's first line has it) right after the end of a sentence
_GLUED_ARTICLE = re.compile(rf"(?<=[。；！？])[ \t]*(?=第{NUMERAL}条(?:之{NUMERAL})?[ \t])")
# a chapter or section heading glued into the line with the article that opens it (…制定本法。 第二章 生产经营单位的
# 安全生产保障 第二十条 …; 单行条例 第一章 总则 第一条 …): the heading and the article each open a line
_LABEL = rf"第{NUMERAL}条(?:之{NUMERAL})?[ \t]"
_HEADING = rf"第{NUMERAL}[章节][ \t]+[^。；！？\n]{{1,30}}?"
_GLUED_HEADING = re.compile(rf"(?:(?<=[。；！？])[ \t]*|[ \t]+)(?={_HEADING}[ \t]+{_LABEL})")
_HEADING_THEN_ARTICLE = re.compile(rf"^({_HEADING})[ \t]+(?={_LABEL})")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


@lru_cache(maxsize=1)
def _nfkc_changes() -> tuple[dict[str, str], re.Pattern[str]]:
    """Each character of the Basic Multilingual Plane that NFKC changes (full-width punctuation, ①, ㎡…), what it
    becomes, and a pattern finding them (built once, ~30 ms)."""
    changes = {}
    for code in range(0x10000):
        char = chr(code)
        if not 0xD800 <= code < 0xE000 and (folded := unicodedata.normalize("NFKC", char)) != char:
            changes[char] = folded
    return changes, re.compile("[" + "".join(map(re.escape, changes)) + "]")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), exactly, about four times faster on Chinese text: Python takes the slow
    path over a whole passage when one character in it (a full-width comma) needs normalising. Those characters are
    replaced one by one first, and what is left is normalised only when it still needs it (a combining sequence, a
    character beyond the BMP): NFKC of the characters' NFKC forms is NFKC of the text."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    changes, changed = _nfkc_changes()
    folded = changed.sub(lambda m: changes[m.group()], text)
    return folded if unicodedata.is_normalized("NFKC", folded) else unicodedata.normalize("NFKC", folded)


def normalise_forms(text: str) -> str:
    """Full-width letters and digits to ASCII, odd spaces to plain spaces; punctuation stays."""
    return text.translate(_FULLWIDTH_ALNUM).translate(_SPACES)


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.search(to_simplified(line.strip())))


def _split_inner_gaps(line: str) -> list[str]:
    """Scraped pages glue paragraphs into one line separated by runs of spaces (plan 003), and a regulation's
    articles into one line after one another (飞行基本规则: 第一条 …制定本规则。 第二条 …): each article opens a line of
    its own, else it was cut as part of the article before, which then quoted the next nine as its own text."""
    if len(line) <= 80:
        return [line]
    return [
        piece
        for part in _INNER_GAP.split(line)
        for glued in _GLUED_HEADING.split(part)
        for split in _HEADING_THEN_ARTICLE.sub("\\1\n", glued).split("\n")
        for piece in _GLUED_ARTICLE.split(split)
    ]


def _should_join(first: str, last: str, length: int, current: str) -> bool:
    """Join current to the line before it, which starts with first, ends with last and has length characters."""
    if not first or not current or first.startswith("#"):
        return False
    if last.endswith(_LINE_END) or _STARTS_UNIT.match(current):
        return False
    if current.startswith("|") or last.endswith("|"):  # a table's row is a line of its own, however long
        return False
    return length >= _WRAP_MIN_LENGTH


def clean_text(text: str) -> str:
    """The display text: boilerplate dropped, wraps repaired, whitespace and forms normalised."""
    text = normalise_forms(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _HTML_COMMENT.sub("\n", text)
    lines: list[str] = []
    for raw in text.split("\n"):
        for part in _split_inner_gaps(raw.strip()):
            lines.append(re.sub(r"[ \t]+", " ", part.strip()))
    # each kept line as the lines joined into it, and its length: joining by copying the line each time was
    # quadratic (80,000 wrapped lines with no sentence end took 33 s)
    kept: list[list[str]] = []
    length = 0
    for line in lines:
        if line and is_boilerplate(line):
            continue
        if line and kept and _should_join(kept[-1][0], kept[-1][-1], length, line):
            kept[-1].append(line)
            length += len(line)
            continue
        kept.append([line])
        length = len(line)
    joined = "\n".join("".join(parts) for parts in kept)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()


@lru_cache(maxsize=4096)  # the same candidate passages are read by question after question
def normalise_for_index(text: str) -> str:
    """The form retrieval sees: simplified script, NFKC width folding, lower case, single spaces."""
    folded = nfkc(to_simplified(text)).lower()
    return re.sub(r"\s+", " ", folded).strip()


# letters and symbols that are drawn as nothing: the Hangul fillers and the blank Braille pattern (a file of them alone
# was imported as a document with no text)
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def invisible(char: str) -> bool:
    """A character that shows nothing: spaces, zero-width spaces and joiners, direction marks, controls, lone
    combining marks, blank glyphs (ㅤ, ⠀)."""
    return char.isspace() or unicodedata.category(char) in {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn"} or char in _BLANK_GLYPHS


def is_blank(text: str | None) -> bool:
    """Nothing to read: only spaces and invisible characters."""
    return all(invisible(c) for c in unicodedata.normalize("NFKC", text or ""))


SENTENCE_ENDS = "。！？"  # an answer quotes whole sentences
CLAUSE_ENDS = "。；;"  # a draft quotes clauses


@lru_cache(maxsize=8)
def _clause_break(ends: str) -> re.Pattern[str]:
    return re.compile(rf"(?<=[{re.escape(ends)}])|\n")


def clauses(text: str, ends: str = CLAUSE_ENDS, min_chars: int = 6) -> list[str]:
    """The text cut after each of `ends` and at every line break (款 and 项 are lines), stripped; pieces shorter
    than min_chars are left out."""
    return [c.strip() for c in _clause_break(ends).split(text) if len(c.strip()) >= min_chars]
