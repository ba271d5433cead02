"""Round 44: a first question in a new process. Place names are found by looking them up, not by compiling a pattern
of the division table's thousands of names; a command that only reads ends as Python ends (threads joined, exit
handlers run, output flushed) without the interpreter's teardown; an offline answer does not load the check of an
LLM's reply; a character's reading is looked up when the character is first met."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from assistant.answer.untrusted import _Opened, _reading
from assistant.llm.verification import notes, verify
from ingest.gazetteer import NameSet
from ingest.legal_forms import default_forms
from ingest.store import StoredChunk

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


def _anquan(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command line in a new process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_a_reading_command_keeps_its_exit_status_and_its_message(tmp_path):
    env = {"ANQUAN_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    empty = _anquan(["ask", " "], env)
    assert empty.returncode == 2 and "问题是空的" in empty.stderr
    nothing = _anquan(["ask", "叉车司机要持证吗"], env)
    assert nothing.returncode == 1 and "知识库为空" in nothing.stderr and "Traceback" not in nothing.stderr


def test_an_offline_answer_does_not_load_the_check_of_an_llm_reply():
    probe = "import assistant.ask, sys\nprint('assistant.llm.verification' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


# --- an LLM's reply checked against the sources: a second round of hostile replies ---------------------------------

_REPORTING = StoredChunk(
    "reg-9",
    "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地县级"
    "以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。\n情况紧急时，事故现场有关人员可以直接向事"
    "故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
    {
        "doc_id": "生产安全事故报告和调查处理条例(2007-04-09)",
        "title": "生产安全事故报告和调查处理条例",
        "article": "第九条",
    },
)
_STAFFING = StoredChunk(
    "law-24",
    "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者配备"
    "专职安全生产管理人员。\n前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全"
    "生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
    {"doc_id": "安全生产法(2021-06-10)", "title": "中华人民共和国安全生产法", "article": "第二十四条"},
)


def _marked(reply: str, chunk: StoredChunk, question: str) -> list[str]:
    return notes(verify(reply, [chunk], question)[1], 1)


@pytest.mark.parametrize(
    "reply",
    [
        "单位负责人接到报告后，无需向事故发生地县级以上人民政府安全生产监督管理部门报告[1]。",
        "单位负责人接到报告后，不必向安全生产监督管理部门报告[1]。",
        "单位负责人接到报告后，可以不向安全生产监督管理部门报告[1]。",
        "单位负责人接到报告后，可不予报告[1]。",
        "单位负责人无需报告[1]。",
    ],
)
def test_a_party_told_it_need_not_do_what_the_law_binds_it_to_is_marked_though_another_party_may(reply):
    # the clause beside it lets 事故现场有关人员 report directly in an emergency: that permission is theirs
    assert _marked(reply, _REPORTING, "事故发生后单位负责人应当在多长时间内报告？")


@pytest.mark.parametrize(
    "reply",
    [
        "单位负责人接到报告后，应当于1小时内向安全生产监督管理部门报告[1]。",
        "单位负责人应当报告[1]。",
        "情况紧急时，事故现场有关人员可以直接向安全生产监督管理部门报告[1]。",
    ],
)
def test_each_party_told_what_the_law_binds_it_to_is_not_marked(reply):
    assert _marked(reply, _REPORTING, "事故发生后单位负责人应当在多长时间内报告？") == []


@pytest.mark.parametrize(
    "reply",
    [
        "法条原文是〖生产经营单位应当设置安全生产委员会〗[1]。",
        "第二十四条规定，〖生产经营单位应当设置安全生产委员会〗[1]。",
        "第二十四条原文如下：生产经营单位应当设置安全生产委员会[1]。",
        "法条原文是 **生产经营单位应当设置安全生产委员会** [1]。",
    ],
)
def test_words_given_as_the_laws_own_are_checked_word_for_word_however_they_are_marked(reply):
    assert any("逐字核对" in note for note in _marked(reply, _STAFFING, "我们厂120个人，必须设安全管理机构吗？"))


@pytest.mark.parametrize(
    "reply",
    [
        "第二十四条原文如下：从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
        "法条原文是 **从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员** [1]。",
        "120人的厂应当设置安全生产管理机构或者配备专职安全生产管理人员[1]，具体以原文为准。",
    ],
)
def test_the_laws_own_words_given_as_such_are_not_marked(reply):
    assert _marked(reply, _STAFFING, "我们厂120个人，必须设安全管理机构吗？") == []


@pytest.mark.parametrize("joined", ["同时设置安全生产管理机构和配备", "设置安全生产管理机构并且配备"])
def test_a_choice_the_law_gives_restated_as_both_duties_is_marked(joined):
    reply = f"从业人员超过一百人的，应当{joined}专职安全生产管理人员[1]。"
    assert _marked(reply, _STAFFING, "我们厂120个人，必须设安全管理机构吗？")
    kept = "从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。"
    assert _marked(kept, _STAFFING, "我们厂120个人，必须设安全管理机构吗？") == []


# --- a PDF page of many content streams, each under the limit of one ----------------------------------------------


def test_a_page_of_many_large_content_streams_is_refused_before_they_are_all_unpacked(tmp_path):
    import tracemalloc

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject
    from test_hostile_files import _zlib_stream

    from ingest.errors import OverLimit
    from ingest.loaders import load_file
    from ingest.loaders.limits import LoadLimits

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    streams = ArrayObject()
    for _ in range(16):  # 16 streams of 8 MB: each under the 16 MB limit of one, 128 MB in all
        stream = StreamObject()
        stream._data = _zlib_stream(8)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        streams.append(writer._add_object(stream))
    page[NameObject("/Contents")] = streams
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/BaseFont"): NameObject("/F")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    path = tmp_path / "多个数据流.pdf"
    writer.write(str(path))
    assert path.stat().st_size < 2**20  # a small file
    tracemalloc.start()
    try:
        with pytest.raises(OverLimit) as refused:
            load_file(path, LoadLimits(pdf_max_stream_mb=16, pdf_max_total_mb=32))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert "共超过 32 MB" in refused.value.reason
    assert peak < 80, peak  # about the limit: the streams past it were never unpacked


# --- a sentence-transformers model named in the settings, with nowhere to download it from --------------------------


def test_a_named_model_that_cannot_be_downloaded_is_told_at_once_in_chinese(tmp_path):
    import socket
    import time

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ANQUAN_DATA_DIR": str(tmp_path / "data"),
        "ANQUAN_EMBEDDER": "sentence-transformers",
        "ANQUAN_ST_MODEL": "BAAI/bge-small-zh-v1.5",
        "HF_HOME": str(tmp_path / "hub"),  # no model cached
        "HF_ENDPOINT": f"http://127.0.0.1:{port}",
    }
    started = time.monotonic()
    done = _anquan(["search", "安全管理机构"], env)
    assert done.returncode == 1
    assert "ANQUAN_EMBEDDER=sentence-transformers 无法使用" in done.stderr and "ANQUAN_EMBEDDER=e5" in done.stderr
    assert "Retrying" not in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 30  # was more than a minute of retries


# --- a new text of a law with none of its articles left ------------------------------------------------------------


def test_a_new_text_of_a_law_with_none_of_its_articles_left_is_refused_and_the_law_kept(tmp_path):
    from conftest import FIXTURES, REGULATION_NEW, isolated_settings

    from ingest.knowledge_base import KnowledgeBase
    from ingest.pipeline import ingest

    settings = isolated_settings(tmp_path / "data")
    folder = tmp_path / "laws"
    folder.mkdir()
    law = folder / f"{REGULATION_NEW}.md"
    text = (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8")
    law.write_text(text, encoding="utf-8")
    assert ingest([folder], settings).results[0].status == "added"

    def articles() -> set[str]:
        kb = KnowledgeBase(settings)
        (record,) = kb.documents().values()
        return {c.article for c in kb.store.document_chunks(record.doc_id, record.hash) if c.article}

    kept = articles()
    assert len(kept) >= 5
    law.write_text("# 青山市危险作业安全管理条例\n\n（无条文）\n", encoding="utf-8")  # a placeholder saved over it
    (result,) = ingest([folder], settings).results
    assert (
        result.status == "failed"
        and "没有按“第X条”编排的条文" in result.reason
        and "--confirm-supersede" in result.reason
    )
    assert articles() == kept  # the law as it was, every article answerable
    law.write_text(text.replace("第七条", "第七条 （修改）", 1), encoding="utf-8")  # a revision keeps its articles
    assert ingest([folder], settings).results[0].status == "updated"
    law.write_text("# 青山市危险作业安全管理条例\n\n（无条文）\n", encoding="utf-8")
    assert ingest([folder], settings, confirm_supersede=True).results[0].status == "updated"  # the administrator's word
    assert articles() == set()


def test_a_search_that_finds_nothing_says_so(tmp_path, monkeypatch):
    from conftest import FIXTURES, REGULATION_NEW, isolated_settings
    from typer.testing import CliRunner

    from assistant.cli import app
    from ingest.pipeline import ingest

    data = tmp_path / "data"
    folder = tmp_path / "laws"
    folder.mkdir()
    (folder / f"{REGULATION_NEW}.md").write_text(
        (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    settings = isolated_settings(data, embedder="e5")
    ingest([folder], settings, vectors=False)  # searchable by its words alone: nothing shares a word with the query
    for name, value in {"ANQUAN_DATA_DIR": str(data), "ANQUAN_EMBEDDER": "e5"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ANQUAN_VECTOR_CACHE", str(settings.vector_cache))
    result = CliRunner().invoke(app, ["search", "zzqqxx"])
    assert result.exit_code == 0, result.output
    assert "没有找到含“zzqqxx”的条文或段落" in result.output


@pytest.mark.parametrize("variable", ["ANQUAN_WEB_USER", "ANQUAN_WEB_PASSWORD"])
def test_a_login_name_or_password_holding_a_control_character_does_not_start_the_web(monkeypatch, variable):
    from assistant.web.login import LoginConfigError, login_pair
    from ingest.settings import Settings

    monkeypatch.setenv("ANQUAN_WEB_USER", "admin")
    monkeypatch.setenv("ANQUAN_WEB_PASSWORD", "s3cret-pass")
    monkeypatch.setenv(variable, "ad\x01min" if variable == "ANQUAN_WEB_USER" else "s3cret\x01pass")
    with pytest.raises(LoginConfigError, match=f"{variable} 含有换行等控制字符"):
        login_pair(Settings())
