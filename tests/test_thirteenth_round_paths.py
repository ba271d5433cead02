"""Red-team rounds 13 and 14, special paths and citation lines: a file of the system's pseudo filesystems
(/sys, /proc, /dev) given to `anquan ingest`, by a symbolic link too, is reported and skipped with a Chinese reason,
not imported: a /sys attribute reports 4096 bytes, so the size-0 test for /proc files did not catch it (G19); in a
folder ingest, a symbolic link to a folder outside the folder (loop -> ..) is reported once and not entered, while
links to folders inside it still work (G20); and the command line's 依据 lines carry the place note the web's source
entries show for a local text whose title names no place (· 青山市规范性文件)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.cli
from assistant.answer import Answer, Source
from assistant.answer.compose import declined
from assistant.ask import Assistant
from assistant.citations import citation, place_note
from assistant.cli import app
from assistant.web.sources import source_messages
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.walk import walk

runner = CliRunner()

# /sys attributes that report a size of 4096 and read a line of text
_SYS_FILES = [
    "/sys/kernel/mm/transparent_hugepage/enabled",
    "/sys/devices/system/cpu/online",
    "/sys/devices/system/cpu/possible",
    "/sys/kernel/mm/transparent_hugepage/defrag",
]


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    """The CLI's console reads COLUMNS when it is made (at import): as wide, the table's cells are never cut."""
    monkeypatch.setattr(assistant.cli.console, "width", 1000)


def _flat(text: str) -> str:
    """Printed text without spaces, line breaks and table rules."""
    return re.sub(r"[\s│┃]+", "", text)


def _sys_file() -> Path:
    for name in _SYS_FILES:
        path = Path(name)
        try:
            if path.is_file() and path.read_bytes():
                return path
        except OSError:
            continue
    pytest.skip("no readable /sys attribute on this machine")


def _regulation(path: Path, title: str = "青山市动火作业安全规定") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n第一条 动火作业应当办理动火作业许可证。\n", encoding="utf-8")
    return path


def _sources() -> set[str]:
    return {record.source for record in KnowledgeBase(Settings()).documents().values()}


# --- G19: files of /sys (and /proc, /dev) ------------------------------------------------------------------------


def test_a_symlink_to_a_sys_file_is_refused_and_the_other_files_still_import(tmp_path):
    target = _sys_file()
    assert target.stat().st_size > 0  # the size-0 test for /proc files cannot catch it
    link = tmp_path / "thp.txt"
    link.symlink_to(target)
    good = _regulation(tmp_path / "docs" / "青山市动火作业安全规定.md")
    result = runner.invoke(app, ["ingest", str(link), str(good)])
    out = result.output
    assert result.exit_code == 1, out  # one failed, reported
    assert "新增 1" in out and "失败 1" in out, out
    line = next(line for line in out.splitlines() if "thp.txt" in line)
    assert "失败" in line and "新增" not in line, line
    assert "这是系统的虚拟文件（位于/sys，" in _flat(out) and f"指向{target}的符号链接" in _flat(out), out
    assert _sources() == {str(good)}


@pytest.mark.parametrize("name", [*_SYS_FILES[:2], "/proc/self/environ", "/proc/cpuinfo"])
def test_a_system_file_named_directly_is_no_document(name):
    if not Path(name).is_file():
        pytest.skip(f"{name} is not on this machine")
    reasons = {path: result for path, result in walk([Path(name)])}
    result = reasons[Path(name)]
    assert result is not None and result.status == "failed" and "虚拟文件" in result.reason
    assert name.split("/")[1] in result.reason  # 位于 /sys, 位于 /proc


def test_a_sys_file_given_as_part_of_a_folder_named_on_its_own_is_refused_too(tmp_path):
    """Named on its own, a link leading outside a folder is imported as the user asked: not a /sys one."""
    folder = tmp_path / "docs"
    _regulation(folder / "青山市动火作业安全规定.md")
    (folder / "cpu.md").symlink_to(_sys_file())
    in_folder = {path.name: result for path, result in walk([folder])}
    assert in_folder["cpu.md"] is not None and in_folder["cpu.md"].status == "skipped"
    assert in_folder["青山市动火作业安全规定.md"] is None
    alone = dict(walk([folder / "cpu.md"]))[folder / "cpu.md"]
    assert alone is not None and alone.status == "failed" and "虚拟文件" in alone.reason
    assert "符号链接" in alone.reason


def test_an_ordinary_file_is_not_taken_for_a_system_file(tmp_path):
    good = _regulation(tmp_path / "青山市动火作业安全规定.md")
    assert dict(walk([good]))[good] is None
    assert all(result is None for _, result in walk([tmp_path]))


# --- G20: symbolic links to folders in a folder ingest ----------------------------------------------------------


@pytest.fixture
def sibling_folders(tmp_path) -> Path:
    """sp/f1 holds a regulation; sp/f3 holds another and loop -> .. (the red team's layout)."""
    root = tmp_path / "sp"
    _regulation(root / "f1" / "红河市危险化学品安全规定.md", "红河市危险化学品安全规定")
    _regulation(root / "f3" / "青山市动火作业安全规定.md")
    (root / "f3" / "loop").symlink_to("..", target_is_directory=True)
    return root


def test_a_folder_link_leading_outside_is_reported_once_and_not_followed(sibling_folders):
    folder = sibling_folders / "f3"
    result = runner.invoke(app, ["ingest", str(folder)])
    out = result.output
    assert result.exit_code == 0, out
    assert "红河市危险化学品安全规定" not in out and "f1" not in out.replace(str(sibling_folders / "f3"), ""), out
    assert _sources() == {str(folder / "青山市动火作业安全规定.md")}
    reported = [line for line in out.splitlines() if "loop" in line]
    assert len(reported) == 1 and "跳过" in reported[0], out
    assert f"指向所导入文件夹之外的文件夹（{sibling_folders}），其中的文件均未导入" in _flat(out), out
    assert "新增 1" in out and "跳过 1" in out, out


def test_the_walk_does_not_enter_a_folder_link_leading_outside(sibling_folders):
    folder = sibling_folders / "f3"
    found = dict(walk([folder]))
    assert set(found) == {folder / "loop", folder / "青山市动火作业安全规定.md"}
    assert found[folder / "loop"].status == "skipped" and str(sibling_folders) in found[folder / "loop"].reason


def test_a_folder_link_inside_the_folder_still_imports_its_files_and_loops_still_stop(tmp_path):
    folder = tmp_path / "docs"
    inner = _regulation(folder / "z" / "内层" / "青山市受限空间作业规定.md", "青山市受限空间作业规定").parent
    (folder / "a_link").symlink_to(inner, target_is_directory=True)  # inside: followed (it sorts first)
    (folder / "z" / "内层" / "back").symlink_to(folder, target_is_directory=True)  # the folder itself: a loop
    result = runner.invoke(app, ["ingest", str(folder)])
    out = result.output
    assert result.exit_code == 0, out
    assert "新增 1" in out and "所导入文件夹之外" not in out, out
    assert len(_sources()) == 1
    (source,) = _sources()
    assert Path(source).name == "青山市受限空间作业规定.md"
    assert os.path.realpath(source) == str((inner / "青山市受限空间作业规定.md").resolve())


def test_a_folder_named_through_a_link_is_walked_as_the_folder(tmp_path, sibling_folders):
    """The folder given is itself a symbolic link: what is inside its target is inside."""
    alias = tmp_path / "别名"
    alias.symlink_to(sibling_folders / "f3", target_is_directory=True)
    found = dict(walk([alias]))
    assert found[alias / "青山市动火作业安全规定.md"] is None
    assert found[alias / "loop"].status == "skipped"


# --- the place note on the command line's citation lines ---------------------------------------------------------

NOTICE_TITLE = "关于加强动火作业安全管理的通知"
NOTICE = f"""# {NOTICE_TITLE}

各区应急管理局，各有关单位：

一、动火作业前必须清除作业点周围十米范围内的可燃物，并配备两具以上灭火器。

二、动火作业结束后，作业人员应当留守现场观察三十分钟，确认无残留火种后方可离开。

青山市应急管理局
2024年3月1日
"""
QUESTION = "动火作业结束后要留守观察多长时间？"


def test_a_folder_of_the_system_given_through_a_link_is_refused_in_one_row(tmp_path):
    """/proc/self or a /sys folder named for import: one row saying what it is, not thousands of made-up files."""
    for target in ("/proc/self", str(_sys_file().parent)):
        link = tmp_path / f"link-{len(list(tmp_path.iterdir()))}"
        link.symlink_to(target)
        rows = list(walk([link]))
        assert len(rows) == 1 and rows[0][1] is not None and rows[0][1].status == "failed", rows[:3]
        assert "虚拟文件夹" in rows[0][1].reason


def test_a_file_in_shared_memory_is_an_ordinary_file(tmp_path):
    """/dev/shm is a tmpfs holding files someone wrote, not a file the system makes up when read."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("no writable /dev/shm on this machine")
    written = shm / f"anquan-test-{os.getpid()}.md"
    written.write_text("第一条 测试。", encoding="utf-8")
    try:
        link = tmp_path / "shared.md"
        link.symlink_to(written)
        assert list(walk([link])) == [(link, None)]
    finally:
        written.unlink()


def test_the_cli_answer_names_the_place_of_a_local_text_whose_title_names_none_as_the_web_does(tmp_path):
    notice = tmp_path / "docs" / f"{NOTICE_TITLE}.md"
    notice.parent.mkdir()
    notice.write_text(NOTICE, encoding="utf-8")
    imported = runner.invoke(app, ["ingest", str(notice.parent)])
    assert imported.exit_code == 0, imported.output

    kb = KnowledgeBase(Settings())
    answer = Assistant(kb).ask(QUESTION).answer
    assert answer.sources and not answer.abstained, answer.text
    source = answer.sources[0]
    assert "青山市" in source.chunk.region and NOTICE_TITLE in source.citation
    web_title = source_messages(kb, answer)[0]["metadata"]["title"].replace("\\", "")  # Markdown escapes aside
    note = place_note(source.chunk)
    assert note.startswith(" · 青山市") and web_title == f"[{source.number}] {citation(source.chunk)}{note}"

    asked = runner.invoke(app, ["ask", QUESTION])
    assert asked.exit_code == 0, asked.output
    assert _flat(web_title) in _flat(asked.output), asked.output  # what the web's entry title says
    assert "·青山市" in _flat(asked.output.split("依据：")[1])
    assert "三十分钟" in asked.output


def _chunk(title: str, region: str, kind: str, article: str = "第九条") -> StoredChunk:
    meta = {"doc_id": title, "title": title, "kind": kind, "region": region, "unit": "article", "article": article}
    return StoredChunk(title, f"{article} 事故发生后……", meta)


def test_the_place_notes_go_on_the_source_and_related_lines_only():
    local = _chunk("生产安全事故报告和调查处理条例", "北京市", "地方性法规")
    national = _chunk("中华人民共和国安全生产法", "全国", "法律", "第二十四条")
    named = _chunk("北京市安全生产条例", "北京市", "地方性法规", "第三条")
    sources = [Source(1, local), Source(2, national), Source(3, named)]
    assert [s.citation for s in sources] == [
        f"{citation(local)} · 北京市地方性法规",
        citation(national),
        citation(named),  # its title names its place
    ]
    abstained = declined("问", [local, national])
    assert f"- {citation(local)} · 北京市地方性法规" in abstained.text.split("\n")
    assert f"- {citation(national)}" in abstained.text.split("\n")
    text = "\n".join(["回答[1][2][3]", "", "依据：", *(f"[{s.number}] {s.citation}" for s in sources)])
    answer = Answer("问", text, False, sources)
    titles = [m["metadata"]["title"].replace("\\", "") for m in source_messages(KnowledgeBase(Settings()), answer)]
    assert titles == text.split("\n")[3:6]  # the web's entries and the command line's lines say the same
