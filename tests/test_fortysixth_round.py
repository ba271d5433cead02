"""Round 46.

The web chat: what the user types while an answer is still coming (a model writing it) stays in the box. Each step
of the answer put the question box back to empty, so a follow-up typed meanwhile was erased, and one typed just as
the answer finished could be erased after the user had sent it (the chat then waited for an answer that never came).

The built-in embedder (issues 16, 17): an ingest killed while it rewrote every stored vector after a refit left them
of two fits; questions were then answered by their words alone, silently, and an ingest bringing nothing new left it
so. anquan stats and the web page's header say so; the next ingest of anything, or anquan embed, finishes the rewrite.

Whose rules (issue 15): a province or city named as acting on a matter (湖南省对…罚多少) asks its own rules, which the
library may not hold; a district (it makes no local regulations) or where the asker acts (我们在长沙对…) does not.

Repeals (issue 16): a text's own words ending another's effect in the wordings of decisions and notices (同时失效,
宣布失效, 同时停止执行, 自…起不再执行) mark it repealed, as 同时废止 does."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW, invoke, regulation_with, serving, write_regulations
from fake_openai import FakeOpenAI
from test_repeal import NEW, NEW_TEXT, OLD, OLD_TEXT, write
from test_retrieval_stages import record
from test_thirtysecond_round_answers import _analyzer

from assistant.web.context import WebContext
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.repeal import repeal_claims
from ingest.settings import Settings

# --- the web chat ----------------------------------------------------------------------------------------------


def _cites_the_rule(messages: list[dict]) -> str:
    """A model's reply quoting 第六条 by its source number, long enough to stream for a few seconds."""
    number = next(
        n
        for n, body in re.findall(r'<资料 编号="(\d+)"[^>]*>\n(.*?)\n</资料>', messages[-1]["content"], re.S)
        if "先通风、再检测、后作业" in body
    )
    return "有限空间作业应当坚持的顺序，按条例规定为：“先通风、再检测、后作业”" + f"[{number}]。" * 4


def test_a_follow_up_typed_while_the_answer_is_written_stays_in_the_box(browser, tmp_path):
    with FakeOpenAI(_cites_the_rule, streaming=True, piece_delay=0.4) as model:
        settings = regulation_with(tmp_path, {}, llm_base_url=model.base_url, llm_model="fake-model")
        with serving(settings) as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            try:
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(url)
                box = page.locator("#ask-input textarea")
                box.fill("有限空间作业应当坚持什么顺序？")
                page.click("#ask-send")
                page.get_by_text("大模型作答中").wait_for()  # the answer is being written
                box.fill("要签什么？")
                page.locator("#ask-chat").get_by_text("依据（点击编号").wait_for()  # the verified answer
                page.wait_for_function("() => !document.querySelector('#ask-chat [aria-busy=\"true\"]')")
                assert "先通风、再检测、后作业" in page.locator("#ask-chat").inner_text()
                page.wait_for_timeout(500)  # anything the finished event still sends
                assert box.input_value() == "要签什么？"
            finally:
                context.close()


# --- repeals in other words ------------------------------------------------------------------------------------

ENDED = [
    "本条例自2024年5月1日起施行。《青山市矿山安全管理规定》同时失效。",
    "本条例自2024年5月1日起施行，《青山市矿山安全管理规定》同时停止执行。",
    "《青山市矿山安全管理规定》（青山市人民代表大会常务委员会公告第3号）自2024年5月1日起不再执行。",
    "青山市人民政府决定：宣布失效《青山市矿山安全管理规定》和《青山市矿井通风管理办法》。",
    "对下列地方性法规宣布失效：\n一、青山市矿山安全管理规定（2015年3月1日通过）\n二、青山市矿井通风管理办法",
]


@pytest.mark.parametrize("sentence", ENDED)
def test_a_text_declared_no_longer_in_effect_is_read_as_repealed(sentence):
    assert "青山市矿山安全管理规定" in [claim.name for claim in repeal_claims([("第三十条", sentence)])]


@pytest.mark.parametrize(
    "sentence",
    [
        "《安全生产许可证》被吊销的，自吊销之日失效。",  # a certificate, no ending adverb
        "《青山市矿山安全管理规定》施行后，本单位不再执行原有的管理制度。",  # what the unit stops doing
        "依照《青山市矿山安全管理规定》，过期的检验报告同时失效。",  # a text cited, not ended
        "《青山市矿山安全管理规定》中有关井下通风的规定同时停止执行。",  # part of it
        "建议宣布失效的规章目录见附件。",
    ],
)
def test_ending_words_that_end_no_text_repeal_nothing(sentence):
    assert repeal_claims([("", sentence)]) == []


def test_a_regulation_saying_another_ceases_to_apply_marks_it_repealed_from_its_date(tmp_path, settings):
    folder = tmp_path / "regs"
    write(folder, OLD, OLD_TEXT)
    ingest([folder], settings)
    ending = NEW_TEXT.replace("同时废止", "同时停止执行")
    assert ending != NEW_TEXT
    write(folder, NEW, ending)
    ingest([folder], settings, confirm_supersede=True)
    old = KnowledgeBase(settings).documents()[OLD]
    assert (old.repealed_by, old.repealed_by_article, old.repealed_on) == (NEW, "第三十条", "2024-05-01")
    assert old.repealed and not old.in_force


# --- a refit of the built-in embedder killed half-way --------------------------------------------------------------


_DIES_REWRITING = """
import os, sys
from pathlib import Path
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import ChunkStore

original = ChunkStore.write_vectors

def dies_half_way(self, ids, embeddings, new=False):
    if not new:  # the rewrite of every stored vector
        original(self, ids[: len(ids) // 2], embeddings[: len(ids) // 2])
        os._exit(9)
    original(self, ids, embeddings, new)

ChunkStore.write_vectors = dies_half_way
ingest([Path(sys.argv[2]), Path(sys.argv[3])], Settings(data_dir=Path(sys.argv[1]), embedder="builtin"))
"""


@pytest.mark.parametrize("resumed_by", ["ingest", "embed"])
def test_vectors_left_of_two_fits_by_a_killed_refit_are_rewritten_by_the_next_ingest_or_embed(tmp_path, resumed_by):
    settings = Settings(data_dir=tmp_path / "data", embedder="builtin")
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", small)
    ingest([small], settings)
    more = write_regulations(tmp_path / "more", files=3, articles=40)  # the corpus grows: the embedder is refitted
    # another process (a fork would inherit Chroma's threads mid-lock) dies half-way through rewriting the stored
    # vectors with the new fit: no clean-up runs
    killed = subprocess.run(
        [sys.executable, "-c", _DIES_REWRITING, str(settings.data_dir), str(small), str(more)],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == 9, killed.stderr[-2000:]
    kb = KnowledgeBase(settings)
    assert kb.under_one_fit(lambda: "vectors", lambda: "words") == "words"  # two fits: no vector compares
    told = invoke(settings, "stats", env={"ANQUAN_EMBEDDER": "builtin"})
    assert "更新全部向量时被中断" in told.output and "anquan embed" in told.output, told.output
    assert "暂只按词语检索" in WebContext(settings).header()  # and the web page's header

    if resumed_by == "ingest":
        report = ingest([small], settings)  # nothing new
        assert [r.status for r in report.results] == ["unchanged"]
        assert any("中断" in note and "更新全部向量" in note for note in report.notes), report.notes
    else:
        done = invoke(settings, "embed", env={"ANQUAN_EMBEDDER": "builtin"})
        assert done.exit_code == 0 and "已重新拟合并更新全部向量" in done.output, done.output
    kb = KnowledgeBase(settings)
    assert kb.under_one_fit(lambda: "vectors", lambda: "words") == "vectors"
    assert kb.embedder.embeddings.stored_vectors_fit() == kb.embedder.embeddings.fit_id
    assert "中断" not in invoke(settings, "stats", env={"ANQUAN_EMBEDDER": "builtin"}).output
    assert "中断" not in WebContext(settings).header()


# --- a place acting on a matter asks its own rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("湖南省对不按规定设置安全出口的商场怎么处罚？", ["湖南省"]),
        ("长沙对危险作业审批有没有单独的要求？", ["长沙市"]),
        ("我们在长沙对承包商的安全怎么管理？", []),  # where the asker acts: the national rules answer
        ("雨花区对小作坊检查了多少家？", []),  # a district makes no local regulations: its reports tell
        ("湖南省的企业，主要负责人要参加安全培训吗？", []),  # located there, no rules of its own asked
    ],
)
def test_a_province_or_city_acting_on_a_matter_asks_its_own_rules(question, unheld):
    assert _analyzer(record("安全生产法", "法律")).analyse(question).unheld_places == unheld
