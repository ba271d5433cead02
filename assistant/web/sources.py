"""How an answer's sources are shown: one collapsible entry per citation that expands to the whole
article (all its parts, the quoted clauses marked, a quoted list line by line) or the plan passage, with
where it comes from. The answer's [n] markers are links that open entry n (the page script in app.py);
the entries are the answer's only list of sources (the 依据 lines of the text are not repeated)."""

from __future__ import annotations

import html
import re

from assistant.answer import Answer
from assistant.answer.compose import ELLIPSIS
from assistant.citations import CITE, MARKER, placed_citation
from ingest.articles import ArticleRef
from ingest.encoding import escape_controls
from ingest.knowledge_base import KnowledgeBase
from ingest.metadata import shown_name
from ingest.repeal import repeal_text
from ingest.store import StoredChunk

_CLOSING_MARKERS = re.compile(rf"(?:{MARKER})+\s*$")
# an LLM answer's quotation followed by its markers: “先通风、再检测、后作业”[1]
_QUOTE_CITED = re.compile(rf"[“「『]([^“”「」『』\n]{{4,}})[”」』]\s*((?:{MARKER})+)")
_ELLIPSIS = re.compile(r"…+|⋯+|\.{3,}")
MIN_HIGHLIGHT = 4  # characters a quoted piece needs to be looked for in the article
# Markdown's inline marks: emphasis, code, links and images, strike-through, table cells, headings
_MARKDOWN_MARK = re.compile(r"([\\`*_\[\]!~|#])")
# a bare address the chat would turn into a link (GFM autolinks http://, https://, ftp:// and www.)
_AUTOLINKED = re.compile(r"(?i)(?<![A-Za-z])(https?|ftp)(:)(?=//)|(?<![A-Za-z.])(www)(\.)")
SOURCES_POINTER = "依据（点击编号或下面的条目展开原文）："
RELATED_POINTER = "可能相关的条文（点击展开原文）："


def quoted_clauses(answer: Answer) -> dict[int, list[str]]:
    """The text the answer quotes, per source number. Offline answers quote whole clauses as bullets
    (“- clause[n]”); a clause introducing a list is followed by its items on indented lines and the marker
    closes the last item: every line of the bullet is quoted. LLM answers quote in “…” followed by [n]."""
    quoted: dict[int, list[str]] = {}
    block: list[str] = []

    def close() -> None:
        if not block:
            return
        markers = _CLOSING_MARKERS.search(block[-1])
        if markers:
            lines = [*block[:-1], block[-1][: markers.start()]]
            for n in dict.fromkeys(int(x) for x in CITE.findall(markers.group())):
                quoted.setdefault(n, []).extend(x.strip() for x in lines if x.strip() and x.strip() != ELLIPSIS)
        block.clear()

    for line in answer.text.split("\n"):
        if line.startswith("- "):
            close()
            block.append(line[2:])
        elif block and line[:1].isspace() and line.strip():
            block.append(line)
        else:
            close()
    close()
    for match in _QUOTE_CITED.finditer(answer.text):
        for n in dict.fromkeys(int(x) for x in CITE.findall(match.group(2))):
            quoted.setdefault(n, []).append(match.group(1))
    return quoted


def highlight_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where the quoted text stands in the article: sorted (start, end) spans, each within one line (every
    line is a paragraph of its own, so a quoted list gets a span per item). A quote is found whatever the
    spacing; one shortened with …… is found piece by piece."""
    found: list[tuple[int, int]] = []
    for quote in quotes:
        for piece in _ELLIPSIS.split(quote):
            chars = [c for c in piece if not c.isspace()]
            if len(chars) < MIN_HIGHLIGHT:
                continue
            match = re.search(r"\s*".join(re.escape(c) for c in chars), text)
            if match:
                found.append(match.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    spans = []
    for start, end in merged:
        for line in re.finditer(r"[^\n]*[^\s][^\n]*", text[start:end]):
            piece = line.group()
            spans.append(
                (
                    start + line.start() + len(piece) - len(piece.lstrip()),
                    start + line.end() - (len(piece) - len(piece.rstrip())),
                )
            )
    return spans


def plain(text: str) -> str:
    """Text from a document, a file name or a model, for a Markdown view, shown as written: HTML escaped, Markdown's
    inline marks backslash-escaped and bare addresses not made links. A title such as **伪造** or [点此](http://…)
    is its characters, never bold text or a link; line breaks and a line's leading "- " stay. Control and
    bidirectional-control characters are shown as \\u202e, as the command line shows them: a title holding one
    (青山市通知\\u202egpj.exe) read reversed in the document list and in citations."""
    escaped = _MARKDOWN_MARK.sub(r"\\\1", html.escape(escape_controls(text, keep_lines=True), quote=False))
    return _AUTOLINKED.sub(lambda m: f"{m.group(1) or m.group(3)}\\{m.group(2) or m.group(4)}", escaped)


def marked_text(text: str, quotes: list[str]) -> str:
    """The text escaped (plain), the quoted spans in <mark> (never across a line break)."""
    out, at = [], 0
    for start, end in highlight_spans(text, quotes):
        out += [plain(text[at:start]), "<mark>", plain(text[start:end]), "</mark>"]
        at = end
    out.append(plain(text[at:]))
    return "".join(out)


def link_markers(markdown: str, numbers: set[int]) -> str:
    """Each [n] naming a source shown below becomes a link that opens that source (app.py's page script)."""

    def link(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group()
        return f'<a href="#source-{n}" class="cite-ref" title="展开出处 [{n}]">[{n}]</a>'

    return CITE.sub(link, markdown)


def plain_linked(text: str, numbers: set[int]) -> str:
    """The text escaped (plain), each [n] naming a source shown below a link to it (link_markers)."""
    out, at = [], 0
    for match in CITE.finditer(text):
        marker = match.group()
        out += [
            plain(text[at : match.start()]),
            link_markers(marker, numbers) if int(match.group(1)) in numbers else plain(marker),
        ]
        at = match.end()
    out.append(plain(text[at:]))
    return "".join(out)


def answer_content(answer: Answer) -> str:
    """The answer as chat Markdown: HTML escaped (documents are data), its [n] markers linked to the source
    entries below, and without the list of those sources (依据：[n] … / 可能相关：- …), which the entries are."""
    listed = {f"[{s.number}] {s.citation}" for s in answer.sources}
    listed |= {f"- {placed_citation(c)}" for c in answer.related}
    lines = [line for line in answer.text.split("\n") if line.strip() not in listed]
    kept = [
        line
        for i, line in enumerate(lines)  # a heading left with nothing under it goes too
        if not (line.strip() in ("依据：", "可能相关：") and (i + 1 == len(lines) or not lines[i + 1].strip()))
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    body = plain_linked(text, {s.number for s in answer.sources})
    pointer = SOURCES_POINTER if answer.sources else RELATED_POINTER if answer.related else ""
    return f"{body}\n\n{pointer}" if pointer else body


def full_text(kb: KnowledgeBase, chunk: StoredChunk) -> str:
    """The whole article a chunk belongs to (all parts), or the chunk itself for a plan passage."""
    if chunk.unit == "article" and chunk.article_num:
        hit = kb.get_article(chunk.doc_id, ArticleRef(int(chunk.article_num), int(chunk.article_sub)))
        if hit is not None:
            return hit.text
    return chunk.text


def where_from(chunk: StoredChunk, kb: KnowledgeBase | None = None) -> str:
    facts = [x for x in (chunk.kind, chunk.region, chunk.date) if x]
    name = shown_name(chunk.doc_id, chunk.title)  # a plan saved under a hash: its title
    line = f"出处：{name}（{'，'.join(facts)}）"
    if chunk.repealed_by:
        by = kb.documents().get(chunk.repealed_by) if kb is not None else None
        repeal = repeal_text(
            chunk.repealed_on,
            by.title if by is not None else chunk.repealed_by,
            chunk.repealed_by_article,
            pending=not chunk.repealed,
        )
        line += f"　⚠ 已废止：{repeal}" if chunk.repealed else f"　⚠ {repeal}"
    if chunk.superseded:
        line += f"　⚠ 此版本已被 {chunk.metadata.get('superseded_by', '新版本')} 取代"
    if chunk.pending:
        line += "　⚠ 待管理员确认（要取代或废止现行文本），确认前不是现行依据"
    return line


def source_body(kb: KnowledgeBase, chunk: StoredChunk, quotes: list[str]) -> str:
    """Markdown-safe body: the text escaped, quoted clauses marked, then where it comes from."""
    text = marked_text(full_text(kb, chunk), quotes)
    lines = [line for line in text.split("\n") if line.strip()]
    return "\n\n".join(lines) + f"\n\n<small>{plain(where_from(chunk, kb))}</small>"


def source_messages(kb: KnowledgeBase, answer: Answer) -> list[dict]:
    """Chat messages, one per cited source (or per closest provision when abstaining), collapsed."""
    quoted = quoted_clauses(answer)
    messages = []
    for source in answer.sources:
        messages.append(
            {
                "role": "assistant",
                "content": source_body(kb, source.chunk, quoted.get(source.number, [])),
                "metadata": {
                    "title": plain(f"[{source.number}] {source.citation}"),
                    "status": "done",
                },
            }
        )
    for n, chunk in enumerate(answer.related, start=1):
        messages.append(
            {
                "role": "assistant",
                "content": source_body(kb, chunk, []),
                "metadata": {"title": plain(f"可能相关 {n}：{placed_citation(chunk)}"), "status": "done"},
            }
        )
    return messages
