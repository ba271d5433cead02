"""Round 45.

Issue 15, found with sets of lay questions written by other authors against the corpus (not evaluation sets, not
kept in the project): what a count asks for is named with 的 inside (几个专职的安全管理人员) as without it; a ban
from practice or from registration (责令停止执业3个月以上1年以下, 5年内不予注册) is a sanction's term, not the period
of a duty; so many of one thing per so many of another (每多少个观众配一个保安) asks a proportion; a figure asked as
the topic of whether the law rules on it (离居民区多远有没有要求) is answered by the rule, figure or none; a 居民区 is
the law's 居住区; 省里的要求 of the place named are its own rules.

Issue 16, what a third round of hostile testing found: in the LLM reply check (markers in any script's digits, through
markup, ranges, circled numbers; article names; a duty hedged, left to circumstances or turned around its quotation
or its party); in the law in force (one text of a title and date, a held text uploaded again, the web confirming the
text as listed); in the uploads folder after a server killed during an import; and in a few messages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_fifteenth_round import _article
from test_law_integrity import (
    FORGED_24,
    REAL,
    REAL_ID,
    assert_the_real_law_holds,
    forged,
    show_24,
    write,
)
from test_retrieval_stages import record
from test_twentyfourth_round_answers import _analyzer, _composed
from typer.testing import CliRunner

from assistant.cli import app
from assistant.llm import is_abstention
from assistant.llm.verification import notes, verify
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.web import library_tab
from assistant.web.context import WebContext
from assistant.web.library_tab import confirm_pending, import_uploads, pending_choices
from assistant.web.refusals import chinese
from assistant.web.uploads import accept_uploads, ingest_uploads
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import ORIGIN_UPLOAD


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


STAFFING = (
    "前两款规定以外的其他生产经营单位，从业人员三百人以上的，至少配备一名专职安全生产管理人员；"
    "从业人员一千人以上的，至少配备两名专职安全生产管理人员。"
)


@pytest.mark.parametrize("counted", ["几个专职的安全管理人员", "几个专职安全管理人员", "几名专职的安全生产管理人员"])
def test_the_people_a_count_asks_for_are_named_with_or_without_a_particle(asks, counted):
    ask = asks.asked(f"公司员工三百多人，至少得配{counted}？")
    assert ask is not None and "的" not in ask.counted
    assert ask.stated_in(STAFFING)
    # the number of others in the same provision (从业人员三百人以上) does not count them
    assert not ask.stated_in("从业人员三百人以上的，应当设置安全生产管理机构。")


def test_a_ban_from_practice_or_registration_is_no_period_of_a_duty(asks):
    ask = asks.asked("想考注册安全工程师，要有几年安全工作经验才能报名？")
    assert ask is not None and ask.kind == "time"
    sanction = (
        "注册执业人员未执行法律、法规和工程建设强制性标准的，责令停止执业3个月以上1年以下；情节严重的，"
        "吊销执业资格证书，5年内不予注册；造成重大安全事故的，终身不予注册。"
    )
    assert not ask.stated_in(sanction)
    assert ask.stated_in("具备工程经济类专业本科以上学历，并具有三年以上安全生产管理工作经历。")
    # asked how the breach is punished, the sanction's term is what is asked
    penalty = asks.asked("注册执业人员违反强制性标准的处罚是停止执业多久？")
    assert penalty is not None and penalty.stated_in(sanction)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("办一场两千人的演唱会，按规定每多少个观众就得配一个保安？", "ratio"),
        ("仓库每多少平方米要配一具灭火器？", "ratio"),
        ("每几个工人要配一个班组长？", "ratio"),
        ("每多少天要检查一次？", "frequency"),  # 每 and a period asks how often
        ("每几个月演练一次？", "frequency"),
    ],
)
def test_so_many_of_one_thing_per_so_many_of_another_asks_a_proportion(asks, question, kind):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == kind


def test_a_proportion_asked_is_not_answered_by_a_deadline_of_the_same_matter():
    application = _article(
        "大型群众性活动安全管理条例", "行政法规", 13,
        "第十三条 承办者应当在活动举办日的20日前提出安全许可申请，申请时，应当提交大型群众性活动安全工作方案。",
    )  # fmt: skip
    answer = _composed(
        "办一场两千人的演唱会，按规定每多少个观众就得配一个保安？",
        [record("大型群众性活动安全管理条例", "行政法规")],
        [application],
    )
    assert answer.abstained and "20日" not in answer.text.split("可能相关")[0]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("法律上对储罐区离居民区多远有没有要求？", None),
        ("连续工作多长时间有什么规定？", None),
        ("储罐区离居民区至少多远？", "length"),
        ("有没有规定最多几人？", "people"),  # the rule asked first: the number is what is asked
    ],
)
def test_a_figure_asked_as_the_topic_of_whether_the_law_rules_on_it(asks, question, kind):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind


def test_a_residential_area_is_the_laws_and_the_rule_leaving_the_distance_to_a_standard_answers():
    plan = _analyzer(record("危险化学品安全管理条例", "行政法规")).analyse("化工厂储罐离居民区多远有没有要求？")
    assert plan.translations.get("居民区") == "居住区"
    siting = _article(
        "危险化学品安全管理条例", "行政法规", 19,
        "第十九条 危险化学品储存设施，与下列场所、设施、区域的距离应当符合国家有关规定：\n"
        "(一)居住区以及商业中心、公园等人员密集场所；\n(二)学校、医院、影剧院、体育场(馆)等公共设施；\n"
        "(三)饮用水源、水厂以及水源保护区；\n(四)车站、码头、机场以及通信干线；\n"
        "(五)基本农田保护区、畜禽规模化养殖场(养殖小区)、渔业水域。",
    )  # fmt: skip
    answer = _composed(
        "我家小区旁边要建一个化工厂的大储罐区，法律上对离居民区多远有没有要求？",
        [record("危险化学品安全管理条例", "行政法规")],
        [siting],
    )
    assert not answer.abstained
    assert "居住区以及商业中心、公园等人员密集场所" in answer.text


# LLM mode (issue 16): what the third look at the reply check found


REPORTING = _article(
    "事故条例", "行政法规", 9, title="生产安全事故报告和调查处理条例", text=
    "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地"
    "县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。",
)  # fmt: skip
STAFFING_LAW = _article(
    "安全生产法", "行政法规", 24, title="中华人民共和国安全生产法", text=
    "第二十四条 前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产"
    "管理人员。",
)  # fmt: skip
COMMENCEMENT = _article("某条例", "行政法规", 30, title="某条例", text="第三十条 本条例自2007年6月1日起施行。")
SOURCES = [REPORTING, STAFFING_LAW, COMMENCEMENT]


@pytest.mark.parametrize(
    "reply",
    [
        "单位负责人接到报告后，不一定要在1小时内报告[1]。",  # a duty hedged, in other words than the clause's
        "单位负责人原则上应当于1小时内报告，但视情况可以不报告[1]。",  # waived in a later clause naming no one
        "单位负责人接到报告后应当报告，不过可以不在1小时内报告[1]。",
    ],
)
def test_a_duty_hedged_or_waived_in_other_words_is_marked(reply):
    _, report, _ = verify(reply, SOURCES, question="事故发生后单位负责人要多久报告？", uncited=True)
    assert report.negations


@pytest.mark.parametrize(
    "reply",
    [
        "单位负责人接到报告后，应当在1小时内报告[1]。",
        "事故现场有关人员应当立即向本单位负责人报告，单位负责人接到报告后应当在1小时内报告[1]。",
    ],
)
def test_the_duty_restated_faithfully_is_not_marked(reply):
    _, report, _ = verify(reply, SOURCES, question="事故发生后单位负责人要多久报告？", uncited=True)
    assert not report.negations


def test_a_citation_range_is_cut_to_the_sources_its_words_draw_on():
    reply = (
        "单位负责人接到报告后应当于1小时内报告[1-3]；从业人员超过一百人的，应当设置安全生产管理机构【1至2】。"
        "以上两项都要做到[1-2]。"
    )
    text, report, cited = verify(reply, SOURCES, question="事故报告和机构设置有什么要求？", uncited=True)
    assert "报告[1]；" in text and "管理机构[2]。" in text
    assert cited == [1, 2] and sorted(report.unrelated) == [1, 2, 3]
    assert any("引用范围" in note and "[3]" in note for note in notes(report, len(SOURCES)))
    # numbers written one by one are the model's own choice: not cut
    text, report, _ = verify("单位负责人应当于1小时内报告[1][2]。", SOURCES, uncited=True)
    assert "[1][2]" in text and not report.unrelated


def test_a_circled_footnote_number_is_a_citation_and_an_items_circled_number_is_not():
    text, report, cited = verify("单位负责人接到报告后应当于1小时内报告①。", SOURCES, uncited=True)
    assert text.startswith("单位负责人接到报告后应当于1小时内报告[1]") and cited == [1]
    text, report, _ = verify("单位负责人接到报告后应当于1小时内报告⑨。", SOURCES, uncited=True)
    assert "⑨" not in text and report.removed == [9]
    listed = "从业人员超过一百人的，应当：①设置安全生产管理机构；②或者配备专职安全生产管理人员[2]。"
    text, _, _ = verify(listed, SOURCES, uncited=True)
    assert "①设置" in text and "②或者" in text


def test_a_share_in_tenths_before_a_citation_is_checked():
    fund = _article(
        "办法", "行政法规", 5, title="企业安全生产费用提取和使用管理办法", text="第五条 提取比例为百分之六十。"
    )
    text, report, _ = verify("提取比例为五成[1]。", [fund], uncited=True)
    assert report.figures == ["五成"]
    text, report, _ = verify("提取比例为六成[1]。", [fund], uncited=True)
    assert not report.figures


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("四川的企业出了事故，省里要求多长时间内报告？", ["四川省"]),  # 省里: the province named
        ("四川的企业出了事故，省上的规定是多长时间内报告？", ["四川省"]),
        ("四川的企业出了事故，多长时间内报告？", []),  # the national rule answers: no place's own rules asked
        ("企业出了事故，省里要求多长时间内报告？", []),  # no place named
    ],
)
def test_the_authorities_of_the_place_named_are_that_places_own_rules(question, unheld):
    plan = _analyzer(record("生产安全事故报告和调查处理条例", "行政法规")).analyse(question)
    assert plan.unheld_places == unheld


# what a third round of hostile testing found in the reply check (issue 16, class 5)

EDUCATION = _article(
    "安全生产法", "行政法规", 28, title="中华人民共和国安全生产法", text=
    "第二十八条 生产经营单位应当对从业人员进行安全生产教育和培训，保证从业人员具备必要的安全生产知识。"
    "未经安全生产教育和培训合格的从业人员，不得上岗作业。",
)  # fmt: skip


@pytest.mark.parametrize("digits", ["٦", "𝟔", "६", "๖", "６"])
def test_a_marker_in_any_scripts_digits_is_read_and_one_naming_no_source_removed(digits):
    text, report, cited = verify(f"从业人员超过一百人的，应当设置安全生产管理机构[{digits}]。", [STAFFING_LAW])
    assert report.removed == [6] and cited == [] and digits not in text
    six = [STAFFING_LAW] * 6
    text, report, cited = verify(f"从业人员超过一百人的，应当设置安全生产管理机构[{digits}]。", six)
    assert "[6]" in text and cited == [6]


@pytest.mark.parametrize("marker", ["[**6**]", "[<b>6</b>]", "[*6*]", "[`6`]", "〘6〙", "^6^", "[1·6]", "[1和6]"])
def test_a_marker_written_with_markup_or_another_separator_is_read(marker):
    reply = f"从业人员超过一百人的，应当设置安全生产管理机构[1]。从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员{marker}。"
    text, report, _ = verify(reply, [STAFFING_LAW], uncited=True)
    assert report.removed == [6] and "6" not in text.replace("[1]", "")
    assert not report.negations  # [1和6] is no 和 of the sentence


def test_a_unit_raised_in_markdown_is_no_marker():
    text, report, _ = verify("有限空间面积为100m^2^时应当设置安全生产管理机构[1]。", [STAFFING_LAW], uncited=True)
    assert "^2^" in text and "[2]" not in text and not report.removed


@pytest.mark.parametrize(
    "mention",
    [
        "《安全生产法》第二十四条、二十五条",  # each number of a list with its own 条
        "《安全生产法》第二十四条至三十条",
        "二十四条第三款",  # no 第, its paragraph named: an article, not a count
        "《安全生产法》24条3款",
        "《安全生产法》第二十四条（三）",  # an item by its label
        "《安全生产法》第九——十二条",
        "《安全生产法》art 11",
    ],
)
def test_an_article_named_in_another_way_must_be_given(mention):
    _, report, _ = verify(f"根据{mention}，从业人员超过一百人的，应当设置安全生产管理机构[1]。", [STAFFING_LAW])
    assert report.unknown_articles


@pytest.mark.parametrize("mention", ["《安全生产法》第二十四条", "二十四条第一款", "《安全生产法》24条1款"])
def test_an_article_given_named_in_those_ways_passes(mention):
    _, report, _ = verify(f"根据{mention}，从业人员超过一百人的，应当设置安全生产管理机构[1]。", [STAFFING_LAW])
    assert not report.unknown_articles


@pytest.mark.parametrize(
    ("reply", "source"),
    [
        ("事故现场有关人员视情况向本单位负责人报告[1]。", REPORTING),  # left to circumstances: no duty
        ("事故现场有关人员酌情向本单位负责人报告[1]。", REPORTING),
        ("从业人员超过一百人的，法律对设置安全生产管理机构不做要求[1]。", STAFFING_LAW),
        ("从业人员超过一百人的，豁免设置安全生产管理机构[1]。", STAFFING_LAW),
        ("未经安全生产教育和培训合格的从业人员，尽量不要上岗作业[1]。", EDUCATION),  # a ban told as an effort
        ("未经安全生产教育和培训合格的从业人员，不得上岗作业，但熟练工除外[1]。", EDUCATION),  # an exception added
    ],
)
def test_a_duty_left_to_circumstances_softened_or_excepted_is_marked(reply, source):
    _, report, _ = verify(reply, [source], uncited=True)
    assert report.negations or report.qualified


def test_a_reply_saying_only_that_there_is_no_basis_abstains_whatever_it_cites():
    assert is_abstention("知识库中未找到依据[1]。", [1])
    assert is_abstention("**知识库中未找到依据**[1]", [1])
    assert not is_abstention("关于罚款：知识库中未找到依据。从业人员超过一百人的，应当设置安全生产管理机构[1]。", [1])


REPORTING_WHOLE = _article(
    "事故条例", "行政法规", 9, title="生产安全事故报告和调查处理条例", text=
    "第九条 事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向事故发生地"
    "县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。\n"
    "情况紧急时，事故现场有关人员可以直接向事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的"
    "有关部门报告。",
)  # fmt: skip


@pytest.mark.parametrize(
    "reply",
    [
        # a quotation breaking off inside the clause the sentence goes on with
        "条例规定“事故现场有关人员可以”不向本单位负责人报告[1]。",
        # the verb closing what the quotation bound, waived after it
        "条例规定“事故现场有关人员应当立即向本单位负责人报告”，但实践中可以不报告[1]。",
        # whom the article binds, named with less than it names them (单位负责人 of 单位负责人接到报告后), beside
        # another party's permission in the same article (情况紧急时，事故现场有关人员可以直接…报告)
        "单位负责人可以不向有关部门报告[1]。",
    ],
)
def test_a_duty_turned_around_its_quotation_or_its_party_is_marked(reply):
    _, report, _ = verify(reply, [REPORTING_WHOLE], uncited=True)
    assert report.negations


@pytest.mark.parametrize(
    "reply",
    [
        "条例规定“事故现场有关人员应当立即向本单位负责人报告”[1]。",
        "情况紧急时，事故现场有关人员可以直接向安全生产监督管理部门报告[1]。",
        "单位负责人接到报告后，应当于1小时内向有关部门报告[1]。",
    ],
)
def test_the_article_quoted_or_restated_as_it_binds_each_party_is_not_marked(reply):
    _, report, _ = verify(reply, [REPORTING_WHOLE], uncited=True)
    assert not report.negations


# faults and state (issue 16, class 4): what the third round of hostile testing found


@pytest.fixture
def curated_law(tmp_path, settings) -> KnowledgeBase:
    """The real law, ingested by the administrator from the command line (as test_law_integrity's curated)."""
    result = CliRunner().invoke(app, ["ingest", str(write(tmp_path / "laws", f"{REAL_ID}.md", REAL))])
    assert result.exit_code == 0, result.output
    return KnowledgeBase(settings)


def test_a_text_of_the_laws_title_and_date_confirmed_replaces_it_and_one_text_is_in_force(
    curated_law, settings, tmp_path
):
    """The same title and date as the law in force: held, then, confirmed by the administrator, in force instead
    of it (not beside it: which 第二十四条 answered depended on how the question was worded)."""
    same_day = write(tmp_path / "forge", "安全生产法（2021-06-10）.md", forged(date="2021年6月10日"))
    ingest([same_day], settings)
    documents = KnowledgeBase(settings).documents()
    (held,) = [d for d in documents.values() if d.pending]
    assert_the_real_law_holds(settings)
    ingest([same_day], settings, confirm_supersede=True)
    documents = KnowledgeBase(settings).documents()
    assert [d.doc_id for d in documents.values() if d.in_force and d.kind == "法律"] == [held.doc_id]
    assert documents[REAL_ID].superseded_by == held.doc_id
    assert FORGED_24 in show_24()


def test_a_held_text_uploaded_again_is_read_again_and_a_choice_made_before_confirms_nothing(
    curated_law, settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(library_tab, "_WRONG_PASSWORD_DELAY", 0)
    admin = WebContext(
        Settings(data_dir=settings.data_dir, embedder="builtin", admin_password="管理员口令"), curated_law
    )
    first = write(tmp_path / "browser", "安全生产法(2025-01-01).md", forged())
    import_uploads(admin, [str(first)])
    (listed,) = [value for _, value in pending_choices(admin)]
    swapped = write(tmp_path / "browser2", "安全生产法(2025-01-01).md", forged().replace("自行决定", "一律自行决定"))
    text, rows = import_uploads(admin, [str(swapped)])
    assert rows[0][1] == "更新" and "待确认期间文本已更新，需重新核对" in text, text
    refused = confirm_pending(admin, listed, "管理员口令")
    assert (
        "列出之后又被上传更新过，未确认" in refused
        and KnowledgeBase(settings).documents()["安全生产法(2025-01-01)"].pending
    )
    assert_the_real_law_holds(settings)
    (relisted,) = [value for _, value in pending_choices(admin)]
    assert confirm_pending(admin, relisted, "管理员口令").startswith("✓ 已确认")


def test_what_a_server_killed_during_a_web_import_moved_into_uploads_is_put_right_by_the_next_import(
    curated_law, settings, tmp_path
):
    """A server killed (kill -9) while a batch was ingested left in uploads/ the files it had moved in: one the
    index never took (a copy of a law the command line brought) and one that replaced a stored original whose new
    text was never indexed. The next web import takes the first out and puts the original back."""
    ctx = WebContext(settings, curated_law)
    kept_text = forged(title="青山市有限空间作业安全规定", date="2024年1月1日")
    import_uploads(ctx, [str(write(tmp_path / "browser", "青山市有限空间作业安全规定.md", kept_text))])
    uploads = settings.data_dir / "uploads"
    original = uploads / "青山市有限空间作业安全规定.md"
    newer = write(tmp_path / "browser2", "青山市有限空间作业安全规定.md", kept_text + "\n第九条 从未入库的新文本。\n")
    copy = write(tmp_path / "browser2", "安全生产法[2021-06-10].md", forged(date="2021年6月10日"))
    child = os.fork()
    if child == 0:  # the server: it moves the batch into uploads/, then dies in the ingest (no clean-up runs)
        ingest_uploads(accept_uploads([newer, copy], settings), lambda paths: os._exit(0))
        os._exit(1)
    os.waitpid(child, 0)
    assert original.read_text(encoding="utf-8") != kept_text and (uploads / copy.name).exists()

    import_uploads(ctx, [str(write(tmp_path / "next", "青山市消防安全规定.md", forged(title="青山市消防安全规定")))])
    assert original.read_text(encoding="utf-8") == kept_text  # the text the index holds
    assert not (uploads / copy.name).exists()
    assert not any((settings.data_dir / "upload-staging").iterdir())
    documents = KnowledgeBase(settings).documents()
    sources = {Path(d.source).name for d in documents.values() if d.origin == ORIGIN_UPLOAD}
    assert {p.name for p in uploads.iterdir()} == sources


def test_an_upload_imported_already_is_said_so_not_called_empty(curated_law, settings, tmp_path):
    """导入知识库 clicked twice: the upload's temporary copy was read and removed by the first import."""
    ctx = WebContext(settings, curated_law)
    upload = write(tmp_path / "browser", "二次导入.md", forged(title="青山市二次导入规定"))
    _, rows = import_uploads(ctx, [str(upload)])
    assert rows[0][1] == "新增"
    upload.unlink()  # as the first import removes Gradio's copy
    _, rows = import_uploads(ctx, [str(upload)])
    assert rows[0][1] == "失败" and "已被导入或已过期" in rows[0][3] and "空" not in rows[0][3]


def test_texts_of_one_title_and_date_brought_by_one_import_each_stay_in_force(settings, tmp_path):
    text = forged(title="青山市安全管理机构设置规定", date="2024年1月1日")
    both = [
        write(tmp_path / "corpus", "青山市安全管理机构设置规定（一）.md", text),
        write(
            tmp_path / "corpus",
            "青山市安全管理机构设置规定（二）.md",
            text + "\n第九条 本规定由青山市应急管理局负责解释。\n",
        ),
    ]
    ingest(both, settings)
    documents = KnowledgeBase(settings).documents()
    assert len(documents) == 2 and all(d.in_force for d in documents.values())


def test_a_batch_refused_for_a_hidden_file_is_said_to_be_refused_whole():
    """Gradio refuses a whole batch holding a file whose name begins with “.” (its temporary folder under the
    server's working directory), naming no file: the user is told nothing of the batch was imported."""
    told = chinese(
        "Dotfiles located in the temporary directory cannot be moved to the cache for security reasons.", 500
    )
    assert "这一批文件都没有导入" in told and "去掉开头的“.”" in told and "重新选择" in told, told


def test_input_in_no_encoding_is_echoed_only_in_part():
    """3 MB of random bytes piped into chat were written back whole in the encoding error (about 8 MB)."""
    from assistant.cli import BadInput, readable_input

    garbage = bytes(range(128, 256)).decode("utf-8", errors="surrogateescape") * 20000
    with pytest.raises(BadInput) as refused:
        readable_input(garbage)
    assert len(str(refused.value)) < 600 and "共" in str(refused.value)
