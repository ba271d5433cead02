"""Bombs of the fourth hostile round (issue 16, class 3), at a size that runs in seconds: a file of countless tiny
articles, a page of countless empty paragraphs, a PDF whose pages share one large content stream (or form). Each
fails alone, quickly, with a Chinese reason naming the setting to raise, and the other files of the import are
imported; a MemoryError or RecursionError while one file is read or chunked is that file's failure too."""

from __future__ import annotations

import multiprocessing
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, REGULATION_NEW, needs_corpus
from pypdf import PageObject

from ingest.errors import OverLimit
from ingest.loaders import load_file
from ingest.loaders.limits import LoadLimits
from ingest.pipeline import ingest
from ingest.preparation import prepare_document
from ingest.report import FileResult
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer

LAW = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
GOOD = f"{REGULATION_NEW}.md"


def _settings(data_dir: Path, **limits) -> Settings:
    return Settings(data_dir=data_dir, embedder="builtin", **limits)


def _folder(tmp_path: Path, name: str, content: bytes | str) -> Path:
    """A folder holding the fixture regulation and the hostile file."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / GOOD).write_text(LAW, encoding="utf-8")
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / name).write_bytes(data)
    return folder


def _refused_alone(folder: Path, settings: Settings, name: str, phrase: str) -> str:
    """Ingest the folder: the hostile file fails with a Chinese reason holding phrase, the regulation is added."""
    by_name = {r.path.name: r for r in ingest([folder], settings, vectors=False).results}
    bad = by_name[name]
    assert bad.status == "failed" and phrase in bad.reason, bad.reason
    assert "已拒绝导入" in bad.reason and "其他文件照常导入" in bad.reason, bad.reason
    assert by_name[GOOD].status == "added"
    return bad.reason


# --- c3a: a file of millions of one-line articles -----------------------------------------------------------------


def tiny_articles(count: int) -> str:
    return "# 青山市超大条例\n\n" + "".join(f"第{n}条 甲。\n" for n in range(1, count + 1))


def test_a_file_of_countless_tiny_articles_fails_alone_quickly_with_bounded_memory(tmp_path):
    """200,000 articles (4 MB; the red team's had 1.45 million in 29 MB and took 2 GB before the whole import
    stopped): refused from a count of its article lines before it is cleaned or chunked. Before, it was chunked
    into 200,000 chunks (and the check for endless words split it into lines first)."""
    text = tiny_articles(200_000)
    folder = _folder(tmp_path, "海量条文.md", text)
    task = (folder / "海量条文.md", "hash", "added", str((folder / "海量条文.md").resolve()))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = prepare_document(task, 480, Tokenizer([]), LoadLimits())
        seconds, (_, peak) = time.perf_counter() - started, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n200,000 articles ({len(text.encode()) / 2**20:.1f} MB): {seconds:.2f} s, {peak / 2**20:.1f} MB allocated")
    assert isinstance(result, FileResult) and result.status == "failed"
    assert "条文超过 50,000 个" in result.reason and "ANQUAN_MAX_FILE_CHUNKS" in result.reason
    assert peak < 40 * 2**20, peak / 2**20  # the file read and decoded (4 MB of bytes, 6 MB of text), little else
    assert seconds < 20, seconds
    _refused_alone(folder, _settings(tmp_path / "data"), "海量条文.md", "ANQUAN_MAX_FILE_CHUNKS")


def test_a_document_of_too_many_sections_or_chunks_is_refused_while_it_is_chunked(tmp_path):
    """The limit holds for what the chunkers make, not only for article lines: a plan of many top-level sections,
    a regulation whose text before its articles packs into many chunks, and articles glued on one line by runs of
    spaces (max_file_chunks lowered to 50)."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / GOOD).write_text(LAW, encoding="utf-8")
    (folder / "多节方案.md").write_text(
        "# 青山区方案\n\n" + "".join(f"## 第{n}部分\n\n本部分第{n}项工作按计划推进落实。\n\n" for n in range(1, 80)),
        encoding="utf-8",
    )
    preamble = "".join(
        f"说明{n}：" + "本条例的起草经过了充分的调查研究和广泛的征求意见。" * 12 + "\n" for n in range(80)
    )
    articles = "".join(f"第{n}条 生产经营单位应当落实第{n}项安全措施。\n" for n in range(1, 4))
    (folder / "长序言条例.md").write_text(f"# 青山市条例\n\n{preamble}{articles}", encoding="utf-8")
    glued = "  ".join(f"第{n}条 甲。" for n in range(1, 61))  # one line: cleaning splits it at the runs of spaces
    (folder / "连写条例.md").write_text(f"# 青山市连写条例\n\n{glued}\n", encoding="utf-8")
    settings = _settings(tmp_path / "data", max_file_chunks=50)
    assert LoadLimits.from_settings(settings).max_file_chunks == 50
    by_name = {r.path.name: r for r in ingest([folder], settings, vectors=False).results}
    for name in ("多节方案.md", "长序言条例.md"):
        assert by_name[name].status == "failed", by_name[name]
        assert "切块（条文或段落）超过 50 个" in by_name[name].reason, by_name[name].reason
    assert "条文超过 50 个" in by_name["连写条例.md"].reason, by_name["连写条例.md"]
    assert by_name[GOOD].status == "added"


@needs_corpus
def test_the_longest_laws_of_the_scale_corpus_are_far_below_the_chunk_limit():
    """The default is generous: the longest texts of the 3,475-law scale corpus make at most 737 chunks."""
    longest = sorted((CORPUS / "scale").rglob("*.md"), key=lambda path: path.stat().st_size)[-3:]
    for path in longest:
        prepared = prepare_document((path, "hash", "added", str(path.resolve())), 480, Tokenizer([]), LoadLimits())
        assert not isinstance(prepared, FileResult), prepared
        assert len(prepared.chunks) * 50 < Settings().max_file_chunks, (path.name, len(prepared.chunks))


# --- c3c: a page of millions of empty paragraphs ------------------------------------------------------------------


def test_a_page_of_countless_empty_paragraphs_is_refused_before_it_is_parsed(tmp_path):
    """250,000 empty paragraphs (1.7 MB; the red team's 4.3 million crashed the process with SIGSEGV after 2 GB):
    the start tags are counted in the text, the page is never parsed into a tree."""
    folder = _folder(
        tmp_path, "空段落.html", "<html><body>" + "<p></p>" * 250_000 + "<p>第一条 内容。</p></body></html>"
    )
    started = time.perf_counter()
    with pytest.raises(OverLimit, match="ANQUAN_HTML_MAX_ELEMENTS"):
        load_file(folder / "空段落.html")
    assert time.perf_counter() - started < 5
    _refused_alone(folder, _settings(tmp_path / "data"), "空段落.html", "标签（元素）超过 200,000 个")
    lowered = _settings(tmp_path / "data2", html_max_elements=10)
    with pytest.raises(OverLimit, match="超过 10 个"):
        load_file(folder / "空段落.html", LoadLimits.from_settings(lowered))


def test_a_long_page_under_the_limit_is_read_in_linear_time(tmp_path):
    """40,000 paragraphs in one <body> (under the limit): read in seconds. Before, a line break was inserted before
    each block, and BeautifulSoup looks a node up among all its siblings to insert before it: 20,000 empty
    paragraphs took 50 s, 100,000 about ten minutes."""
    page = tmp_path / "长网页.html"
    page.write_text(
        "<html><body><h1>青山市长条例</h1>"
        + "".join(f"<p>第{n}条 内容。</p>" for n in range(1, 40_001))
        + "</body></html>",
        encoding="utf-8",
    )
    started = time.perf_counter()
    text = load_file(page)
    seconds = time.perf_counter() - started
    print(f"\n40,000 paragraphs: {seconds:.2f} s")
    assert text.startswith("\n# 青山市长条例\n\n第1条 内容。\n第2条") and text.endswith("\n第40000条 内容。")
    assert seconds < 15, seconds


def test_deep_nesting_is_read_without_recursion(tmp_path):
    page = tmp_path / "深嵌套.html"
    page.write_text("<html><body>" + "<div>" * 50_000 + "第一条 内容。" + "</div>" * 50_000 + "</body></html>")
    assert load_file(page).strip() == "第一条 内容。"


def test_the_page_text_is_what_it_was_headings_chrome_and_blocks(tmp_path):
    """The one-pass reading gives what the tree edits gave: chrome left out (also inside a heading), headings as
    Markdown lines (one inside another keeps its mark), a line break before each block, no template or ruby text."""
    page = tmp_path / "网页.html"
    page.write_text(
        "<html><head><style>p{}</style><script>var a='第九条';</script></head><body><nav>首页 上一篇</nav>"
        "<h1>青山市<b>条例</b><script>x</script></h1><h2>第一章 <h1>总则</h1></h2>"
        "<div><p>第一条 <span>为了</span>加强管理。<br>第二款</p><template><p>模板</p></template></div>"
        "<table><tr><td>甲</td><td>乙</td></tr></table><ruby>漢<rt>han</rt></ruby><footer>版权</footer></body></html>",
        encoding="utf-8",
    )
    assert load_file(page) == "\n# 青山市 条例\n\n## 第一章 # 总则\n\n\n第一条 为了加强管理。\n第二款\n\n\n甲乙漢"


# --- c3d: PDF pages sharing one large content stream, or one large form ----------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 0 obj is the catalog), with its cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, entries: bytes = b"") -> bytes:
    packed = zlib.compress(data, 9)
    head = b"<<%s/Filter/FlateDecode/Length %d>>stream\n" % (entries, len(packed))
    return head + packed + b"\nendstream"


def shared_content_pdf(pages: int, content: bytes, form: bytes | None = None) -> bytes:
    """pages pages that all use object 4 as their content; with form, object 3 is a form XObject /Fm1 they draw."""
    kids = " ".join(f"{n} 0 R" for n in range(6, 6 + pages)).encode()
    xobject = b"/XObject<</Fm1 3 0 R>>" if form is not None else b""
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>" + xobject + b">>"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[" + kids + b"]/Count " + str(pages).encode() + b">>",
        _stream(form, b"/Type/XObject/Subtype/Form/BBox[0 0 612 792]/Resources<</Font<</F1 5 0 R>>>>")
        if form is not None
        else b"<<>>",
        _stream(content),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    return _pdf(objects + [page + b"/Contents 4 0 R>>"] * pages)


TEXT_2MB = b"BT /F1 1 Tf " + b"(x) Tj " * (2 * 2**20 // 7) + b"ET"


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("共享内容流.pdf", lambda: shared_content_pdf(200, TEXT_2MB)),  # 200 x 2 MB
        ("共享表单.pdf", lambda: shared_content_pdf(200, b"BT ET /Fm1 Do", form=TEXT_2MB)),  # the form, 200 x 2 MB
        ("反复绘制.pdf", lambda: shared_content_pdf(1, b"BT ET " + b"/Fm1 Do " * 200, form=TEXT_2MB)),  # 200 times
    ],
    ids=["shared-content", "shared-form", "form-drawn-200-times"],
)
def test_pages_sharing_a_large_stream_are_refused_before_any_is_parsed(tmp_path, monkeypatch, name, build):
    """A few kilobytes whose pages share a 2 MB content stream or form: 400 MB for the text extraction to parse
    (pypdf parses shared content again for each page; the red team's 3,000 pages sharing 29 MB ran ten minutes and
    were stopped). Refused in a second, no page extracted; before, every page was parsed (minutes)."""
    data = build()
    assert len(data) < 100_000
    folder = _folder(tmp_path, name, data)
    extracted: list[int] = []
    real = PageObject.extract_text
    monkeypatch.setattr(PageObject, "extract_text", lambda page, *a, **k: extracted.append(1) or real(page, *a, **k))
    started = time.perf_counter()
    with pytest.raises(OverLimit, match="ANQUAN_PDF_MAX_TOTAL_MB") as refused:
        load_file(folder / name)
    assert time.perf_counter() - started < 10 and extracted == []
    assert "超过 256 MB" in refused.value.reason
    _refused_alone(folder, _settings(tmp_path / "data"), name, "ANQUAN_PDF_MAX_TOTAL_MB")


def test_pages_sharing_a_stream_under_the_total_are_read_and_the_limit_comes_from_the_settings(tmp_path):
    data = shared_content_pdf(3, b"BT /F1 12 Tf 50 700 Td (Article 1 Ventilate before entry.) Tj ET")
    (tmp_path / "三页.pdf").write_bytes(data)
    assert load_file(tmp_path / "三页.pdf").count("Article 1 Ventilate before entry.") == 3
    (tmp_path / "大.pdf").write_bytes(shared_content_pdf(3, TEXT_2MB))
    lowered = LoadLimits.from_settings(_settings(tmp_path / "data", pdf_max_total_mb=5))
    assert lowered.pdf_max_total_mb == 5
    with pytest.raises(OverLimit, match="超过 5 MB（读到第 3 页时"):
        load_file(tmp_path / "大.pdf", lowered)


def test_a_shared_stream_over_the_stream_limit_is_refused_once_not_once_per_page(tmp_path, monkeypatch):
    """Twenty pages share a stream over the per-stream limit (lowered to 1 MB): the first page that reads it is
    refused, the others that share it are skipped without decompressing or parsing it again."""
    (tmp_path / "共享超限.pdf").write_bytes(shared_content_pdf(20, TEXT_2MB))
    extracted: list[int] = []
    real = PageObject.extract_text
    monkeypatch.setattr(PageObject, "extract_text", lambda page, *a, **k: extracted.append(1) or real(page, *a, **k))
    with pytest.raises(OverLimit, match="ANQUAN_PDF_MAX_STREAM_MB"):
        load_file(tmp_path / "共享超限.pdf", LoadLimits(pdf_max_stream_mb=1))
    assert len(extracted) == 1


# --- a MemoryError or RecursionError in one file is that file's failure ----------------------------------------------


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
@pytest.mark.parametrize("stage", ["reading", "chunking"])
@pytest.mark.parametrize("others", [1, 8], ids=["in-process", "in-workers"])
def test_a_memory_or_recursion_error_in_one_file_fails_that_file_only(tmp_path, monkeypatch, error, stage, others):
    """Raised while the page is read (inside the HTML loader) or while its text is chunked, in this process (few
    files) or in the worker processes (eight files or more): that file fails with a Chinese reason, the others of
    the import are imported."""
    import ingest.loaders.html as html
    import ingest.preparation as preparation

    def fail(*args):
        raise error()

    # the workers are forked here, so that they run the failing function set below (the importer starts its workers
    # from a fork server, which does not see what a test replaces)
    monkeypatch.setattr(preparation, "worker_processes", lambda: multiprocessing.get_context("fork"))
    if stage == "reading":
        monkeypatch.setattr(html, "_pieces", fail)
    else:
        real = preparation.clean_text
        monkeypatch.setattr(preparation, "clean_text", lambda text: fail() if "触发" in text else real(text))
    folder = tmp_path / "files"
    folder.mkdir()
    for n in range(others):
        (folder / f"青山市第{n + 1}号规定.md").write_text(
            f"# 青山市第{n + 1}号规定\n\n第一条 生产经营单位应当落实第{n + 1}项安全措施。\n", encoding="utf-8"
        )
    (folder / "出错的网页.html").write_text("<html><body><p>第一条 触发一个错误。</p></body></html>", encoding="utf-8")
    results = ingest([folder], _settings(tmp_path / "data"), vectors=False).results
    failed = [r for r in results if r.status == "failed"]
    assert [r.path.name for r in failed] == ["出错的网页.html"]
    phrase = {
        ("reading", MemoryError): "读取时内存不足",
        ("reading", RecursionError): "嵌套过深",
        ("chunking", MemoryError): "处理这个文件时内存不足",
        ("chunking", RecursionError): "处理这个文件时出错",
    }[stage, error]
    assert phrase in failed[0].reason and "Error" not in failed[0].reason, failed[0].reason
    assert [r.status for r in results if r.status != "failed"] == ["added"] * others
