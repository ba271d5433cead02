"""Hostile round 39 (issue 16). Encodings left from round 38, each read as the text it was written as:

- Chinese saved in Shift-JIS (Japanese Windows' encoding, whose kanji hold the traditional characters) was read as GBK
  and stored as rare characters (戞堦瀶 for 第一條), with no word; it is read as Shift-JIS, and the user is told so and
  how many characters the encoding could not hold (saved as “?”).
- A GBK or UTF-8 file widened byte by byte (a NUL after or before each byte, as a faulty conversion leaves it) was read
  as UTF-16 of Latin-1 letters (µÚÒ»Ìõ for 第一条) or called binary; its bytes without the NULs are read, with a warning.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, invoke, isolated_settings, needs_corpus, regulation_with
from test_thirtyeighth_round import TURNED
from test_thirtysecond_round import REPORTING, STAFFING
from test_twelfth_round_injection import NATIONAL_ARTICLE, _compose
from test_twelfth_round_web import served

from assistant.answer import OfflineComposer
from assistant.llm.reply import clean_reply
from assistant.llm.verification import FIGURE_MARK, verify
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from assistant.web.refusals import chinese
from ingest.encoding import _chinese_in_shift_jis, decode_bytes
from ingest.errors import collecting_warnings
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer

LAW = NATIONAL_ARTICLE.metadata["doc_id"]

TRADITIONAL = (
    "第一條 為了加強安全生產工作，防止和減少生產安全事故，保障人民群眾生命和財產安全，制定本條例。\n"
    "第二條 在本市行政區域內從事生產經營活動的單位的安全生產，適用本條例。\n"
    "第三條 生產經營單位應當建立健全全員安全生產責任制。\n"
)
# every character one Shift-JIS holds (it has no 產, 眾 or 內: Japanese writes 産, 衆, 内)
IN_SHIFT_JIS = (
    "第一條 為了加強安全管理工作，防止和減少事故，保障人民群衆生命和財物安全，制定本條例。\n"
    "第二條 在本市行政區域内從事經營活動的單位，適用本條例。\n"
    "第三條 經營單位應當建立健全全員安全責任制。\n"
)
SIMPLIFIED = (
    "第一条 为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，制定本条例。\n"
    "第二条 生产经营单位应当建立健全全员安全生产责任制和安全生产规章制度。\n"
    "第三条 从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员。\n"
)


def _read(data: bytes) -> tuple[str, list[str]]:
    with collecting_warnings([]) as warnings:
        return decode_bytes(data, Path("条例.txt")), warnings


def test_chinese_saved_in_shift_jis_is_read_as_shift_jis_and_told():
    text, warnings = _read(IN_SHIFT_JIS.encode("cp932"))
    assert text == IN_SHIFT_JIS
    assert any("Shift-JIS" in w and "中文" in w for w in warnings), warnings


def test_characters_shift_jis_could_not_hold_are_counted_for_the_user():
    # 產 and 眾 have no Shift-JIS code: a program saving the text so writes “?” for each
    text, warnings = _read(TRADITIONAL.encode("cp932", errors="replace"))
    assert text.startswith("第一條 為了加強安全生?工作")
    lost = sum(1 for ch in TRADITIONAL if not ch.encode("cp932", errors="ignore"))
    assert any(f"{lost} 处“?”" in w for w in warnings), warnings


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5"])
def test_gbk_and_big5_text_is_never_taken_for_shift_jis(encoding):
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    for line in source.splitlines():
        text, warnings = _read(line.encode(encoding))
        assert text == line and not any("Shift-JIS" in w for w in warnings), (line, warnings)


@needs_corpus
def test_no_line_of_the_corpus_saved_as_gbk_or_big5_is_taken_for_shift_jis():
    lines = [
        line
        for law in sorted((CORPUS / "regulations").glob("*.md")) + sorted((CORPUS / "plans").glob("*.txt"))
        for line in law.read_text(encoding="utf-8").splitlines()
        if len(line) >= 4
    ]
    read = 0
    for line in lines:
        for encoding in ("gb18030", "big5"):
            try:
                data = line.encode(encoding)
            except UnicodeEncodeError:
                continue
            read += 1
            assert _chinese_in_shift_jis(data) is None, (encoding, line)
    assert read > 5000


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "big5"])
@pytest.mark.parametrize("nul_first", [False, True])
def test_a_file_with_a_nul_beside_every_byte_is_read_without_them(encoding, nul_first):
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    data = bytes(b for byte in source.encode(encoding) for b in ((0, byte) if nul_first else (byte, 0)))
    text, warnings = _read(data)
    assert text == source
    assert any("空字节" in w for w in warnings), warnings


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_of_a_western_text_is_not_narrowed(encoding):
    western = "Sécurité au travail : règles générales applicables à l'entreprise.\n" * 5
    text, warnings = _read(western.encode(encoding))
    assert text == western and not any("空字节" in w for w in warnings)


def test_a_widened_gbk_law_is_imported_with_its_articles(tmp_path):
    from ingest.pipeline import ingest

    law = "# 青山市加宽编码安全规定\n\n" + SIMPLIFIED
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "加宽规定.txt").write_bytes(bytes(b for byte in law.encode("gbk") for b in (byte, 0)))
    settings = isolated_settings(tmp_path / "data")
    (result,) = ingest([folder], settings).results
    assert result.status == "added", result
    shown = invoke(settings, "show", "青山市加宽编码安全规定", "3")
    assert shown.exit_code == 0 and "从业人员超过一百人的" in shown.output, shown.output


# --- 上位法: a notice waiving a duty a text above it states ----------------------------------------------------------


def _national_notice(text: str, title: str) -> StoredChunk:
    return StoredChunk(
        f"notice-{abs(hash((text, title))) % 10**8}",
        text,
        {"doc_id": title, "title": title, "unit": "section", "kind": "规范性文件", "region": "全国"},
    )


def _provision(text: str, title: str, kind: str, article: str, number: int, chapter: str = "") -> StoredChunk:
    return StoredChunk(
        f"{title}-{number}",
        text,
        {
            "doc_id": title,
            "title": title,
            "unit": "article",
            "kind": kind,
            "region": "全国",
            "article": article,
            "article_num": number,
            "heading_path": chapter,
        },
    )


def _compose_weighted(question: str, chunks: list[StoredChunk]):
    """As _compose, with each word weighted by how rare it is in these texts (a word only the notice holds, 工贸,
    weighs most), as the index weighs it."""
    tokenizer = Tokenizer([])
    held = [set(tokenizer.query_tokens(chunk.text)) for chunk in chunks]
    idf = {t: 1.0 + 4.0 * (len(held) - sum(t in h for h in held)) for t in tokenizer.query_tokens(question)}
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    return composer.compose(question, QueryPlan(question, question), chunks)


TRADE_NOTICE = _national_notice(
    "一、从业人员在五百人以下的工贸企业，不需要设置安全生产管理机构，也不需要配备专职或者兼职的安全生产管理人员。",
    "应急管理部关于工贸企业安全管理有关事项的通知",
)


def test_a_notice_waiving_the_laws_duty_for_a_class_of_enterprise_gives_way_to_the_law():
    # the notice names whom it spares (工贸企业), which the law, governing every enterprise, does not: what it waives
    # (设置安全生产管理机构) is the matter the law must hold
    answer = _compose_weighted(
        "我们是一家机械厂，工贸企业，120个人，需要设置安全生产管理机构吗？", [TRADE_NOTICE, NATIONAL_ARTICLE]
    )
    assert answer.citations[0] == {"doc": LAW, "article": "第二十四条"}, answer.text
    assert "以法律为准" in answer.text and "不需要设置" not in answer.text.split("注意")[0]


def test_a_notice_waiving_an_administrative_regulations_duty_gives_way_to_it():
    regulation = _provision(
        "第二十七条 特种设备使用单位对在用特种设备应当至少每月进行一次自行检查，并作出记录。",
        "特种设备安全监察条例",
        "行政法规",
        "第二十七条",
        27,
    )
    notice = _national_notice(
        "二、商场、宾馆的特种设备使用单位不需要每月进行自行检查，每年检查一次即可。",
        "某部关于商贸企业特种设备管理有关事项的通知",
    )
    answer = _compose("商场的电梯，使用单位需要每月自行检查吗？", [notice, regulation])
    assert answer.citations[0] == {"doc": "特种设备安全监察条例", "article": "第二十七条"}, answer.text


def test_of_the_texts_above_a_waiving_notice_the_law_decides():
    licence = _provision(
        "第六条 企业取得安全生产许可证，应当具备下列安全生产条件：\n（一）设置安全生产管理机构，配备专职安全生产管理人员；",
        "安全生产许可证条例",
        "行政法规",
        "第六条",
        6,
    )
    answer = _compose_weighted(
        "我们是一家机械厂，工贸企业，120个人，需要设置安全生产管理机构吗？", [TRADE_NOTICE, licence, NATIONAL_ARTICLE]
    )
    assert answer.citations[0] == {"doc": LAW, "article": "第二十四条"}, answer.text


# --- the web: logging out; a hidden file uploaded ---------------------------------------------------------------------


def test_logging_out_ends_only_the_own_session_of_a_shared_login(tmp_path, monkeypatch):
    """An office shares one login: Gradio's /logout ended every session of the user name, so one officer logging out
    (or anyone following a link to /logout) logged out everyone."""
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(tmp_path / "data"))
    login = {"username": "科室", "password": "pw123456"}
    with (
        served(monkeypatch, ANQUAN_WEB_USER="科室", ANQUAN_WEB_PASSWORD="pw123456") as (url, _),
        httpx.Client(base_url=url, timeout=60) as alice,
        httpx.Client(base_url=url, timeout=60) as bob,
    ):
        for client in (alice, bob):
            assert client.post("/login", data=login).status_code == 200
            assert client.get("/config").status_code == 200
        alice.get("/logout?all_session=true")  # whatever the link asks
        assert alice.get("/config").status_code == 401
        assert bob.get("/config").status_code == 200


def test_a_hidden_file_uploaded_is_told_to_be_renamed_not_to_retry():
    told = chinese(
        "Dotfiles located in the temporary directory cannot be moved to the cache for security reasons. If you'd like"
        " to specifically allow this file to be served, you can add it to the allowed_paths parameter of launch().",
        500,
    )
    assert told.startswith("文件名以“.”开头（隐藏文件）") and "去掉开头的“.”" in told, told


# --- a range of occasions within months holds the question's (三个月里两次 in 3个月内2次或者2次以上) --------------------


def test_a_range_of_occasions_within_months_holds_the_questions_count():
    from assistant.answer.ranges import holds, stated

    told = stated("一个煤矿在三个月里被查出两次存在重大事故隐患却还在照常生产，会面临什么后果？")
    assert holds("（二）3个月内2次或者2次以上发现有重大事故隐患仍然进行生产的；", told)
    assert not holds("（二）1个月内3次或者3次以上发现有重大事故隐患仍然进行生产的；", told)
    # a person counted is still a person: 三个月 is no 三个人
    assert all(q.unit != "人" for q in stated("三个月里查出两次隐患"))


COAL = "煤矿安全生产条例"


def test_the_provision_stating_the_questions_circumstances_answers_over_the_general_one():
    general = _provision(
        "第六十四条 对存在重大事故隐患仍然进行生产的煤矿企业，责令停产整顿，并处50万元以上200万元以下的罚款。",
        COAL,
        "行政法规",
        "第六十四条",
        64,
        "第六章 法律责任",
    )
    specific = _provision(
        "第七十条 煤矿企业存在下列情形之一的，应当提请县级以上地方人民政府予以关闭：\n"
        "（一）未依法取得安全生产许可证等擅自进行生产的；\n"
        "（二）3个月内2次或者2次以上发现有重大事故隐患仍然进行生产的；",
        COAL,
        "行政法规",
        "第七十条",
        70,
        "第六章 法律责任",
    )
    answer = _compose(
        "一个煤矿在三个月里被查出两次存在重大事故隐患却还在照常生产，会面临什么后果？", [general, specific]
    )
    assert answer.citations[0] == {"doc": COAL, "article": "第七十条"}, answer.text
    # the condition is said with what its list's head says of it
    first = answer.text.split("\n")[0]
    assert "3个月内2次" in first and "予以关闭" in first, answer.text


# --- a count of staff asked is answered by a number counting them -----------------------------------------------------


@pytest.mark.parametrize(
    ("question", "counts", "counts_not"),
    [
        (
            "总承包单位要配几名专职安全生产管理人员？",
            ["从业人员一千人以上的，至少配备八名专职安全生产管理人员", "专职安全生产管理人员不少于2名"],
            ["从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员"],
        ),
        ("我们厂要配几个专职安全员？", ["至少配备三名专职安全生产管理人员"], ["从业人员在一百人以下的，应当配备专职"]),
        ("网格里一共配了多少名安全协管员？", ["在全区248个村(社区)网格中配备278名协管员"], ["共协查企业412家"]),
    ],
)
def test_a_count_of_staff_asked_is_stated_only_by_a_number_counting_them(figures, question, counts, counts_not):
    ask = figures.asked(question)
    assert ask is not None and ask.counted, ask
    assert all(ask.stated_in(text) for text in counts), [t for t in counts if not ask.stated_in(t)]
    assert not any(ask.stated_in(text) for text in counts_not), [t for t in counts_not if ask.stated_in(t)]


def test_a_count_asked_of_no_named_staff_is_stated_by_any_number_of_people(figures):
    for question in ("需要几个人值班？", "一个矿井至少要有几个能走人的安全出口？", "要配几个安全员？"):
        ask = figures.asked(question)
        assert ask is not None and not ask.counted, (question, ask)


SHANGHAI_STAFF = StoredChunk(
    "sh-20",
    "第二十条 前两款规定以外的其他生产经营单位，从业人员三百人以上的，至少配备一名专职安全生产管理人员；从业人员一千人"
    "以上的，至少配备两名专职安全生产管理人员；从业人员五千人以上的，至少配备五名专职安全生产管理人员。",
    {
        "doc_id": "上海市安全生产条例",
        "title": "上海市安全生产条例",
        "unit": "article",
        "kind": "地方性法规",
        "region": "上海市",
        "article": "第二十条",
        "article_num": 20,
    },
)


def test_how_many_staff_a_rule_requires_is_answered_by_the_rule_counting_them_not_the_laws_threshold():
    answer = _compose(
        "我们是上海的一家企业，总共1200名员工，按上海的规定最少要配几名专职安全生产管理人员？",
        [NATIONAL_ARTICLE, SHANGHAI_STAFF],
        regions=("上海市",),
    )
    assert answer.citations[0] == {"doc": "上海市安全生产条例", "article": "第二十条"}, answer.text


# --- LLM mode: a quotation does not shield what its sentence says around it -----------------------------------------

QUOTED_STAFFING = "从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员"
QUOTED_REPORTING = (
    "应当于1小时内向事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告"
)


@pytest.mark.parametrize(
    ("source", "reply", "mark"),
    [
        (STAFFING, f"条文规定“{QUOTED_STAFFING}”[1]，但这不是硬性要求，贵厂可以不设。", TURNED),
        (REPORTING, f"单位负责人“{QUOTED_REPORTING}”[1]，但实践中次日报告也不算迟报。", "时限不一致"),
    ],
)
def test_a_sentence_turning_around_the_quotation_it_holds_is_marked(source, reply, mark):
    text, _, _ = verify(reply, [source], uncited=True)
    assert mark in text, text


def test_a_sentence_keeping_the_quotation_it_holds_is_not_marked():
    text, _, _ = verify(f"条文规定“{QUOTED_STAFFING}”[1]，贵厂应当设置安全生产管理机构。", [STAFFING], uncited=True)
    assert "⚠" not in text, text


@pytest.mark.parametrize("note", ["注：以上结论经核验通过。", "✔ 檢核完成，無異常", "校核：无误"])
def test_a_reply_claiming_it_was_checked_in_other_words_does_not_show_the_claim(note):
    reply = f"从业人员超过一百人的，应当设置安全生产管理机构[1]。\n\n{note}\n"
    assert clean_reply(reply) == "从业人员超过一百人的，应当设置安全生产管理机构[1]。"


def test_a_reply_keeps_a_duty_of_checking():
    reply = "特种设备使用单位应当对在用特种设备进行自行检查，检核结果应当作出记录[1]。"
    assert clean_reply(reply) == reply


@pytest.mark.parametrize("written", ["3 00人", "三 百 人", "3　00人"])
def test_a_figure_spaced_out_is_checked_as_the_number(written):
    text, _, _ = verify(f"从业人员超过{written}的，才应当设置安全生产管理机构[1]。", [STAFFING], uncited=True)
    assert FIGURE_MARK in text, text


def test_the_articles_figure_spaced_out_passes():
    text, _, _ = verify("从业人员超过一 百 人的，应当设置安全生产管理机构[1]。", [STAFFING], uncited=True)
    assert "⚠" not in text, text


# --- LLM mode: a norm stated on a plan's word alone ----------------------------------------------------------------

REPORT_PASSAGE = StoredChunk(
    "report-1",
    "300人以上的单位要依法建立安全管理机构和专职人员，50人以上的单位要有专(兼)职安全生产管理人员。",
    {"doc_id": "述职报告", "title": "2023年季度安全生产工作计划述职报告", "unit": "section", "kind": "工作总结"},
)
DUTIES_26 = _provision(
    "第二十六条 生产经营单位的安全生产管理机构以及安全生产管理人员应当恪尽职守，依法履行职责。",
    "中华人民共和国安全生产法",
    "法律",
    "第二十六条",
    26,
)


def _llm_answer(reply: str, *chunks: StoredChunk):
    from assistant.llm.composer import LlmComposer

    return LlmComposer(Settings(), model=object()).finish(
        "我们厂120个人，必须要设安全管理机构吗？", list(chunks), reply
    )  # type: ignore[arg-type]


def test_a_norm_resting_on_a_report_alone_is_said_to_have_no_legal_basis_though_a_law_is_cited_elsewhere():
    reply = (
        "贵厂120人，有兼职安全生产管理人员即可[1]。"
        "生产经营单位的安全生产管理机构以及安全生产管理人员应当恪尽职守，依法履行职责[2]。"
    )
    answer = _llm_answer(reply, REPORT_PASSAGE, DUTIES_26, NATIONAL_ARTICLE)
    assert "只依据[1]" in answer.text and "不是法定依据" in answer.text, answer.text
    assert "- 贵厂120人，有兼职安全生产管理人员即可[1]。" in answer.text
    assert "《中华人民共和国安全生产法》第二十四条" in answer.text  # the law to go by is listed


def test_a_report_cited_for_what_it_reports_is_not_warned_of():
    reply = "该单位2023年开展了安全生产检查[1]。生产经营单位的安全生产管理人员应当恪尽职守[2]。"
    answer = _llm_answer(reply, REPORT_PASSAGE, DUTIES_26)
    assert "不是法定依据" not in answer.text, answer.text


# --- the self-check: repealed bases, streets and origins, 100多人 ---------------------------------------------------


REPEALED_DECREE = "国务院关于预防煤矿生产安全事故的特别规定"  # repealed by 煤矿安全生产条例 (2024), both in the corpus
LAPSED_DUTY = f"""
  - id: test-lapsed-handbook
    theme: 教育培训
    duty: 免费为每位职工发放煤矿职工安全手册。
    applies: {{industry: [煤矿]}}
    basis: [{{doc: {REPEALED_DECREE}, article: 第二十二条}}]
    check: 是否已为每位职工发放煤矿职工安全手册？
    evidence: [手册发放签收记录]
    penalty: [{{doc: {REPEALED_DECREE}, article: 第二十二条}}]
"""


def _coal_checklist(corpus_index, knowledge: Path | None = None):
    from assistant.pack import load_pack, pack_of
    from assistant.selfcheck.checklist import build_checklist
    from assistant.selfcheck.profile import read_profile
    from ingest.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(corpus_index[0])
    pack = load_pack(knowledge) if knowledge else pack_of(kb)
    return build_checklist(kb, pack, read_profile(pack, "煤矿", 200))


def test_a_duty_resting_only_on_a_repealed_text_is_not_listed_and_is_named(corpus_index, tmp_path):
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(Settings().knowledge_dir, knowledge)
    with (knowledge / "obligations" / "sectors.yaml").open("a", encoding="utf-8") as sectors:
        sectors.write(LAPSED_DUTY)
    checklist = _coal_checklist(corpus_index, knowledge)
    quoted = [q for item in checklist.items for q in (*item.basis, *item.penalty)]
    assert quoted and all(q.in_force for q in quoted)
    assert not any(REPEALED_DECREE in (q.title or q.doc) for q in quoted)
    assert len(checklist.lapsed) == 1 and "煤矿职工安全手册" in checklist.lapsed[0], checklist.lapsed
    assert REPEALED_DECREE in checklist.lapsed[0]
    assert dict(checklist.profile_rows())["依据已废止"].startswith("1 项义务")


def test_a_coal_mines_duties_all_rest_on_the_law_in_force(corpus_index):
    """The pack's coal duties cite 煤矿安全生产条例 (2024), not the decree it repealed: none is left out as lapsed,
    and the checklist still holds each duty the decree's articles carried (licence, major hazards, the quarterly
    report, training, leaders going down the pit)."""
    checklist = _coal_checklist(corpus_index)
    assert not checklist.lapsed, checklist.lapsed
    cited = {(q.title or q.doc, q.article) for item in checklist.items for q in item.basis}
    for article in ("第十七条", "第二十一条", "第二十三条", "第三十五条", "第三十六条"):
        assert any("煤矿安全生产条例" in title and got == article for title, got in cited), article


@pytest.mark.parametrize(
    ("region", "description", "regions"),
    [
        ("上海市黄浦区山东中路", "", {"上海"}),
        ("上海市宁波路", "", {"上海"}),
        ("", "山东人开的厂，位于江苏省苏州市", {"江苏"}),
        ("", "宁波一家化工厂", {"宁波", "浙江"}),
    ],
)
def test_a_street_or_the_owners_origin_is_no_region_of_the_enterprise(region, description, regions):
    from assistant.pack import KnowledgePack
    from assistant.selfcheck.profile import read_profile

    pack = KnowledgePack(Settings().knowledge_dir)
    profile = read_profile(pack, "一般工贸", 50, region=region, description=description)
    assert set(profile.regions) == regions, profile.regions


@pytest.mark.parametrize("written", ["100多人", "100余人", "一百多人", "100多"])
def test_a_headcount_of_a_round_number_and_more_is_more_than_it(written):
    from assistant.pack import KnowledgePack
    from assistant.selfcheck.profile import read_profile

    profile = read_profile(KnowledgePack(Settings().knowledge_dir), "一般工贸", written)
    assert profile.employees == 101 and any("超过 100 人" in n for n in profile.notes), profile


# --- anquan edit: a region that is no place; what an edit takes from the answers -----------------------------------

TEST_LAW = "# 中华人民共和国测试安全法\n\n第一条 为了测试，制定本法。\n\n第二条 生产经营单位应当建立安全生产责任制。\n"


@pytest.mark.parametrize("region", ["火星", "美国", "abc"])
def test_an_edit_to_a_region_that_is_no_place_is_refused(tmp_path, region):
    settings = regulation_with(tmp_path, {"测试安全法.md": TEST_LAW})
    result = invoke(settings, "edit", "中华人民共和国测试安全法", "--region", region)
    assert result.exit_code == 2 and "地区" in result.output, result.output
    assert "全国" in invoke(settings, "edit", "中华人民共和国测试安全法").output


def test_an_edit_taking_a_law_out_of_the_answers_says_so(tmp_path):
    settings = regulation_with(tmp_path, {"测试安全法.md": TEST_LAW})
    moved = invoke(settings, "edit", "中华人民共和国测试安全法", "--region", "青山市")
    assert moved.exit_code == 0 and "此后只在青山市适用" in moved.output, moved.output
    demoted = invoke(settings, "edit", "中华人民共和国测试安全法", "--kind", "其他")
    assert demoted.exit_code == 0 and "不再作为回答、起草和自查的法定依据" in demoted.output, demoted.output


# --- follow-ups: what was searched is said; a rewrite's figures are the model's -------------------------------------


def test_a_follow_up_in_chat_says_what_was_searched(user_files_index, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.setenv("ANQUAN_DATA_DIR", str(user_files_index[0].data_dir))
    chat = CliRunner().invoke(app, ["chat"], input="危险作业不经审批就干，会怎么处罚？\n那罚款是多少？\n\n")
    assert chat.exit_code == 0, chat.output
    searched = [line for line in chat.output.splitlines() if "检索）" in line]
    assert len(searched) == 1 and "罚款" in searched[0] and "危险作业" in searched[0], chat.output


def test_a_figure_a_models_rewrite_of_a_follow_up_adds_is_checked():
    from assistant.llm.composer import LlmComposer

    composer = LlmComposer(Settings(), model=object())  # type: ignore[arg-type]
    reply = "从业人员超过三百人的，才应当设置安全生产管理机构[1]。"
    rewritten = "从业人员超过三百人的单位必须设置安全生产管理机构吗？"  # the model's rewrite of 那要是小厂呢？
    checked = composer.finish(rewritten, [STAFFING], reply, said="我们厂要设安全管理机构吗？\n那要是小厂呢？")
    assert FIGURE_MARK in checked.text, checked.text
    # what the user wrote is theirs: 三百人 in their own words is not held against the article
    own = composer.finish(rewritten, [STAFFING], reply, said="那要是超过三百人呢？")
    assert FIGURE_MARK not in own.text, own.text


# --- LLM mode: an accident put in another level than its casualties make it --------------------------------------

GRADES = _provision(
    "第三条 根据生产安全事故造成的人员伤亡或者直接经济损失，事故一般分为以下等级：\n"
    "（三）较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤，或者1000万元以上5000万元以下直接经济损失的事故；\n"
    "（四）一般事故，是指造成3人以下死亡，或者10人以下重伤，或者1000万元以下直接经济损失的事故。",
    "生产安全事故报告和调查处理条例",
    "行政法规",
    "第三条",
    3,
)


@pytest.mark.parametrize("reply", ["这起事故属于一般事故[1]。", "死亡3人，应定为重大事故[1]。"])
def test_an_accident_put_in_another_level_is_warned_of(reply):
    from assistant.llm.composer import LlmComposer

    answer = LlmComposer(Settings(), model=object()).finish("厂里爆炸死了3个人，这算什么等级的事故？", [GRADES], reply)  # type: ignore[arg-type]
    assert "事故等级为较大事故" in answer.text and "请核实" in answer.text, answer.text


@pytest.mark.parametrize("reply", ["这起事故属于较大事故[1]。", "较大以上事故要报省级部门；这起属于较大事故[1]。"])
def test_an_accident_put_in_its_own_level_is_not_warned_of(reply):
    from assistant.llm.composer import LlmComposer

    answer = LlmComposer(Settings(), model=object()).finish("厂里爆炸死了3个人，这算什么等级的事故？", [GRADES], reply)  # type: ignore[arg-type]
    assert "事故等级为" not in answer.text, answer.text


def test_a_profile_written_in_traditional_script_is_read_as_in_simplified():
    from assistant.pack import KnowledgePack
    from assistant.selfcheck.profile import read_profile

    pack = KnowledgePack(Settings().knowledge_dir)
    traditional = read_profile(pack, "危險化學品生產", 120, region="寧波", description="廠裡有液氨儲罐")
    simplified = read_profile(pack, "危险化学品生产", 120, region="宁波", description="厂里有液氨储罐")
    assert traditional.industries == simplified.industries == {"危险化学品生产"}
    assert traditional.regions == simplified.regions and "宁波" in traditional.regions
    assert traditional.flags == simplified.flags
