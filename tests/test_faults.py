"""Faults and hostile input, against the real components: the machine's faults (a full disk, a read-only or
misplaced data directory, an empty knowledge base, an unexpected error) reach the user as Chinese messages
saying what to do, never as a traceback, and lose nothing stored; answers files that are bombs are refused
with bounded memory; state (a refitted embedder, an import running, ties in the ranking) stays consistent
under a running server; the web login is throttled and never silently off; and a server under 20 concurrent
askers keeps answering during an import and a re-import."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, REGULATION_NEW, REGULATION_OLD, free_port, write_regulations
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.pack import load_pack, pack_of
from ingest.knowledge_base import KnowledgeBase, index_text
from ingest.pipeline import ingest
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
QUESTION, ARTICLE = "动火作业前要清除什么？", "第七条"
TRACEBACK_WORDS = ("Traceback", 'File "', "Error:", "Exception")


def _plain(text: str) -> str:
    """What a user reads, without rich's line wrapping."""
    return text.replace("\n", "")


def assert_no_traceback(text: str) -> None:
    assert not any(word in text for word in TRACEBACK_WORDS), text


def _base(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    return folder


def _cited(kb: KnowledgeBase, question: str = QUESTION) -> list[str]:
    return [c["article"] for c in Assistant(kb).ask(question).answer.citations if c["doc"] == REGULATION_NEW]


def _state(data_dir: Path) -> tuple[int, int]:
    kb = KnowledgeBase(Settings(data_dir=data_dir, embedder="builtin"))
    return len(kb.documents()), kb.store.count()


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ANQUAN_DATA_DIR": str(data_dir),
        "ANQUAN_EMBEDDER": "builtin",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        **extra,
    }
    return env


# A batch of CLI commands in one interpreter (each `python -m assistant.cli` pays seconds of imports):
# prints one JSON line per command with its exit code and output.
CLI_BATCH = textwrap.dedent("""
    import json, sys
    from typer.testing import CliRunner
    from assistant.cli import app
    for args in json.loads(sys.argv[1]):
        result = CliRunner().invoke(app, args)
        print(json.dumps({"args": args, "code": result.exit_code, "output": result.output,
                          "exception": repr(result.exception) if result.exception and
                          not isinstance(result.exception, SystemExit) else ""}, ensure_ascii=False))
""")


def _batch(commands: list[list[str]], env: dict[str, str], wrap: list[str] | None = None) -> list[dict]:
    argv = [sys.executable, "-c", CLI_BATCH, json.dumps(commands, ensure_ascii=False)]
    if wrap is not None:
        argv = [*wrap, " ".join(_quote(a) for a in argv)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(commands), done.stdout + done.stderr
    return lines


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


# --- class 7: faults reach the user in Chinese, with what to do -----------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_refused_with_exit_code_2(question, settings, tmp_path):
    ingest([_base(tmp_path / "docs")], settings)
    result = runner.invoke(app, ["ask", question])
    assert result.exit_code == 2
    assert "问题是空的" in result.output
    assert_no_traceback(result.output)
    empty_search = runner.invoke(app, ["search", question])
    assert empty_search.exit_code == 2 and "检索内容是空的" in empty_search.output


def test_show_rejects_article_zero_and_lists_what_exists(settings, tmp_path):
    ingest([_base(tmp_path / "docs")], settings)
    zero = runner.invoke(app, ["show", "危险作业安全管理条例", "0"])
    assert zero.exit_code == 2 and "条号从 1 开始" in zero.output
    assert "常务委员会" not in zero.output  # the title note (revision history) is not shown as an article
    for number, label in (("99999", "第99999条"), ("99", "第九十九条"), ("第一百条之三", "第一百条之三")):
        missing = runner.invoke(app, ["show", "危险作业安全管理条例", number])
        assert missing.exit_code == 1, missing.output
        out = _plain(missing.output)
        assert f"中没有{label}" in out and "该文档现有条文：第一条至第" in out and "第五条之一" in out
        assert_no_traceback(missing.output)


def test_an_empty_knowledge_base_says_so_everywhere():
    for args, code in (
        (["ask", QUESTION], 1),
        (["show", "安全生产法", "24"], 1),
        (["stats"], 0),
        (["search", "动火"], 1),
        (["ask", QUESTION, "--json"], 1),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        assert "知识库为空，请先导入" in _plain(result.output), args
        assert_no_traceback(result.output)
    check = runner.invoke(app, ["check", "--industry", "餐饮", "--employees", "20"])
    assert check.exit_code == 0 and "知识库为空，请先导入" in _plain(check.output)


@pytest.mark.parametrize("where", ["itself", "parent"])
def test_a_data_dir_that_is_a_file_is_explained(tmp_path, monkeypatch, where):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    data_dir = blocker if where == "itself" else blocker / "data"
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
    for args in (["stats"], ["ask", QUESTION], ["ingest", str(_base(tmp_path / "docs"))], ["show", "条例", "1"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert "是一个文件，不是文件夹" in _plain(result.output) and "ANQUAN_DATA_DIR" in result.output
        assert_no_traceback(result.output)
    assert blocker.read_text(encoding="utf-8") == "x"  # untouched


def test_an_unexpected_error_gives_one_chinese_line_and_the_log(settings, monkeypatch, tmp_path):
    ingest([_base(tmp_path / "docs")], settings)
    log = tmp_path / "logs" / "anquan.log"
    monkeypatch.setenv("ANQUAN_LOG_FILE", str(log))

    def broken(self, question, history=None):
        raise ZeroDivisionError("division by zero deep inside")

    monkeypatch.setattr(Assistant, "ask", broken)
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 1
    out = _plain(result.output)
    assert "回答问题时发生意外错误（ZeroDivisionError）" in out and str(log) in out
    assert "division by zero deep inside" not in out
    assert "Traceback" in log.read_text(encoding="utf-8") and "division by zero deep inside" in log.read_text(
        encoding="utf-8"
    )


def test_a_broken_setting_is_named_in_chinese(monkeypatch):
    monkeypatch.setenv("ANQUAN_BUILTIN_DIM", "很多")
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 2 and "配置有误" in result.output and "ANQUAN_BUILTIN_DIM" in result.output
    assert_no_traceback(result.output)


def test_markup_inside_a_document_is_printed_as_text(settings, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "青山市方括号规定.md").write_text(
        "# 青山市方括号规定\n\n第一条 本规定[/]适用于[bold]储罐区[/bold]。\n\n第二条 储罐区[/red]应当设置防火堤。\n\n"
        "第三条 违反本规定的，责令改正。\n",
        encoding="utf-8",
    )
    ingest([folder], settings)
    result = runner.invoke(app, ["show", "方括号规定", "1"])
    assert result.exit_code == 0, result.output
    assert "[/]适用于[bold]储罐区[/bold]" in result.output


# disk full ---------------------------------------------------------------------------------------------


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith("CURRENT.")]


@pytest.mark.parametrize("where", ["chunks", "vectors", "embedder", "lexical index", "journal"])
def test_a_full_disk_during_ingest_is_explained_and_loses_nothing(settings, tmp_path, where):
    """ENOSPC raised where the ingest writes: the chunks and vectors (Chroma), the refitted embedder (its
    temp file was left, 17 MB at scale), the lexical index build, the journal."""
    ingest([_base(tmp_path / "docs")], settings)
    before = _state(settings.data_dir)
    more = write_regulations(tmp_path / "more", files=4)  # triples the corpus: the built-in embedder is refitted
    from ingest import pipeline, store
    from ingest.embedders import builtin

    with pytest.MonkeyPatch.context() as patch:  # not the test's monkeypatch: it also holds the data dir
        if where == "chunks":
            patch.setattr(store.ChunkStore, "add_chunks", _enospc)
        elif where == "vectors":
            patch.setattr(store.ChunkStore, "write_vectors", _enospc)
        elif where == "embedder":

            def half_then_full(obj, handle, protocol=None):
                handle.write(b"\0" * 1_000_000)  # a partial model file, then the disk is full
                raise OSError(errno.ENOSPC, "No space left on device")

            patch.setattr(builtin.pickle, "dump", half_then_full)
        elif where == "lexical index":
            patch.setattr("ingest.bm25_index.np.savez", _enospc)
        else:
            patch.setattr(pipeline.Journal, "write", _enospc)
        result = runner.invoke(app, ["ingest", str(more)])
    assert result.exit_code == 1, result.output
    out = _plain(result.output)
    assert "磁盘空间已满" in out and "已入库的内容没有丢失" in out and "请清理磁盘空间" in out
    assert_no_traceback(result.output)
    assert _temp_files(settings.data_dir) == []
    # what was stored is still there and answers; the next run (disk freed) completes the ingest
    kb = KnowledgeBase(Settings(data_dir=settings.data_dir, embedder="builtin"))
    assert len(kb.documents()) >= before[0]
    assert ARTICLE in _cited(kb)
    again = runner.invoke(app, ["ingest", str(more)])
    assert again.exit_code == 0, again.output
    kb = KnowledgeBase(Settings(data_dir=settings.data_dir, embedder="builtin"))
    assert len(kb.documents()) == before[0] + 4 and ARTICLE in _cited(kb)
    assert _temp_files(settings.data_dir) == []


def _mount_namespace() -> bool:
    """Whether this process may mount inside a private mount namespace (root, unshare available)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def test_a_really_full_disk_on_a_tiny_filesystem(tmp_path):
    """A 6 MB tmpfs: the base ingested, the rest of the disk filled but 1.5 MB (with less an import is refused before
    it starts: see the next test), then an ingest that refits the embedder and runs out of room midway. Once
    the disk is freed, a new process asks, ingests again and counts (one interpreter for the three)."""
    if not _mount_namespace():
        pytest.skip(
            "needs root and unshare to mount a small tmpfs in a private mount namespace "
            "(the monkeypatched ENOSPC variants above run everywhere)"
        )
    mount, out = tmp_path / "tiny", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    base, more = _base(tmp_path / "docs"), write_regulations(tmp_path / "more", files=6)
    data = mount / "data"
    cli = f"{_quote(sys.executable)} -m assistant.cli"
    after = " ".join(
        _quote(a)
        for a in [
            sys.executable,
            "-c",
            CLI_BATCH,
            json.dumps([["ask", QUESTION], ["ingest", str(more)], ["stats"]], ensure_ascii=False),
        ]
    )
    script = f"""
        mount -t tmpfs -o size=6m tmpfs {mount}
        {cli} ingest {base} > {out}/base.txt 2>&1; echo $? > {out}/base.rc
        avail=$(df -k --output=avail {mount} | tail -1)
        dd if=/dev/zero of={mount}/filler bs=1k count=$((avail - 1500)) 2>/dev/null
        {cli} ingest {more} > {out}/full.txt 2>&1; echo $? > {out}/full.rc
        find {data} -name '*.tmp' -o -name 'CURRENT.*' > {out}/tmp.txt
        rm {mount}/filler
        {after} > {out}/after.jsonl 2> {out}/after.err
    """
    subprocess.run(["unshare", "-m", "sh", "-c", script], env=_env(data), cwd=ROOT, timeout=600, check=False)
    read = {name: (out / name).read_text(encoding="utf-8") for name in os.listdir(out)}
    lines = [json.loads(line) for line in read["after.jsonl"].splitlines() if line.startswith("{")]
    assert len(lines) == 3, read["after.jsonl"] + read["after.err"]
    (ask, again, stats) = lines
    assert read["base.rc"].strip() == "0", read["base.txt"]
    assert read["full.rc"].strip() == "1", read["full.txt"]
    assert "磁盘空间已满" in _plain(read["full.txt"]), read["full.txt"]
    assert_no_traceback(read["full.txt"])
    assert read["tmp.txt"].strip() == ""  # no temp file left behind (the embedder's fit, a lexical build)
    assert ask["code"] == 0 and ARTICLE in ask["output"], ask  # nothing stored was lost
    assert again["code"] == 0, again
    assert "文档 7 个" in stats["output"], stats


def test_a_disk_an_import_filled_still_answers_and_an_import_is_refused_saying_the_disk_is_full(tmp_path):
    """A 6 MB tmpfs filled to the last byte after the base was ingested: Chroma cannot even open the store there,
    so it is read through a private copy (as a read-only data directory is); an import says the disk is full."""
    if not _mount_namespace():
        pytest.skip("needs root and unshare to mount a small tmpfs in a private mount namespace")
    mount, out, temp = tmp_path / "tiny", tmp_path / "out", tmp_path / "temp"
    for folder in (mount, out, temp):
        folder.mkdir()
    base, more = _base(tmp_path / "docs"), write_regulations(tmp_path / "more", files=1)
    data = mount / "data"
    commands = [["stats"], ["ask", QUESTION], ["show", "危险作业安全管理条例", "7"], ["ingest", str(more)]]
    batch = " ".join(_quote(a) for a in [sys.executable, "-c", CLI_BATCH, json.dumps(commands, ensure_ascii=False)])
    script = f"""
        mount -t tmpfs -o size=6m tmpfs {mount}
        {_quote(sys.executable)} -m assistant.cli ingest {base} > {out}/base.txt 2>&1
        dd if=/dev/zero of={mount}/filler bs=4k 2>/dev/null
        df -k --output=avail {mount} | tail -1 > {out}/avail.txt
        {batch} > {out}/full.jsonl 2> {out}/full.err
    """
    env = _env(data, TMPDIR=str(temp))
    subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, cwd=ROOT, timeout=600, check=False)
    read = {name: (out / name).read_text(encoding="utf-8") for name in os.listdir(out)}
    assert read["avail.txt"].strip() == "0", read["avail.txt"]  # full to the last byte
    lines = [json.loads(line) for line in read["full.jsonl"].splitlines() if line.startswith("{")]
    assert len(lines) == len(commands), read["full.jsonl"] + read["full.err"]
    by = {r["args"][0]: r for r in lines}
    for command in ("stats", "ask", "show"):
        assert by[command]["code"] == 0, by[command]
        assert_no_traceback(by[command]["output"])
    assert "文档 1 个" in by["stats"]["output"] and "磁盘已满" in _plain(by["stats"]["output"])
    assert ARTICLE in by["ask"]["output"]
    assert "动火作业前清除作业点周围的可燃物" in by["show"]["output"]
    assert by["ingest"]["code"] == 1 and "磁盘的空间已满" in _plain(by["ingest"]["output"]), by["ingest"]
    assert_no_traceback(by["ingest"]["output"])


# a read-only data directory ----------------------------------------------------------------------------


def _read_only(data_dir: Path):
    """(wrap, restore): a command prefix that runs a shell command with data_dir read-only, and what undoes it.
    As root (chmod does not stop root) a read-only bind mount in a private mount namespace; else chmod."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [data_dir, *data_dir.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)

        def restore() -> None:
            for path, mode in modes.items():
                path.chmod(mode)

        return ["sh", "-c"], restore
    if not _mount_namespace():
        pytest.skip(
            "running as root without a way to make a directory read-only (no unshare/mount): "
            "chmod does not stop root from writing"
        )
    d = _quote(str(data_dir))
    return [
        "unshare",
        "-m",
        "sh",
        "-c",
        f'mount --bind {d} {d} && mount -o remount,bind,ro {d} && exec "$0" "$@"',
        "sh",
        "-c",
    ], (lambda: None)


def _digest(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_read_only_data_dir_still_answers_and_refuses_writes_in_chinese(settings, tmp_path):
    ingest([_base(tmp_path / "docs")], settings)
    data_dir = settings.data_dir
    before, files = _state(data_dir), _digest(data_dir)
    temp = tmp_path / "temp"
    temp.mkdir()
    wrap, restore = _read_only(data_dir)
    try:
        results = _batch(
            [
                ["stats"],
                ["ask", QUESTION],
                ["show", "危险作业安全管理条例", "7"],
                ["search", "动火作业"],
                ["ingest", str(write_regulations(tmp_path / "more", files=1))],
                ["check", "--industry", "餐饮", "--employees", "20"],
            ],
            _env(data_dir, TMPDIR=str(temp)),
            wrap,
        )
    finally:
        restore()
    by = {r["args"][0]: r for r in results}
    for command in ("stats", "ask", "show", "search", "check"):
        assert by[command]["code"] == 0, by[command]
        assert_no_traceback(by[command]["output"])
    assert "文档 1 个" in by["stats"]["output"] and "数据目录只读" in _plain(by["stats"]["output"])
    assert ARTICLE in by["ask"]["output"]
    assert "动火作业前清除作业点周围的可燃物" in by["show"]["output"]
    assert by["ingest"]["code"] == 1
    assert "只读" in _plain(by["ingest"]["output"]) and "ANQUAN_DATA_DIR" in by["ingest"]["output"]
    assert_no_traceback(by["ingest"]["output"])
    assert _digest(data_dir) == files and _state(data_dir) == before  # nothing written, nothing lost
    assert list(temp.glob("anquan-readonly-*")) == []  # the private copy it read through is gone with the process


def test_a_read_only_data_dir_in_the_web_refuses_imports(settings, tmp_path, monkeypatch):
    from assistant.web.context import WebContext
    from ingest.data_dir import ReadOnlyDataDir

    ingest([_base(tmp_path / "docs")], settings)
    ctx = WebContext(settings)
    monkeypatch.setattr(ctx.kb, "read_only", True)
    with pytest.raises(ReadOnlyDataDir, match="只读"):
        ctx.write("run", [write_regulations(tmp_path / "more", files=1)])


# --- class 3: answers files are parsed within limits ---------------------------------------------------

ALIAS_BOMB = (
    "\n".join(
        ["a: &a [x,x,x,x,x,x,x,x,x]"]
        + [f"{chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]" for n in range(8)]
    )
    + "\n"
)
# Reads each answers file given (name -> path, JSON) in turn, in one child process (one start-up for all): the
# memory traced from the start of each read to its end, with what earlier reads left freed first.
MEASURE = textwrap.dedent("""
    import gc, json, resource, sys, time, tracemalloc
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))  # a regression fails here, not the machine
    from assistant.selfcheck import AnswerError, load_answers
    tracemalloc.start()
    for name, path in json.loads(sys.argv[1]).items():
        gc.collect()
        tracemalloc.reset_peak()
        started = time.monotonic()
        try:
            load_answers(Path(path))
            outcome = "accepted"
        except AnswerError as exc:
            outcome = str(exc)
        except MemoryError:
            outcome = "MemoryError"
        peak = tracemalloc.get_traced_memory()[1]
        print(json.dumps({"name": name, "outcome": outcome, "peak_mb": peak / 2**20,
                          "seconds": time.monotonic() - started,
                          "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, ensure_ascii=False),
              flush=True)
""")


def _xlsx_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>是</t></si>" * 3_000_000 + "</sst>")
    return path


def _xlsx_many_parts(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as book:
        for n in range(10500):  # over the 10,000 parts allowed, under the 1 MB file limit
            book.writestr(f"{n}", "")
    return path


def _xlsx_entity_bomb(path: Path) -> Path:
    """A real workbook whose sheet declares nested entities (billion laughs) and uses the last as an answer."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "自查清单"
    book.active.append(["编号", "回答"])
    book.active.append(["x1", "laughs"])
    plain = path.with_name("plain.xlsx")
    book.save(plain)
    entities = (
        '<!DOCTYPE worksheet [<!ENTITY l0 "lollollollollollollollollollol">'
        + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
        + "]>"
    )
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = entities + text.replace("laughs", "&l9;")  # the serialised value: plain ASCII
                data = text.encode("utf-8")
            out.writestr(item, data)
    return path


BOMBS = {
    "yaml alias bomb": ("answers.yaml", lambda p: p.write_text(ALIAS_BOMB, encoding="utf-8"), "别名"),
    "yaml merge-key bomb": (
        "answers.yml",
        lambda p: p.write_text(
            "base: &b {x: 是}\n" + "".join(f"k{n}: {{<<: *b}}\n" for n in range(50)), encoding="utf-8"
        ),
        "别名",
    ),
    "yaml nesting": ("deep.yaml", lambda p: p.write_text("[" * 200_000, encoding="utf-8"), "嵌套"),
    "yaml too many entries": (
        "many.yaml",
        lambda p: p.write_text("".join(f"item{n}: 是\n" for n in range(60000)), encoding="utf-8"),
        "不像是自查回答文件",
    ),
    "yaml flow mapping": (
        "flow.yaml",
        lambda p: p.write_text("{" + ",".join(f"k{n}: 1" for n in range(60000)) + "}", encoding="utf-8"),
        "不像是自查回答文件",
    ),
    "oversized file": ("huge.yaml", lambda p: p.write_text("a: 是\n" * 400_000, encoding="utf-8"), "过大"),
    "csv field over 128 KB": (
        "big.csv",
        lambda p: p.write_text("编号,回答\nid1," + "是" * 140_000 + "\n", encoding="utf-8"),
        "无法读取",
    ),
    "csv NUL byte": ("nul.csv", lambda p: p.write_bytes("编号,回答\nid1,是\x00\n".encode()), "无法识别"),
    "yaml answer over the field limit": (
        "long.yaml",
        lambda p: p.write_text("id1: " + "是" * 5000 + "\n", encoding="utf-8"),
        "过长",
    ),
    "xlsx zip bomb": ("bomb.xlsx", _xlsx_bomb, "压缩"),
    "xlsx with 10500 parts": ("parts.xlsx", _xlsx_many_parts, "部件"),
    "xlsx entity bomb": ("laughs.xlsx", _xlsx_entity_bomb, "实体"),
}


@pytest.fixture(scope="module")
def bomb_reports(tmp_path_factory) -> dict:
    """Every file of BOMBS made, then read by MEASURE in one child process: name -> its report and size."""
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for n, (name, (filename, make, _)) in enumerate(BOMBS.items()):
        (folder / str(n)).mkdir()
        make(folder / str(n) / filename)
        paths[name] = str(folder / str(n) / filename)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(paths, ensure_ascii=False)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(folder / "data"),
    )
    reports = {
        r["name"]: r for r in map(json.loads, (line for line in done.stdout.splitlines() if line.startswith("{")))
    }
    for name, report in reports.items():
        report["bytes"] = Path(paths[name]).stat().st_size
    reports["output"] = done.stdout[-2000:] + done.stderr[-3000:]  # what a test whose file has no report shows
    return reports


@pytest.mark.parametrize("name", list(BOMBS))
def test_an_answers_bomb_is_refused_with_bounded_memory(bomb_reports, name):
    reason = BOMBS[name][2]
    assert name in bomb_reports, bomb_reports["output"]  # the child stopped before or while reading this file
    report = bomb_reports[name]
    print(
        f"{name}: {report['bytes']:,} bytes, peak {report['peak_mb']:.1f} MB traced, "
        f"{report['rss_mb']:.0f} MB RSS, {report['seconds']:.2f} s"
    )
    assert reason in report["outcome"], report
    assert report["peak_mb"] < 64, report  # the 310-byte alias bomb alone held 9.4 GB
    assert report["seconds"] < 20, report


def test_answers_within_the_limits_still_read(tmp_path, settings):
    from assistant.selfcheck import build_checklist, load_answers, read_profile
    from assistant.selfcheck.export import export

    kb = KnowledgeBase(settings)
    checklist = build_checklist(kb, pack_of(kb), read_profile(pack_of(kb), "餐饮", 20))
    first, second = checklist.items[0].id, checklist.items[1].id
    (tmp_path / "a.yaml").write_text(f"{first}: 是\n{second}：否\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text(f"编号,回答\n{first},是\n{second},不确定\n", encoding="utf-8")
    assert load_answers(tmp_path / "a.yaml", checklist) == {first: "是", second: "否"}
    assert load_answers(tmp_path / "a.csv", checklist) == {first: "是", second: "不确定"}
    export(checklist, tmp_path / "filled.xlsx", {first: "否"}, checklist.gap_report({first: "否"}))
    assert load_answers(tmp_path / "filled.xlsx", checklist)[first] == "否"


def test_the_web_refuses_an_alias_bomb_answers_file_at_once(tmp_path, settings):
    from assistant.selfcheck import build_checklist, read_profile
    from assistant.web.app import build_app

    demo = build_app(settings)
    kb = demo.ctx.kb
    checklist = build_checklist(kb, pack_of(kb), read_profile(pack_of(kb), "餐饮", 20))
    handler = next(f.fn for f in demo.fns.values() if getattr(f, "name", "") == "report_from_file")
    bomb = tmp_path / "回答.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    started = time.monotonic()
    message, *_ = handler(checklist, str(bomb))
    assert time.monotonic() - started < 5
    assert message.startswith("⚠") and "别名" in message


def test_a_long_self_check_description_is_refused_and_never_hangs(settings):
    from assistant.selfcheck.profile import ProfileError, read_profile

    pack = load_pack(settings.knowledge_dir)
    with pytest.raises(ProfileError, match="过长"):
        read_profile(pack, "餐饮", 20, description="啊" * 131_072)
    started = time.monotonic()  # within the limit, a description without punctuation reads in linear time
    read_profile(pack, "餐饮", 20, description="有喷漆房" * 1200 + "重大危险源：无")
    assert time.monotonic() - started < 2
    result = runner.invoke(app, ["check", "--industry", "餐饮", "--description", "啊" * 131_072])
    assert result.exit_code == 2 and "过长" in result.output


# --- class 8: state under a running server --------------------------------------------------------------


def _forkserver():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ingest.pipeline"])
    return context


def test_a_running_reader_follows_a_refit_of_the_embedder_by_another_process(settings, tmp_path):
    ingest([_base(tmp_path / "docs")], settings)
    reader = KnowledgeBase(settings)
    assistant = Assistant(reader)
    assert ARTICLE in [c["article"] for c in assistant.ask(QUESTION).answer.citations]
    old = reader.embedder.embeddings.fit_id
    child = _forkserver().Process(target=ingest, args=([write_regulations(tmp_path / "more", files=6)], settings))
    child.start()
    child.join(300)
    assert child.exitcode == 0
    on_disk = json.loads((settings.data_dir / "embedder" / "lsa.json").read_text(encoding="utf-8"))["fit_id"]
    assert on_disk != old  # the other process refitted it
    assert ARTICLE in [c["article"] for c in assistant.ask(QUESTION).answer.citations]
    assert reader.embedder.embeddings.fit_id == on_disk  # the server embeds questions with the new fit
    fresh = KnowledgeBase(settings).embedder.embeddings.embed_query(QUESTION)
    assert reader.embedder.embeddings.embed_query(QUESTION) == pytest.approx(fresh, abs=1e-6)


def test_while_a_refit_is_recomputing_vectors_readers_keep_the_fit_the_vectors_match(settings, tmp_path):
    """The ingest saves the new fit, then recomputes every stored vector: a process opening the model in between
    (or a running one checking for a refit) must keep using the fit the stored vectors still match."""
    from ingest.embedders import LsaEmbeddings

    ingest([_base(tmp_path / "docs")], settings)
    folder = settings.data_dir / "embedder"
    running = KnowledgeBase(settings)
    old = running.embedder.embeddings.fit_id
    writer = LsaEmbeddings.open(folder, settings.builtin_dim)
    writer.fit(["动火作业审批", "有限空间作业先通风再检测", "高处作业系安全带"] * 20)  # saved; vectors not recomputed
    assert json.loads((folder / "lsa.json").read_text(encoding="utf-8"))["fit_id"] == writer.fit_id != old
    assert LsaEmbeddings.open(folder, settings.builtin_dim).fit_id == old  # a new process: the vectors' fit
    assert not running.refresh_embedder() and running.embedder.embeddings.fit_id == old
    assert ARTICLE in _cited(KnowledgeBase(settings))
    writer.mark_vectors_current()  # the ingest has recomputed every vector
    assert LsaEmbeddings.open(folder, settings.builtin_dim).fit_id == writer.fit_id
    assert running.refresh_embedder() and running.embedder.embeddings.fit_id == writer.fit_id
    assert not list(folder.glob("lsa-previous*"))


def _refit_and_rewrite(settings: Settings, done, release) -> None:
    """What an ingest that refits the built-in embedder does before it writes a new document: fit on the stored
    texts and the new ones, rewrite every stored vector, mark them current; then it goes on (held open)."""
    from ingest.pipeline import Ingestor

    ingestor = Ingestor(settings)
    with ingestor._exclusive():
        new_texts = [
            f"金沙市生产经营单位应当建立第{k}项{t}管理制度" for k in range(60) for t in ("动火作业", "吊装作业")
        ]
        assert ingestor._ensure_fitted(new_texts, ingestor.kb.documents(), at_least=100_000)
        ingestor._reembed_all()
        done.set()
        release.wait(60)


def test_a_running_reader_searches_the_rewritten_vectors_once_it_embeds_with_the_new_fit(settings, tmp_path):
    """After another process refitted the model and rewrote every vector (their number unchanged), a server
    that loaded the vector index before must search the rewritten vectors, not compare questions embedded with
    the new fit against the old ones it still holds."""
    ingest([_base(tmp_path / "docs")], settings)
    reader = KnowledgeBase(settings)
    assert ARTICLE in _cited(reader)  # the vector index is loaded here
    old = reader.embedder.embeddings.fit_id
    context = _forkserver()
    done, release = context.Event(), context.Event()
    child = context.Process(target=_refit_and_rewrite, args=(settings, done, release))
    child.start()
    try:
        assert done.wait(120)
        reader.ensure_bm25()  # what every question does first: follow a refit
        assert reader.embedder.embeddings.fit_id != old
        model = reader.embedder.embeddings
        vector = model.embed_query(QUESTION)
        stored = list(reader.store.committed_chunks(reader.documents()))
        similarity = model.embed_array([index_text(c.text, c.heading_text) for c in stored]) @ np.asarray(vector)
        expected = sorted((-round(float(x), 3), c.id) for c, x in zip(stored, similarity, strict=True))[:8]
        assert sorted((-round(x, 3), c.id) for c, x in reader.store.query(vector, 8)) == expected
        assert ARTICLE in _cited(reader)
    finally:
        release.set()
        child.join(60)


def test_a_question_never_compares_vectors_of_two_fits_of_the_embedder(settings, tmp_path):
    """While an ingest rewrites every stored vector after a refit they are of two fits: a question waits for
    the rewrite (then lexical lists alone answer it); a search during which the fit switched is made again."""
    from filelock import FileLock

    from assistant.retrieval import HybridRetriever
    from ingest.embedders import LsaEmbeddings

    ingest([_base(tmp_path / "docs")], settings)
    reader = KnowledgeBase(settings.model_copy(update={"refit_wait_s": 0.5}))
    writer = LsaEmbeddings.open(settings.data_dir / "embedder", settings.builtin_dim)
    searches: list[str] = []

    def search() -> str:
        searches.append(reader.embedder.embeddings.fit_id)
        return "dense"

    assert reader.under_one_fit(search, lambda: "lexical") == "dense"
    writer.fit(["动火作业审批", "有限空间作业先通风再检测", "高处作业系安全带"] * 20)  # the vectors being rewritten
    with FileLock(str(settings.data_dir / "ingest.lock")):  # by a running ingest
        started = time.monotonic()
        assert reader.under_one_fit(search, lambda: "lexical") == "lexical"
        assert 0.5 <= time.monotonic() - started < 2  # waited for the rewrite, then answered all the same
        threading.Timer(0.2, writer.mark_vectors_current).start()  # the rewrite ends
        assert reader.under_one_fit(search, lambda: "lexical") == "dense"
        assert searches[-1] == writer.fit_id  # with the new fit
    retriever = HybridRetriever(kb=reader)
    retriever.candidates(QUESTION)  # a first question's one-off loads are no waiting (timed under load in CI)
    writer.fit(["动火作业审批", "受限空间", "安全带"] * 20)  # an ingest killed while rewriting: no waiting
    started = time.monotonic()
    found, _ = retriever.candidates(QUESTION)
    assert time.monotonic() - started < 0.5 and "dense" not in found.ranks and not found.dense
    assert ARTICLE in _cited(reader)  # the lexical lists alone still find it

    writer.mark_vectors_current()
    switched = writer.fit_id

    def search_while_refitted() -> str:
        searches.append(reader.embedder.embeddings.fit_id)
        if len(searches) == 1:  # another refit finishes during this search
            writer.fit(["动火作业审批", "受限空间", "安全带"] * 20)
            writer.mark_vectors_current()
        return "dense"

    searches.clear()
    assert reader.under_one_fit(search_while_refitted, lambda: "lexical") == "dense"
    assert searches == [switched, writer.fit_id]  # made again with the fit of the rewritten vectors
    assert reader.embedder.embeddings.fit_id == writer.fit_id


def test_questions_go_on_while_the_web_imports_and_reimports(settings, tmp_path):
    from assistant.web.ask_tab import ask_once
    from assistant.web.context import WebContext

    ingest([_base(tmp_path / "docs")], settings)
    ctx = WebContext(settings)
    ask_once(ctx, QUESTION, [], True, None, None)
    more = write_regulations(tmp_path / "more", files=6)
    for round_ in range(2):
        if round_:
            for path in more.iterdir():
                path.write_text(
                    path.read_text(encoding="utf-8") + "\n\n第九十九条 本规定自公布之日起施行。\n", encoding="utf-8"
                )
        outcome: dict = {}
        writer = threading.Thread(target=lambda into=outcome: into.update(report=ctx.write("run", [more])))
        writer.start()
        latencies, errors = [], []
        while writer.is_alive():
            started = time.monotonic()
            try:
                cited = [c["article"] for c in ask_once(ctx, QUESTION, [], True, None, None).answer.citations]
                if ARTICLE not in cited:
                    errors.append(cited)
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                errors.append(repr(exc))
            latencies.append(time.monotonic() - started)
        writer.join()
        statuses = {r.status for r in outcome["report"].results}
        assert statuses == ({"added"} if round_ == 0 else {"updated"}), statuses
        assert not errors, errors
        assert len(latencies) >= 3, latencies  # questions were answered while the import ran
        assert max(latencies) < 10, max(latencies)  # never waiting for the import (it took 17 s before)
        assert len(ctx.kb.documents()) == 7


def test_the_top_results_do_not_depend_on_the_order_the_index_returns_ties(settings, tmp_path, monkeypatch):
    folder = _base(tmp_path / "docs")
    for n in range(3):  # copies: identical texts, identical vectors, tied scores
        shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder / f"青山市危险作业安全管理条例副本{n}.md")
    ingest([folder], settings)
    kb = KnowledgeBase(settings)
    vector = kb.embedder.embeddings.embed_query(QUESTION)
    plain = [c.id for c, _ in kb.store.query(vector, 8)]
    real = type(kb.store)._query
    monkeypatch.setattr(type(kb.store), "_query", lambda self, e, k, ids: list(reversed(real(self, e, k, ids))))
    assert [c.id for c, _ in kb.store.query(vector, 8)] == plain


SEARCH = textwrap.dedent("""
    import json
    from assistant.retrieval import HybridRetriever
    from ingest.settings import Settings
    from ingest.knowledge_base import KnowledgeBase
    kb = KnowledgeBase(Settings())
    out = []
    for options in ({}, {"regions": ["青山市"]}, {"include_superseded": True}):
        retriever = HybridRetriever(kb=kb, k=8, **options)
        for question in ("动火作业前要清除什么？", "危险作业应急演练", "安全管理条例第七条", "每日检查一次并记录"):
            out.append([c.id for c, _ in retriever.search(question)])
    print(json.dumps(out))
""")


def test_identical_searches_give_identical_top_results_in_every_process(settings, tmp_path):
    folder = write_regulations(tmp_path / "docs", files=4)
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    shutil.copy(FIXTURES / f"{REGULATION_OLD}.md", folder)  # a superseded version: filters are in play
    for n in range(2):
        shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder / f"青山市危险作业安全管理条例副本{n}.md")
    ingest([folder], settings)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SEARCH],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=_env(settings.data_dir, PYTHONHASHSEED=str(seed)),
        )
        for seed in (1, 2, 3, 4)
    ]
    outputs = [json.loads(run.communicate(timeout=300)[0].strip().splitlines()[-1]) for run in runs]
    assert all(len(ids) == 8 for ids in outputs[0][:4])
    assert outputs[1:] == [outputs[0]] * 3


# --- class 10: login ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user,password", [("anjian", None), ("anjian", ""), (None, "s3cret"), ("  ", "s3cret")])
def test_half_a_login_refuses_to_start(monkeypatch, user, password):
    from assistant.web.app import launch
    from assistant.web.login import LoginConfigError

    for name, value in (("ANQUAN_WEB_USER", user), ("ANQUAN_WEB_PASSWORD", password)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(LoginConfigError, match="网页界面没有启动"):
        launch(Settings(), port=free_port(), quiet=True, block=False)
    result = runner.invoke(app, ["serve", "--port", str(free_port())])
    assert result.exit_code == 2 and "网页界面没有启动" in _plain(result.output)
    assert_no_traceback(result.output)


def _login(url: str, user: str, password: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=body), timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8")


def test_wrong_passwords_are_throttled_per_user_and_per_address(monkeypatch):
    from assistant.web.app import launch

    monkeypatch.setenv("ANQUAN_WEB_USER", "anjian")
    monkeypatch.setenv("ANQUAN_WEB_PASSWORD", "s3cret-口令")
    monkeypatch.setenv("ANQUAN_LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("ANQUAN_LOGIN_LOCKOUT_SECONDS", "2")
    port = free_port()
    demo = launch(Settings(), port=port, quiet=True, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        codes = [_login(url, "anjian", f"guess{n}") for n in range(30)]
        assert [c for c, _ in codes[:5]] == [400] * 5
        assert json.loads(codes[0][1])["detail"] == "用户名或密码不正确。"  # not Gradio's "Incorrect credentials."
        assert {c for c, _ in codes[5:]} == {429}  # 25 more refused without being checked
        assert "登录失败次数过多" in json.loads(codes[-1][1])["detail"]
        assert _login(url, "anjian", "s3cret-口令")[0] == 429  # locked even for the right password
        assert _login(url, "someone-else", "x")[0] == 429  # and for other names from this address
        time.sleep(2.1)
        assert _login(url, "anjian", "s3cret-口令")[0] == 200  # the lockout ended
    finally:
        demo.close()


def test_the_lockout_ends_and_a_correct_login_clears_it():
    from assistant.web.login import LoginGuard

    settings = Settings(login_max_failures=3, login_lockout_seconds=0.3, login_lockout_max_seconds=1.0)
    guard = LoginGuard("anjian", "s3cret", settings).check
    assert [guard("anjian", "x") for _ in range(3)] == [False] * 3
    from fastapi import HTTPException

    with pytest.raises(HTTPException) as locked:
        guard("anjian", "s3cret")
    assert locked.value.status_code == 429 and "秒后再试" in locked.value.detail
    time.sleep(0.35)
    assert guard("anjian", "s3cret") is True  # the lockout ended; a correct login clears the count
    assert "address:" not in guard.__self__._failures and "user:anjian" not in guard.__self__._failures
    assert [guard("anjian", "y") for _ in range(3)] == [False] * 3  # counting starts again: locked 0.3 s
    lockouts = []
    for _ in range(3):  # each further failure doubles the lockout, never beyond the maximum
        count, last, until = guard.__self__._failures["address:"]  # the address locks (the user name much later)
        lockouts.append(round(until - last, 2))
        time.sleep(until - time.monotonic() + 0.02)
        assert guard("anjian", "y") is False
    assert lockouts == [0.3, 0.6, 1.0]


def test_api_callers_without_a_session_cannot_grow_the_server_without_bound(monkeypatch):
    """Each API call without a session_hash makes a session of its own (~0.2 MB of page state): the server keeps
    the web_sessions most recently used; a client asking in one session keeps one."""
    from assistant.web.app import launch
    from evals.load import ask_http

    monkeypatch.setenv("ANQUAN_WEB_SESSIONS", "10")
    port = free_port()
    demo = launch(Settings(), port=port, quiet=True, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(12):
            assert ask_http(url, "动火作业要审批吗")["abstained"] is True  # an empty knowledge base
        assert len(demo.state_holder.session_data) == 10
        for _ in range(3):
            ask_http(url, "动火作业要审批吗", session="one-browser-tab")
        assert list(demo.state_holder.session_data).count("one-browser-tab") == 1
        assert len(demo.state_holder.session_data) == 10
    finally:
        demo.close()


# --- the load test --------------------------------------------------------------------------------------


def test_twenty_askers_over_http_during_an_import_and_a_reimport(tmp_path):
    from evals.load import run

    report = run(
        askers=20, docs=4, articles=40, base_docs=1, seconds=10, warmup=1, gap=1, workdir=tmp_path, log=lambda _: None
    )
    print(report.table())
    assert report.errors == 0, report.error_samples
    assert report.wrong == 0
    assert report.during_import_asks > 20 and report.during_import_completed > 0  # not blocked by the import
    assert report.imports and report.imports[0]["phase"] == "import"
