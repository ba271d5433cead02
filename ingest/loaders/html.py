"""HTML pages via BeautifulSoup: drop scripts, navigation and page chrome; keep headings. The elements of a page are
counted before it is parsed (each costs the tree about a kilobyte; millions of empty paragraphs took gigabytes and
crashed the process), and the text is read in one pass over the tree, which is never changed: moving nodes in a
BeautifulSoup tree looks each one up among its siblings, so a page of many paragraphs took minutes.

Text a browser does not show is no part of the document (hidden instructions became the answer's only basis): an
element hidden by its attributes (hidden, a closed dialog, a popover, what a closed details holds but its summary),
by its inline style, by presentational attributes (<font color>, bgcolor, an svg's) or by a rule of the page's style
sheets (its own, and those it links or imports from its own folder or below it; any selector, matched by
BeautifulSoup's selector engine, with the cascade and custom properties put in for var(); a rule that depends on
what the reader does, such as :hover, never hides anything and keeps what it might show), text in zero size,
transparent ink or the colour of the background under it, invisible, clipped away, shrunk to nothing or moved far
off the screen. `unseen_spans` applies the same rules to markup mixed with plain text (raw
HTML in Markdown), but keeps what a closed details holds."""

from __future__ import annotations

import colorsys
import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

import soupsieve
from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.encoding import decode_bytes
from ingest.errors import IngestError, OverLimit
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
    texts, complete = _style_sheets(soup, path.parent)
    sheet = _Sheet(texts)
    root = soup.body or soup
    try:
        if sheet.selected:
            _lowered(soup)
            sheet.select(soup)
        return "".join(_pieces(root, _ANY_HEADING, sheet, _page_ink(soup, root, sheet, complete)))
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
            # blanks are the page's layout, not text: they stay in ink of the paper's colour
            if type(node) in kept and (around.seen or (around.inked and node.isspace())):
                pieces.append(str(node))
        elif isinstance(node, Tag) and node.name not in _CHROME_TAGS:
            # a template's strings are TemplateStrings, never kept; its blocks break lines as they always did
            shown, inner = (
                (True, around) if node.name == "template" else sight(node.name, node.attrs, sheet, around, node)
            )
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


def _style_sheets(soup: BeautifulSoup, folder: Path) -> tuple[list[str], bool]:
    """The page's style sheets for screens, in document order: its style elements and the sheets it links or
    imports (@import) from files beside it or below it, imports put in where they stand; and whether every sheet
    was read (one on the web, elsewhere on the machine, too large or unreadable was not)."""
    texts: list[str] = []
    complete = True
    budget = [_SHEETS_MAX_BYTES]

    def expanded(css: str, depth: int, seen: frozenset[Path], base: Path) -> str:
        def put_in(match: re.Match) -> str:
            nonlocal complete
            if match.group("media").strip() and not _screen_media(match.group("media")):
                return ""
            target = _local_sheet(folder, match.group("href"), base)
            if target in seen:
                return ""  # a sheet importing itself, or one importing it
            css = _read_sheet(target, budget) if depth < _SHEET_DEPTH else None
            if target is None or css is None:
                complete = False
                return ""
            return expanded(css, depth + 1, seen | {target}, target.parent)

        return _IMPORT.sub(put_in, css) if "@import" in css.lower() else css

    for tag in soup.find_all(["style", "link"]):
        if not _screen_media(str(tag.get("media") or "")):
            continue
        if tag.name == "style":
            texts.append(expanded("".join(tag.strings), 0, frozenset(), folder))
        elif "stylesheet" in str(tag.get("rel") or "").lower():
            target = _local_sheet(folder, str(tag.get("href") or ""))
            css = _read_sheet(target, budget)
            if target is None or css is None:
                complete = False
            else:
                texts.append(expanded(css, 1, frozenset({target}), target.parent))
    return texts, complete


def _local_sheet(folder: Path, href: str, base: Path | None = None) -> Path | None:
    """The .css file an href names (relative to base: the page's folder, or the folder of the sheet that imports
    it) in the page's folder or below it; None for an address on the web (http:, //host) or a file elsewhere on the
    machine (../ out of the folder, an absolute path: what a page is given to read is its own folder)."""
    href = unquote(href.split("#")[0].split("?")[0].strip())
    if not href or _URL_SCHEME.match(href) or href.startswith(("/", "\\")):
        return None
    try:
        target, root = ((base or folder) / href).resolve(), folder.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if root not in target.parents or target.suffix.lower() != ".css":
        return None
    return target


def _read_sheet(target: Path | None, budget: list[int]) -> str | None:
    """The text of a local style sheet within what is left of the bytes the page's sheets may take; None when it
    cannot be read or is over that."""
    if target is None:
        return None
    try:
        if not target.is_file() or target.stat().st_size > budget[0]:
            return None
        data = target.read_bytes()
        budget[0] -= len(data)
        return decode_bytes(data, target)
    except (OSError, IngestError):
        return None


def _page_ink(soup: BeautifulSoup, root: Tag, sheet: _Sheet, complete: bool = True) -> _Ink:
    """The ink of the page's text: the colour and background of its html and body elements (their hiding is not
    applied: a page that hides its body until a script has run is read as shown). A page that takes styles from a
    sheet the loader could not read (complete false: one on the web) may paint any background: its paper is not
    known."""
    ink = _SEEN if complete else _SEEN._replace(paper=None)
    for element in [*reversed([parent for parent in root.parents if parent.name in ("html", "body")]), root]:
        if element.name in ("html", "body"):
            _, own = sight(element.name, element.attrs, sheet, ink, element)
            ink = ink._replace(clear=own.clear, colour=own.colour, paper=own.paper, variables=own.variables)
    return ink


# --- what a browser shows ---------------------------------------------------------------------------------------

_Colour = tuple[int, int, int] | str  # red, green and blue; a colour the loader cannot read stays as written


class _Ink(NamedTuple):
    """What an element passes on to its text: inherited in CSS (so a descendant may set it back), painted under
    its descendants (a background) or applied to all of them (a scale)."""

    invisible: bool = False  # visibility: hidden or collapse
    sizeless: bool = False  # a font size of zero
    clear: bool = False  # a transparent colour
    colour: _Colour = (0, 0, 0)  # the text colour: black unless set
    paper: _Colour | None = (255, 255, 255)  # the nearest background colour, else the page's white; None: an image
    scale: float = 1.0  # the product of the scales (transform, zoom) of the element and of those around it
    svg: bool = False  # inside an svg element, whose presentation attributes are styles
    variables: Mapping[str, str] = {}  # the custom properties (--name: value) in force, inherited; never changed

    @property
    def inked(self) -> bool:
        """Visible ink, though maybe of the paper's colour."""
        return not (self.invisible or self.sizeless or self.clear)

    @property
    def seen(self) -> bool:
        return self.inked and not _same(self.colour, self.paper)


_SEEN = _Ink()
_UNSHOWN_TAGS = frozenset(["template", "script", "style"])  # never rendered, whatever their style
_FAR = 1000.0  # an element moved this many CSS pixels off (left, up...) is off any screen
_FAR_AWAY = 10_000.0  # moved this far right, it is reached only by scrolling ten screens sideways: not seen either
_TINY = 1.0  # a font size or box under one CSS pixel shows nothing
_FONT_PX = 16.0  # the default font size, in CSS pixels
_SMALLEST_SCALE = _TINY / _FONT_PX  # a scale or zoom under this leaves text of the default size under a pixel
_CLEAR = 0.01  # an opacity (opacity, filter: opacity(), a colour's alpha) at or under this shows nothing
_INDISTINCT = 16  # colours whose red, green and blue each differ by less than this look the same (#f0f0f0 on white)
_PX = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
_PX_RELATIVE = {"em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "vw": 10.0, "vh": 8.0, "vmin": 8.0, "vmax": 10.0}
_LENGTH = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)")
_SIZE_KEYWORDS = frozenset(["xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large"])
_OFFSETS = ("left", "top", "right", "bottom")
_BACKGROUNDS = ("background", "background-color", "background-image")
_LAYOUT = ("background-size", "background-repeat")  # may leave part of an image's box unpainted
_PROPERTIES = frozenset(
    [
        "display",
        "content-visibility",
        "visibility",
        "opacity",
        "filter",
        "font-size",
        "position",
        *_OFFSETS,
        "margin-left",
        "margin-top",
        "text-indent",
        "transform",
        "scale",
        "zoom",
        "clip",
        "clip-path",
        "height",
        "max-height",
        "width",
        "max-width",
        "overflow",
        "color",
        *_BACKGROUNDS,
        *_LAYOUT,
    ]
)
_PRESENTATION = ("display", "visibility", "opacity", "font-size", "transform", "clip-path", "overflow")


def sight(
    name: str, attrs: Mapping[str, Any], sheet: _Sheet, ink: _Ink = _SEEN, element: Tag | None = None
) -> tuple[bool, _Ink]:
    """Whether a browser shows an element (with what is inside it) at all, and the ink its text is in, given the
    ink around it: hidden (not aria-hidden: what a screen reader skips, a reader sees), an unrendered element
    (template, a closed dialog, a popover until a script shows it), display:none, content-visibility:hidden, zero
    opacity, zero size with its overflow hidden, clipped away, shrunk to nothing or moved far off the screen hide the
    element; visibility, a zero font size and a transparent colour or one of the background under it are inherited
    and may be set back inside. element, the element itself in its tree, lets the rules whose selectors look around
    it (div .z) be matched."""
    if name == "svg":
        ink = ink._replace(svg=True)
    if not attrs and sheet.empty:
        return name not in _UNSHOWN_TAGS and name != "dialog", ink
    if name in _UNSHOWN_TAGS or (name == "dialog" and "open" not in attrs):
        return False, ink
    if "hidden" in attrs or "popover" in attrs:  # (aria-hidden hides from screen readers, not from the eye)
        return False, ink
    style = attrs.get("style")
    hints = _hints(name, attrs, ink) if attrs else {}
    rules = sheet.matching(name, attrs, element) if not sheet.empty else []
    if not style and not rules and not hints:
        return True, ink
    return _shown(*_substituted(sheet.computed(name, attrs, rules, str(style or ""), hints), ink))


_MOST_VALUE = 2_000  # characters: a value that grows past this by var() substitution is not read (a hostile chain)
_MOST_SUBSTITUTIONS = 50  # var() references replaced in one value at most


def _substituted(style: dict[str, str], ink: _Ink) -> tuple[dict[str, str], _Ink]:
    """The element's custom properties (--name) added to those it inherits, and var(--name[, fallback]) replaced
    by their values in its other properties, as a browser computes them. A reference to no value (with no
    fallback), a cycle or a value grown too long make the declaration invalid: the property is left out, so its
    inherited or initial value holds."""
    own = {prop: value for prop, value in style.items() if prop.startswith("--")}
    if own:
        variables = {**ink.variables, **own}
        for prop in own:
            value = _var_free(own[prop], variables)
            if value is None:
                del variables[prop]
            else:
                variables[prop] = value
        ink = ink._replace(variables=variables)
        style = {prop: value for prop, value in style.items() if not prop.startswith("--")}
    if any("var(" in value for value in style.values()):
        resolved = {prop: _var_free(value, ink.variables) for prop, value in style.items()}
        style = {prop: value for prop, value in resolved.items() if value is not None}
    return style, ink


def _var_free(value: str, variables: Mapping[str, str]) -> str | None:
    """value with each var() replaced, innermost first; None when one cannot be (see _substituted)."""
    for _ in range(_MOST_SUBSTITUTIONS):
        start = value.rfind("var(")
        if start < 0:
            return value
        arguments, end = _arguments(value, start + 3)
        if arguments is None:
            return None
        found = variables.get(arguments[0].strip())
        if found is None and len(arguments) > 1:
            found = ",".join(arguments[1:]).strip()  # the fallback, commas and all
        if found is None:
            return None  # a cycle (--a: var(--a)) runs out of substitutions
        value = value[:start] + found + value[end:]
        if len(value) > _MOST_VALUE:
            return None
    return None


def _hints(name: str, attrs: Mapping[str, Any], ink: _Ink) -> dict[str, str]:
    """The styles presentational attributes give, under every style rule: a font's colour, a background colour
    (bgcolor) and, in an svg, its presentation attributes (fill is the colour of its text) and the size of the svg,
    which shows nothing outside itself."""
    hints: dict[str, str] = {}
    if name == "font" and attrs.get("color"):
        hints["color"] = str(attrs["color"])
    if attrs.get("bgcolor"):
        hints["background-color"] = str(attrs["bgcolor"])
    if ink.svg:
        hints.update((prop, _css(str(attrs[prop]))) for prop in _PRESENTATION if prop in attrs)
        if attrs.get("fill"):
            fill = _css(str(attrs["fill"])).strip()
            hints["color"] = "transparent" if fill == "none" else fill
        if name == "svg":
            hints.setdefault("overflow", "hidden")
            for side in ("width", "height"):
                value = _css(str(attrs.get(side) or "")).strip()
                if value:
                    hints[side] = value + "px" if _LENGTH.fullmatch(value) and value[-1].isdigit() else value
    return hints


def _shown(style: dict[str, str], ink: _Ink) -> tuple[bool, _Ink]:
    get = style.get
    if get("display") == "none" or get("content-visibility") == "hidden":
        return False, ink
    opacity = _number(get("opacity", ""))
    if (opacity is not None and opacity <= _CLEAR) or _filter_opacity(get("filter", "")) <= _CLEAR:
        return False, ink
    if get("position") in ("absolute", "fixed", "relative", "sticky") and any(
        _off_screen(offset, get(offset, "")) for offset in _OFFSETS
    ):
        return False, ink
    if any(_off_screen(name, get(name, "")) for name in ("margin-left", "margin-top", "text-indent")):
        return False, ink
    scale = ink.scale * _scale(get("transform", "")) * _scale(get("scale", "")) * _zoom(get("zoom", ""))
    if scale < _SMALLEST_SCALE:
        return False, ink
    if _transform_hides(get("transform", "")) or _clip_hides(get("clip", ""), get("clip-path", "")):
        return False, ink
    if any(word in ("hidden", "clip") for word in get("overflow", "").split()) and any(
        (px := _pixels(get(name, ""))) is not None and px < _TINY
        for name in ("height", "max-height", "width", "max-width")
    ):
        return False, ink
    if scale != ink.scale:
        ink = ink._replace(scale=scale)
    visibility = get("visibility")
    if visibility in ("hidden", "collapse", "visible"):
        ink = ink._replace(invisible=visibility != "visible")
    if "font-size" in style:
        ink = ink._replace(sizeless=_sizeless(style["font-size"], ink.sizeless))
    if "color" in style:
        clear = _transparent(style["color"])
        if clear is not None:
            ink = ink._replace(clear=clear)
        colour = _colour(style["color"])
        if colour is not None and not clear:
            ink = ink._replace(colour=colour[0])
    if any(name in style for name in _BACKGROUNDS):
        ink = ink._replace(paper=_paper(_current(style, ink), ink.paper))
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


def _off_screen(name: str, value: str) -> bool:
    """Whether an offset (left, right...), a margin or an indent moves a box off the screen: far up or left, where
    no scrolling reaches (right and bottom move it that way), or very far right."""
    px = _pixels(value)
    if px is None:
        return False
    if name in ("right", "bottom"):
        return px >= _FAR
    return px <= -_FAR or (name in ("left", "margin-left", "text-indent") and px >= _FAR_AWAY)


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
    return alpha is not None and alpha <= _CLEAR


_NAMED = {  # the colours of HTML 4, the names old pages (and <font color>) use
    "white": "#ffffff", "silver": "#c0c0c0", "gray": "#808080", "grey": "#808080", "black": "#000000",
    "red": "#ff0000", "maroon": "#800000", "yellow": "#ffff00", "olive": "#808000", "lime": "#00ff00",
    "green": "#008000", "aqua": "#00ffff", "teal": "#008080", "blue": "#0000ff", "navy": "#000080",
    "fuchsia": "#ff00ff", "purple": "#800080",
}  # fmt: skip
_KEYWORD = re.compile(r"[a-z]+")


def _colour(value: str) -> tuple[_Colour, float] | None:
    """A colour and its alpha: red, green and blue when the loader can read them (hex, rgb(), hsl(), the HTML 4
    names), else a keyword as written; None when it says no colour of its own (inherit, currentcolor, var())."""
    value = _NAMED.get(value.strip(), value.strip())
    if _transparent(value) is None:
        return None
    if value.startswith("#") and len(value) in (4, 5, 7, 9) and re.fullmatch(r"#[0-9a-f]+", value):
        digits = value[1:] if len(value) > 5 else "".join(digit * 2 for digit in value[1:])
        alpha = int(digits[6:], 16) / 255 if len(digits) == 8 else 1.0
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)), alpha
    function = re.fullmatch(r"(rgb|hsl)a?\((.*)\)", value)
    if function is not None:
        parts = [part for part in re.split(r"[\s,/]+", function[2].strip()) if part]
        if len(parts) in (3, 4):
            opacity = _number(parts[3]) if len(parts) == 4 else 1.0
            if function[1] == "rgb":
                channels = [_channel(part) for part in parts[:3]]
            else:
                hue, light, saturation = _number(parts[0].removesuffix("deg")), _number(parts[2]), _number(parts[1])
                channels = (
                    [c * 255 for c in colorsys.hls_to_rgb(hue / 360, light, saturation)]
                    if hue is not None and light is not None and saturation is not None and "%" in parts[2]
                    else [None]
                )
            if opacity is not None and all(channel is not None for channel in channels):
                red, green, blue = (max(0, min(255, round(channel or 0))) for channel in channels)
                return (red, green, blue), opacity
    return (value, 1.0) if _KEYWORD.fullmatch(value) else None


def _channel(value: str) -> float | None:
    number = _number(value)
    return None if number is None else number * 255 if value.endswith("%") else number


def _same(colour: _Colour, paper: _Colour | None) -> bool:
    """Whether text of a colour cannot be told from the paper under it."""
    if paper is None:
        return False
    if isinstance(colour, tuple) and isinstance(paper, tuple):
        return all(abs(a - b) < _INDISTINCT for a, b in zip(colour, paper, strict=True))
    return colour == paper


def _current(style: dict[str, str], ink: _Ink) -> dict[str, str]:
    """The background properties with currentColor read as the element's own text colour."""
    if ink.clear:
        colour = "transparent"
    elif isinstance(ink.colour, tuple):
        colour = "#{:02x}{:02x}{:02x}".format(*ink.colour)
    else:
        colour = ink.colour
    return {
        name: value.replace("currentcolor", colour) if name in _BACKGROUNDS else value for name, value in style.items()
    }


def _paper(style: dict[str, str], under: _Colour | None) -> _Colour | None:
    """What an element's own background paints under its text: its colour when opaque (a gradient whose stops are
    all one opaque colour is that colour); None (any colour) for an image, another gradient or a half-transparent
    colour; what is under it when it paints nothing."""
    image = style.get("background-image", "").strip()
    shorthand = style.get("background", "")
    if (image and image != "none") or re.search(r"url\(|image\(|gradient\(", shorthand):
        layout = " ".join(style.get(name, "") for name in _LAYOUT)
        if "/" in shorthand or "no-repeat" in f"{shorthand} {layout}" or re.search(r"\d", layout):
            return None  # a gradient sized or placed to paint only part of the box
        return _gradient_colour(f"{image} {shorthand}")
    paints: tuple[_Colour, float] | None = None
    for word in _words(shorthand):
        found = _colour(word)
        if found is not None and (isinstance(found[0], tuple) or _transparent(word)):
            paints = found
    if "background-color" in style:
        paints = _colour(style["background-color"])
    if paints is None or _transparent(style.get("background-color", "")) or paints[1] <= _CLEAR:
        return under
    return paints[0] if paints[1] >= 1 else None


# the words of a gradient's first argument that place or shape it (not a colour stop)
_GRADIENT_WORDS = frozenset(
    "to left right top bottom center at circle ellipse closest-side closest-corner farthest-side farthest-corner "
    "from in srgb srgb-linear display-p3 oklab oklch lab lch hsl hwb xyz xyz-d50 xyz-d65 shorter longer "
    "increasing decreasing hue none".split()
)


def _gradient_colour(value: str) -> _Colour | None:
    """The colour of background images that are all gradients whose every stop is the same opaque colour (red,
    green and blue); None: any other image, or a gradient of several colours."""
    value = re.sub(r"\bnone\b", " ", value)
    colours: list[tuple[int, int, int]] = []
    rest, at = [], 0
    for start in (match.start() for match in re.finditer(r"[a-z-]*gradient\(", value)):
        if start < at:
            return None
        arguments, end = _arguments(value, value.index("(", start))
        if arguments is None:
            return None
        rest.append(value[at:start])
        at = end
        for index, argument in enumerate(arguments):
            stops = 0
            for word in _words(argument):
                if word in _GRADIENT_WORDS or _LENGTH.fullmatch(word):
                    continue  # a direction, a shape, a place
                found = _colour(word)
                if found is None or not isinstance(found[0], tuple) or found[1] < 1:
                    return None  # a colour not read, or not opaque
                colours.append(found[0])
                stops += 1
            if stops == 0 and index > 0:
                return None
    rest.append(value[at:])
    if not colours or re.search(r"url\(|image\(", "".join(rest)):
        return None
    return colours[0] if all(_same(colour, colours[0]) for colour in colours) else None


def _arguments(value: str, opening: int) -> tuple[list[str] | None, int]:
    """The comma-separated arguments of the function whose parenthesis opens at opening, and where it ends."""
    depth, start, arguments = 0, opening + 1, []
    for at in range(opening, len(value)):
        char = value[at]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                arguments.append(value[start:at])
                return arguments, at + 1
        elif char == "," and depth == 1:
            arguments.append(value[start:at])
            start = at + 1
    return None, len(value)


def _words(value: str) -> list[str]:
    """The words of a value, a function with its arguments as one."""
    return re.findall(r"[a-z-]+\([^()]*\)|[^\s()]+", value)


def _filter_opacity(value: str) -> float:
    opacity = 1.0
    for argument in re.findall(r"opacity\(([^()]*)\)", value):
        number = _number(argument) if argument.strip() else None
        if number is not None:
            opacity *= max(0.0, number)
    return opacity


def _scale(value: str) -> float:
    """How much a transform (or the scale property) shrinks an element: the smaller of its two sizes, in the
    product of its scaling functions and matrices; 1 when it does not."""
    value = value.strip()
    if not value or value == "none":
        return 1.0
    if "(" not in value:  # the scale property: one to three numbers
        sizes = _sizes(value.split())
        return min(sizes) if sizes else 1.0
    scale = 1.0
    for name, arguments in re.findall(r"([a-z0-9]+)\(([^()]*)\)", value):
        n = _sizes([part for part in re.split(r"[\s,]+", arguments.strip()) if part])
        if not n:
            continue
        if name == "scale":
            scale *= min(n[0], n[1] if len(n) > 1 else n[0])
        elif name in ("scalex", "scaley"):
            scale *= n[0]
        elif name == "scale3d" and len(n) == 3:
            scale *= min(n[0], n[1])
        elif name == "matrix" and len(n) == 6:
            scale *= min(math.hypot(n[0], n[1]), math.hypot(n[2], n[3]))
    return scale


def _sizes(parts: list[str]) -> list[float]:
    """The sizes of numbers (or percentages); none unless every part is one."""
    numbers = [abs(number) for number in map(_number, parts) if number is not None]
    return numbers if len(numbers) == len(parts) else []


def _zoom(value: str) -> float:
    number = _number(value)
    return 1.0 if number is None or number < 0 else number


def _transform_hides(value: str) -> bool:
    if not value:
        return False
    for name, arguments in re.findall(r"([a-z0-9]+)\(([^()]*)\)", value):
        numbers = [part for part in re.split(r"[\s,]+", arguments.strip()) if part]
        if name.startswith("translate") and any(_far_off(number) for number in numbers):
            return True
        if name in ("translate", "translatex", "translate3d") and numbers and _off_screen("left", numbers[0]):
            return True
    return False


def _clip_hides(clip: str, clip_path: str) -> bool:
    """Whether clip or clip-path leave nothing of an element: a rectangle, inset, circle or ellipse of no size, a
    polygon of no area."""
    if clip.startswith("rect("):
        edges = [_pixels(part) for part in re.split(r"[\s,]+", clip[5:].rstrip(")").strip()) if part]
        if len(edges) == 4 and all(edge is not None for edge in edges):
            top, right, bottom, left = (edge or 0.0 for edge in edges)
            if right - left < _TINY or bottom - top < _TINY:
                return True
    shape = re.fullmatch(r"([a-z]+)\((.*)\)(?:\s+[a-z-]+)?", clip_path.strip())
    if shape is None:
        return False
    name, arguments = shape[1], shape[2]
    if name == "inset":
        sides = [_percent(part) for part in arguments.split(" round ")[0].split()]
        if not 1 <= len(sides) <= 4:
            return False
        top, right, bottom, left = _four(sides)
        return top + bottom >= 100 or left + right >= 100
    if name in ("circle", "ellipse"):
        radii = arguments.split(" at ")[0].split()
        return any(_pixels(radius) == 0 for radius in radii)
    if name == "polygon":
        points = [point.split() for point in arguments.split(",")]
        if points and len(points[0]) == 1 and points[0][0] in ("nonzero", "evenodd"):
            points = points[1:]
        corners = [(_coordinate(point[0]), _coordinate(point[1])) for point in points if len(point) == 2]
        if len(corners) != len(points) or any(x is None or y is None for x, y in corners):
            return False
        area = sum(
            (x1 or 0.0) * (y2 or 0.0) - (x2 or 0.0) * (y1 or 0.0)
            for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True)
        )
        return abs(area) / 2 < _TINY
    return False


def _percent(value: str) -> float:
    """An inset in percent of the box; a length counts as nothing (the box's size is not known)."""
    return _number(value) * 100 if value.endswith("%") and _number(value) is not None else 0.0  # type: ignore[operator]


def _four(sides: list[float]) -> tuple[float, float, float, float]:
    """top, right, bottom, left of one to four values, as CSS expands them."""
    top = sides[0]
    right = sides[1] if len(sides) > 1 else top
    bottom = sides[2] if len(sides) > 2 else top
    left = sides[3] if len(sides) > 3 else right
    return top, right, bottom, left


def _coordinate(value: str) -> float | None:
    """A polygon's coordinate in pixels, a percentage of a box of a hundred pixels."""
    if value.endswith("%"):
        number = _number(value)
        return None if number is None else number * 100
    return _pixels(value)


# --- style sheets -----------------------------------------------------------------------------------------------

_TOO_MANY_RULES = (
    "网页的样式规则过多（每个元素要对照的规则累计超过上限），不是正常的文档，可能是恶意构造的文件，已拒绝导入，"
    "其他文件照常导入；如确为正常文件，请另存为纯文本后再导入"
)
_MOST_CHECKS = 20_000_000  # rule checks per page: seconds, a fraction of what parsing such a page takes
_SELECTOR_CHECK = 100  # a check by the selector engine costs about as much time as this many of the loader's own
_MOST_SELECTOR_SECONDS = 10.0  # matching the selectors that look around an element: a normal page takes under one
_NAME = r"(?:[^\s.#>+~:\[\]()\"',*{}|=\\]|\\.)+"
_COMPOUND = re.compile(rf"(\*|{_NAME})?((?:[.#]{_NAME})*)")
_PART = re.compile(rf"([.#])({_NAME})")
_PSEUDO_ELEMENT = re.compile(r"::|:(?:before|after|first-line|first-letter|marker|placeholder|selection)\b")
_PSEUDO_CLASS = re.compile(r"(?<![:\\]):([a-z-]+)")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
# the pseudo-classes the selector engine decides from the page alone; any other follows what the reader does
# (hover, focus, a checked box, the target of a link...) or is not known
_STATIC = frozenset(
    "not is where matches has nth-child nth-last-child nth-of-type nth-last-of-type first-child last-child "
    "only-child first-of-type last-of-type only-of-type root empty lang dir link any-link enabled disabled "
    "required optional read-only read-write defined scope".split()
)


class _TooManyRules(Exception):
    """A page whose elements, together, are checked against too many style rules."""


@dataclass
class _Rule:
    tag: str | None
    ids: frozenset[str]
    classes: frozenset[str]
    rank: tuple[int, int, int, int]  # specificity (ids, classes, tags), then order in the sheets
    style: dict[str, tuple[str, bool]]  # property -> (value, !important)
    selector: str = ""  # for the selector engine (soupsieve): one that looks beyond the element's tag, id, class
    compiled: Any = None  # soupsieve's, compiled when first needed; False: a selector it cannot read
    matched: set[int] | None = None  # the ids of the elements of a whole page it matches, found beforehand

    def matches(self, name: str, ids: frozenset[str], classes: frozenset[str]) -> bool:
        return (self.tag is None or self.tag == name) and self.ids <= ids and self.classes <= classes


@dataclass
class _Sheet:
    """The rules of a page's style sheets that can hide or show an element, by a key of the element's (#id, .class,
    @attribute, tag or *). A selector of tag, ids and classes is matched here; any other by the selector engine
    (BeautifulSoup's soupsieve) on the element in its tree: attributes, :not(), descendants, siblings, structural
    pseudo-classes. A selector that depends on what the reader does (:hover, :focus, :checked, :target...) never
    hides: what it may show is noted for the keys of its subject, with its precedence, and an element with such a
    key keeps those properties from the rules it matches that the noted one would override (what it may show
    stays in). A selector nothing can read is left out, as a browser leaves it out."""

    css: Iterable[str] = ()
    rules: dict[str, list[_Rule]] = field(default_factory=dict)
    loose: dict[str, dict[str, tuple[Any, ...]]] = field(default_factory=dict)  # property -> key -> best rank
    checks: int = field(default_factory=lambda: _MOST_CHECKS)
    selected: bool = False  # some rule is for the selector engine: the tree's attributes are matched in lower case
    deadline: float = 0.0

    def __post_init__(self) -> None:
        order = 0
        for text in self.css:
            for selectors, body in _style_rules(_css(text)):
                style = {
                    name: value
                    for name, value in _declarations(body).items()
                    if name in _PROPERTIES or name.startswith("--")
                }
                if not style:
                    continue
                for selector in _top_level_split(selectors):
                    order += 1
                    self._add(selector.strip(), style, order)
        self.css = ()

    @property
    def empty(self) -> bool:
        return not self.rules and not self.loose

    def _add(self, selector: str, style: dict[str, tuple[str, bool]], order: int) -> None:
        simple = _COMPOUND.fullmatch(selector)
        if simple is not None and selector:
            tag, ids, classes = _parts(simple)
            rule = _Rule(tag, ids, classes, (len(ids), len(classes), int(tag is not None), order), style)
            key = next(iter(sorted(ids)), None) or next(iter(sorted(classes)), None) or tag or "*"
            self.rules.setdefault(key, []).append(rule)
            return
        subject = _subject(selector)
        if not subject or _PSEUDO_ELEMENT.search(subject):
            return  # styles generated content, not the element
        prefix = _COMPOUND.match(subject)
        tag, ids, classes = _parts(prefix) if prefix is not None else (None, frozenset(), frozenset())
        # a subject known by its attributes ([hidden], [data-x=y]) is an element that has them
        attributes = frozenset(f"@{a}" for a in _ATTRIBUTE.findall(_unbracketed(subject)))
        rank = (*_specificity(selector), order)
        if any(pseudo not in _STATIC for pseudo in _PSEUDO_CLASS.findall(_QUOTED.sub("", selector))):
            keys = ids or classes or attributes or frozenset([tag] if tag else [])
            pointed = _POINTER_STATE.search(subject) is not None
            for name, (value, important) in style.items():
                shown, ink = _shown({name: value}, _SEEN)
                if not shown or not ink.seen:
                    continue  # it hides, or takes ink away: it cannot set back what a matched rule hides
                if pointed and name in ("display", "visibility"):
                    continue  # an element not shown cannot be pointed at or focused (*:hover{display:block})
                noted = self.loose.setdefault(name, {})
                for key in keys:
                    noted[key] = max(noted.get(key, (False, False, (-1,))), (important, False, rank))
            return
        key = min(ids, default=None) or min(classes, default=None) or min(attributes, default=None) or tag or "*"
        self.rules.setdefault(key, []).append(_Rule(tag, ids, classes, rank, style, selector))
        self.selected = True

    def matching(self, name: str, attrs: Mapping[str, Any], element: Tag | None = None) -> list[_Rule]:
        ids, classes = _keys(attrs)
        found: list[_Rule] = []
        keys = ("*", name, *ids, *classes, *(f"@{a}" for a in attrs)) if self.selected else ("*", name, *ids, *classes)
        for key in keys:
            for rule in self.rules.get(key, ()):
                self.checks -= 1
                if not rule.selector:
                    selected = rule.matches(name, ids, classes)
                elif rule.matched is not None:
                    selected = element is not None and id(element) in rule.matched
                else:
                    self.checks -= _SELECTOR_CHECK
                    selected = self._selects(rule, [element] if element is not None else [])
                if selected:
                    found.append(rule)
        if self.checks < 0:
            raise _TooManyRules
        return found

    def select(self, root: BeautifulSoup) -> None:
        """Match the rules for the selector engine on a whole page at once, each on the elements that have its key
        (soupsieve then counts siblings and looks at ancestors once for all of them, not once for each)."""
        elements: dict[str, list[Tag]] = {"*": []}
        for element in root.find_all(True):
            elements["*"].append(element)
            ids, classes = _keys(element.attrs)
            for key in (element.name, *ids, *classes, *(f"@{a}" for a in element.attrs)):
                elements.setdefault(key, []).append(element)
        for key, rules in self.rules.items():
            for rule in rules:
                if rule.selector:
                    self.checks -= _SELECTOR_CHECK * len(elements.get(key, ()))
                    if self.checks < 0:
                        raise _TooManyRules
                    rule.matched = {id(element) for element in self._matches(rule, elements.get(key, []))}

    def _selects(self, rule: _Rule, elements: list[Tag]) -> bool:
        return bool(self._matches(rule, elements))

    def _matches(self, rule: _Rule, elements: list[Tag]) -> list[Tag]:
        """The elements a rule's selector matches, within the time the page may take."""
        if not elements:
            return []
        if not self.deadline:
            self.deadline = time.monotonic() + _MOST_SELECTOR_SECONDS
        if rule.compiled is None:
            try:
                rule.compiled = soupsieve.compile(rule.selector)
            except Exception:  # noqa: BLE001 - a selector soupsieve cannot read (or too deeply nested): never matches
                rule.compiled = False
        found = rule.compiled.filter(elements) if rule.compiled else []
        if time.monotonic() > self.deadline:
            raise _TooManyRules
        return found

    def computed(
        self,
        name: str,
        attrs: Mapping[str, Any],
        rules: list[_Rule],
        inline: str,
        hints: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """The value of each property that counts, by the cascade (!important, inline style, specificity, order;
        presentational attributes under every rule)."""
        best: dict[str, tuple[tuple[Any, ...], str]] = {
            prop: ((False, False, (-1,)), value) for prop, value in (hints or {}).items()
        }
        for rule in rules:
            for prop, (value, important) in rule.style.items():
                rank = (important, False, rule.rank)
                if prop not in best or rank > best[prop][0]:
                    best[prop] = (rank, value)
        if self.loose and best:
            ids, classes = _keys(attrs)
            keys = {name, *ids, *classes, *(f"@{a}" for a in attrs)}
            for prop in list(best):
                noted = self.loose.get(prop)
                if noted and any(noted.get(key, (False,)) >= best[prop][0] for key in keys):
                    del best[prop]  # a rule that may apply, not matched, may set it back
        if inline:
            for prop, (value, important) in _declarations(_css(inline)).items():
                rank = (important, True, (0, 0, 0, 0))
                if prop not in best or rank > best[prop][0]:
                    best[prop] = (rank, value)
        return {prop: value for prop, (_, value) in best.items()}


_NO_SHEET = _Sheet()
_ATTRIBUTE = re.compile(r"\[\s*([a-z0-9_:-]+)")
_POINTER_STATE = re.compile(r":(?:hover|focus|focus-visible|focus-within|active)\b")


def _top_level_split(selectors: str) -> list[str]:
    """The selectors of a list, split at the commas outside brackets (not those of :is(.a, .b))."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(selectors):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(selectors[start:at])
            start = at + 1
    parts.append(selectors[start:])
    return parts


def _subject(selector: str) -> str:
    """The last compound of a selector, after its last combinator outside brackets and quotes."""
    depth, start, quote = 0, 0, ""
    for at, char in enumerate(selector):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and char in " \t\r\n\f>+~":
            start = at + 1
    return selector[start:]


def _unbracketed(compound: str) -> str:
    """A compound without what its functional pseudo-classes hold (the [x] of :not([x]) is not the subject's)."""
    kept, depth = [], 0
    for char in compound:
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


_SPECIFIC = re.compile(rf"#{_NAME}|\.{_NAME}|\[[^\]]*\]|::?[a-z-]+\(?|{_NAME}|[(),]")
_BY_ARGUMENT = frozenset(["is", "not", "has", "matches"])  # count as their most specific argument


def _specificity(selector: str) -> tuple[int, int, int]:
    """(ids, classes, tags) of a selector as CSS counts them: :is(), :not() and :has() as their most specific
    argument, :where() as nothing, :nth-child(An+B of S) as a class and S. One pass with a stack of its own."""
    stack: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = []
    kind, best, now = "", (0, 0, 0), (0, 0, 0)
    for match in _SPECIFIC.finditer(_QUOTED.sub('""', selector)):
        token = match[0]
        if token.endswith("("):
            name = token.lstrip(":")[:-1]
            own = (0, 0, 1) if token.startswith("::") else (0, 0, 0) if name in _BY_ARGUMENT | {"where"} else (0, 1, 0)
            stack.append((kind, best, _plus(now, own)))
            kind = "list" if name in _BY_ARGUMENT else "nth" if name.startswith("nth-") else "none"
            best, now = (0, 0, 0), (0, 0, 0)
        elif token == ")":
            if stack:
                inner = max(best, now) if kind == "list" else (0, 0, 0)
                kind, best, now = stack.pop()
                now = _plus(now, inner)
        elif token == ",":
            best, now = max(best, now), (0, 0, 0)
        elif kind == "nth" and token == "of":
            kind, now = "list", (0, 0, 0)
        elif kind in ("none", "nth") or token == "(":
            continue
        elif token.startswith("#"):
            now = _plus(now, (1, 0, 0))
        elif token.startswith("::"):
            now = _plus(now, (0, 0, 1))
        elif token.startswith((".", "[", ":")):
            now = _plus(now, (0, 1, 0))
        else:
            now = _plus(now, (0, 0, 1))
    return max(best, now)


def _plus(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _lowered(root: Tag) -> None:
    """Put the attribute values of the elements under root in lower case, as the style sheets are read (class, id
    and attribute selectors are matched without case, as in the quirks mode of most pages). No text changes."""
    for element in root.find_all(True):
        for name, value in element.attrs.items():
            if isinstance(value, list):
                value[:] = [str(v).lower() for v in value]
            else:
                element.attrs[name] = str(value).lower()


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


# @import url("x.css") screen; @import 'x.css';
_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*)?(?P<q>["']?)(?P<href>[^"')\s;]*)(?P=q)\s*\)?(?P<media>[^;{}]*);?""", re.IGNORECASE
)
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)  # http:, data:, file:, C: (another drive)
_SHEET_DEPTH = 4  # sheets importing sheets: how deep they are followed
_SHEETS_MAX_BYTES = 4_000_000  # the local sheets one page may read, in all

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
        if sheet.selected:  # the whole tree first: a selector may look at what follows an element (:last-child)
            builder = _Scanner(markup, _NO_SHEET, build=True)
            builder.feed(markup)
            builder.close()
            if builder.tree is not None:
                sheet.select(builder.tree)
            scanner.made = iter(builder.elements)
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

    def __init__(self, markup: str, sheet: _Sheet, build: bool = False):
        super().__init__(convert_charrefs=False)  # data events at their places in the markup
        self.markup = markup
        self.starts = [0] + [match.end() for match in re.finditer("\n", markup)]  # offset of each line
        self.sheet = sheet
        self.stack: list[tuple[str, bool, _Ink, Tag | None]] = []  # open elements: name, not hidden, ink, element
        # build: the elements as a tree, for the selectors that look around an element (made: those of a tree built
        # before, one for each start tag)
        self.tree = BeautifulSoup("", "html.parser") if build else None
        self.elements: list[Tag] = []
        self.made: Iterator[Tag] | None = None
        self.last: Any = self.tree  # the element made last
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
        for name, *_ in self.stack[index:]:
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
        around_shown, around = self.stack[-1][1:3] if self.stack else (True, _SEEN)
        values = {name: value or "" for name, value in attrs}
        element = self._element(tag, values)
        shown, ink = sight(tag, values, self.sheet, around, element)
        self.stack.append((tag, shown and around_shown, ink, element))
        self.open[tag] = self.open.get(tag, 0) + 1
        self._moved(at, end)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._offset()
        end = at + len(self.get_starttag_text() or "")
        self._end_implied(at, tag)
        around_shown, around = self.stack[-1][1:3] if self.stack else (True, _SEEN)
        values = {name: value or "" for name, value in attrs}
        shown, _ = sight(tag, values, self.sheet, around, self._element(tag, values))
        if self.seen and not shown:
            self.spans.append((at, end))

    def _element(self, tag: str, attrs: dict[str, str]) -> Tag | None:
        """The element in the tree (None: no selector needs the tree)."""
        if self.made is not None:
            return next(self.made, None)
        if self.tree is None:
            return None
        element = self.tree.new_tag(tag, attrs={name: value.lower() for name, value in attrs.items()})
        parent = (self.stack[-1][3] if self.stack else None) or self.tree
        # linked by hand, in constant time (Tag.append looks for what follows among the ancestors: quadratic on
        # deep nesting); the tree holds only elements, made in document order
        if parent.contents:
            parent.contents[-1].next_sibling, element.previous_sibling = element, parent.contents[-1]
        parent.contents.append(element)
        element.parent = parent
        self.last.next_element, element.previous_element = element, self.last
        self.last = element
        self.elements.append(element)
        return element

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
