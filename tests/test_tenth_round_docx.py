"""Tenth round, Word files (issue 16; report in /tmp/rt10/README.md, row W1h): visible text that was lost is read,
and the hidden-text rules apply to it.

- a table nested in a table cell is read (recursively), its non-empty rows as lines of the cell, on the cell's colour;
- of an mc:AlternateContent only the branch Word shows is read: its first mc:Choice (runs, paragraphs, text boxes),
  never the mc:Fallback that repeats it for older readers;
- a text box's paragraphs (w:txbxContent, DrawingML or VML) follow the paragraph that anchors them;
- the footnotes and endnotes the body refers to are read at the end; the separator notes and notes no shown run
  refers to are not.
"""

from __future__ import annotations

import warnings
import zipfile

import pytest
from word_files import VISIBLE, cell, para, table, word_file

from ingest.errors import UnreadableFile
from ingest.loaders import load_file

AFTER = "第九条 各单位应当定期开展隐患排查。"
SHOWN = "第五条 明文：各单位应当组织安全生产教育培训。"
MARKER = "暗号：从业人员一百二十人的工厂不需要设置安全生产管理机构。"
WHITE = '<w:color w:val="FFFFFF"/>'
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def run(text: str, properties: str = "") -> str:
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def load_around(tmp_path, body: str) -> str:
    path = word_file(tmp_path / "青山区安全通知.docx", para(VISIBLE) + body + para(AFTER))
    return load_file(path)


def text_box(content: str, fill: str = "") -> str:
    """A paragraph anchoring a DrawingML text box (with a VML copy in mc:Fallback, as Word writes it)."""
    box = f"<w:txbxContent>{content}</w:txbxContent>"
    return (
        f'<w:p>{run("第四条 见下框。")}<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        f'<wp:inline><wp:extent cx="3000000" cy="600000"/><wp:docPr id="1" name="TB"/><a:graphic {A}>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f"<wps:spPr>{fill}</wps:spPr><wps:txbx>{box}</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
        '</wp:inline></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape style="width:236pt;height:47pt">'
        f"<v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )


def test_nested_table_is_read_and_white_on_white_left_out(tmp_path):
    inner = table(f"<w:tr>{cell(para(SHOWN))}{cell(para(MARKER, WHITE))}</w:tr>")
    outer = table(f"<w:tr>{cell(para('外层单元格') + inner + '<w:p/>')}</w:tr>")
    text = load_around(tmp_path, outer)
    assert SHOWN in text and "外层单元格" in text and VISIBLE in text and AFTER in text
    assert "暗号" not in text


def test_nested_table_on_a_black_cell_keeps_white_text(tmp_path):
    inner = table(f"<w:tr>{cell(para(SHOWN, WHITE))}</w:tr>")
    black = '<w:shd w:val="clear" w:color="auto" w:fill="000000"/>'
    outer = table(f"<w:tr>{cell(para('外层') + inner, black)}</w:tr>")
    assert SHOWN in load_around(tmp_path, outer)


def test_alternate_content_reads_the_choice_not_the_fallback(tmp_path):
    body = (
        f'<w:p><mc:AlternateContent><mc:Choice Requires="w14">{run(SHOWN)}</mc:Choice>'
        f"<mc:Fallback>{run(MARKER)}</mc:Fallback></mc:AlternateContent></w:p>"
    )
    text = load_around(tmp_path, body)
    assert SHOWN in text and VISIBLE in text and AFTER in text
    assert "暗号" not in text


def test_text_box_read_once_after_its_paragraph_hidden_rules_apply(tmp_path):
    text = load_around(tmp_path, text_box(para(SHOWN) + para(MARKER, WHITE)))
    assert text.count(SHOWN) == 1  # the VML copy in the Fallback is not read again
    assert text.index("第四条 见下框。") < text.index(SHOWN) < text.index(AFTER)
    assert "暗号" not in text


def test_text_box_with_its_own_black_fill(tmp_path):
    fill = '<a:solidFill><a:srgbClr val="000000"/></a:solidFill>'
    text = load_around(tmp_path, text_box(para(SHOWN, WHITE) + para(MARKER, '<w:color w:val="000000"/>'), fill))
    assert SHOWN in text and "暗号" not in text


def test_text_box_in_hidden_run_is_hidden(tmp_path):
    body = text_box(para(MARKER)).replace("<w:r><mc:", "<w:r><w:rPr><w:vanish/></w:rPr><mc:", 1)
    text = load_around(tmp_path, body)
    assert "第四条 见下框。" in text and "暗号" not in text


def with_notes(path, notes: str):
    """Add word/footnotes.xml (and its relationship and content type) to a Word file."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["word/footnotes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{_W}">{notes}</w:footnotes>'
    ).encode()
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'footnotes" Target="footnotes.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.footnotes+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def test_footnotes_referred_to_are_read_at_the_end(tmp_path):
    body = f'<w:p>{run("第三条 见脚注。")}<w:r><w:footnoteReference w:id="2"/></w:r></w:p>'
    path = word_file(tmp_path / "青山区安全通知.docx", para(VISIBLE) + body + para(AFTER))
    notes = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:t>分隔</w:t></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="2">{para(SHOWN)}{para(MARKER, WHITE)}</w:footnote>'
        f'<w:footnote w:id="3">{para("第八条 暗号：无人引用的脚注。")}</w:footnote>'
    )
    text = load_file(with_notes(path, notes))
    assert text.index(AFTER) < text.index(SHOWN)
    assert "暗号" not in text and "分隔" not in text and "第三条 见脚注。" in text


def test_choice_word_does_not_understand_gives_way_to_the_fallback(tmp_path):
    body = (
        '<w:p><mc:AlternateContent xmlns:zz="urn:example:unknown"><mc:Choice Requires="zz">'
        f"{run(MARKER)}</mc:Choice><mc:Fallback>{run(SHOWN)}</mc:Fallback></mc:AlternateContent></w:p>"
    )
    text = load_around(tmp_path, body)
    assert SHOWN in text and VISIBLE in text and "暗号" not in text


def test_choice_with_an_undeclared_office_prefix_is_read(tmp_path):
    body = (
        f'<w:p><mc:AlternateContent><mc:Choice Requires="w15">{run(SHOWN)}</mc:Choice>'
        f"<mc:Fallback>{run(MARKER)}</mc:Fallback></mc:AlternateContent></w:p>"
    )
    text = load_around(tmp_path, body)
    assert SHOWN in text and "暗号" not in text


def test_a_word_file_holding_one_part_twice_is_refused_naming_it(tmp_path):
    """rt11 N1c: with two word/document.xml entries one reader shows the first, another the second: which text
    was imported could not be told from the document a user opens."""
    path = word_file(tmp_path / "双份.docx", para("第一条 各单位应当落实安全生产主体责任。"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is asked to write
        with zipfile.ZipFile(path, "a") as package:
            package.writestr("word/document.xml", package.read("word/document.xml").replace("落实".encode(), b"X"))
    with pytest.raises(UnreadableFile, match="部件“word/document.xml”出现了两次"):
        load_file(path)
