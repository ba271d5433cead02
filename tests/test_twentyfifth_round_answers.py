"""Round 25 (issues 15 and 17), found with the scale corpus in the library: a place named stands for the region it
is, not for the divisions within it (上海 is 上海市, not 上海市浦东新区 too), and a second provision of a text already
answering for a document or region the question names is no further answer (上海的企业…, 浙江每年… and
深圳做锂电池加工的工厂… each cited a second, unrelated provision of their city's or province's rule); a rule on one
sector's accidents (铁路交通事故…条例) is on a subject the question must name, like a sector's safety rule (事故调查报告
提交期限 was answered by the railway's and the power grid's rules); and a figure asked in a question's first part about
what no text even speaks of is stated nowhere (化工厂动火作业票的有效期是多长 was answered from its second part); of
the lists answering which ones, the first-ranked answers (not a shipping rule's 鸣放鞭炮); a count asked by its measure
word (多少起, 多少箱) is answered by so many of it, not by 一次 (an occasion)."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed, _local

from assistant.pack import KnowledgePack
from assistant.retrieval.features import priors
from assistant.retrieval.figures import QuantityAsks
from ingest.legal_forms import default_forms
from ingest.settings import Settings

SHANGHAI = record("上海市安全生产条例", "地方性法规", "上海市")
PUDONG = record("浦东新区安全生产规定", "地方政府规章", "上海市浦东新区")
NINGBO = record("宁波市安全生产条例", "地方性法规", "宁波市")
HANGZHOU_BAY = record("宁波杭州湾新区条例", "地方性法规", "宁波杭州湾新区")
SHENZHEN_CITY = record("深圳市消防规定", "地方政府规章", "深圳市")
SHENZHEN_ZONE = record("深圳经济特区安全生产监督管理条例", "地方性法规", "深圳经济特区")


def test_a_place_named_is_the_region_it_is_not_the_divisions_within_it():
    analyzer = _analyzer(SHANGHAI, PUDONG, NINGBO, HANGZHOU_BAY, SHENZHEN_CITY, SHENZHEN_ZONE)
    assert analyzer.analyse("上海的企业没给员工做安全培训，罚款怎么算？").regions == ["上海市"]
    assert analyzer.analyse("在宁波，主要负责人每个月要做哪些安全工作？").regions == ["宁波市"]
    # a place with two full names (the city and its special economic zone) is both
    assert sorted(analyzer.analyse("深圳的工厂算不算高危生产经营单位？").regions) == ["深圳市", "深圳经济特区"]


def test_a_division_the_question_names_itself_is_asked_about():
    analyzer = _analyzer(SHANGHAI, PUDONG, NINGBO, HANGZHOU_BAY)
    assert "上海市浦东新区" in analyzer.analyse("上海市浦东新区的企业要遵守哪些安全规定？").regions
    assert "宁波杭州湾新区" in analyzer.analyse("宁波杭州湾新区的企业要遵守哪些安全规定？").regions


def test_one_place_named_by_two_full_names_is_answered_by_one_provision():
    definition = _local(
        "深圳经济特区安全生产监督管理条例",
        "深圳经济特区",
        62,
        "第六十二条 本条例所称高危生产经营单位，包括：\n（一）矿山、金属冶炼单位；\n（二）锂电池的生产、加工、储存单位。",
    )
    other = _local(
        "深圳经济特区安全生产监督管理条例",
        "深圳经济特区",
        42,
        "第四十二条 高危生产经营单位应当与相邻单位建立安全生产协同机制。",
    )
    answer = _composed(
        "深圳做锂电池加工的工厂，算不算高危生产经营单位？", [SHENZHEN_CITY, SHENZHEN_ZONE], [definition, other]
    )
    assert [(s.chunk.doc_id, s.chunk.article_num) for s in answer.sources] == [("深圳经济特区安全生产监督管理条例", 62)]


def test_two_places_named_are_each_answered_by_their_own_rule():
    beijing = record("北京市安全生产条例", "地方性法规", "北京市")
    shandong = record("山东省安全生产条例", "地方性法规", "山东省")
    chunks = [
        _local(
            "北京市安全生产条例", "北京市", 20, "第二十条 从业人员三百人以上的生产经营单位应当设置安全生产管理机构。"
        ),
        _local("北京市安全生产条例", "北京市", 21, "第二十一条 生产经营单位应当设置安全生产管理机构并配备人员。"),
        _local(
            "山东省安全生产条例", "山东省", 15, "第十五条 从业人员一百人以上的生产经营单位应当设置安全生产管理机构。"
        ),
    ]
    answer = _composed("在北京和山东，多少人以上的单位要设置安全生产管理机构？", [beijing, shandong], chunks)
    cited = [(s.chunk.doc_id, s.chunk.article_num) for s in answer.sources]
    assert ("北京市安全生产条例", 20) in cited and ("山东省安全生产条例", 15) in cited
    assert ("北京市安全生产条例", 21) not in cited


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("铁路交通事故应急救援和调查处理条例", "铁路"),
        ("电力安全事故应急处置和调查处理条例", "电力"),
        ("中华人民共和国海上交通事故调查处理条例", "海上"),
        ("核电厂核事故应急管理条例", "核电厂"),
        ("医疗事故处理条例", "医疗"),
        ("生产安全事故报告和调查处理条例", ""),  # every work accident: the field's general rule
        ("生产安全事故应急条例", ""),
        ("国务院关于预防煤矿生产安全事故的特别规定", "煤矿"),
        ("安全生产许可证条例", ""),
        ("工贸企业重大事故隐患判定标准", ""),  # on hazards, not on handling accidents
    ],
)
def test_a_rule_on_one_sectors_accidents_governs_that_sector(title, sector):
    assert default_forms().sector(title) == sector


@pytest.mark.parametrize(
    ("question", "unasked"),
    [
        ("事故调查报告 提交期限", True),  # any work accident: the railway's own rule is not what is asked
        ("火车出了事故，事故调查报告多久提交？", False),
        ("铁路交通事故的调查报告多久提交？", False),
    ],
)
def test_a_sector_accident_rule_is_on_a_subject_not_asked_unless_the_question_names_the_sector(question, unasked):
    railway = record("铁路交通事故应急救援和调查处理条例", "行政法规")
    general = record("生产安全事故报告和调查处理条例", "行政法规")
    analyzer = _analyzer(railway, general)
    plan = analyzer.analyse(question)
    assert priors(railway, plan)["unasked_subject"] == float(unasked)
    assert priors(general, plan)["unasked_subject"] == 0.0


def test_a_figure_asked_first_about_what_no_text_speaks_of_is_declined():
    """化工厂动火作业票的有效期 is stated nowhere, and at full scale nothing even spoke of it: the question was answered
    from its second part alone (安全生产法第四十三条 on 动火), as if the first had not been asked."""
    duty = _article(
        "安全生产法", "法律", 43,
        "第四十三条 生产经营单位进行爆破、吊装、动火、临时用电等危险作业，应当安排专门人员进行现场安全管理。",
    )  # fmt: skip
    answer = _composed(
        "化工厂作业票的有效期是多长？动火要安排专门人员管理吗？", [record("安全生产法", "法律")], [duty]
    )  # (特级动火和一级动火怎么划分 is the standard's: declined naming GB 30871, tests/test_thirtieth_round_answers.py)
    assert answer.abstained and "作业票的有效期" in answer.text


def test_a_later_part_leaving_its_subject_to_the_first_is_not_declined_for_its_few_words():
    wages = _article(
        "工伤保险条例", "行政法规", 33,
        "第三十三条 职工因工作遭受事故伤害或者患职业病需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇"
        "不变，由所在单位按月支付。\n停工留薪期一般不超过12个月。",
    )  # fmt: skip
    answer = _composed(
        "工伤以后在家养伤没法上班，单位还要照发工资吗？最长能发多久？", [record("工伤保险条例", "行政法规")], [wages]
    )
    assert not answer.abstained and [s.chunk.article_num for s in answer.sources] == [33]


def test_of_the_lists_answering_which_ones_at_least_as_well_the_first_ranked_answers():
    """哪些地方是绝对不能放鞭炮的: of the lists answering at least as well as the first pick, the one the ranker put first
    answers; not the one whose clause holds the question's everyday word itself (a shipping rule's 鸣放鞭炮, whose
    clause scored above the fireworks regulation's 燃放烟花爆竹, a translated word)."""
    fireworks = "烟花爆竹安全管理条例"
    general = _article(fireworks, "行政法规", 28, "第二十八条 县级以上人民政府可以确定限制燃放烟花爆竹的时间和种类。")
    places = _article(
        fireworks, "行政法规", 30,
        "第三十条 禁止在下列地点燃放烟花爆竹：\n（一）文物保护单位；\n（二）车站、码头、飞机场等交通枢纽；"
        "\n（三）易燃易爆物品生产、储存单位；\n（四）医疗机构、幼儿园、中小学校、敬老院。",
    )  # fmt: skip
    shipping = _article(
        "外国籍船舶航行长江水域管理规定", "部门规章", 13,
        "第十三条 船舶在长江水域的下列地方，绝对不能鸣放鞭炮：\n（一）港口；\n（二）锚地；\n（三）码头。",
    )  # fmt: skip
    records = [record(fireworks, "行政法规"), record("外国籍船舶航行长江水域管理规定", "部门规章")]
    answer = _composed("哪些地方是绝对不能放鞭炮的？", records, [general, places, shipping])
    assert [(s.chunk.doc_id, s.chunk.article_num) for s in answer.sources][:1] == [(fireworks, 30)]


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        ("其中道路交通事故多少起？", "全区共发生道路交通事故12起，死亡5人。", True),
        ("其中道路交通事故多少起？", "对发生一次死亡三人以上道路交通事故的，应当开展深度调查。", False),  # an occasion
        ("烟花爆竹零售店最多可以存放多少箱？", "零售经营场所应当每季度至少检查一次。", False),
        ("烟花爆竹零售店最多可以存放多少箱？", "零售点存放烟花爆竹不得超过50箱。", True),
        ("一个村要配几个安全员？", "每个行政村应当配备2名以上安全员，设1处以上值班点。", True),  # 个 counts anything
    ],
)
def test_a_count_asked_by_its_measure_word_is_answered_by_so_many_of_it(question, text, states):
    ask = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities).asked(question)
    assert ask is not None and ask.kind == "count" and ask.stated_in(text) is states
