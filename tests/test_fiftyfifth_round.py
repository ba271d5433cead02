"""Round 55: every part answered is shown, a plan asked about is asked about throughout, and time limits and rates.

- The answer quotes at most ``max_bullets`` clauses, but never drops the one answering a part: a long first
  provision (six sentences on the 消防安全检查) leaves room for the penalty a later part asks for.
- A question on what a plan or report says asks about it in every part (…一共检查了多少家次？罚款多少？): a later
  part is answered from that plan, not by a law's fine, unless it asks what the law says.
- A later part naming texts already quoted (…多久做一次安全评价？宁波和上海的规定分别是怎样的？) is answered by
  those texts, not by a third provision sharing its few words.
- A time limit asked (多少分钟内赶到) is not stated by the least of a class (电梯轿厢滞留人员2小时以上的).
- A figure asked per period is read when the period comes before the words bounding it (一个学期至少要搞几次) as
  well as after 每 (每学期); a term (学期) is such a period; 每半年组织1次 is a rate per half year (not 每班组).
- The lexicon reads 能批, 批下来 as the authority's 批准 and a 小卖部 selling fireworks as 零售.
- A period asked is of its act where the question words it plainly: done within it (几日内送达), named before a
  period asked last (报告要保存多少年), or after a period asked in units (灭火器几年必须报废更换); a validity asked is
  stated where a text speaks of one (有效期), and a lead time (到期前多久, 提前多少天) by a period before its date.
- A number reckoned by an area the question tells (3万平方米的项目, 按建筑面积) is stated in areas, not per staff.
- A figure asked of a named local text is its own or a rule binding where it applies, not another region's.
"""

from __future__ import annotations

import pytest
from test_answer_reading import _passage
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS
from test_fiftythird_round import _compose
from test_twentyfourth_round_answers import _local

from assistant.answer.compose import OfflineComposer
from assistant.answer.config import ANSWER
from assistant.retrieval.query import QueryPlan
from ingest.tokenizer import Tokenizer

_INSPECTION = _article(
    "消防法", "法律", 15,
    "第十五条 公众聚集场所投入使用、营业前消防安全检查实行告知承诺管理。公众聚集场所在投入使用、营业前，建设单位"
    "或者使用单位应当向场所所在地的县级以上地方人民政府消防救援机构申请消防安全检查。\n"
    "消防救援机构对申请人提交的材料进行审查；申请材料齐全的，应当予以许可。\n"
    "消防救援机构应当根据消防技术标准和管理规定，及时对作出承诺的公众聚集场所进行核查。\n"
    "申请人选择不采用告知承诺方式办理的，消防救援机构应当自受理申请之日起十个工作日内对该场所进行检查。\n"
    "公众聚集场所未经消防救援机构许可的，不得投入使用、营业。",
)  # fmt: skip
_OPENING_FINE = _article(
    "消防法", "法律", 58,
    "第五十八条 违反本法规定，公众聚集场所未经消防救援机构许可，擅自投入使用、营业的，由消防救援机构责令停止使用"
    "或者停产停业，并处三万元以上三十万元以下罚款。",
)  # fmt: skip


def test_the_clause_answering_a_later_part_survives_the_cap_on_bullets():
    answer = _compose(
        "新开一家KTV，营业前消防安全检查要怎么办？要是没拿到许可就先营业，会被罚多少？", [_INSPECTION, _OPENING_FINE]
    )
    assert not answer.abstained
    assert "三万元以上三十万元以下" in answer.text
    assert [s.chunk.article_num for s in answer.sources] == [15, 58]
    assert sum(line.startswith("- ") for line in answer.text.splitlines()) <= 6


_REPORT = _passage(3, "全区共检查企业1200家次，查出一般隐患3000余处，关闭取缔非法企业12家。", "二、安全生产大检查")
_FINE = _article(
    "安全生产法", "法律", 101,
    "第一百零一条 生产经营单位未建立事故隐患排查治理制度的，责令限期改正，处十万元以下的罚款；逾期未改正的，"
    "责令停产停业整顿，并处十万元以上二十万元以下的罚款。",
)  # fmt: skip


def test_a_later_part_of_a_question_on_a_plan_is_answered_from_that_plan():
    answer = _compose(
        "青山区那份计划里，安全生产大检查一共检查了多少家企业？隐患排查罚款多少？", [_REPORT, _FINE], plans=True
    )
    assert not answer.abstained
    assert {s.chunk.doc_id for s in answer.sources} == {"plan-qs"}


def test_a_later_part_asking_what_the_law_says_leaves_the_plan():
    answer = _compose(
        "青山区那份计划里，安全生产大检查一共检查了多少家企业？法律上没建隐患排查治理制度罚款多少？",
        [_REPORT, _FINE],
        plans=True,
    )
    assert "安全生产法" in {s.chunk.doc_id for s in answer.sources}


def test_a_later_part_naming_the_texts_quoted_is_answered_by_them():
    shanghai = _local(
        "上海市安全生产条例", "上海市", 26,
        "第二十六条 使用危险化学品从事生产的企业应当按照国家有关规定，委托具有安全评价资质的机构，对本企业的安全生产条件每三年进行一次"
        "安全评价。",
    )  # fmt: skip
    ningbo = _local(
        "宁波市生产经营单位安全生产主体责任规定", "宁波市", 15,
        "第十五条 使用危险化学品从事生产的单位应当按照规定委托具备资质条件的机构对其安全生产条件每三年进行一次安全评价。",
    )  # fmt: skip
    penalty = _article(
        "危险化学品安全管理条例", "行政法规", 81,
        "第八十一条 使用危险化学品从事生产的企业未将安全评价报告报送备案的，责令改正，可以处1万元以下的罚款；"
        "拒不改正的，依照本条例规定分别处理。",
    )  # fmt: skip
    question = "使用危险化学品从事生产的企业，多久要委托机构做一次安全评价？宁波和上海的规定分别是怎样的？"
    tokenizer = Tokenizer([])
    idf = {
        t: 2.0 for text in (shanghai.text, ningbo.text, penalty.text, question) for t in tokenizer.query_tokens(text)
    }
    plan = QueryPlan(
        question,
        question,
        names=["宁波", "上海"],
        regions=["宁波市", "上海市"],
        places=["宁波市", "上海市"],
        within=["宁波市", "上海市", "浙江省"],
    )
    composer = OfflineComposer(tokenizer, idf, _ASKS, first_share=ANSWER.ranked_first_share["e5-small-q4-384"])
    answer = composer.compose(question, plan, [penalty, shanghai, ningbo])
    assert {s.chunk.doc_id for s in answer.sources} == {shanghai.doc_id, ningbo.doc_id}


def test_the_least_of_a_class_is_no_time_limit():
    ask = _ASKS.asked("电梯困人以后，维保单位必须在多少分钟内赶到现场？")
    assert ask is not None and ask.within
    assert not ask.stated_in("有下列情形之一的，为一般事故：（三）电梯轿厢滞留人员2小时以上的；")
    assert ask.stated_in("维保单位接到故障通知后应当在30分钟内抵达现场。")
    # asked otherwise than within, a duration is a duration
    assert _ASKS.asked("电梯困了多长时间算事故？").stated_in("电梯轿厢滞留人员2小时以上的")


@pytest.mark.parametrize(
    "question", ["学校的消防疏散演练一个学期至少要搞几次？", "学校每学期至少要组织几次消防疏散演练？"]
)
def test_a_count_asked_per_term_is_not_answered_per_two_years(question):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.per is not None
    assert not ask.stated_in("乡、镇人民政府以及街道办事处应当至少每2年组织1次生产安全事故应急救援预案演练。")
    assert ask.stated_in("学校每学期应当至少组织1次应急疏散演练。")


def test_every_half_year_is_a_rate_per_year_and_every_team_is_not():
    ask = _ASKS.asked("商场应急预案一年至少要演练几次？")
    assert ask is not None and ask.per is not None
    assert ask.stated_in("人员密集场所经营单位应当至少每半年组织1次生产安全事故应急救援预案演练。")
    shift = _ASKS.asked("矿工每班最多干几个小时？")
    assert shift is not None and shift.per is not None
    assert not shift.per.search("每班组每月开展2次安全活动")


def test_a_year_told_as_a_duration_asks_no_rate():
    ask = _ASKS.asked("压力容器用了一年，要检验几次？")
    assert ask is None or ask.per is None


@pytest.mark.parametrize("question", ["危化品经营许可申请交上去多少天能批？", "烟花零售许可多久能批下来？"])
def test_the_lexicon_reads_approval_asked_in_everyday_words(analyzer, question):
    assert "批准" in analyzer.analyse(question).legal_terms


def test_a_small_shop_selling_fireworks_is_retail(analyzer):
    assert "零售" in analyzer.analyse("想在我的小卖部里卖点烟花爆竹，需要什么条件？").legal_terms
    assert "零售" not in analyzer.analyse("小卖部门口停了一辆车，出了事故谁负责？").legal_terms


_REVIEW = _article(
    "矿山安全法", "法律", 45,
    "第四十五条 当事人对行政处罚决定不服的，可以在接到处罚决定通知之日起十五日内向作出处罚决定的机关的上一级机关申请"
    "复议。",
)  # fmt: skip
_SERVICE = _article(
    "行政处罚规定", "部门规章", 40,
    "第四十条 行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，应当在七日内送达当事人。",
)  # fmt: skip


def test_a_time_limit_asked_is_of_the_act_done_within_it():
    question = "行政处罚决定书作出以后，要在几日内送达给被处罚企业？"
    assert _compose(question, [_REVIEW], told=True).abstained
    answer = _compose(question, [_REVIEW, _SERVICE], told=True)
    assert not answer.abstained
    assert answer.text.splitlines()[0].startswith("依据《行政处罚规定》第四十条")


def test_a_validity_asked_is_stated_where_the_text_speaks_of_one():
    ask = _ASKS.asked("烟花爆竹经营许可证有效期多长？")
    assert ask is not None and ask.validity
    assert not ask.stated_in(
        "受理申请的部门应当自受理申请之日起30日内审查，对符合条件的，核发《烟花爆竹经营(批发)许可证》。"
    )
    assert ask.stated_in("烟花爆竹经营许可证的有效期为3年。")
    # a sum's owner asks no validity (一次性伤残补助金是几个月工资)
    assert not _ASKS.asked("一次性伤残补助金是几个月的工资？").validity


_ASSESSMENT = _article(
    "危险化学品安全管理条例", "行政法规", 22,
    "第二十二条 生产、储存危险化学品的企业，应当委托具备国家规定的资质条件的机构，对本企业的安全生产条件每3年进行"
    "一次安全评价，提出安全评价报告。",
)  # fmt: skip


def test_a_period_asked_last_is_of_the_act_named_before_it():
    ask = _ASKS.asked("我们评价机构出具的安全评价报告和过程档案，规定要保存多少年？")
    assert ask is not None and _ASKS.act_head(ask.act, ["规定", "要", "保存"]) == "保存"
    assert _compose("安全评价报告和过程档案，规定要保存多少年？", [_ASSESSMENT], told=True).abstained
    # 提前 names no act: the provision stating the days before answers (…20日前提出安全许可申请)
    early = _ASKS.asked("办演唱会，安全许可最晚提前多少天申请？")
    assert early is not None and "提前" not in _ASKS.act_head(early.act, ["提前"])


_STAFFING = _article(
    "上海市安全生产条例", "地方性法规", 20,
    "第二十条 高危行业的生产经营单位，从业人员三百人以下的，至少配备一名专职安全生产管理人员；从业人员三百人以上的，"
    "至少配备三名专职安全生产管理人员。",
)  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "一个建筑面积5万平方米的工地，按规定项目上至少要配几名专职安全员？",
        "按建筑面积算，项目部至少要配几个专职安全员？",
    ],
)
def test_a_number_reckoned_by_area_is_not_answered_by_one_reckoned_by_staff(question):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.per is not None
    assert not ask.stated_in(_STAFFING.text)
    assert ask.stated_in("建筑面积1万平方米以下的工程，至少配备1名专职安全生产管理人员。")
    assert _compose(question, [_STAFFING], told=True).abstained
    # told a number of staff, the provision scaling by staff answers
    staff = _ASKS.asked("我们公司两百人，至少要配几名专职安全员？")
    assert staff is not None and staff.stated_in(_STAFFING.text)


def test_a_figure_asked_of_a_named_local_text_is_not_another_regions(corpus_index):
    """北京条例 leaves the ratio to the city government: 浙江省's 不低于从业人员百分之一 is no answer for 北京."""
    from assistant.ask import Assistant
    from ingest.knowledge_base import KnowledgeBase

    assistant = Assistant(KnowledgeBase(corpus_index[0]))
    answer = assistant.ask("北京条例说高危单位要按市政府规定的比例配专职安全员，那个比例具体是多少？").answer
    assert answer.abstained
    assert all(s.chunk.region in ("全国", "北京市") for s in answer.sources)
    # the ratio asked of the 浙江 text that states it is answered there
    stated = assistant.ask("浙江条例规定高危单位按多大比例配专职安全生产管理人员？").answer
    assert not stated.abstained
    assert stated.sources[0].chunk.doc_id.startswith("浙江省安全生产条例")


def test_a_period_asked_is_of_the_act_named_after_it():
    ask = _ASKS.asked("商场里的干粉灭火器已经用了好几年了，法律规定灭火器几年必须报废更换？")
    assert ask is not None and ask.leading
    assert _ASKS.act_head(ask.act, ["报废", "更换"], leading=ask.leading) == "报废"
    inspection = _article(
        "消防法", "法律", 15, "第十五条 申请人选择不采用告知承诺方式办理的，消防救援机构应当自受理申请之日起十个工作日内检查。"
    )  # fmt: skip
    assert _compose("灭火器几年必须报废更换？", [inspection], told=True).abstained


@pytest.mark.parametrize(
    "question", ["危险化学品经营许可证到期前多久申请延续？", "大型活动的安全许可最晚要提前多少天申请？"]
)
def test_a_lead_time_asked_is_a_period_before_a_date(question):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.ahead
    assert not ask.stated_in("自收到证明材料之日起30日内作出批准或者不予批准的决定。")
    assert ask.stated_in("安全生产许可证有效期满需要延期的，企业应当于期满前3个月办理延期手续。")
    assert ask.stated_in("承办者应当在活动举办日的20日前提出安全许可申请。")
    # a period asked from a date is no lead time (事故发生后多久要上报)
    assert not _ASKS.asked("事故发生后多久要上报？").ahead
