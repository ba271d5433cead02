"""Ninth round, whole files refused for the right reason (issue 16; report in /tmp/rt9/README.md, rows N1f, N2a,
N3b and B5c).

- a file whose bytes are another format (RTF, PDF, a Word or Excel package, a zip, an old Office file, an image)
  under a text file's name (.md, .txt, .html) is refused naming what it is and what to do, never imported as its
  markup; text that merely mentions such a signature is read;
- an empty (0-byte) file is reported as empty, whatever its type, and is never the original other files are skipped
  as copies of; more generally a file that failed is never that original: the files skipped for its name are read
  in its place;
- GB18030 text full of 4-byte characters (ideographs beyond the BMP, emoji) is read as it is in UTF-8;
- a Word file of more XML elements than LoadLimits.docx_max_elements is refused before python-docx builds its tree,
  and libxml2 running out of memory or past its limits is never called damage.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from word_files import VISIBLE, para, word_file

import ingest.loaders.docx as docx_loader
from assistant.web.context import WebContext
from assistant.web.library_tab import import_uploads
from ingest.encoding import decode_bytes
from ingest.errors import EmptyDocument, IngestError, OverLimit, UnreadableFile
from ingest.loaders import EMPTY_FILE, load_file
from ingest.loaders import limits as limits_module
from ingest.loaders.limits import LoadLimits
from ingest.pipeline import ingest

GOOD = "# 青山区安全生产工作通知\n\n第一条 生产经营单位应当落实安全生产主体责任。\n"
RTF = rb"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}\f0 \'c7\'e0\'c9\'bd\'c7\'f8\par}"


def _zip(**parts: bytes) -> bytes:
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            # an OpenDocument's mimetype is stored uncompressed, as the format requires
            package.writestr(name.replace("__", "/"), data, zipfile.ZIP_STORED if name == "mimetype" else None)
    return saved.getvalue()


def _docx_bytes() -> bytes:
    saved = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("第一条 各单位应当落实安全生产主体责任。")
    document.save(saved)
    return saved.getvalue()


def _refusal(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as caught:
        load_file(path)
    return caught.value.reason


# --- N1f: another format under a text file's name ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["富文本通知.md", "富文本通知.txt", "富文本通知.html", "富文本通知.htm"])
def test_an_rtf_file_under_a_text_name_is_refused_saying_what_it_is(tmp_path, name):
    suffix = name.rsplit(".", 1)[1]
    reason = _refusal(tmp_path, name, RTF)
    assert reason == f"这是 RTF 富文本文件（扩展名是 .{suffix}），请用 Word 打开，另存为 .docx 后再导入"
    # after a BOM or blank lines too
    assert "RTF 富文本文件" in _refusal(tmp_path, "b" + name, b"\xef\xbb\xbf\r\n  " + RTF)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
            "这是 PDF 文件（扩展名是 .md），请把扩展名改为 .pdf",
        ),
        (_docx_bytes(), "这是 Word 文档（扩展名是 .md），请把扩展名改为 .docx"),
        (_zip(xl__workbook_xml=b"<workbook/>"), "这是 Excel 表格（扩展名是 .md）"),
        (_zip(mimetype=b"application/vnd.oasis.opendocument.text"), "这是 OpenDocument 文档（扩展名是 .md）"),
        (_zip(a_txt=b"x"), "这是压缩包（扩展名是 .md），请解压后导入其中的文档"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "这是旧版 Office 文档（如 .doc）（扩展名是 .md）"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "这是 PNG 图片（扩展名是 .md），图片中的文字无法导入"),
        (b"\xff\xd8\xff\xe0" + bytes(20), "这是 JPEG 图片"),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "zip", "ole", "png", "jpeg"],
)
def test_other_formats_under_a_text_name_are_named(tmp_path, data, said):
    assert _refusal(tmp_path, "通知.md", data).startswith(said)


def test_text_that_only_mentions_a_signature_and_html_as_txt_are_read(tmp_path):
    mention = tmp_path / "说明.md"
    mention.write_text(
        GOOD + "\n第二条 RTF 文件以 {\\rtf1 开头，PDF 文件以 %PDF-1.7 开头，压缩包以 PK 开头。\n", "utf-8"
    )
    assert "{\\rtf1" in load_file(mention) and "%PDF-1.7" in load_file(mention)
    page = tmp_path / "网页.txt"
    page.write_text("<html><body><p>第一条 生产经营单位应当落实安全生产主体责任。</p></body></html>", "utf-8")
    assert "第一条" in load_file(page)


def test_an_rtf_file_is_refused_and_the_others_imported_by_the_cli_pipeline(tmp_path, settings):
    folder = tmp_path / "文件夹"
    folder.mkdir()
    (folder / "富文本通知.md").write_bytes(RTF)
    (folder / "青山区通知.md").write_text(GOOD, "utf-8")
    results = {r.path.name: r for r in ingest([folder], settings).results}
    assert results["青山区通知.md"].status == "added"
    assert results["富文本通知.md"].status == "failed"
    assert results["富文本通知.md"].reason.startswith("这是 RTF 富文本文件（扩展名是 .md）")


# --- N2a: empty files; a failed file is no original ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".html", ".htm", ".md", ".txt"])
def test_an_empty_file_of_any_type_is_called_empty(tmp_path, suffix):
    path = tmp_path / f"空文件{suffix}"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument) as caught:
        load_file(path)
    assert caught.value.reason == EMPTY_FILE == "文件为空（0 字节），没有可入库的内容"


def test_empty_files_of_every_type_are_each_reported_empty_never_copies(tmp_path, settings):
    folder = tmp_path / "空文件夹"
    folder.mkdir()
    for suffix in (".docx", ".pdf", ".html", ".htm", ".md", ".txt"):
        (folder / f"空文件{suffix}").write_bytes(b"")
    (folder / "青山区通知.md").write_text(GOOD, "utf-8")
    results = {r.path.name: r for r in ingest([folder], settings).results}
    assert results.pop("青山区通知.md").status == "added"
    assert len(results) == 6
    for result in results.values():
        assert (result.status, result.reason) == ("failed", EMPTY_FILE), result
        assert "内容相同" not in result.reason


def test_a_copy_of_a_failed_file_is_read_in_its_place(tmp_path, settings):
    # the same text under a .docx name (fails: no Word file) and a .md name (reads): the .docx comes first
    folder = tmp_path / "同名"
    folder.mkdir()
    (folder / "青山区通知.docx").write_text(GOOD, "utf-8")
    (folder / "青山区通知.md").write_text(GOOD, "utf-8")
    results = {r.path.name: r for r in ingest([folder], settings).results}
    assert results["青山区通知.docx"].status == "failed" and "Word" in results["青山区通知.docx"].reason
    assert results["青山区通知.md"].status == "added", results["青山区通知.md"]
    assert len(results) == 2


def test_copies_and_namesakes_of_a_failed_file_each_say_why_or_are_imported(tmp_path, settings):
    for folder in ("a", "b", "c", "d"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "通知.md").write_bytes(RTF)  # the first of the name: fails
    (tmp_path / "b" / "通知.md").write_bytes(RTF)  # its copy: fails for its own reason, not "内容相同"
    (tmp_path / "c" / "通知.md").write_text(GOOD, "utf-8")  # a namesake with other content: imported
    (tmp_path / "d" / "通知.md").write_text(GOOD, "utf-8")  # a copy of that one: skipped as its copy
    report = ingest([tmp_path / f for f in "abcd"], settings)
    results = {r.path.parent.name: r for r in report.results}
    assert len(report.results) == 4
    assert results["a"].status == results["b"].status == "failed"
    assert results["b"].reason.startswith("这是 RTF 富文本文件")
    assert results["c"].status == "added"
    assert results["d"].status == "skipped" and f"与 {tmp_path / 'c' / '通知.md'} 内容相同" in results["d"].reason


# --- N3b: GB18030 with 4-byte characters ---------------------------------------------------------------------------

_RARE = "𠀀𠀁𪚥𫝀𬺰𰀀🈶😀"  # Ext B, C, D, E, G ideographs and emoji: four bytes each in GB18030 and in UTF-8


@pytest.mark.parametrize("rare_share", [0.15, 0.5, 0.95])
def test_gb18030_with_many_four_byte_characters_reads_as_utf8_does(rare_share):
    common = "青山区罕用字通知\n\n第一条 生产经营单位应当通风。\n"
    rare = _RARE * max(1, round(len(common) * 3 * rare_share / (1 - rare_share) / len(_RARE)))
    text = common * 3 + rare + "\n"
    assert decode_bytes(text.encode("utf-8"), Path("罕用字.txt")) == text
    assert decode_bytes(text.encode("gb18030"), Path("罕用字.txt")) == text


def test_gbk_and_big5_are_still_told_apart():
    text = "青山區商貿系統安全生產實施方案\n第一條 各單位應當落實安全生產主體責任。\n" * 3
    assert decode_bytes(text.encode("big5"), Path("方案.txt")) == text
    simplified = "青山区安全生产实施方案\n第一条 各单位应当落实安全生产主体责任。\n" * 3
    assert decode_bytes(simplified.encode("gbk"), Path("方案.txt")) == simplified


# --- B5c: a Word file of millions of elements ------------------------------------------------------------------------


def _runs(count: int) -> str:
    return "<w:p>" + '<w:r><w:rPr><w:sz w:val="24"/></w:rPr><w:t>字</w:t></w:r>' * count + "</w:p>"


def _elements(path) -> int:
    with zipfile.ZipFile(path) as package:
        return sum(
            package.read(n).count(b"<") - package.read(n).count(b"</") for n in package.namelist() if n.endswith(".xml")
        )


def test_a_word_file_over_the_element_cap_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = word_file(tmp_path / "很多段.docx", para(VISIBLE) + _runs(5_000))
    assert "字字字" in load_file(path)  # under the default cap
    parsed = []
    monkeypatch.setattr(docx_loader.docx, "Document", lambda *args: parsed.append(args))
    with pytest.raises(OverLimit) as caught:
        load_file(path, LoadLimits(docx_max_elements=10_000))
    assert caught.value.reason.startswith("Word 文档（.docx）中的元素（XML 标签）超过 10,000 个")
    assert "其他文件照常导入" in caught.value.reason and not parsed


def test_the_element_count_is_exact_across_inflated_chunks(tmp_path, monkeypatch):
    path = word_file(tmp_path / "计数.docx", para(VISIBLE) + _runs(700))
    exact = _elements(path)
    for step in (7, 4096, 2**20):  # chunks that cut "</" in two, or not
        monkeypatch.setattr(limits_module, "_STEP", step)
        limits_module.check_zip(path, LoadLimits(), max_elements=exact)
        with pytest.raises(OverLimit):
            limits_module.check_zip(path, LoadLimits(), max_elements=exact - 1)


def test_a_normal_word_file_reads_the_same_with_the_count(tmp_path):
    path = word_file(
        tmp_path / "正常.docx", "".join(para(f"第{n}条 各单位应当落实安全生产主体责任。") for n in range(1, 400))
    )
    assert load_file(path, LoadLimits(docx_max_elements=10**12)) == load_file(path) != ""


def test_the_element_cap_holds_in_the_pipeline(tmp_path, settings):
    settings = settings.model_copy(update={"docx_max_elements": 5_000})  # ANQUAN_DOCX_MAX_ELEMENTS
    folder = tmp_path / "文件夹"
    folder.mkdir()
    word_file(folder / "很多段.docx", para(VISIBLE) + _runs(3_000))
    (folder / "青山区通知.md").write_text(GOOD, "utf-8")
    results = {r.path.name: r for r in ingest([folder], settings).results}
    assert results["青山区通知.md"].status == "added"
    assert results["很多段.docx"].status == "failed" and "超过 5,000 个" in results["很多段.docx"].reason
    assert "ANQUAN_DOCX_MAX_ELEMENTS" in results["很多段.docx"].reason


@pytest.mark.parametrize(
    ("code", "said", "unsaid"),
    [
        (etree.ErrorTypes.ERR_NO_MEMORY, "内存不足", "损坏"),
        (etree.ErrorTypes.ERR_RESOURCE_LIMIT, "结构过于复杂", "损坏"),
        (etree.ErrorTypes.ERR_TAG_NAME_MISMATCH, "已损坏", "内存"),
    ],
    ids=["out of memory", "libxml2 limit", "real damage"],
)
def test_libxml2_running_out_is_not_called_damage(tmp_path, monkeypatch, code, said, unsaid):
    path = word_file(tmp_path / "通知.docx", para(VISIBLE))

    def failing(*args):
        raise etree.XMLSyntaxError("unknown error", code, 1, 1)

    monkeypatch.setattr(docx_loader.docx, "Document", failing)
    with pytest.raises(IngestError) as caught:
        load_file(path)
    assert said in caught.value.reason and unsaid not in caught.value.reason, caught.value.reason


def test_a_real_xml_error_is_still_damage(tmp_path):
    path = tmp_path / "坏.docx"
    with zipfile.ZipFile(word_file(tmp_path / "好.docx", para(VISIBLE))) as good, zipfile.ZipFile(path, "w") as bad:
        for name in good.namelist():
            data = good.read(name)
            bad.writestr(name, data.replace(b"</w:body>", b"</w:bodyx>") if name == "word/document.xml" else data)
    with pytest.raises(UnreadableFile) as caught:
        load_file(path)
    assert "已损坏（XML 格式错误" in caught.value.reason


# --- the web's upload path gives the same reasons --------------------------------------------------------------------


def test_the_web_upload_gives_the_same_reasons(tmp_path, settings):
    # (the web ingests in a worker process, with LoadLimits.from_settings as the command line: the element cap too)
    browser = tmp_path / "browser"
    browser.mkdir()
    (browser / "富文本通知.md").write_bytes(RTF)
    (browser / "压缩包通知.txt").write_bytes(_docx_bytes())
    text = "青山区罕用字通知\n\n第一条 生产经营单位应当通风。\n" + _RARE * 20 + "\n"
    (browser / "罕用字通知.txt").write_bytes(text.encode("gb18030"))
    message, rows = import_uploads(WebContext(settings), [str(p) for p in sorted(browser.iterdir())])
    results = {row[0]: (row[1], row[3]) for row in rows}
    assert results["富文本通知.md"] == (
        "失败",
        "这是 RTF 富文本文件（扩展名是 .md），请用 Word 打开，另存为 .docx 后再导入",
    )
    assert results["压缩包通知.txt"] == ("失败", "这是 Word 文档（扩展名是 .txt），请把扩展名改为 .docx 后再导入")
    assert results["罕用字通知.txt"][0] == "新增", results
    assert "有文件未能导入" in message


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"{\\rtf1\\ansi hello}", "这不是 PDF 文件，而是 RTF 富文本文件（扩展名是 .pdf）"),
        ("编号,名称\n1,动火作业\n".encode("gbk"), "这不是 PDF 文件（文件开头没有 PDF 标记）"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"ppt/presentation.xml", "这不是 PDF 文件，而是 PowerPoint 演示文稿"),
    ],
    ids=["rtf", "gbk-csv", "pptx"],
)
def test_a_file_renamed_to_pdf_is_told_to_be_no_pdf(tmp_path, content, said):
    """rt9 N1c/N1d: a .pptx or a CSV renamed .pdf was called a damaged PDF."""
    path = tmp_path / "通知.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=said):
        load_file(path)
    damaged = tmp_path / "坏.pdf"
    damaged.write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(UnreadableFile, match="PDF 文件已损坏"):
        load_file(damaged)
