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

Files, names and encodings (CLI imports beside a good law):
- A file swapped for a symbolic link to /etc/shadow after the folder was walked (the walk's check of links leading out
  of the folder ran only then) was read through the link and stored, searchable, and --prune never removed it; a file
  grown to 2.5 GB after the walk's size check took 7.5 GB to read. A file is screened again for a link leading out of
  the folder it was found in, its real path is the one screened when it is read (before and after), and its size is
  checked again when it is loaded.
- A Markdown law with a picture pasted into it (![现场照片](data:image/png;base64,…)) became 125 chunks of base64 and
  lost its articles; an image or link whose address is inline data is left out, as a viewer shows a picture.
- A law pasted as one line lost every article that follows a chapter heading (…。 第二章 生产经营单位的安全生产保障
  第二十条 …: 第二十条 was stored inside 第十九条; 单行条例 第一章 总则 第一条 …: no article at all); a chapter or
  section heading glued into the line before the article opening it now opens a line, and so does the article.
- An HTML page saved as .txt was imported as markup (its title <!DOCTYPE html><html>…, no article); it is read as the
  page it is. A browser's single-file page (MHTML) renamed .html was imported as quoted-printable codes, and a PDF, an
  HTML page or an RTF file renamed .docx was told 不是有效的 Word 文档…可能已损坏; each says what it is and what to
  rename it to (as a Word file renamed .pdf already did).
- A Word file with one large picture that compresses well (a blank BMP: 88 KB, 1,028 to 1) was refused as a zip bomb;
  a picture part is bounded by the package's unpacked total, not by its ratio (no text is read from it).
Law integrity and injection:
- A notice naming no issuer (关于有限空间作业有关事项的通知: no organ in its title or above its text, no document
  number, no place), or a sample's whose issuer's place is left blank (某省应急管理厅), was filed as a national
  规范性文件 and became the decisive answer to 有限空间作业要先通风吗 (无需先通风) over the regulation that answers it. A
  notice binds with its issuer's authority: one naming none, or a placeholder, is filed as 其他, with a note saying
  why and how to set its kind, and is no legal basis.
- A new version dated 2026年3月1号, 二〇二六年三月一號 or 贰零贰陆年叁月壹日 was undated and silently superseded by the
  law in force (and 2099年1月1号 passed the future-date check); a date written with 号 or 號 and financial numerals is
  read as a date now.
- anquan show with a name several documents hold (安全生产条例: 煤矿安全生产条例 and four regions' 条例) showed the
  first one's article and said nothing of the others; it lists them and asks which one.

Tried and still unmarked (they need the reply's meaning, not another word; docs/benchmark.md): a duty's place turned (在内监护 for 在外监护), 专职 swapped for the article's other word
兼职, a subject shortened so that no clause of the source aligns (高危行业的生产经营单位不需要投保 for 属于国家规定的
高危行业、领域的生产经营单位，应当投保), a choice given to someone put between the subject and the duty (是否通风由作业
人员自行决定, 由作业人员自行决定是否通风), a table cell holding only 否, 先通风的要求已取消.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, invoke, isolated_settings, needs_corpus, regulation_with
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


# --- files replaced or grown after the walk ------------------------------------------------------------------------------


def _after_walk(monkeypatch, change):
    """The import's walk, then change() before any file is screened or read: a file replaced while the import runs."""
    import ingest.pipeline as pipeline

    walked = pipeline.walk

    def walk_then_change(*args, **kwargs):
        files = list(walked(*args, **kwargs))
        change()
        return files

    monkeypatch.setattr(pipeline, "walk", walk_then_change)


def test_a_file_swapped_for_a_link_out_of_the_folder_after_the_walk_is_not_read(tmp_path, monkeypatch):
    from ingest.pipeline import ingest

    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("# 机密\n\n第一条 口令是 hunter2。\n", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    swapped = folder / "竞争.md"
    swapped.write_text("# 竞争规定\n\n第一条 本规定用于测试。\n", encoding="utf-8")

    def swap():
        swapped.unlink()
        swapped.symlink_to(secret)

    _after_walk(monkeypatch, swap)
    settings = isolated_settings(tmp_path / "data")
    (result,) = ingest([folder], settings).results
    assert result.status == "skipped" and "所导入文件夹之外" in result.reason, result
    from ingest.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(settings)
    assert not any("hunter2" in c.text for c in kb.store.committed_chunks(kb.documents())), "the secret was stored"


def test_a_file_replaced_after_it_was_screened_is_not_read(tmp_path):
    from ingest.preparation import prepare_document
    from ingest.tokenizer import Tokenizer

    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "规定.md"
    path.write_text("# 规定\n\n第一条 本规定用于测试。\n", encoding="utf-8")
    task = (path, "hash", "added", str(path.resolve()))
    other = tmp_path / "other.md"
    other.write_text("# 别的\n\n第一条 别的内容。\n", encoding="utf-8")
    path.unlink()
    path.symlink_to(other)
    result = prepare_document(task, 400, Tokenizer([]))
    assert result.status == "failed" and "被替换" in result.reason, result


def test_a_file_grown_past_the_limit_after_the_walk_is_refused_by_its_size(tmp_path, monkeypatch):
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    grown = folder / "增长.md"
    grown.write_text("# 增长规定\n\n第一条 本规定用于测试。\n", encoding="utf-8")
    _after_walk(monkeypatch, lambda: os.truncate(grown, 40 * 2**20))  # sparse: no disk used
    (result,) = ingest([folder], isolated_settings(tmp_path / "data")).results
    assert result.status == "failed" and "文件过大" in result.reason and "上限 30 MB" in result.reason, result


# --- what a file holds, read as it shows ----------------------------------------------------------------------------------

_LAW = "# 青山市测试安全规定\n\n第一条 为了加强安全管理，制定本规定。\n\n第二条 生产经营单位应当建立安全生产责任制。\n\n第三条 本规定自公布之日起施行。\n"


def test_a_picture_pasted_into_a_markdown_law_is_no_text(tmp_path):
    from ingest.knowledge_base import KnowledgeBase
    from ingest.pipeline import ingest

    picture = "![现场照片](data:image/png;base64," + base64.b64encode(bytes(range(256)) * 400).decode() + ")"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "带图规定.md").write_text(_LAW.replace("\n\n第二条", f"\n\n{picture}\n\n第二条"), encoding="utf-8")
    settings = isolated_settings(tmp_path / "data")
    (result,) = ingest([folder], settings).results
    assert result.status == "added", result
    kb = KnowledgeBase(settings)
    assert not any("base64" in c.text for c in kb.store.committed_chunks(kb.documents()))
    assert invoke(settings, "show", "青山市测试安全规定", "2").output.count("建立安全生产责任制") == 1


def test_a_law_pasted_as_one_line_keeps_the_articles_after_its_chapter_headings(tmp_path):
    from ingest.pipeline import ingest

    line = (
        "青山市单行安全条例 第一章 总则 第一条 为了加强安全管理，制定本条例。 第二条 本条例适用于本市。 "
        "第二章 责任 第三条 单位应当建立安全生产责任制。 第四条 单位应当组织培训。 第三章 附则 第五条 本条例自公布之日起施行。"
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "单行条例.txt").write_text(line + "\n", encoding="utf-8")
    settings = isolated_settings(tmp_path / "data")
    ingest([folder], settings)
    for number, said in ((1, "为了加强安全管理"), (3, "单位应当建立安全生产责任制"), (5, "自公布之日起施行")):
        result = invoke(settings, "show", "单行安全条例", str(number))
        assert result.exit_code == 0 and said in result.output, result.output


@pytest.mark.parametrize(
    ("name", "content", "told"),
    [
        (
            "网页另存.html",
            "From: <Saved by Blink>\nSnapshot-Content-Location: https://example.org/\nMIME-Version: 1.0\n"
            'Content-Type: multipart/related; type="text/html"\n\n=E7=AC=AC=E4=B8=80=E6=9D=A1\n',
            "这是 MHTML 单文件网页（扩展名是 .html），请在浏览器中打开，另存为“网页，仅 HTML”",
        ),
        (
            "伪装网页.docx",
            "<html><body><p>第一条 测试。</p></body></html>",
            "这是 HTML 网页（扩展名是 .docx），请把扩展名改为 .html",
        ),
        ("伪装PDF.docx", "%PDF-1.4\n1 0 obj\n", "这是 PDF 文件（扩展名是 .docx），请把扩展名改为 .pdf"),
        ("伪装RTF.docx", "{\\rtf1 第一条}", "这是 RTF 富文本文件（扩展名是 .docx）"),
    ],
)
def test_a_file_of_another_type_under_this_name_says_what_it_is(tmp_path, name, content, told):
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / name).write_text(content, encoding="utf-8")
    (folder / "好的规定.md").write_text(_LAW, encoding="utf-8")
    results = {r.path.name: r for r in ingest([folder], isolated_settings(tmp_path / "data")).results}
    assert results[name].status == "failed" and told in results[name].reason, results[name]
    assert results["好的规定.md"].status == "added"


def test_a_web_page_saved_as_text_is_read_as_the_page(tmp_path):
    from ingest.pipeline import ingest

    page = "".join(f"<p>第{n}条 本条用于测试{n}。</p>" for n in "一二三")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "网页存为文本.txt").write_text(
        f"<!DOCTYPE html><html><head><title>青山市网页规定</title><script>var x = 1;</script></head>"
        f"<body><h1>青山市网页规定</h1>{page}</body></html>",
        encoding="utf-8",
    )
    settings = isolated_settings(tmp_path / "data")
    (result,) = ingest([folder], settings).results
    assert result.status == "added", result
    shown = invoke(settings, "show", "青山市网页规定", "2")
    assert shown.exit_code == 0 and "本条用于测试二" in shown.output and "<p>" not in shown.output, shown.output


def test_a_word_file_with_a_large_picture_that_compresses_well_is_imported(tmp_path):
    import docx

    from ingest.pipeline import ingest

    path = tmp_path / "附图规定.docx"
    document = docx.Document()
    for line in _LAW.splitlines():
        document.add_paragraph(line.lstrip("# "))
    document.save(str(path))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/media/image1.bmp", bytes(20 * 2**20))  # a blank picture: 20 MB at over 1,000 to 1
    (result,) = ingest([path], isolated_settings(tmp_path / "data")).results
    assert result.status == "added", result


# --- a notice naming no issuer ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于有限空间作业有关事项的通知", "其他"),
        ("青山市应急管理局关于有限空间作业有关事项的通知", "规范性文件"),
        ("国务院办公厅关于加强安全生产工作的通知", "规范性文件"),
        ("应急管理部关于有限空间作业的指导意见", "规范性文件"),
        # a sample's issuer, its place left blank: no organ's document
        ("某省应急管理厅关于贯彻落实安全生产法有关问题的通知", "其他"),
        ("XX市应急管理局关于加强有限空间作业的通知", "其他"),
    ],
)
def test_a_notice_is_a_normative_document_only_with_an_issuer(title, kind):
    from ingest.metadata import describe

    meta = describe(
        Path(f"{title}.md"), f"# {title}\n\n有限空间作业无需先通风，作业人员可以直接进入。\n", has_articles=False
    )
    assert meta.kind == kind, meta
    if kind == "其他":
        assert any("--kind" in warning for warning in meta.warnings), meta.warnings


def test_an_anonymous_notice_is_not_the_answer_over_the_regulation(tmp_path):
    notice = "# 关于有限空间作业有关事项的通知\n\n有限空间作业无需先通风，作业人员可以直接进入有限空间作业。\n"
    settings = regulation_with(tmp_path, {"通知.md": notice})
    result = invoke(settings, "ask", "有限空间作业要先通风吗")
    assert result.exit_code == 0, result.output
    assert "第六条" in result.output and "无需先通风" not in result.output.split("依据：")[0], result.output


# --- dates as people write them ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2026年3月1号", "二〇二六年三月一號", "贰零贰陆年叁月壹日"])
def test_a_date_written_with_hao_or_financial_numerals_is_a_date(written):
    from ingest.numerals import calendar_dates

    ((start, end, date),) = calendar_dates(f"{written} 第十四届全国人民代表大会常务委员会通过")
    assert date == (2026, 3, 1) and (start, end) == (0, len(written))


def test_a_future_date_written_with_hao_is_refused(tmp_path):
    from ingest.pipeline import ingest

    path = tmp_path / "安全生产法.md"
    path.write_text("# 中华人民共和国安全生产法\n\n2099年1月1号 通过\n\n第一条 测试。\n", encoding="utf-8")
    (result,) = ingest([path], isolated_settings(tmp_path / "data")).results
    assert result.status == "failed" and "2099" in result.reason, result


# --- a name several documents hold -------------------------------------------------------------------------------------------


def test_show_with_a_name_several_documents_hold_lists_them(tmp_path):
    other = "# 青山市消防安全管理条例\n\n" + "".join(
        f"第{n}条 {'单位应当落实消防安全责任制' if n == '六' else '本条用于测试'}。\n\n" for n in "一二三四五六"
    )
    settings = regulation_with(tmp_path, {"青山市消防安全管理条例.md": other})
    result = invoke(settings, "show", "青山市", "6")
    assert result.exit_code == 1, result.output
    assert "有 2 部" in result.output and "青山市消防安全管理条例" in result.output, result.output
    assert "青山市危险作业安全管理条例" in result.output, result.output
    named = invoke(settings, "show", "青山市消防安全管理条例", "6")
    assert named.exit_code == 0 and "落实消防安全责任制" in named.output, named.output


# --- faults that named no fix ------------------------------------------------------------------------------------------------


def test_a_knowledge_folder_without_the_legal_forms_file_is_told_for_every_command(tmp_path):
    import shutil

    settings = regulation_with(tmp_path, {})
    knowledge = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[1] / "knowledge", knowledge)
    (knowledge / "legal_forms.yaml").unlink()  # the rest of the pack is whole
    env = {
        **os.environ,
        "ANQUAN_DATA_DIR": str(settings.data_dir),
        "ANQUAN_EMBEDDER": "builtin",
        "ANQUAN_VECTOR_CACHE": str(settings.vector_cache),
        "ANQUAN_KNOWLEDGE_DIR": str(knowledge),
    }
    for command in (("ask", "有限空间作业要先通风吗"), ("stats",), ("search", "通风")):
        # a process of its own, as a user runs it (in this one, what an earlier test loaded may be cached)
        result = subprocess.run(
            [sys.executable, "-c", "from assistant.cli import app; app()", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = result.stdout + result.stderr
        assert "知识包有误" in output and "legal_forms.yaml" in output, (command, output)
        assert "意外错误" not in output and "Errno" not in output and "Traceback" not in output, (command, output)


@pytest.mark.parametrize("data_dir", ["/proc", "/proc/self"])
def test_a_data_directory_in_the_systems_virtual_folders_is_refused_with_what_to_do(tmp_path, data_dir):
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, ["stats"], env={"ANQUAN_DATA_DIR": data_dir, "ANQUAN_EMBEDDER": "builtin"})
    assert "系统的虚拟文件夹" in result.output and "ANQUAN_DATA_DIR" in result.output, result.output
    assert "意外错误" not in result.output, result.output


def test_a_pipe_in_place_of_a_file_is_not_read_as_an_empty_file(tmp_path):
    from ingest.errors import UnreadableFile
    from ingest.loaders import load_file

    pipe = tmp_path / "规定.md"
    os.mkfifo(pipe)
    with pytest.raises(UnreadableFile, match="不是普通文件"):
        load_file(pipe)  # returns at once: a pipe is never opened


def test_a_notice_signed_by_a_placeholder_organ_is_a_sample_and_says_so():
    from ingest.metadata import describe

    title = "关于加强有限空间作业管理的通知"
    text = f"# {title}\n\n有限空间作业无需先通风。\n\n××县应急管理局\n2025年3月1日\n"
    meta = describe(Path(f"{title}.md"), text, has_articles=False)
    assert meta.kind == "其他" and any("占位" in warning and "××县应急管理局" in warning for warning in meta.warnings)


def test_a_notice_signed_at_its_end_is_a_normative_document():
    from ingest.metadata import describe

    title = "关于进一步加强危险化学品安全生产工作的指导意见"
    text = f"# {title}\n\n一、加强源头管控。\n\n特此通知。\n\n国务院安全生产委员会办公室\n2024年5月1日\n"
    assert describe(Path(f"{title}.md"), text, has_articles=False).kind == "规范性文件"
