"""Word (.docx) files: python-docx opens the package, and the body's XML is then read once, in document order. Heading
styles become Markdown headings; each table row becomes one line of its cells' text (a table nested in a cell: its
rows as lines of the cell). Runs inside tracked insertions, content controls, smart tags, simple fields, custom XML
and the shown branch of an mc:AlternateContent are read; deleted text is not. A text box's paragraphs follow the
paragraph that anchors it; the footnotes and endnotes the body refers to come at the end. Text Word does not show
(hidden by direct formatting or by a style, a font of 2 points or less, text the colour of what is painted under it:
its highlight, its shading, the paragraph's, the cell's, the table's or the page) is left out."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.parser import parse_xml
from docx.styles import BabelFish

from ingest.encoding import other_format, renamed, web_page
from ingest.errors import OverLimit, UnreadableFile
from ingest.loaders.limits import LoadLimits, check_zip

# Compound-file container: .doc files, and .docx files saved with an open password (encrypted)
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_HEADING_LEVEL = re.compile(r"(?:Heading|标题)\s*(\d)", re.IGNORECASE)


def _heading_level(style_name: str) -> int | None:
    if style_name in ("Title", "标题"):
        return 1
    match = _HEADING_LEVEL.search(style_name)
    return int(match.group(1)) if match else None


_DAMAGED = (
    "Word 文档内部的内容已损坏（XML 格式错误或缺少部件），无法解析；请在 Word 中打开，如能打开请另存为 .docx 后再导入"
)


def load_docx(path: Path, limits: LoadLimits | None = None) -> str:
    limits = limits or LoadLimits()
    # a zip bomb, or a package of millions of XML elements, is refused before python-docx unpacks or parses anything
    check_zip(path, limits, max_elements=limits.docx_max_elements)
    try:
        document = docx.Document(str(path))
    except (FileNotFoundError, IsADirectoryError, PermissionError, MemoryError, RecursionError):
        raise  # load_file says what happened to the file (and that memory ran out: no sign of damage)
    except Exception as exc:  # noqa: BLE001 - python-docx raises what its zip and XML layers raise
        _beyond_parser(path, exc)
        if not path.exists():
            raise FileNotFoundError(path) from None  # gone since the walk: reported as such by load_file
        with open(path, "rb") as handle:
            head = handle.read(2048)
        if head.startswith(_OLE_SIGNATURE):
            raise UnreadableFile(
                path,
                "这是旧版 Word 文档（.doc）或设置了打开密码的文档：请在 Word 中去掉密码、另存为 .docx 后再导入",
            ) from None
        if not zipfile.is_zipfile(path):
            # another type renamed (a zip's signature is a damaged .docx's own: not another type)
            other = None if head.startswith(b"PK") else other_format(head) or web_page(head, path.suffix)
            if other is not None:
                raise UnreadableFile(path, renamed(other, path.suffix)) from None
            raise UnreadableFile(
                path,
                "不是有效的 Word 文档（.docx），文件可能已损坏或被截断；如是旧版 .doc 文件，"
                "请用 Word 另存为 .docx 后再导入",
            ) from None
        if not _has_word_body(path):
            raise UnreadableFile(
                path,
                "不是 Word 文档：文件是压缩包，但其中没有 Word 正文（可能是改了扩展名的 .zip "
                "或 Excel 文件）；请确认文件类型后重新导入",
            ) from None
        raise UnreadableFile(path, _DAMAGED) from exc
    try:
        return _document_text(document)
    except (MemoryError, RecursionError):
        raise  # load_file's own reasons: running out of memory is no sign of a damaged file
    except Exception as exc:  # noqa: BLE001 - a part python-docx reads lazily (a table, a style) is malformed
        _beyond_parser(path, exc)
        raise UnreadableFile(path, _DAMAGED) from exc


# libxml2's error codes (xmlParserErrors; lxml's etree.ErrorTypes) for running out of memory and for its own limits
_XML_ERR_NO_MEMORY = 2
_XML_ERR_RESOURCE_LIMIT = 114


def _beyond_parser(path: Path, exc: Exception) -> None:
    """libxml2 running out of memory (its error 'unknown error') or past its own limits (nesting over 256 levels, a
    text node over 10 MB) is no sign of a damaged file: MemoryError (load_file says memory ran out), or a refusal
    saying the document is too complex. Returns when exc is another error."""
    code = getattr(exc, "code", None) if isinstance(exc, SyntaxError) else None  # lxml's XMLSyntaxError
    if code == _XML_ERR_NO_MEMORY:
        raise MemoryError from None
    if code == _XML_ERR_RESOURCE_LIMIT:
        raise OverLimit(
            path,
            "Word 文档的结构过于复杂（嵌套超过 256 层，或一处文字超过 10 MB），无法解析，已拒绝导入，"
            "其他文件照常导入；请在 Word 中打开，简化格式或拆分后另存为 .docx 再导入",
        ) from None


def _has_word_body(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as package:
            return any(name.lower().startswith("word/document") for name in package.namelist())
    except Exception:  # noqa: BLE001 - a central directory zipfile cannot read
        return True


def _document_text(document) -> str:
    reader = _Reader(document.styles.element, document.element, _Palette(_theme_colours(document.part)))
    lines = reader.blocks(document.element.body)
    # the footnotes and endnotes a shown run of the body refers to, at the end, in the order they are referred to
    notes = {kind: _notes(document.part, kind) for kind in {kind for kind, _ in reader.references}}
    seen: set[tuple[str, str]] = set()
    for reference in reader.references:
        if reference in seen:
            continue
        seen.add(reference)
        note = notes[reference[0]].get(reference[1])
        if note is not None:
            lines.extend(reader.blocks(note))
    return "\n\n".join(lines)


def _notes(part, kind: str) -> dict[str, object]:
    """The footnotes or endnotes part (through the document's relationships): note id -> its w:footnote or
    w:endnote; the separator notes (w:type set: the line above the notes, its continuation) are no text."""
    reltype, tag = _NOTE_PARTS[kind]
    for relationship in part.rels.values():
        if relationship.reltype != reltype or relationship.is_external:
            continue
        try:
            root = parse_xml(relationship.target_part.blob)
        except (SyntaxError, ValueError):  # lxml's XMLSyntaxError is a SyntaxError
            return {}  # a damaged notes part: the body is still read
        return {str(note.get(_ID)): note for note in root.iterchildren(tag) if note.get(_TYPE) in (None, "normal")}
    return {}


# --- the WordprocessingML read here (names resolved once; lxml compares tags as strings) -------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


_P, _TBL, _TR, _TC, _R, _HYPERLINK = (_w(n) for n in ("p", "tbl", "tr", "tc", "r", "hyperlink"))
_PPR, _RPR, _TCPR, _TBLPR = (_w(n) for n in ("pPr", "rPr", "tcPr", "tblPr"))
_PSTYLE, _RSTYLE, _TBLSTYLE, _BASED_ON = (_w(n) for n in ("pStyle", "rStyle", "tblStyle", "basedOn"))
_VANISH, _COLOR, _SZ, _HIGHLIGHT, _SHD = (_w(n) for n in ("vanish", "color", "sz", "highlight", "shd"))
_SPEC_VANISH, _SCALE, _SPACING = _w("specVanish"), _w("w"), _w("spacing")
_FLD_CHAR, _FLD_CHAR_TYPE = _w("fldChar"), _w("fldCharType")
_DEFAULT_HALF_POINTS = 21  # a run whose size no level sets: Word's body text for Chinese (五号, 10.5 pt)
_NARROW_PERCENT = 10  # w:w (character width in per cent) this low squeezes a line into a hairline
_VMERGE, _HMERGE, _BACKGROUND, _GRID_SPAN = _w("vMerge"), _w("hMerge"), _w("background"), _w("gridSpan")
_TBL_STYLE_PR, _TBL_LOOK = _w("tblStylePr"), _w("tblLook")
_ROW_BAND_SIZE, _COL_BAND_SIZE = _w("tblStyleRowBandSize"), _w("tblStyleColBandSize")
_T, _TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN = (_w(n) for n in ("t", "tab", "ptab", "br", "cr", "noBreakHyphen"))
_VAL, _TYPE, _FILL = _w("val"), _w("type"), _w("fill")
_STYLE, _STYLE_ID, _DEFAULT, _NAME = _w("style"), _w("styleId"), _w("default"), _w("name")
_RPR_DEFAULT = f"{_w('docDefaults')}/{_w('rPrDefault')}/{_RPR}"
_SDT, _SDT_CONTENT = _w("sdt"), _w("sdtContent")
_ID, _TXBX_CONTENT = _w("id"), _w("txbxContent")
_FOOTNOTE_REFERENCE, _ENDNOTE_REFERENCE = _w("footnoteReference"), _w("endnoteReference")
_NOTE_PARTS = {
    _FOOTNOTE_REFERENCE: (RELATIONSHIP_TYPE.FOOTNOTES, _w("footnote")),
    _ENDNOTE_REFERENCE: (RELATIONSHIP_TYPE.ENDNOTES, _w("endnote")),
}
# Markup compatibility: of an mc:AlternateContent Word shows one branch, the first mc:Choice it understands (the
# Fallback repeats it for older readers), else the Fallback (_shown_branch)
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_ALTERNATE, _CHOICE, _FALLBACK = (f"{{{_MC}}}{n}" for n in ("AlternateContent", "Choice", "Fallback"))
_WPS_SHAPE_PROPERTIES = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}spPr"
_SOLID_RGB = f"{{{_A}}}solidFill/{{{_A}}}srgbClr"
_GALLERY = f"{_w('sdtPr')}/{_w('docPartObj')}/{_w('docPartGallery')}"
# Elements that wrap content Word shows as it stands: content controls (w:sdt, read through w:sdtContent), custom
# XML, and around runs tracked insertions and moves' destinations, smart tags, simple fields (their result),
# hyperlinks and bidirectional embeddings. Deleted text (w:del, w:moveFrom) is in none of them: it is not read.
_BLOCK_WRAPPERS = frozenset([_w("customXml")])
_RUN_WRAPPERS = frozenset(
    _w(n) for n in ("hyperlink", "ins", "moveTo", "smartTag", "fldSimple", "customXml", "dir", "bdo")
)

_OFF = frozenset(["0", "false", "off"])  # ST_OnOff's "no"; any other value (or none) is "yes"
_TINY_HALF_POINTS = 4  # w:sz is in half-points: 2 pt or less is a line no reader can make out
# Text whose red, green and blue each differ by less than this from the colour painted under it cannot be told from
# it (white text, F0F0F0 or lighter, on a white page was the first case)
_SAME_COLOUR = 0x10
_MEASURE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in|pc|pi)?\s*", re.IGNORECASE)
_HALF_POINTS_PER = {None: 1.0, "pt": 2.0, "mm": 144 / 25.4, "cm": 1440 / 25.4, "in": 144.0, "pc": 24.0, "pi": 24.0}

_Rgb = tuple[int, int, int]
_BLACK: _Rgb = (0, 0, 0)
_WHITE: _Rgb = (255, 255, 255)
_AUTO = "auto"  # automatic text colour: Word paints it black or white, whichever stands out from what is under it
_HIGHLIGHTS: dict[str, _Rgb] = {
    name.lower(): (int(rgb[:2], 16), int(rgb[2:4], 16), int(rgb[4:], 16))
    for name, rgb in {
        "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF",
        "red": "FF0000", "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080",
        "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
        "darkGray": "808080", "lightGray": "C0C0C0",
    }.items()
}  # fmt: skip
# WordprocessingML's theme colour names -> the theme's colour scheme slots (Word's default colour mapping)
_THEME_SLOTS = {
    "dark1": "dk1", "text1": "dk1", "light1": "lt1", "background1": "lt1", "dark2": "dk2", "text2": "dk2",
    "light2": "lt2", "background2": "lt2", "hyperlink": "hlink", "followedhyperlink": "folHlink",
    **{f"accent{i}": f"accent{i}" for i in range(1, 7)},
}  # fmt: skip
_SYSTEM_COLOURS = {"windowtext": "000000", "window": "FFFFFF"}
_THEME_FALLBACK = {"dk1": _BLACK, "lt1": _WHITE}  # dark 1 and light 1 are black and white in Word's own themes


def _rgb(value: str | None) -> _Rgb | None:
    """A colour written as six hex digits; None for "auto" or anything Word would not read as a colour."""
    if value is None or len(value) != 6:
        return None
    try:
        number = int(value, 16)
    except ValueError:
        return None
    return (number >> 16, (number >> 8) & 0xFF, number & 0xFF)


def _byte(value: str | None) -> int | None:
    """A theme tint or shade: two hex digits, 00 to FF."""
    if value is None or len(value) != 2:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


def _theme_colours(part) -> dict[str, _Rgb]:
    """The colour scheme of the document's theme (word/theme/theme1.xml), slot name ("dk1", "accent1") -> colour;
    empty without a readable theme (dark 1 and light 1 then fall back to black and white)."""
    for relationship in part.rels.values():
        if relationship.reltype != RELATIONSHIP_TYPE.THEME or relationship.is_external:
            continue
        try:
            scheme = parse_xml(relationship.target_part.blob).find(f".//{{{_A}}}clrScheme")
        except (SyntaxError, ValueError):  # lxml's XMLSyntaxError is a SyntaxError
            return {}  # a damaged theme: black and white for dark 1 and light 1, the written value for the others
        colours: dict[str, _Rgb] = {}
        for slot in () if scheme is None else scheme:
            if not isinstance(slot.tag, str):
                continue
            for kind in slot:
                name = kind.tag.rpartition("}")[2] if isinstance(kind.tag, str) else ""
                value = kind.get("val") if name == "srgbClr" else None
                if name == "sysClr":
                    value = kind.get("lastClr") or _SYSTEM_COLOURS.get(str(kind.get("val")).lower())
                colour = _rgb(value)
                if colour is not None:
                    colours[slot.tag.rpartition("}")[2]] = colour
                break
        return colours
    return {}


@dataclass(frozen=True)
class _Paint:
    """What a w:shd or a w:highlight lays under the text: a pattern colour covering part of the area (cover, 0 to 1)
    over a fill; no fill (auto) lets what is below show through."""

    pattern: _Rgb | None = None
    cover: float = 0.0
    fill: _Rgb | None = None

    def on(self, below: _Rgb) -> _Rgb:
        """The colour seen where this is painted over `below` (a pattern mixes its colour with the fill)."""
        fill = below if self.fill is None else self.fill
        if self.pattern is None or self.cover <= 0:
            return fill
        cover = min(self.cover, 1.0)
        return (
            round(self.pattern[0] * cover + fill[0] * (1 - cover)),
            round(self.pattern[1] * cover + fill[1] * (1 - cover)),
            round(self.pattern[2] * cover + fill[2] * (1 - cover)),
        )


# The attributes giving a colour: its written value, and the theme colour, tint and shade Word paints instead
_TEXT_COLOUR = (_VAL, _w("themeColor"), _w("themeTint"), _w("themeShade"))  # w:color
_PATTERN_COLOUR = (_COLOR, _w("themeColor"), _w("themeTint"), _w("themeShade"))  # w:shd's pattern, w:background
_FILL_COLOUR = (_FILL, _w("themeFill"), _w("themeFillTint"), _w("themeFillShade"))  # w:shd's fill
_CLEAR = _Paint()  # w:shd w:val="nil", w:highlight w:val="none": nothing painted
_PERCENT_PATTERN = re.compile(r"pct(\d+)")


class _Palette:
    """Colours as Word paints them: theme colours (w:themeColor, with their tint or shade) over the written value."""

    def __init__(self, theme: dict[str, _Rgb]) -> None:
        self._theme = {**_THEME_FALLBACK, **theme}

    def colour(self, element, attributes: tuple[str, str, str, str]) -> _Rgb | None:
        """The colour an element's attributes (value, theme colour, theme tint, theme shade) give; None for "auto"."""
        value, theme, tint, shade = attributes
        slot = _THEME_SLOTS.get(str(element.get(theme, "")).lower())
        found = self._theme.get(slot) if slot is not None else None
        if found is None:
            return _rgb(element.get(value))
        tinted, shaded = _byte(element.get(tint)), _byte(element.get(shade))
        if tinted is not None:  # a tint moves the colour towards white, a shade towards black
            share = tinted / 255
            found = (
                round(found[0] * share + 255 * (1 - share)),
                round(found[1] * share + 255 * (1 - share)),
                round(found[2] * share + 255 * (1 - share)),
            )
        if shaded is not None:
            share = shaded / 255
            found = (round(found[0] * share), round(found[1] * share), round(found[2] * share))
        return found

    def text(self, element) -> _Rgb | str:
        """A w:color: the colour of the text, or _AUTO."""
        found = self.colour(element, _TEXT_COLOUR)
        return _AUTO if found is None else found

    def shading(self, shading) -> _Paint | None:
        """A w:shd: what it paints under the text; None when not set here."""
        if shading is None:
            return None
        pattern = str(shading.get(_VAL, "clear")).lower()
        if pattern == "nil":
            return _CLEAR
        fill = self.colour(shading, _FILL_COLOUR)
        if pattern == "clear":  # the fill colour alone
            return _Paint(fill=fill)
        colour = self.colour(shading, _PATTERN_COLOUR) or _BLACK  # "auto" is black
        percent = _PERCENT_PATTERN.fullmatch(pattern)
        # solid: the pattern colour covers the fill; pctN: N per cent of it; a hatch mixes the two about evenly
        cover = 1.0 if pattern == "solid" else int(percent.group(1)) / 100 if percent else 0.5
        return _Paint(colour, cover, fill)

    def page(self, background) -> _Rgb:
        """The page colour (w:background), white when none is set."""
        if background is None:
            return _WHITE
        return self.colour(background, _PATTERN_COLOUR) or _WHITE


def _unseen(colour: _Rgb | str | None, under: _Rgb) -> bool:
    """Whether text of this colour cannot be told from the colour under it (automatic colour always can)."""
    if not isinstance(colour, tuple):
        return False
    return all(abs(colour[i] - under[i]) < _SAME_COLOUR for i in (0, 1, 2))


def _style_id(properties, tag: str) -> str | None:
    if properties is None:
        return None
    reference = properties.find(tag)
    return None if reference is None else reference.get(_VAL)


def _on(element) -> bool | None:
    """An on/off property (w:vanish): None when it is not set here."""
    if element is None:
        return None
    return str(element.get(_VAL, "true")).strip().lower() not in _OFF


def _half_points(size) -> int | None:
    if size is None:
        return None
    match = _MEASURE.fullmatch(str(size.get(_VAL, "")))
    if match is None:
        return None  # a value Word would not accept: leave the size to the styles
    unit = match.group(2).lower() if match.group(2) else None
    return int(min(float(match.group(1)) * _HALF_POINTS_PER[unit], _LARGEST_SIZE))  # "9" * 400 is inf: no int


_LARGEST_SIZE = 2**31  # half-points; any size this large is simply large


def _number(element, default: int) -> int:
    """A w:val that is a whole number (a band size, a span), or the default."""
    if element is None:
        return default
    value = str(element.get(_VAL, "")).strip()
    return int(value) if value.isascii() and value.isdigit() else default


@dataclass(frozen=True)
class _Format:
    """What one set of run properties (direct formatting, or a style with its basedOn chain) says about whether its
    text can be seen; None where the set says nothing and the next level decides."""

    vanish: bool | None = None  # w:vanish: hidden text
    colour: _Rgb | str | None = None  # the font colour, or _AUTO
    size: int | None = None  # font size in half-points
    highlight: _Paint | None = None  # a highlight colour behind the text
    shading: _Paint | None = None  # run shading behind the text
    spacing: int | None = None  # w:spacing: space added to (or, negative, taken from) each character, in twips

    def over(self, below: _Format) -> _Format:
        """These properties, and below's where these say nothing (a style over the style it is based on)."""
        return _Format(
            self.vanish if self.vanish is not None else below.vanish,
            self.colour if self.colour is not None else below.colour,
            self.size if self.size is not None else below.size,
            self.highlight if self.highlight is not None else below.highlight,
            self.shading if self.shading is not None else below.shading,
            self.spacing if self.spacing is not None else below.spacing,
        )


_UNSET = _Format()


def _run_properties(properties, palette: _Palette) -> tuple[_Format, str | None]:
    """A w:rPr's visibility properties and its character style, in one pass over its children (a run's formatting
    is read for every run: five look-ups each took most of the time of a long document)."""
    if properties is None:
        return _UNSET, None
    style = vanish = colour = size = highlight = shading = spacing = None
    for child in properties.iterchildren(
        _RSTYLE, _VANISH, _SPEC_VANISH, _COLOR, _SZ, _SCALE, _HIGHLIGHT, _SHD, _SPACING
    ):
        tag = child.tag
        if tag == _RSTYLE:
            style = child.get(_VAL) if style is None else style
        elif tag in (_VANISH, _SPEC_VANISH):  # specVanish: hidden, as a style separator is
            vanish = _on(child) if vanish is None else vanish
        elif tag == _COLOR:
            colour = palette.text(child) if colour is None else colour
        elif tag == _SZ:
            size = _half_points(child) if size is None else size
        elif tag == _SCALE:
            if size is None and (percent := _half_points(child)) is not None and percent <= _NARROW_PERCENT:
                size = 0  # as good as no size: a hairline no reader can make out
        elif tag == _HIGHLIGHT:
            if highlight is None:
                value = str(child.get(_VAL, "")).lower()
                found = _HIGHLIGHTS.get(value)
                highlight = _Paint(found, 1.0) if found is not None else _CLEAR if value == "none" else None
        elif tag == _SPACING:
            spacing = _signed(child) if spacing is None else spacing
        elif shading is None:
            shading = palette.shading(child)
    if (vanish, colour, size, highlight, shading, spacing) == (None,) * 6:
        return _UNSET, style
    return _Format(vanish, colour, size, highlight, shading, spacing), style


def _signed(element) -> int | None:
    """A w:val that is a whole number, negative or not (w:spacing)."""
    value = str(element.get(_VAL, "")).strip()
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else None


@dataclass(frozen=True)
class _Part:
    """One conditional part of a table style (w:tblStylePr: first row, banded rows, ...): its cell shading and its
    run properties."""

    shading: _Paint | None = None
    run: _Format = _UNSET

    def over(self, below: _Part) -> _Part:
        return _Part(self.shading if self.shading is not None else below.shading, self.run.over(below.run))


# A table's conditional parts in the order Word applies them, each over the ones before: the header and total rows
# over the first and last columns (Word's built-in Colorful Shading sets black text for the top-left cell, on the
# header row's white, not on the first column's black)
_PART_ORDER = (
    "wholeTable", "band1Vert", "band2Vert", "band1Horz", "band2Horz", "firstCol", "lastCol", "firstRow", "lastRow",
    "nwCell", "neCell", "swCell", "seCell",
)  # fmt: skip
# w:tblLook: which conditional parts a table takes (the bits of its legacy w:val, and its attributes)
_LOOK_BITS = {"firstRow": 0x20, "lastRow": 0x40, "firstColumn": 0x80, "lastColumn": 0x100, "noHBand": 0x200,
              "noVBand": 0x400}  # fmt: skip
_NEW_TABLE_LOOK = 0x04A0  # what Word writes for a new table (header row, first column, banded rows): no w:tblLook


@dataclass(frozen=True)
class _Style:
    """A style with its basedOn chain resolved: its run properties, its paragraph shading, and (table styles) the
    shading of the table and of its cells, its conditional parts and its band sizes."""

    run: _Format = _UNSET
    paragraph_shading: _Paint | None = None
    table_shading: _Paint | None = None
    cell_shading: _Paint | None = None
    parts: tuple[tuple[str, _Part], ...] = ()
    row_band: int | None = None
    column_band: int | None = None

    def over(self, below: _Style) -> _Style:
        mine, theirs = dict(self.parts), dict(below.parts)
        parts = {kind: mine.get(kind, _Part()).over(theirs.get(kind, _Part())) for kind in {*mine, *theirs}}
        return _Style(
            self.run.over(below.run),
            self.paragraph_shading if self.paragraph_shading is not None else below.paragraph_shading,
            self.table_shading if self.table_shading is not None else below.table_shading,
            self.cell_shading if self.cell_shading is not None else below.cell_shading,
            tuple(sorted(parts.items())),
            self.row_band if self.row_band is not None else below.row_band,
            self.column_band if self.column_band is not None else below.column_band,
        )


_NO_STYLE = _Style()
_TableKey = tuple[str | None, tuple[str, ...]]  # a table style and the conditional parts a cell takes


@dataclass(frozen=True)
class _Context:
    """Where a paragraph stands: the table style its cell takes with the parts of it that apply (None outside
    tables), and the colour the page, the table and the cell paint behind it."""

    table: _TableKey | None
    background: _Rgb


class _Styles:
    """The document's styles (word/styles.xml), each resolved through its basedOn chain once and cached by style id:
    a run's formatting is then a few dictionary look-ups, however many runs share a style."""

    def __init__(self, root, palette: _Palette) -> None:
        self._palette = palette
        self._own: dict[str, _Style] = {}
        self._based_on: dict[str, str] = {}
        self._defaults: dict[str, str] = {}  # style type -> the default style of that type
        self._resolved: dict[str, _Style] = {}
        self._combined: dict[tuple[str | None, str | None, _TableKey | None], _Format] = {}
        self._table_parts: dict[_TableKey, _Part] = {}
        # style id -> name as python-docx's style.name gives it ("heading 1" -> "Heading 1"), read in the same pass:
        # paragraph.style looks the default style up anew for every paragraph (minutes for many small paragraphs)
        self.names: dict[str, str] = {}
        self.defaults = _UNSET
        if root is None:
            return
        self.defaults = _run_properties(root.find(_RPR_DEFAULT), palette)[0]
        for style in root.iterchildren(_STYLE):
            style_id = style.get(_STYLE_ID)
            if style_id is None:
                continue
            name = _style_id(style, _NAME)
            self.names[style_id] = BabelFish.internal2ui(name) if name is not None else ""
            if style_id in self._own:
                continue  # Word takes the first definition of an id
            kind = style.get(_TYPE, "paragraph")
            if str(style.get(_DEFAULT, "0")).lower() not in _OFF:
                self._defaults.setdefault(kind, style_id)
            based_on = _style_id(style, _BASED_ON)
            if based_on is not None:
                self._based_on[style_id] = based_on
            paragraph = style.find(_PPR)
            own = _Style(
                _run_properties(style.find(_RPR), palette)[0],
                None if paragraph is None else palette.shading(paragraph.find(_SHD)),
            )
            self._own[style_id] = self._table_style(style, own) if kind == "table" else own

    def _table_style(self, style, own: _Style) -> _Style:
        table, cell = style.find(_TBLPR), style.find(_TCPR)
        parts: dict[str, _Part] = {}
        for part in style.iterchildren(_TBL_STYLE_PR):
            kind = part.get(_TYPE)
            if kind in _PART_ORDER and kind not in parts:
                part_cell = part.find(_TCPR)
                parts[kind] = _Part(
                    None if part_cell is None else self._palette.shading(part_cell.find(_SHD)),
                    _run_properties(part.find(_RPR), self._palette)[0],
                )
        return _Style(
            own.run,
            own.paragraph_shading,
            None if table is None else self._palette.shading(table.find(_SHD)),
            None if cell is None else self._palette.shading(cell.find(_SHD)),
            tuple(sorted(parts.items())),
            None if table is None or table.find(_ROW_BAND_SIZE) is None else _number(table.find(_ROW_BAND_SIZE), 1),
            None if table is None or table.find(_COL_BAND_SIZE) is None else _number(table.find(_COL_BAND_SIZE), 1),
        )

    def style_of(self, style_id: str | None, kind: str) -> str | None:
        """The style a reference names, or the document's default style of that kind (no or an unknown id)."""
        return style_id if style_id in self._own else self._defaults.get(kind)

    def resolved(self, style_id: str | None) -> _Style:
        """A style over its basedOn chain (a derived style's own setting wins, w:vanish w:val="0" included). Each
        style is resolved once: the walk stops at a style already resolved, at an unknown id, or at a cycle."""
        if style_id is None:
            return _NO_STYLE
        found = self._resolved.get(style_id)
        if found is not None:
            return found
        chain: list[str] = []
        walked: set[str] = set()
        current: str | None = style_id
        while current is not None and current in self._own and current not in self._resolved and current not in walked:
            chain.append(current)
            walked.add(current)
            current = self._based_on.get(current)
        base = self._resolved.get(current, _NO_STYLE) if current is not None and current not in walked else _NO_STYLE
        for name in reversed(chain):
            base = self._own[name].over(base)
            self._resolved[name] = base
        return self._resolved.get(style_id, _NO_STYLE)

    def table_part(self, key: _TableKey) -> _Part:
        """What a table style gives a cell: its own cell shading and run properties, with the conditional parts
        that apply to the cell over them, in Word's order."""
        found = self._table_parts.get(key)
        if found is None:
            style = self.resolved(key[0])
            parts = dict(style.parts)
            found = _Part(style.cell_shading, style.run)
            for kind in key[1]:
                found = parts[kind].over(found)
            self._table_parts[key] = found
        return found

    def styled(self, character: str | None, paragraph: str | None, table: _TableKey | None) -> _Format:
        """What the styles (character over paragraph over table style, over the document defaults) make of a run.

        w:vanish is a toggle property: in a style, "on" turns it over at each level and "off" leaves it as it was;
        only direct formatting sets it outright. Here any style level that hides text hides it (two levels that
        both hide may cancel out in Word: such text is left out rather than let text Word hides through), and the
        document defaults hide it unless a style says otherwise."""
        key = (character, paragraph, table)
        found = self._combined.get(key)
        if found is not None:
            return found
        levels = [
            self.resolved(character).run,
            self.resolved(paragraph).run,
            _UNSET if table is None else self.table_part(table).run,
        ]
        merged = self.defaults
        for level in reversed(levels):
            merged = level.over(merged)
        vanish = [level.vanish for level in levels]
        hidden = True in vanish or (self.defaults.vanish is True and False not in vanish)
        found = _Format(hidden, merged.colour, merged.size, merged.highlight, merged.shading)
        self._combined[key] = found
        return found


def _look(properties) -> int:
    """The w:tblLook bits of a table (its attributes over its legacy w:val)."""
    look = None if properties is None else properties.find(_TBL_LOOK)
    if look is None:
        return _NEW_TABLE_LOOK
    value = str(look.get(_VAL, "0")).strip()
    try:
        bits = int(value, 16) if value else 0
    except ValueError:
        bits = 0
    for name, bit in _LOOK_BITS.items():
        setting = look.get(_w(name))
        if setting is not None:
            bits = bits | bit if setting.strip().lower() not in _OFF else bits & ~bit
    return bits


def _band(index: int, size: int | None) -> int:
    """1 or 2: the band (of `size` rows or columns) that the index-th body row or column falls in."""
    return 1 if (index // max(size or 1, 1)) % 2 == 0 else 2


class _Reader:
    """The text of the body's paragraphs and tables, as Word shows it."""

    def __init__(self, styles_root, document_root, palette: _Palette) -> None:
        self._palette = palette
        self._styles = _Styles(styles_root, palette)
        self.style_names = self._styles.names
        self._page = _Context(None, palette.page(document_root.find(_BACKGROUND)))
        self.references: list[tuple[str, str]] = []  # (kind, id) of the notes shown runs refer to, in order

    def blocks(self, parent, context: _Context | None = None) -> list[str]:
        """The lines of the paragraphs and tables of the body, a text box or a note: w:p and w:tbl in document
        order (what document.iter_inner_content() yields), and those inside a content control, a custom XML
        element or the shown branch of an mc:AlternateContent around them. A paragraph's text boxes follow it."""
        lines: list[str] = []
        for block in _content(parent, (_P, _TBL), _BLOCK_WRAPPERS):
            if block.tag == _TBL:
                lines.extend(self.table_rows(block, context))
                continue
            boxes: list = []
            text = self.paragraph_text(block, context, boxes).strip()
            if text:
                style_id = _style_id(block.find(_PPR), _PSTYLE)
                level = _heading_level(self.style_names.get(style_id, "") if style_id else "")
                lines.append(f"{'#' * level} {text}" if level else text)
            for box in boxes:
                lines.extend(self.blocks(box, self._box_context(box, context or self._page)))
        return lines

    def _box_context(self, box, around: _Context) -> _Context:
        """A text box's content stands on the box's own solid fill (a DrawingML shape's a:srgbClr), else on what
        is around the box (the cell's or the page's colour); a table style does not reach into it."""
        shape = box.getparent().getparent() if box.getparent() is not None else None
        properties = None if shape is None else shape.find(_WPS_SHAPE_PROPERTIES)
        fill = None if properties is None else properties.find(_SOLID_RGB)
        colour = None if fill is None else _rgb(fill.get("val"))
        return _Context(None, around.background if colour is None else colour)

    def table_rows(self, table, context: _Context | None = None) -> list[str]:
        """One line per row (w:tr): the text of its cells joined by " | ", empty cells left out. Each w:tc is read
        once, as it stands in the XML: a cell spanning several grid columns (w:gridSpan) is one cell, and a cell
        continuing a vertical (w:vMerge) or legacy horizontal (w:hMerge) merge holds no text of its own (Word
        shows the merged cell's text once, where the merge starts). python-docx's row.cells yielded a cell once
        per spanned column and walked the rows above for every continued cell: one 924-byte file with a
        30,000,000-column span never finished, 900 merged rows took 34 s, and 200 rows of a 3,000-column span
        became 420 million characters.

        What is painted behind a cell's text: the page, the table's shading, then the cell's own shading or else
        the table style's shading for the parts of the table the cell is in (first row, banded rows, ...: those
        its w:tblLook turns on)."""
        properties = table.find(_TBLPR)
        style_id = self._styles.style_of(_style_id(properties, _TBLSTYLE), "table")
        style = self._styles.resolved(style_id)
        shading = None if properties is None else self._palette.shading(properties.find(_SHD))
        shading = style.table_shading if shading is None else shading
        below = (context or self._page).background
        background = below if shading is None else shading.on(below)
        layout = _Layout(_look(properties), frozenset(kind for kind, _ in style.parts), style)
        rows = list(_content(table, (_TR,), _BLOCK_WRAPPERS))
        lines = []
        for row_index, row in enumerate(rows):
            cells = list(_content(row, (_TC,), _BLOCK_WRAPPERS))
            texts = []
            column = 0
            for cell_index, cell in enumerate(cells):
                cell_properties = cell.find(_TCPR)
                position = (row_index, len(rows), cell_index, len(cells), column)
                column += 1 if cell_properties is None else _number(cell_properties.find(_GRID_SPAN), 1)
                if cell_properties is not None and _continues_merge(cell_properties):
                    continue
                key = (style_id, layout.parts(*position))
                own = None if cell_properties is None else self._palette.shading(cell_properties.find(_SHD))
                paint = self._styles.table_part(key).shading if own is None else own
                inside = _Context(key, background if paint is None else paint.on(background))
                text = "\n".join(self._cell_lines(cell, inside)).strip()
                if text:
                    texts.append(text)
            lines.append(" | ".join(texts))
        return lines

    def _cell_lines(self, cell, inside: _Context) -> list[str]:
        """A cell's paragraphs, each followed by its text boxes' lines, and the non-empty rows of the tables nested
        in it (standing on the cell's colour)."""
        lines: list[str] = []
        for block in _content(cell, (_P, _TBL), _BLOCK_WRAPPERS):
            if block.tag == _TBL:
                lines.extend(row for row in self.table_rows(block, _Context(None, inside.background)) if row)
                continue
            boxes: list = []
            lines.append(self.paragraph_text(block, inside, boxes))
            for box in boxes:
                lines.extend(self.blocks(box, self._box_context(box, inside)))
        return lines

    def paragraph_text(self, paragraph, context: _Context | None = None, boxes: list | None = None) -> str:
        """The paragraph's text as python-docx's paragraph.text reads it (its runs and its hyperlinks' runs; tabs,
        line breaks), with the runs inside tracked insertions, content controls, smart tags and simple fields, and
        without the runs Word does not show: text no reader sees is no part of the document, and hidden
        instructions became the answer's only basis."""
        if next(paragraph.iter(_R), None) is None:
            return ""  # nothing to show: an empty paragraph costs no style look-up
        context = context or self._page
        properties = paragraph.find(_PPR)
        style = self._styles.style_of(_style_id(properties, _PSTYLE), "paragraph")
        shading = None if properties is None else self._palette.shading(properties.find(_SHD))
        if shading is None:
            shading = self._styles.resolved(style).paragraph_shading
        background = context.background if shading is None else shading.on(context.background)
        parts: list[str] = []
        fields: list[bool] = []  # the complex fields the run is in, innermost last: True while in a field's code
        for run in _content(paragraph, (_R,), _RUN_WRAPPERS):
            for char in run.iterchildren(_FLD_CHAR):
                kind = char.get(_FLD_CHAR_TYPE)
                if kind == "begin":
                    fields.append(True)
                elif kind == "separate" and fields:
                    fields[-1] = False  # the field's result follows: what Word shows
                elif kind == "end" and fields:
                    fields.pop()
            if any(fields):
                continue
            run_format = self._format(run, style, context.table)
            if self._shown(run_format, background):
                parts.append(_run_text(run))
            if not run_format.vanish:  # a text box or a note mark in hidden text is hidden with it
                if boxes is not None:
                    boxes.extend(_text_boxes(run))
                for reference in run.iterchildren(_FOOTNOTE_REFERENCE, _ENDNOTE_REFERENCE):
                    self.references.append((reference.tag, str(reference.get(_ID))))
        return "".join(parts)

    def _format(self, run, paragraph_style: str | None, table: _TableKey | None) -> _Format:
        direct, character = _run_properties(run.find(_RPR), self._palette)
        run_format = self._styles.styled(self._styles.style_of(character, "character"), paragraph_style, table)
        if direct is not _UNSET:
            run_format = direct.over(run_format)  # direct formatting sets every property outright, w:vanish included
        return run_format

    def _shown(self, run_format: _Format, background: _Rgb) -> bool:
        if run_format.vanish:
            return False
        if run_format.size is not None and run_format.size <= _TINY_HALF_POINTS:
            return False
        if run_format.spacing is not None:  # condensed until each character's advance is a sliver of its size
            size = 10 * (run_format.size if run_format.size is not None else _DEFAULT_HALF_POINTS)  # in twips
            if size + run_format.spacing <= size * _NARROW_PERCENT / 100:
                return False
        if not isinstance(run_format.colour, tuple):
            return True  # automatic colour (the default) stands out from whatever is under it
        # the innermost colour painted under the text: highlight over run shading over the paragraph's background
        if run_format.shading is not None:
            background = run_format.shading.on(background)
        if run_format.highlight is not None:
            background = run_format.highlight.on(background)
        return not _unseen(run_format.colour, background)


@dataclass(frozen=True)
class _Layout:
    """Which conditional parts of its table style each cell of a table takes."""

    look: int
    defined: frozenset[str]  # the parts the style defines: the others need no look-up
    style: _Style

    def parts(self, row: int, rows: int, cell: int, cells: int, column: int) -> tuple[str, ...]:
        if not self.defined:
            return ()
        on = {name: bool(self.look & bit) for name, bit in _LOOK_BITS.items()}
        first_row, last_row = on["firstRow"] and row == 0, on["lastRow"] and row == rows - 1
        first_column, last_column = on["firstColumn"] and cell == 0, on["lastColumn"] and cell == cells - 1
        found = {"wholeTable"}
        if not on["noVBand"] and not (first_column or last_column):  # bands counted after a first column
            found.add(f"band{_band(column - on['firstColumn'], self.style.column_band)}Vert")
        if not on["noHBand"] and not (first_row or last_row):  # and after a header row
            found.add(f"band{_band(row - on['firstRow'], self.style.row_band)}Horz")
        for kind, applies in (("firstRow", first_row), ("lastRow", last_row), ("firstCol", first_column),
                              ("lastCol", last_column), ("nwCell", first_row and first_column),
                              ("neCell", first_row and last_column), ("swCell", last_row and first_column),
                              ("seCell", last_row and last_column)):  # fmt: skip
            if applies:
                found.add(kind)
        return tuple(kind for kind in _PART_ORDER if kind in found and kind in self.defined)


def _content(parent, wanted: tuple[str, ...], wrappers: frozenset[str]):
    """The children of `parent` with a wanted tag, in document order, and those inside the wrappers around them
    (a content control is read through its w:sdtContent; a table of contents, lines Word builds from the headings
    read where they stand, is not)."""
    stack = [parent.iterchildren()]
    while stack:
        for child in stack[-1]:
            tag = child.tag
            if tag in wanted:
                yield child
            elif tag in wrappers:
                stack.append(child.iterchildren())
                break
            elif tag == _ALTERNATE:
                branch = _shown_branch(child)
                if branch is not None:
                    stack.append(branch.iterchildren())
                    break
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                gallery = child.find(_GALLERY)
                if content is not None and (gallery is None or gallery.get(_VAL) != "Table of Contents"):
                    stack.append(content.iterchildren())
                    break
        else:
            stack.pop()


def _shown_branch(alternate):
    """The branch of an mc:AlternateContent Word shows: its first mc:Choice whose required namespaces (Requires,
    prefixes declared in scope) are Office's own, else its mc:Fallback; never both."""
    for choice in alternate.iterchildren(_CHOICE):
        prefixes = str(choice.get("Requires", "")).split()
        if all(_understood(prefix, choice.nsmap) for prefix in prefixes):
            return choice
    return alternate.find(_FALLBACK)


# The namespaces of the Office Open XML standard and of Office's own extensions (w14, wps, wpg, ...): a Choice
# requiring any other is one Word does not understand, and it shows the Fallback instead
_KNOWN_NAMESPACES = (
    "http://schemas.openxmlformats.org/",
    "http://schemas.microsoft.com/office/",
    "urn:schemas-microsoft-com:",
)
# Office's usual prefixes for them, taken as such when a file leaves one undeclared
_KNOWN_PREFIX = re.compile(r"w1\d\w*|wp1\d|wp[sgci]|a1\d|m|v|o|w10|wne|c14|cx\d*")


def _understood(prefix: str, declared: dict) -> bool:
    namespace = declared.get(prefix)
    if namespace is None:
        return _KNOWN_PREFIX.fullmatch(prefix) is not None
    return str(namespace).startswith(_KNOWN_NAMESPACES)


def _text_boxes(run) -> list:
    """The w:txbxContent of the text boxes drawn in a run (DrawingML or VML), in the shown branch of any
    mc:AlternateContent; a text box inside a text box is found when that box is read."""
    found = []
    stack = [run.iterchildren()]
    while stack:
        for child in stack[-1]:
            tag = child.tag
            if tag == _TXBX_CONTENT:
                found.append(child)
            elif tag == _ALTERNATE:
                branch = _shown_branch(child)
                if branch is not None:
                    stack.append(branch.iterchildren())
                    break
            elif isinstance(tag, str) and tag not in (_T, _RPR) and len(child):
                stack.append(child.iterchildren())
                break
        else:
            stack.pop()
    return found


def _continues_merge(cell_properties) -> bool:
    for tag in (_VMERGE, _HMERGE):
        merge = cell_properties.find(tag)
        if merge is not None and merge.get(_VAL, "continue") != "restart":
            return True
    return False


def _run_text(run) -> str:
    """A run's text as python-docx reads it: w:t, tabs, line breaks (a page or column break is no text)."""
    parts = []
    for child in run.iterchildren(_T, _TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN):
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB or tag == _PTAB:
            parts.append("\t")
        elif tag == _CR or (tag == _BR and child.get(_TYPE, "textWrapping") == "textWrapping"):
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
    return "".join(parts)
