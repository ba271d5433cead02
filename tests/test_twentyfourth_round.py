"""Round 24 of hostile input (issue 16), each case as a user meets it: line ends other than a line feed (a page break
from pdftotext, the Unicode separators) no longer glue a law into one article-less line; a text with a few stray NUL
bytes is read, not called binary; a date no calendar has in a file name is refused like a future one; a malformed
Chinese article number (二十四二十四) names no article; an LLM reply packed with gzip is counted as it unpacks; an entry
of the data directory of the wrong kind (a file where bm25/ belongs) is named with what to do; a stamp cache of another
shape is read as empty; a data directory that is a dangling link is named; an upload named past the file system's
limit is kept under a shorter name. Every input is built here."""

from __future__ import annotations

import gzip
import json
import os
import re
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW
from fake_openai import LocalEndpoint, QuietHandler
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.web.uploads import accept_uploads, ingest_uploads, sanitise_name
from ingest.articles import ArticleRef, parse_article
from ingest.knowledge_base import KnowledgeBase
from ingest.loaders import load_file
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.walk import StampCache

runner = CliRunner()
CHINESE = re.compile(r"[\u4e00-\u9fff]{4}")
ENGLISH = re.compile(r"Traceback|Error\b|Exception|errno|意外错误", re.I)


def _law(title: str, sep: str = "\n") -> str:
    return sep.join(
        [
            title,
            "",
            "第一条 为了加强液氨储存安全管理，制定本规定。",
            "第二条 液氨储罐区应当设置氨气泄漏检测报警装置，并与喷淋系统联锁。",
            "第三条 违反本规定的，由应急管理部门责令限期改正，处一万元以下的罚款。",
            "第四条 本规定自2024年1月1日起施行。",
            "",
        ]
    )


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embedder="builtin")


def _result(report, name: str):
    return next(r for r in report.results if Path(r.path).name == name)


# --- line ends other than a line feed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sep",
    ["\f", "\v", "\x85", "\u2028", "\u2029"],
    ids=["form-feed", "vertical-tab", "next-line", "line-separator", "paragraph-separator"],
)
def test_a_law_whose_lines_end_with_a_page_break_or_a_unicode_separator_keeps_its_articles(tmp_path, sep):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "青山市液氨储存安全规定(2024-01-01).txt").write_text(_law("青山市液氨储存安全规定", sep), encoding="utf-8")
    settings = _settings(tmp_path / "data")
    report = ingest([docs], settings)
    assert _result(report, "青山市液氨储存安全规定(2024-01-01).txt").status == "added"
    kb = KnowledgeBase(settings)
    record = kb.documents()["青山市液氨储存安全规定(2024-01-01)"]
    assert record.title == "青山市液氨储存安全规定"  # not the whole text
    second = kb.get_article(record.doc_id, ArticleRef(2))
    assert second is not None and "喷淋系统联锁" in second.text and "罚款" not in second.text
    assert [ref.number for ref in kb.articles_of(record.doc_id) if ref.number] == [1, 2, 3, 4]


def test_a_page_break_inside_a_markdown_or_html_file_ends_its_line_too(tmp_path):
    md = tmp_path / "规定.md"
    md.write_text(_law("# 青山市液氨储存安全规定", "\u2029"), encoding="utf-8")
    html = tmp_path / "规定.html"
    html.write_text(f"<html><body><pre>{_law('青山市液氨储存安全规定', chr(12))}</pre></body></html>", encoding="utf-8")
    for path in (md, html):
        lines = load_file(path).split("\n")
        assert any(line.startswith("第二条 液氨储罐区") for line in lines), path


# --- stray NUL bytes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "big5"])
def test_a_law_with_a_few_stray_nul_bytes_is_read_with_a_warning(tmp_path, encoding):
    text = _law("青山市液氨储存安全规定")
    if encoding == "big5":
        import opencc

        text = opencc.OpenCC("s2tw").convert(text)
    data = text.encode(encoding).replace("。".encode(encoding), "。".encode(encoding) + b"\x00")
    path = tmp_path / "青山市液氨储存安全规定(2024-01-01).txt"
    path.write_bytes(data)
    warnings: list[str] = []
    loaded = load_file(path, warnings=warnings)
    assert "\x00" not in loaded and "液氨储罐" in loaded.replace("儲", "储")
    assert any("空字节" in w for w in warnings), warnings
    binary = tmp_path / "数据.txt"  # random bytes hold a NUL in 256, and other control bytes: still no text
    rng = __import__("random").Random(7)
    binary.write_bytes(bytes(rng.randrange(256) for _ in range(20000)))
    report = ingest([path, binary], _settings(tmp_path / "data"))
    assert _result(report, path.name).status == "added"
    refused = _result(report, "数据.txt")
    assert refused.status == "failed" and "二进制" in refused.reason


# --- dates no calendar has -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2024-02-30", "0000-00-00", "2024-13-01", "1066-10-14"])
def test_a_file_name_date_no_calendar_has_is_refused_naming_it(tmp_path, date):
    name = f"青山市液氨储存安全规定({date}).md"
    (tmp_path / name).write_text(_law("# 青山市液氨储存安全规定"), encoding="utf-8")
    report = ingest([tmp_path / name], _settings(tmp_path / "data"))
    result = _result(report, name)
    assert result.status == "failed"
    assert f"“{date}”不是有效的日期" in result.reason and not ENGLISH.search(result.reason)


def test_a_day_no_calendar_has_does_not_displace_the_law_in_force(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "青山市液氨储存安全规定(2024-05-01).md").write_text(_law("# 青山市液氨储存安全规定"), encoding="utf-8")
    settings = _settings(tmp_path / "data")
    ingest([docs], settings)
    forged = tmp_path / "青山市液氨储存安全规定(2024-05-99).md"
    forged.write_text(_law("# 青山市液氨储存安全规定").replace("一万元", "一元"), encoding="utf-8")
    report = ingest([forged], settings, confirm_supersede=True)
    assert _result(report, forged.name).status == "failed"
    records = KnowledgeBase(settings).documents()
    assert records["青山市液氨储存安全规定(2024-05-01)"].in_force
    assert "青山市液氨储存安全规定(2024-05-99)" not in records


def test_a_day_no_calendar_has_in_the_head_of_a_text_is_no_date(tmp_path):
    path = tmp_path / "青山市液氨储存安全规定.md"
    path.write_text(
        _law("# 青山市液氨储存安全规定").replace("\n\n", "\n\n（2024年2月30日青山市人民政府令第1号公布）\n\n", 1),
        encoding="utf-8",
    )
    settings = _settings(tmp_path / "data")
    ingest([path], settings)
    assert KnowledgeBase(settings).documents()["青山市液氨储存安全规定"].date != "2024-02-30"


# --- malformed Chinese article numbers -------------------------------------------------------------------------------


def test_a_malformed_chinese_article_number_names_no_article():
    for written in ("二十四二十四", "十十", "二十四十", "十百", "百百", "第二十四二十四条", "二十四之十十"):
        assert parse_article(written) is None, written
    expected = {
        "二十四": 24, "第一百三十四条之一": 134, "一百零五": 105, "一千零五": 1005, "２４": 24,
        "十": 10, "一二五": 125,
    }  # fmt: skip
    for written, number in expected.items():
        ref = parse_article(written)
        assert ref is not None and ref.number == number, written


def test_show_refuses_a_malformed_article_number_instead_of_serving_another_article(tmp_path):
    (tmp_path / "青山市液氨储存安全规定(2024-01-01).md").write_text(_law("# 青山市液氨储存安全规定"), encoding="utf-8")
    ingest([tmp_path], Settings())
    result = runner.invoke(app, ["show", "青山市液氨储存安全规定", "一二二"])  # 122: not in the text
    assert result.exit_code == 1
    result = runner.invoke(app, ["show", "青山市液氨储存安全规定", "一一"])  # 11 written positionally
    assert result.exit_code == 1
    result = runner.invoke(app, ["show", "青山市液氨储存安全规定", "二二"])
    assert result.exit_code == 1 and "第二条" not in result.output.split("\n")[0]
    result = runner.invoke(app, ["show", "青山市液氨储存安全规定", "十二十二"])
    assert result.exit_code == 2 and "无法识别条号" in result.output


def test_a_document_line_with_a_malformed_article_number_starts_no_article(tmp_path):
    text = _law("# 青山市液氨储存安全规定").replace("第三条", "第二二十条")
    (tmp_path / "青山市液氨储存安全规定(2024-01-01).md").write_text(text, encoding="utf-8")
    settings = _settings(tmp_path / "data")
    ingest([tmp_path], settings)
    kb = KnowledgeBase(settings)
    numbers = [ref.number for ref in kb.articles_of("青山市液氨储存安全规定(2024-01-01)") if ref.number]
    assert numbers == [1, 2, 4]
    assert "第二二十条" in kb.get_article("青山市液氨储存安全规定(2024-01-01)", ArticleRef(2)).text
    assert kb.get_article("青山市液氨储存安全规定(2024-01-01)", ArticleRef(20)) is None


# --- a packed LLM reply ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_library(tmp_path_factory, vector_cache) -> Path:
    docs = tmp_path_factory.mktemp("round24-docs")
    (docs / f"{REGULATION_NEW}.md").write_text(
        (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    data = tmp_path_factory.mktemp("round24-data")
    ingest([docs], Settings(data_dir=data, embedder="builtin", vector_cache=vector_cache))
    return data


REPLY = {
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "有限空间作业应当坚持先通风、再检测、后作业的原则[1]。"},
            "finish_reason": "stop",
        }
    ]
}


class _Packed(LocalEndpoint):
    """An endpoint answering every request with body, sent under the Content-Encoding given."""

    def __init__(self, body: bytes, encoding: str):
        import threading

        self.stopped = threading.Event()

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.read_body()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the client stopped reading
                    pass

        self.handler: type[BaseHTTPRequestHandler] = Handler
        self.serve(Handler)


def _ask_packed(data: Path, body: bytes, encoding: str):
    with _Packed(body, encoding) as server:
        settings = Settings(
            data_dir=data, embedder="builtin", llm_base_url=server.base_url, llm_model="m", llm_api_key="k"
        )
        started = time.monotonic()
        answer = Assistant(KnowledgeBase(settings)).ask("有限空间作业应当坚持什么顺序？").answer
        return answer, time.monotonic() - started


def test_a_packed_reply_is_counted_as_it_unpacks_and_a_gzip_bomb_gives_the_offline_answer(llm_library):
    # 40 MB of spaces (a valid JSON prefix) packed into 40 KB: httpx unpacked all of it past the 16 MB cap
    bomb = gzip.compress(b" " * 40 * 2**20, 9)
    assert len(bomb) < 100_000
    answer, elapsed = _ask_packed(llm_library, bomb, "gzip")
    first = answer.text.split("\n")[0]
    assert first.startswith("大模型服务暂不可用（回复超过 16 MB"), first
    assert {"doc": REGULATION_NEW, "article": "第六条"} in answer.citations  # the offline answer follows
    assert elapsed < 20
    # a reply of ordinary size packed either way is read
    body = json.dumps(REPLY, ensure_ascii=False).encode()
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    for packed, encoding in (
        (gzip.compress(body), "gzip"),
        (zlib.compress(body), "deflate"),
        (squeeze.compress(body) + squeeze.flush(), "deflate"),  # raw deflate, as some servers send it
    ):
        answer, _ = _ask_packed(llm_library, packed, encoding)
        assert "大模型服务暂不可用" not in answer.text and "先通风、再检测、后作业" in answer.text


def test_a_reply_packed_in_an_encoding_not_offered_is_named(llm_library):
    answer, _ = _ask_packed(llm_library, b"\x0b\x02\x80{not brotli}", "br")
    first = answer.text.split("\n")[0]
    assert first.startswith("大模型服务暂不可用（回复的压缩格式无法读取"), first
    assert {"doc": REGULATION_NEW, "article": "第六条"} in answer.citations


# --- the data directory's entries ------------------------------------------------------------------------------------


def _library(data_dir: Path, tmp_path: Path) -> None:
    tmp_path.mkdir()
    (tmp_path / "青山市液氨储存安全规定(2024-01-01).md").write_text(_law("# 青山市液氨储存安全规定"), encoding="utf-8")
    ingest([tmp_path / "青山市液氨储存安全规定(2024-01-01).md"], _settings(data_dir))


def _make_wrong(path: Path, folder_expected: bool) -> None:
    if path.is_dir():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    if folder_expected:
        path.write_text("x", encoding="utf-8")
    else:
        path.mkdir()


@pytest.mark.parametrize(
    ("entry", "folder", "asking_fails"),
    [
        ("bm25", True, True),
        ("bm25/builtin-lsa-256", True, True),
        ("file-stamps.json", False, False),
        ("ingest.lock", False, False),
        ("uploads", True, False),
    ],
)
def test_an_entry_of_the_data_directory_of_the_wrong_kind_is_named_with_what_to_do(
    tmp_path, settings, entry, folder, asking_fails
):
    _library(settings.data_dir, tmp_path / "docs")
    wrong = settings.data_dir / entry
    wrong.parent.mkdir(parents=True, exist_ok=True)
    _make_wrong(wrong, folder)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "青山市动火作业规定(2024-01-01).md").write_text(_law("# 青山市动火作业规定"), encoding="utf-8")
    imported = runner.invoke(app, ["ingest", str(tmp_path / "new")])
    assert imported.exit_code == 1, imported.output
    assert str(wrong) in imported.output.replace("\n", "") and "现在却是" in imported.output, imported.output
    assert not ENGLISH.search(imported.output), imported.output
    asked = runner.invoke(app, ["show", "青山市液氨储存安全规定", "2"])
    if asking_fails:
        assert asked.exit_code == 1 and "删除或改名后重试" in asked.output and not ENGLISH.search(asked.output)
    else:
        assert asked.exit_code == 0 and "喷淋系统联锁" in asked.output


@pytest.mark.parametrize("content", ["[1, 2, 3]", '"text"', '{"/a.md": [1, null], "/b.md": "x", "/c.md": ["s"]}'])
def test_a_stamp_cache_of_another_shape_is_read_as_empty_and_the_ingest_goes_on(tmp_path, settings, content):
    (settings.data_dir / "file-stamps.json").parent.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "file-stamps.json").write_text(content, encoding="utf-8")
    assert StampCache(settings.data_dir / "file-stamps.json").entries == {}
    (tmp_path / "青山市液氨储存安全规定(2024-01-01).md").write_text(_law("# 青山市液氨储存安全规定"), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads((settings.data_dir / "file-stamps.json").read_text(encoding="utf-8")), dict)


def test_a_data_directory_that_is_a_dangling_or_looping_link_is_named(tmp_path, monkeypatch):
    loop = tmp_path / "loop"
    os.symlink(loop, loop)
    for data_dir in (loop, loop / "sub"):
        monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
        result = runner.invoke(app, ["stats"])
        assert result.exit_code == 1
        assert "失效的符号链接" in result.output and "File exists" not in result.output, result.output


# --- an upload named past the file system's limit ---------------------------------------------------------------------


def test_an_upload_named_past_the_file_systems_limit_is_kept_under_a_shorter_name(tmp_path):
    settings = _settings(tmp_path / "data")
    source = tmp_path / "upload.md"
    long_dated = "关于印发" + "青山市危险化学品安全生产专项整治三年行动实施方案" * 4 + "(2024-05-01).md"
    for n, name in enumerate(("关" * 86 + ".md", "😀" * 70 + ".md", long_dated)):
        # a text of its own each (the same text under another name is a copy, skipped: round 33)
        source.write_text(_law(f"# 关于印发青山市液氨储存安全规定的通知（{n + 1}）"), encoding="utf-8")
        assert len(name.encode()) > 255
        batch = accept_uploads([source], settings, [name])
        report = ingest_uploads(batch, lambda paths: ingest(paths, settings))
        assert [r.status for r in report.results] in (["added"], ["unchanged"]), report.results
        stored = batch.accepted[0].path
        assert stored.is_file() and len(stored.name.encode()) <= 255
    assert sanitise_name(long_dated).endswith("…(2024-05-01).md")  # the version date is kept
    assert sanitise_name("青山市液氨储存安全规定(2024-01-01).md") == "青山市液氨储存安全规定(2024-01-01).md"
