"""Round 27 (issue 15), found with fresh sets of questions written by other authors against the corpus (not evaluation
sets, not kept in the project): a sum asked as 多大金额 or 多高 is a sum asked; a figure noun asked by its rule (配备比例
有什么规定, 有效期有何要求) asks the figure; the materials to submit (交哪些材料) or a form's format (有没有统一的格式) are
answered only by a provision listing or naming them; and a figure a weaker neighbour states is not the answer when
the provision on the matter states none (火灾事故认定书 is to be made 及时, the 7日 of an accident investigation is
another matter)."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed

from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from ingest.settings import Settings


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("应急管理部门作出多大金额的罚款前，要告知企业有权要求听证？", "money"),
        ("无证经营烟花爆竹，罚款最多能罚多高？", "money"),  # 多高 of a sum asks the sum, not a height
        ("储罐区的围堰要修多高？", "length"),
        ("养老院护理员和老人的配备比例有什么规定？", "ratio"),
        ("安全生产许可证的有效期有何规定？", "time"),
        ("安全距离有什么要求？", "limit"),
        ("安全生产许可证有什么规定？", None),  # no figure noun: the rules on the licence, not a figure
        ("申请剧毒化学品购买许可证要交哪些材料？", "materials"),
        ("办许可证需要的材料有哪些？", "materials"),
        ("执法文书有没有统一的格式？", "format"),
        ("书面材料什么时候交？", None),  # when, not which
        ("自查表格里有哪些项目？", None),  # what the form holds, not whether there is one
    ],
)
def test_what_a_question_asks_to_be_stated(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


@pytest.mark.parametrize(
    ("question", "text", "states"),
    [
        ("申请购买许可证要交哪些材料？", "申请取得剧毒化学品购买许可证，申购单位应当向公安机关提交下列材料：", True),
        # a provision saying materials are to be submitted does not say which
        ("申请消防安全检查要交哪些材料？", "建设单位应当申请消防安全检查，提交规定的材料，并对其真实性负责。", False),
        ("执法文书有没有统一的格式？", "检查记录由国务院应急管理部门统一规定格式。", True),
        ("执法文书有没有统一的格式？", "执法人员应当将检查的时间、地点、内容作出书面记录。", False),
    ],
)
def test_a_detail_asked_is_stated_only_by_a_clause_naming_it(asks, question, text, states):
    ask = asks.asked(question)
    assert ask is not None and ask.stated_in(text) is states


def test_materials_no_provision_lists_are_declined_with_what_is_missing():
    fire = _article(
        "消防法", "法律", 15,
        "第十五条 公众聚集场所在投入使用、营业前，建设单位或者使用单位应当向消防救援机构申请消防安全检查，"
        "提交规定的材料，并对其承诺和材料的真实性负责。",
    )  # fmt: skip
    answer = _composed("商场开业前申请消防安全检查，要交哪些材料？", [record("消防法", "法律")], [fire])
    assert answer.abstained and "所需材料" in answer.text and "第十五条" in answer.text  # shown as related


def test_materials_a_provision_lists_are_answered_by_it():
    permit = _article(
        "危险化学品安全管理条例", "行政法规", 39,
        "第三十九条 申请取得剧毒化学品购买许可证，申购单位应当向所在地县级人民政府公安机关提交下列材料：\n"
        "（一）营业执照或者法人证书（登记证书）的复印件；\n（二）拟购买的剧毒化学品品种、数量的说明；",
    )  # fmt: skip
    answer = _composed(
        "申请剧毒化学品购买许可证，要交哪些材料？", [record("危险化学品安全管理条例", "行政法规")], [permit]
    )
    assert not answer.abstained and "营业执照" in answer.text and "第三十九条" in answer.text


def test_a_figure_of_a_weaker_neighbour_does_not_answer_when_the_provision_on_the_matter_states_none():
    fire = _article(
        "消防法", "法律", 51,
        "第五十一条 消防救援机构有权根据需要封闭火灾现场，负责调查火灾原因，统计火灾损失。"
        "消防救援机构根据火灾现场勘验、调查情况和有关的检验、鉴定意见，及时制作火灾事故认定书，作为处理火灾事故的证据。",
    )  # fmt: skip
    accidents = _article(
        "事故条例", "行政法规", 20,
        "第二十条 自事故发生之日起30日内(火灾事故自发生之日起7日内)，因事故伤亡人数变化导致事故等级发生变化的，"
        "上级人民政府可以另行组织事故调查组进行调查。",
    )  # fmt: skip
    records = [record("消防法", "法律"), record("事故条例", "行政法规")]
    question = "消防救援机构调查火灾事故，火灾事故认定书应当在多少日内作出？"
    answer = _composed(question, records, [fire, accidents])
    assert answer.abstained and "7日" not in answer.text.split("可能相关")[0]
    # the provision on the matter stating the figure answers
    stated = _article(
        "消防法", "法律", 51,
        "第五十一条 消防救援机构应当自接到火灾报警之日起30日内制作火灾事故认定书，作为处理火灾事故的证据。",
    )  # fmt: skip
    answer = _composed(question, records, [stated, accidents])
    assert not answer.abstained and "30日内" in answer.text and "第五十一条" in answer.text


def test_a_ratio_asked_by_its_rule_with_no_ratio_stated_is_declined():
    fire = _article(
        "消防法", "法律", 73,
        "第七十三条 本法下列用语的含义：\n（四）人员密集场所，是指公众聚集场所，医院的门诊楼、病房楼，养老院，福利院，托儿所。",
    )  # fmt: skip
    answer = _composed("养老院夜班护理员和老人的配备比例有什么规定？", [record("消防法", "法律")], [fire])
    assert answer.abstained and "比例" in answer.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("违法所得达到多少就算情节严重？", "money"),  # a sum gained, not a measure
        ("直接经济损失多少算较大事故？", "money"),
        ("上一年年收入多少？", "money"),
    ],
)
def test_a_gain_a_loss_or_an_income_asked_is_a_sum(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


_CONDITIONS = _article(
    "两高解释（二）", "司法解释", 7,
    "第七条 承担安全评价职责的中介组织的人员故意提供虚假证明文件，有下列情形之一的，属于刑法第二百二十九条第一款规定的"
    "“情节严重”：\n（一）造成死亡一人以上或者重伤三人以上安全事故的；\n（二）造成直接经济损失五十万元以上安全事故的；\n"
    "（三）违法所得数额十万元以上的；\n（四）两年内因故意提供虚假证明文件受过两次以上行政处罚，又故意提供虚假证明文件的；\n"
    "（五）其他情节严重的情形。",
)  # fmt: skip


def test_asked_what_degree_counts_the_whole_list_of_conditions_is_quoted():
    answer = _composed(
        "安全评价机构出具虚假报告，达到什么程度算提供虚假证明文件罪的“情节严重”？",
        [record("两高解释（二）", "司法解释")],
        [_CONDITIONS],
    )
    assert all(f in answer.text for f in ("死亡一人以上", "五十万元以上", "十万元以上", "两次以上行政处罚"))


def test_asked_how_much_was_gained_the_item_stating_the_sum_is_quoted():
    answer = _composed(
        "安全评价机构人员故意出具虚假评价报告，违法所得达到多少就算“情节严重”？",
        [record("两高解释（二）", "司法解释")],
        [_CONDITIONS],
    )
    assert not answer.abstained and "违法所得数额十万元以上" in answer.text


def test_a_figure_is_quoted_with_the_sentence_qualifying_it():
    injury = _article(
        "工伤保险条例", "行政法规", 33,
        "第三十三条 职工因工作遭受事故伤害或者患职业病需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇不变，"
        "由所在单位按月支付。\n停工留薪期一般不超过12个月。伤情严重或者情况特殊，经设区的市级劳动能力鉴定委员会确认，"
        "可以适当延长，但延长不得超过12个月。",
    )  # fmt: skip
    answer = _composed("工伤停工留薪期最长能休多久？", [record("工伤保险条例", "行政法规")], [injury])
    assert "一般不超过12个月" in answer.text and "延长不得超过12个月" in answer.text


_LEADERS = _article(
    "煤矿安全生产条例", "行政法规", 21,
    "第二十一条 煤矿企业主要负责人和领导班子成员应当轮流带班下井，每月带班下井不少于5次。",
)  # fmt: skip
_LIBRARY = [record("煤矿安全生产条例", "行政法规"), record("上海市安全生产条例", "地方性法规", "上海市")]


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("广东省规定企业主要负责人每月至少到生产现场带班几次？", ["广东省"]),
        ("按江苏的要求，企业要配几个安全员？", ["江苏省"]),
        ("广州当地的规定是怎么要求带班的？", ["广州市"]),
        ("我们厂在广州，负责人每月要带班几次？", []),  # where the asker is, not whose rules
        ("上海规定负责人每月带班几次？", []),  # the library holds 上海's rules
    ],
)
def test_the_rules_of_a_place_the_library_holds_no_text_of_are_known_unheld(question, unheld):
    assert _analyzer(*_LIBRARY).analyse(question).unheld_places == unheld


def test_asked_what_the_rules_of_a_place_not_held_say_the_answer_declines_and_names_it():
    answer = _composed("广东省规定企业主要负责人每月至少带班下井几次？", _LIBRARY, [_LEADERS])
    assert answer.abstained and "广东省" in answer.text and "第二十一条" in answer.text  # shown as related only
    # asked from a place, not about its rules, the national rule answers
    answer = _composed("我们是广州的煤矿，主要负责人每月至少带班下井几次？", _LIBRARY, [_LEADERS])
    assert not answer.abstained and "不少于5次" in answer.text
