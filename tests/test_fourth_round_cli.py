"""Red-team round 4, the CLI and the forms: a file name, title or text holding Rich markup or bidirectional controls
is shown as written; a headcount or a period far beyond any real one is refused at once in Chinese, naming the
field; an answers file answering an item twice with different values is refused, naming the item."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from conftest import FIXTURES, REGULATION_NEW
from rich.console import Console
from typer.testing import CliRunner

import assistant.cli as cli
from assistant.cli import app
from assistant.draft import PlanRequestError, draft_plan
from assistant.draft.period import parse_period
from assistant.pack import load_pack, pack_of
from assistant.selfcheck import AnswerError, build_checklist, load_answers, read_profile
from assistant.selfcheck.profile import ProfileError
from ingest.knowledge_base import KnowledgeBase

runner = CliRunner()
WIDE = {"COLUMNS": "1000"}  # the table's rows unwrapped, however long the temporary paths


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    """The CLI's console reads COLUMNS when it is made (at import, maybe before this module's tests ran): as wide."""
    import assistant.cli

    monkeypatch.setattr(assistant.cli.console, "width", 1000)


MARKUP_NAME = "[bold red on white]伪造[blink]闪烁[link=https:evil.example]点击这里.md"
BIDI_NAME = "通知\u202egpj.exe\u202c.md"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ANSI_SGR = re.compile(r"\x1b\[[0-9;]*m")
RULE = "第一条 为了加强动火作业安全管理，防止火灾事故，制定本规定。\n\n第二条 动火作业前应当办理审批手续，清理周边可燃物。\n"


# --- class 2: names, titles and text from documents are shown as written ------------------------------------


def test_a_file_name_holding_rich_markup_is_shown_as_written_with_no_blink_or_hyperlink(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    (folder / MARKUP_NAME).write_text("# 青山市动火作业安全规定\n\n" + RULE, encoding="utf-8")
    # a colour terminal, as the red team's FORCE_COLOR=1: markup read as markup would blink and link
    monkeypatch.setattr(cli, "console", Console(soft_wrap=True, highlight=False, force_terminal=True, width=400))
    result = runner.invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert result.exit_code == 0, result.output
    assert "\x1b]8;" not in result.output  # no OSC 8 hyperlink
    assert not re.search(r"\x1b\[(?:[0-9;]*;)?5(?:;[0-9;]*)?m", result.output)  # no blinking text
    plain = ANSI_SGR.sub("", result.output)
    assert MARKUP_NAME in plain and "伪造闪烁点击这里.md" not in plain


def test_bidirectional_controls_in_a_file_name_are_shown_escaped_with_a_note(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / BIDI_NAME).write_text("# 青山市动火作业安全规定\n\n" + RULE, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "--no-vectors"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert not BIDI.search(result.output)  # it would show as 通知exe.jpg.md
    assert "通知\\u202egpj.exe\\u202c.md" in result.output and "文字方向控制符" in result.output


def test_a_title_and_text_holding_markup_and_bidi_controls_are_shown_as_written(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    title = "[link=https:evil.example]青山市[blink]动火作业安全规定"
    (folder / "青山市动火作业安全规定.md").write_text(
        f"# {title}\n\n第一条 为了加强动火作业安全管理，制定本规定。\n\n"
        "第二条 动火作业前应当办理审批手续\u202e，清理周边可燃物[red]。\n\n"
        "第三条 动火作业应当安排专人监护，作业结束后清理现场。\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["ingest", str(folder), "--no-vectors"], env=WIDE).exit_code == 0
    shown = runner.invoke(app, ["show", "动火作业安全规定", "2"], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert title in shown.output and "审批手续\\u202e，清理周边可燃物[red]。" in shown.output
    assert not BIDI.search(shown.output)
    found = runner.invoke(app, ["search", "动火作业审批手续"], env=WIDE)
    assert title in found.output and "\\u202e" in found.output and not BIDI.search(found.output)
    missing = runner.invoke(app, ["show", "动火作业安全规定", "9"], env=WIDE)
    assert missing.exit_code == 1 and title in missing.output


# --- class 10: a headcount or a period beyond any real one -------------------------------------------------


@pytest.mark.parametrize(
    "employees",
    ["9" * 5000, "99999999999999999999", "1000001", "１０００００１"],
    ids=["5000-digits", "20-digits", "one-over", "full-width"],
)
def test_a_headcount_beyond_any_enterprise_is_refused_naming_the_field(employees):
    result = runner.invoke(app, ["check", "--industry", "危险化学品经营", "--employees", employees])
    assert result.exit_code == 2, result.output
    assert "从业人员人数" in result.output and "过大" in result.output and "1,000,000" in result.output
    assert "意外错误" not in result.output and len(result.output) < 400  # 5,000 digits are not echoed


def test_the_headcount_bound_holds_for_the_form_and_the_description(settings):
    pack = load_pack(settings.knowledge_dir)
    assert read_profile(pack, "餐饮", 1_000_000).employees == 1_000_000
    for employees in (10**30, 1e100, 1_000_001.0):  # what a web number field hands over
        with pytest.raises(ProfileError, match="从业人员人数.*过大"):
            read_profile(pack, "餐饮", employees)
    for employees in (float("inf"), float("nan")):
        with pytest.raises(ProfileError, match="从业人员人数.*无法识别"):
            read_profile(pack, "餐饮", employees)
    with pytest.raises(ProfileError, match="从业人员人数不能为负数"):
        read_profile(pack, "餐饮", "-" + "9" * 5000)
    with pytest.raises(ProfileError, match="描述中写的从业人员人数.*过大"):
        read_profile(pack, "餐饮", None, description="本单位有员工两千万人")


def test_a_pasted_period_is_refused_at_once_quoting_only_its_start(settings):
    period = "2025Q2" * 20_000  # 120 KB: the refusal took 160 s and echoed all of it
    started = time.monotonic()
    result = runner.invoke(app, ["draft", "--kind", "quarterly", "--period", period, "--level", "区"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 2 and "期间" in result.output and "过长" in result.output
    assert "120,000" in result.output and len(result.output) < 300
    with pytest.raises(PlanRequestError, match="过长") as refused:  # the web plan tab calls draft_plan
        draft_plan(KnowledgeBase(settings), "quarterly", period, "区")
    assert len(str(refused.value)) < 200
    plans = load_pack(settings.knowledge_dir).plan_templates  # the longest period written still reads
    assert parse_period(plans, "holiday", " 2026年元旦和春节期间 ").label == "2026年元旦春节"


def test_the_web_forms_refuse_a_huge_headcount_and_a_pasted_period_in_chinese(settings):
    from assistant.web.app import build_app

    demo = build_app(settings)
    handlers = {getattr(f, "name", ""): f.fn for f in demo.fns.values()}
    checked = handlers["make_checklist"]("危险化学品经营", 10**30, None, [], False, False, False, "")
    assert checked[0] is None and "从业人员人数" in checked[1] and "过大" in checked[1]
    drafted = handlers["make_draft"]("quarterly", "2025Q2" * 20_000, "区", [], None, None, None)
    assert drafted[0].startswith("⚠") and "过长" in drafted[0] and len(drafted[0]) < 200


# --- class 1: an answers file contradicting itself ----------------------------------------------------------


@pytest.fixture
def item_ids(settings) -> list[str]:
    kb = KnowledgeBase(settings)
    checklist = build_checklist(kb, pack_of(kb), read_profile(pack_of(kb), "危险化学品经营", 150))
    return [item.id for item in checklist.items[:3]]


def test_an_item_answered_twice_with_different_values_is_refused_naming_it(tmp_path, item_ids):
    first, second, _ = item_ids
    answers = tmp_path / "回答.yaml"
    answers.write_text(f"{first}: 是\n{second}: 是\n{first}: 否\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "--industry", "危险化学品经营", "--employees", "150", "--answers", str(answers)], env=WIDE
    )
    assert result.exit_code == 2, result.output
    assert first in result.output and "第 1 行“是”" in result.output and "第 3 行“否”" in result.output
    assert "两个不同的回答" in result.output and "差距报告" not in result.output
    (tmp_path / "a.csv").write_text(f"编号,回答\n{first},是\n{second},否\n{second},不确定\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=f"两个不同的回答.*“{second}”（第 3 行“否”，第 4 行“不确定”）"):
        load_answers(tmp_path / "a.csv")
    (tmp_path / "b.yaml").write_text(
        f"- {{id: {first}, answer: 否}}\n- {{id: {first}, answer: 是}}\n", encoding="utf-8"
    )
    with pytest.raises(AnswerError, match=f"“{first}”（第 1 项“否”，第 2 项“是”）"):
        load_answers(tmp_path / "b.yaml")


def test_an_item_answered_twice_alike_is_read(tmp_path, item_ids):
    first, second, third = item_ids
    (tmp_path / "a.yaml").write_text(f"{first}: 是\n{second}: 否\n{first}: 是\n{third}:\n", encoding="utf-8")
    assert load_answers(tmp_path / "a.yaml") == {first: "是", second: "否"}
    (tmp_path / "a.csv").write_text(f"编号,回答\n{first},否\n{first},否\n{second},\n", encoding="utf-8")
    assert load_answers(tmp_path / "a.csv") == {first: "否"}
