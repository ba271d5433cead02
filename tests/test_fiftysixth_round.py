"""Round 56: whom a penalty punishes, and what a period or a rate is asked of.

- A penalty provision punishing an agency serving others for its own work (特种设备检验、检测机构…使用未取得相应资格
  的人员从事检验、检测的) answers a question about such agencies only, as the discipline of state staff answers one
  about officials only (…部门及其工作人员…依法给予处分 is such discipline too): 叉车工没证…公司会被怎么罚 asks the
  user's fine. The law a regulation gives way to (上位法) is chosen by the same test.
- The lexicon reads someone working without a certificate (没有操作证就在开, 谁都没证) as 取得相应资格.
- The 之内 of 多长时间之内 asks too: it says nothing of what the period is of.
- Words bounding a figure (最长, 不能超过) name no act: 整改期限最长不能超过多少天 is not answered by a 批复's 最长不超过
  30日; nor do the rule asked after (条例规定, 按规定), how the act is done (专门) or words pressing for the figure
  (具体是几年). A rate put to be confirmed is of the act between the period and the occasions it counts (是不是每三年
  要评估一次: 评估, not a drill's 每2年组织1次).
- A rough number told before a measure asked (几台电动葫芦，多大起重量…) is told, not asked; 每少配备一人罚款 is no ratio.
- The lexicon reads 还没来得及交工伤保险 and 补交, 还能当…负责人, 登报道歉, 光电保护 and 停下来不干 in the law's words;
  a sum's 额度 is asked as a sum (死亡赔偿额度最低要保到多少万), and the 安责险's 赔偿额度 is a matter its own 实施办法 sets.
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS
from test_fiftythird_round import _compose
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer

from assistant.answer.compose import OfflineComposer
from assistant.retrieval.provisions import disciplines_officials, penalises_agency, punishes_whom_asked
from assistant.retrieval.query import QueryPlan
from ingest.tokenizer import Tokenizer

_AGENCY_FINE = _article(
    "特种设备安全法", "法律", 93,
    "第九十三条 违反本法规定，特种设备检验、检测机构及其检验、检测人员有下列行为之一的，责令改正，对机构处五万元以上"
    "二十万元以下罚款：\n（一）使用未取得相应资格的人员从事检验、检测的；",
)  # fmt: skip
_USER_FINE = _article(
    "特种设备安全法", "法律", 86,
    "第八十六条 违反本法规定，特种设备生产、经营、使用单位有下列情形之一的，责令限期改正；逾期未改正的，责令停止使用"
    "有关特种设备或者停产停业整顿，处一万元以上五万元以下罚款：\n（三）未配备具有相应资格的特种设备安全管理人员、检测人员"
    "和作业人员的；",
)  # fmt: skip
_DISCIPLINE = _article(
    "特种设备安全法", "法律", 94,
    "第九十四条 违反本法规定，负责特种设备安全监督管理的部门及其工作人员有下列行为之一的，由上级机关责令改正；对直接"
    "负责的主管人员和其他直接责任人员，依法给予处分：\n（一）未依照法律、行政法规规定的条件、程序实施许可的；",
)  # fmt: skip


def test_an_agency_penalty_and_state_staff_discipline_are_told_apart_from_a_users_fine():
    assert penalises_agency(_AGENCY_FINE.text)
    assert not penalises_agency(_USER_FINE.text)
    # a provision punishing users and agencies alike punishes whoever asks
    assert not penalises_agency(
        "第九十五条 违反本法规定，特种设备生产、经营、使用单位或者检验、检测机构拒不接受负责特种设备安全监督管理的部门"
        "依法实施的监督检查的，责令限期改正；逾期未改正的，责令停产停业整顿，处二万元以上二十万元以下罚款。"
    )
    assert disciplines_officials(_DISCIPLINE.text)
    assert not punishes_whom_asked(_AGENCY_FINE.text, "叉车工没证，公司会被怎么罚？")
    assert punishes_whom_asked(_AGENCY_FINE.text, "检测机构用没资格的人做检验，怎么罚？")
    assert not punishes_whom_asked(_DISCIPLINE.text, "叉车工没证，公司会被怎么罚？")


@pytest.mark.parametrize("first", [_AGENCY_FINE, _DISCIPLINE])
def test_a_users_breach_is_answered_by_the_users_fine(first):
    answer = _compose(
        "仓库里的叉车工没取得相应资格就在作业，被查到了，公司会被怎么罚？", [first, _USER_FINE], told=True
    )
    assert not answer.abstained
    assert answer.text.splitlines()[0].startswith("依据《特种设备安全法》第八十六条")


def test_an_agencys_breach_is_answered_by_the_agencys_penalty():
    answer = _compose(
        "检测机构使用未取得相应资格的人员从事检验、检测，会被怎么罚？", [_AGENCY_FINE, _USER_FINE], told=True
    )
    assert answer.text.splitlines()[0].startswith("依据《特种设备安全法》第九十三条")


def test_the_law_a_regulations_penalty_gives_way_to_punishes_the_party_asked():
    regulation = _article(
        "特种设备安全监察条例", "行政法规", 86,
        "第八十六条 特种设备使用单位有下列情形之一的，由特种设备安全监督管理部门责令限期改正；逾期未改正的，处2000元"
        "以上2万元以下罚款：\n（四）未按照安全技术规范的要求配备具有相应资格的特种设备作业人员的；",
    )  # fmt: skip
    answer = _compose(
        "特种设备作业人员没取得相应资格就在作业，被查到了，使用单位会被怎么罚？",
        [regulation, _AGENCY_FINE, _USER_FINE],
        told=True,
    )
    assert answer.text.splitlines()[0].startswith("依据《特种设备安全法》第八十六条")


def test_working_without_a_certificate_reads_as_the_qualification(analyzer):
    for question in (
        "仓库里的叉车工没有操作证就在开，被查到了怎么罚？",
        "车间的行车一直是普工在开，谁都没证，算违规吗？",
    ):
        assert "取得相应资格" in analyzer.analyse(question).legal_terms
    assert "取得相应资格" not in analyzer.analyse("没证的小店偷偷卖烟花，被查到了怎么罚？").legal_terms


@pytest.mark.parametrize(
    ("question", "within"),
    [("车间主任报给我以后，我得在多长时间之内往上报？", "之内"), ("伤亡人数变了，几日以内要补报？", "以内")],
)
def test_the_within_of_a_period_asked_is_asking_words(question, within):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.within and ask.words.endswith(within)
    tokenizer = Tokenizer([])
    composer = OfflineComposer(tokenizer, {t: 2.0 for t in tokenizer.query_tokens(question)}, _ASKS)
    assert within not in composer._subject(question, QueryPlan(question, question), ask)


_APPROVAL = _article(
    "事故条例", "行政法规", 32,
    "第三十二条 重大事故、较大事故、一般事故，负责事故调查的人民政府应当自收到事故调查报告之日起15日内做出批复；特别"
    "重大事故，30日内做出批复，特殊情况下，批复时间可以适当延长，但延长的时间最长不超过30日。",
)  # fmt: skip


def test_words_bounding_a_period_name_no_act():
    question = "执法检查中对一般事故隐患下达限期整改，整改期限最长不能超过多少天？"
    assert _compose(question, [_APPROVAL], told=True).abstained
    rectification = _article(
        "隐患规定", "部门规章", 20,
        "第二十条 对一般事故隐患，监督检查部门应当责令限期整改，整改期限最长不得超过九十日。",
    )  # fmt: skip
    answer = _compose(question, [_APPROVAL, rectification], told=True)
    assert not answer.abstained
    assert "九十日" in answer.text


def test_a_rate_put_is_of_the_act_between_the_period_and_its_occasions():
    question = "企业的应急预案是不是每三年要评估一次？"
    assert _ASKS.asked(question).act == "评估"
    assert _ASKS.asked("电梯是不是每年检验一次？").act == "检验"
    drill = _article(
        "应急条例", "行政法规", 8,
        "第八条 生产经营单位应当至少每半年组织1次生产安全事故应急救援预案演练，并将演练情况报送所在地县级以上地方人民政府"
        "负有安全生产监督管理职责的部门。",
    )  # fmt: skip
    assert _compose(question, [drill], told=True).abstained
    review = _article(
        "应急预案办法", "部门规章", 35,
        "第三十五条 应急预案编制单位应当建立应急预案定期评估制度，矿山、金属冶炼等生产经营单位应当每三年进行一次应急预案"
        "评估。",
    )  # fmt: skip
    answer = _compose(question, [drill, review], told=True)
    assert not answer.abstained
    assert "每三年进行一次" in answer.text


_SELF_CHECK = _article(
    "特种设备安全监察条例", "行政法规", 27,
    "第二十七条 特种设备使用单位应当对在用特种设备进行经常性日常维护保养，并定期自行检查。\n特种设备使用单位对在用"
    "特种设备应当至少每月进行一次自行检查，并作出记录。",
)  # fmt: skip
_DRILL = _article(
    "生产安全事故应急条例", "行政法规", 8,
    "第八条 宾馆、商场、娱乐场所、旅游景区等人员密集场所经营单位，应当至少每半年组织1次生产安全事故应急救援预案演练，"
    "并将演练情况报送所在地县级以上地方人民政府负有安全生产监督管理职责的部门。",
)  # fmt: skip
_MEETING = _article(
    "特种设备安全监察条例", "行政法规", 35,
    "第三十五条 客运索道、大型游乐设施的运营使用单位的主要负责人应当熟悉客运索道、大型游乐设施的相关安全知识，并全面"
    "负责客运索道、大型游乐设施的安全使用。\n客运索道、大型游乐设施的运营使用单位的主要负责人至少应当每月召开一次会议，"
    "督促、检查客运索道、大型游乐设施的安全使用工作。",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "chunk", "stated"),
    [
        ("特种设备使用单位对在用设备的自行检查，条例规定至少多久做一次？", _SELF_CHECK, "每月进行一次自行检查"),
        ("我们是一家大型商场，应急预案演练按规定多久至少要搞一次？", _DRILL, "每半年组织1次"),
        ("商场里有大型游乐设施，运营单位的主要负责人多久要专门开一次安全会？", _MEETING, "每月召开一次会议"),
    ],
)
def test_the_rule_asked_after_and_how_an_act_is_done_name_no_act(question, chunk, stated):
    answer = _compose(question, [chunk], told=True)
    assert not answer.abstained
    assert stated in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "超市仓库装了个货物升降机和几台电动葫芦，多大起重量就要按特种设备里的起重机械来管？",
        "厂里有几个储罐，围堰要多高？",
    ],
)
def test_a_rough_number_told_before_a_measure_asked_is_not_asked(question):
    ask = _ASKS.asked(question)
    assert ask is None or ask.kind not in ("count", "people")


def test_words_pressing_for_a_figure_name_no_act():
    licence = _article("安全生产许可证条例", "行政法规", 9, "第九条 安全生产许可证的有效期为3年。")
    answer = _compose("安全生产许可证的有效期具体是几年？", [licence], told=True)
    assert not answer.abstained
    assert "有效期为3年" in answer.text


def test_insurance_not_yet_paid_and_paid_afterwards_read_as_the_laws_words(analyzer):
    terms = analyzer.analyse("我们厂有一批新工人还没来得及交工伤保险，补交的话有什么代价？").legal_terms
    assert {"未参加工伤保险", "补缴"} <= set(terms)
    assert "补缴" not in analyzer.analyse("考试没过，还能补交材料吗？").legal_terms


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("出了较大事故，老板被判了刑，刑满以后还能当公司负责人吗？", "不得担任"),
        ("公司对一起较大事故负有责任，除了罚款以外，是不是还要登报道歉？", "公开道歉"),
        ("我在五金厂开冲床，冲床的光电保护坏了好几天也没人修，我能不能停下来不干？", "安全防护装置"),
        ("我在五金厂开冲床，冲床的光电保护坏了好几天也没人修，我能不能停下来不干？", "停止作业"),
    ],
)
def test_everyday_words_for_heading_a_business_an_apology_a_guard_and_stopping_work(analyzer, question, term):
    assert term in analyzer.analyse(question).legal_terms


def test_when_someone_may_head_a_business_is_asked_of_heading_it(analyzer):
    assert "不得担任" not in analyzer.analyse("我们车间还能当仓库用吗？").legal_terms


def test_a_fine_per_person_short_states_no_ratio():
    ask = _ASKS.asked("医院有28台电梯，按规定每多少台电梯要配一名专职的电梯安全管理员？")
    assert ask is not None and ask.kind == "ratio"
    assert not ask.stated_in("罚款额按未配备安全生产管理人员人数计，每少配备一人罚款五千元")
    assert ask.stated_in("每50台电梯配备1名专职安全管理员")


def test_a_sums_limit_asked_as_its_amount_is_a_sum_another_rule_sets():
    question = "买安全生产责任保险的话，每个员工的死亡赔偿额度最低要保到多少万？"
    ask = _ASKS.asked(question)
    assert ask is not None and ask.kind == "money"
    assert _analyzer(record("工伤保险条例", "行政法规")).analyse(question).outside
