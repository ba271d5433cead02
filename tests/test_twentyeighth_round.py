"""Round 28 of hostile input (issue 16): files, the ingest and faults of the machine, as a clumsy user or an attacker
meets them.

- Ctrl+C during an ingest of a folder reaches every process of the terminal's group, the worker processes that
  prepare the files too: each printed Python's English traceback (Process ForkPoolWorker-1: Traceback … KeyboardInterrupt)
  under the command's 已中断, and once the command hung for good, its workers gone and the writer waiting on the
  lock one of them held. The workers now leave Ctrl+C to the command, which stops them and says 已中断; a second
  Ctrl+C while it exits is ignored instead of printing another traceback.
- An empty path on the command line (an unset shell variable: anquan ingest "$DIR") was read by Python as the current
  folder: `anquan ingest ""` imported every document under the folder the user stood in, and `--out ""` or
  `--answers ""` were refused as “.：只能写成 .docx…”, naming a file the user never wrote. Each is now refused at once,
  naming the argument or option and what to write there.
- A regulation whose articles follow one another on one line (第一条 …制定本规则。 第二条 …。 第三条 …, as 飞行基本规则 in
  the scale corpus has each chapter) was cut as one article: `anquan show` found no 第五条 and 第一条 quoted the next
  nine as its own text, with no word at ingest. Each article glued on after the end of a sentence now opens a line of
  its own and is cut, shown and cited as itself.
- `anquan show 条例 第五條之一` (the article typed in traditional script, as a Hong Kong or Taiwan keyboard gives it)
  was refused as 无法识别条号, while `anquan ask` read the same label; show now reads it too.
- ANQUAN_DATA_DIR=~/anquan written in a .env file (which no shell expands) made a folder named ~ in whatever folder
  the command ran in: a new, empty knowledge base in each, the documents imported from one folder missing when asked
  from another. A path setting starting with ~ is now under the home folder, as in a shell.
- A data directory whose path is not UTF-8 (a folder named in GBK on an old disk) failed every command, ingest, show,
  stats and ask alike, as 意外错误（UnicodeEncodeError）; each now says the path is not UTF-8 and what to do.
- A folder imported that holds the data directory (ANQUAN_DATA_DIR=./data, then anquan ingest . from the same folder)
  imported the program's own files: the lexical index's fingerprint.txt became a document “fingerprint”, and a web
  upload's stored copy was refused as another document of the same name. The data directory is now left out of a
  folder's walk, told once why.
- `anquan draft --out 计划.md` where 计划.md is a named pipe hung for good (writing to a pipe waits for a reader), and
  an --out name over the system's 255 bytes (about 85 Chinese characters) failed drafting or the self-check export
  as 意外错误（OSError）. Both are now refused before any work, saying what the name is and what to do.
- `anquan check --answers` naming a folder, a named pipe or a device was told 回答文件不存在, and a name over 255 bytes
  failed as 意外错误（OSError）; each is now told what it is.
- An empty document Notepad saved as “Unicode” (its two-byte BOM alone) was refused as 文件开头标明是 UTF-16 编码，但内容
  不是有效的 UTF-16 文本（可能已损坏）, sending the user looking for damage; a file of its BOM alone, in any of the
  Unicode encodings, is now told empty, as an empty UTF-8 file is.
- A file named twice in one ingest (anquan ingest 法规 法规/01.md, a folder given as . and by its name, a path typed
  twice) was read twice, reported 与 …01.md 内容相同，已跳过 (the same as itself), and noted as two files whose
  names differ only in Unicode form (NFC、NFC) that would be imported as different files. Each file is now read once.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _regulations(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(1, count + 1):
        (folder / f"{n:02d}号条例(2020-01-{n:02d}).md").write_text(
            f"# 青山市第{n}号条例\n\n第一条 为了加强安全生产工作，制定本条例。\n\n第二条 生产经营单位应当遵守本条例。\n",
            encoding="utf-8",
        )
    return folder


# `anquan ingest folder`, with the user pressing Ctrl+C (SIGINT to the whole process group, as a terminal sends it)
# while a worker prepares the third file; the command notices it half a second later, as when the signal comes
# during a long write to the store (Python runs its handler only between two steps of its own)
_CTRL_C = """
import os, signal, sys, time
import ingest.preparation as preparation
start, iterate = preparation.Preparation.__enter__, preparation.Preparation.__iter__
def writing(signum, frame):
    time.sleep(0.5)
    raise KeyboardInterrupt
def started(self):
    started = start(self)  # the workers start with Python's own handler
    signal.signal(signal.SIGINT, writing)
    return started
def prepared(self):  # Ctrl+C, to the terminal's whole process group, while the workers prepare the files
    for n, item in enumerate(iterate(self)):
        if n == 2:
            os.killpg(os.getpgrp(), signal.SIGINT)
            time.sleep(0.2)
        yield item
preparation.Preparation.__enter__, preparation.Preparation.__iter__ = started, prepared
from assistant.cli import app
from assistant.ask import Assistant
sys.argv = ["anquan", "ingest", sys.argv[1]]
app()
"""


def test_ctrl_c_during_an_ingest_stops_it_in_chinese(tmp_path):
    folder = _regulations(tmp_path / "法规", 8)  # enough to be prepared by worker processes
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,  # it hung for good
        start_new_session=True,  # its own process group, as a terminal's foreground command
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "已中断。"  # and nothing else: no worker's traceback


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["ingest", ""], "paths 的值“”无效：是空的，请写出要导入的文件或文件夹"),
        (["ingest", "法规", " "], "paths 的值“ ”无效：是空的，请写出要导入的文件或文件夹"),
        (["draft", "--period", "2025Q1", "--out", ""], "--out 的值“”无效：是空的，请写出要写入的文件名"),
        (["check", "--industry", "餐饮", "--answers", ""], "--answers 的值“”无效：是空的，请写出自查回答文件的路径"),
        (["check", "--industry", "餐饮", "--out", ""], "--out 的值“”无效：是空的，请写出要导出的文件名"),
    ],
    ids=["ingest", "ingest-among-others", "draft-out", "check-answers", "check-out"],
)
def test_an_empty_path_is_refused_naming_it_not_read_as_the_current_folder(args, said, tmp_path, monkeypatch):
    _regulations(tmp_path / "法规", 1)
    monkeypatch.chdir(tmp_path / "法规")  # where the user stands: none of its documents is imported
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert not KnowledgeBase(Settings()).documents()


GLUED = (
    "# 青山市动火作业安全管理规定\n\n## 第一章 总则\n\n"
    "第一条 为了加强动火作业安全管理，制定本规定。 第二条 本规定适用于本市行政区域内的动火作业。 "
    "第三条 动火作业前，作业单位应当办理动火作业审批手续，清除作业现场十米以内的可燃物。"
    "第四条 动火作业应当安排专人监护，监护人不得离开作业现场。 第五条 违反本规定的，由应急管理部门责令改正。\n"
)


def test_articles_glued_into_one_line_are_each_shown_and_cited_as_themselves(tmp_path):
    (tmp_path / "青山市动火作业安全管理规定(2024-01-01).md").write_text(GLUED, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["show", "动火作业安全管理规定", "4"])
    assert shown.exit_code == 0, shown.output
    assert "第四条 动火作业应当安排专人监护" in shown.output and "第五条" not in shown.output
    first = runner.invoke(app, ["show", "动火作业安全管理规定", "1"])
    assert "第二条" not in first.output  # no longer quotes the articles after it as its own text
    answer = Assistant(KnowledgeBase(Settings())).ask("动火作业前要清除多大范围内的可燃物？").answer
    assert [c["article"] for c in answer.citations][:1] == ["第三条"], answer.text


@pytest.mark.parametrize(("typed", "article"), [("第五條之一", "第五条之一"), ("第八條", "第八条"), ("五條", "第五条")])
def test_an_article_typed_in_traditional_script_is_shown(typed, article, tmp_path):
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", tmp_path)
    ingest([tmp_path], Settings())
    result = runner.invoke(app, ["show", "危险作业安全管理条例", typed])
    assert result.exit_code == 0, result.output
    assert f"》{article}" in result.output and f"\n{article} " in result.output


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_data_directory_written_with_a_tilde_is_under_the_home_folder(where, tmp_path, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    if where == ".env":
        monkeypatch.delenv("ANQUAN_DATA_DIR")
        (work / ".env").write_text("ANQUAN_DATA_DIR=~/anquan-data\n", encoding="utf-8")
    else:
        monkeypatch.setenv("ANQUAN_DATA_DIR", "~/anquan-data")
    folder = _regulations(tmp_path / "法规", 1)
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert not (work / "~").exists()
    assert (home / "anquan-data" / "chroma").is_dir()
    assert Settings().data_dir == home / "anquan-data"


@pytest.mark.parametrize(
    "args", [["stats"], ["show", "安全生产法", "24"], ["ingest", "法规"], ["ask", "动火作业要审批吗？"]]
)
def test_a_data_directory_whose_path_is_not_utf8_is_named_with_what_to_do(args, tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", os.fsdecode(bytes(tmp_path) + "/\xc7\xe0\xc9\xbd\xca\xd0".encode("latin-1")))
    monkeypatch.chdir(tmp_path)
    _regulations(tmp_path / "法规", 1)
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "的路径中有不是 UTF-8 编码的文件夹名" in result.output and "ANQUAN_DATA_DIR" in result.output, result.output
    assert "意外错误" not in result.output


def test_the_data_directory_inside_a_folder_imported_is_left_out_saying_why(tmp_path, monkeypatch):
    folder = _regulations(tmp_path / "法规", 2)
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(folder / "data"))
    (folder / "data" / "uploads").mkdir(parents=True)  # a web upload's stored copy
    shutil.copy(folder / "01号条例(2020-01-01).md", folder / "data" / "uploads" / "01号条例(2020-01-01).md")
    for _ in range(2):  # the second time the lexical index (and its fingerprint.txt) is there
        result = runner.invoke(app, ["ingest", str(folder)])
        assert result.exit_code == 0, result.output
        assert "这是本程序的数据目录" in result.output
    assert sorted(KnowledgeBase(Settings()).documents()) == ["01号条例(2020-01-01)", "02号条例(2020-01-02)"]


@pytest.mark.parametrize(
    ("args", "name", "said"),
    [
        (["draft", "--period", "2025Q1"], "计划.md", "不是普通文件（是命名管道"),
        (["check", "--industry", "餐饮", "--employees", "30"], "自查.xlsx", "不是普通文件（是命名管道"),
        (["draft", "--period", "2025Q1"], "计" * 90 + ".docx", "（文件名过长）"),
        (["check", "--industry", "餐饮", "--employees", "30"], "查" * 90 + ".xlsx", "（文件名过长）"),
    ],
    ids=["draft-pipe", "check-pipe", "draft-long-name", "check-long-name"],
)
def test_an_output_that_is_a_pipe_or_too_long_a_name_is_refused_before_any_work(args, name, said, tmp_path):
    out = tmp_path / name
    if "命名管道" in said:
        os.mkfifo(out)
        reader = os.open(out, os.O_RDONLY | os.O_NONBLOCK)  # so that a write would not wait for good
    try:
        result = runner.invoke(app, [*args, "--out", str(out)])
    finally:
        if "命名管道" in said:
            os.close(reader)
    assert result.exit_code == 2, result.output
    assert said in result.output and "意外错误" not in result.output


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("folder", "这是一个文件夹，不是回答文件"),
        ("pipe", "不是普通文件（是命名管道、设备文件等特殊文件）"),
        ("long", "无法读取回答文件（路径过长"),
    ],
)
def test_an_answers_path_that_is_no_file_is_told_what_it_is(kind, said, tmp_path):
    answers = tmp_path / ("回" * 90 + ".csv" if kind == "long" else "回答.csv")
    if kind == "folder":
        answers.mkdir()
    elif kind == "pipe":
        os.mkfifo(answers)
    result = runner.invoke(app, ["check", "--industry", "餐饮", "--employees", "30", "--answers", str(answers)])
    assert result.exit_code == 2, result.output
    assert said in result.output and "意外错误" not in result.output


@pytest.mark.parametrize(
    "bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8]
)
def test_a_file_of_its_byte_order_mark_alone_is_told_empty(bom, tmp_path):
    (tmp_path / "空白通知.txt").write_bytes(bom)
    report = ingest([tmp_path], Settings())
    assert [r.reason for r in report.results if r.status == "failed"] == [
        "文件为空（只有开头的编码标记），没有可入库的内容"
    ]


def test_a_file_named_twice_in_one_ingest_is_read_once(tmp_path, monkeypatch):
    folder = _regulations(tmp_path / "法规", 2)
    monkeypatch.chdir(tmp_path)
    report = ingest([folder, Path("法规") / "01号条例(2020-01-01).md", Path("法规"), folder / "."], Settings())
    assert sorted((r.path.name, r.status) for r in report.results) == [
        ("01号条例(2020-01-01).md", "added"),
        ("02号条例(2020-01-02).md", "added"),
    ]
    assert not report.notes or not any("Unicode" in note for note in report.notes), report.notes
