"""A model's reply made safe to check and to show: what it may hold that is never part of the answer is removed
before verification and display (clean_reply), and its length is capped (capped):

- control characters: C0 (but the line break and the tab) and C1 controls, DEL, bidirectional overrides, and whole
  escape sequences (ANSI CSI colours and screen clearing, OSC hyperlinks and window titles, DCS/APC strings, their
  8-bit forms) — written to a terminal they act instead of showing;
- reasoning blocks: <think>…</think> (DeepSeek-R1, QwQ), <thinking>, <reasoning>; an unclosed one runs to the end
  of the reply, and a closing tag with no opening ends reasoning the chat template opened;
- active markup: the web chat renders Markdown, so a Markdown image would be fetched from wherever its address
  points and a link would hide where it leads. An image (Markdown or <img>) is dropped with a note, a link
  (inline, reference, autolink or <a>) keeps its text and loses its address, reference definitions stop being
  definitions, <script>/<style> and the like go with their content, and any other HTML tag goes unless it is
  plain formatting without attributes (<br>, <sup>…). What is left holds no tag a mark could be put inside;
- what only the answer's own parts may say: a list of sources at the end (drop_own_basis), lines in the form of the
  verification note, and sentences or parentheticals claiming the answer has been checked (以上引用均已通过系统核验,
  （本回答已经系统自动核对）: drop_own_notes)."""

from __future__ import annotations

import html
import re

from assistant.answer.untrusted import neutralise_fences
from ingest.cleaning import to_simplified

IMAGE_REMOVED = "（图片已移除）"
LINK_REMOVED = "（链接已移除）"
TRUNCATED_NOTE = "（⚠大模型的回复过长，超出部分已截断。）"
# the endpoint stopped at its length limit (finish_reason length): what it wrote ends mid-way
CUT_NOTE = "（⚠回答被截断：大模型的回复达到长度上限，后面的内容没有写出；可调大 ANQUAN_LLM_MAX_TOKENS 后重新提问。）"
# the endpoint's content filter stopped the reply (finish_reason content_filter): what it wrote may end mid-way, or
# have had a part withheld
FILTER_NOTE = (
    "（⚠回答不完整：大模型服务商的内容过滤拦截了这条回复，后面的内容没有写出，已写出的部分也可能不完整；"
    "请以下列条文原文为准，或换一种问法重新提问。）"
)

# --- control characters -------------------------------------------------------------------------------

_STRING_END = r"(?:\x07|\x1b\\|\x9c|(?=\n)|\Z)"  # BEL or ST; an unterminated string stops at the line's end
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    rf"|\x1b[\]PX^_][^\n]*?{_STRING_END}"  # OSC (hyperlinks, window title), DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # any other escape sequence
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    rf"|[\x90\x98\x9d\x9e\x9f][^\n]*?{_STRING_END}"  # 8-bit OSC, DCS, SOS, PM, APC
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def strip_controls(text: str) -> str:
    """The text without escape sequences and control characters; line breaks as \\n, tabs kept."""
    if not _CONTROL.search(text) and "\r" not in text and "\u2028" not in text and "\u2029" not in text:
        return text
    return _CONTROL.sub("", _ESCAPE.sub("", _LINE_BREAK.sub("\n", text)))


# --- reasoning ------------------------------------------------------------------------------------------

_REASONING = r"think|thinking|reasoning"
_REASONING_OPEN = re.compile(rf"<\s*(?:{_REASONING})\b[^<>]*>", re.IGNORECASE)
_REASONING_CLOSE = re.compile(rf"<\s*/\s*(?:{_REASONING})\s*>", re.IGNORECASE)


def strip_reasoning(text: str) -> str:
    """The reply without its reasoning: every <think>…</think> block, an unclosed one to the end (also while it is
    being written), and what comes before a closing tag with no opening (the template opened it)."""
    if "<" not in text:
        return text
    kept: list[str] = []
    position = 0
    while (opening := _REASONING_OPEN.search(text, position)) is not None:
        kept.append(text[position : opening.start()])
        closing = _REASONING_CLOSE.search(text, opening.end())
        if closing is None:  # unclosed: the rest is reasoning
            position = len(text)
            break
        position = closing.end()
    kept.append(text[position:])
    text = "".join(kept)
    stray = _REASONING_CLOSE.search(text)
    return text[stray.end() :] if stray else text


# --- active markup --------------------------------------------------------------------------------------

_LINK_TEXT = r"(?:[^\[\]\n]|\[[^\[\]\n]*\])*"
# a link's destination as CommonMark reads it: <…>, or without spaces (balanced parentheses), then a title
_TARGET = r"""[ \t]*(?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*"""
_IMAGE = re.compile(rf"!\[{_LINK_TEXT}\](?:\({_TARGET}\)|\[[^\]\n]*\])")
_LINK = re.compile(rf"\[(?P<text>{_LINK_TEXT})\]\((?P<target>{_TARGET})\)")
_REFERENCE = re.compile(
    r"^(?P<indent>[ \t]{0,3})\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<target><[^>\n]*>|\S+)(?P<rest>.*)$", re.M
)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s@]+\.[A-Za-z]{2,})>")
_URL_LIKE = re.compile(r"^\s*<?\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\|www\.)", re.IGNORECASE)
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^<>]*>"
    r"|<(script|style|iframe|frame|frameset|object|embed|applet|svg|math|template|noscript|textarea|select|title)"
    r"\b[^<>]*>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?=[\s/>])(?P<attrs>(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>"
)
_PLAIN_TAGS = {
    "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
_IMAGE_TAGS = {"img", "image", "picture"}


def _url_like(target: str) -> bool:
    """A link target that leads somewhere else: a scheme (http:, javascript:, data:), //host or www. — read as a
    Markdown renderer would (entities decoded, backslash escapes removed)."""
    return bool(_URL_LIKE.match(re.sub(r"\\(.)", r"\1", html.unescape(target))))


# a link whose text is a source's number ([1](https://…), [2, 3](#资料2)) is that citation: it stays one, its
# address removed (the link's text alone, 1, was no citation: the answer was shown as citing nothing)
_CITED_NUMBERS = re.compile(r"\s*\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\s*")


def _link(match: re.Match) -> str:
    target = match.group("target").strip().removeprefix("<").removesuffix(">")
    text = match.group("text")
    if _CITED_NUMBERS.fullmatch(text):
        text = f"[{text}]"
    if not target:
        return text
    return text + (LINK_REMOVED if _url_like(target) else f"（{target}）")


def _reference(match: re.Match) -> str:
    """[label]: target becomes [label]：… (a full-width colon is no definition), its address removed."""
    target = match.group("target")
    shown = LINK_REMOVED if _url_like(target) else target
    return f"{match.group('indent')}[{match.group('label')}]：{shown}{match.group('rest')}"


def _tag(match: re.Match) -> str:
    """Plain formatting stays without its attributes (style, on…); an image is a note, a link its text."""
    name = match.group("name").lower()
    if name in _PLAIN_TAGS:
        if not match.group("attrs").strip(" \t\n/"):
            return match.group()
        return f"<{match.group('close')}{match.group('name')}>"
    if name in _IMAGE_TAGS:
        return IMAGE_REMOVED if not match.group("close") else ""
    if name == "a":
        return LINK_REMOVED if match.group("close") else ""
    return ""


def neutralise_markup(text: str) -> str:
    """The reply with no image to fetch and no link to follow: see the module's docstring."""
    if "[" in text:
        text = _IMAGE.sub(IMAGE_REMOVED, text)
        text = _LINK.sub(_link, text)
        text = _REFERENCE.sub(_reference, text)
    if "<" in text:
        text = _HIDDEN.sub("", text)
        text = _AUTOLINK.sub(LINK_REMOVED, text)
        text = _TAG.sub(_tag, text)
    return text


# --- the model's own list of sources ---------------------------------------------------------------------

_BASIS_HEADING = re.compile(
    r"^[ \t>#*_]*(?:参考|法律|引用|主要)?(?:依据|出处|来源|参考资料|引用资料)"
    r"(?:[ \t*_]*[:：][ \t*_]*(?P<rest>.*)|[ \t*_]*)$"
)
_BASIS_ENTRY = re.compile(r"^[ \t>*_]*(?:\[\s*\d+\s*\]|【\s*\d+\s*】|\d+[.、．]|[-*•·]|《)")


def drop_own_basis(text: str) -> str:
    """The reply without a list of sources the model wrote at its end (依据：[1] 《…》第X条 …): the answer lists the
    sources it was checked against itself, and a second 依据 section, forged entries and all, read as if it were
    that list. Only a last section after some answer, every line of it an entry ([n], 1., -, 《), is dropped."""
    lines = text.split("\n")
    for i in range(len(lines) - 1, 0, -1):
        heading = _BASIS_HEADING.match(lines[i])
        if heading is None:
            continue
        rest = heading.group("rest") or ""
        entries = ([rest] if rest.strip() else []) + [line for line in lines[i + 1 :] if line.strip()]
        if entries and all(_BASIS_ENTRY.match(line) for line in entries) and any(x.strip() for x in lines[:i]):
            return "\n".join(lines[:i]).rstrip()
        return text
    return text


# a line in the form of the answer's own verification note (核验：…, 【核验】…, 核对结果：…, 校验说明：…,
# ✔️ 引用核验：…), whatever emoji, brackets or emphasis open it: only the checks write it
_OWN_NOTE = re.compile(
    r"^(?:[^\w\n]|_)*(?:引用|引文|条号|条文|出处|答案|回答|本回答|系统)?"
    r"(?:核\s*验|核\s*对|校\s*验|校\s*核|检\s*核|验\s*证|核\s*查)(?:结果|说明|情况|结论)?"
    r"[ \t*_]*(?:[】\]〕）)][ \t*_]*[:：]?|[:：]).*(?:\n|$)",
    re.MULTILINE,
)
# A sentence or a parenthetical in which the reply says it has been checked (以上引用均已通过系统核验；本回答已经系统
# 自动核对，无需人工复核): a word of checking, and the system or the reply itself as what checked or was checked,
# and that it is done — or nothing but the check and its outcome (核验通过。). A duty of checking in the answer
# (核对相关证件后方可作业[1]；应急预案经审核通过后公布[1]) names neither the system nor the reply.
_CHECKING = (
    r"核\s*验|核\s*对|校\s*验|校\s*对|校\s*核|检\s*核|审\s*核|复\s*核|验\s*证|核\s*查|核\s*实|查\s*验|审\s*校|比\s*对"
)
_CHECK_WORD = re.compile(_CHECKING)
_CHECKER = re.compile(r"系统|自动|程序|机器|人工智能|\bAI\b|助手|大模型|人工")
_CHECKED = re.compile(
    r"本回答|本答案|此回答|该回答|本回复|回答|答案|回复|引用|引文|条号|条文编号|出处|以上内容|上述内容|以上信息|本文|全文"
    r"|原文|逐字|结论"
)
_CHECK_DONE = re.compile(
    rf"已|无误|无异常|准确|正确|一致|完毕|可靠|通过[^，,。；;]{{0,6}}(?:{_CHECKING})|(?:{_CHECKING})[\s:：*_]*(?:通过|完成)"
)
_CHECK_FILLER = re.compile(r"[均全都经过逐条逐一各项部所有了的并且和与及]")
_PARENTHETICAL = re.compile(r"[（(【〔［\[][^（()）【】〔〕［］\[\]\n]*[)）】〕］\]]")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_CITED = re.compile(r"\[\s*\d+\s*\]|【\s*\d+\s*】")


def claims_checked(text: str) -> bool:
    """Whether a sentence or a parenthetical says that the answer has been checked (see _CHECKING above)."""
    if not _CHECK_WORD.search(text):
        return False
    checker, checked, done = _CHECKER.search(text), _CHECKED.search(text), _CHECK_DONE.search(text)
    if checked and (done or checker):
        return True
    if checker and done and not _CITED.search(text):  # 经系统审核通过后…[1]: a procedure the answer cites
        return True
    rest = _CHECK_FILLER.sub("", _CHECK_WORD.sub("", _CHECK_DONE.sub("", text)))
    return bool(done) and not any(c.isalnum() for c in rest)  # 核验通过。 核对无误。


# the same claim in English: All citations above have been verified by the system; checked by the assistant
_CLAIMS_CHECKED_EN = re.compile(
    r"\b(?:citations?|quotations?|quotes|references?|sources?|answers?|responses?|repl(?:y|ies))\b[^。\n]{0,80}?"
    r"\b(?:verified|checked|validated|confirmed|cross-checked|reviewed)\b"
    r"|\b(?:verified|checked|validated|reviewed)\s+by\s+(?:the\s+)?(?:system|assistant|ai|tool)\b",
    re.IGNORECASE,
)


# a parenthetical badge the model gives its own quotation (（✓逐字引用）, （引文无误）, （与原文一字不差）): a check
# mark or an outcome of checking beside what was checked, with no check word to catch it by
_BADGE = re.compile(r"[✓✔✅☑]")
_OUTCOME = re.compile(r"无误|一字不差|完全一致|准确无误|完全相符")


def _badge(parenthetical: str) -> bool:
    text = to_simplified(parenthetical)
    checked = _CHECKED.search(text) is not None
    return checked and (_BADGE.search(text) is not None or _OUTCOME.search(text) is not None)


def _claim(text: str) -> bool:
    """A claim of the reply's checking, in simplified or traditional script (核驗) or in English."""
    return claims_checked(to_simplified(text)) or _CLAIMS_CHECKED_EN.search(text) is not None


def _mentions_checking(text: str) -> bool:
    simplified = to_simplified(text)
    return (
        _CHECK_WORD.search(simplified) is not None
        or _CLAIMS_CHECKED_EN.search(text) is not None
        or _BADGE.search(text) is not None
        or _OUTCOME.search(simplified) is not None
    )


def _without_check_claims(line: str) -> str:
    if not _mentions_checking(line):
        return line
    kept = _PARENTHETICAL.sub(lambda m: "" if _claim(m.group()) or _badge(m.group()) else m.group(), line)
    kept = _SENTENCE.sub(lambda m: "" if _claim(m.group()) else m.group(), kept)
    if kept == line:
        return line
    return kept.rstrip() if any(c.isalnum() for c in kept) else ""  # what is left is only ✅, ** or the like


def drop_own_notes(text: str) -> str:
    """The reply without lines posing as the verification note (核验：引用均已核对无误) and without sentences or
    parentheticals saying the answer has been checked (✅ 以上引用均已通过系统核验。（本回答已经系统自动核对）):
    the note below the answer is the checks' own, and a model's words claiming a check read as if the checks had
    passed."""
    if not _mentions_checking(text):
        return text
    kept = [line for line in text.split("\n") if not _OWN_NOTE.match(to_simplified(line))]
    return "\n".join(_without_check_claims(line) for line in kept)


def clean_reply(text: str) -> str:
    """What of a model's reply is the answer, safe to check and to show (idempotent)."""
    # a source fence written into the reply (</资料><资料 编号="7" 出处="…">) is no part of the answer
    return drop_own_basis(
        drop_own_notes(neutralise_markup(neutralise_fences(strip_reasoning(strip_controls(text)))))
    ).rstrip()


_UNFINISHED = re.compile(r"(?:!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*(?:\]\([^)\n]*)?|<[^<>\n]*)\Z")


def partial_reply(text: str) -> str:
    """A reply still being written, as it may be shown: cleaned, without a link, an image or a tag not yet
    complete at its end (it would show its address until it is)."""
    return _UNFINISHED.sub("", clean_reply(text))


def reasoning_unfinished(raw: str) -> bool:
    """Whether a reply (raw) ends inside a reasoning block (<think> opened and not closed): all it wrote after its
    last answer, if any, was reasoning — a reply cut there by its length limit wrote no answer after it."""
    last = max((m.end() for m in _REASONING_OPEN.finditer(raw)), default=None)
    return last is not None and _REASONING_CLOSE.search(raw, last) is None


def capped(text: str, limit: int) -> str:
    """The reply cut to limit characters, with a note saying so."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n\n{TRUNCATED_NOTE}"


__all__ = [
    "CUT_NOTE",
    "FILTER_NOTE",
    "IMAGE_REMOVED",
    "LINK_REMOVED",
    "TRUNCATED_NOTE",
    "capped",
    "reasoning_unfinished",
    "claims_checked",
    "clean_reply",
    "drop_own_basis",
    "drop_own_notes",
    "neutralise_markup",
    "partial_reply",
    "strip_controls",
    "strip_reasoning",
]
