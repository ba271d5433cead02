"""Ingest variants found by the third round of hostile testing: 7-bit and Korean encodings are read or refused,
never stored as garbage; stray control characters are removed, escape sequences refused; a file with an endless
"word" is that file's failure; a folder that cannot be listed and a name holding control characters are
reported readably; an OS error is explained in Chinese."""

from __future__ import annotations

import errno
import os
import shutil

import pytest
from conftest import FIXTURES, REGULATION_NEW
from typer.testing import CliRunner

from assistant.cli import app
from ingest.encoding import decode_bytes, readable_name
from ingest.errors import OverLimit, UnreadableFile, collecting_warnings, os_reason
from ingest.loaders import check_runs
from ingest.settings import Settings

MAX_RUN_CHARS = Settings().max_run_chars
LAW = "第一条 为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，制定本法。\n" * 3


JAPANESE = "労働安全衛生法は、職場における労働者の安全と健康を確保することを目的とする。\n" * 3


@pytest.mark.parametrize(("codec", "written"), [("hz", LAW), ("iso2022_jp", JAPANESE), ("utf_7", LAW)])
def test_a_seven_bit_encoding_is_read_with_a_warning(tmp_path, codec, written):
    notes: list[str] = []
    with collecting_warnings(notes):
        text = decode_bytes(written.encode(codec), tmp_path / "法.txt")
    assert text.strip() == written.strip() and notes


def test_korean_text_is_read_as_korean_not_as_chinese_mojibake(tmp_path):
    korean = "산업안전보건법은 근로자의 안전과 보건을 유지하고 증진하기 위하여 제정된 법률입니다. " * 4
    notes: list[str] = []
    with collecting_warnings(notes):
        text = decode_bytes(korean.encode("euc_kr"), tmp_path / "kr.txt")
    assert text == korean and any("韩文" in n for n in notes)


def test_escape_sequences_are_refused_and_stray_control_characters_removed(tmp_path):
    with pytest.raises(UnreadableFile, match="控制字符"):
        decode_bytes(f"{LAW}\x1b[2J\x1b[31m".encode(), tmp_path / "esc.txt")
    notes: list[str] = []
    with collecting_warnings(notes):
        text = decode_bytes((LAW + "安全\x07生产\x0c第二条").encode(), tmp_path / "bel.txt")
    assert text == LAW + "安全生产\x0c第二条" and any("控制字符" in n for n in notes)


def test_an_endless_word_is_refused_and_the_rest_of_the_folder_imported(tmp_path):
    with pytest.raises(OverLimit, match="连在一起"):
        check_runs(tmp_path / "blob.txt", "甲" * (MAX_RUN_CHARS + 1), MAX_RUN_CHARS)
    check_runs(tmp_path / "law.txt", LAW * 10, MAX_RUN_CHARS)  # ordinary text passes
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    (folder / "blob.md").write_text("A" * (MAX_RUN_CHARS + 10), encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert "blob.md" in result.output and "Traceback" not in result.output
    assert CliRunner().invoke(app, ["show", REGULATION_NEW, "6"]).exit_code == 0


def test_a_name_with_control_characters_is_shown_escaped():
    shown = readable_name("\x1b[2J\x1b[31m红色条例.md")
    assert "\x1b" not in shown and "\\x1b" in shown and shown.endswith("红色条例.md")


@pytest.mark.parametrize(
    ("code", "words"), [(errno.ELOOP, "符号链接循环"), (errno.ENAMETOOLONG, "路径过长"), (errno.EACCES, "权限")]
)
def test_an_os_error_is_explained_in_chinese(code, words):
    reason = os_reason(OSError(code, os.strerror(code)))
    assert words in reason and os.strerror(code) not in reason
