"""Round 42: the text normalisation every passage and question goes through is exact NFKC, by a faster path; the thing a
range counts may be written before its number (重伤三人以上); an exit locked is an exit closed, and how heavy a sentence
is asks for the prison term; so many people for each one asks a proportion; the amount of a named sum is stated by a
clause naming it."""

from __future__ import annotations

import random
import unicodedata

import pytest
from conftest import CORPUS, needs_corpus

from assistant.answer.ranges import holds, stated
from ingest.cleaning import nfkc

# characters NFKC treats differently: CJK and full-width punctuation, compatibility forms (①, ㎡, ｶ + the half-width
# voiced mark that composes with it), combining marks, Hangul jamo that compose into syllables, characters beyond the
# BMP (𝐀, 𠀀), ligatures and ASCII
_POOL = (
    "安全生产法第二十四条，（一）：；。！？、“”《》【】 "
    "①⑩㎡㎏℃Ⅻ㈱ﬁﬀ½ｶﾞﾟｱ ＡＢＣ１２３　"
    "e\u0301a\u0308\u0323\u0302\u0300"
    "\u1100\u1161\u11a8\u1112\u1175ㄱㅏ한"
    "𝐀𝟘𠀀\U0002f800\U0001f600"
    "abcXYZ019 \t\n"
)


def test_nfkc_is_unicodedata_nfkc_on_mixed_text():
    rng = random.Random(42)
    for _ in range(3000):
        text = "".join(rng.choice(_POOL) for _ in range(rng.randint(0, 24)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


@needs_corpus
def test_nfkc_is_unicodedata_nfkc_on_every_corpus_text():
    files = sorted((CORPUS / "regulations").glob("*.md")) + sorted((CORPUS / "plans").glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), path.name


@pytest.mark.parametrize(
    ("text", "question", "held"),
    [
        # the thing counted before the number: 死亡一人以上 counts deaths, not the one seriously injured
        ("导致事故后果扩大，增加死亡一人以上，或者增加重伤三人以上的", "已经按一名重伤报上去了，还要补报吗？", False),
        ("导致事故后果扩大，增加死亡一人以上，或者增加重伤三人以上的", "事后又有5人重伤，算情节严重吗？", True),
        ("造成死亡一人以上，或者重伤三人以上的", "事故死了2人，会判刑吗？", True),
        # and after it, as before
        ("造成3人以上10人以下死亡，或者10人以上50人以下重伤的事故", "一起事故12人重伤，是什么等级？", True),
        ("造成3人以上10人以下死亡，或者10人以上50人以下重伤的事故", "一起事故2人重伤，是什么等级？", False),
    ],
)
def test_a_range_counts_what_is_written_before_or_after_its_number(text, question, held):
    assert holds(text, stated(question), text, question) is held


def test_an_exit_locked_is_an_exit_closed(analyzer):
    assert "占用、堵塞、封闭" in analyzer.analyse("商场晚上把一个安全出口锁上了，会怎么罚？").legal_terms
    assert "占用、堵塞、封闭" not in analyzer.analyse("仓库晚上锁上了，还要有人值班吗？").legal_terms  # no exit


def test_how_heavy_a_sentence_is_asks_for_the_prison_term(analyzer):
    assert "有期徒刑" in analyzer.analyse("违章指挥出了事故死了1个人，一般会判多重？").legal_terms


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("仓库里最多能存几吨剧毒化学品？", "weight"),
        # so many people for each one of another asks a proportion, not a number of people (1000人以上 answers none)
        ("我们办一场五千人的演唱会，按规定每多少名观众至少要配一名保安？", "ratio"),
        ("员工五百人，按北京市的规定专职安全管理人员要按什么比例配备？", "ratio"),  # not 超过一百人的
    ],
)
def test_what_a_figure_asks_for(figures, question, kind):
    ask = figures.asked(question)
    assert (ask.kind if ask else None) == kind


_DISABILITY = "（一）从工伤保险基金按伤残等级支付一次性伤残补助金，标准为：十级伤残为7个月的本人工资"


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        # the amount of a sum the law names is stated by a clause naming that sum, not a neighbour's
        ("十级伤残，合同到期不续了，一次性伤残就业补助金是几个月工资？", False),
        ("十级伤残的一次性伤残补助金是几个月工资？", True),
        ("十级伤残能拿几个月工资的补助？", True),  # no sum named: any stating the period
    ],
)
def test_the_amount_of_a_named_sum_is_stated_by_a_clause_naming_it(figures, question, answered):
    assert figures.asked(question).stated_in(_DISABILITY) is answered
