"""Round 28 (issue 15): words of general use stand for a legal term only where they mean it.

哪一级, 几级, 什么级别 were read as 事故等级 in every question, so 向哪一级公安机关申请安全许可 (a concert's licence) and
预警分几级 searched the accident levels too, and an accident-investigation clause answered a concert question. Now a
lexicon entry may name the words a question must hold for its everyday words to stand for the term (``within``):
the level asked of an accident (死了3个人算哪一级) is still the accident's. And a level asked alone (算哪一级？) asks the
level of what the conversation is about: it was searched on its own and answered with 工伤保险条例's 一级至四级伤残.

Paying for an examination (考核要交钱吗) asks whether it may be charged for (收费). Asked which ones (哪些行业), a sentence
naming the kind twice (…新兴行业、…根据本行业、) is no series of them. How often an act is done (多久修订一次) is stated by a
provision about that act, not by the drill's 每2年组织1次.

Also (issue 16): a date written in Chinese numerals at the head of a text (二〇二四年五月六日) dates it; a forged copy of a
law dated 二〇九九年 was not read as dated, so the check on dates after today passed it by."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _composed

from assistant.pack import KnowledgePack, LexiconEntry
from assistant.retrieval import followup
from ingest.metadata import dated
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary


@pytest.mark.parametrize(
    "question",
    [
        "办一场预计8000人参加的演唱会，要向哪一级公安机关申请安全许可？",
        "带储存设施的危险化学品经营许可证应当向哪一级部门申请？",
        "突发事件的预警分为几级？哪一级最高？",
        "安全生产标准化达标等级分几级？",
    ],
)
def test_a_level_asked_of_no_accident_is_not_the_accident_level(analyzer, question):
    assert "事故等级" not in analyzer.analyse(question).legal_terms


@pytest.mark.parametrize(
    "question",
    [
        "一次事故死了35个人算什么级别？",
        "死了3个人算哪一级？",
        "重伤12人，没有死亡，属于几级？",
        "直接经济损失2000万元是哪个等级？",
        "这算几级事故？",  # the accident named in the word itself
    ],
)
def test_a_level_asked_of_an_accident_is_the_accident_level(analyzer, question):
    assert "事故等级" in analyzer.analyse(question).legal_terms


def test_an_entry_without_context_words_applies_to_every_question():
    plain = LexiconEntry(legal="安全生产管理人员", everyday=["安全员"])
    bound = LexiconEntry(legal="事故等级", everyday=["哪一级"], within=["事故"])
    assert plain.applies("向哪一级公安机关申请")
    assert not bound.applies("向哪一级公安机关申请")
    assert bound.applies("这起事故算哪一级")


@pytest.mark.parametrize(
    ("question", "charged"),
    [
        ("安全员考核要交钱吗？", True),
        ("特种设备检验要不要花钱？", True),
        ("没交工伤保险，出了事要自己掏钱吗？", False),  # paying for an injury, not a fee for a service
        ("被罚了要去哪里交钱？", False),
    ],
)
def test_paying_for_an_examination_or_an_inspection_is_asking_whether_it_may_be_charged_for(
    analyzer, question, charged
):
    assert ("收费" in analyzer.analyse(question).legal_terms) == charged


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("骑手下班路上被车撞了，这算不算公伤？", "工伤"),
        ("宿舍一楼窗户都装了防盗网，消防检查说不行", "影响逃生和灭火救援的障碍物"),
        ("商场晚上把安全出口锁死了，会怎么罚？", "占用、堵塞、封闭"),
        ("受伤在家养伤这段时间工资还照发吗", "停工留薪期"),
        ("发现事故隐患不整改怎么罚？", "消除事故隐患"),  # 未采取措施消除事故隐患 (安全生产法第一百零二条)
    ],
)
def test_everyday_words_for_injuries_at_work_and_blocked_escapes(analyzer, question, term):
    """公伤 is what many call 工伤, and the time at home recovering (在家养伤) the 停工留薪期; a window grille is the
    obstacle 消防法 forbids on doors and windows; an exit locked shut (锁死) is one 封闭."""
    assert term in analyzer.analyse(question).legal_terms


@pytest.mark.parametrize("question", ["算哪一级？", "属于什么级别？", "哪一级部门发证？", "分几级？"])
def test_a_level_asked_alone_is_asked_of_the_previous_question(question):
    pack = KnowledgePack(Settings().knowledge_dir)
    words = pack.follow_up, Tokenizer(Vocabulary(pack.directory).segmenter_terms)
    resolved = followup.resolve(question, ["一起事故死了3个人"], *words)
    assert resolved == f"一起事故死了3个人，{question}"


@pytest.mark.parametrize(
    ("head", "iso"),
    [
        ("青山市应急管理局关于开展安全生产大检查的通知\n二〇二四年五月六日", "2024-05-06"),
        ("（二零二一年六月十日第十三届全国人民代表大会常务委员会第二十九次会议修正）", "2021-06-10"),
        ("2021年6月10日通过，二〇二四年十月二十日修订", "2024-10-20"),  # the latest of the dates the head gives
        ("二〇二四年二月三十日", ""),  # no such day
    ],
)
def test_a_date_in_chinese_numerals_dates_the_document(head, iso):
    """Notices and resolutions write their dates in Chinese numerals: such a document had no date (and a forged copy
    of a law dated 二〇九九年 escaped the check on dates after today)."""
    assert dated(head, Path("通知.md"), "通知")[0] == iso


def test_asked_which_ones_a_sentence_naming_the_kind_twice_is_no_series():
    """哪些行业: the law's 第四条 was taken for a list of industries (平台经济等新兴行业、…根据本行业、 read as a series of
    three, the empty piece after the last 、 counted), and quoted instead of the article the ranker put first; a real
    series still counts, its last item too (矿山企业、建筑施工企业和危险化学品、烟花爆竹、民用爆炸物品生产企业)."""
    insurance = _article(
        "安全生产法", "法律", 51,
        "第五十一条 国家鼓励生产经营单位投保安全生产责任保险；属于国家规定的高危行业、领域的生产经营单位，应当投保安全生产"
        "责任保险。",
    )  # fmt: skip
    duties = _article(
        "安全生产法", "法律", 4,
        "第四条 生产经营单位必须遵守本法，加强安全生产管理。平台经济等新兴行业、领域的生产经营单位应当根据本行业、领域的"
        "特点，建立健全并落实全员安全生产责任制，投保安全生产责任保险。",
    )  # fmt: skip
    answer = _composed("安全生产责任保险哪些行业必须买？", [record("安全生产法", "法律")], [insurance, duties])
    assert "第五十一条" in answer.text.split("\n")[0] and "第四条" not in answer.text
    licences = _article(
        "安全生产许可证条例", "行政法规", 2,
        "第二条 国家对矿山企业、建筑施工企业和危险化学品、烟花爆竹、民用爆炸物品生产企业(以下统称企业)实行安全生产许可制度。"
        "企业未取得安全生产许可证的，不得从事生产活动。",
    )  # fmt: skip
    filing = _article(
        "安全生产许可证条例", "行政法规", 10,
        "第十条 安全生产许可证颁发管理机关应当建立、健全安全生产许可证档案管理制度，并定期向社会公布企业取得安全生产"
        "许可证的情况。",
    )  # fmt: skip
    answer = _composed("哪些企业必须办安全生产许可证？", [record("安全生产许可证条例", "行政法规")], [filing, licences])
    assert "第二条" in answer.text.split("\n")[0] and "矿山企业、建筑施工企业" in answer.text


def test_how_often_an_act_is_done_is_stated_by_a_provision_about_that_act():
    """多久修订一次 asks how often a plan is revised: 每2年组织1次…演练 states how often it is drilled, and was quoted as the
    answer. A provision naming the act in one sentence and its frequency in another still answers (电梯…维护保养 / 至少
    每15日进行一次清洁、润滑、调整和检查), and a word saying nothing of the act (多久要搞一次) asks none."""
    drills = _article(
        "生产安全事故应急条例", "行政法规", 8,
        "第八条 县级以上地方人民政府以及街道办事处等地方人民政府派出机关，应当至少每2年组织1次生产安全事故应急救援预案"
        "演练。",
    )  # fmt: skip
    revisions = _article(
        "生产安全事故应急条例", "行政法规", 6,
        "第六条 有下列情形之一的，生产安全事故应急救援预案制定单位应当及时修订相关预案：\n（一）制定预案所依据的法律、"
        "法规、规章、标准发生重大变化；\n（二）应急指挥机构及其职责发生调整；\n（三）安全生产面临的风险发生重大变化。",
    )  # fmt: skip
    records = [record("生产安全事故应急条例", "行政法规")]
    revised = _composed("生产安全事故应急救援预案多久修订一次？", records, [drills, revisions])
    assert revised.abstained and "每2年" not in revised.text.split("可能相关")[0]
    drilled = _composed("生产安全事故应急救援预案演练多久要搞一次？", records, [drills, revisions])
    assert not drilled.abstained and "每2年组织1次" in drilled.text
    upkeep = _article(
        "特种设备安全监察条例", "行政法规", 31,
        "第三十一条 电梯的日常维护保养必须由取得许可的安装、改造、维修单位或者电梯制造单位进行。\n电梯应当至少每15日进行一次"
        "清洁、润滑、调整和检查。",
    )  # fmt: skip
    kept = _composed("电梯的日常维护保养多久保养一次？", [record("特种设备安全监察条例", "行政法规")], [upkeep])
    assert not kept.abstained and "每15日" in kept.text
