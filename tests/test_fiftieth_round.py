"""Round 50: the level's item, a list's items, and the part asked first.

- A provision fining by level ((一)发生一般事故的，处三十万元以上一百万元以下的罚款；(二)发生较大事故的…) is answered,
  in the first sentence, by the item of the level the question's accident is (by the deaths told or by the level
  named), as a range holding the question's number is; not by the provision's other paragraph (情节特别严重…二倍以上
  五倍以下), nor by the item defining the level.
- A question naming the level its counts make (死了一个人的一般事故) is not told that level again with the article
  defining it (事故条例第三条); a level named that the counts do not make is corrected.
- A list's items are told apart by what the question asks beyond their introduction; a clause quoted in the list it
  goes on from answers for that list; a list answers which ones only when its introduction names what is asked.
- A part asking the duty before its penalty takes the provision imposing it when it answers about as well, and leads
  the answer; a penalty asked in a sentence too short to be a part is asked.
- Lexicon and quantities: 出结果 (作出决定), 卖 (经营), 改 (修订), 劳务公司 and 派来 (劳务派遣), 奖金 and 补偿 (sums).
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_seventeenth_round import LEVELS, LEVELS_ARTICLE
from test_twentyfourth_round_answers import _analyzer

from assistant.answer.compose import OfflineComposer
from assistant.answer.levels import Accident, stated
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer

_BY_LEVEL = _article(
    "安全生产法", "法律", 114,
    "第一百一十四条 发生生产安全事故，对负有责任的生产经营单位除要求其依法承担相应的赔偿等责任外，由应急管理部门依照"
    "下列规定处以罚款:\n（一）发生一般事故的，处三十万元以上一百万元以下的罚款；\n（二）发生较大事故的，处一百万元以上"
    "二百万元以下的罚款；\n（三）发生重大事故的，处二百万元以上一千万元以下的罚款；\n（四）发生特别重大事故的，处一千万元"
    "以上二千万元以下的罚款。\n发生生产安全事故，情节特别严重、影响特别恶劣的，应急管理部门可以按照前款罚款数额的二倍以上"
    "五倍以下对负有责任的生产经营单位处以罚款。",
)  # fmt: skip


def _answer(question: str, chunks: list):
    """The offline answer over these chunks with the accident the question states (as Assistant._accident finds it)."""
    levels = tuple(level.level for level in LEVELS.levels)
    found = stated(question, LEVELS)
    accident = Accident(found, LEVELS_ARTICLE, levels) if found else None
    tokenizer = Tokenizer([])
    plan = _analyzer(record("安全生产法", "法律")).analyse(question)  # the law's terms for 出事, 企业 (lexicon)
    idf = {t: 2.0 for c in chunks for t in tokenizer.query_tokens(c.text)}  # a word no text holds weighs nothing
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    return composer.compose(question, plan, chunks, accident)


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("厂里出事死了一个人，企业要被罚多少钱？", "发生一般事故的，处三十万元以上一百万元以下的罚款"),
        ("厂里出事死了三个人，企业要被罚多少钱？", "发生较大事故的，处一百万元以上二百万元以下的罚款"),
        ("出了一起重大事故，单位要罚多少？", "发生重大事故的，处二百万元以上一千万元以下的罚款"),
    ],
)
def test_the_item_of_the_accidents_level_leads(question, lead):
    answer = _answer(question, [_BY_LEVEL])
    first = answer.text.split("\n")[0]
    assert first.startswith("依据《安全生产法》第一百一十四条") and lead in first, answer.text


def test_a_level_the_question_names_is_not_proved_again():
    named = _answer("厂里出事死了一个人，按一般事故算的话，企业要被罚多少钱？", [_BY_LEVEL])
    assert "事故等级" not in named.text
    assert named.citations == [{"doc": "安全生产法", "article": "第一百一十四条"}]
    # told by the deaths alone, the level is shown with its article
    counted = _answer("厂里出事死了一个人，企业要被罚多少钱？", [_BY_LEVEL])
    assert "事故等级（死亡1人）" in counted.text
    assert {"doc": "事故条例", "article": "第三条"} in counted.citations
    # a level named that the deaths do not make is corrected
    wrong = _answer("厂里出事死了三个人，按一般事故算的话，企业要被罚多少钱？", [_BY_LEVEL])
    assert "较大事故" in wrong.text and {"doc": "事故条例", "article": "第三条"} in wrong.citations


def _indexed_analyzer():
    """The query analyser with the pack's words segmented as words, as an index's tokenizer has them."""
    from assistant.retrieval.query import QueryAnalyzer
    from ingest.vocabulary import Vocabulary

    knowledge = Settings().knowledge_dir
    tokenizer = Tokenizer(Vocabulary(knowledge).segmenter_terms)
    return QueryAnalyzer(KnowledgePack(knowledge), tokenizer, {"安全生产法": record("安全生产法", "法律")})


def test_a_result_asked_for_is_the_authoritys_decision():
    """工伤认定申请交上去以后多久出结果 is searched for when the authority 作出…决定 (工伤保险条例第二十条), not only for
    the application's deadline."""
    plan = _indexed_analyzer().analyse("工伤认定申请交上去以后，一般多久出结果？")
    assert plan.translations.get("出结果") == "作出决定"
    assert "作出决定" in plan.expanded


def test_the_item_defining_the_level_is_no_answer_to_what_follows_from_it():
    """没有死人的一般事故，归县里查还是市里查: what follows for the level (事故条例第十九条), not the item of 第三条
    saying what a 一般事故 is."""
    investigated = _article(
        "事故条例", "行政法规", 19,
        "第十九条 特别重大事故由国务院或者国务院授权有关部门组织事故调查组进行调查。\n重大事故、较大事故、一般事故分别由"
        "事故发生地省级人民政府、设区的市级人民政府、县级人民政府负责调查。\n未造成人员伤亡的一般事故，县级人民政府也可以"
        "委托事故发生单位组织事故调查组进行调查。",
    )  # fmt: skip
    answer = _answer("没有死人的一般事故，归县里查还是市里查？", [investigated, LEVELS_ARTICLE])
    assert answer.text.startswith("依据《事故条例》第十九条") and "县级人民政府负责调查" in answer.text, answer.text


def test_selling_goods_a_licence_is_needed_for_is_their_business():
    """没证卖烟花 is the regulations' 经营 (未经许可…经营烟花爆竹制品); selling anything else is not asked in their words."""
    analyzer = _analyzer(record("烟花爆竹安全管理条例", "行政法规"))
    assert analyzer.analyse("邻居没办证就在家里囤烟花卖，被查到的话一般会罚多少？").translations.get("卖") == "经营"
    assert "卖" not in analyzer.analyse("厂里的旧设备能不能卖给别人？").translations


_REVISED = _article(
    "生产安全事故应急条例", "行政法规", 6,
    "第六条 生产安全事故应急救援预案应当符合有关法律、法规、规章和标准的规定，具有科学性、针对性和可操作性，明确规定"
    "应急组织体系、职责分工以及应急救援程序和措施。\n有下列情形之一的，生产安全事故应急救援预案制定单位应当及时修订相关"
    "预案：\n(一)制定预案所依据的法律、法规、规章、标准发生重大变化；\n(二)应急指挥机构及其职责发生调整；\n(三)安全生产"
    "面临的风险发生重大变化；\n(四)重要应急资源发生重大变化；\n(五)在预案演练或者应急救援中发现需要修订预案的重大问题；"
    "\n(六)其他应当修订的情形。",
)  # fmt: skip


def test_the_items_of_a_list_are_told_apart_by_what_their_introduction_does_not_say():
    """预案需要改吗 (改: 修订) after 应急指挥的领导全换了: the item on the command's change answers, not the one holding the
    修订 that every item is read with."""
    question = "公司的应急预案还是好几年前做的，现在应急指挥的领导全换了，预案需要改吗？"
    plan = _analyzer(record("生产安全事故应急条例", "行政法规")).analyse(question)
    assert plan.translations.get("改") == "修订"
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for t in tokenizer.query_tokens(_REVISED.text)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    answer = composer.compose(question, plan, [_REVISED])
    assert "(二)应急指挥机构及其职责发生调整" in answer.text and "(五)" not in answer.text, answer.text


@pytest.mark.parametrize("question", ["举报重大事故隐患，查实了最多能拿多少奖金？", "出了工伤，厂里能给多少补偿？"])
def test_a_reward_or_compensation_asked_how_much_is_a_sum(question):
    ask = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities).asked(question)
    assert ask is not None and ask.kind == "money"


def test_what_an_item_goes_on_to_say_answers_for_its_list():
    """四是稳步推进基层网格化建设。 then, on its line, 在全区248个村(社区)网格中配备278名协管员: the figure asked is the
    item's, quoted with the list it belongs to (it had been set aside with the list, and the question declined)."""
    from test_answer_reading import _compose, _passage

    report = _passage(
        3,
        "(三)多管齐下,防微杜渐,夯实安全生产基层基础\n一是规范行政许可环节审查工作。\n根据市安监局要求开展行政审批规范化建设。"
        "\n二是强化危化品应急救援机制建设。\n建立危化品企业应急数据库。\n三是推进安全生产标准化建设。\n全区95%规上工业企业"
        "已达成三级安全标准。\n四是稳步推进基层网格化建设。在全区248个村(社区)网格中配备278名协管员,共协查企业412家。\n"
        "为抓好工作落实,区安委办拨出6万元,用于协管员的专项补助。\n五是扎实做好“五落实、五到位”工作。\n截至10月底,6060家"
        "实有企业中,已有5800家完成自查。",
        "二、安全生产主要工作情况",
    )  # fmt: skip
    answer = _compose("全区网格配了多少名协管员？", [report])
    assert not answer.abstained and "278名协管员" in answer.text, answer.text


def test_a_part_asking_the_duty_before_its_penalty_takes_the_provision_imposing_it_answering_about_as_well():
    """要不要设安全总监？不设会罚多少？: the first part is the duty's (第三十六条 应当设置安全总监), though the penalty
    restating it as the offence (未按照规定设置安全总监的) holds more of the question's words (企业); the second part the
    penalty's; and the first part's provision leads the answer."""
    duty = _article(
        "深圳经济特区安全生产监督管理条例", "地方性法规", 36,
        "第三十六条 从业人员在五十人以上的高危生产经营单位，应当设置安全总监。",
    )  # fmt: skip
    penalty = _article(
        "深圳经济特区安全生产监督管理条例", "地方性法规", 53,
        "第五十三条 从业人员在五十人以上的高危生产经营单位未按照规定设置安全总监的，或者安全总监不具备条件的企业，未按照"
        "规定调整的，责令限期改正，可以处五万元以下的罚款；逾期未改正的，处五万元以上十万元以下的罚款。",
    )  # fmt: skip
    answer = _answer("一家高危企业六十个人，要不要设安全总监？不设会罚多少？", [penalty, duty])
    assert answer.citations[:2] == [
        {"doc": "深圳经济特区安全生产监督管理条例", "article": "第三十六条"},
        {"doc": "深圳经济特区安全生产监督管理条例", "article": "第五十三条"},
    ], answer.text


def test_people_a_labour_company_sent_are_dispatched_workers():
    analyzer = _indexed_analyzer()
    plan = analyzer.analyse("咱们厂从劳务公司派来十几个人，他们的安全培训是我们厂管还是劳务公司管？")
    assert plan.translations.get("劳务公司") == "劳务派遣单位"
    assert plan.translations.get("派来") == "被派遣劳动者"
    assert "派来" not in analyzer.analyse("上级派来检查组，要准备哪些材料？").translations


def test_a_penalty_asked_in_a_sentence_too_short_to_be_a_part_is_asked():
    """…放鞭炮，这个能管吗？罚多少？: 罚多少？ is too short to be a part of its own, but the question asks the penalty:
    the fine answers, not the bare duty to obey the rules on setting off fireworks."""
    duty = _article(
        "烟花爆竹安全管理条例", "行政法规", 28,
        "第二十八条 燃放烟花爆竹，应当遵守有关法律、法规和规章的规定。",
    )  # fmt: skip
    fine = _article(
        "烟花爆竹安全管理条例", "行政法规", 42,
        "第四十二条 在禁止燃放烟花爆竹的时间、地点燃放烟花爆竹的，由公安部门责令停止燃放，处100元以上500元以下的罚款。",
    )  # fmt: skip
    answer = _answer("有人天天在医院门口放鞭炮，这个能管吗？罚多少？", [fine, duty])
    assert answer.citations[:1] == [{"doc": "烟花爆竹安全管理条例", "article": "第四十二条"}], answer.text
    assert "100元以上500元以下" in answer.text


def test_a_list_answers_which_ones_only_when_it_lists_what_is_asked_about():
    """特种作业人员要具备什么条件才能上岗作业？: the law's provision on them answers; the licence conditions of an
    enterprise (…应当具备下列安全生产条件：) are a list of conditions of another thing, one item naming them. Asked the
    conditions of the licence itself, that list answers."""
    trained = _article(
        "安全生产法", "法律", 30,
        "第三十条 生产经营单位的特种作业人员必须按照国家有关规定经专门的安全作业培训，取得相应资格，方可上岗作业。",
    )  # fmt: skip
    licence = _article(
        "安全生产许可证条例", "行政法规", 6,
        "第六条 企业取得安全生产许可证，应当具备下列安全生产条件：\n(一)建立、健全安全生产责任制；\n(二)安全投入符合安全"
        "生产要求；\n(三)设置安全生产管理机构，配备专职安全生产管理人员；\n(四)主要负责人和安全生产管理人员经考核合格；\n"
        "(五)特种作业人员经有关业务主管部门考核合格，取得特种作业操作资格证书，具备上岗作业条件。",
    )  # fmt: skip
    answer = _answer("特种作业人员要具备什么条件才能上岗作业？", [trained, licence])
    assert answer.citations[:1] == [{"doc": "安全生产法", "article": "第三十条"}], answer.text
    answer = _answer("企业取得安全生产许可证要具备什么条件？", [trained, licence])
    assert answer.citations[:1] == [{"doc": "安全生产许可证条例", "article": "第六条"}], answer.text
