"""Round 52: a frequency is the frequency of an act.

- The act asked how often is read before the asking words when none is written between or after them (定期检验是
  几年一次, 检验周期是多久), and it is the act itself, not the words around it (…演练法规要求多久搞一次: 演练).
- A provision states how often the act asked is done only where the statement of its frequency names the act
  (每月进行一次自行检查 says nothing of how often the 定期检验 is).
- A frequency put to be confirmed or chosen (是不是一年一次, 每年一次还是两年一次) asks the frequency; one told in a
  clause before the question (我们每个月都搞隐患排查，…需要公开吗) asks none; put after one of its kind was asked
  (多久评估一次？是不是每三年一次？) it restates that ask.
- 多少次 counts occasions (一年开展了多少次安全检查: 71次 answers it), as 几次 does.
- Which level an accident is, asked by its class (算什么事故, 属于哪一级, 这算哪个等级), by levels put to be chosen
  (算一般事故还是较大事故) or of an event the levels' article does not count (起重机整体翻倒了，算几级事故), asks no number: the provision classing it answers. Asked
  anything else, a question telling an accident's casualties (报的是3个重伤，…还要补报吗) is not answered by the
  article defining the levels.
- The item whose range holds the question's number, or that is the level of the accident told, states its figure
  about what the question tells, however many other words the question told (…硫化氢中毒事故，死了4个人，调查认定企业负有
  责任。…公司要被罚多少钱: 发生较大事故的，处一百万元以上二百万元以下的罚款).
- The document whose validity is asked is named before 有效期 across a comma too (…特种设备作业人员证，有效期是几年):
  the 一个月 before a 检验合格有效期 ends is no period of it.
- Naming a document asks what it says, as naming a region asks for its rules: the ranker weighs the one as the other
  (the pack's questions cannot size it), except when the question asks whether the document is still in force.
- Asked a figure a list's introduction does not state, the answer's first line is the item stating it (主要负责人…
  履行下列职责 → 每月至少组织研究一次安全生产工作).
- Pulling down a building however it is named (要拆一栋老旧教学楼) is a 拆除工程.
- A figure one must meet asked by 多大, 多长 (要占到多大比例才算合规) is a norm: a report's figure (覆盖率达94%) is no
  basis for it.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_answer_reading import _passage
from test_fifteenth_round import _article
from test_fiftieth_round import _BY_LEVEL, _analyzer, _answer, _indexed_analyzer, record
from test_fiftyfirst_round import _ASKS, CLOSING, DRILLS, _composed
from test_retrieval_stages import RECORDS
from test_seventeenth_round import LEVELS, LEVELS_ARTICLE

from assistant.answer.compose import OfflineComposer
from assistant.answer.levels import Accident, asks_level, stated
from assistant.retrieval.features import FEATURES, priors
from assistant.retrieval.query import QueryPlan
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary

_TOKENIZER = Tokenizer(Vocabulary(Settings().knowledge_dir).segmenter_terms)


def _head(question: str) -> str:
    ask = _ASKS.asked(question)
    assert ask is not None, question
    return _ASKS.act_head(ask.act, _TOKENIZER.query_tokens(ask.act))


@pytest.mark.parametrize(
    ("question", "act"),
    [
        ("厂里那台储气罐压力容器，定期检验是几年一次？", "检验"),
        ("自动扶梯和曳引电梯的检验周期一样吗？", "检验"),
        ("我们是一家四星酒店，应急救援预案演练法规要求多久搞一次？", "演练"),
        ("辖区有一家加油站，多长时间要组织一次应急预案演练？", "演练"),
        ("预案多久修订一次？", "修订"),
    ],
)
def test_the_act_asked_how_often_is_the_act_beside_the_asking_words(question, act):
    assert _head(question) == act


def test_words_naming_no_act_are_no_act():
    """分别 says of the several acts told before it: none is required of the provision."""
    assert _head("应急预案的综合演练、现场处置方案演练，分别多久至少搞一次？") == ""


_EQUIPMENT = "特种设备安全监察条例"
_SELF_CHECK = _article(
    _EQUIPMENT, "行政法规", 27,
    "第二十七条 特种设备使用单位应当对在用特种设备进行经常性日常维护保养，并定期自行检查。\n"
    "特种设备使用单位对在用特种设备应当至少每月进行一次自行检查，并作出记录。\n"
    "锅炉使用单位应当按照安全技术规范的要求进行锅炉水(介)质处理，并接受特种设备检验检测机构实施的水(介)质处理定期检验。",
)  # fmt: skip
_LIFT_UPKEEP = _article(
    _EQUIPMENT, "行政法规", 31,
    "第三十一条 电梯的日常维护保养必须由依照本条例取得许可的安装、改造、维修单位或者电梯制造单位进行。\n"
    "电梯应当至少每15日进行一次清洁、润滑、调整和检查。",
)  # fmt: skip
_WORDS = {"压力容器": 4.0, "储气罐": 6.0, "定期检验": 4.0, "检验": 3.0, "电梯": 3.0}  # as the corpus weighs them


@pytest.mark.parametrize("question", ["厂里那台储气罐压力容器，定期检验是几年一次？", "乘客电梯的定期检验周期是多久？"])
def test_another_acts_frequency_does_not_say_how_often_the_act_asked_is_done(question):
    answer = _composed(question, [_SELF_CHECK, _LIFT_UPKEEP], _EQUIPMENT, "行政法规", _WORDS)
    assert answer.abstained, answer.text


def test_a_frequency_of_the_act_asked_answers_with_the_act_named_in_its_provisions_first_sentence():
    """电梯多久要保养一次: the provision on 电梯 upkeep names 保养 in its first sentence and 每15日 in another."""
    answer = _composed("电梯多久要保养一次？", [_LIFT_UPKEEP], _EQUIPMENT, "行政法规", _WORDS)
    assert not answer.abstained and "每15日" in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    [
        "电梯的定期检验是不是一年一次？",
        "接触噪声的工人，在岗期间职业健康检查是每年一次还是两年一次？",
        "是不是每个月都要开安全会？",
    ],
)
def test_a_frequency_put_to_be_confirmed_or_chosen_is_asked(question):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.kind == "frequency" and ask.put, question


@pytest.mark.parametrize(
    "question",
    [
        "我们每个月都搞隐患排查，台账也记了。这些隐患排查情况需要给一线工人公开吗？",
        "老板说劳保用品以后不发了，每个月多给五十块钱让我们自己看着买，这合规吗？",
    ],
)
def test_a_frequency_told_before_the_question_asks_none(question):
    assert _ASKS.asked(question) is None


def test_a_frequency_put_to_be_confirmed_is_answered_nowhere_when_only_another_acts_is_stated():
    answer = _composed("电梯的定期检验是不是一年一次？", [_SELF_CHECK, _LIFT_UPKEEP], _EQUIPMENT, "行政法规", _WORDS)
    assert answer.abstained, answer.text


def test_a_frequency_put_after_one_asked_restates_the_ask():
    """…多长时间要评估一次？是不是每三年一次？: the second part names no act of its own; it offers an answer to the
    first, which no provision states, so the question is declined, not answered by the 演练's 每2年."""
    question = "企业的生产安全事故应急预案多长时间要评估一次？是不是每三年一次？"
    answer = _composed(question, [DRILLS], "生产安全事故应急条例", "行政法规", {"评估": 3.0})
    assert answer.abstained, answer.text


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("工区一年开展了多少次安全检查？", "截止日前，工区先后共开展各类安全检查71次，查出事故隐患点22处。"),
        ("一年要组织多少次演练？", "应当每年至少组织一次综合或者专项应急救援预案演练。"),
    ],
)
def test_how_many_times_is_a_count_of_occasions(question, said):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.kind == "count" and ask.stated_in(said), question


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("一次事故造成2人死亡、12人重伤，按事故条例这算哪个等级？", True),
        ("商场火灾死了4个人，按生产安全事故分级属于哪一级？", True),
        ("车间爆燃，死了两名，重伤3名，算什么事故？", True),
        ("起重机整体翻倒了，按特种设备的规定这算几级事故？", True),
        ("一次事故死了3个人，算一般事故还是较大事故？", True),
        ("死了4个人，是不是较大事故？", True),
        ("如果是重大事故，又怎么罚？", False),
        ("车间里这个是不是重大事故隐患？", False),
        ("死了4个人，事故调查是哪一级人民政府负责？", False),
        ("死了4个人，归哪一级政府组织调查？", False),
        ("生产安全事故分几个等级？", False),
    ],
)
def test_which_level_an_accident_is_is_asked_by_its_class_or_its_level(question, asked):
    assert asks_level(question) is asked


_CRANE = "特种设备安全监察条例"
_CRANE_LEVELS = _article(
    _CRANE, "行政法规", 63,
    "第六十三条 有下列情形之一的，为较大事故：\n（一）特种设备事故造成3人以上10人以下死亡的；\n"
    "（二）锅炉、压力容器、压力管道爆炸的；\n（三）起重机械整体倾覆的。",
)  # fmt: skip


def test_the_level_of_an_event_not_counted_is_answered_by_the_provision_classing_it():
    question = "我们厂房里一台桥式起重机整体翻倒了，所幸没砸到人。按特种设备的规定这算几级事故？"
    answer = _composed(question, [_CRANE_LEVELS], _CRANE, "行政法规", {"起重机": 4.0, "倾覆": 5.0, "整体": 3.0})
    assert not answer.abstained and "较大事故" in answer.text, answer.text


def test_a_number_with_its_measure_word_before_the_injuries_counts_people():
    found = stated("事故当时报的是3个重伤，其中一个后来去世了", LEVELS)
    assert found is not None and found.serious_injuries == 3


_LATE_REPORT = _article(
    "事故条例", "行政法规", 13,
    "第十三条 事故报告后出现新情况的，应当及时补报。\n自事故发生之日起30日内，事故造成的伤亡人数发生变化的，应当及时补报。",
)  # fmt: skip


def test_the_article_defining_the_levels_does_not_answer_what_else_is_asked():
    """…报的是3个重伤，…去世了。这种情况还要补报吗: the told casualties match the levels' article best, but it is the
    basis of the level only; the provision on 补报 answers."""
    question = "上个月厂里爆燃事故当时报的是3个重伤，结果其中一个在医院拖了20天去世了。这种情况还要补报吗？"
    answer = _answer(question, [LEVELS_ARTICLE, _LATE_REPORT])
    assert answer.citations[:1] == [{"doc": "事故条例", "article": "第十三条"}], answer.text


def test_the_item_of_the_accidents_level_states_its_figure_about_the_accident_told():
    question = "我们化工厂上个月出了硫化氢中毒事故，死了4个人，调查认定企业负有责任。按安全生产法，公司要被罚多少钱？"
    found = stated(question, LEVELS)
    assert found is not None
    accident = Accident(found, LEVELS_ARTICLE, tuple(level.level for level in LEVELS.levels))
    tokenizer = Tokenizer([])
    # the story's words weigh as the corpus weighs them: rare ones (硫化氢) weigh most, and no provision holds them
    told = {"化工厂": 12.0, "硫化氢": 14.0, "中毒": 8.0, "上个月": 10.0, "调查": 5.0, "认定": 8.0, "公司": 8.0}
    idf = {t: 2.0 for t in tokenizer.query_tokens(_BY_LEVEL.text)} | told
    plan = _analyzer(record("安全生产法", "法律")).analyse(question)
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, [_BY_LEVEL], accident)
    assert not answer.abstained and "发生较大事故的，处一百万元以上二百万元以下的罚款" in answer.text, answer.text


def test_a_reports_figure_is_no_basis_for_a_figure_one_must_meet():
    report = _passage(1, "其中585家规模以上企业中，已有567家完成五落实规定，覆盖率达97%，共计配备注册安全工程师133人。")
    question = "我们是危化品生产企业，安全管理人员里注册安全工程师要占到多大比例才算合规？"
    answer = _composed(question, [report], "安全生产法", "法律", {"危化品": 5.0, "合规": 5.0})
    assert answer.abstained, answer.text


_INSPECTION = _article(
    "特种设备安全法", "法律", 40,
    "第四十条 特种设备使用单位应当按照安全技术规范的要求，在检验合格有效期届满前一个月向特种设备检验机构提出定期检验要求。",
)  # fmt: skip


def test_the_document_whose_validity_is_asked_is_named_before_a_comma_too():
    question = "厂里叉车司机的特种设备作业人员证，有效期是几年？"
    ask = _ASKS.asked(question)
    assert ask is not None and ask.owner == "特种设备作业人员证"
    answer = _composed(question, [_INSPECTION], "特种设备安全法", "法律", {"叉车": 5.0, "司机": 4.0})
    assert answer.abstained, answer.text


def test_pulling_down_a_building_however_named_is_demolition_work():
    analyzer = _indexed_analyzer()
    assert "拆除工程" in analyzer.analyse("学校要拆一栋老旧教学楼，拆之前要不要去备案？").legal_terms
    assert "拆除工程" not in analyzer.analyse("设备拆卸检修前要做哪些准备？").legal_terms


@pytest.mark.parametrize(("question", "named"), [("按安全生产法，要罚多少？", 1.0), ("安全生产法现在还有效吗？", 0.0)])
def test_naming_a_document_asks_for_it_unless_asking_whether_it_is_in_force(question, named):
    plan = QueryPlan(question=question, expanded=question, documents=["安全生产法"])
    assert priors(RECORDS["安全生产法"], plan)["named_document"] == named


def test_the_fit_weighs_naming_a_document_as_naming_a_region():
    from evals.fit_ranker import fit

    rng = np.random.default_rng(11)
    rows, labels = [], []
    for _ in range(200):
        x = np.zeros((10, len(FEATURES)), dtype=np.float32)
        x[:, FEATURES.index("coverage")] = rng.random(10)
        x[:, FEATURES.index("named_region")] = rng.random(10) < 0.3
        x[:, FEATURES.index("named_document")] = rng.random(10) < 0.5
        y = np.zeros(10, dtype=np.int8)
        best = int(np.argmax(x[:, FEATURES.index("coverage")] + x[:, FEATURES.index("named_region")]))
        y[best] = 1
        x[best, FEATURES.index("named_document")] = 0.0  # the pack's few named documents point the other way
        rows.append(x)
        labels.append(y)
    weights = fit(rows, labels).weights
    assert weights["named_region"] > 0 and weights["named_document"] == weights["named_region"], weights


_HEAD_DUTIES = _article(
    "主体责任规定", "地方政府规章", 5,
    "第五条 生产经营单位主要负责人应当对本单位安全生产工作全面负责，履行下列职责：\n"
    "（一）建立健全并落实本单位全员安全生产责任制；\n（二）组织制定并实施本单位安全生产规章制度和操作规程；\n"
    "（三）每月至少组织研究一次安全生产工作；每季度至少组织落实一次安全生产工作全面检查；\n"
    "（四）组织制定并实施本单位安全生产教育和培训计划。",
)  # fmt: skip


def test_the_item_stating_the_figure_asked_leads_the_answer():
    question = "主要负责人是不是每个月都得专门研究一次安全生产工作？"
    answer = _composed(question, [_HEAD_DUTIES], "主体责任规定", "地方政府规章", {"专门": 3.0})
    first = answer.text.split("\n")[0]
    assert not answer.abstained and "每月至少组织研究一次安全生产工作" in first, answer.text


def test_an_item_that_is_a_case_does_not_lead_as_the_figure_asked():
    """一百八十日内三次 is a threshold of the case the list's head rules on, not a period the question asks for."""
    question = "企业被提请关闭以后，多久才能重新申请开业？"
    answer = _composed(question, [CLOSING], "安全生产法", "法律", {"开业": 4.0, "重新": 3.0})
    first = answer.text.split("\n")[0]
    assert "一百八十日内三次" not in first, answer.text
