"""Variants found by the second round of hostile testing: a named pipe in a folder is skipped with a reason
instead of hanging the import, and a question of invisible characters only is refused like an empty one."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import FIXTURES, REGULATION_NEW
from typer.testing import CliRunner

from assistant.cli import app
from ingest.cleaning import is_blank


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_in_a_folder_is_skipped_and_the_rest_is_ingested(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    os.mkfifo(folder / "管道.md")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert "不是普通文件" in result.output and "Traceback" not in result.output
    shown = CliRunner().invoke(app, ["show", REGULATION_NEW, "6"])
    assert shown.exit_code == 0 and "第六条" in shown.output


@pytest.mark.parametrize("question", ["\u200b\u200b\u200b", " \u3000 ", "\u2060\ufeff", "\u202e"])
def test_a_question_of_invisible_characters_is_refused(question):
    assert is_blank(question)
    result = CliRunner().invoke(app, ["ask", question])
    assert result.exit_code == 2 and "问题是空的" in result.output


def test_text_with_a_character_is_not_blank():
    assert not is_blank("\u200b问") and not is_blank("Ａ")
