"""HTML pages via BeautifulSoup: drop scripts, navigation and page chrome; keep headings. The elements of a page are
counted before it is parsed (each costs the tree about a kilobyte; millions of empty paragraphs took gigabytes and
crashed the process), and the text is read in one pass over the tree, which is never changed: moving nodes in a
BeautifulSoup tree looks each one up among its siblings, so a page of many paragraphs took minutes.

Text a browser does not show is no part of the document (hidden instructions became the answer's only basis): an
element hidden by its attributes, by its inline style or by a rule of the page's style sheets (simple selectors;
a rule the loader cannot match with certainty never hides anything and keeps what it might show), text in zero
size or transparent ink, invisible or moved far off the screen. `unseen_spans` applies the same rules to markup
mixed with plain text (raw HTML in Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.encoding import decode_bytes
from ingest.errors import OverLimit
from ingest.loaders.limits import LoadLimits

_CHROME_TAGS = frozenset(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"])
_BLOCK_TAGS = frozenset(["p", "div", "li", "tr", "br", "section", "article", "table"])
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_ANY_HEADING = 7  # headings_below for the page: every heading is written as a heading line
_START_TAG = re.compile(r"<[a-zA-Z]")  # what html.parser takes for the start of a tag (its starttagopen)


def load_html(path: Path, limits: LoadLimits | None = None) -> str:
    limits = limits or LoadLimits()
    markup = decode_bytes(path.read_bytes(), path)
    check_elements(path, markup, limits.html_max_elements)
    markup = markup[: _comment_to_the_end(markup)]
    soup = BeautifulSoup(markup, "html.parser")
    del markup
    sheet = _Sheet(
        "".join(style.strings) for style in soup.find_all("style") if _screen_media(str(style.get("media") or ""))
    )
    try:
        return "".join(_pieces(soup.body or soup, _ANY_HEADING, sheet))
    except _TooManyRules:
        raise OverLimit(path, _TOO_MANY_RULES) from None


def check_elements(path: Path, markup: str, most: int) -> None:
    """Refuse a page of more than `most` elements before it is parsed (counting stops just past the limit)."""
    if sum(1 for _ in islice(_START_TAG.finditer(markup), most + 1)) > most:
        raise OverLimit(
            path,
            f"网页中的标签（元素）超过 {most:,} 个，不是正常的文档，可能是恶意构造的文件，已拒绝导入，"
            "其他文件照常导入；如确为正常文件，请拆分或另存为纯文本后再导入，或调大 ANQUAN_HTML_MAX_ELEMENTS",
        )


def unclosed_comment(markup: str) -> int | None:
    """Where a comment that is never closed opens (a browser shows nothing after it); None when every one is
    closed. Linear: each comment's end is looked for once."""
    at = 0
    while (start := markup.find("<!--", at)) >= 0:
        end = markup.find("-->", start + 2)  # <!--> and <!---> are closed, empty comments
        if end < 0:
            return start
        at = end + 3
    return None


_RAW_TEXT = re.compile(r"<!--|<(/?)(script|style|textarea|title|xmp|noscript)\b", re.IGNORECASE)


def _comment_to_the_end(markup: str) -> int:
    """Where the page ends for a reader: at a comment never closed (a browser shows nothing after it), but not
    one inside a script, a style or another element whose content is not markup. One pass: closed comments are
    stepped over, and so is the content of those elements."""
    first = unclosed_comment(markup)
    if first is None:
        return len(markup)
    at, inside = 0, ""
    while (found := _RAW_TEXT.search(markup, at)) is not None:
        at = found.end()
        if found[0] == "<!--":
            if inside:
                continue
            if found.start() >= first:
                return found.start()
            at = markup.find("-->", found.start() + 2) + 3
        elif not inside and not found[1]:
            inside = found[2].lower()
        elif inside and found[1] and found[2].lower() == inside:
            inside = ""
    return len(markup)


def _pieces(
    root: Tag, headings_below: int = _ANY_HEADING, sheet: _Sheet | None = None, ink: _Ink | None = None
) -> list[str]:
    """The text of root in document order, as its get_text() would give it (the same kinds of strings) once the page
    chrome and what a browser does not show are left out and each heading of a level under headings_below is
    written as a Markdown heading line (a heading's own text keeps only the headings of a higher rank inside it);
    outside headings, a line break before each block. Depth-first with a stack of its own: no recursion on the
    nesting, however deep."""
    sheet = sheet or _NO_SHEET
    kept = root.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES
    blocks = headings_below == _ANY_HEADING  # inside a heading, its words are joined on one line
    pieces: list[str] = []
    stack: list[tuple[Any, _Ink]] = [(node, ink or _SEEN) for node in reversed(root.contents)]
    while stack:
        node, around = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in kept and around.seen:
                pieces.append(str(node))
        elif isinstance(node, Tag) and node.name not in _CHROME_TAGS:
            # a template's strings are TemplateStrings, never kept; its blocks break lines as they always did
            shown, inner = (True, around) if node.name == "template" else sight(node.name, node.attrs, sheet, around)
            if not shown:
                continue
            level = _HEADINGS.get(node.name)
            if level is not None and level < headings_below:
                words = (piece.strip() for piece in _pieces(node, level, sheet, inner))
                pieces.append(f"\n{'#' * level} {' '.join(word for word in words if word)}\n")
                continue
            if blocks and node.name in _BLOCK_TAGS:
                pieces.append("\n")
            stack.extend((child, inner) for child in reversed(node.contents))
    return pieces


# --- what a browser shows ---------------------------------------------------------------------------------------


class _Ink(NamedTuple):
    """What an element passes on to its text (inherited in CSS, so a descendant may set it back)."""

    invisible: bool = False  # visibility: hidden or collapse
    sizeless: bool = False  # a font size of zero
    clear: bool = False  # a transparent colour

    @property
    def seen(self) -> bool:
        return not (self.invisible or self.sizeless or self.clear)


_SEEN = _Ink()
_UNSHOWN_TAGS = frozenset(["template", "script", "style"])  # never rendered, whatever their style
_FAR = 1000.0  # an element moved this many CSS pixels off (left, up...) is off any screen
_TINY = 1.0  # a font size or box under one CSS pixel shows nothing
_PX = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
_PX_RELATIVE = {"em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "vw": 10.0, "vh": 8.0, "vmin": 8.0, "vmax": 10.0}
_LENGTH = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)")
_SIZE_KEYWORDS = frozenset(["xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"])
_OFFSETS = ("left", "top", "right", "bottom")
_PROPERTIES = frozenset(
    [
        "display",
        "visibility",
        "opacity",
        "font-size",
        "position",
        *_OFFSETS,
        "margin-left",
        "margin-top",
        "text-indent",
        "transform",
        "clip",
        "clip-path",
        "height",
        "max-height",
        "width",
        "max-width",
        "overflow",
        "color",
    ]
)


def sight(name: str, attrs: Mapping[str, Any], sheet: _Sheet, ink: _Ink = _SEEN) -> tuple[bool, _Ink]:
    """Whether a browser shows an element (with what is inside it) at all, and the ink its text is in, given the
    ink around it: hidden or aria-hidden, an unrendered element (template, a closed dialog), display:none, zero
    opacity, zero size with its overflow hidden, clipped away, or moved far off the screen hide the element;
    visibility, a zero font size and a transparent colour are inherited and may be set back inside."""
    if not attrs and not sheet.rules:
        return name not in _UNSHOWN_TAGS and name != "dialog", ink
    if name in _UNSHOWN_TAGS or (name == "dialog" and "open" not in attrs):
        return False, ink
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).strip().lower() == "true":
        return False, ink
    style = attrs.get("style")
    rules = sheet.matching(name, attrs) if sheet.rules else []
    if not style and not rules:
        return True, ink
    return _shown(sheet.computed(name, attrs, rules, str(style or "")), ink)


def _shown(style: dict[str, str], ink: _Ink) -> tuple[bool, _Ink]:
    get = style.get
    if get("display") == "none":
        return False, ink
    opacity = _number(get("opacity", ""))
    if opacity is not None and opacity <= 0.01:
        return False, ink
    if get("position") in ("absolute", "fixed", "relative", "sticky") and any(
        _far_off(get(offset, "")) for offset in _OFFSETS
    ):
        return False, ink
    if any(_far_off(get(name, "")) for name in ("margin-left", "margin-top", "text-indent")):
        return False, ink
    if _transform_hides(get("transform", "")) or _clip_hides(get("clip", ""), get("clip-path", "")):
        return False, ink
    if any(word in ("hidden", "clip") for word in get("overflow", "").split()) and any(
        (px := _pixels(get(name, ""))) is not None and px < _TINY
        for name in ("height", "max-height", "width", "max-width")
    ):
        return False, ink
    visibility = get("visibility")
    if visibility in ("hidden", "collapse", "visible"):
        ink = ink._replace(invisible=visibility != "visible")
    if "font-size" in style:
        ink = ink._replace(sizeless=_sizeless(style["font-size"], ink.sizeless))
    if "color" in style:
        clear = _transparent(style["color"])
        if clear is not None:
            ink = ink._replace(clear=clear)
    return True, ink


def _number(value: str) -> float | None:
    value = value.strip()
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return None


def _pixels(value: str) -> float | None:
    """A CSS length in pixels (relative units at a 16 px font and a 1000 px screen); None: not a plain length."""
    match = _LENGTH.fullmatch(value.strip())
    if match is None:
        return None
    number, unit = float(match[1]), match[2]
    if unit in _PX:
        return number * _PX[unit]
    if unit in _PX_RELATIVE:
        return number * _PX_RELATIVE[unit]
    return 0.0 if number == 0 else None


def _far_off(value: str) -> bool:
    px = _pixels(value)
    return px is not None and px <= -_FAR


def _sizeless(value: str, inherited: bool) -> bool:
    """Whether a font-size gives text of no size (under a pixel); relative sizes keep what is inherited."""
    value = value.strip()
    match = _LENGTH.fullmatch(value)
    if match is None:
        return False if value in _SIZE_KEYWORDS else inherited  # larger, smaller, inherit, calc(): as around it
    number, unit = float(match[1]), match[2]
    if number <= 0:
        return True
    if unit in _PX:
        return number * _PX[unit] < _TINY
    if unit == "rem":
        return number * 16 < _TINY
    return inherited  # em, %, ex...: a part of the size around it


def _transparent(value: str) -> bool | None:
    """Whether a colour is fully transparent; None when it does not say (inherit, currentcolor, var())."""
    value = value.strip()
    if value in ("inherit", "currentcolor", "unset", "initial", "revert") or value.startswith("var("):
        return None
    if value == "transparent":
        return True
    if value.startswith("#"):
        digits = value[1:]
        return (len(digits) == 8 and digits[6:] == "00") or (len(digits) == 4 and digits[3] == "0")
    function = re.fullmatch(r"(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\((.*)\)", value)
    if function is None:
        return False
    parts = [part for part in re.split(r"[\s,/]+", function[1].strip()) if part]
    alpha = _number(parts[3]) if len(parts) == 4 else None
    return alpha is not None and alpha <= 0.01


def _transform_hides(value: str) -> bool:
    if not value:
        return False
    for name, arguments in re.findall(r"([a-z0-9]+)\(([^()]*)\)", value):
        numbers = [part for part in re.split(r"[\s,]+", arguments.strip()) if part]
        if name.startswith("translate") and any(_far_off(number) for number in numbers):
            return True
        if name.startswith("scale") and numbers and any(_number(number) == 0 for number in numbers):
            return True
    return False


def _clip_hides(clip: str, clip_path: str) -> bool:
    if clip.startswith("rect("):
        edges = [_pixels(part) for part in re.split(r"[\s,]+", clip[5:].rstrip(")").strip()) if part]
        if len(edges) == 4 and all(edge is not None for edge in edges):
            top, right, bottom, left = (edge or 0.0 for edge in edges)
            if right - left < _TINY or bottom - top < _TINY:
                return True
    inset = re.fullmatch(r"inset\(\s*(\d+(?:\.\d+)?)%.*\)", clip_path)
    return (inset is not None and float(inset[1]) >= 50) or re.fullmatch(
        r"circle\(\s*0(?:px|%)?\b.*\)", clip_path
    ) is not None


# --- style sheets -----------------------------------------------------------------------------------------------

_TOO_MANY_RULES = (
    "网页的样式规则过多（每个元素要对照的规则累计超过上限），不是正常的文档，可能是恶意构造的文件，已拒绝导入，"
    "其他文件照常导入；如确为正常文件，请另存为纯文本后再导入"
)
_MOST_CHECKS = 20_000_000  # rule checks per page: seconds, a fraction of what parsing such a page takes
_NAME = r"(?:[^\s.#>+~:\[\]()\"',*{}|=\\]|\\.)+"
_COMPOUND = re.compile(rf"(\*|{_NAME})?((?:[.#]{_NAME})*)")
_PART = re.compile(rf"([.#])({_NAME})")
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
_PSEUDO_ELEMENT = re.compile(r"::|:(?:before|after|first-line|first-letter|marker|placeholder|selection)\b")


class _TooManyRules(Exception):
    """A page whose elements, together, are checked against too many style rules."""


@dataclass
class _Rule:
    tag: str | None
    ids: frozenset[str]
    classes: frozenset[str]
    rank: tuple[int, int, int, int]  # specificity (ids, classes, tags), then order in the sheets
    style: dict[str, tuple[str, bool]]  # property -> (value, !important)

    def matches(self, name: str, ids: frozenset[str], classes: frozenset[str]) -> bool:
        return (self.tag is None or self.tag == name) and self.ids <= ids and self.classes <= classes


@dataclass
class _Sheet:
    """The rules of a page's style sheets that can hide or show an element, by a key of the element (#id, .class,
    tag or *). A rule whose selector cannot be matched with certainty (descendants, attributes, states such as
    :hover) never hides: the properties it sets are noted for the keys of its subject, and an element with such
    a key keeps those properties from the matched rules unset (what it may show stays in)."""

    css: Iterable[str] = ()
    rules: dict[str, list[_Rule]] = field(default_factory=dict)
    loose: dict[str, set[str]] = field(default_factory=dict)  # property -> keys of elements it may be set on
    checks: int = field(default_factory=lambda: _MOST_CHECKS)

    def __post_init__(self) -> None:
        order = 0
        for text in self.css:
            for selectors, body in _style_rules(_css(text)):
                style = {name: value for name, value in _declarations(body).items() if name in _PROPERTIES}
                if not style:
                    continue
                for selector in selectors.split(","):
                    order += 1
                    self._add(selector.strip(), style, order)
        self.css = ()

    def _add(self, selector: str, style: dict[str, tuple[str, bool]], order: int) -> None:
        simple = _COMPOUND.fullmatch(selector)
        if simple is not None and selector:
            tag, ids, classes = _parts(simple)
            rule = _Rule(tag, ids, classes, (len(ids), len(classes), int(tag is not None), order), style)
            key = next(iter(sorted(ids)), None) or next(iter(sorted(classes)), None) or tag or "*"
            self.rules.setdefault(key, []).append(rule)
            return
        subject = _COMBINATOR.split(selector)[-1] if selector else ""
        if not subject or _PSEUDO_ELEMENT.search(subject):
            return  # styles generated content, not the element
        prefix = _COMPOUND.match(subject)
        tag, ids, classes = _parts(prefix) if prefix is not None else (None, frozenset(), frozenset())
        # a subject known only by its attributes ([hidden], [data-x=y]) applies to elements that have them
        attributes = {f"@{a}" for a in _ATTRIBUTE.findall(subject)}
        keys = ids or classes or attributes or {tag or "*"}
        pointed = _POINTER_STATE.search(subject) is not None
        for name, (value, _) in style.items():
            if _shown({name: value}, _SEEN) != (True, _SEEN):
                continue  # it hides, or takes ink away: it cannot set back what a matched rule hides
            if pointed and name in ("display", "visibility"):
                continue  # an element not shown cannot be pointed at or focused (*:hover{display:block})
            self.loose.setdefault(name, set()).update(keys)

    def matching(self, name: str, attrs: Mapping[str, Any]) -> list[_Rule]:
        ids, classes = _keys(attrs)
        found: list[_Rule] = []
        for key in ("*", name, *ids, *classes):
            for rule in self.rules.get(key, ()):
                self.checks -= 1
                if rule.matches(name, ids, classes):
                    found.append(rule)
        if self.checks < 0:
            raise _TooManyRules
        return found

    def computed(self, name: str, attrs: Mapping[str, Any], rules: list[_Rule], inline: str) -> dict[str, str]:
        """The value of each property that counts, by the cascade (!important, inline style, specificity, order)."""
        best: dict[str, tuple[tuple[Any, ...], str]] = {}
        for rule in rules:
            for prop, (value, important) in rule.style.items():
                rank = (important, False, rule.rank)
                if prop not in best or rank > best[prop][0]:
                    best[prop] = (rank, value)
        if self.loose and best:
            ids, classes = _keys(attrs)
            keys = {"*", name, *ids, *classes, *(f"@{a}" for a in attrs)}
            for prop in [prop for prop in best if not keys.isdisjoint(self.loose.get(prop, ()))]:
                del best[prop]  # another rule, not matched, may set it back
        if inline:
            for prop, (value, important) in _declarations(_css(inline)).items():
                rank = (important, True, (0, 0, 0, 0))
                if prop not in best or rank > best[prop][0]:
                    best[prop] = (rank, value)
        return {prop: value for prop, (_, value) in best.items()}


_NO_SHEET = _Sheet()
_ATTRIBUTE = re.compile(r"\[\s*([a-z0-9_:-]+)")
_POINTER_STATE = re.compile(r":(?:hover|focus|focus-visible|focus-within|active)\b")


def _parts(match: re.Match[str]) -> tuple[str | None, frozenset[str], frozenset[str]]:
    tag = match[1] if match[1] and match[1] != "*" else None
    parts = _PART.findall(match[2] or "")
    return (
        tag,
        frozenset(f"#{n}" for kind, n in parts if kind == "#"),
        frozenset(f".{n}" for kind, n in parts if kind == "."),
    )


def _keys(attrs: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """An element's #id and .class keys, in lower case (class and id rules are matched without case, as in the
    quirks mode of most pages)."""
    classes = attrs.get("class") or ()
    if isinstance(classes, str):
        classes = classes.split()
    ident = str(attrs.get("id") or "").strip().lower()
    return (
        frozenset([f"#{ident}"] if ident else ()),
        frozenset(f".{name.lower()}" for name in classes),
    )


def _css(text: str) -> str:
    """CSS in lower case, its comments removed (a comment separates, as a space would) and its escapes read.
    Linear: an unclosed comment runs to the end."""
    if "/*" in text:
        parts, start = [], 0
        while (begin := text.find("/*", start)) >= 0:
            parts.append(text[start:begin])
            end = text.find("*/", begin + 2)
            start = len(text) if end < 0 else end + 2
            parts.append(" ")
        parts.append(text[start:])
        text = "".join(parts)
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    return text.lower()


_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.DOTALL)


def _unescape(match: re.Match[str]) -> str:
    if match[1] is None:
        return match[2]
    code = int(match[1], 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _declarations(text: str) -> dict[str, tuple[str, bool]]:
    """property -> (value, !important) of a declaration block; a later declaration wins unless an earlier one of
    the property is !important. font sets font-size, margin sets margin-top and margin-left."""
    found: dict[str, tuple[str, bool]] = {}
    for declaration in text.split(";"):
        name, colon, value = declaration.partition(":")
        if not colon:
            continue
        name, value = name.strip(), value.strip()
        important = value.endswith("important") and re.search(r"!\s*important$", value) is not None
        if important:
            value = value[: value.rindex("!")].strip()
        for prop, part in _longhands(name, value):
            if prop in found and found[prop][1] and not important:
                continue
            found[prop] = (part, important)
    return found


def _longhands(name: str, value: str) -> list[tuple[str, str]]:
    if name == "font":
        for word in value.split():
            size = word.split("/")[0]
            if _LENGTH.fullmatch(size) or size in _SIZE_KEYWORDS:
                return [("font-size", size)]
        return []
    if name == "margin":
        sides = value.split()
        if not 1 <= len(sides) <= 4:
            return []
        return [("margin-top", sides[0]), ("margin-left", sides[[0, 1, 1, 3][len(sides) - 1]])]
    return [(name, value)]


def _style_rules(css: str) -> Iterable[tuple[str, str]]:
    """(selectors, declarations) of the style rules that apply on a screen: at the top level or inside @media for
    screens (of any common size), @supports and @layer; nested rules and other at-rules are left out. One pass
    over the braces."""
    stack: list[tuple[bool, bool, str, int]] = []  # open blocks: yields its declarations, counted in closed, ...
    closed = 0  # open blocks whose rules are left out
    start = 0
    for match in re.finditer(r"[{};]", css):
        mark, at = match[0], match.start()
        if mark == "{":
            prelude = css[start:at].strip()
            if prelude.startswith("@"):
                yields, counted = False, closed > 0 or not _at_rule_applies(prelude)
            else:
                yields, counted = closed == 0, True  # a style rule: rules nested in it are left out
            stack.append((yields, counted, prelude, at + 1))
            closed += counted
            start = at + 1
        elif mark == "}":
            if stack:
                yields, counted, prelude, body = stack.pop()
                closed -= counted
                if yields:
                    yield prelude, css[body:at]
            start = at + 1
        elif not stack or not stack[-1][0]:
            start = at + 1  # a statement (@import ...;) ends


_SCREENS = ((1280.0, 800.0), (375.0, 667.0))  # a desktop and a phone: a rule hides only if it does on both


def _at_rule_applies(prelude: str) -> bool:
    name, _, condition = prelude[1:].partition(" ")
    if name == "media":
        return _media_applies(condition)
    if name == "supports":
        return not condition.strip().startswith("not")
    return name == "layer"


def _screen_media(media: str) -> bool:
    """Whether a style sheet's media attribute holds on screens."""
    return not media.strip() or _media_applies(media.lower())


def _media_applies(queries: str) -> bool:
    return any(all(_query_holds(query.strip(), screen) for screen in _SCREENS) for query in queries.split(","))


def _query_holds(query: str, screen: tuple[float, float]) -> bool:
    """A media query on a screen of the given size; a query it cannot read does not hold."""
    negated = query.startswith("not ")
    query = query[4:] if negated else query[5:] if query.startswith("only ") else query
    holds = True
    for part in re.split(r"\band\b", query):
        part = part.strip()
        if part in ("all", "screen"):
            continue
        result = _feature(part, screen) if part.startswith("(") else False
        if result is None:
            return False
        holds = holds and result
    return holds != negated


def _feature(part: str, screen: tuple[float, float]) -> bool | None:
    match = re.fullmatch(r"\(\s*([a-z-]+)\s*(?::\s*([^()]*))?\)", part)
    if match is None:
        return None
    name, value = match[1], (match[2] or "").strip()
    width, height = screen
    if name == "orientation":
        return value == ("landscape" if width > height else "portrait")
    bound, _, side = name.rpartition("-") if name.startswith(("min-", "max-")) else ("", "", name)
    size = {"width": width, "height": height}.get(side)
    px = _pixels(value) if value else None
    if size is None or px is None:
        return None
    return size >= px if bound == "min" else size <= px if bound == "max" else size == px


# --- markup inside plain text (Markdown) ------------------------------------------------------------------------

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_BLOCK_STARTS = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main menu nav ol p pre section table ul".split()
)
_ENDED_BY = {  # an element whose end tag may be left out: the start tags that end it
    "p": _BLOCK_STARTS,
    "li": frozenset(["li"]),
    "dt": frozenset(["dt", "dd"]),
    "dd": frozenset(["dt", "dd"]),
    "tr": frozenset(["tr"]),
    "td": frozenset(["td", "th", "tr"]),
    "th": frozenset(["td", "th", "tr"]),
    "option": frozenset(["option"]),
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def unseen_spans(path: Path, markup: str) -> list[tuple[int, int]]:
    """The [start, end) spans of text mixed with markup (raw HTML in Markdown) that a browser does not show, by the
    rules the HTML loader reads pages with: a hidden element from its start tag to its end tag (to the end when it
    is never closed; an element whose end tag may be left out, such as p or li, also ends at a blank line), text in
    invisible ink, style, script and template elements. Code the caller does not want read as markup is blanked
    out beforehand (same length). A file whose elements meet too many style rules is refused (OverLimit) like a
    page."""
    if _START_TAG.search(markup) is None:
        return []
    sheet = _NO_SHEET
    if "<style" in markup.lower():
        sheets = _Sheets()
        sheets.feed(markup)
        sheets.close()
        sheet = _Sheet(sheets.css)
    scanner = _Scanner(markup, sheet)
    try:
        scanner.feed(markup)
        scanner.close()
    except _TooManyRules:
        raise OverLimit(path, _TOO_MANY_RULES) from None
    return scanner.spans


class _Sheets(HTMLParser):
    """The text of the style elements (for screens) in markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.css: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "style" and _screen_media(dict(attrs).get("media") or "")

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.css.append(data)


class _Scanner(HTMLParser):
    """Follows the open elements of markup and notes the spans a browser does not show (one pass; a stack of its
    own, never deeper than the markup)."""

    def __init__(self, markup: str, sheet: _Sheet):
        super().__init__(convert_charrefs=False)  # data events at their places in the markup
        self.markup = markup
        self.starts = [0] + [match.end() for match in re.finditer("\n", markup)]  # offset of each line
        self.sheet = sheet
        self.stack: list[tuple[str, bool, _Ink]] = []  # open elements: name, not hidden, the ink inside
        self.open: dict[str, int] = {}  # open elements by name
        self.seen = True
        self.cut_from = 0
        self.spans: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def _now(self) -> bool:
        return not self.stack or (self.stack[-1][1] and self.stack[-1][2].seen)

    def _moved(self, at_hidden: int, at_seen: int) -> None:
        """After a change of the open elements: a hidden span starts (at at_hidden) or ends (at at_seen)."""
        seen = self._now()
        if seen != self.seen:
            if seen:
                self.spans.append((self.cut_from, at_seen))
            else:
                self.cut_from = at_hidden
            self.seen = seen

    def _pop(self, index: int) -> None:
        for name, _, _ in self.stack[index:]:
            self.open[name] -= 1
        del self.stack[index:]

    def _end_implied(self, at: int, starting: str | None) -> None:
        """Close the elements whose end tag may be left out: before a start tag that ends them, or at a blank
        line (starting None)."""
        while self.stack and (ended := _ENDED_BY.get(self.stack[-1][0])) is not None:
            if starting is not None and starting not in ended:
                break
            self._pop(len(self.stack) - 1)
            self._moved(at, at)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._offset()
        end = at + len(self.get_starttag_text() or "")
        self._end_implied(at, tag)
        if tag in _VOID:
            return
        around_shown, around = self.stack[-1][1:] if self.stack else (True, _SEEN)
        shown, ink = sight(tag, {name: value or "" for name, value in attrs}, self.sheet, around)
        self.stack.append((tag, shown and around_shown, ink))
        self.open[tag] = self.open.get(tag, 0) + 1
        self._moved(at, end)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._offset()
        end = at + len(self.get_starttag_text() or "")
        self._end_implied(at, tag)
        around_shown, around = self.stack[-1][1:] if self.stack else (True, _SEEN)
        shown, _ = sight(tag, {name: value or "" for name, value in attrs}, self.sheet, around)
        if self.seen and not shown:
            self.spans.append((at, end))

    def handle_endtag(self, tag: str) -> None:
        if not self.open.get(tag):
            return  # a stray end tag
        at = self._offset()
        close = self.markup.find(">", at)
        end = len(self.markup) if close < 0 else close + 1
        index = len(self.stack) - 1
        while self.stack[index][0] != tag:
            index -= 1
        self._pop(index)
        self._moved(at, end)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in _ENDED_BY:
            blank = _BLANK_LINE.search(data)
            if blank is not None:
                self._end_implied(self._offset() + blank.start(), None)

    def close(self) -> None:
        super().close()
        if not self.seen:
            self.spans.append((self.cut_from, len(self.markup)))
            self.seen = True
