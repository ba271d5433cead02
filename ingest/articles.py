"""Article (条) labels: recognising an article's first line, parsing 第X条之Y, normalising user input.

This is the one parser of article numbers: the chunker, the lookups and the knowledge-pack
validation all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numerals import CN_LIMIT, NUMERAL_CHARS, cn_to_int, int_to_cn, well_formed

NUMERAL = r"[零〇一二三四五六七八九十百千万亿两\d]+"  # an article number, in either script (第一百亿条 typed too)
# An article starts a line: 第X条 (optionally 之Y) followed by whitespace or the end of the line.
# In traditional script too (第一條, 第二十兩條: a regulation saved in Big5 was chunked as a plan, its articles
# neither cited nor shown); the label is kept in simplified script, as every lookup writes it.
ARTICLE_START = re.compile(rf"^第(?P<num>{NUMERAL[:-2]}兩]+)[条條](?:之(?P<sub>{NUMERAL}))?(?=[\s\u3000]|$)")
ARTICLE_LABEL = re.compile(rf"第\s*(?P<num>{NUMERAL})\s*条(?:之(?P<sub>{NUMERAL}))?")
# An article number no text has, as a user may type it: none, or below one (第0条, 第零条, 第-1条)
ARTICLE_BELOW_ONE = re.compile(rf"第\s*(?:[-－−]\s*{NUMERAL}|[0０零〇]+)\s*条")
# An article's label as it opens a quoted text (第二十四条, 第五条之一), for stripping it off the text.
LABEL = rf"第{NUMERAL}条(?:之[零〇一二三四五六七八九十\d]+)?"
LEADING_LABEL = re.compile(rf"^{LABEL}\s*")


def _numeral(number: int) -> str:
    return int_to_cn(number) if number < CN_LIMIT else str(number)


@dataclass(frozen=True, order=True)
class ArticleRef:
    """An article number: 第一百三十四条之一 is ArticleRef(134, 1)."""

    number: int
    sub: int = 0

    @property
    def label(self) -> str:
        """第二十四条, 第一百条之三; a number beyond any law's (第10000条, typed by a user) in digits, as typed."""
        base = f"第{_numeral(self.number)}条"
        return f"{base}之{_numeral(self.sub)}" if self.sub else base

    @property
    def key(self) -> str:
        """A sortable string key, e.g. '0134.01', stored as metadata."""
        return f"{self.number:04d}.{self.sub:02d}"


def match_article_start(line: str) -> tuple[ArticleRef, str, str] | None:
    """If the line starts an article, return (ref, label as written, rest of the line)."""
    match = ARTICLE_START.match(line)
    if not match:
        return None
    num, sub = (n.translate(_TRADITIONAL) if n else n for n in match.group("num", "sub"))
    if not all(well_formed(n) for n in (num, sub) if n):
        return None
    try:
        ref = ArticleRef(cn_to_int(num), cn_to_int(sub) if sub else 0)
    except ValueError:
        return None
    return ref, match.group(0).translate(_TRADITIONAL), line[match.end() :].strip()


_TRADITIONAL = str.maketrans("條兩", "条两")  # the characters of an article label that traditional script writes apart


def parse_article(text: str) -> ArticleRef | None:
    """Read an article number from user input: '第二十四条', '第24条', '24', '二十四', '134之一'; in traditional script
    too ('第二十四條', as a question asks it)."""
    text = text.strip().translate(_TRADITIONAL)
    match = ARTICLE_LABEL.search(text)
    if match:
        num, sub = match.group("num"), match.group("sub")
    else:
        bare = re.fullmatch(rf"(?P<num>{NUMERAL})(?:条)?(?:之(?P<sub>{NUMERAL}))?", text)
        if not bare:
            return None
        num, sub = bare.group("num"), bare.group("sub")
    if not well_formed(num) or (sub and not well_formed(sub)):
        return None
    try:
        return ArticleRef(cn_to_int(num), cn_to_int(sub) if sub else 0)
    except ValueError:
        return None


# --- paragraphs (款) and items (项) of an article ----------------------------------------------------------------

_PART_NUM = rf"[{NUMERAL_CHARS}\d]+"
# a line opening with （一） or 1. is an item (项) of the paragraph before it
_ITEM_LINE = re.compile(rf"^\s*(?:[（(]\s*{_PART_NUM}\s*[)）]|{_PART_NUM}\s*[、.．])")
# the paragraph and item a reference names right after its article: 第二十四条第二款, 第七条第（三）项
_PART = re.compile(
    rf"\s*(?:第\s*(?P<paragraph>{_PART_NUM})\s*款)?\s*(?:第\s*[（(]?\s*(?P<item>{_PART_NUM})\s*[)）]?\s*项)?"
)


def paragraph_items(article_text: str) -> list[int]:
    """How many items (项) each paragraph (款) of an article holds: a line opening with （一） or 1. is an item of
    the paragraph before it, any other line starts a paragraph."""
    paragraphs: list[int] = []
    for line in (line for line in article_text.splitlines() if line.strip()):
        if _ITEM_LINE.match(line) and paragraphs:
            paragraphs[-1] += 1
        else:
            paragraphs.append(0)
    return paragraphs


def paragraph_openings(article_text: str) -> list[str]:
    """The line opening each paragraph (款) of an article, in order: the lines that are no item (项) of one."""
    lines = [line.strip() for line in article_text.splitlines() if line.strip()]
    return [line for index, line in enumerate(lines) if not (index and _ITEM_LINE.match(line))]


def holds_part(paragraphs: list[int], paragraph: int | None, item: int | None) -> bool:
    """Whether an article of these paragraphs (paragraph_items) may have the paragraph and the item named. The count
    is taken as an upper bound: a line going on with an item (（一）…。\n受送达人不在大陆居住的，…) or a line broken
    in two reads as a paragraph of its own, and the items after it as that one's, so a paragraph is held up to the
    lines counted and an item up to the article's items in all."""
    if paragraph is not None and not 1 <= paragraph <= len(paragraphs):
        return False
    return item is None or 1 <= item <= sum(paragraphs)


def parse_part(text: str, at: int = 0) -> tuple[int | None, int | None]:
    """The paragraph and item text names right at position at (the end of an article's label: 第二十四条第二款 read
    from after 第二十四条 is (2, None)); None for each it does not name, or names in no readable numeral."""
    match = _PART.match(text.translate(_TRADITIONAL), at)

    def number(name: str) -> int | None:
        written = match.group(name) if match else None
        try:
            return cn_to_int(written) if written and well_formed(written) else None
        except ValueError:
            return None

    return number("paragraph"), number("item")


def parts_named(text: str) -> dict[ArticleRef, tuple[int | None, int | None]]:
    """Each article a (simplified) text names, with the paragraph and item it names right after it (第二十四条第三款:
    (3, None); (None, None) when it names neither)."""
    return {ref: parse_part(text, m.end()) for m in ARTICLE_LABEL.finditer(text) if (ref := parse_article(m.group(0)))}


def _part_label(paragraph: int | None, item: int | None) -> str:
    """第二款第三项 (either may be left out); a number past any article's in digits."""

    def written(n: int) -> str:
        return int_to_cn(n) if 0 <= n < 10000 else str(n)

    return (f"第{written(paragraph)}款" if paragraph is not None else "") + (
        f"第{written(item)}项" if item is not None else ""
    )


def _describe_parts(paragraphs: list[int]) -> str:
    """What an article holds, told to one who named a paragraph or item it lacks: 该条共 2 款."""
    items = "，".join(f"第{int_to_cn(n)}款有 {count} 项" for n, count in enumerate(paragraphs, start=1) if count)
    return f"该条共 {len(paragraphs)} 款" + (f"，{items}" if items else "，没有分项")


def missing_part(article_text: str, paragraph: int | None, item: int | None) -> str:
    """What to tell of a paragraph or item named that the article cannot have (没有第三款（该条共 2 款，没有分项）), ""
    when it may have it or none is named."""
    paragraphs = paragraph_items(article_text)
    if holds_part(paragraphs, paragraph, item):
        return ""
    return f"没有{_part_label(paragraph, item)}（{_describe_parts(paragraphs)}）"
