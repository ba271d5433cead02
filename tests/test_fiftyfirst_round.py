"""Round 51: what a question tells is not what it asks.

- An accident's injuries told with a measure word alone (重伤12个, 死了两名) are counted: the level is the highest the
  deaths, injuries or loss make.
- A figure told roughly (三米多高的钢架) asks no figure; 咋 is 怎么 (老板跑了，法律上咋处理 asks the penalty).
- A count of kinds (分几个等级, 有几项职责) is stated by a list of them; counting the levels of an accident told (死了3
  个人，算几级事故) asks which level it is.
- Who asks (我是街道安全干事，…; 物业这边问：…) is no part of what a figure is asked about.
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_fiftieth_round import _answer
from test_retrieval_stages import record
from test_seventeenth_round import LEVELS, LEVELS_ARTICLE
from test_twentyfourth_round_answers import _analyzer

from assistant.answer.compose import OfflineComposer
from assistant.answer.levels import stated
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
from ingest.vocabulary import Vocabulary

_ASKS = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "deaths", "injuries", "level"),
    [
        ("我们厂锅炉炸了，死了2个人，重伤12个，这算几级事故？", 2, 12, "较大事故"),
        ("车间爆燃，死了两名，重伤3名，算什么事故？", 2, 3, "一般事故"),
        ("工地塌方，当场死了4个。", 4, 0, "较大事故"),
    ],
)
def test_injuries_told_with_a_measure_word_alone_are_counted(question, deaths, injuries, level):
    found = stated(question, LEVELS)
    assert found is not None
    assert (found.deaths, found.serious_injuries, found.level) == (deaths, injuries, level)


def test_a_period_after_the_word_for_injuries_counts_no_one():
    assert stated("他重伤3个月后才出院，单位要赔多少？", LEVELS) is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("班长叫我们爬到三米多高的钢架上去焊，我不去，他就扣我奖金，这样合理吗？", None),
        ("坑有两米多深，算不算有限空间？", None),
        ("坑有3米多深，护栏要多高？", "length"),
        ("脚手架搭多高要专家论证？", "length"),
    ],
)
def test_a_figure_told_roughly_asks_none(question, kind):
    asked = _ASKS.asked(question)
    assert (asked.kind if asked else None) == kind


def test_zan_asks_as_zenme_does():
    assert provision_asked("出事当天老板就跑了，这种跑路的老板法律上咋处理？") == PENALTY
    assert provision_asked("没按规矩存放，被查到会咋处理？") == PENALTY
    assert provision_asked("用不完的炸药咋处理？") is None  # a thing handled: the duty


_WARNINGS = _article(
    "突发事件应对法", "法律", 63,
    "第六十三条 国家建立健全突发事件预警制度。\n可以预警的自然灾害、事故灾难和公共卫生事件的预警级别，按照突发事件发生的"
    "紧急程度、发展势态和可能造成的危害程度分为一级、二级、三级和四级，分别用红色、橙色、黄色和蓝色标示，一级为最高级别。",
)  # fmt: skip
_STREETS = _article(
    "突发事件应对法", "法律", 22,
    "第二十二条 乡级人民政府、街道办事处应当明确专门工作力量，负责突发事件应对有关工作。",
)  # fmt: skip


@pytest.mark.parametrize("question", ["生产安全事故分几个等级？", "事故一般分为几级？"])
def test_a_count_of_kinds_is_stated_by_a_list_of_them(question):
    answer = _answer(question, [LEVELS_ARTICLE])
    assert not answer.abstained and answer.citations == [{"doc": "事故条例", "article": "第三条"}], answer.text


def test_a_list_states_no_count_of_what_it_does_not_list_by_kind():
    """几次 counts occasions, not kinds: a list of levels states no number of times."""
    answer = _answer("事故一年要统计几次？", [LEVELS_ARTICLE])
    assert answer.abstained, answer.text


@pytest.mark.parametrize(
    "question", ["工地塌方死了3个人，算几级事故？", "锅炉炸了，死了2个人，重伤12个，这算几级事故？"]
)
def test_counting_the_levels_of_an_accident_told_asks_its_level(question):
    answer = _answer(question, [LEVELS_ARTICLE])
    assert not answer.abstained and answer.citations == [{"doc": "事故条例", "article": "第三条"}], answer.text
    if "重伤12个" in question:  # the injuries make it 较大 (the deaths alone, 一般): the level's item leads
        assert answer.text.split("\n")[0].endswith(
            "较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤，"
            "或者1000万元以上5000万元以下直接经济损失的事故。"
        ), answer.text


_CORPUS_IDF = {
    "街道": 3.85, "安全": 0.32, "突发": 2.93, "事件": 2.88, "突发事件": 2.99, "预警": 4.21, "分": 6.61, "办事": 3.65,
    "街道办": 4.08, "办事处": 3.67, "街道办事处": 4.08,
}  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "我是街道安全干事，突发事件预警一共分几级？",
        "街道安全干事问：突发事件预警一共分几级？",
        "突发事件预警一共分几级？",
    ],
)
def test_who_asks_is_no_part_of_what_a_figure_is_asked_about(question):
    """街道 (and 街道办事处, its legal term) is told of who asks: the article naming 街道办事处, and no figure, is no
    better an answer to the count asked than the one stating it. (idf: the corpus's, the index's segmenter)"""
    tokenizer = Tokenizer(Vocabulary(Settings().knowledge_dir).segmenter_terms)
    chunks = [_STREETS, _WARNINGS]
    idf = {t: 3.0 for c in chunks for t in tokenizer.query_tokens(c.text)} | _CORPUS_IDF
    plan = _analyzer(record("突发事件应对法", "法律")).analyse(question)
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert not answer.abstained and "分为一级、二级、三级和四级" in answer.text.split("\n")[0], answer.text
