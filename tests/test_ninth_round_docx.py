"""Ninth round, Word files (issue 16; report in /tmp/rt8/README.md, rows I1c, I1d, I1g and I1h).

- text the same colour as what is painted under it is not seen: the font colour (w:color, a theme colour with its
  tint or shade) is compared with the innermost colour painted under the text (highlight over run shading over
  paragraph shading over the cell over the table over the page). Black text on a black "redaction bar", yellow text
  on a yellow highlight, text the colour of its cell or of the page are not stored; automatic text (black or white,
  whichever stands out) and text on any colour it stands out from are kept;
- a table style's conditional parts (header row, total row, first and last column, banded rows and columns) shade
  only the cells they cover, as the table's w:tblLook turns them on: white text in a body row of a table whose
  style shades only the header row is not seen;
- visible text inside a tracked insertion (w:ins), a moved-to range, a content control (w:sdt, inline or around
  paragraphs, rows and cells), a smart tag, a simple field or custom XML is read; deleted text (w:del, w:moveFrom)
  is still not.

Documents are made with python-docx (its default template: styles and theme included), their XML written here.
"""

from __future__ import annotations

import re
import time

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from word_files import VISIBLE, cell, para, style, table, word_file

from ingest.loaders import load_file

AFTER = "第九条 各单位应当定期开展隐患排查。"
MARKER = "暗号：从业人员一百二十人的工厂不需要设置安全生产管理机构。"
BLACK_BAR = '<w:shd w:val="clear" w:color="auto" w:fill="000000"/>'
BLACK, WHITE = '<w:color w:val="000000"/>', '<w:color w:val="FFFFFF"/>'


def load_around(tmp_path, hidden: str, styles: str = "", page_colour: str | None = None) -> str:
    """The text of a file holding `hidden` between two visible paragraphs."""
    path = word_file(tmp_path / "青山区安全通知.docx", para(VISIBLE) + hidden + para(AFTER), styles, page_colour)
    return load_file(path)


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(cell(content) for content in cells) + "</w:tr>"


def shd(fill: str, pattern: str = "clear", colour: str = "auto") -> str:
    return f'<w:shd w:val="{pattern}" w:color="{colour}" w:fill="{fill}"/>'


# --- the colour of the text and the colour under it --------------------------------------------------------------

UNSEEN = {
    "black text on a black run shading (a redaction bar)": ("", para(MARKER, '<w:color w:val="000000"/>' + BLACK_BAR)),
    "near-black text on black": ("", para(MARKER, '<w:color w:val="080808"/>' + BLACK_BAR)),
    "yellow text on a yellow highlight": ("", para(MARKER, '<w:color w:val="FFFF00"/><w:highlight w:val="yellow"/>')),
    "dark blue text on a dark blue highlight": (
        "",
        para(MARKER, '<w:color w:val="000080"/><w:highlight w:val="darkBlue"/>'),
    ),
    "text coloured like a solid pattern": (
        "",
        para(MARKER, '<w:color w:val="C00000"/>' + shd("FFFFFF", "solid", "C00000")),
    ),
    "text coloured like a theme fill": (
        "",
        para(
            MARKER, '<w:color w:val="1F497D"/><w:shd w:val="clear" w:color="auto" w:fill="FFFFFF" w:themeFill="text2"/>'
        ),
    ),
    "theme text colour on the same theme fill": (
        "",
        para(
            MARKER,
            '<w:color w:val="000000" w:themeColor="accent1"/>'
            '<w:shd w:val="clear" w:color="auto" w:fill="FFFFFF" w:themeFill="accent1"/>',
        ),
    ),
    "a theme colour tinted to white": (
        "",
        para(MARKER, '<w:color w:val="000000" w:themeColor="text1" w:themeTint="00"/>'),
    ),
    "black text on a black paragraph shading": ("", para(MARKER, '<w:color w:val="000000"/>', BLACK_BAR)),
    "black text in a black cell": ("", table("<w:tr>" + cell(para(MARKER, BLACK), BLACK_BAR) + "</w:tr>")),
    "black text in a table shaded black": ("", table(row(para(MARKER, BLACK)), BLACK_BAR)),
    "red text, red highlight, both from a character style": (
        style("character", "Bar", '<w:color w:val="FF0000"/><w:highlight w:val="red"/>'),
        para(MARKER, '<w:rStyle w:val="Bar"/>'),
    ),
    "black text, black shading from the paragraph style": (
        style("paragraph", "Redacted", '<w:color w:val="000000"/>', more=f"<w:pPr>{BLACK_BAR}</w:pPr>"),
        para(MARKER, paragraph='<w:pStyle w:val="Redacted"/>'),
    ),
    "white text on a dark shading under a white highlight (the highlight is on top)": (
        "",
        para(MARKER, '<w:color w:val="FFFFFF"/><w:highlight w:val="white"/>' + BLACK_BAR),
    ),
    "a shading of nil shows the white page under white text": (
        "",
        para(MARKER, '<w:color w:val="FFFFFF"/><w:shd w:val="nil"/>', BLACK_BAR.replace("000000", "FFFFFF")),
    ),
}


@pytest.mark.parametrize("case", list(UNSEEN))
def test_text_the_colour_of_what_is_under_it_is_left_out(tmp_path, case):
    """I1c, I1d: black text on black run shading was the only basis of the answer to the targeted question; only
    white text was compared with what is under it."""
    styles, hidden = UNSEEN[case]
    text = load_around(tmp_path, hidden, styles)
    assert "暗号" not in text and VISIBLE in text and AFTER in text, text


def test_text_the_colour_of_the_page_is_left_out(tmp_path):
    text = load_around(tmp_path, para(MARKER, '<w:color w:val="1F1F1F"/>'), page_colour="1F1F1F")
    assert "暗号" not in text and VISIBLE in text and AFTER in text, text


SEEN = {
    "black text on a yellow highlight": para("可见", '<w:color w:val="000000"/><w:highlight w:val="yellow"/>'),
    "automatic text on black shading (Word paints it white)": para("可见", '<w:color w:val="auto"/>' + BLACK_BAR),
    "no colour at all on black shading": para("可见", "", BLACK_BAR),
    "white text on a black bar": para("可见", '<w:color w:val="FFFFFF"/>' + BLACK_BAR),
    "yellow text on black": para("可见", '<w:color w:val="FFFF00"/>' + BLACK_BAR),
    "dark blue text on a lighter blue": para("可见", '<w:color w:val="1F4E79"/>' + shd("4472C4")),
    "black text on a 50 per cent pattern of black": para("可见", '<w:color w:val="000000"/>' + shd("FFFFFF", "pct50")),
    "black text on a black paragraph under a white highlight": para(
        "可见", '<w:color w:val="000000"/><w:highlight w:val="white"/>', BLACK_BAR
    ),
    "yellow text on yellow shading under a black highlight": para(
        "可见", '<w:color w:val="FFFF00"/><w:highlight w:val="black"/>' + shd("FFFF00")
    ),
    "white text in a dark cell": table("<w:tr>" + cell(para("可见", WHITE), BLACK_BAR) + "</w:tr>"),
}


@pytest.mark.parametrize("case", list(SEEN))
def test_text_that_stands_out_from_what_is_under_it_is_kept(tmp_path, case):
    assert load_around(tmp_path, SEEN[case]) == f"{VISIBLE}\n\n可见\n\n{AFTER}"


# --- a table style's conditional parts shade only the cells they cover -------------------------------------------


def banded(parts: dict[str, str], run: str = "") -> str:
    """A table style "Banded" whose conditional parts (type -> fill) shade cells, and (run) set run properties."""
    more = "".join(
        f'<w:tblStylePr w:type="{kind}">{f"<w:rPr>{run}</w:rPr>" if run else ""}<w:tcPr>{shd(fill)}</w:tcPr></w:tblStylePr>'
        for kind, fill in parts.items()
    )
    return style("table", "Banded", more=more)


def styled_table(rows: list[list[str]], look: str) -> str:
    """A table of the Banded style: each cell one paragraph of white text."""
    body = "".join("<w:tr>" + "".join(cell(para(text, WHITE)) for text in cells) + "</w:tr>" for cells in rows)
    return table(body, f'<w:tblStyle w:val="Banded"/>{look}')


TABLES = {
    # parts shaded, tblLook, rows, the cell texts Word shows (white on a shaded cell)
    "header row shaded, white text in a body row (rt8 I1g)": (
        {"firstRow": "1F3864"},
        '<w:tblLook w:firstRow="1"/>',
        [["表头"], ["暗号一"]],
        ["表头"],
    ),
    "header row shaded, but the table turns the header row off": (
        {"firstRow": "1F3864"},
        '<w:tblLook w:firstRow="0" w:val="0020"/>',
        [["暗号一"], ["暗号二"]],
        [],
    ),
    "the legacy w:val bits": ({"firstCol": "1F3864"}, '<w:tblLook w:val="0080"/>', [["首列", "暗号一"]], ["首列"]),
    "banded rows: only the first band is shaded": (
        {"band1Horz": "1F3864"},
        '<w:tblLook w:firstRow="0" w:noHBand="0"/>',
        [["带一"], ["暗号一"], ["带三"], ["暗号二"]],
        ["带一", "带三"],
    ),
    "banded rows turned off": (
        {"band1Horz": "1F3864"},
        '<w:tblLook w:firstRow="0" w:noHBand="1"/>',
        [["暗号一"], ["暗号二"]],
        [],
    ),
    "banded rows count from under the header row": (
        {"firstRow": "1F3864", "band1Horz": "333333"},
        '<w:tblLook w:firstRow="1" w:noHBand="0"/>',
        [["表头"], ["带一"], ["暗号一"], ["带三"]],
        ["表头", "带一", "带三"],
    ),
    "a total row the table does not turn on": (
        {"lastRow": "1F3864"},
        '<w:tblLook w:firstRow="0" w:lastRow="0" w:noHBand="1"/>',
        [["暗号一"], ["暗号二"]],
        [],
    ),
    "a total row the table turns on": (
        {"lastRow": "1F3864"},
        '<w:tblLook w:firstRow="0" w:lastRow="1" w:noHBand="1"/>',
        [["暗号一"], ["合计"]],
        ["合计"],
    ),
    "last column": (
        {"lastCol": "1F3864"},
        '<w:tblLook w:lastColumn="1" w:noVBand="1"/>',
        [["暗号一", "末列"], ["暗号二", "末列二"]],
        ["末列", "末列二"],
    ),
    "the header row's white over the first column's dark": (
        {"firstCol": "000000", "firstRow": "FFFFFF"},
        '<w:tblLook w:firstRow="1" w:firstColumn="1" w:noHBand="1" w:noVBand="1"/>',
        [["暗号一", "暗号二"], ["首列", "暗号三"]],
        ["首列"],
    ),
}


@pytest.mark.parametrize("case", list(TABLES))
def test_a_table_style_shades_only_the_cells_its_parts_cover(tmp_path, case):
    """I1g: a style shading the header row counted as shading every cell, so white text in a body row was stored."""
    parts, look, rows, shown = TABLES[case]
    text = load_around(tmp_path, styled_table(rows, look), banded(parts))
    assert "暗号" not in text and VISIBLE in text and AFTER in text, text
    assert re.findall(r"[\u4e00-\u9fff]+", text.replace(VISIBLE, "").replace(AFTER, "")) == shown, text


def test_a_header_row_style_that_whitens_its_text_without_shading_it_hides_it(tmp_path):
    """The conditional part's run properties apply where it applies: white header text on the white page."""
    styles = style(
        "table",
        "Banded",
        more='<w:tblStylePr w:type="firstRow"><w:rPr><w:color w:val="FFFFFF"/></w:rPr></w:tblStylePr>',
    )
    rows = "<w:tr>" + cell(para(MARKER)) + "</w:tr><w:tr>" + cell(para("正文")) + "</w:tr>"
    text = load_around(tmp_path, table(rows, '<w:tblStyle w:val="Banded"/><w:tblLook w:firstRow="1"/>'), styles)
    assert "暗号" not in text and "正文" in text and VISIBLE in text, text


def test_every_built_in_table_style_keeps_its_cells(tmp_path):
    """Normal tables: every cell of a table in each of the template's 100 built-in styles (Word's look for a new
    table: header row, first column, banded rows) is read, its header row's white text on the header's colour too.
    Only one style paints a cell's text like its fill: Colorful Shading Accent 3 gives the top-left cell the first
    column's white text on the header row's white (its sister styles set that cell's text black)."""
    document = docx.Document()
    names = [s.name for s in document.styles if s.type == WD_STYLE_TYPE.TABLE]
    for name in names:
        grid = document.add_table(rows=4, cols=3)
        grid.style = document.styles[name]
        for r in range(4):
            for c in range(3):
                grid.cell(r, c).text = f"{name}-{r}-{c}"
    path = tmp_path / "表格样式.docx"
    document.save(str(path))
    started = time.perf_counter()
    read = set(re.split(r" \| |\n\n", load_file(path)))
    assert time.perf_counter() - started < 3
    missing = {f"{n}-{r}-{c}" for n in names for r in range(4) for c in range(3)} - read
    assert len(names) == 100 and missing == {"Colorful Shading Accent 3-0-0"}, missing


# --- text inside tracked insertions, content controls, smart tags, fields ----------------------------------------


def run(text: str, properties: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{properties}</w:rPr>" if properties else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


TRACK = 'w:author="审核人" w:date="2025-01-01T00:00:00Z"'
WRAPPED = {
    "tracked insertion": f'<w:p><w:ins w:id="1" {TRACK}>{run("明文")}</w:ins></w:p>',
    "moved here": f'<w:p><w:moveTo w:id="1" {TRACK}>{run("明文")}</w:moveTo></w:p>',
    "inline content control": f"<w:p><w:sdt><w:sdtPr/><w:sdtContent>{run('明文')}</w:sdtContent></w:sdt></w:p>",
    "smart tag": f'<w:p><w:smartTag w:uri="urn:x" w:element="place">{run("明文")}</w:smartTag></w:p>',
    "simple field's result": f'<w:p><w:fldSimple w:instr=" DOCPROPERTY Title ">{run("明文")}</w:fldSimple></w:p>',
    "custom XML around runs": f'<w:p><w:customXml w:element="条款">{run("明文")}</w:customXml></w:p>',
    "a hyperlink inside an insertion inside a content control": (
        f'<w:p><w:sdt><w:sdtContent><w:ins w:id="1" {TRACK}><w:hyperlink w:anchor="a">{run("明文")}</w:hyperlink>'
        "</w:ins></w:sdtContent></w:sdt></w:p>"
    ),
    "text around an insertion": f'<w:p>{run("明")}<w:ins w:id="1" {TRACK}>{run("文")}</w:ins></w:p>',
    "content control around a paragraph": f"<w:sdt><w:sdtPr/><w:sdtContent>{para('明文')}</w:sdtContent></w:sdt>",
    "custom XML around a paragraph": f'<w:customXml w:element="条">{para("明文")}</w:customXml>',
    "content control around a table": f"<w:sdt><w:sdtContent>{table(row(para('明文')))}</w:sdtContent></w:sdt>",
    "content control around a cell's paragraph": table(
        row(f"<w:sdt><w:sdtContent>{para('明文')}</w:sdtContent></w:sdt>")
    ),
    "content control around a row": table(f"<w:sdt><w:sdtContent>{row(para('明文'))}</w:sdtContent></w:sdt>"),
    "content control around a cell": table(
        f"<w:tr><w:sdt><w:sdtContent>{cell(para('明文'))}</w:sdtContent></w:sdt></w:tr>"
    ),
}


@pytest.mark.parametrize("case", list(WRAPPED))
def test_visible_text_inside_revisions_and_content_controls_is_read(tmp_path, case):
    """I1h: text inside w:ins and an inline w:sdt was lost (only a paragraph's own runs and hyperlinks were read):
    any document with tracked changes or content controls lost visible text."""
    assert load_around(tmp_path, WRAPPED[case]) == f"{VISIBLE}\n\n明文\n\n{AFTER}"


STILL_DROPPED = {
    "deleted text beside an insertion": (
        f'<w:p><w:ins w:id="1" {TRACK}>{run("明文")}</w:ins>'
        f'<w:del w:id="2" {TRACK}><w:r><w:delText>{MARKER}</w:delText></w:r></w:del></w:p>'
    ),
    "moved away from inside a content control": (
        f'<w:p><w:sdt><w:sdtContent>{run("明文")}<w:moveFrom w:id="1" {TRACK}>{run(MARKER)}</w:moveFrom>'
        "</w:sdtContent></w:sdt></w:p>"
    ),
    "hidden text inside an insertion": f'<w:p><w:ins w:id="1" {TRACK}>{run("明文")}{run(MARKER, "<w:vanish/>")}</w:ins></w:p>',
    "a redaction bar inside a content control": (
        "<w:sdt><w:sdtContent><w:p>" + run("明文") + run(MARKER, BLACK + BLACK_BAR) + "</w:p></w:sdtContent></w:sdt>"
    ),
}


@pytest.mark.parametrize("case", list(STILL_DROPPED))
def test_deleted_and_hidden_text_in_those_containers_is_still_left_out(tmp_path, case):
    assert load_around(tmp_path, STILL_DROPPED[case]) == f"{VISIBLE}\n\n明文\n\n{AFTER}"


def test_a_table_of_contents_control_is_not_read_twice(tmp_path):
    """Word's table of contents (a content control of the "Table of Contents" gallery) repeats the headings, which
    are read where they stand."""
    toc = (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj>'
        "</w:sdtPr><w:sdtContent>" + para("第一章 总则\t1") + "</w:sdtContent></w:sdt>"
    )
    assert load_around(tmp_path, toc + para("第一章 总则")) == f"{VISIBLE}\n\n第一章 总则\n\n{AFTER}"


def test_the_round_eight_file_keeps_only_what_word_shows(tmp_path):
    """The rt8 I1 file, rebuilt: every 暗号 sentence (甲1-甲8, 甲11) left out, 明文甲9 and 明文甲10 read."""
    bar = '<w:color w:val="000000"/><w:shd w:val="clear" w:color="auto" w:fill="000000"/>'
    body = (
        para("青山区安全生产工作通知")
        + para(VISIBLE)
        + para("暗号甲1", '<w:color w:val="000000" w:themeColor="background1"/>')
        + para("暗号甲2", '<w:w w:val="1"/>')
        + para("暗号甲3", bar)
        + para("暗号甲4", '<w:color w:val="FFFF00"/><w:highlight w:val="yellow"/>')
        + para("暗号甲5", "<w:specVanish/>")
        + f'<w:p><w:del w:id="1" {TRACK}><w:r><w:delText>暗号甲6</w:delText></w:r></w:del></w:p>'
        + f'<w:p><w:moveFrom w:id="2" {TRACK}>{run("暗号甲7")}</w:moveFrom></w:p>'
        + para("暗号甲8", f'<w:vanish/><w:rPrChange w:id="3" {TRACK}><w:rPr/></w:rPrChange>')
        + f'<w:p><w:ins w:id="4" {TRACK}>{run("明文甲9")}</w:ins></w:p>'
        + f"<w:p><w:sdt><w:sdtContent>{run('明文甲10')}</w:sdtContent></w:sdt></w:p>"
        + table(
            row(para("表头")) + row(para("暗号甲11", WHITE)),
            '<w:tblStyle w:val="HdrShade"/><w:tblLook w:firstRow="1"/>',
        )
        + para(AFTER)
    )
    styles = style(
        "table",
        "HdrShade",
        more=f'<w:tblStylePr w:type="firstRow"><w:tcPr>{shd("1F3864")}</w:tcPr></w:tblStylePr>',
    )
    text = load_file(word_file(tmp_path / "青山区安全通知.docx", body, styles))
    assert "暗号" not in text, text
    assert all(kept in text for kept in (VISIBLE, "明文甲9", "明文甲10", "表头", AFTER)), text


def _field(code: str, result: str) -> str:
    """A complex field: its code between begin and separate (Word shows only the result), then its result."""
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> MERGEFIELD x </w:instrText></w:r><w:r><w:t>{code}</w:t></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>（字段之后）</w:t></w:r></w:p>'
    )


def test_text_in_a_complex_fields_code_is_not_read_and_its_result_is(tmp_path):
    """rt10 W1e: runs between a field's begin and separate are its code, which Word does not show."""
    text = load_around(tmp_path, _field(MARKER, "第五条 字段显示的结果。"))
    assert "暗号" not in text and "第五条 字段显示的结果。（字段之后）" in text and AFTER in text, text


@pytest.mark.parametrize(("spacing", "seen"), [("-1200", False), ("-200", False), ("-20", True), ("40", True)])
def test_characters_condensed_onto_one_spot_are_not_seen(tmp_path, spacing, seen):
    """rt10 W1f: w:spacing -60 pt piles every character on one spot (at 10.5 pt, -10 pt leaves a sliver); a
    point or two of condensing, or expanded spacing, is ordinary typesetting."""
    text = load_around(tmp_path, para(MARKER, f'<w:spacing w:val="{spacing}"/>'))
    assert ("暗号" in text) is seen and VISIBLE in text and AFTER in text, text
