"""Round 44: a first question in a new process. Place names are found by looking them up, not by compiling a pattern
of the division table's thousands of names; a command that only reads ends as Python ends (threads joined, exit
handlers run, output flushed) without the interpreter's teardown; an offline answer does not load the check of an
LLM's reply; a character's reading is looked up when the character is first met."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from assistant.answer.untrusted import _Opened, _reading
from ingest.gazetteer import NameSet
from ingest.legal_forms import default_forms

# --- place names looked up ---------------------------------------------------------------------------------------


def test_the_longest_name_a_text_holds_at_a_position_is_found_as_a_pattern_of_them_would():
    names = NameSet(["宁波", "宁波市", "北仑", "北仑区", "杭州"])
    assert names.match("宁波市北仑区的企业") == "宁波市"
    assert names.match("宁波市北仑区的企业", 3) == "北仑区"
    assert names.match("我们在宁波", 0) == ""
    assert names.match("我们在宁波", 3) == "宁波"
    assert names.match("宁") == ""  # the text ends before any name does


def test_a_name_that_may_not_end_where_it_does_gives_way_to_a_shorter_one():
    names = NameSet(["北仑", "北仑港务"])
    # as a pattern's alternation backtracks: the longer name is refused by what follows it, the shorter one is not
    assert names.match("北仑港务局", ends=lambda text, end: end == len(text) or text[end] == "的") == ""
    assert names.match("北仑的港务", ends=lambda text, end: end == len(text) or text[end] == "的") == "北仑"
    assert names.match("北仑港务", ends=lambda text, end: end == len(text)) == "北仑港务"


def test_every_name_in_a_text_is_found_from_left_to_right_none_overlapping():
    names = NameSet(["余杭区", "杭州", "杭州市", "浦东新区"])
    assert names.findall("杭州市余杭区和浦东新区") == ["杭州市", "余杭区", "浦东新区"]
    assert names.findall("余杭区州") == ["余杭区"]  # 杭州 inside what was already read is not read again
    assert NameSet([]).findall("杭州") == []


def test_a_district_by_its_short_name_a_district_by_its_full_name_and_a_city_are_still_read_from_a_question():
    forms = default_forms()
    assert "宁波市北仑区" in forms.places_named("我们厂在北仑，要办什么手续？")
    assert forms.places_named("杭州余杭区的化工企业要注意什么") == ["杭州市余杭区"]
    assert forms.places_named("我们公司在山东路上，加油站要注意什么") == []  # a road named after a place names none


# --- readings looked up when met ---------------------------------------------------------------------------------


def test_a_character_sounds_as_its_usual_reading_and_one_without_a_reading_is_left_as_it_is():
    assert _reading("略") == "lue" and _reading("畧") == "lue"
    assert _reading("a") is None and _reading("。") is None
    assert "忽略 a。".translate(_Opened()) == "'hu'lue a。"


# --- a reading command ends at once ------------------------------------------------------------------------------

_ENDING = textwrap.dedent(
    """
    import atexit, sys, threading, time
    from pathlib import Path
    from assistant.cli import exit_at_once

    out = Path(sys.argv[1])

    def late():
        time.sleep(0.3)
        (out / "thread").write_text("done")

    threading.Thread(target=late).start()
    atexit.register(lambda: (out / "atexit").write_text("ran"))
    print("依据：《中华人民共和国安全生产法》第二十四条", end="")  # buffered: the pipe is not a terminal
    exit_at_once(3)
    """
)


def test_ending_at_once_waits_for_a_thread_still_working_runs_the_exit_handlers_and_flushes_the_output(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _ENDING, str(tmp_path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "依据：《中华人民共和国安全生产法》第二十四条"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"


def test_a_reading_command_keeps_its_exit_status_and_its_message(tmp_path):
    env = {"ANQUAN_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    empty = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", " "], capture_output=True, text=True, timeout=120, env=env
    )
    assert empty.returncode == 2 and "问题是空的" in empty.stderr
    nothing = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "叉车司机要持证吗"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert nothing.returncode == 1 and "知识库为空" in nothing.stderr and "Traceback" not in nothing.stderr


def test_an_offline_answer_does_not_load_the_check_of_an_llm_reply():
    probe = "import assistant.ask, sys\nprint('assistant.llm.verification' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
