"""Word (.docx) files: python-docx opens the package, and the body's XML is then read once, in document order. Heading
styles become Markdown headings; each table row becomes one line of its cells' text. Text Word does not show (hidden
by direct formatting or by a style, white on a white page, a font of 2 points or less) is left out."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.styles import BabelFish

from ingest.errors import UnreadableFile
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
    check_zip(path, limits or LoadLimits())  # a zip bomb is refused before python-docx unpacks anything
    try:
        document = docx.Document(str(path))
    except (FileNotFoundError, IsADirectoryError, PermissionError, MemoryError, RecursionError):
        raise  # load_file says what happened to the file (and that memory ran out: no sign of damage)
    except Exception as exc:  # noqa: BLE001 - python-docx raises what its zip and XML layers raise
        if not path.exists():
            raise FileNotFoundError(path) from None  # gone since the walk: reported as such by load_file
        with open(path, "rb") as handle:
            if handle.read(8) == _OLE_SIGNATURE:
                raise UnreadableFile(
                    path,
                    "这是旧版 Word 文档（.doc）或设置了打开密码的文档：请在 Word 中去掉密码、另存为 .docx 后再导入",
                ) from None
        if not zipfile.is_zipfile(path):
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
        raise UnreadableFile(path, _DAMAGED) from exc


def _has_word_body(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as package:
            return any(name.lower().startswith("word/document") for name in package.namelist())
    except Exception:  # noqa: BLE001 - a central directory zipfile cannot read
        return True


def _document_text(document) -> str:
    reader = _Reader(document.styles.element, document.element)
    style_names = reader.style_names
    lines: list[str] = []
    for block in document.element.body.iterchildren(_P, _TBL):  # what document.iter_inner_content() yields
        if block.tag == _TBL:
            lines.extend(reader.table_rows(block))
            continue
        text = reader.paragraph_text(block).strip()
        if not text:
            continue
        style_id = _style_id(block.find(_PPR), _PSTYLE)
        level = _heading_level(style_names.get(style_id, "") if style_id else "")
        lines.append(f"{'#' * level} {text}" if level else text)
    return "\n\n".join(lines)


# --- the WordprocessingML read here (names resolved once; lxml compares tags as strings) -------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


_P, _TBL, _TR, _TC, _R, _HYPERLINK = (_w(n) for n in ("p", "tbl", "tr", "tc", "r", "hyperlink"))
_PPR, _RPR, _TCPR, _TBLPR = (_w(n) for n in ("pPr", "rPr", "tcPr", "tblPr"))
_PSTYLE, _RSTYLE, _TBLSTYLE, _BASED_ON = (_w(n) for n in ("pStyle", "rStyle", "tblStyle", "basedOn"))
_VANISH, _COLOR, _SZ, _HIGHLIGHT, _SHD = (_w(n) for n in ("vanish", "color", "sz", "highlight", "shd"))
_SPEC_VANISH, _SCALE, _THEME_COLOR = _w("specVanish"), _w("w"), _w("themeColor")
_WHITE_THEME = ("background1", "light1")  # the theme colours that are white in Word's themes
_NARROW_PERCENT = 10  # w:w (character width in per cent) this low squeezes a line into a hairline
_VMERGE, _HMERGE, _BACKGROUND = _w("vMerge"), _w("hMerge"), _w("background")
_T, _TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN = (_w(n) for n in ("t", "tab", "ptab", "br", "cr", "noBreakHyphen"))
_VAL, _TYPE, _FILL = _w("val"), _w("type"), _w("fill")
_STYLE, _STYLE_ID, _DEFAULT, _NAME = _w("style"), _w("styleId"), _w("default"), _w("name")
_RPR_DEFAULT = f"{_w('docDefaults')}/{_w('rPrDefault')}/{_RPR}"

_OFF = frozenset(["0", "false", "off"])  # ST_OnOff's "no"; any other value (or none) is "yes"
_TINY_HALF_POINTS = 4  # w:sz is in half-points: 2 pt or less is a line no reader can make out
_NEAR_WHITE = 0xF0  # a font or fill colour whose red, green and blue are all at least this is white on the page
_MEASURE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in|pc|pi)?\s*", re.IGNORECASE)
_HALF_POINTS_PER = {None: 1.0, "pt": 2.0, "mm": 144 / 25.4, "cm": 1440 / 25.4, "in": 144.0, "pc": 24.0, "pi": 24.0}


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


def _near_white(colour: str | None) -> bool:
    if colour is None or len(colour) != 6:
        return False
    try:
        return all(int(colour[i : i + 2], 16) >= _NEAR_WHITE for i in (0, 2, 4))
    except ValueError:
        return False


def _shaded(shading) -> bool | None:
    """Whether a w:shd puts a colour behind the text (white text on it can be read); None when not set here."""
    if shading is None:
        return None
    pattern = str(shading.get(_VAL, "clear")).lower()
    if pattern == "nil":
        return False
    if pattern == "clear":  # the fill colour alone
        fill = shading.get(_FILL)
        return not (fill is None or fill.lower() == "auto" or _near_white(fill))
    if pattern == "solid":  # the pattern colour covers the fill; "auto" is black
        return not _near_white(shading.get(_w("color")))
    return True  # a hatch or a percentage mixes both colours: something shows behind the text


def _half_points(size) -> int | None:
    if size is None:
        return None
    match = _MEASURE.fullmatch(str(size.get(_VAL, "")))
    if match is None:
        return None  # a value Word would not accept: leave the size to the styles
    unit = match.group(2).lower() if match.group(2) else None
    return int(min(float(match.group(1)) * _HALF_POINTS_PER[unit], _LARGEST_SIZE))  # "9" * 400 is inf: no int


_LARGEST_SIZE = 2**31  # half-points; any size this large is simply large


@dataclass(frozen=True)
class _Format:
    """What one set of run properties (direct formatting, or a style with its basedOn chain) says about whether its
    text can be seen; None where the set says nothing and the next level decides."""

    vanish: bool | None = None  # w:vanish: hidden text
    white: bool | None = None  # a (near-)white font colour
    size: int | None = None  # font size in half-points
    highlight: bool | None = None  # a highlight colour behind the text
    shading: bool | None = None  # run shading behind the text

    def over(self, below: _Format) -> _Format:
        """These properties, and below's where these say nothing (a style over the style it is based on)."""
        return _Format(
            self.vanish if self.vanish is not None else below.vanish,
            self.white if self.white is not None else below.white,
            self.size if self.size is not None else below.size,
            self.highlight if self.highlight is not None else below.highlight,
            self.shading if self.shading is not None else below.shading,
        )


_UNSET = _Format()


def _format(properties) -> _Format:
    return _run_properties(properties)[0]


def _run_properties(properties) -> tuple[_Format, str | None]:
    """A w:rPr's visibility properties and its character style, in one pass over its children (a run's formatting
    is read for every run: five look-ups each took most of the time of a long document)."""
    if properties is None:
        return _UNSET, None
    style = vanish = white = size = highlight = shading = None
    for child in properties.iterchildren(_RSTYLE, _VANISH, _SPEC_VANISH, _COLOR, _SZ, _SCALE, _HIGHLIGHT, _SHD):
        tag = child.tag
        if tag == _RSTYLE:
            style = child.get(_VAL) if style is None else style
        elif tag in (_VANISH, _SPEC_VANISH):  # specVanish: hidden, as a style separator is
            vanish = _on(child) if vanish is None else vanish
        elif tag == _COLOR:
            if white is None:
                white = _near_white(child.get(_VAL)) or str(child.get(_THEME_COLOR, "")).lower() in _WHITE_THEME
        elif tag == _SZ:
            size = _half_points(child) if size is None else size
        elif tag == _SCALE:
            if size is None and (percent := _half_points(child)) is not None and percent <= _NARROW_PERCENT:
                size = 0  # as good as no size: a hairline no reader can make out
        elif tag == _HIGHLIGHT:
            if highlight is None:
                highlight = str(child.get(_VAL, "")).lower() not in ("none", "white")
        elif shading is None:
            shading = _shaded(child)
    if vanish is None and white is None and size is None and highlight is None and shading is None:
        return _UNSET, style
    return _Format(vanish, white, size, highlight, shading), style


@dataclass(frozen=True)
class _Style:
    """A style with its basedOn chain resolved: its run properties, its paragraph shading, and (table styles)
    whether any part of the table it formats is shaded."""

    run: _Format = _UNSET
    paragraph_shading: bool | None = None
    table_shading: bool = False

    def over(self, below: _Style) -> _Style:
        return _Style(
            self.run.over(below.run),
            self.paragraph_shading if self.paragraph_shading is not None else below.paragraph_shading,
            self.table_shading or below.table_shading,
        )


_NO_STYLE = _Style()


@dataclass(frozen=True)
class _Context:
    """Where a paragraph stands: the table style its cell takes (None outside tables) and whether a cell, a table or
    the page puts a colour behind it."""

    table_style: str | None = None
    background: bool = False


class _Styles:
    """The document's styles (word/styles.xml), each resolved through its basedOn chain once and cached by style id:
    a run's formatting is then a few dictionary look-ups, however many runs share a style."""

    def __init__(self, root) -> None:
        self._own: dict[str, _Style] = {}
        self._based_on: dict[str, str] = {}
        self._defaults: dict[str, str] = {}  # style type -> the default style of that type
        self._resolved: dict[str, _Style] = {}
        self._combined: dict[tuple[str | None, str | None, str | None], _Format] = {}
        # style id -> name as python-docx's style.name gives it ("heading 1" -> "Heading 1"), read in the same pass:
        # paragraph.style looks the default style up anew for every paragraph (minutes for many small paragraphs)
        self.names: dict[str, str] = {}
        self.defaults = _UNSET
        if root is None:
            return
        self.defaults = _format(root.find(_RPR_DEFAULT))
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
            self._own[style_id] = _Style(
                _format(style.find(_RPR)),
                None if paragraph is None else _shaded(paragraph.find(_SHD)),
                kind == "table" and any(_shaded(shading) for shading in style.iter(_SHD)),
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

    def styled(self, character: str | None, paragraph: str | None, table: str | None) -> _Format:
        """What the styles (character over paragraph over table style, over the document defaults) make of a run.

        w:vanish is a toggle property: in a style, "on" turns it over at each level and "off" leaves it as it was;
        only direct formatting sets it outright. Here any style level that hides text hides it (two levels that
        both hide may cancel out in Word: such text is left out rather than let text Word hides through), and the
        document defaults hide it unless a style says otherwise."""
        key = (character, paragraph, table)
        found = self._combined.get(key)
        if found is not None:
            return found
        levels = [self.resolved(style).run for style in key]
        merged = self.defaults
        for level in reversed(levels):
            merged = level.over(merged)
        vanish = [level.vanish for level in levels]
        hidden = True in vanish or (self.defaults.vanish is True and False not in vanish)
        found = _Format(hidden, merged.white, merged.size, merged.highlight, merged.shading)
        self._combined[key] = found
        return found


class _Reader:
    """The text of the body's paragraphs and tables, as Word shows it."""

    def __init__(self, styles_root, document_root) -> None:
        self._styles = _Styles(styles_root)
        self.style_names = self._styles.names
        page = document_root.find(_BACKGROUND)
        colour = None if page is None else page.get(_COLOR)
        # a page colour other than white: white text on it can be read
        self._page = _Context(background=colour is not None and colour.lower() != "auto" and not _near_white(colour))

    def table_rows(self, table) -> list[str]:
        """One line per row (w:tr): the text of its cells joined by " | ", empty cells left out. Each w:tc is read
        once, as it stands in the XML: a cell spanning several grid columns (w:gridSpan) is one cell, and a cell
        continuing a vertical (w:vMerge) or legacy horizontal (w:hMerge) merge holds no text of its own (Word
        shows the merged cell's text once, where the merge starts). python-docx's row.cells yielded a cell once
        per spanned column and walked the rows above for every continued cell: one 924-byte file with a
        30,000,000-column span never finished, 900 merged rows took 34 s, and 200 rows of a 3,000-column span
        became 420 million characters."""
        properties = table.find(_TBLPR)
        context = _Context(
            self._styles.style_of(_style_id(properties, _TBLSTYLE), "table"),
            self._page.background or (properties is not None and bool(_shaded(properties.find(_SHD)))),
        )
        if not context.background and self._styles.resolved(context.table_style).table_shading:
            context = _Context(context.table_style, True)  # its style shades some rows or cells
        rows = []
        for row in table.iterchildren(_TR):
            cells = []
            for cell in row.iterchildren(_TC):
                cell_properties = cell.find(_TCPR)
                if cell_properties is not None and _continues_merge(cell_properties):
                    continue
                shaded = cell_properties is not None and bool(_shaded(cell_properties.find(_SHD)))
                inside = _Context(context.table_style, True) if shaded else context
                text = "\n".join(self.paragraph_text(p, inside) for p in cell.iterchildren(_P)).strip()
                if text:
                    cells.append(text)
            rows.append(" | ".join(cells))
        return rows

    def paragraph_text(self, paragraph, context: _Context | None = None) -> str:
        """The paragraph's text as python-docx's paragraph.text reads it (its runs and its hyperlinks' runs; tabs,
        line breaks), without the runs Word does not show: text no reader sees is no part of the document, and
        hidden instructions became the answer's only basis."""
        if paragraph.find(_R) is None and paragraph.find(_HYPERLINK) is None:
            return ""  # nothing to show: an empty paragraph costs no style look-up
        context = context or self._page
        properties = paragraph.find(_PPR)
        style = self._styles.style_of(_style_id(properties, _PSTYLE), "paragraph")
        shading = None if properties is None else _shaded(properties.find(_SHD))
        if shading is None:
            shading = self._styles.resolved(style).paragraph_shading
        background = context.background or bool(shading)
        parts: list[str] = []
        for child in paragraph.iterchildren(_R, _HYPERLINK):
            for run in (child,) if child.tag == _R else child.iterchildren(_R):
                if self._shown(run, style, context.table_style, background):
                    parts.append(_run_text(run))
        return "".join(parts)

    def _shown(self, run, paragraph_style: str | None, table_style: str | None, background: bool) -> bool:
        direct, character = _run_properties(run.find(_RPR))
        run_format = self._styles.styled(self._styles.style_of(character, "character"), paragraph_style, table_style)
        if direct is not _UNSET:
            run_format = direct.over(run_format)  # direct formatting sets every property outright, w:vanish included
        if run_format.vanish:
            return False
        if run_format.size is not None and run_format.size <= _TINY_HALF_POINTS:
            return False
        return not (run_format.white and not (background or run_format.highlight or run_format.shading))


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
