"""Round 58, files (hostile tester's report):

- A 34 KB .xlsx answers file whose sharedStrings.xml was 16 MB of 1.5 million empty rich-text runs (just under the
  16 MB from which a part's compression ratio was asked, and the answers' 20 MB unpacked) took 900 MB; a row of
  millions of empty cells 1.4 GB. A workbook is now held to the compression ratio from 1 MB and to 200,000 XML
  elements (ingest.loaders.limits.check_zip), before openpyxl reads it.
- A PDF refused for what is not a stream's size (a content of millions of text operators, a stream whose /Length is
  itself, a page its own /Parent) was told 单个数据流…超过 32 MB with the advice to raise ANQUAN_PDF_MAX_STREAM_MB,
  which never helped.
- An upload named CON.txt (kept as CON_.txt) must show as CON_.txt in the results table, no escape showing."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import isolated_settings, write_pdf

from assistant.selfcheck.checklist import AnswerError, load_answers
from ingest.pipeline import ingest

# --- a workbook that costs far more memory than its size --------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="自查清单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SST = '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_SHEET = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
_MB16 = 16 * 2**20 - 400  # just under the 16 MB from which the ratio was asked before


def _shaky(count: int) -> str:
    """count rich-text runs of one varying letter each: a part that compresses only about 30 to 1."""
    letters = random.Random(58)
    return "".join(f"<r><t>{letters.choice('abcd')}</t></r>" for _ in range(count))


# variant -> (sharedStrings body, sheetData body)
_HOSTILE = {
    "empty-rich-text-runs": ("<si>" + "<r><t/></r>" * (_MB16 // 11) + "</si>", _HEADER_ROW),  # the tester's file
    "many-empty-strings": ("<si/>" * (_MB16 // 5), _HEADER_ROW),
    "one-huge-cell": ("<si><t>" + "安" * (_MB16 // 3) + "</t></si>", _HEADER_ROW),
    "row-of-empty-cells": ("<si><t>x</t></si>", '<row r="1">' + "<c/>" * (_MB16 // 4) + "</row>"),
    "many-empty-rows": ("<si><t>x</t></si>", "<row/>" * (_MB16 // 6)),
    # compressed too little for the ratio: refused for the number of its elements
    "runs-that-compress-30-to-1": ("<si>" + _shaky(300_000) + "</si>", _HEADER_ROW),
    "cells-that-compress-10-to-1": (
        "<si><t>x</t></si>",
        '<row r="1">' + "".join(f'<c r="A{random.Random(n).randrange(1, 65)}"/>' for n in range(210_000)) + "</row>",
    ),
}


def _workbook(path: Path, strings: str, rows: str) -> Path:
    parts = [
        ("[Content_Types].xml", _CT),
        ("_rels/.rels", _RELS),
        ("xl/workbook.xml", _WB),
        ("xl/_rels/workbook.xml.rels", _WB_RELS),
        ("xl/worksheets/sheet1.xml", _SHEET + rows + "</sheetData></worksheet>"),
        ("xl/sharedStrings.xml", _SST + strings + "</sst>"),
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        for name, text in parts:
            package.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def hostile_workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workbooks")
    return {name: _workbook(folder / f"{name}.xlsx", *bodies) for name, bodies in _HOSTILE.items()}


@pytest.mark.parametrize("variant", list(_HOSTILE))
def test_a_workbook_that_would_take_hundreds_of_megabytes_is_refused_naming_the_file_and_what_to_do(
    hostile_workbooks, variant
):
    path = hostile_workbooks[variant]
    assert path.stat().st_size < 1024 * 1024  # within the answers file's size limit: not refused for its size
    with pytest.raises(AnswerError) as refused:
        load_answers(path)
    said = str(refused.value)
    assert said.startswith(f"{path}："), said
    assert "压缩比异常" in said or "XML 元素（单元格、文字片段等）超过 200,000 个" in said, said
    assert "请用 anquan check --out 导出的 .xlsx 重新填写" in said, said


_MEASURE = """
import json, resource, sys
from pathlib import Path
from assistant.selfcheck.checklist import AnswerError, load_answers
good, hostile = sys.argv[1], sys.argv[2:]
load_answers(Path(good))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
said = []
for name in hostile:
    try:
        load_answers(Path(name))
    except AnswerError as exc:
        said.append(str(exc))
print(json.dumps({"before": before, "after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "said": said}))
"""


def test_reading_every_hostile_workbook_in_turn_takes_a_few_megabytes(hostile_workbooks, tmp_path):
    """Peak memory (kB, ru_maxrss) of a process that read a real exported answers workbook, then tried every hostile
    one: it grows by less than 40 MB (before: the tester's file alone took 900 MB, the row of empty cells 1.4 GB)."""
    good = _exported(tmp_path / "自查表.xlsx")
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(good), *map(str, hostile_workbooks.values())],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(measured["said"]) == len(hostile_workbooks), measured
    grown = (measured["after"] - measured["before"]) / 1024
    assert grown < 40, f"peak memory grew by {grown:.0f} MB"


def _exported(path: Path, industry: str = "餐饮", employees: int = 25, every: bool = False) -> Path:
    """The workbook the self-check exports, answered (every item 否, or the first two), as a user hands it back."""
    from assistant.pack import KnowledgePack
    from assistant.selfcheck import build_checklist, read_profile
    from assistant.selfcheck.export import to_xlsx
    from ingest.settings import Settings

    pack = KnowledgePack(Settings().knowledge_dir)
    checklist = build_checklist(None, pack, read_profile(pack, industry, employees))
    items = checklist.items if every else checklist.items[:2]
    answers = {item.id: "否" for item in items}
    return to_xlsx(checklist, path, answers, checklist.gap_report(answers))


def test_an_exported_and_filled_in_workbook_is_still_read(tmp_path):
    from assistant.pack import KnowledgePack
    from assistant.selfcheck import build_checklist, read_profile
    from ingest.settings import Settings

    pack = KnowledgePack(Settings().knowledge_dir)
    checklist = build_checklist(None, pack, read_profile(pack, "矿山", 3000))  # the longest checklist
    path = _exported(tmp_path / "自查表.xlsx", "矿山", 3000, every=True)
    assert load_answers(path, checklist) == {item.id: "否" for item in checklist.items}


# --- a PDF refused for what it is, with advice that works -------------------------------------------------------------

_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_TEXT = b"BT /F1 24 Tf 100 700 Td (Article 1) Tj ET"


def _pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF of the given numbered object bodies, with its cross-reference table; object 1 is the catalog."""
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _one_page(**changed: bytes) -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >>"
        b" >> >>",
        4: b"<< /Length %d >>\nstream\n" % len(_TEXT) + _TEXT + b"\nendstream",
        5: _FONT,
    }
    objects.update({int(key[1:]): body for key, body in changed.items()})
    return _pdf(objects)


def _many_operators() -> bytes:
    """A page of 1.05 million text operators: 7 MB of content once inflated, far under the 32 MB stream limit, over
    pypdf's two million tokens a stream."""
    content = zlib.compress(b"BT /F1 1 Tf " + b"(a) Tj " * 1_050_000 + b"ET", 9)
    return _one_page(o4=b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")


_PDFS = {
    "指令过多.pdf": (_many_operators, "内容过于复杂：一页的内容中文字和绘图指令过多", "改用原文件（Word 等）导入"),
    "长度自引用.pdf": (
        lambda: _one_page(o4=b"<< /Length 4 0 R >>\nstream\n" + _TEXT + b"\nendstream"),
        "PDF 文件结构损坏（对象引用自身或形成循环）",
        "“打印”为新的 PDF",
    ),
    "父节点循环.pdf": (
        lambda: _one_page(o3=b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
        "PDF 文件结构损坏（对象引用自身或形成循环）",
        "“打印”为新的 PDF",
    ),
}


@pytest.fixture(scope="module")
def pdf_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdfs")
    for name, (make, _, _) in _PDFS.items():
        (folder / name).write_bytes(make())
    write_pdf(folder / "青山市粉尘防爆安全规定.pdf")
    return folder


@pytest.mark.parametrize("stream_mb", [32, 1000])
def test_a_pdf_refused_for_its_structure_says_why_and_never_to_raise_the_stream_limit(pdf_folder, tmp_path, stream_mb):
    report = ingest([pdf_folder], isolated_settings(tmp_path / "data", pdf_max_stream_mb=stream_mb))
    by_name = {r.path.name: r for r in report.results}
    assert by_name["青山市粉尘防爆安全规定.pdf"].status == "added", by_name  # the others are imported
    for name, (_, why, advice) in _PDFS.items():
        result = by_name[name]
        assert result.status == "failed", result
        assert why in result.reason and advice in result.reason, result.reason
        assert "ANQUAN_PDF_MAX_STREAM_MB" not in result.reason and "MB" not in result.reason, result.reason
        assert "单个数据流" not in result.reason, result.reason


def test_a_stream_over_the_limit_is_still_told_so_with_the_setting_that_helps(tmp_path):
    import pdf_pages

    from ingest.errors import OverLimit
    from ingest.loaders.limits import LoadLimits
    from ingest.loaders.pdf import load_pdf

    path = tmp_path / "大流.pdf"  # 2 MB of content, uncompressed: pypdf refuses its declared length past 1 MB
    path.write_bytes(pdf_pages.raw_pdf(pdf_pages.shown("第一条 安全。") + " " * (2 * 2**20)))
    with pytest.raises(OverLimit, match="单个数据流声明或解压后超过 1 MB.*调大 ANQUAN_PDF_MAX_STREAM_MB"):
        load_pdf(path, LoadLimits(pdf_max_stream_mb=1))
    assert load_pdf(path, LoadLimits(pdf_max_stream_mb=3)).startswith("第一条 安全。")  # raising it helps


# --- the name an upload was kept under -------------------------------------------------------------------------------


def test_an_upload_named_con_shows_as_the_name_it_was_kept_under_without_escapes(tmp_path):
    """The results table is Markdown (file names escaped: CON\\_.txt); what the page shows is the name kept."""
    from markdown_it import MarkdownIt

    from assistant.web.context import WebContext
    from assistant.web.library_tab import import_uploads, results_markdown
    from ingest.settings import Settings

    browser = tmp_path / "browser"
    browser.mkdir()
    (browser / "CON.txt").write_text(
        "# 青山市3号安全规定\n\n第一条 生产经营单位应当落实安全措施。\n\n第二条 本规定自公布之日起施行。\n",
        encoding="utf-8",
    )
    ctx = WebContext(Settings())
    try:
        _, rows = import_uploads(ctx, [str(browser / "CON.txt")])
        kept = [p.name for p in (ctx.settings.data_dir / "uploads").iterdir()]
    finally:
        ctx.close()
    assert kept == ["CON_.txt"] and rows[0][:2] == ["CON_.txt", "新增"], rows
    shown = MarkdownIt("commonmark").enable("table").render(results_markdown(rows))
    assert "<td>CON_.txt</td>" in shown and "\\" not in shown, shown
