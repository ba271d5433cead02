"""Round 59.

- A part giving an instance of what the part before it asks (…有没有具体的技术要求？比如漏电保护器要选多少毫安的？,
  保安配多少才算够？比如一万名观众，至少要配多少名专业保安？) asks that part's figure more precisely: when no text
  states the instance's figure, what answered the part before it without stating it (临时用电…应当安排专门人员进行现场
  安全管理; 参加人数在1000人以上) did not answer it, and the question is declined.
- 毫安 is a unit of electric current.
- 名 is the measure word of people: the people it counts are named after it whatever their name ends in (几名注册
  安全工程师, 多少名专业保安), and a number answers only when it counts them.
- People the question counts itself (500人的公司, 每100个员工) are what it tells, not what 几个 asks counted.
- A number stated roughly (五十多套, 300余人) states a figure.
- A part asking a figure of what no text speaks of is named when the question is declined, not dropped.
- A validity is asked of a document named in 书名号 (《爆破作业人员许可证》有效期几年) as of one named without, and by how
  long the document may be used (零售许可证发下来以后能用多久): a period of another document (安全生产许可证的有效期
  为3年) does not state it.
- 一次性 is one-off, not once: 多少个月的一次性伤残补助金 asks a number of months, not how often; and an act may be
  named after the occasion it is counted by (是不是每三年必须做一次评估: 评估).
- A modal (可能) and who does it (老板, 总经理: 主要负责人) are no act a figure must be stated of: 老板可能判几年 is answered by
  the provision sentencing 直接责任人员 to a term.
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS

from assistant.answer.compose import OfflineComposer
from assistant.retrieval.query import QueryPlan
from ingest.tokenizer import Tokenizer

_SITE_POWER = (
    "第四十三条 生产经营单位进行爆破、吊装、动火、临时用电以及其他危险作业，应当安排专门人员进行现场安全管理，"
    "确保操作规程的遵守和安全措施的落实。"
)
# a provision speaking of what the instance asks of, stating no figure of it
_BREAKER = "第十一条 施工现场临时用电的配电箱应当装设漏电保护器，电缆应当架空或者埋地敷设。"
_CURRENT = "第十条 施工现场临时用电的配电箱应当装设漏电保护器，漏电保护器的额定漏电动作电流不得大于30毫安。"
_EVENT = (
    "第十二条 大型群众性活动的预计参加人数在1000人以上5000人以下的，由活动所在地县级人民政府公安机关实施安全许可；"
    "预计参加人数在5000人以上的，由设区的市级人民政府公安机关实施安全许可。"
)
_GUARDS = "第七条 承办者应当配备与大型群众性活动安全工作需要相适应的专业保安人员以及其他安全工作人员。"
_PERMIT = "第九条 安全生产许可证的有效期为3年。安全生产许可证有效期满需要延期的，企业应当于期满前3个月办理延期手续。"


def _compose(question: str, *chunks):
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in [c.text for c in chunks] + [question] for t in tokenizer.query_tokens(text)}
    return OfflineComposer(tokenizer, idf, _ASKS).compose(question, QueryPlan(question, question), list(chunks))


# --- an instance of what the part before asks ----------------------------------------------------------------------

_CABLES = "灯会现场临时用电，电缆、配电箱有没有具体的技术要求？{}漏电保护器的动作电流要选多少毫安的？"


def test_an_instance_whose_figure_no_text_states_leaves_the_part_it_specifies_unanswered():
    power = _article("安全生产法", "法律", 43, _SITE_POWER)
    answer = _compose(_CABLES.format("比如"), power, _article("临时用电规定", "部门规章", 11, _BREAKER))
    assert answer.abstained, answer.text
    assert "有没有具体的技术要求" in answer.text and "多少毫安" in answer.text, answer.text


def test_an_instance_whose_figure_a_text_states_is_answered_by_it():
    answer = _compose(
        _CABLES.format("例如"),
        _article("安全生产法", "法律", 43, _SITE_POWER),
        _article("临时用电规定", "部门规章", 10, _CURRENT),
    )
    assert not answer.abstained, answer.text
    assert "30毫安" in answer.text
    assert {"doc": "临时用电规定", "article": "第十条"} in answer.citations


def test_a_later_part_that_is_no_instance_leaves_the_part_before_it_answered():
    """Asked as a question of its own (no 比如), the figure stated nowhere is noted beside the answer to the part
    before it, which a provision answers well, as before."""
    power = _article("安全生产法", "法律", 43, _SITE_POWER)
    question = "生产经营单位进行临时用电作业，要安排专门人员进行现场安全管理吗？漏电保护器的动作电流要选多少毫安的？"
    answer = _compose(question, power, _article("临时用电规定", "部门规章", 11, _BREAKER))
    assert not answer.abstained, answer.text
    assert answer.citations[0] == {"doc": "安全生产法", "article": "第四十三条"}, answer.text
    assert "关于“漏电保护器的动作电流要选多少毫安的”：知识库中未找到依据" in answer.text


def test_a_number_of_other_people_answers_no_instance_asking_how_many_guards():
    question = "大型活动的保安配多少才算够？比如一万名观众，按规定至少要配多少名专业保安？"
    law = "大型群众性活动安全管理条例"
    answer = _compose(question, _article(law, "行政法规", 12, _EVENT), _article(law, "行政法规", 7, _GUARDS))
    assert answer.abstained, answer.text


# --- what a figure asked counts, and of what ----------------------------------------------------------------------


def test_milliamperes_are_a_current():
    ask = _ASKS.asked("漏电保护器的动作电流要选多少毫安的？")
    assert ask is not None and ask.kind == "electricity"
    assert ask.stated_in(_CURRENT) and not ask.stated_in(_SITE_POWER)


@pytest.mark.parametrize(
    ("question", "people"),
    [
        ("比如一万名观众，按规定至少要配多少名专业保安？", "专业保安"),
        ("我们要配几名注册安全工程师才行？", "注册安全工程师"),
        ("按规定需要配多少名专职安全评价师？", "专职安全评价师"),
        ("需要几名专职安全员？", "专职安全员"),
    ],
)
def test_the_people_a_measure_word_counts_are_named_after_it(question, people):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.counted == people


def test_a_number_counting_the_people_named_answers_and_one_counting_others_does_not():
    ask = _ASKS.asked("至少要配多少名注册安全工程师？")
    assert ask is not None
    assert ask.stated_in("评价机构应当有3名以上注册安全工程师。")
    assert not ask.stated_in("评价机构应当有专职技术负责人，从业人员在20人以上。")


@pytest.mark.parametrize("question", ["比如500人的公司要几个？", "比如每100个员工配几个？"])
def test_people_the_question_counts_itself_are_not_what_it_asks_counted(question):
    ask = _ASKS.asked(question)
    assert ask is not None
    assert not ask.stated_in("从业人员超过一百人的，应当配备专职安全生产管理人员。")


def test_people_named_before_the_asking_words_are_still_what_is_counted():
    ask = _ASKS.asked("我们厂专职安全员要配几个？")
    assert ask is not None
    assert ask.stated_in("应当配备2名以上专职安全员。")


@pytest.mark.parametrize(
    ("question", "owner"),
    [
        ("爆破员的《爆破作业人员许可证》有效期几年？", "爆破作业人员许可证"),
        ("烟花爆竹零售许可证发下来以后能用多久？", "烟花爆竹零售许可证"),
        ("我们矿的安全生产许可证可以用几年？", "安全生产许可证"),
    ],
)
def test_a_validity_is_asked_of_the_document_named(question, owner):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.validity and ask.owner.endswith(owner)


def test_another_documents_validity_answers_no_question_about_one_named_in_book_marks():
    permit = _article("安全生产许可证条例", "行政法规", 9, _PERMIT)
    assert _compose("爆破员的《爆破作业人员许可证》有效期几年？", permit).abstained
    answer = _compose("安全生产许可证能用几年？", permit)
    assert not answer.abstained, answer.text
    assert "有效期为3年" in answer.text


def test_a_declined_question_names_every_part_whose_figure_no_text_speaks_of():
    """A later part asking a figure of what no text speaks of (干滩长度) is named in the decline with the first, not
    dropped silently."""
    question = "我们选矿厂的尾矿库坝高45米，按规定属于几等库？干滩长度最少得留多少米？"
    answer = _compose(question, _article("安全生产许可证条例", "行政法规", 9, _PERMIT))
    assert answer.abstained, answer.text
    assert "“我们选矿厂的尾矿库坝高45米，按规定属于几等库”、“干滩长度最少得留多少米”" in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("给班组增配了多少套安全带？", "今年为各班组增配了三十多套安全带。"),
        ("今年培训了多少人？", "全年共培训从业人员300余人。"),
        ("连续安全生产多少天了？", "至今已连续安全生产八百多天。"),
    ],
)
def test_a_number_stated_roughly_is_a_figure(question, stated):
    ask = _ASKS.asked(question)
    assert ask is not None and ask.stated_in(stated)


# --- once, not one-off; a modal and a person are no act ------------------------------------------------------------

_DISABLED = (
    "第三十五条 职工因工致残被鉴定为一级至四级伤残的，从工伤保险基金按伤残等级支付一次性伤残补助金，标准为：一级伤残为"
    "27个月的本人工资，二级伤残为25个月的本人工资，三级伤残为23个月的本人工资，四级伤残为21个月的本人工资。"
)


def test_a_one_off_sum_is_no_frequency():
    ask = _ASKS.asked("他能拿多少个月的一次性伤残补助金？")
    assert ask is not None and ask.kind == "time"
    assert _ASKS.asked("应急预案多少年评估一次？").kind == "frequency"
    often = _ASKS.asked("电梯多久检验一次？")
    assert not often.stated_in("按12个月的一次性补助金计发。") and often.stated_in("电梯每年检验一次。")


def test_months_of_a_one_off_sum_are_answered():
    question = "我堂哥在矿上被砸，鉴定为二级伤残。他能拿多少个月的一次性伤残补助金？"
    answer = _compose(question, _article("工伤保险条例", "行政法规", 35, _DISABLED))
    assert not answer.abstained, answer.text
    assert "二级伤残为25个月的本人工资" in answer.text


_SENTENCE = (
    "第七条 实施刑法第一百三十四条规定的行为，因而发生安全事故，造成死亡三人以上的，对直接责任人员，处三年以上七年以下"
    "有期徒刑。"
)


def test_who_is_sentenced_is_no_act_the_term_must_name():
    """老板可能判几年 asks the term of a sentence: the legal term for the 老板 (主要负责人) is who, not what is done, and
    a provision sentencing 直接责任人员 states the term."""
    question = "实施刑法第一百三十四条规定的行为，因而发生安全事故，老板可能判几年？"
    tokenizer = Tokenizer([])
    chunks = [_article("刑事案件解释", "司法解释", 7, _SENTENCE)]
    # the library's words: no text writes 老板, many write 可能 (可能发生的事故)
    idf = {t: 2.0 for t in [*tokenizer.query_tokens(_SENTENCE), "可能"]}
    plan = QueryPlan(question, question, legal_terms=["主要负责人"], translations={"老板": "主要负责人"})
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert not answer.abstained, answer.text
    assert "三年以上七年以下有期徒刑" in answer.text


def test_who_reports_is_no_act_the_frequency_must_name():
    """总经理每年要向职工大会汇报吗: 总经理 (主要负责人) is who reports, not what is done every year."""
    question = "我们是连锁酒店，总经理每年要向职工大会汇报安全生产情况吗？"
    duty = "第十三条 生产经营单位的主要负责人应当每年向职工代表大会或者职工大会报告安全生产工作。"
    tokenizer = Tokenizer([])
    # the library's words, and 经理, which some texts write (项目经理)
    idf = {t: 2.0 for t in [*tokenizer.query_tokens(duty), "经理"]}
    plan = QueryPlan(question, question, legal_terms=["主要负责人"], translations={"总经理": "主要负责人"})
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(
        question, plan, [_article("某条例", "地方性法规", 13, duty)]
    )
    assert not answer.abstained, answer.text
    assert answer.citations == [{"doc": "某条例", "article": "第十三条"}]


# --- the act named after the occasion ------------------------------------------------------------------------------

_DRILLS = "第八条 生产经营单位应当至少每2年组织1次生产安全事故应急救援预案演练。"
_REVIEWS = "第六条 生产经营单位应当每3年对生产安全事故应急救援预案进行一次评估。"


def test_the_act_of_a_frequency_put_may_follow_the_occasion():
    """是不是每三年必须做一次评估: 评估 is what is done, not the 应急预案 named before; 做 says nothing of it."""
    assert _ASKS.asked("企业的应急预案是不是每三年必须做一次评估？").act == "评估"
    assert _ASKS.asked("电梯的定期检验是不是一年一次？").act == "定期检验"  # named before, as before


def test_a_frequency_of_another_act_does_not_answer_the_one_put():
    question = "企业的应急预案是不是每三年必须做一次评估？"
    drills = _article("应急条例", "行政法规", 8, _DRILLS)
    assert _compose(question, drills).abstained
    answer = _compose(question, drills, _article("应急预案管理办法", "部门规章", 6, _REVIEWS))
    assert not answer.abstained, answer.text
    assert answer.citations[0] == {"doc": "应急预案管理办法", "article": "第六条"}, answer.text
