"""Shared test setup: every test gets its own data directory; fixtures build the files a user would bring."""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docx
import pytest
import typer.testing
import yaml
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ingest import vocabulary
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer, _jieba_class

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"

REGULATION_NEW = "青山市危险作业安全管理条例(2024-05-01)"
REGULATION_OLD = "青山市危险作业安全管理条例(2019-03-01)"
GBK_PLAN = "青山区2025年安全生产工作方案"
BIG5_PLAN = "青山區商貿系統安全生產實施方案"
REPEATED_PLAN = "青山镇季度安全生产计划汇编"


# --- work every knowledge base of this test process repeats, done once ---------------------------------------------
# A test process opens over a thousand knowledge bases, each on a data directory of its own (a user's process, one):
# each parsed the knowledge pack's YAML again (its cached copy lives in the data directory, new for every test) and
# built its own jieba segmenter with the pack's terms (a tenth of a second each), and every CliRunner.invoke built the
# click command of the app again. All three are pure: the same text parses to the same data, the same terms make the
# same segmenter, the same app the same command. So this process parses a given text once and hands out a fresh copy
# of the data each time (read_yaml's own cache in the data directory runs as before), Tokenizers given the same terms
# share one segmenter (one Tokenizer is already shared by every thread of a server), and an app's command is built
# once. The processes the tests start run the code as it ships.


class _ParsedOnce:
    """The yaml module as ingest.vocabulary uses it, with load parsing a given text once in this process; every call
    gets its own copy of the data (pickled: dates, aliases shared within the data and all). A text that is no valid
    YAML raises each time, as yaml.load does."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, type], bytes] = {}

    def __getattr__(self, name: str):
        return getattr(yaml, name)

    def load(self, text: str, Loader: type):  # noqa: N803 - yaml.load's own keyword
        key = (text, Loader)
        if key not in self._parsed:
            data = yaml.load(text, Loader=Loader)  # noqa: S506 - the safe loader read_yaml passes
            self._parsed[key] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        return pickle.loads(self._parsed[key])  # noqa: S301 - pickled by this process just above


_SEGMENTERS: dict[tuple[type, tuple[str, ...]], object] = {}
_build_segmenter = Tokenizer._engine


def _shared_segmenter(self: Tokenizer):
    """Tokenizer._engine, the segmenter of the same terms (and jieba class) built once in this process."""
    if self._jieba is None:
        key = (_jieba_class(), tuple(self._terms))
        if key in _SEGMENTERS:
            self._jieba = _SEGMENTERS[key]
        else:
            _SEGMENTERS[key] = _build_segmenter(self)
    return self._jieba


_COMMANDS: dict[int, tuple[object, object]] = {}
# typer's private helper (typer>=0.12 is not pinned): without it, each invoke builds the command, as before
_build_command = getattr(typer.testing, "_get_command", None)


def _command_once(app):
    """typer.testing's get_command, the click command of a Typer app built once (CliRunner built it anew for every
    invoke, and click commands are made to be invoked again: a run's state lives in its context)."""
    kept = _COMMANDS.get(id(app))
    if kept is None or kept[0] is not app:
        kept = _COMMANDS[id(app)] = (app, _build_command(app))
    return kept[1]


vocabulary.yaml = _ParsedOnce()
Tokenizer._engine = _shared_segmenter  # type: ignore[method-assign]
if _build_command is not None:
    typer.testing._get_command = _command_once


needs_corpus = pytest.mark.skipif(
    not (CORPUS / "regulations").is_dir(), reason="../shared/corpus is not present beside the project (CI has it)"
)


# The superseded version of a law beside the corpus (its 2024 revision is in regulations/), in the shared index
# so that a superseded version is there for the drafter and the searches to leave out.
OLD_EMERGENCY_LAW = "突发事件应对法(2007-08-30)"


def corpus_paths() -> list[Path]:
    """What the shared corpus index holds: the regulations, the plans and the superseded emergency law."""
    old = next((CORPUS / "scale").rglob(f"{OLD_EMERGENCY_LAW}.md"), None) if CORPUS.is_dir() else None
    return [CORPUS / "regulations", CORPUS / "plans", *([old] if old else [])]


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    """The real corpus ingested once for the session (built-in embedder): (settings, report, seconds). Tests read
    it and never change it (a re-ingest of the same files is a no-op); a test that writes builds its own."""
    import time

    from ingest.pipeline import ingest

    if not (CORPUS / "regulations").is_dir():
        pytest.skip("../shared/corpus is not present beside the project (CI has it)")
    settings = isolated_settings(tmp_path_factory.mktemp("corpus-index"))
    started = time.perf_counter()
    report = ingest(corpus_paths(), settings)
    return settings, report, time.perf_counter() - started


@pytest.fixture(scope="session")
def vector_cache(tmp_path_factory) -> Path:
    """One neural-vector cache for the test session, never the user's (~/.cache/anquan)."""
    return tmp_path_factory.mktemp("anquan-cache") / "vectors.sqlite"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch, vector_cache):
    """No test touches a real user's data directory, vector cache or a configured server."""
    data_dir = tmp_path_factory.mktemp("anquan-data")
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ANQUAN_VECTOR_CACHE", str(vector_cache))
    monkeypatch.setenv("ANQUAN_EMBEDDER", "builtin")
    for name in ("ANQUAN_CHROMA_HOST", "ANQUAN_LLM_BASE_URL", "ANQUAN_LLM_MODEL", "ANQUAN_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield data_dir


@pytest.fixture(scope="session")
def analyzer():
    """The query analyser of the shipped knowledge pack, segmenting with the pack's everyday words as terms (哪一级,
    扣工钱 one word each) as the knowledge base does."""
    from assistant.pack import KnowledgePack
    from assistant.retrieval.query import QueryAnalyzer
    from ingest.tokenizer import Tokenizer

    pack = KnowledgePack(Settings().knowledge_dir)
    words = [word for entry in pack.lexicon.entries for word in entry.everyday]
    return QueryAnalyzer(pack, Tokenizer(words), {})


@pytest.fixture(scope="session")
def figures():
    """What a question asks to be counted, read with the shipped knowledge pack's words (knowledge/quantities.yaml)."""
    from assistant.pack import KnowledgePack
    from assistant.retrieval.figures import QuantityAsks

    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.fixture
def settings() -> Settings:
    return Settings()


def write_regulations(folder: Path, files: int = 3, articles: int = 40) -> Path:
    """Generated local regulations (青山市第n号安全生产规定, articles - 1 articles each): bulk for imports that
    must take a while."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        (folder / f"青山市第{n + 1}号安全生产规定.md").write_text(
            "\n\n".join(
                [f"# 青山市第{n + 1}号安全生产规定"]
                + [
                    f"第{k}条 第{n + 1}号规定要求生产经营单位落实第{k}项安全措施，"
                    f"每{k + n}日检查一次并记录{k * 7 + n}项内容。"
                    for k in range(1, articles)
                ]
            ),
            encoding="utf-8",
        )
    return folder


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("青山市有限空间作业安全管理办法", level=1)
    document.add_heading("第一章 总则", level=2)
    document.add_paragraph("第一条 为了规范有限空间作业安全管理，制定本办法。")
    document.add_paragraph("第二条 有限空间作业单位应当建立有限空间作业审批制度，明确审批人员和审批程序。")
    document.add_heading("第二章 作业要求", level=2)
    document.add_paragraph("第三条 有限空间作业前应当进行气体检测，氧含量低于百分之十九点五的，严禁进入。")
    document.save(path)
    return path


def write_pdf(path: Path) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 12)
    lines = [
        "青山市粉尘防爆安全规定",
        "第一条 为了防范粉尘爆炸事故，制定本规定。",
        "第二条 粉尘涉爆企业应当每班清理作业现场积尘，并建立清扫记录。",
        "第三条 除尘系统应当安装锁气卸灰装置，严禁正压吹送粉尘。",
    ]
    for n, line in enumerate(lines):
        pdf.drawString(50, 800 - 20 * n, line)
    pdf.save()
    return path


@pytest.fixture
def user_files(tmp_path) -> Path:
    """A folder as a user would bring it: Markdown, a GBK plan, a Big5 traditional plan, Word, PDF,
    an empty file and a binary file with a .txt name."""
    return make_user_files(tmp_path / "docs")


@pytest.fixture(scope="session")
def user_files_index(tmp_path_factory):
    """The user_files folder ingested once for the session: (settings, the ingest's report). For the tests that
    only read the index (ask, search, show, stats); a test that changes the folder or the index ingests its own."""
    from ingest.pipeline import ingest

    folder = make_user_files(tmp_path_factory.mktemp("user-files") / "docs")
    settings = isolated_settings(tmp_path_factory.mktemp("user-files-index"))
    return settings, ingest([folder], settings)


def isolated_settings(data_dir: Path, **more) -> Settings:
    """Settings for a data directory a module or session fixture builds (made before any test's environment is
    set up): the built-in embedder, local Chroma, offline, a vector cache of its own."""
    return Settings(
        **{
            "data_dir": data_dir,
            "embedder": "builtin",
            "vector_cache": data_dir.with_name(f"{data_dir.name}-vectors.sqlite"),
            "chroma_host": None,
            "llm_base_url": None,
            "llm_model": None,
            "llm_api_key": None,
            **more,
        }
    )


def regulation_with(root: Path, files: dict[str, str], **more) -> Settings:
    """The fixture regulation and these files (name -> text) in a folder under root, ingested into root/data with
    isolated_settings(**more): those settings."""
    from ingest.pipeline import ingest

    folder = root / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = isolated_settings(root / "data", **more)
    ingest([folder], settings)
    return settings


def invoke(settings: Settings, *args: str, env: dict[str, str] | None = None):
    """The command line (anquan *args) run in this process on the data directory of settings."""
    from typer.testing import CliRunner

    from assistant.cli import app

    return CliRunner().invoke(
        app,
        list(args),
        env={
            "ANQUAN_DATA_DIR": str(settings.data_dir),
            "ANQUAN_VECTOR_CACHE": str(settings.vector_cache),
            **(env or {}),
        },
    )


def make_user_files(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    shutil.copy(FIXTURES / f"{REPEATED_PLAN}.md", folder)
    (folder / f"{GBK_PLAN}.txt").write_bytes((FIXTURES / f"{GBK_PLAN}.txt").read_text(encoding="utf-8").encode("gbk"))
    (folder / f"{BIG5_PLAN}.txt").write_bytes(
        (FIXTURES / f"{BIG5_PLAN}.txt").read_text(encoding="utf-8").encode("big5")
    )
    write_docx(folder / "青山市有限空间作业安全管理办法.docx")
    write_pdf(folder / "青山市粉尘防爆安全规定.pdf")
    (folder / "空文件.txt").write_bytes(b"")
    (folder / "图片改名.txt").write_bytes(bytes(range(256)) * 20)
    return folder


def free_port() -> int:
    """A localhost port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, url: str, log: Path, timeout: float, what: str) -> None:
    """Wait until a server started by a test answers 200 at url; fail with the end of its log otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what} did not come up: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def stop_server(process: subprocess.Popen, timeout: float = 20) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def event_fn(client, elem_id: str, event: str = "click") -> int:
    """The Gradio fn_index of the event (a click) of the component with this elem_id, from the app's /config (an
    httpx client on a launched app)."""
    config = client.get("/config").json()
    component = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(d["id"] for d in config["dependencies"] if [component, event] in d["targets"])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app as anquan serve launches it, on a free port: its base URL; closed after."""
    from assistant.web.app import launch

    demo = launch(settings, port=(port := free_port()), quiet=True, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()
        demo.ctx.close()


CHROMIUM = os.environ.get("ANQUAN_TEST_CHROMIUM", "/usr/bin/chromium")
# Debian's chromium as root in a sandbox-less container with no network beyond the registries.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through playwright, for a module's browser tests (skipped with the reason when absent)."""
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: apt-get install -y chromium (CI installs it in .ci/run)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
