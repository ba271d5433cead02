"""Plain text and Markdown files, in any of the supported encodings.

A Markdown file is read as a Markdown viewer shows it, as far as hidden text goes: link reference definitions
(also the comment idioms `[//]: # (...)`, `[comment]: <> (...)`), `<?...?>`, `<!X...>` and `<![CDATA[...]]>` (read by
a browser as comments) and raw HTML a browser does not show (by the HTML loader's rules) are left out; everything
else is kept as written. HTML comments are dropped for every file by the cleaning step. Code (fenced, indented,
inline) is shown as written, so nothing in it is taken for markup. An image or link whose address is the data itself
(data:image/png;base64,…) is left out: a viewer shows a picture, not its encoded bytes."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.encoding import decode_bytes
from ingest.loaders.html import unclosed_comment, unseen_spans

MARKDOWN_SUFFIXES = frozenset([".md", ".markdown"])


def load_text(path: Path) -> str:
    text = decode_bytes(path.read_bytes(), path)
    return visible_markdown(text, path) if path.suffix.lower() in MARKDOWN_SUFFIXES else text


def visible_markdown(text: str, path: Path = Path("文档.md")) -> str:
    """The text without what a Markdown viewer does not show; a text with none of it is returned as it is. path
    names the file in a refusal (OverLimit: raw HTML meeting too many style rules)."""
    if "[" not in text and "<" not in text:
        return text
    blanked = _blank_code(text)
    spans = _definitions(blanked)
    opened = unclosed_comment(blanked)
    if opened is not None:
        # a line opening a comment that is never closed starts an HTML block a browser shows nothing of, to the
        # end; one inside a paragraph is shown as written. Either way the markup after it is still read.
        block = _COMMENT_BLOCK.search(blanked, opened)
        if block is not None:
            spans.append((block.start(), len(text)))
        blanked = blanked[:opened] + blanked[opened:].replace("<!--", " !--")
    spans += _bogus_comments(blanked)
    if "data:" in blanked:
        spans += [m.span() for m in _INLINE_DATA.finditer(blanked)]
    spans += unseen_spans(path, blanked)
    if not spans:
        return text
    kept, start = [], 0
    for begin, end in sorted(spans):
        if begin > start:
            kept.append(text[start:begin])
        start = max(start, end)
    kept.append(text[start:])
    return "".join(kept)


_COMMENT_BLOCK = re.compile(r"^ {0,3}<!--", re.MULTILINE)
# an image pasted into the file itself (Typora, Obsidian: ![现场照片](data:image/png;base64,…)), or a link to inline
# data: a viewer shows a picture, its hundreds of kilobytes of base64 are no text (they became 600 chunks of it)
_INLINE_DATA = re.compile(r"!?\[[^\[\]\n]{0,200}\]\(\s*<?data:[^)]*\)")
_BOGUS = re.compile(r"<!\[CDATA\[|<\?|<![A-Za-z]")
_BOGUS_END = {"<![CDATA[": "]]>", "<?": "?>"}  # where CommonMark ends the raw HTML (else at >)


def _bogus_comments(blanked: str) -> list[tuple[int, int]]:
    """The spans of <?...>, <!X...> and <![CDATA[...]]> that CommonMark passes on as HTML: opening a line (an HTML
    block, closed or not) or closed as it requires (?>, >, ]]>) within the text. A browser reads each as a comment
    that ends at the first > and shows none of it. Linear: where each end mark is next is remembered."""
    spans: list[tuple[int, int]] = []
    next_end: dict[str, int] = {}  # the next place of each end mark, of a blank line (""), of | and of a line break
    covered = line_start = scanned = 0
    for found in _BOGUS.finditer(blanked):
        start = found.start()
        if start < covered:
            continue
        line_start = max(line_start, blanked.rfind("\n", scanned, start) + 1)
        scanned = start
        if start - line_start > 3 or blanked[line_start:start].strip(" "):  # inline, not an HTML block
            mark = _BOGUS_END.get(found[0], ">")
            # closed within its paragraph, or its cell of a table row
            bounds = ("|", "\n") if blanked[line_start:start].lstrip(" ").startswith("|") else ("",)
            at = _next(blanked, next_end, mark, found.end())
            if at < 0 or any(0 <= _next(blanked, next_end, bound, found.end()) < at for bound in bounds):
                continue  # not closed there: shown as written
        end = blanked.find(">", found.end())
        covered = len(blanked) if end < 0 else end + 1
        spans.append((start, covered))
    return spans


def _next(text: str, found: dict[str, int], mark: str, start: int) -> int:
    """Where mark ("": a blank line) is next in text from start, -1 if nowhere; found remembers the last answer,
    so that a text is searched once for each mark however often it is asked."""
    at = found.get(mark, 0)
    if 0 <= at < start:
        blank = _BLANK_LINE.search(text, start) if not mark else None
        at = found[mark] = text.find(mark, start) if mark else (-1 if blank is None else blank.start())
    return at


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


# --- code: shown as written ---------------------------------------------------------------------------------------

_FENCE = re.compile(r" {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_LIST_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])( {1,4}|\t|$)")
_BACKTICKS = re.compile(r"`+")
_ESCAPED = re.compile(r"\\[<\[`]")


def _blank_code(text: str) -> str:
    """The text with code blocks, code spans and escaped <, [ and ` replaced by spaces (line breaks kept): the same
    length, so that what is found in it is found at the same place in the text."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    fence: str | None = None  # the open fence's characters
    after_blank = True  # an indented code block cannot interrupt a paragraph
    indent = 0  # the content column of the list item being continued (an indented code block is 4 past it)
    paragraph: list[str] = []  # lines of the current paragraph, for its code spans
    for line in lines:
        body = line.rstrip("\r\n")
        if fence is not None:
            out.append(_spaces(line))
            closing = body.strip()
            if closing.startswith(fence) and closing == fence[0] * len(closing):
                fence = None
            continue
        opened = _FENCE.match(body)
        if opened is not None:
            out.append(_spans(paragraph))
            paragraph = []
            fence = opened[1]
            out.append(_spaces(line))
            after_blank = True
            continue
        if not body.strip():
            out.append(_spans(paragraph))
            paragraph = []
            out.append(line)
            after_blank = True
            continue
        leading = len(body) - len(body.lstrip(" \t"))
        item = _LIST_ITEM.match(body)
        if item is not None:
            indent = len(item[1]) + len(item[2]) + max(1, len(item[3].expandtabs(4)))
        elif leading < indent and after_blank:
            indent = 0  # out of the list
        if after_blank and leading >= indent + 4 and item is None:
            out.append(_spans(paragraph))
            paragraph = []
            out.append(_spaces(line))  # an indented code line
            continue
        paragraph.append(line)
        after_blank = False
    out.append(_spans(paragraph))
    return "".join(out)


def _spaces(line: str) -> str:
    return re.sub(r"[^\r\n]", " ", line)


def _spans(paragraph: list[str]) -> str:
    """A paragraph with its code spans and escapes blanked: a run of backticks opens a span that the next run of
    as many backticks closes (a run with none after it is literal). Linear: each run's closer is looked up in a
    table built from the right."""
    text = "".join(paragraph)
    if not text:
        return text
    if "\\" in text:
        text = _ESCAPED.sub("  ", text)
    if "`" not in text:
        return text
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    closer: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index] = last.get(length)
        last[length] = index
    chars = list(text)
    index = 0
    while index < len(runs):
        match = closer[index]
        if match is None:
            index += 1
            continue
        for at in range(runs[index][0], runs[match][1]):
            if chars[at] not in "\r\n":
                chars[at] = " "
        index = match + 1
    return "".join(chars)


# --- link reference definitions: never shown ----------------------------------------------------------------------

_NOT_BLANK = r"\n(?![ \t]*(?:\n|$))"  # a line break that does not end the paragraph
_DEFINITION = re.compile(
    r" {0,3}\[(?![ \t\n]*\])(?:[^\[\]\\\n]|\\.|" + _NOT_BLANK + r"){1,999}\]:"  # [label]:
    r"[ \t]*\n?[ \t]*(?:<[^<>\n]*>|[^\s<]\S*)"  # destination
    r"(?:(?:[ \t]+\n?|[ \t]*\n)[ \t]*"  # an optional title
    r"(?:\"(?:[^\"\\\n]|\\.|" + _NOT_BLANK + r"){0,2000}\""
    r"|'(?:[^'\\\n]|\\.|" + _NOT_BLANK + r"){0,2000}'"
    r"|\((?:[^()\\\n]|\\.|" + _NOT_BLANK + r"){0,2000}\)))?"
    r"[ \t]*(?=\n|$)",
)
_HEADING = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|(?:[-*_][ \t]*){3,}$)")
# the opening of a block quote (> >) or of a list item (- * + 1. 1)) before a line's content
_CONTAINER = re.compile(r" {0,3}(?:(?:>[ \t]?)+|(?P<item>(?:[-*+]|\d{1,9}[.)])[ \t]+))")


def _definitions(blanked: str) -> list[tuple[int, int]]:
    """The spans of the link reference definitions: `[label]: destination "title"` where a paragraph could start
    (first line, after a blank line, a heading, a thematic break or another definition), with its line break.
    Markdown viewers show none of them; `[//]: # (...)` is the common way to write a comment."""
    spans: list[tuple[int, int]] = []
    at, may_start, quote_may_start = 0, True, True
    while at < len(blanked):
        newline = blanked.find("\n", at)
        line_end = len(blanked) if newline < 0 else newline
        line = blanked[at:line_end]
        if may_start and line.lstrip(" ").startswith("["):
            found = _DEFINITION.match(blanked, at)
            if found is not None:
                end = min(len(blanked), found.end() + 1)
                spans.append((at, end))
                at = end
                continue
        container = _CONTAINER.match(line)
        if container is not None:
            # a one-line definition that opens a list item, or a block quote's block (> [//]: # (...)): a comment
            # in the container, shown by no viewer either
            opens = container.group("item") is not None or quote_may_start
            rest = line[container.end() :]
            if opens and rest.startswith("[") and _DEFINITION.fullmatch(rest.rstrip()) is not None:
                spans.append((at, min(len(blanked), line_end + 1)))
                at = line_end + 1
                continue
        quoted = container is not None and container.group("item") is None
        content = line[container.end() :] if quoted and container is not None else line
        quote_may_start = not quoted or not content.strip() or _HEADING.match(content) is not None
        may_start = not line.strip() or _HEADING.match(line) is not None
        at = line_end + 1
    return spans
