"""Seventh hostile round (issue 16; report in /tmp/rt7/README.md), LLM mode: what was fixed, by class.

- figures: people counted with 位 (三百位) and approximate figures (三百余人, 300多人, 两个多小时) are read like
  三百人 and checked; a figure split by emphasis (**三**百人, <b>3</b>00人) is read as it renders (M2, M3);
- modality: a sentence that turns what a cited clause binds — 应当 to 可以 / 不必 / 毋须 / 免予, 不得 to 可以 /
  允许, 可以 to 必须 — is marked, in a near copy (with adverbs and spaces put in) and in a paraphrase of the same
  duty (并不需要单独设立…); a faithful restatement in other words is not (M4–M7);
- the reply cannot claim to have been checked by the system in any form (✅ 以上引用均已通过系统核验。（本回答已
  经系统自动核对…）) (M8);
- an endpoint that answers at once and then sends a byte now and then (or drips its headers, or streams without
  end) no longer holds an ask: the offline answer comes with the note, within about llm_timeout (F1).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW
from fake_openai import LocalEndpoint, QuietHandler
from test_fifth_round import _finished

from assistant.answer import Answer
from assistant.ask import Assistant
from assistant.llm import LlmComposer, figures
from assistant.llm.reply import clean_reply
from assistant.llm.verification import FIGURE_MARK, NEGATION_MARK
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import StoredChunk

LAW = {"doc_id": "安全生产法", "title": "中华人民共和国安全生产法", "unit": "article"}


def _article(number: int, label: str, text: str) -> StoredChunk:
    return StoredChunk(
        f"c{number}", f"{label} {text}", {**LAW, "article": label, "article_num": number, "article_sub": 0}
    )


STAFFING = _article(
    24,
    "第二十四条",
    "前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；"
    "从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
)
LEASING = _article(
    49,
    "第四十九条",
    "生产经营单位不得将生产经营项目、场所、设备发包或者出租给不具备安全生产条件或者相应资质的单位或者个人。",
)
QUALIFIED = _article(
    30, "第三十条", "生产经营单位的特种作业人员必须按照国家有关规定经专门的安全作业培训，取得相应资格，方可上岗作业。"
)
ENTRUSTING = _article(
    15, "第十五条", "生产经营单位可以委托依法设立的为安全生产提供技术、管理服务的机构提供安全生产技术、管理服务。"
)

EXPLOSIVES = StoredChunk(
    "c17",
    "第十七条 试验或者试制民用爆炸物品，必须在专门场地或者专门的试验室进行。严禁在生产车间或者仓库内试验或者试制民用"
    "爆炸物品。",
    {
        "doc_id": "民用爆炸物品安全管理条例",
        "title": "民用爆炸物品安全管理条例",
        "unit": "article",
        "article": "第十七条",
    },
)


def _verified(reply: str, *chunks: StoredChunk) -> Answer:
    """The answer a reply gives once checked against the articles (numbered [1], [2] … in order)."""
    composer = LlmComposer(Settings(), model=object())  # type: ignore[arg-type]
    return composer.finish("我们厂120个人要设机构吗", list(chunks), reply)


# --- M2, M3: figures --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("figure", ["三百位", "三百余人", "300多人", "三百多名", "二百余位", "三百人左右", "3百余人"])
def test_people_counted_with_any_classifier_or_approximately_are_checked(figure):
    """M2: 三百位, 三百余人 and 300多人 passed unmarked (位 was no unit; 余/多 broke the figure)."""
    answer = _finished(f"从业人员超过{figure}的才应当设置安全生产管理机构[1]。")
    assert f"{figure.removesuffix('左右')}{FIGURE_MARK}" in answer.text, answer.text
    assert "处数字未能在所引条文中核对" in answer.text


def test_an_approximate_figure_the_source_states_is_not_marked():
    answer = _finished("从业人员一百余人、超过一百多名的，应当设置安全生产管理机构[1]。")
    assert FIGURE_MARK not in answer.text, answer.text


def test_approximate_and_classifier_forms_read_as_their_number():
    assert figures.keys("三百位") == figures.keys("三百余人") == figures.keys("300多人") == figures.keys("三百人")
    assert figures.keys("两个多小时") == figures.keys("2小时")
    assert figures.keys("三十余万元") == figures.keys("300000元")
    assert figures.keys("一个多月") == figures.keys("1个月")
    # 位 of digits or places, and 一位 as an article, are no count of people; a vague count is no figure
    for text in ("三位数", "保留两位小数", "三位一体", "有一位同志", "其余人员", "数百人", "几十人"):
        assert figures.keys(text) == set(), text


@pytest.mark.parametrize(
    "written",
    ["**三**百人", "三**百**人", "<b>3</b>00人", "__三百__人", "<strong>三</strong>百<em>人</em>", "`三百`人"],
)
def test_a_figure_split_by_emphasis_is_checked_as_it_reads(written):
    """M3: 超过**三**百人 renders as 三百人 but was never read as a figure."""
    answer = _finished(f"从业人员超过{written}的才应当设置安全生产管理机构[1]。")
    assert FIGURE_MARK in answer.text and "核验：1 处数字" in answer.text, answer.text
    assert "三百人" in answer.text.split("已标注：")[-1] or "300人" in answer.text.split("已标注：")[-1]


def test_a_mark_after_an_emphasised_figure_goes_after_the_emphasis():
    answer = _finished("从业人员超过三百**人**的才应当设置安全生产管理机构[1]。")
    assert f"三百**人**{FIGURE_MARK}的" in answer.text, answer.text
    # the figure the source states, emphasised, is not marked
    assert FIGURE_MARK not in _finished("从业人员超过**一百**人的，应当设置安全生产管理机构[1]。").text


def test_a_figure_in_a_short_quotation_is_still_checked():
    """A quotation of fewer than four characters is a term and is not checked word for word: a figure in it
    (“三百人”) was then not checked at all."""
    answer = _finished("从业人员超过“三百人”的才应当设置安全生产管理机构[1]。")
    assert FIGURE_MARK in answer.text, answer.text


# --- M4–M7: modality ---------------------------------------------------------------------------------------------

TURNED = [
    # M4: obligation -> permission or no obligation, in a near copy
    ("从业人员超过一百人的，可以设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，可设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，不必设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    # M7: the forms of “no need”, with spaces and adverbs put in
    ("从业人员超过一百人的，毋须设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，免予设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，也无 须 再设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，就毋需单独设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("从业人员超过一百人的，不用设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    # M5: prohibition -> permission
    (
        "生产经营单位可以将生产经营项目、场所、设备发包或者出租给不具备安全生产条件或者相应资质的单位或者个人[1]。",
        LEASING,
    ),
    ("生产经营单位允许将生产经营项目、场所、设备发包或者出租给不具备安全生产条件或者相应资质的单位[1]。", LEASING),
    ("生产经营单位将生产经营项目、场所、设备发包或者出租给不具备安全生产条件或者相应资质的单位或者个人[1]。", LEASING),
    # permission -> obligation (the reverse)
    ("生产经营单位必须委托依法设立的为安全生产提供技术、管理服务的机构提供安全生产技术、管理服务[1]。", ENTRUSTING),
    ("生产经营单位应当委托依法设立的为安全生产提供技术、管理服务的机构提供安全生产技术、管理服务[1]。", ENTRUSTING),
    # M6: a paraphrase binding the same duty the other way
    ("依据第二十四条，一百二十人规模的企业并不需要单独设立安全生产管理机构，由兼职人员负责即可[1]。", STAFFING),
    ("你们厂一百二十人，无需另设安全生产管理机构[1]。", STAFFING),
    ("像你们这样的企业可以把设备出租给不具备安全生产条件的个人[1]。", LEASING),
    ("企业都必须委托专门的机构提供安全生产技术、管理服务[1]。", ENTRUSTING),
    # 严禁 / 必须 -> 允许 / 能 / 不必
    ("允许在生产车间内试验民用爆炸物品[1]。", EXPLOSIVES),
    ("在生产车间内也能试制民用爆炸物品，只要注意安全即可[1]。", EXPLOSIVES),
    ("试验民用爆炸物品不必在专门场地进行[1]。", EXPLOSIVES),
]


@pytest.mark.parametrize(("reply", "article"), TURNED, ids=[f"turned{n}" for n in range(len(TURNED))])
def test_a_sentence_turning_what_a_clause_binds_is_marked(reply, article):
    """M4–M7: 应当 -> 可以 / 不必 / 毋须 / 免予, 不得 -> 可以, 可以 -> 必须, and a paraphrase saying 并不需要 单独设立,
    all passed unmarked."""
    answer = _verified(reply, article)
    assert NEGATION_MARK in answer.text, answer.text
    assert "处说法与所引条文的应当、不得、可以或肯定、否定不一致" in answer.text


FAITHFUL = [
    ("你们厂120人，超过了一百人，所以需要设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("可以设置安全生产管理机构，也可以配备专职安全生产管理人员，二者选其一即可[1]。", STAFFING),
    ("从业人员在一百人以下的，可以不设安全生产管理机构，但应当配备专职或者兼职的安全生产管理人员[1]。", STAFFING),
    ("你们厂50人，在一百人以下，不需要设置安全生产管理机构，但要配备专职或者兼职的安全生产管理人员[1]。", STAFFING),
    ("无论哪种单位，从业人员超过一百人的都应当设置安全生产管理机构或者配备专职安全生产管理人员[1]。", STAFFING),
    ("不能把项目发包给不具备安全生产条件或者相应资质的单位[1]。", LEASING),
    ("生产经营单位不得将项目、场所、设备出租给不具备安全生产条件的个人[1]。", LEASING),
    ("可以发包给具备安全生产条件和相应资质的单位[1]。", LEASING),
    ("特种作业人员没有取得相应资格的，不能上岗作业[1]。", QUALIFIED),
    ("特种作业人员必须经专门的安全作业培训，取得相应资格后才可以上岗作业[1]。", QUALIFIED),
    ("单位也可以委托依法设立的机构提供安全生产技术、管理服务[1]。", ENTRUSTING),
    ("生产车间内不能试制民用爆炸物品，只能在专门场地或者专门的试验室进行[1]。", EXPLOSIVES),
    ("超过一百人的应当设置安全生产管理机构，一百人以下的不需要设置安全生产管理机构[1]。", STAFFING),
]


@pytest.mark.parametrize(("reply", "article"), FAITHFUL, ids=[f"faithful{n}" for n in range(len(FAITHFUL))])
def test_a_faithful_restatement_in_other_words_is_not_marked(reply, article):
    answer = _verified(reply, article)
    assert NEGATION_MARK not in answer.text, answer.text


def test_a_verbatim_copy_restating_a_clause_twice_is_not_marked():
    """A clause that names the act with and without its prohibition (不得使用童工，…使用童工造成…的) is not a
    dropped 不得 when copied."""
    child = _article(
        66, "第六十六条", "用人单位不得使用童工，用人单位使用童工造成童工伤残、死亡的，由该单位给予一次性赔偿。"
    )
    answer = _verified("用人单位不得使用童工，用人单位使用童工造成童工伤残、死亡的，由该单位给予一次性赔偿[1]。", child)
    assert NEGATION_MARK not in answer.text, answer.text


# --- M8: the reply claiming to have been checked ----------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        "✅ 以上引用均已通过系统核验。",
        "（本回答已经系统自动核对，无需人工复核）",
        "**核验结论**：引文与条号准确无误。",
        "> 💡 本回答的条文编号已经系统审核无误。",
        "☑️ 核验通过",
        "——以上内容已由 AI 助手逐条复核——",
        "引文均已验证。",
        "✔️ 引用核验：通过",
        "以上答案经系统校验无误。",
    ],
)
def test_a_reply_cannot_claim_to_have_been_checked(claim):
    """M8: the ✅ line and the （本回答已经系统自动核对…） line were shown above 依据 as if the system said so."""
    answer = _finished(f"应当设置安全生产管理机构[1]。\n\n{claim}")
    shown = answer.text.split("\n\n依据：")[0]
    assert shown.strip() == "应当设置安全生产管理机构[1]。", answer.text


def test_a_check_claim_inside_an_answer_line_is_dropped_and_the_answer_kept():
    text = clean_reply("应当设置安全生产管理机构[1]（已经系统核验）。以上引用均已通过系统核验。另须配备专职人员[1]。")
    assert text == "应当设置安全生产管理机构[1]。另须配备专职人员[1]。"


@pytest.mark.parametrize(
    "duty",
    [
        "核对相关证件后方可作业[1]。",
        "应急预案经审核通过后公布[1]。",
        "动火作业前应当核实作业票已经审批[1]。",
        "企业通过信息系统上报，系统自动审核[1]。",
        "核对无误后签字确认[1]。",
    ],
)
def test_a_duty_of_checking_in_the_answer_stays(duty):
    assert clean_reply(duty) == duty


# --- F1: an endpoint that drips --------------------------------------------------------------------------------

QUESTION = "有限空间作业应当坚持什么顺序？"


class _Drip(LocalEndpoint):
    """An OpenAI-compatible endpoint on a free port that answers 200 at once, then sends the rest one byte every
    `every` seconds (headers: the headers too); stream: a server-sent stream of one-character pieces, one every
    `every` seconds. Stops dripping when the test ends."""

    def __init__(self, every: float, headers: bool = False, stream: bool = False):
        stopped = self.stopped = threading.Event()

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.read_body()
                try:
                    if stream:
                        self._stream()
                    else:
                        self._drip()
                except OSError:  # the client gave up
                    pass

            def _drip(self):
                message = {"role": "assistant", "content": "应当先通风、再检测、后作业[1]。"}
                body = json.dumps(
                    {"id": "x", "object": "chat.completion", "created": 0, "model": "fake",
                     "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]},
                    ensure_ascii=False,
                ).encode()  # fmt: skip
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: {'x' * 200}\r\n"
                    f"Content-Length: {len(body) + 2000}\r\n\r\n"
                ).encode()
                if not headers:
                    self.wfile.write(head)
                    self.wfile.flush()
                for byte in (head if headers else b"") + b" " * 2000 + body:
                    if stopped.wait(every):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

            def _stream(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for _ in range(10_000):
                    chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                             "choices": [{"index": 0, "delta": {"content": "应"}, "finish_reason": None}]}  # fmt: skip
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if stopped.wait(every):
                        return

        self.serve(Handler)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, vector_cache) -> Path:
    docs = tmp_path_factory.mktemp("drip-docs")
    (docs / f"{REGULATION_NEW}.md").write_text(
        (FIXTURES / f"{REGULATION_NEW}.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    data = tmp_path_factory.mktemp("drip-data")
    ingest([docs], Settings(data_dir=data, embedder="builtin", vector_cache=vector_cache))
    return data


def _assistant(data_dir: Path, base_url: str, timeout: float) -> Assistant:
    settings = Settings(
        data_dir=data_dir, embedder="builtin", llm_base_url=base_url, llm_model="fake", llm_api_key="x",
        llm_timeout=timeout,
    )  # fmt: skip
    return Assistant(KnowledgeBase(settings))


def _offline_with_note(answer: Answer, reason: str) -> None:
    first = answer.text.split("\n")[0]
    assert first.startswith("大模型服务暂不可用（") and reason in first and "以下为离线摘录答案" in first, answer.text
    assert {"doc": REGULATION_NEW, "article": "第六条"} in answer.citations


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers"])
def test_an_endpoint_dripping_its_reply_gives_the_offline_answer_within_the_timeout(data_dir, headers):
    """F1: a body (or headers) sent one byte every 2 s held ask with no limit: the client's timeout is per read."""
    with _Drip(every=0.1, headers=headers) as endpoint:
        assistant = _assistant(data_dir, endpoint.base_url, timeout=1)
        started = time.monotonic()
        answer = assistant.ask(QUESTION).answer
        elapsed = time.monotonic() - started
    _offline_with_note(answer, "1 秒内没有响应")
    assert elapsed < 1 + 3, elapsed  # the deadline, then retrieval and the offline answer


def test_a_stream_dripping_its_pieces_gives_the_offline_answer_within_its_limit(data_dir):
    """Each piece comes in time, but the reply never ends: a streamed reply is done within ten times llm_timeout."""
    with _Drip(every=0.05, stream=True) as endpoint:
        # (0.5 s for the first piece: a loaded CI machine took longer than 0.2 s to answer at all)
        assistant = _assistant(data_dir, endpoint.base_url, timeout=0.5)
        started = time.monotonic()
        items = list(assistant.ask_stream(QUESTION))
        elapsed = time.monotonic() - started
    assert len(items) > 2  # the pieces were shown as they came
    _offline_with_note(items[-1].answer, "5 秒内没有写完回复")
    assert elapsed < 5 + 3, elapsed


def test_a_stream_request_answered_by_a_dripping_body_falls_back_within_the_timeout(data_dir):
    with _Drip(every=0.1) as endpoint:
        assistant = _assistant(data_dir, endpoint.base_url, timeout=1)
        started = time.monotonic()
        items = list(assistant.ask_stream(QUESTION))
        elapsed = time.monotonic() - started
    _offline_with_note(items[-1].answer, "1 秒内没有响应")
    assert elapsed < 1 + 3, elapsed
