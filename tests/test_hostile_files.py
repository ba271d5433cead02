"""Hostile and broken files at ingest (issue 16, classes 1, 2, 3, 8 and 9), asserted as a user sees them:
the bad file is reported with a Chinese reason (its row names it), the good files of the same batch are
indexed and answerable, nothing stored is lost, and memory stays bounded on bombs (the peaks are printed;
run with -s to see them). Every file is generated here: fuzzed PDFs and Word files from the conftest
fixtures, zip and PDF bombs, GBK file names, and text in broken or mixed encodings."""

from __future__ import annotations

import codecs
import json
import os
import random
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW, write_docx, write_pdf
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from assistant.ask import Assistant
from assistant.web.uploads import accept_uploads, ingest_uploads, staging_root, uploads_dir
from ingest.articles import ArticleRef
from ingest.chunk import pack
from ingest.errors import IngestError
from ingest.knowledge_base import KnowledgeBase
from ingest.loaders import load_file
from ingest.loaders.limits import LoadLimits
from ingest.pipeline import Ingestor, ingest
from ingest.settings import Settings
from ingest.tokens import count_tokens, split_to_budget
from ingest.walk import StampCache

CHINESE = re.compile(r"[\u4e00-\u9fff]{4}")
ENGLISH_TRACE = re.compile(r"Traceback|Error\b|Exception|Warning|pypdf|Ignoring|wrong pointing", re.I)
BIG5_TEXT = (FIXTURES / "青山區商貿系統安全生產實施方案.txt").read_text(encoding="utf-8")
LAW = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
QUESTION, ARTICLE = "动火作业前要清除什么？", "第七条"  # answered by the fixture regulation

AMMONIA = """# 青山市液氨储存安全规定

第一条 为了加强液氨储存安全管理，制定本规定。

第二条 液氨储罐区应当设置氨气泄漏检测报警装置，并与喷淋系统联锁。

第三条 液氨储罐充装量不得超过储罐容积的百分之八十五。

第四条 违反本规定的，由应急管理部门责令限期改正。
"""
GBK_NAMED = """# 青山市粮食仓储熏蒸作业安全规定

第一条 为了规范粮食仓储熏蒸作业，制定本规定。

第二条 熏蒸作业前应当张贴警示标志，熏蒸期间严禁无关人员进入仓房。

第三条 熏蒸结束后散气不少于五日，经检测磷化氢浓度合格后方可进仓。
"""


def _settings(data_dir: Path, **limits) -> Settings:
    return Settings(data_dir=data_dir, embedder="builtin", **limits)


def _chinese_reason(reason: str) -> None:
    assert CHINESE.search(reason), reason
    assert not ENGLISH_TRACE.search(reason), reason


def _cited(settings: Settings, question: str) -> list[dict]:
    return Assistant(KnowledgeBase(settings)).ask(question).answer.citations


# --- building hostile files -----------------------------------------------------------------------


def _deflate_stream(mib: int, byte: bytes = b"\0") -> bytes:
    """A raw deflate stream of mib MiB of one byte, built in milliseconds: one compressed MiB ending in a full
    flush (so it stands alone) repeated, then the final block. About 1 KB per MiB: the shape of a zip bomb."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = byte * 2**20
    compressor.compress(block)
    compressor.flush(zlib.Z_FULL_FLUSH)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return unit * mib + compressor.flush()


def _docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {item.filename: package.read(item.filename) for item in package.infolist()}


def _write_zip(path: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def _with_raw_member(path: Path, parts: dict[str, bytes], names: list[str], raw: bytes, declared: int) -> Path:
    """A zip of parts whose members `names` each hold the raw deflate stream `raw` and declare `declared`
    bytes unpacked (both headers patched; the CRC is left wrong, as a hostile file may)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as package:
        for part, data in parts.items():
            package.writestr(part, raw if part in names else data)
    data = bytearray(path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length].decode() in names:
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<H", data, at + 10, zipfile.ZIP_DEFLATED)
            struct.pack_into("<I", data, at + 24, declared)
            struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
            struct.pack_into("<I", data, local + 22, declared)
        at += 4
    path.write_bytes(bytes(data))
    return path


def zip_bomb_docx(path: Path) -> Path:
    """A Word file of about 4 MB whose document.xml unpacks to 3.9 GB (honestly declared)."""
    parts = _docx_parts(write_docx(path))
    return _with_raw_member(path, parts, ["word/document.xml"], _deflate_stream(3900), 3900 * 2**20)


def overlapping_parts_docx(path: Path) -> Path:
    """Three parts of 3.9 GB each: nearly 12 GB declared in all, from 12 MB."""
    names = ["word/document.xml", "word/media/image1.png", "word/media/image2.png"]
    parts = {**_docx_parts(write_docx(path)), **{n: b"" for n in names[1:]}}
    return _with_raw_member(path, parts, names, _deflate_stream(3900), 3900 * 2**20)


def high_ratio_docx(path: Path) -> Path:
    """Under the total limit (60 MB) but a part compressed 1000 to 1: an embedded object of zeros (a picture part,
    word/media/…, is bounded by the total alone: a blank picture compresses as well, test_thirtyeighth_round)."""
    parts = _docx_parts(write_docx(path))
    member = "word/embeddings/oleObject1.bin"
    return _with_raw_member(path, {**parts, member: b""}, [member], _deflate_stream(60), 60 * 2**20)


def lying_sizes_docx(path: Path) -> Path:
    """document.xml declares 2 KB but its stream inflates to 2 GB: zipfile stops at the declared size."""
    parts = _docx_parts(write_docx(path))
    return _with_raw_member(path, parts, ["word/document.xml"], _deflate_stream(2048), 2048)


def many_parts_docx(path: Path) -> Path:
    parts = _docx_parts(write_docx(path))
    parts.update({f"customXml/item{n}.xml": b"<a/>" for n in range(10500)})
    return _write_zip(path, parts, level=1)


def _zlib_stream(mib: int, byte: bytes = b" ") -> bytes:
    """A zlib (FlateDecode) stream of mib MiB, its checksum left wrong."""
    return b"\x78\xda" + _deflate_stream(mib, byte) + b"\0\0\0\0"


def pdf_bomb(path: Path, good_pages: bool = False) -> Path:
    """A PDF page whose content stream inflates to 1 GB of spaces (from about 1 MB); with good_pages, the
    fixture's text pages come first."""
    writer = PdfWriter(clone_from=str(write_pdf(path))) if good_pages else PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = StreamObject()
    stream._data = _zlib_stream(1024)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(  # a font, so that text extraction reads the stream
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    writer.write(str(path))
    return path


PDF_FILTERS = [
    b"/Bogus",
    b"/LZWDecode",
    b"/JBIG2Decode",
    b"/DCTDecode",
    b"/CCITTFaxDecode",
    b"/RunLengthDecode",
    b"/Crypt",
]


def fuzzed_pdf(data: bytes, rng: random.Random) -> bytes:
    """One random corruption of a valid PDF: flipped or inserted bytes, an unsupported filter, a huge
    declared length, a broken cross-reference table, a cut."""
    data = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        data = bytearray(bytes(data).replace(b"/FlateDecode", rng.choice(PDF_FILTERS)))
    elif kind == 2:
        at = rng.randrange(len(data))
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    elif kind == 3:
        data = bytearray(bytes(data).replace(b"/Length", b"/Length 99999999999 /Foo", 1))
    elif kind == 4:
        data = bytearray(bytes(data).replace(b"xref", b"xrfe").replace(b"startxref", b"startxref\n999999"))
    else:
        at = rng.randrange(len(data))
        del data[at : at + rng.randrange(1, 500)]
    return bytes(data)


def fuzzed_docx(parts: dict[str, bytes], path: Path, rng: random.Random, kind: int) -> Path:
    """One corruption of a valid Word file: a truncated XML part, a missing part, garbage bytes in a part,
    malformed XML in the body, or random bytes flipped in the zip itself."""
    parts = dict(parts)
    name = rng.choice(sorted(parts))
    if kind == 0:
        parts[name] = parts[name][: rng.randrange(len(parts[name]))]
    elif kind == 1:
        del parts[name]
    elif kind == 2:
        data = bytearray(parts[name])
        for _ in range(10):
            data[rng.randrange(len(data))] = rng.randrange(256)
        parts[name] = bytes(data)
    elif kind == 3:
        parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", b"<w:p><w:r></w:body>")
    _write_zip(path, parts)
    if kind == 4:
        data = bytearray(path.read_bytes())
        for _ in range(rng.randrange(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
    return path


def _gbk_name(text: str) -> str:
    """A file name as Python sees one whose bytes are GBK (unpacked from a Windows archive)."""
    return os.fsdecode(text.encode("gbk"))


# --- one batch with a bad file of every class beside good ones -------------------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "files"
    folder.mkdir()
    # good files, which must be indexed and answerable
    (folder / f"{REGULATION_NEW}.md").write_text(LAW, encoding="utf-8")
    write_docx(folder / "青山市有限空间作业安全管理办法.docx")
    write_pdf(folder / "青山市粉尘防爆安全规定.pdf")
    # class 1: parser errors
    (folder / "UTF16标记但内容损坏.txt").write_bytes(codecs.BOM_UTF16_LE + bytes(range(1, 256)) * 8)
    parts = _docx_parts(write_docx(root / "base.docx"))
    _write_zip(
        folder / "XML格式错误的文档.docx",
        {**parts, "word/document.xml": parts["word/document.xml"].replace(b"</w:body>", b"<w:p><w:r></w:body>")},
    )
    (folder / "不支持的压缩算法.pdf").write_bytes(
        write_pdf(root / "base.pdf").read_bytes().replace(b"/FlateDecode", b"/Bogus")
    )
    (folder / "改了扩展名的压缩包.docx").write_bytes(_write_zip(root / "x.zip", {"readme.txt": b"hello"}).read_bytes())
    # class 3: bombs
    zip_bomb_docx(folder / "压缩炸弹.docx")
    high_ratio_docx(folder / "高压缩比的文档.docx")
    pdf_bomb(folder / "带炸弹页的规定.pdf", good_pages=True)
    # class 8: one 1 MB line
    line = "生产经营单位应当建立健全全员安全生产责任制和安全生产规章制度，加大对安全生产资金、物资、技术、人员的投入保障力度"
    # the sentence's characters shuffled anew each time: one sentence repeated 6,000 times is refused as repetition
    # (ANQUAN_MAX_REPETITION_RATIO), and a real 1 MB line is no more repetitive than this
    shuffled = "".join("".join(random.Random(n).sample(line, len(line))) for n in range(6000))
    (folder / "一行一兆的文本.txt").write_text(
        "青山市安全生产长行记录" + shuffled + "结尾标记动火审批", encoding="utf-8"
    )
    # class 9: encodings
    (folder / "UTF8与Big5混合.txt").write_bytes(AMMONIA.encode() + b"\n" + BIG5_TEXT.encode("big5"))
    stray = AMMONIA.replace("液氨储存", "液氯储存").encode()
    at = stray.index("第三条".encode())
    (folder / "一个坏字节的规定.md").write_bytes(stray[:at] + b"\xff" + stray[at:])
    (folder / "无BOM的UTF16LE规定.txt").write_bytes(AMMONIA.replace("液氨", "液化石油气").encode("utf-16-le"))
    (folder / "无BOM的UTF16BE规定.txt").write_bytes(AMMONIA.replace("液氨", "天然气").encode("utf-16-be"))
    # class 2: a GBK file name
    (folder / _gbk_name("青山市粮食熏蒸规定.md")).write_text(GBK_NAMED, encoding="utf-8")
    settings = _settings(root / "data")
    started = time.perf_counter()
    report = ingest([folder], settings)
    return settings, report, time.perf_counter() - started, folder


FAILED = {
    "UTF16标记但内容损坏.txt": "不是有效的 UTF-16",
    "XML格式错误的文档.docx": "XML 格式错误",
    "不支持的压缩算法.pdf": "PDF 文件已损坏",
    "改了扩展名的压缩包.docx": "不是 Word 文档",
    "压缩炸弹.docx": "压缩炸弹",
    "高压缩比的文档.docx": "压缩比异常",
}


def test_each_bad_file_fails_alone_with_a_chinese_reason(batch):
    _, report, seconds, _ = batch
    by_name = {r.path.name: r for r in report.results}
    for name, phrase in FAILED.items():
        result = by_name[name]
        assert result.status == "failed" and phrase in result.reason, (name, result)
        _chinese_reason(result.reason)
    assert {r.path.name for r in report.results if r.status == "failed"} == set(FAILED)
    bomb = by_name["压缩炸弹.docx"].reason
    assert re.search(r"解压后将达 3,90\d MB", bomb) and "ANQUAN_ZIP_MAX_UNPACKED_MB" in bomb
    assert seconds < 90, f"the batch took {seconds:.0f}s"


def test_the_good_files_of_the_batch_are_indexed_and_answerable(batch):
    settings, report, _, _ = batch
    by_name = {r.path.name: r for r in report.results}
    for name in (f"{REGULATION_NEW}.md", "青山市有限空间作业安全管理办法.docx", "青山市粉尘防爆安全规定.pdf"):
        assert by_name[name].status == "added", by_name[name]
    assert {"doc": REGULATION_NEW, "article": ARTICLE} in [
        {"doc": c["doc"], "article": c["article"]} for c in _cited(settings, QUESTION)
    ]
    kb = KnowledgeBase(settings)
    assert "氧含量低于百分之十九点五" in kb.get_article("青山市有限空间作业安全管理办法", ArticleRef(3)).text


def test_a_pdf_with_one_bomb_page_keeps_its_good_pages_and_says_which_was_skipped(batch):
    settings, report, _, _ = batch
    result = next(r for r in report.results if r.path.name == "带炸弹页的规定.pdf")
    assert result.status == "added", result
    assert "第 2 页" in result.reason and "ANQUAN_PDF_MAX_STREAM_MB" in result.reason
    _chinese_reason(result.reason)
    text = KnowledgeBase(settings).get_article("带炸弹页的规定", ArticleRef(3)).text
    assert "锁气卸灰装置" in text


def test_a_one_megabyte_line_becomes_chunks_within_the_token_cap(batch):
    settings, report, _, _ = batch
    result = next(r for r in report.results if r.path.name == "一行一兆的文本.txt")
    assert result.status == "added" and result.chunks > 100, result
    chunks = KnowledgeBase(settings).store.document_chunks("一行一兆的文本")
    assert max(count_tokens(c.text) for c in chunks) <= settings.chunk_max_tokens
    whole = "".join(c.text for c in sorted(chunks, key=lambda c: c.metadata["ordinal"]))
    assert whole.startswith("青山市安全生产长行记录") and whole.endswith("结尾标记动火审批")  # nothing lost


def test_utf8_mixed_with_big5_is_read_line_by_line(batch):
    settings, report, _, _ = batch
    result = next(r for r in report.results if r.path.name == "UTF8与Big5混合.txt")
    assert result.status == "added" and "Big5" in result.reason, result
    text = "\n".join(c.text for c in KnowledgeBase(settings).store.document_chunks("UTF8与Big5混合"))
    assert "氨气泄漏检测报警装置" in text  # the UTF-8 part
    assert "嚴格執行領導帶班制度" in text  # the Big5 part, not mojibake


def test_a_utf8_law_with_one_stray_byte_is_read_with_a_warning(batch):
    settings, report, _, _ = batch
    result = next(r for r in report.results if r.path.name == "一个坏字节的规定.md")
    assert result.status == "added", result
    assert "不是有效的 UTF-8" in result.reason and "第 " in result.reason and "另存为" not in result.reason
    kb = KnowledgeBase(settings)
    assert kb.documents()["一个坏字节的规定"].title == "青山市液氯储存安全规定"
    assert "百分之八十五" in kb.get_article("一个坏字节的规定", ArticleRef(3)).text
    assert "喷淋系统联锁" in kb.get_article("一个坏字节的规定", ArticleRef(2)).text


@pytest.mark.parametrize("doc_id, gas", [("无BOM的UTF16LE规定", "液化石油气"), ("无BOM的UTF16BE规定", "天然气")])
def test_utf16_without_a_bom_is_read_as_text(batch, doc_id, gas):
    settings, report, _, _ = batch
    result = next(r for r in report.results if r.doc_id == doc_id)
    assert result.status == "added", result
    kb = KnowledgeBase(settings)
    assert kb.documents()[doc_id].title == f"青山市{gas}储存安全规定"
    assert "喷淋系统联锁" in kb.get_article(doc_id, ArticleRef(2)).text


def test_a_gbk_file_name_is_imported_under_its_readable_name(batch):
    settings, report, _, folder = batch
    result = next(r for r in report.results if r.doc_id == "青山市粮食熏蒸规定")
    assert result.status == "added" and result.path.name == "青山市粮食熏蒸规定.md"
    assert "文件名不是 UTF-8 编码" in result.reason
    citations = _cited(settings, "粮食熏蒸结束后散气多少天才能进仓？")
    assert {"doc": "青山市粮食熏蒸规定", "article": "第三条"} in [
        {"doc": c["doc"], "article": c["article"]} for c in citations
    ]
    stamps = settings.data_dir / "file-stamps.json"
    assert not list(settings.data_dir.glob("*.tmp"))
    json.loads(stamps.read_text(encoding="utf-8"))  # valid, whole JSON


def test_the_next_run_finds_every_file_unchanged_and_prune_keeps_the_gbk_named_one(batch):
    settings, report, _, folder = batch
    old = time.time() - 60  # settled: the stamp cache is trusted
    for path in folder.iterdir():
        os.utime(path, (old, old))
    ingest([folder], settings)  # stamps the files now settled
    cache = StampCache(settings.data_dir / "file-stamps.json")
    gbk = str((folder / _gbk_name("青山市粮食熏蒸规定.md")).resolve())
    assert cache.entries[gbk][0]  # found by the path as the file system has it
    again = ingest([folder], settings, prune=True)
    statuses = {r.path.name: r.status for r in again.results}
    assert statuses["青山市粮食熏蒸规定.md"] == "unchanged"
    assert "pruned" not in statuses.values()
    assert {n: s for n, s in statuses.items() if n not in FAILED} == {
        n: "unchanged" for n in statuses if n not in FAILED
    }


# --- class 1: every parser error becomes that file's failure ----------------------------------------


def test_the_cli_lists_each_bad_file_with_its_reason_and_no_traceback(tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / f"{REGULATION_NEW}.md").write_text(LAW, encoding="utf-8")
    zip_bomb_docx(folder / "压缩炸弹.docx")
    parts = _docx_parts(write_docx(tmp_path / "base.docx"))
    _write_zip(
        folder / "XML格式错误.docx",
        {**parts, "word/document.xml": parts["word/document.xml"].replace(b"</w:body>", b"<w:p></w:body>")},
    )
    (folder / "不支持的压缩算法.pdf").write_bytes(
        write_pdf(tmp_path / "base.pdf").read_bytes().replace(b"/FlateDecode", b"/Bogus")
    )
    (folder / _gbk_name("青山市粮食熏蒸规定.md")).write_text(GBK_NAMED, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not ENGLISH_TRACE.search(result.output.split("共 ")[0]), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for name, phrase in (("压缩炸弹.docx", "压缩炸弹"), ("XML格式错误.docx", "XML"), ("不支持的压缩算法.pdf", "损坏")):
        row = next(line for line in result.output.splitlines() if name in line)
        assert "失败" in row and phrase in result.output, (name, result.output)
    assert "新增 2，失败 3" in result.output, result.output


def test_thirty_fuzzed_pdfs_each_load_or_fail_with_a_chinese_reason_and_print_nothing(tmp_path, capfd):
    base = write_pdf(tmp_path / "base.pdf").read_bytes()
    rng = random.Random(1616)
    outcomes = []
    for n in range(30):
        path = tmp_path / f"fuzzed-{n}.pdf"
        path.write_bytes(fuzzed_pdf(base, rng))
        warnings: list[str] = []
        try:
            load_file(path, warnings=warnings)
            outcomes.append("ok")
            for warning in warnings:
                _chinese_reason(warning)
        except IngestError as exc:  # anything else fails the test
            _chinese_reason(exc.reason)
            outcomes.append(type(exc).__name__)
    assert outcomes.count("ok") < 30 and "UnreadableFile" in outcomes
    out, err = capfd.readouterr()
    assert out == "" and err == "", err[:500]  # pypdf's English warnings do not reach the console


def test_fuzzed_word_files_each_load_or_fail_with_a_chinese_reason(tmp_path):
    parts = _docx_parts(write_docx(tmp_path / "base.docx"))
    rng = random.Random(1617)
    failed = 0
    for n in range(30):
        path = fuzzed_docx(parts, tmp_path / f"fuzzed-{n}.docx", rng, kind=n % 5)
        try:
            load_file(path)
        except IngestError as exc:
            _chinese_reason(exc.reason)
            failed += 1
    assert failed >= 10


@pytest.mark.parametrize(
    "data, phrase",
    [
        (codecs.BOM_UTF16_LE + b"\x00\xd8" + "第一条 孤立的代理项之后的正文。".encode("utf-16-le"), None),
        (codecs.BOM_UTF16_BE + "第一条 奇数长度的正文。".encode("utf-16-be") + b"x", None),
        (codecs.BOM_UTF16_LE + bytes(range(1, 256)) * 4, "不是有效的 UTF-16"),
        (codecs.BOM_UTF16_BE + bytes(range(255, 0, -1)) * 4, "不是有效的 UTF-16"),
    ],
)
def test_a_file_with_a_utf16_bom_that_is_not_valid_utf16(tmp_path, data, phrase):
    path = tmp_path / "带BOM.txt"
    path.write_bytes(data)
    warnings: list[str] = []
    if phrase:
        with pytest.raises(IngestError, match=phrase) as caught:
            load_file(path)
        _chinese_reason(caught.value.reason)
    else:  # mostly valid: read, the bad pair replaced, and said so
        assert "正文" in load_file(path, warnings=warnings)
        assert warnings and "UTF-16" in warnings[0]


def _stray(data: bytes, before: str, encoding: str, byte: bytes = b"\xff") -> bytes:
    at = data.index(before.encode(encoding))
    return data[:at] + byte + data[at:]


ENCODED = {  # name: (bytes, text that must be read, phrase of the warning or None)
    "GBK with a stray byte": (_stray(AMMONIA.encode("gbk"), "百分之", "gbk"), "充装量不得超过储罐容积", "GBK/GB18030"),
    "Big5 with a stray byte": (_stray(BIG5_TEXT.encode("big5"), "領導", "big5", b"\x80"), "嚴格執行", "Big5"),
    "UTF-8 with a BOM, then Big5 lines": (
        codecs.BOM_UTF8 + AMMONIA.encode() + b"\n" + BIG5_TEXT.encode("big5"),
        "嚴格執行領導帶班制度",
        "Big5",
    ),
    "UTF-8 with a cut character": (AMMONIA.encode()[:60] + AMMONIA.encode()[61:], "喷淋系统联锁", "UTF-8"),
    "UTF-8 with a BOM and a stray byte": (
        codecs.BOM_UTF8 + _stray(AMMONIA.encode(), "液氨储罐充装", "utf-8"),
        "充装量不得超过",
        "UTF-8",
    ),
    "UTF-16 LE, Chinese only (no NUL byte)": (
        "".join(ch for ch in AMMONIA if ord(ch) > 0x2000 and ch != "一").encode("utf-16-le"),
        "氨气泄漏检测报警装置",
        None,
    ),
    "GBK mixed into UTF-8, short lines": (AMMONIA.encode() + "二、\n是\n".encode("gbk"), "二、\n是", "GBK"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_encodings_are_read_as_written(tmp_path, name):
    data, expected, warning = ENCODED[name]
    path = tmp_path / "文本.txt"
    path.write_bytes(data)
    warnings: list[str] = []
    text = load_file(path, warnings=warnings)
    assert expected in text, text[-200:]
    assert "\ufffd" not in text.split("\n")[0]
    if warning:
        assert any(warning in w for w in warnings), warnings
        for note in warnings:
            _chinese_reason(note)
    else:
        assert warnings == []


def test_an_unexpected_error_in_one_file_fails_that_file_only(tmp_path, monkeypatch):
    """The last resort at the per-file boundary: any exception while preparing a file (here one the chunker
    raises) fails that file with a Chinese reason; the others are indexed."""
    import ingest.preparation as preparation

    real = preparation.chunk_document

    def chunk_document(text, budget):
        if "触发" in text:
            raise RuntimeError("boom")
        return real(text, budget)

    monkeypatch.setattr(preparation, "chunk_document", chunk_document)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / f"{REGULATION_NEW}.md").write_text(LAW, encoding="utf-8")
    (folder / "会出错的通知.md").write_text("# 通知\n\n一、触发一个意外错误。\n", encoding="utf-8")
    settings = _settings(tmp_path / "data")
    report = ingest([folder], settings)
    by_name = {r.path.name: r for r in report.results}
    assert by_name["会出错的通知.md"].status == "failed"
    _chinese_reason(by_name["会出错的通知.md"].reason)
    assert by_name[f"{REGULATION_NEW}.md"].status == "added"
    assert any(c["doc"] == REGULATION_NEW for c in _cited(settings, QUESTION))


# --- class 3: bombs are refused before they are unpacked, memory bounded -----------------------------

BOMBS = {
    "zip bomb .docx (4 MB -> 3.9 GB)": (zip_bomb_docx, "压缩炸弹"),
    "overlapping parts .docx (12 MB -> 11.4 GB)": (overlapping_parts_docx, "压缩炸弹"),
    "high-ratio part .docx (60 MB at 1000:1)": (high_ratio_docx, "压缩比异常"),
    "lying sizes .docx (declares 2 KB, holds 2 GB)": (lying_sizes_docx, "比它声明的大小更大"),
    "10,500 parts .docx": (many_parts_docx, "ANQUAN_ZIP_MAX_MEMBERS"),
    "PDF content stream 1 GB": (pdf_bomb, "ANQUAN_PDF_MAX_STREAM_MB"),
}


# Run in a fresh, light process (only the loaders imported) with its address space capped 2 GB above its
# start, so that a bomb that got through would fail there instead of taking the machine. For each file: the
# error class, the reason, the peak resident growth (sampled) and the peak Python allocation, in MB.
PROBE = r"""
import json, os, resource, sys, threading, time, tracemalloc
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import load_file

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

vm = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
resource.setrlimit(resource.RLIMIT_AS, (vm + 2 * 2**30, resource.RLIM_INFINITY))
for path in sys.argv[1:]:
    base, peak, done = rss_mb(), [0.0], threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.005)
    sampler = threading.Thread(target=sample)
    sampler.start()
    tracemalloc.start()
    try:
        load_file(Path(path))
        outcome, reason = "loaded", ""
    except IngestError as exc:
        outcome, reason = type(exc).__name__, exc.reason
    except BaseException as exc:
        outcome, reason = type(exc).__name__, repr(exc)[:300]
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    done.set()
    sampler.join()
    print(json.dumps([outcome, reason, max(peak[0], rss_mb()) - base, traced]), flush=True)
"""


def test_bombs_are_refused_with_a_reason_and_memory_stays_bounded(tmp_path):
    paths = []
    for n, (build, _) in enumerate(BOMBS.values()):
        suffix = ".pdf" if build is pdf_bomb else ".docx"
        paths.append(build(tmp_path / f"bomb-{n}{suffix}"))
    sizes = [p.stat().st_size / 2**20 for p in paths]
    project = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [project, os.environ.get("PYTHONPATH")]))}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=300,
    )
    assert probe.returncode == 0 and not probe.stderr, probe.stderr[-2000:]  # nothing printed but the figures
    measured = [json.loads(line) for line in probe.stdout.splitlines()]
    print("\nbomb peaks (file size, resident growth, Python allocations):")
    for (label, (_, phrase)), size, (outcome, reason, rss, traced) in zip(BOMBS.items(), sizes, measured, strict=True):
        print(f"  {label}: {size:.1f} MB file, +{rss:.1f} MB resident, {traced:.1f} MB allocated -> {outcome}")
        assert outcome in ("OverLimit", "UnreadableFile"), (label, outcome, reason)
        assert phrase in reason, (label, reason)
        _chinese_reason(reason)
        limit = 120 if "PDF" in label else 40  # pypdf decompresses up to the 32 MB stream limit, then stops
        assert rss < limit and traced < limit, (label, rss, traced)


def test_pdf_and_zip_limits_come_from_the_settings(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    writer = PdfWriter(clone_from=str(write_pdf(tmp_path / "one.pdf")))
    for _ in range(3):
        writer.add_blank_page(612, 792)
    writer.write(str(folder / "四页的规定.pdf"))
    write_docx(folder / "普通的办法.docx")
    (folder / f"{REGULATION_NEW}.md").write_text(LAW, encoding="utf-8")
    settings = _settings(tmp_path / "data", pdf_max_pages=3, zip_max_unpacked_mb=0.01)
    by_name = {r.path.name: r for r in ingest([folder], settings).results}
    assert by_name["四页的规定.pdf"].status == "failed" and "ANQUAN_PDF_MAX_PAGES" in by_name["四页的规定.pdf"].reason
    assert "超过上限 0.01 MB" in by_name["普通的办法.docx"].reason
    assert by_name[f"{REGULATION_NEW}.md"].status == "added"
    assert LoadLimits.from_settings(Settings()) == LoadLimits()  # the loaders' defaults are the settings'


# --- class 2: file names that are not UTF-8; the stamp cache written atomically -----------------------


def test_names_in_gbk_big5_and_broken_bytes_in_a_gbk_folder(tmp_path):
    folder = tmp_path / _gbk_name("解压后的文件夹")
    folder.mkdir(parents=True)
    (folder / _gbk_name("青山市粮食熏蒸规定.md")).write_text(GBK_NAMED, encoding="utf-8")
    write_docx(folder / _gbk_name("有限空间办法.docx"))
    (folder / os.fsdecode("儲罐規定.md".encode("big5"))).write_text(AMMONIA, encoding="utf-8")
    (folder / os.fsdecode(b"\xff\xfe\x80broken.md")).write_text(
        "# 坏字节名称的通知\n\n一、名称中的字节无法识别。\n", encoding="utf-8"
    )
    settings = _settings(tmp_path / "data")
    report = ingest([folder], settings)
    names = {r.path.name: r for r in report.results}
    assert {n: r.status for n, r in names.items()} == {
        "青山市粮食熏蒸规定.md": "added",
        "有限空间办法.docx": "added",
        "儲罐規定.md": "added",
        "\\xff\\xfe\\x80broken.md": "added",
    }
    records = KnowledgeBase(settings).documents()
    assert set(records) == {"青山市粮食熏蒸规定", "有限空间办法", "儲罐規定", "\\xff\\xfe\\x80broken"}
    assert all("解压后的文件夹" in r.source for r in records.values())
    assert not list(settings.data_dir.glob("*.tmp"))


def test_a_failed_stamp_cache_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "file-stamps.json"
    cache = StampCache(path)
    cache.remember("/a.md", "1:1", "hash-a")
    cache.save()
    cache.remember(_gbk_name("/青山.md"), "2:2", "hash-b")

    def full_disk(self, data):
        with open(self, "wb") as handle:
            handle.write(data[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError):
        cache.save()
    monkeypatch.undo()
    assert json.loads(path.read_text(encoding="utf-8")) == {"/a.md": ["1:1", "hash-a"]}
    assert not path.with_suffix(".tmp").exists()
    cache.save()
    assert StampCache(path).hash_of(_gbk_name("/青山.md"), "2:2") == "hash-b"  # the surrogate-escaped key reads back


# --- class 8: the token cap on long lines; a failed re-upload keeps the stored original ----------------


@pytest.mark.parametrize(
    "line",
    [
        "安全" * 200000,  # no punctuation at all
        "abcdefghij" * 50000,  # ASCII with no space
        "第一条 " + "重大危险源、" * 40000,  # enumeration commas only
        "".join(random.Random(8).choice(["安全", "abc ", "，", "12", "😀", "\t", "x" * 30]) for _ in range(60000)),
    ],
    ids=["cjk-no-punctuation", "ascii-no-space", "enumeration-commas", "mixed-with-emoji"],
)
def test_no_piece_of_a_long_line_exceeds_the_budget(line):
    pieces = pack([line], 480)
    assert "".join(pieces) == line
    assert max(count_tokens(p) for p in pieces) <= 480
    assert len(pieces) <= 2 * count_tokens(line) / 480 + 2  # not cut needlessly small
    assert split_to_budget("短句", 480) == ["短句"]


def test_a_long_line_that_starts_like_a_heading_is_not_copied_into_every_chunk(tmp_path):
    """A 66,000-character line after '# ', '## ' or '第一章' is body text: as a heading or title it would be
    repeated in the metadata and index text of every chunk under it."""
    long = "生产经营单位应当建立健全全员安全生产责任制，" * 3000
    articles = "\n\n第一条 动火作业应当审批。\n\n第二条 受限空间作业应当检测。\n\n第三条 高处作业应当系安全带。\n"
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "长标题的规定.md").write_text(f"# {long}{articles}", encoding="utf-8")
    (folder / "长章名的规定.md").write_text(f"# 青山市长章名规定\n\n第一章 {long}{articles}", encoding="utf-8")
    (folder / "长小标题的方案.md").write_text(
        f"# 青山市长小标题方案\n\n## {long}\n\n一、加强巡查。\n", encoding="utf-8"
    )
    settings = _settings(tmp_path / "data")
    report = ingest([folder], settings)
    assert {r.path.name: r.status for r in report.results} == {
        "长标题的规定.md": "added",
        "长章名的规定.md": "added",
        "长小标题的方案.md": "added",
    }
    assert "标题过长" in next(r.reason for r in report.results if r.doc_id == "长标题的规定")
    kb = KnowledgeBase(settings)
    for doc_id in ("长标题的规定", "长章名的规定", "长小标题的方案"):
        chunks = kb.store.document_chunks(doc_id)
        assert len(chunks) > 60
        assert max(len(c.metadata["heading_path"]) + len(c.metadata["title"]) for c in chunks) <= 400
        assert max(count_tokens(c.text) for c in chunks) <= settings.chunk_max_tokens
    assert "系安全带" in kb.get_article("长章名的规定", ArticleRef(3)).text


def test_prune_under_a_gbk_named_folder_removes_only_what_is_gone(tmp_path):
    folder = tmp_path / _gbk_name("青山区文件")
    folder.mkdir()
    (folder / _gbk_name("熏蒸规定.md")).write_text(GBK_NAMED, encoding="utf-8")
    (folder / "液氨规定.md").write_text(AMMONIA, encoding="utf-8")
    settings = _settings(tmp_path / "data")
    ingest([folder], settings)
    (folder / "液氨规定.md").unlink()
    report = ingest([folder], settings, prune=True)
    assert {(r.path.name, r.status) for r in report.results} == {
        ("熏蒸规定.md", "unchanged"),
        ("液氨规定.md", "pruned"),
    }
    assert set(KnowledgeBase(settings).documents()) == {"熏蒸规定"}


def _upload(settings: Settings, source: Path, name: str):
    batch = accept_uploads([source], settings, [name])
    return ingest_uploads(batch, lambda paths: Ingestor(settings).run(paths))


@pytest.mark.parametrize("bad", ["binary", "empty_text", "zip_bomb", "damaged_docx"])
def test_a_failed_re_upload_keeps_the_stored_original_and_the_index(tmp_path, bad):
    settings = _settings(tmp_path / "data")
    suffix = ".docx" if bad in ("zip_bomb", "damaged_docx") else ".md"
    name = f"青山市有限空间作业安全管理办法{suffix}"
    good = tmp_path / "good" / name
    good.parent.mkdir()
    if suffix == ".docx":
        write_docx(good)
    else:
        good.write_text(
            "# 青山市有限空间作业安全管理办法\n\n第一条 有限空间作业前应当进行气体检测。\n\n"
            "第二条 氧含量低于百分之十九点五的，严禁进入。\n\n第三条 作业应当有专人监护。\n",
            encoding="utf-8",
        )
    assert _upload(settings, good, name).results[0].status == "added"
    stored = uploads_dir(settings) / name
    original = stored.read_bytes()
    broken = tmp_path / "broken" / name
    broken.parent.mkdir()
    if bad == "binary":
        broken.write_bytes(bytes(range(256)) * 30)
    elif bad == "empty_text":
        broken.write_text(" \n\u3000\n", encoding="utf-8")
    elif bad == "zip_bomb":
        zip_bomb_docx(broken)
    else:
        broken.write_bytes(original[: len(original) // 2])
    report = _upload(settings, broken, name)
    assert [r.status for r in report.results] == ["failed"]
    _chinese_reason(report.results[0].reason)
    assert stored.read_bytes() == original  # the stored original is back
    assert not any(staging_root(settings).iterdir())
    text = KnowledgeBase(settings).get_article("青山市有限空间作业安全管理办法", ArticleRef(3))
    assert text is not None  # the index still holds the original text, and uploads/ the file it came from
    assert _upload(settings, good, name).results[0].status == "unchanged"


def test_a_re_upload_replaces_the_original_once_ingested_and_an_ingest_error_restores_it(tmp_path):
    settings = _settings(tmp_path / "data")
    first = tmp_path / "v1" / "通知.md"
    first.parent.mkdir()
    first.write_text("# 青山市高温作业通知\n\n一、午后高温时段停止户外作业。\n", encoding="utf-8")
    _upload(settings, first, "通知.md")
    second = tmp_path / "v2" / "通知.md"
    second.parent.mkdir()
    second.write_text("# 青山市高温作业通知\n\n一、十二时至十五时停止户外作业，并发放防暑用品。\n", encoding="utf-8")

    def interrupted(paths):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        ingest_uploads(accept_uploads([second], settings, ["通知.md"]), interrupted)
    assert (uploads_dir(settings) / "通知.md").read_bytes() == first.read_bytes()
    assert _upload(settings, second, "通知.md").results[0].status == "updated"
    assert (uploads_dir(settings) / "通知.md").read_bytes() == second.read_bytes()
    new = tmp_path / "new" / "坏的新文件.md"
    new.parent.mkdir()
    new.write_bytes(b"")
    batch = accept_uploads([new], settings, ["坏的新文件.md"])
    assert batch.rejected  # empty: refused before staging
    new.write_bytes(bytes(range(256)) * 8)
    assert _upload(settings, new, "坏的新文件.md").results[0].status == "failed"
    assert not (uploads_dir(settings) / "坏的新文件.md").exists()  # a failed new upload is not kept


def test_an_original_moved_aside_by_an_upload_killed_mid_way_comes_back(tmp_path):
    settings = _settings(tmp_path / "data")
    stale = staging_root(settings) / "killed-upload"
    stale.mkdir(parents=True)
    (stale / "通知.md.previous").write_text("# 原来的通知\n\n一、原文。\n", encoding="utf-8")
    (stale / "通知.md").write_text("# 新的通知\n", encoding="utf-8")
    day_ago = time.time() - 2 * 86400
    os.utime(stale, (day_ago, day_ago))
    other = tmp_path / "其他.md"
    other.write_text("# 其他\n\n一、正文。\n", encoding="utf-8")
    accept_uploads([other], settings)  # any later upload tidies up
    assert (uploads_dir(settings) / "通知.md").read_text(encoding="utf-8").startswith("# 原来的通知")
    assert not stale.exists()
