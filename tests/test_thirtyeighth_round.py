"""Hostile round 38 (issue 16): new variants of LLM-mode verification's class, tried against the checks as a model's
reply would meet them; what failed, each asserted as a user meets it.

- A duty hedged, waived or said to be lifted in words not yet read as a denial (有限空间作业不一定要先通风[1], 未必要
  先通风, 用不着先通风, 先通风大可不必, 先通风不作硬性要求, 先通风仅为倡导, 先通风属于推荐做法, 不再要求先通风) passed
  unmarked, while 不必先通风 and 先通风没有必要 were marked. They deny the duty now.
- A figure written with a katakana look-alike of a numeral (从业人员超过ニ百人的, ニ for 二) was read without it (百人,
  a hundred) and passed as the article's 一百人; it is read as the numeral it passes for (二百人) and checked.
- A duty denied by a modal word put alone in brackets (有限空间作业（不需要）先通风[1], (可以不), （无需）) passed
  unmarked: the bracket ended what the modal word binds, so it bound nothing. It is read as written inline now.
- Steps put in the other order than the article's (有限空间作业先检测、后通风、再作业[1] for 先通风、再检测、后作业; 先进入
  再检测 for 检测合格后方可进入; 可以先施工后报批 where the article forbids 先施工后报批) passed unmarked: no check read
  an order. The steps an article orders (先…再…后…, …后方可…) and the order a sentence resting on it states are
  compared now; an order forbidden (不得先…后…) is the other way round.

Tried and still unmarked (they need the reply's meaning, not another word; docs/benchmark.md): a duty's place turned (在内监护 for 在外监护), 专职 swapped for the article's other word
兼职, a subject shortened so that no clause of the source aligns (高危行业的生产经营单位不需要投保 for 属于国家规定的
高危行业、领域的生产经营单位，应当投保), a choice given to someone put between the subject and the duty (是否通风由作业
人员自行决定, 由作业人员自行决定是否通风), a table cell holding only 否, 先通风的要求已取消.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS, needs_corpus, regulation_with
from test_thirtysecond_round import CONFINED, STAFFING, _article, ask_model

from assistant.llm.verification import FIGURE_MARK, ORDER_MARK, notes, verify

TURNED = "⚠与所引条文的应当、不得、可以或肯定、否定不一致"

# --- a duty hedged, waived or lifted ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        (CONFINED, "有限空间作业不一定要先通风[1]。"),
        (CONFINED, "有限空间作业未必要先通风[1]。"),
        (CONFINED, "有限空间作业用不着先通风[1]。"),
        (CONFINED, "有限空间作业先通风大可不必[1]。"),
        (CONFINED, "有限空间作业先通风不作硬性要求[1]。"),
        (CONFINED, "有限空间作业先通风仅为倡导[1]。"),
        (CONFINED, "有限空间作业先通风属于推荐做法[1]。"),
        (CONFINED, "有限空间作业不再要求先通风[1]。"),
        # a near copy of the article's clause was marked already, by the negation it adds
        (STAFFING, "从业人员超过一百人的，用不着设置安全生产管理机构[1]。"),
        (STAFFING, "从业人员超过一百人的，不一定要设置安全生产管理机构[1]。"),
    ],
)
def test_a_duty_hedged_or_lifted_is_marked(source, reply):
    text, _, _ = verify(reply, [source], uncited=True)
    assert TURNED in text, text


ENCOURAGED = _article(
    48,
    "第四十八条",
    "国家鼓励生产经营单位投保安全生产责任保险；属于国家规定的高危行业、领域的生产经营单位，应当投保安全生产责任保险。",
)


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        # what the article only encourages may be called a recommended practice, or not required
        (ENCOURAGED, "生产经营单位投保安全生产责任保险属于推荐做法[1]。"),
        (ENCOURAGED, "一般生产经营单位不一定要投保安全生产责任保险[1]。"),
        # the duty kept in other words
        (CONFINED, "有限空间作业一定要先通风，不可省略[1]。"),
        (CONFINED, "有限空间作业必须先通风、再检测、后作业[1]。"),
    ],
)
def test_what_the_article_allows_or_requires_said_so_is_not_marked(source, reply):
    text, _, _ = verify(reply, [source], uncited=True)
    assert "⚠" not in text, text


# --- a modal word alone in brackets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        (CONFINED, "有限空间作业（不需要）先通风[1]。"),
        (CONFINED, "有限空间作业(可以不)先通风[1]。"),
        (STAFFING, "从业人员超过一百人的，（无需）设置安全生产管理机构[1]。"),
    ],
)
def test_a_duty_denied_by_a_bracketed_modal_word_is_marked(source, reply):
    text, _, _ = verify(reply, [source], uncited=True)
    assert TURNED in text, text


@pytest.mark.parametrize(
    "reply",
    [
        "有限空间作业（必须）先通风[1]。",
        "有限空间作业（应当）先通风、再检测、后作业[1]。",
        "有限空间作业（含地下管道）应当先通风[1]。",  # an aside, no modal word
    ],
)
def test_a_bracketed_word_keeping_the_duty_is_not_marked(reply):
    text, _, _ = verify(reply, [CONFINED], uncited=True)
    assert "⚠" not in text, text


# --- a numeral written with a katakana look-alike ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "从业人员超过ニ百人的，应当设置安全生产管理机构[1]。",  # ニ (katakana) for 二
        "从业人员超过ニニ百人的，应当设置安全生产管理机构[1]。",
    ],
)
def test_a_figure_written_with_a_katakana_numeral_is_checked_as_that_numeral(reply):
    text, report, _ = verify(reply, [STAFFING], uncited=True)
    assert FIGURE_MARK in text, text
    assert report.figures, report


def test_a_katakana_look_alike_of_the_articles_own_numeral_passes():
    # ー (katakana) for 一: the article's 一百人, as it reads
    text, _, _ = verify("从业人员超过ー百人的，应当设置安全生产管理机构[1]。", [STAFFING], uncited=True)
    assert "⚠" not in text, text


# --- steps in another order than the article's -------------------------------------------------------------------------

REDESIGN = _article(
    14,
    "第十四条",
    "安全设施设计需要作重大变更的，应当报原审查部门重新审查，不得先施工后报批、边施工边修改。",
    "煤矿安全生产条例",
)


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        (CONFINED, "有限空间作业先检测、后通风、再作业[1]。"),
        (CONFINED, "有限空间作业应当先作业、再通风[1]。"),
        (CONFINED, "有限空间作业可以先进入再检测[1]。"),  # 检测合格后方可进入
        (CONFINED, "进入有限空间后再检测即可[1]。"),
        (REDESIGN, "安全设施设计重大变更的，可以先施工后报批[1]。"),  # the order the article forbids
    ],
)
def test_steps_put_in_another_order_than_the_articles_are_marked(source, reply):
    text, report, _ = verify(reply, [source], uncited=True)
    assert ORDER_MARK in text, text
    assert any("先后顺序" in note for note in notes(report, 1)), notes(report, 1)


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        (CONFINED, "有限空间作业应当先通风、再检测、后作业[1]。"),
        (CONFINED, "有限空间作业先通风，然后检测，最后作业[1]。"),
        (CONFINED, "有限空间作业通风后再检测，检测合格后方可进入[1]。"),
        (REDESIGN, "安全设施设计重大变更的，应当先报批后施工[1]。"),
        (REDESIGN, "重大变更不得先施工后报批[1]。"),
    ],
)
def test_steps_in_the_articles_order_are_not_marked(source, reply):
    text, _, _ = verify(reply, [source], uncited=True)
    assert ORDER_MARK not in text, text


def test_an_answer_reversing_the_articles_steps_is_marked_where_the_user_reads_it(tmp_path):
    """anquan ask in LLM mode, the model putting 检测 before 通风: the answer shown carries the mark and the note."""
    settings = regulation_with(tmp_path, {})
    result = ask_model(settings, "有限空间作业应当先检测、后通风、再作业[1]。")
    assert result.exit_code == 0, result.output
    assert "先后顺序不一致" in result.output, result.output


@needs_corpus
def test_no_article_of_the_corpus_is_marked_for_order_against_itself():
    """Each article of the shared regulations that orders steps (先…再…, …后方可…), restated word for word and cited:
    never marked (the order check reads the law's own sequences, forbidden ones included, the right way round)."""
    import re

    from ingest.articles import ARTICLE_START
    from ingest.store import StoredChunk

    ordering = re.compile(r"先[^，。；]{1,8}[，、]?(?:再|然后|后)|后[，,]?(?:方可|方能|才能|才可|再)")
    checked = 0
    for path in sorted((CORPUS / "regulations").glob("*.md")):
        articles: list[list[str]] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if ARTICLE_START.match(line):
                articles.append([line])
            elif articles:
                articles[-1].append(line)
        for lines in articles:
            body = "".join(lines)
            if not ordering.search(body):
                continue
            label = ARTICLE_START.match(body).group()
            chunk = StoredChunk(
                "c", body, {"doc_id": path.stem, "title": path.stem, "unit": "article", "article": label}
            )
            text, _, _ = verify(body[len(label) :].strip() + "[1]", [chunk], uncited=True)
            assert ORDER_MARK not in text, (path.stem, label, text)
            checked += 1
    assert checked >= 20, checked
