"""Round 43: an LLM draft's sentences without a citation number are checked against the sources too (what the model
was given, its outline, is taken as given); a modal word opening a condition (不能处理的及时报告) binds the condition,
not what follows it; a figure asked of a thing is stated by a provision on the class the law rules it in (锅炉 is a
特种设备)."""

from __future__ import annotations

import re

import pytest
import test_llm_hostile
from conftest import isolated_settings, needs_corpus
from fake_openai import FakeOpenAI
from test_llm_hostile import _settings, _source_number

from assistant.ask import Assistant
from assistant.draft.builder import draft_plan
from assistant.draft.llm import UNCITED, PlanWriter
from assistant.llm.verification import verify
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import StoredChunk


def _law_article(text: str, article: str) -> StoredChunk:
    """An article of the 安全生产法 as a retrieved chunk (its text opening with its number)."""
    return StoredChunk(
        f"law-{article}",
        text,
        {"doc_id": "安全生产法(2021-06-10)", "title": "中华人民共和国安全生产法", "article": article},
    )


# --- LLM drafting: a sentence left without a number is checked as one with a number ----------------------------

data_dir = test_llm_hostile.data_dir  # the hostile library (a law, a regulation), built once for this module


def _rewritten(data_dir, reply):
    draft = draft_plan(KnowledgeBase(_settings(data_dir)), "campaign", "2025-06", "青山区", focus=["危险作业"])
    with FakeOpenAI(reply) as server:
        PlanWriter(_settings(data_dir, server.base_url)).rewrite(draft)
    assert server.requests
    return draft


def _section(draft, heading):
    (found,) = [s for s in draft.walk() if s.heading == heading]
    return found


def test_an_llm_draft_marks_a_figure_it_adds_in_a_sentence_without_a_number(data_dir):
    """A paragraph of the model's own (no [n]) saying 事故发生后24小时内上报即可 rests on the sources it was given: the
    figure is in none of them and is marked, as it would be with a number."""

    def reply(messages):
        user = messages[-1]["content"]
        if "修订完善生产安全事故应急救援预案" not in user:
            return "本部分按提纲执行。\n1. 按提纲落实各项措施。"
        plan = _source_number(messages, "应急救援预案")
        return (
            "各单位要把应急管理摆在突出位置。生产安全事故发生后，单位负责人在24小时内上报即可。\n"
            f"1. 修订完善生产安全事故应急救援预案[{plan}]。\n"
            f"2. 严格执行生产安全事故报告制度，不得迟报、漏报、谎报或者瞒报[{plan}]。"
        )

    draft = _rewritten(data_dir, reply)
    section = _section(draft, "（四）应急管理")
    (paragraph,) = [p for p in section.paragraphs if "24小时" in p]
    assert "24小时（⚠数字未能在所引条文中核对）" in paragraph, paragraph
    assert any("应急管理" in note and "24小时" in note for note in draft.notes), draft.notes


def test_an_llm_draft_restating_its_outline_without_numbers_is_not_marked(data_dir):
    """What the model was given is no claim of its own: the outline's figures (整改率达到100%), slogans (“谁主管、谁
    负责”) and the plan's dated schedule (2025年6月30日) restated without a number are not marked."""

    def reply(messages):
        user = messages[-1]["content"]
        if "整改率" in user:
            return (
                "1. 检查覆盖全区重点行业领域，不留死角。\n"
                "2. 一般事故隐患整改率达到100%，重大事故隐患挂牌督办、限期清零。\n"
                "3. 建立健全隐患排查治理长效机制。"
            )
        if "谁主管" in user:
            return (
                "1. 成立专项整治工作领导小组。\n2. 领导小组下设办公室。\n"
                "3. 按照“谁主管、谁负责”和属地管理原则分口负责，2025年6月30日前上报工作总结。"
            )
        return "本部分按提纲执行。\n1. 按提纲落实各项措施。"

    draft = _rewritten(data_dir, reply)
    for heading in ("二、工作目标", "三、组织领导和职责分工"):
        section = _section(draft, heading)
        texts = section.paragraphs + [item.text for item in section.items]
        assert texts and not any("⚠" in text for text in texts), texts
        assert not any(note.startswith(f"“{section.title}”") for note in draft.notes), draft.notes


def test_a_quotation_of_the_question_is_still_checked_against_the_sources():
    """Only what the model was asked to restate (a draft's outline) is taken as given: a user's words quoted back as
    the law's are checked as any quotation is."""
    chunk = _law_article(
        "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构"
        "或者配备专职安全生产管理人员。",
        "第二十四条",
    )
    reply = "条文规定“建筑施工单位不需要设置安全生产管理机构”[1]。"
    question = "听说“建筑施工单位不需要设置安全生产管理机构”，是这样吗？"
    _, asked, _ = verify(reply, [chunk], question=question, uncited=True)
    assert asked.misquotes, "a quotation of the question passed as the law's"
    _, given, _ = verify(reply, [chunk], uncited=True, given=question)
    assert not given.misquotes


# --- negations: a modal word opening a condition --------------------------------------------------------------

_SOURCE = _law_article(
    "第四十六条 生产经营单位的安全生产管理人员应当根据本单位的生产经营特点，对安全生产状况进行经常性检查；对检查中"
    "发现的安全问题，应当立即处理；不能处理的，应当及时报告本单位有关负责人，有关负责人应当及时处理。",
    "第四十六条",
)


@pytest.mark.parametrize(
    "reply",
    [
        "安全生产管理人员要开展经常性检查，发现问题立即处理，不能处理的及时报告本单位有关负责人[1]。",
        "检查中发现的安全问题应当立即处理，不能处理的立即报告本单位有关负责人[1]。",
        "对检查中发现的问题，能处理的立即处理，需要上级处理的应当及时报告本单位有关负责人[1]。",
    ],
)
def test_a_condition_opened_by_a_modal_word_is_not_read_as_a_prohibition(reply):
    """不能处理的及时报告 says who reports (what cannot be handled), written without the law's comma: it prohibits
    nothing."""
    text, report, _ = verify(reply, [_SOURCE], uncited=True)
    assert not report.negations, text


@pytest.mark.parametrize(
    "reply",
    [
        "发现问题立即处理，不能处理的也不用报告本单位有关负责人[1]。",
        "不能处理的可以不报告本单位有关负责人[1]。",
        "安全生产管理人员不需要对安全生产状况进行经常性检查[1]。",
    ],
)
def test_a_duty_turned_around_after_such_a_condition_is_still_marked(reply):
    text, report, _ = verify(reply, [_SOURCE], uncited=True)
    assert report.negations, text


# --- a figure asked of a thing, stated of its class -----------------------------------------------------------

_EQUIPMENT_RULES = """# 青山市特种设备安全管理办法

第一条 为了加强特种设备安全工作，预防特种设备事故，制定本办法。

第二条 特种设备使用单位应当建立岗位责任、隐患治理、应急救援等安全管理制度。

第三条 特种设备使用单位对在用特种设备应当至少每月进行一次自行检查，并作出记录。

第四条 施工单位搭设的脚手架应当经验收合格后方可使用，使用中应当经常检查。

第五条 锅炉使用单位应当按照安全技术规范的要求进行锅炉水（介）质处理。

第六条 场（厂）内专用机动车辆的作业人员应当取得相应资格，方可上岗作业。

第七条 压力容器的安全阀、压力表应当定期校验、检修。
"""


def _one_file_library(tmp_path_factory, name: str, text: str) -> KnowledgeBase:
    """A library of one document (name: its file name), ingested with the built-in embedder."""
    root = tmp_path_factory.mktemp("library")
    (root / "docs").mkdir()
    (root / "docs" / name).write_text(text, encoding="utf-8")
    settings = isolated_settings(root / "data")
    ingest([root / "docs"], settings)
    return KnowledgeBase(settings)


@pytest.fixture(scope="module")
def equipment_library(tmp_path_factory):
    return Assistant(_one_file_library(tmp_path_factory, "青山市特种设备安全管理办法.md", _EQUIPMENT_RULES))


@pytest.mark.parametrize("thing", ["锅炉", "叉车", "压力容器"])
def test_how_often_a_special_equipment_is_checked_is_stated_by_the_provision_on_special_equipment(
    equipment_library, thing
):
    """A 锅炉 or a 叉车 is a 特种设备: the provision on 在用特种设备 states how often it is checked (the provisions naming
    each state no such figure)."""
    answer = equipment_library.ask(f"{thing}多久自行检查一次？").answer
    assert not answer.abstained, answer.text
    assert "每月" in answer.text and any(s.chunk.article == "第三条" for s in answer.sources), answer.text


def test_a_thing_of_no_class_the_provision_rules_is_not_answered_by_it(equipment_library):
    """脚手架 is no 特种设备: the monthly check is not said of it, and the provision that names it states no figure."""
    answer = equipment_library.ask("脚手架多久自行检查一次？").answer
    assert answer.abstained and "每月" not in answer.text.split("可能相关")[0], answer.text
    assert not re.search(r"依据.*第三条", answer.text.split("可能相关")[0]), answer.text


# --- verification: a reply read in the law's words ----------------------------------------------------------------

_DUTY_41 = _law_article(
    "第四十一条 生产经营单位应当建立健全并落实生产安全事故隐患排查治理制度，采取技术、管理措施，及时发现并消除事故"
    "隐患。事故隐患排查治理情况应当如实记录，并通过职工大会或者职工代表大会、信息公示栏等方式向从业人员通报。其中，"
    "重大事故隐患排查治理情况应当及时向负有安全生产监督管理职责的部门和职工大会或者职工代表大会报告。",
    "第四十一条",
)


@pytest.fixture(scope="module")
def wording():
    from assistant.llm.composer import legal_wording

    return legal_wording(Settings())


@pytest.mark.parametrize(
    "reply",
    [
        "重大事故隐患排查治理情况无需向监管部门报告[1]。",
        "重大事故隐患排查治理情况不用报给安监部门[1]。",
        "重大事故隐患排查治理情况可以不向执法部门报告[1]。",
    ],
)
def test_a_duty_turned_around_in_everyday_words_is_marked(wording, reply):
    """监管部门, 安监部门 are what the law calls 负有安全生产监督管理职责的部门 (knowledge/lexicon.yaml): not reporting to
    them turns the duty around as much as in the law's own words."""
    text, report, _ = verify(reply, [_DUTY_41], uncited=True, wording=wording)
    assert report.negations, text


@pytest.mark.parametrize(
    "reply",
    [
        "重大事故隐患排查治理情况应当及时向监管部门报告[1]。",
        "重大事故隐患的排查治理情况要及时报给安监部门和职工代表大会[1]。",
        "隐患排查治理情况要如实记录，并通过信息公示栏向工人通报[1]。",
    ],
)
def test_the_duty_restated_in_everyday_words_is_not_marked(wording, reply):
    text, report, _ = verify(reply, [_DUTY_41], uncited=True, wording=wording)
    assert not report.negations and not report.qualified, text


@pytest.mark.parametrize(
    ("template", "marked"),
    [
        ("建筑公司不用设安全管理机构，也不用配专职安全员[{n}]。", True),
        ("建筑施工单位应当设置安全生产管理机构或者配备专职安全员[{n}]。", False),
    ],
)
def test_an_llm_answer_is_read_in_the_law_words(data_dir, template, marked):
    """The ask chain reads the model's reply with the knowledge pack's lexicon: 建筑公司, 安全员 are the law's 建筑施工
    单位, 安全生产管理人员."""
    answer = test_llm_hostile._ask_llm(data_dir, template, question="建筑公司要设安全管理机构吗？", phrase="建筑施工")
    assert ("与所引条文的应当、不得、可以或肯定、否定不一致" in answer.text) is marked, answer.text


_DUTIES_21 = _law_article(
    "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：\n"
    "（一）建立健全并落实本单位全员安全生产责任制，加强安全生产标准化建设；\n"
    "（二）组织制定并实施本单位安全生产规章制度和操作规程；\n"
    "（三）组织制定并实施本单位安全生产教育和培训计划。",
    "第二十一条",
)


@pytest.mark.parametrize(
    ("reply", "marked"),
    [
        ("老板不需要建立全员安全生产责任制[1]。", True),
        ("主要负责人不用组织制定安全生产规章制度和操作规程[1]。", True),
        ("老板要建立健全并落实本单位全员安全生产责任制[1]。", False),
        ("主要负责人负责组织制定并实施本单位安全生产教育和培训计划[1]。", False),
    ],
)
def test_each_item_of_a_list_of_duties_binds_as_a_duty(wording, reply, marked):
    """负有下列职责：（一）… makes each item a duty of the 主要负责人, though no item writes 应当: saying one is not needed
    turns it around."""
    text, report, _ = verify(reply, [_DUTIES_21], uncited=True, wording=wording)
    assert bool(report.negations) is marked, text


# --- drafting: the kind a list closes with is not the task's subject -------------------------------------------

_ENFORCEMENT_LAW = """# 中华人民共和国安全生产法

2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议第三次修正

<!-- INFO END -->

## 第四章 安全生产的监督管理

第六十五条 应急管理部门和其他负有安全生产监督管理职责的部门依法开展安全生产行政执法工作，对生产经营单位执行有关安全生产的法律、法规和国家标准或者行业标准的情况进行监督检查，依法查处安全生产违法行为。

第七十四条 任何单位或者个人对事故隐患或者安全生产违法行为，均有权向负有安全生产监督管理职责的部门报告或者举报。

第七十五条 居民委员会、村民委员会发现其所在区域内的生产经营单位存在事故隐患或者安全生产违法行为时，应当向当地人民政府或者有关部门报告。
"""


@pytest.fixture(scope="module")
def enforcement_finder(tmp_path_factory):
    from assistant.draft.sources import ProvisionFinder

    return ProvisionFinder(_one_file_library(tmp_path_factory, "安全生产法(2021-06-10).md", _ENFORCEMENT_LAW), None)


def test_a_task_on_things_listed_before_their_kind_rests_on_no_article_about_the_kind_alone(enforcement_finder):
    """严查超层越界开采等违法行为 is about 超层越界开采: the right to report any 违法行为 (第七十四条) is no basis for it,
    and the library holds none, so the task says so."""
    assert enforcement_finder.articles_for("严查超层越界开采等违法行为") == []


def test_a_task_about_the_kind_itself_still_rests_on_its_article(enforcement_finder):
    found = enforcement_finder.articles_for("依法查处安全生产违法行为")
    assert [p.chunk.article for p in found][:1] == ["第六十五条"], [p.chunk.article for p in found]


_STAFFING_24 = _law_article(
    "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构"
    "或者配备专职安全生产管理人员。\n前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者"
    "配备专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
    "第二十四条",
)


@pytest.mark.parametrize(
    ("reply", "marked"),
    [
        ("从业人员超过一百人的，应当设置安全生产管理机构或者配备兼职安全生产管理人员[1]。", True),
        ("从业人员超过一百人的，设置安全生产管理机构或者配备兼职安全员即可[1]。", True),
        ("建筑施工单位应当设置安全生产管理机构或者配备兼职安全生产管理人员[1]。", True),
        ("从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员[1]。", False),
        ("从业人员在一百人以下的，配备兼职的安全生产管理人员即可[1]。", False),
        ("一百人以下的企业配兼职安全员就可以[1]。", False),
    ],
)
def test_a_word_swapped_for_its_opposite_turns_the_duty_around(wording, reply, marked):
    """兼职 where the clause of that case says 专职 turns the duty around; the case of 一百人以下, whose clause allows
    兼职, is stated by another clause, and 兼职安全员 is not read as a plain
    安全生产管理人员."""
    text, report, _ = verify(reply, [_STAFFING_24], uncited=True, wording=wording)
    assert bool(report.negations) is marked, text


@pytest.mark.parametrize(
    ("reply", "marked"),
    [
        ("从业人员在一百人以下的，可以配备兼职的安全生产管理人员[1]。", False),
        ("从业人员在一百人以下的，可以配备专职或者兼职的安全生产管理人员[1]。", True),
        ("从业人员超过一百人的，可以设置安全生产管理机构或者配备专职安全生产管理人员[1]。", True),
        ("从业人员在一百人以下的，可以不配备安全生产管理人员[1]。", True),
    ],
)
def test_a_permission_restating_one_branch_of_a_duty_with_a_choice_is_not_marked(wording, reply, marked):
    """应当配备专职或者兼职的… leaves the choice: 可以配备兼职的… restates one branch; the whole choice made optional,
    or none needed, turns the duty around."""
    text, report, _ = verify(reply, [_STAFFING_24], uncited=True, wording=wording)
    assert bool(report.negations) is marked, text


# --- LLM drafting on the real corpus: the outline restated unnumbered is no claim of the model's ------------------

_BASIS_NOTE = re.compile(r"（(?:依据|知识库中暂无)[^）]*）")
_NUMBERS = re.compile(r"\[\d+\]|⟦\d+⟧")


@needs_corpus
@pytest.mark.parametrize(
    ("kind", "period", "level", "focus", "region"),
    [
        ("quarterly", "2025Q1", "区", None, None),
        ("annual", "2025", "企业", None, None),
        ("campaign", "2025-06", "区", ["危险化学品", "煤矿", "建筑施工"], "山东"),
        ("holiday", "2025春节", "企业", ["消防", "有限空间"], "北京"),
    ],
)
def test_an_llm_draft_restating_each_offline_section_unnumbered_is_not_marked(
    corpus_index, kind, period, level, focus, region
):
    """A model that writes back each section of the offline outline in its own words, citation numbers and basis notes
    left out, says nothing the outline, its sources, its title, period and schedule do not: no figure, date, quotation
    or negation of it is marked (only the tasks left without a citation are asked to be checked)."""
    settings = corpus_index[0]
    draft = draft_plan(KnowledgeBase(settings), kind, period, level, focus=focus, region=region)
    restated = {
        unit.heading: "\n".join(
            [_NUMBERS.sub("", _BASIS_NOTE.sub("", p)) for p in unit.paragraphs]
            + [f"{n}. {_NUMBERS.sub('', _BASIS_NOTE.sub('', i.text))}" for n, i in enumerate(unit.items, start=1)]
        )
        for unit in PlanWriter.units(PlanWriter.__new__(PlanWriter), draft)
    }

    def reply(messages):
        section = re.search(r"部分：(.+)", messages[-1]["content"]).group(1).strip()
        return restated[section]

    with FakeOpenAI(reply) as server:
        llm = {"llm_base_url": server.base_url, "llm_model": "fake-model", "llm_api_key": "test-key"}
        PlanWriter(settings.model_copy(update=llm)).rewrite(draft)
    assert len(server.requests) == len(restated)
    marked = [
        text
        for section in draft.walk()
        for text in section.paragraphs + [item.text for item in section.items]
        if "⚠" in text.replace(UNCITED, "")
    ]
    assert not marked, marked
