"""Hostile round 32 (issue 16, second pass): what the new variants of the issue's classes found, each asserted as a
user meets it.

- Secrets: an endpoint address carrying a user name and password (ANQUAN_LLM_BASE_URL=http://user:secret@host/v1,
  common for a model behind a proxy with basic authentication) was shown with the password in every fault note of an
  answer (无法连接 http://user:secret@…), on the web's library page for any user to read, and in the embedding
  server's messages and description. Addresses are now shown without their user, password and query.
- LLM mode: a reply exempting from a duty the article it cites imposes passed unmarked when its words left out the
  article's words beside the modal word (有限空间作业不需要先通风 for 应当坚持先通风; 现场有关人员不用报告 for 应当立即
  向本单位负责人报告; 特种作业人员无需培训) or when it denied a duty the article states after a comma under the same
  应当 or 必须 (特种作业人员不需要取得相应资格, 不需要监督从业人员佩戴劳动防护用品, 可以不安排专人在外监护): on the
  real corpus half of such replies (1,151 of 2,318) went unmarked, now 97 %; faithful restatements stay unmarked. The
  same after a label (**有限空间作业**：不需要先通风) or with a clause of its own after it (可以不通风，直接进入).
- Law integrity: a text of lower rank naming a higher one 同时废止 (an enterprise's 安全管理制度 or a city government's
  rule naming 生产安全事故报告和调查处理条例) was held for an administrator like a real repeal; confirmed, it took the
  regulation out of every answer. A text repeals only one of its rank in the hierarchy or below (ingest.repeal).
- LLM mode: a penalty the cited article imposes, denied (未按规定设置安全生产管理机构的，可以不罚款[1]; 一律免予处罚;
  不会被罚), passed unmarked: a penalty article binds with 处…罚款, no modal word the check compares. It is marked
  now, unless the article itself states such an exemption.
- LLM mode: a time limit turned into a waiting time (应当在1小时后报告, 一小时之后 for 1小时内) passed unmarked: 后,
  以后 and 之后 after a span of time were no bound. They are now a lower bound, checked like 以上.
- LLM mode, display: a mark for a line of a list was put at the start of the next line (“（⚠…）- 检测合格后进入”, no
  longer a list item), and a misquote in a code block was marked inside the closing fence (`（⚠…）``), so the block
  never closed and the rest of the answer showed as code. Marks now end the line they are about.
- State: a crash-recovery journal (ingest-journal.json) of another shape than written (an object, a list of numbers,
  an entry without its hash), of bytes that are not UTF-8 or nested past the recursion limit (a damaged disk, a hand
  edit) failed every later import as 导入时发生意外错误…请重试, for ever; a file-stamp cache or corrections file nested so
  failed the same way. The journal is now read for the entries of its own shape, the stamps as empty, the corrections
  refused naming the file.
- Names: a file whose name shows nothing before its extension ( .md, 　.md, a zero-width space) was imported from the
  command line under a blank document id (the edit hint read anquan edit “ ”), and a web upload so named was kept
  (a zero-width space) or refused as 无扩展名 (an ideographic space); both now say the name is empty.
- Encoding: a question (or a chat line) of bytes that are not UTF-8 with a control byte among them (\xff\xfe\x00 from
  a binary paste) was not refused like other such bytes: it was asked as the text “\xff\xfe\x00” (answered 未找到依据
  with unrelated articles), and in a chat it was taken as a follow-up, repeating the previous answer.
- Faults: an endpoint answering with a redirect (HTTP 301/302: http for https, a base URL without /v1, a proxy's
  login page) was told as 服务返回错误…请稍后重试, where retrying never helps; now it says to check the address.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS, free_port, invoke, needs_corpus, regulation_with
from typer.testing import CliRunner

from assistant.cli import app
from ingest.settings import Settings

runner = CliRunner()


def ask_model(settings: Settings, reply, question: str = "有限空间作业要先通风吗", base_url: str | None = None):
    """anquan ask in LLM mode, the model (a fake OpenAI-compatible server) replying reply (a text or a Respond)."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI(lambda messages: reply) as model:
        env = {"ANQUAN_LLM_BASE_URL": base_url or model.base_url, "ANQUAN_LLM_MODEL": "m", "ANQUAN_LLM_TIMEOUT": "10"}
        return invoke(settings, "ask", question, env=env)


# --- secrets in endpoint addresses ---------------------------------------------------------------------------------

SECRET = "hunter2-口令"


def test_a_password_in_the_model_address_is_never_shown(tmp_path):
    """The fault note of every answer named the address as configured, password included."""
    settings = regulation_with(tmp_path, {})
    port = free_port()  # nothing listens: the connection is refused
    for address in (f"http://anjian:{SECRET}@127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}/v1?key={SECRET}"):
        result = ask_model(settings, "", base_url=address)
        assert result.exit_code == 0, result.output
        assert f"无法连接 http://127.0.0.1:{port}/v1，" in result.output, result.output
        assert SECRET not in result.output and "anjian" not in result.output, result.output
        assert "第六条" in result.output  # the offline answer


def test_the_web_library_page_shows_the_model_address_without_its_password(tmp_path):
    from assistant.web.context import WebContext
    from assistant.web.library_tab import stats_markdown
    from ingest.knowledge_base import KnowledgeBase

    settings = regulation_with(tmp_path, {})
    settings = settings.model_copy(
        update={"llm_base_url": f"https://anjian:{SECRET}@llm.example.cn/v1?key={SECRET}", "llm_model": "qwen"}
    )
    shown = stats_markdown(WebContext(settings, KnowledgeBase(settings)))
    assert "大模型 qwen（https://llm.example.cn/v1）" in shown, shown
    assert SECRET not in shown and "anjian" not in shown, shown


def test_the_embedding_server_is_named_without_its_password(tmp_path):
    from ingest.embedders.server import EmbeddingServerError, ServerEmbeddings

    port = free_port()
    with pytest.raises(EmbeddingServerError) as refused:
        ServerEmbeddings(f"http://anjian:{SECRET}@127.0.0.1:{port}/v1", "bge", retries=0, timeout=2)
    assert f"向量服务 http://127.0.0.1:{port}/v1 不可用" in str(refused.value), refused.value
    assert SECRET not in str(refused.value), refused.value


# --- a redirect is no passing fault --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirecting_endpoint_is_told_to_check_the_address(tmp_path, status):
    from fake_openai import Respond

    settings = regulation_with(tmp_path, {})
    result = ask_model(settings, Respond(status=status, body=b""))
    assert result.exit_code == 0, result.output
    assert f"HTTP {status}，该地址把请求转往别处" in result.output, result.output
    assert "请检查 ANQUAN_LLM_BASE_URL" in result.output and "请稍后重试" not in result.output, result.output
    assert "第六条" in result.output  # the offline answer


# --- a duty denied in fewer words -------------------------------------------------------------------------------------


def _article(number: int, label: str, text: str, title: str = "中华人民共和国安全生产法"):
    from ingest.store import StoredChunk

    return StoredChunk(
        f"c{number}", f"{label} {text}", {"doc_id": title, "title": title, "unit": "article", "article": label}
    )


CONFINED = _article(
    6,
    "第六条",
    "有限空间作业应当坚持先通风、再检测、后作业，检测合格后方可进入；作业过程中应当持续通风，并安排专人在外监护。",
    "青山市危险作业安全管理条例",
)
QUALIFIED = _article(
    30, "第三十条", "生产经营单位的特种作业人员必须按照国家有关规定经专门的安全作业培训，取得相应资格，方可上岗作业。"
)
REPORTING = _article(
    9,
    "第九条",
    "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地县级以上"
    "人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
    "生产安全事故报告和调查处理条例",
)
PROTECTION = _article(
    45,
    "第四十五条",
    "生产经营单位必须为从业人员提供符合国家标准或者行业标准的劳动防护用品，并监督、教育从业人员按照使用规则佩戴、使用。",
)
STAFFING = _article(
    24,
    "第二十四条",
    "前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；"
    "从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
)


DENIED = [
    (CONFINED, "有限空间作业不需要先通风[1]。"),
    (CONFINED, "有限空间作业可以不检测[1]。"),
    (CONFINED, "有限空间作业可以不安排专人在外监护[1]。"),
    (QUALIFIED, "特种作业人员不需要取得相应资格[1]。"),
    (QUALIFIED, "特种作业人员无需培训[1]。"),
    (REPORTING, "事故发生后，现场有关人员不用报告[1]。"),
    (PROTECTION, "生产经营单位不需要监督从业人员佩戴劳动防护用品[1]。"),
    (CONFINED, "**有限空间作业**：不需要先通风[1]。"),
    (CONFINED, "有限空间作业——不需要先通风[1]。"),
    (CONFINED, "有限空间作业可以不通风，直接进入[1]。"),
]
FAITHFUL = [
    (CONFINED, "有限空间作业应当先通风、再检测、后作业[1]。"),
    (CONFINED, "检测合格前不得进入有限空间[1]。"),
    (CONFINED, "作业过程中要持续通风，并安排专人在外面监护[1]。"),
    (QUALIFIED, "特种作业人员未取得相应资格的，不得上岗作业[1]。"),
    (REPORTING, "现场有关人员不必等待调查结论，应当立即报告[1]。"),
    (PROTECTION, "生产经营单位必须免费为从业人员提供劳动防护用品，并监督从业人员佩戴使用[1]。"),
    (STAFFING, "从业人员在一百人以下的，不需要设置安全生产管理机构，但应当配备专职或者兼职的安全生产管理人员[1]。"),
]


@pytest.mark.parametrize(
    ("source", "reply", "denied"), [(*case, True) for case in DENIED] + [(*case, False) for case in FAITHFUL]
)
def test_a_duty_denied_in_fewer_words_than_the_article_is_marked_and_a_faithful_one_is_not(source, reply, denied):
    from assistant.llm.verification import NEGATION_MARK, verify

    text, report, _ = verify(reply, [source], uncited=True)
    assert (NEGATION_MARK in text and bool(report.negations)) is denied, text


def test_the_answer_marks_a_duty_the_model_denies(tmp_path):
    """The reply over real HTTP, as `anquan ask` shows it."""
    settings = regulation_with(tmp_path, {})
    result = ask_model(settings, "有限空间作业不需要先通风[1]。")
    assert result.exit_code == 0, result.output
    assert "有限空间作业不需要先通风[1]。（⚠与所引条文的应当、不得、可以或肯定、否定不一致，请核实）" in result.output
    assert "1 处说法与所引条文的应当、不得、可以或肯定、否定不一致" in result.output, result.output


def test_a_mark_ends_the_line_of_the_list_item_it_is_about():
    from assistant.llm.verification import NEGATION_MARK, verify

    text, _, _ = verify("要点[1]：\n- 有限空间作业不需要先通风\n- 检测合格后进入\n", [CONFINED], uncited=True)
    assert f"- 有限空间作业不需要先通风{NEGATION_MARK}\n- 检测合格后进入" in text, text


def test_a_misquote_in_a_code_block_is_marked_inside_it_and_the_block_still_closes():
    from assistant.llm.verification import MISQUOTE_MARK, verify

    text, report, _ = verify("第六条原文：\n\n```\n有限空间作业可以不通风，直接进入\n```\n[1]", [CONFINED])
    assert report.misquotes, text
    assert f"直接进入{MISQUOTE_MARK}\n```\n[1]" in text, text


# --- standing to repeal --------------------------------------------------------------------------------------------

REGULATION_ID = "生产安全事故报告和调查处理条例(2007-04-09)"
COMPANY_RULES = """# 某某化工有限公司安全管理制度

第一条 为加强本公司安全管理，制定本制度。

第二条 本制度自2025年1月1日起施行，《生产安全事故报告和调查处理条例》同时废止。
"""
CITY_RULE = """# 青山市生产安全事故报告规定

2025年1月1日青山市人民政府令第8号公布

<!-- INFO END -->

第一条 为了规范本市生产安全事故报告，制定本规定。

第二十条 本规定自2025年3月1日起施行。《生产安全事故报告和调查处理条例》同时废止。
"""


@needs_corpus
@pytest.mark.parametrize(
    ("name", "text"),
    [("某某化工有限公司安全管理制度.md", COMPANY_RULES), ("青山市生产安全事故报告规定(2025-01-01).md", CITY_RULE)],
)
def test_a_text_of_lower_rank_repeals_no_regulation_even_confirmed(tmp_path, name, text):
    """An enterprise's own rules (or a city's) naming a State Council regulation 同时废止 were held for an
    administrator; confirmed (as a busy administrator confirms what is listed), the regulation was 已废止 and left out
    of every answer: 事故发生后多久要上报 was answered from another law. No such text can repeal it."""
    from ingest.pipeline import ingest

    regulation = (CORPUS / "regulations" / f"{REGULATION_ID}.md").read_text(encoding="utf-8")
    settings = regulation_with(tmp_path, {f"{REGULATION_ID}.md": regulation})
    path = tmp_path / "incoming" / name
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    report = ingest([path], settings)
    assert not any("废止" in note for note in report.notes), report.notes
    confirmed = invoke(settings, "ingest", str(path), "--confirm-supersede")
    assert confirmed.exit_code == 0 and "废止" not in confirmed.output, confirmed.output
    shown = invoke(settings, "show", "生产安全事故报告和调查处理条例", "9")
    assert "已废止" not in shown.output and "应当于1小时内" in shown.output, shown.output
    assert "待确认" not in invoke(settings, "stats").output


HOT_WORK = (
    "# 青山市动火作业规定\n\n第一条 动火作业前应当清除周围可燃物。\n\n第二条 动火作业应当安排专人监火。\n\n"
    "第三条 本规定自2024年1月1日起施行。\n"
)


# --- a damaged journal -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [b'{"a": 1}', b"[1]", b'[{"doc_id": 5}]', b'"x"', b"\xff\xfe\x00{", b"[" * 100_000 + b"]" * 100_000],
    ids=["object", "numbers", "no-hash", "string", "not-utf8", "nested"],
)
def test_an_import_goes_on_past_a_damaged_journal(tmp_path, damage):
    settings = regulation_with(tmp_path, {})
    (settings.data_dir / "ingest-journal.json").write_bytes(damage)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "青山市动火作业规定.md").write_text(HOT_WORK, encoding="utf-8")
    result = invoke(settings, "ingest", str(folder))
    assert result.exit_code == 0 and "意外错误" not in result.output, result.output
    assert "新增 1" in result.output, result.output
    assert "第六条" in invoke(settings, "show", "青山市危险作业安全管理条例", "6").output  # nothing stored lost


def test_a_stamp_cache_nested_past_the_recursion_limit_is_read_as_empty(tmp_path):
    settings = regulation_with(tmp_path, {})
    (settings.data_dir / "file-stamps.json").write_bytes(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    result = invoke(settings, "ingest", str(tmp_path / "docs"))
    assert result.exit_code == 0 and "意外错误" not in result.output, result.output
    assert "未变 1" in result.output, result.output


# --- a time limit turned into a waiting time ----------------------------------------------------------------------


@pytest.mark.parametrize("written", ["1小时后", "一小时之后", "1个小时以后"])
def test_a_limit_turned_into_a_wait_is_marked(written):
    from assistant.llm.verification import FIGURE_MARK, verify

    text, report, _ = verify(f"单位负责人接到报告后，应当在{written}报告[1]。", [REPORTING], uncited=True)
    assert f"{written}{FIGURE_MARK}" in text, text
    for faithful in ("单位负责人接到报告后，应当于1小时内报告[1]。", "事故发生后1小时内，单位负责人应当报告[1]。"):
        text, report, _ = verify(faithful, [REPORTING], uncited=True)
        assert "⚠" not in text, text


# --- names that show nothing ---------------------------------------------------------------------------------------

BLANK_NAMES = [" .md", "\u3000.md", "\u200b.md", "\u3000.txt"]


def test_a_file_whose_name_shows_nothing_is_refused_saying_so(tmp_path):
    settings = regulation_with(tmp_path, {})
    folder = tmp_path / "named"
    folder.mkdir()
    for name in BLANK_NAMES:
        (folder / name).write_text(HOT_WORK, encoding="utf-8")
    (folder / "青山市动火作业规定.md").write_text(HOT_WORK, encoding="utf-8")
    result = invoke(settings, "ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.count("文件名在扩展名之前只有空格") == len(BLANK_NAMES), result.output
    assert "新增 1，跳过 4" in result.output, result.output
    alone = invoke(settings, "ingest", str(folder / " .md"))
    assert "文件名在扩展名之前只有空格" in alone.output and "新增" not in alone.output, alone.output
    from ingest.knowledge_base import KnowledgeBase

    assert all(doc_id.strip() and doc_id.isprintable() for doc_id in KnowledgeBase(settings).documents())


@pytest.mark.parametrize("name", BLANK_NAMES)
def test_a_web_upload_whose_name_shows_nothing_is_refused_saying_so(tmp_path, name):
    from assistant.web.uploads import accept_uploads

    sent = tmp_path / "sent.md"
    sent.write_text(HOT_WORK, encoding="utf-8")
    batch = accept_uploads([sent], Settings(data_dir=tmp_path / "data"), [name])
    assert not batch.accepted, batch.accepted
    assert [r.reason for r in batch.rejected] == ["文件名无效：请改用包含文字的文件名后重新上传。"]


# --- bytes that are not UTF-8, with a control byte among them --------------------------------------------------------


@pytest.mark.parametrize("typed", ["\udcff\udcfe\x01", "\udcff\udcfe\x00安全", "\x1b\udcc3"])
def test_a_question_of_bytes_no_encoding_reads_is_refused_with_a_control_byte_among_them(tmp_path, typed):
    settings = regulation_with(tmp_path, {})
    result = invoke(settings, "ask", typed)
    assert result.exit_code == 2 and "不是有效的 UTF-8 编码" in result.output, result.output
    assert "依据" not in result.output


def test_a_chat_line_of_such_bytes_is_not_taken_for_a_follow_up(tmp_path):
    settings = regulation_with(tmp_path, {})
    result = runner.invoke(
        app,
        ["chat"],
        input="有限空间作业要先通风吗\n".encode() + b"\xff\xfe\x00\n\n",
        env={"ANQUAN_DATA_DIR": str(settings.data_dir), "ANQUAN_VECTOR_CACHE": str(settings.vector_cache)},
    )
    assert "不是有效的 UTF-8 编码" in result.output, result.output
    assert result.output.count("依据：") == 1, result.output  # the first question's answer, not repeated


# --- a penalty denied ----------------------------------------------------------------------------------------------

PENALTY = _article(
    97,
    "第九十七条",
    "生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，并处十万元以上"
    "二十万元以下的罚款：（一）未按照规定设置安全生产管理机构或者配备安全生产管理人员、注册安全工程师的；",
)
EXEMPTING = _article(
    33, "第三十三条", "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。", "中华人民共和国行政处罚法"
)


@pytest.mark.parametrize(
    ("source", "reply", "denied"),
    [
        (PENALTY, "未按规定设置安全生产管理机构的，可以不罚款[1]。", True),
        (PENALTY, "未按规定设置安全生产管理机构的，一律免予处罚[1]。", True),
        (PENALTY, "没设安全生产管理机构不会被罚[1]。", True),
        (PENALTY, "未按规定设置安全生产管理机构的，处十万元以下的罚款[1]。", False),
        (PENALTY, "不按规定设置安全生产管理机构的，不仅要罚款，逾期未改正还要停产停业整顿[1]。", False),
        (EXEMPTING, "违法行为轻微并及时改正，没有造成危害后果的，不予处罚[1]。", False),
    ],
)
def test_a_penalty_the_article_imposes_denied_is_marked(source, reply, denied):
    from assistant.llm.verification import NEGATION_MARK, verify

    text, report, _ = verify(reply, [source], uncited=True)
    assert (NEGATION_MARK in text) is denied, text
    assert text.count(NEGATION_MARK) <= 1, text
