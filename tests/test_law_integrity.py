"""Nobody who can upload can rewrite the law (issue 16, class 4). A file named like 安全生产法 with a later
date, or one saying it repeals 安全生产法, must not silently displace the real text: a date after today is
refused, a newer version or a repeal of a text in force is held 待确认 (listed, not searched) until an
administrator confirms it (anquan ingest --confirm-supersede, or the web library with the administrator
password), and a web upload cannot replace a document the administrator ingested. Asserted as a user sees it:
`anquan show`, the answer's citations, `anquan stats` and the library list. Texts are written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.ask import Assistant
from assistant.cli import app
from assistant.web import library_tab
from assistant.web.context import WebContext
from assistant.web.library_tab import (
    confirm_pending,
    document_rows,
    import_uploads,
    pending_choices,
    pending_markdown,
    stats_markdown,
)
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import ORIGIN_UPLOAD

runner = CliRunner()

REAL_ID = "安全生产法(2021-06-10)"
REAL = """# 中华人民共和国安全生产法

2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议《关于修改<中华人民共和国安全生产法>的决定》第三次修正

<!-- INFO END -->

第一条 为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，促进经济社会持续健康发展，制定本法。

第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：建立健全并落实本单位全员安全生产责任制，加强安全生产标准化建设。

第二十四条 矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者配备专职安全生产管理人员。
前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。

第一百一十九条 本法自2002年11月1日起施行。
"""
REAL_24 = "从业人员超过一百人的，应当设置安全生产管理机构"
FORGED_24 = "均不需要设置安全生产管理机构"
FORGED = """# {title}

{date}全国人民代表大会常务委员会修订

<!-- INFO END -->

第一条 为了规范生产经营活动，制定本法。

第二十一条 生产经营单位的主要负责人自行决定本单位的安全生产事项。

第二十四条 生产经营单位无论从业人员多少，均不需要设置安全生产管理机构，也不需要配备安全生产管理人员。

第一百一十九条 本法自公布之日起施行。
"""
# an upload that is another text altogether, whose last article repeals the law
# a text of the law's rank (a local one has no standing to repeal a law: test_thirtysecond_round)
REPEALER_ID = "中华人民共和国安全生产补充法(2025-03-01)"
REPEALER = """# 中华人民共和国安全生产补充法

2025年3月1日第十四届全国人民代表大会常务委员会第十四次会议通过

<!-- INFO END -->

第一条 为了补充安全生产管理，制定本法。

第二条 生产经营单位应当按照本法自行安排安全生产工作。

第三条 本法自2025年3月1日起施行。《中华人民共和国安全生产法》同时废止。
"""
QUESTION = "我们厂120人，要不要设安全管理机构？"


def forged(title: str = "中华人民共和国安全生产法", date: str = "2025年1月1日") -> str:
    return FORGED.format(title=title, date=date)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def curated(tmp_path, settings) -> KnowledgeBase:
    """The real law, ingested by the administrator from the command line."""
    result = runner.invoke(app, ["ingest", str(write(tmp_path / "laws", f"{REAL_ID}.md", REAL))])
    assert result.exit_code == 0, result.output
    return KnowledgeBase(settings)


def show_24(*extra: str) -> str:
    result = runner.invoke(app, ["show", "安全生产法", "24", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def cited(settings: Settings) -> list[dict]:
    return Assistant(KnowledgeBase(settings)).ask(QUESTION).answer.citations


def statuses(ctx: WebContext) -> dict[str, str]:
    """doc id -> the 状态 column of the library list (a row names the title and the doc id)."""
    records = ctx.kb.documents()
    return {doc_id: next(row[-1] for row in document_rows(ctx) if doc_id in row[0]) for doc_id in records}


def assert_the_real_law_holds(settings: Settings) -> None:
    shown = show_24()
    assert REAL_24 in shown and FORGED_24 not in shown, shown
    assert "已被" not in shown and "已废止" not in shown
    citations = cited(settings)
    assert {"doc": REAL_ID, "article": "第二十四条"} in citations, citations
    assert all(c["doc"] == REAL_ID for c in citations), citations


# --- (a) dates after today ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "date", "field"),
    [
        ("安全生产法(2099-01-01).md", "2021年6月10日", "文件名中的日期“2099年1月1日”"),  # the example of the issue
        ("安全生产法（修订）.md", "2099年1月1日", "文首的日期“2099年1月1日”"),  # no date in the name: the head's
        ("安全生产法（修正）.md", "二〇九九年一月一日", "文首的日期“2099年1月1日”"),  # in Chinese numerals
        ("安全生产法(2030-07-01).md", "2030年7月1日", "文件名中的日期“2030年7月1日”"),  # near, still ahead
    ],
)
def test_a_same_title_file_dated_after_today_is_refused_naming_the_file_and_the_date(
    curated, settings, tmp_path, name, date, field, monkeypatch
):
    import assistant.cli

    monkeypatch.setattr(assistant.cli.console, "width", 1000)  # made at import: COLUMNS may come too late
    path = write(tmp_path / "incoming", name, forged(date=date))
    result = runner.invoke(app, ["ingest", str(path)], env={"COLUMNS": "1000"})  # the rows unwrapped
    assert result.exit_code == 1, result.output  # a failed file
    assert f"{name} 的{field}晚于今天" in result.output and "未导入" in result.output
    assert Path(name).stem not in KnowledgeBase(settings).documents()
    assert_the_real_law_holds(settings)


def test_a_plan_for_next_year_may_name_that_year_but_a_law_may_not(tmp_path, settings):
    from datetime import date

    next_year = date.today().year + 1
    plan = write(
        tmp_path / "plans",
        "工作要点.md",
        f"# 青山区{next_year}年安全生产工作要点\n\n一、目标\n\n全年不发生较大事故。\n",
    )
    law = write(
        tmp_path / "plans", "某法.md", f"# {next_year}年青山安全法\n\n第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n"
    )
    report = ingest([plan, law], settings)
    status = {r.path.name: (r.status, r.reason) for r in report.results}
    assert status["工作要点.md"][0] == "added"
    assert status["某法.md"][0] == "failed" and f"标题中的年份“{next_year}年”晚于今天" in status["某法.md"][1]


# --- (b) a newer version of a text in force waits for the administrator -------------------------------------


def test_a_plausible_newer_version_is_held_until_the_administrator_confirms_it_on_the_command_line(
    curated, settings, tmp_path
):
    path = write(tmp_path / "incoming", "安全生产法(2025-01-01).md", forged())
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "将取代现行的《中华人民共和国安全生产法》（安全生产法(2021-06-10)）：已暂缓，待管理员确认" in result.output
    assert "--confirm-supersede" in result.output
    assert_the_real_law_holds(settings)
    stats = runner.invoke(app, ["stats"]).output
    assert "待确认 1 个（管理员确认前不生效、不参与检索，原文仍现行）" in stats
    assert (
        "安全生产法(2025-01-01)（命令行导入）将取代现行的《中华人民共和国安全生产法》（安全生产法(2021-06-10)）"
        in stats
    )
    assert "已被新版本取代" not in stats
    # named on purpose it can be read, flagged; the real law says it is challenged
    held = show_24("--include-superseded")
    assert REAL_24 in held and "另有待确认的文本 安全生产法(2025-01-01)" in held
    # importing it again without the flag changes nothing
    again = runner.invoke(app, ["ingest", str(path)])
    assert "未变 1" in again.output and "有 1 个文档待确认" in again.output
    assert_the_real_law_holds(settings)

    confirmed = runner.invoke(app, ["ingest", str(path), "--confirm-supersede"])
    assert confirmed.exit_code == 0, confirmed.output
    assert "管理员已确认《中华人民共和国安全生产法》（安全生产法(2025-01-01)，命令行导入）生效" in confirmed.output
    assert "（安全生产法(2021-06-10)）已被 安全生产法(2025-01-01) 取代" in confirmed.output
    shown = show_24()
    assert FORGED_24 in shown and REAL_24 not in shown  # the administrator's decision takes effect
    stats = runner.invoke(app, ["stats"]).output
    assert f"{REAL_ID} → 安全生产法(2025-01-01)" in stats and "待确认" not in stats
    old = runner.invoke(app, ["show", REAL_ID, "24", "--include-superseded"]).output  # the old one, flagged
    assert REAL_24 in old and "已被 安全生产法(2025-01-01) 取代" in old


@pytest.mark.parametrize(
    "title",
    [
        "中华人民共和国 安全 生产法",  # spaces
        "中華人民共和國安全生產法",  # traditional script
        "《中华人民共和国安全生产法》（2025年修正）",  # quotes and a version note
    ],
)
def test_a_forged_title_written_differently_is_still_the_same_law_and_is_held(curated, settings, tmp_path, title):
    path = write(tmp_path / "incoming", "安全生产法修订稿.md", forged(title=title))
    report = ingest([path], settings, origin=ORIGIN_UPLOAD)
    assert report.results[0].status == "added", report.results
    record = KnowledgeBase(settings).documents()["安全生产法修订稿"]
    assert record.kind == "法律" and record.pending and record.held_over == [REAL_ID] and not record.in_force
    assert any("（安全生产法修订稿，网页上传）将取代现行的" in note for note in report.notes), report.notes
    assert_the_real_law_holds(settings)


def test_a_copy_dated_the_same_day_is_held_too(curated, settings, tmp_path):
    path = write(tmp_path / "incoming", "中华人民共和国安全生产法(2021-06-10).md", forged(date="2021年6月10日"))
    ingest([path], settings, origin=ORIGIN_UPLOAD)
    assert KnowledgeBase(settings).documents()["中华人民共和国安全生产法(2021-06-10)"].pending
    assert_the_real_law_holds(settings)


def test_an_older_version_arriving_later_is_simply_superseded_and_versions_ingested_together_need_no_confirmation(
    curated, settings, tmp_path
):
    older = write(tmp_path / "incoming", "安全生产法(2014-08-31).md", forged(date="2014年8月31日"))
    ingest([older], settings, origin=ORIGIN_UPLOAD)
    documents = KnowledgeBase(settings).documents()
    assert (
        documents["安全生产法(2014-08-31)"].superseded_by == REAL_ID and not documents["安全生产法(2014-08-31)"].pending
    )
    assert_the_real_law_holds(settings)
    # a corpus brought at once (nothing of it in force before): the newest is in force, as always
    fresh = Settings(data_dir=tmp_path / "fresh", embedder="builtin")
    both = [
        write(tmp_path / "corpus", f"{REAL_ID}.md", REAL),
        write(tmp_path / "corpus", "安全生产法(2025-01-01).md", forged()),
    ]
    ingest(both, fresh)
    documents = KnowledgeBase(fresh).documents()
    assert (
        documents[REAL_ID].superseded_by == "安全生产法(2025-01-01)" and not documents["安全生产法(2025-01-01)"].pending
    )


# --- repeals --------------------------------------------------------------------------------------------------


def test_an_upload_saying_it_repeals_a_curated_law_does_not_repeal_it_unconfirmed(curated, settings, tmp_path):
    path = write(tmp_path / "incoming", f"{REPEALER_ID}.md", REPEALER)
    report = ingest([path], settings, origin=ORIGIN_UPLOAD)
    assert not any("废止，默认检索不再使用" in note for note in report.notes), report.notes
    assert any("将废止现行的《中华人民共和国安全生产法》（安全生产法(2021-06-10)）：已暂缓" in n for n in report.notes)
    documents = KnowledgeBase(settings).documents()
    assert documents[REAL_ID].in_force and not documents[REAL_ID].repealed_by
    assert documents[REPEALER_ID].pending and not documents[REPEALER_ID].in_force
    assert_the_real_law_holds(settings)
    stats = runner.invoke(app, ["stats"]).output
    assert "已废止" not in stats and "即将废止" not in stats
    assert "中华人民共和国安全生产补充法(2025-03-01)（网页上传）将废止现行的《中华人民共和国安全生产法》" in stats

    confirmed = runner.invoke(app, ["ingest", str(path), "--confirm-supersede"])
    assert "由《中华人民共和国安全生产补充法》第三条废止" in confirmed.output, confirmed.output
    result = runner.invoke(app, ["show", "安全生产法", "24"])
    assert "已废止：自2025年3月1日起由《中华人民共和国安全生产补充法》第三条废止" in result.output


# --- the web: uploads are kept apart from the curated corpus --------------------------------------------------


def test_a_web_upload_of_a_forged_law_is_held_listed_and_confirmed_only_with_the_admin_password(
    curated, settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(library_tab, "_WRONG_PASSWORD_DELAY", 0)
    ctx = WebContext(settings, curated)
    files = [
        write(tmp_path / "browser", "安全生产法(2025-01-01).md", forged()),
        write(tmp_path / "browser", "安全生产法(2099-01-01).md", forged(date="2099年1月1日")),
        write(tmp_path / "browser", f"{REAL_ID}.md", forged(date="2021年6月10日")),
    ]  # the curated file's name
    text, rows = import_uploads(ctx, [str(p) for p in files])
    assert "：已暂缓，管理员确认前不生效" in text, text
    results = {row[0]: (row[1], row[3]) for row in rows}
    assert results["安全生产法(2025-01-01).md"][0] == "新增"
    assert results["安全生产法(2099-01-01).md"][0] == "失败"
    assert "文件名中的日期“2099年1月1日”晚于今天" in results["安全生产法(2099-01-01).md"][1]
    assert results[f"{REAL_ID}.md"][0] == "跳过" and "网页上传不能替换它" in results[f"{REAL_ID}.md"][1]
    status = statuses(ctx)
    assert status["安全生产法(2025-01-01)"] == (
        "待确认（将取代现行的《中华人民共和国安全生产法》（安全生产法(2021-06-10)）；管理员确认前不生效） · 网页上传"
    )
    assert status[REAL_ID].startswith("现行（安全生产法(2025-01-01) 声称取代或废止本文，待确认")
    assert "待确认 1 个" in stats_markdown(ctx) and "安全生产法(2025-01-01)" in pending_markdown(ctx)
    # (chosen with the text listed: a choice made before it is uploaded again confirms nothing)
    assert [value.partition("#")[0] for _, value in pending_choices(ctx)] == ["安全生产法(2025-01-01)"]
    assert_the_real_law_holds(settings)
    assert {"doc": REAL_ID, "article": "第二十四条"} in ctx.assistant().ask(QUESTION).answer.citations

    # no administrator password configured: the web cannot confirm, and says how to
    refused = confirm_pending(ctx, "安全生产法(2025-01-01)", "")
    assert "未设置管理员密码" in refused and "--confirm-supersede" in refused
    admin = WebContext(Settings(data_dir=settings.data_dir, embedder="builtin", admin_password="管理员口令"), curated)
    assert "管理员密码不正确" in confirm_pending(admin, "安全生产法(2025-01-01)", "猜一个")
    assert KnowledgeBase(settings).documents()["安全生产法(2025-01-01)"].pending
    assert_the_real_law_holds(settings)

    done = confirm_pending(admin, "安全生产法(2025-01-01)", "管理员口令")
    assert done.startswith("✓ 已确认“安全生产法(2025-01-01)”生效") and "已被 安全生产法(2025-01-01) 取代" in done
    status = statuses(admin)
    assert (
        status[REAL_ID] == "已被 安全生产法(2025-01-01) 取代" and status["安全生产法(2025-01-01)"] == "现行 · 网页上传"
    )
    assert pending_markdown(admin) == "没有待确认的文档。"
    assert FORGED_24 in show_24()
    assert "安全生产法(2025-01-01)" in {c["doc"] for c in ctx.assistant().ask(QUESTION).answer.citations}

    # the confirmation was for the text the administrator read: new content under the same name waits again
    swapped = write(tmp_path / "browser2", "安全生产法(2025-01-01).md", forged().replace("自行决定", "一律自行决定"))
    text, rows = import_uploads(admin, [str(swapped)])
    assert rows[0][1] == "更新" and "已暂缓" in text, (text, rows)
    assert_the_real_law_holds(settings)
    # and the web deletes uploads only, never what the administrator ingested
    documents = KnowledgeBase(settings).documents()
    assert library_tab.uploaded(documents["安全生产法(2025-01-01)"], settings)
    assert not library_tab.uploaded(documents[REAL_ID], settings)


NOTICE = """# 青山区应急管理局关于做好节前安全检查的通知

青应急〔2025〕3号

一、各生产经营单位应当在节前组织一次安全检查。
"""


def test_on_a_web_shared_with_an_administrator_an_uploaded_law_waits_for_confirmation_other_uploads_do_not(
    curated, settings, tmp_path, monkeypatch
):
    """A law nobody has heard of needs no older text to displace to mislead: with an administrator password set
    (the web is shared), a law, regulation or rule uploaded through the web is held over its own authority until
    the administrator confirms it; a district's notice is usable at once. Without an administrator the uploader
    is the one who runs the server: the same law is in force at once."""
    monkeypatch.setattr(library_tab, "_WRONG_PASSWORD_DELAY", 0)
    admin = WebContext(Settings(data_dir=settings.data_dir, embedder="builtin", admin_password="管理员口令"), curated)
    law_id = "企业安全自主管理法(2025-01-01)"
    files = [
        write(tmp_path / "browser", f"{law_id}.md", forged(title="中华人民共和国企业安全自主管理法")),
        write(tmp_path / "browser", "青山区节前安全检查通知(2025-01-20).md", NOTICE),
    ]
    text, rows = import_uploads(admin, [str(p) for p in files])
    assert [row[1] for row in rows] == ["新增", "新增"], rows
    assert f"{law_id}（网页上传的法律，管理员确认后才作为依据）：已暂缓" in text, text
    status = statuses(admin)
    assert status[law_id] == "待确认（网页上传的法律，管理员确认后才作为依据；管理员确认前不生效） · 网页上传"
    assert status["青山区节前安全检查通知(2025-01-20)"] == "现行 · 网页上传"
    assert status[REAL_ID] == "现行"  # it challenges nothing
    question = "企业安全自主管理法对设置安全生产管理机构有什么规定？"
    assert law_id not in {c["doc"] for c in admin.assistant().ask(question).answer.citations}
    assert_the_real_law_holds(settings)
    assert "节前组织一次安全检查" in admin.assistant().ask("青山区节前安全检查有什么要求？").answer.text

    done = confirm_pending(admin, law_id, "管理员口令")
    assert done.startswith(f"✓ 已确认“{law_id}”生效"), done
    assert statuses(admin)[law_id] == "现行 · 网页上传"
    assert law_id in {c["doc"] for c in admin.assistant().ask(question).answer.citations}

    # no administrator: whoever uploads runs the server
    solo = WebContext(settings, curated)
    other = write(
        tmp_path / "browser2",
        "仓储安全法(2025-01-01).md",
        "# 中华人民共和国仓储安全法\n\n2025年1月1日全国人民代表大会常务委员会通过\n\n"
        "第一条 仓库经营者应当每月检查一次货架。\n\n第二条 本法自公布之日起施行。\n",
    )
    text, rows = import_uploads(solo, [str(other)])
    assert rows[0][1] == "新增" and "已暂缓" not in text, (text, rows)
    assert statuses(solo)["仓储安全法(2025-01-01)"] == "现行 · 网页上传"


@pytest.mark.parametrize(
    ("title", "body", "verb"),
    [
        (
            "全国人民代表大会常务委员会关于修改《中华人民共和国安全生产法》的决定",
            "一、将第二十四条第二款修改为：“前款规定以外的其他生产经营单位，从业人员超过三百人的，应当设置安全生产管理机构；"
            "从业人员在三百人以下的，均不需要设置安全生产管理机构。”\n\n本决定自2025年1月1日起施行。",
            "修改",
        ),
        (
            "全国人民代表大会常务委员会关于《中华人民共和国安全生产法》第二十四条第二款的解释",
            "第二十四条第二款所称“超过一百人”，是指超过三百人；从业人员在三百人以下的，不需要设置安全生产管理机构。"
            "\n\n本解释自2025年1月1日起施行。",
            "解释",
        ),
    ],
)
def test_a_decision_amending_a_law_in_force_waits_for_the_administrator(curated, settings, tmp_path, title, body, verb):
    # an amendment or a legislative interpretation changes what the law in force says: it is held like a new version
    decision = f"# {title}\n\n2025年1月1日第十四届全国人民代表大会常务委员会第二十次会议通过\n\n{body}\n"
    name = f"{title}(2025-01-01).md"
    path = write(tmp_path / "incoming", name, decision)
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert f"将{verb}现行的《中华人民共和国安全生产法》（{REAL_ID}）：已暂缓，待管理员确认" in result.output
    assert_the_real_law_holds(settings)
    answer = runner.invoke(app, ["ask", "我们厂120个人，必须要设安全管理机构吗？"]).output
    assert "三百人" not in answer and "第二十四条" in answer
    confirmed = runner.invoke(app, ["ingest", str(path), "--confirm-supersede"])
    assert confirmed.exit_code == 0 and "管理员已确认" in confirmed.output
