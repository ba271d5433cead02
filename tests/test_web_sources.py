"""How an answer and its sources are rendered for the chat (no browser): [n] markers become links to the
source entries, the quoted text is found in the article line by line (a quoted list included), and the
sources are listed once (as the entries, not again in the answer text)."""

from __future__ import annotations

from assistant.answer import Answer, Source
from assistant.web.sources import (
    RELATED_POINTER,
    SOURCES_POINTER,
    answer_content,
    highlight_spans,
    link_markers,
    marked_text,
    quoted_clauses,
)
from ingest.store import StoredChunk

ARTICLE = (
    "第七条 危险作业现场应当落实下列安全措施：\n"
    "（一）设置明显的安全警示标志和隔离区域；\n"
    "（二）作业前对作业人员进行安全技术交底；\n"
    "（三）配备与作业风险相适应的劳动防护用品。"
)


def article(number: str, title: str = "青山市危险作业安全管理条例") -> StoredChunk:
    return StoredChunk(
        f"c{number}",
        f"{number} 正文",
        {"doc_id": title, "title": title, "unit": "article", "article": number, "heading_path": "第二章 作业管理"},
    )


def spans_text(text: str, quotes: list[str]) -> list[str]:
    return [text[start:end] for start, end in highlight_spans(text, quotes)]


# --- [n] markers ------------------------------------------------------------------------------------


def test_markers_naming_a_source_become_links_to_it():
    linked = link_markers("先通风、再检测、后作业[1][2]，见[3]。", {1, 2})
    assert linked.count('class="cite-ref"') == 2
    assert '<a href="#source-1" class="cite-ref" title="展开出处 [1]">[1]</a>' in linked
    assert '<a href="#source-2" class="cite-ref" title="展开出处 [2]">[2]</a>' in linked
    assert linked.endswith("，见[3]。")  # no source [3] below: left as it is


def test_answer_text_is_escaped_before_markers_are_linked():
    answer = Answer(
        "问",
        "<script>alert(1)</script>应当审批[1]\n\n依据：\n[1] 《条例》第四条",
        False,
        [Source(1, StoredChunk("c", "x", {"title": "条例", "unit": "article", "article": "第四条"}))],
    )
    content = answer_content(answer)
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert '<a href="#source-1" class="cite-ref"' in content


# --- the sources once ----------------------------------------------------------------------------------


def test_the_basis_list_is_not_repeated_above_the_source_entries():
    first, second = article("第六条"), article("第五条之一")
    sources = [Source(1, first), Source(2, second)]
    text = "\n".join(
        [
            "依据《青山市危险作业安全管理条例》第六条，先通风。",
            "- 第六条 先通风、再检测、后作业。[1]",
            "- 第五条之一 签订安全生产管理协议。[2]",
            "",
            "依据：",
            f"[1] {sources[0].citation}",
            f"[2] {sources[1].citation}",
        ]
    )
    content = answer_content(Answer("问", text, False, sources))
    assert sources[0].citation not in content and sources[1].citation not in content
    assert "\n依据：" not in content
    assert content.endswith(SOURCES_POINTER)
    assert content.startswith("依据《青山市危险作业安全管理条例》第六条，先通风。")  # the lead stays


def test_llm_notes_after_the_basis_list_stay():
    source = Source(1, article("第六条"))
    text = f"应当先通风“先通风、再检测、后作业”[1]。\n\n依据：\n[1] {source.citation}\n\n核验：引文均已核对"
    content = answer_content(Answer("问", text, False, [source]))
    assert "核验：引文均已核对" in content and source.citation not in content
    assert content.index("核验") < content.index(SOURCES_POINTER)


def test_an_abstention_lists_the_related_articles_only_as_entries():
    related = [article("第四条"), article("第八条")]
    from assistant.citations import citation

    text = "\n".join(
        [
            "知识库中未找到依据：已入库的法规和方案中没有能直接回答这个问题的条文。",
            "可能相关：",
            *(f"- {citation(c)}" for c in related),
        ]
    )
    content = answer_content(Answer("问", text, True, [], related))
    assert "可能相关：" not in content and "第四条" not in content
    assert content.startswith("知识库中未找到依据") and content.endswith(RELATED_POINTER)
    assert "cite-ref" not in content


def test_an_answer_without_sources_gets_no_pointer():
    assert (
        answer_content(Answer("问", "知识库中未找到依据：知识库还是空的。", True))
        == "知识库中未找到依据：知识库还是空的。"
    )


# --- what is highlighted ---------------------------------------------------------------------------------


def test_a_quoted_list_is_quoted_line_by_line():
    text = "\n".join(
        [
            "依据《条例》第七条，危险作业现场应当落实下列安全措施。",
            "- 第七条 危险作业现场应当落实下列安全措施：",
            "  （一）设置明显的安全警示标志和隔离区域；",
            "  ……",
            "  （三）配备与作业风险相适应的劳动防护用品。[1]",
            "- 第八条 处二万元以上五万元以下的罚款。[2]",
            "",
            "依据：",
            "[1] 《条例》第七条",
        ]
    )
    quoted = quoted_clauses(Answer("问", text, False))
    assert quoted[1] == [
        "第七条 危险作业现场应当落实下列安全措施：",
        "（一）设置明显的安全警示标志和隔离区域；",
        "（三）配备与作业风险相适应的劳动防护用品。",
    ]
    assert quoted[2] == ["第八条 处二万元以上五万元以下的罚款。"]


def test_a_bullet_without_a_marker_quotes_nothing():
    text = "- 关于“罚款”：知识库中未找到依据，已入库的条文中没有相应的数量或期限规定。\n- 第五条 每半年组织一次演练。[1][2]"
    quoted = quoted_clauses(Answer("问", text, False))
    assert quoted == {1: ["第五条 每半年组织一次演练。"], 2: ["第五条 每半年组织一次演练。"]}


def test_an_llm_quotation_is_quoted_for_its_markers():
    quoted = quoted_clauses(Answer("问", "有限空间作业必须“先通风、再检测、后作业”[2]，“三同时”[1]。", False))
    assert quoted == {2: ["先通风、再检测、后作业"]}  # “三同时” is a term, too short to look for


def test_each_line_of_a_quoted_list_is_highlighted_on_its_own():
    quotes = [
        "第七条 危险作业现场应当落实下列安全措施：",
        "（一）设置明显的安全警示标志和隔离区域；",
        "（二）作业前对作业人员进行安全技术交底；",
        "（三）配备与作业风险相适应的劳动防护用品。",
    ]
    assert spans_text(ARTICLE, quotes) == ARTICLE.split("\n")
    # one quote running over the list's lines is still marked line by line, never across a break
    assert spans_text(ARTICLE, [ARTICLE.replace("\n", "")]) == ARTICLE.split("\n")


def test_highlighting_ignores_spacing_and_follows_an_ellipsis():
    spaced = "第六条  有限空间作业应当坚持先通风、再检测、后作业，\n检测合格后方可进入。"
    assert spans_text(spaced, ["第六条 有限空间作业应当坚持先通风"]) == ["第六条  有限空间作业应当坚持先通风"]
    assert spans_text(spaced, ["坚持先通风……检测合格后方可进入"]) == ["坚持先通风", "检测合格后方可进入"]
    assert highlight_spans(spaced, ["不在条文里的话"]) == []


def test_marks_are_escaped_text_and_never_cross_a_line():
    text = "第一条 <b>粗</b>条文\n第二款"
    marked = marked_text(text, ["<b>粗</b>条文第二款"])
    assert marked == "第一条 <mark>&lt;b&gt;粗&lt;/b&gt;条文</mark>\n<mark>第二款</mark>"
    assert all(line.count("<mark>") == line.count("</mark>") for line in marked.split("\n"))
