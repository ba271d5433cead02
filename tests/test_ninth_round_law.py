"""Hostile round 9 (issue 16, class 4): a law is its text, not its title. A document repeating the wording of a
legal text in force under a title of its own — one look-alike character (中华人民共和囯, 圀, ㊥), a made-up
suffix — would stand beside the real law as a second text in force and be cited; it is held 待确认 like a newer
version, from the command line and from a web upload. Distinct texts on one subject are not held, and a copy of a
law is not a reason to hold a plan."""

from __future__ import annotations

import pytest
from conftest import CORPUS, needs_corpus
from test_law_integrity import REAL, REAL_ID, assert_the_real_law_holds, curated, write  # noqa: F401 - a fixture

from ingest.knowledge_base import KnowledgeBase
from ingest.likeness import SAME_TEXT, similarity, sketch
from ingest.pipeline import ingest
from ingest.store import ORIGIN_UPLOAD

pytestmark = pytest.mark.usefixtures("curated")  # the real law, ingested by the administrator

DUTY = "从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员"
NO_DUTY = "均不需要设置安全生产管理机构，也不需要配备安全生产管理人员"


def copy_titled(title: str) -> str:
    """The real law with another title and its article 24 turned around."""
    return REAL.replace("# 中华人民共和国安全生产法", f"# {title}").replace(DUTY, NO_DUTY)


@pytest.mark.parametrize(
    ("title", "origin"),
    [
        ("中华人民共和囯安全生产法", ORIGIN_UPLOAD),
        ("中华人民共和圀安全生产法", ""),
        ("中华人民共和国安仝生产法", ORIGIN_UPLOAD),
        ("㊥华人民共和国安全生产法修订本", ""),
    ],
)
def test_a_copy_of_a_law_in_force_under_a_look_alike_title_is_held(settings, tmp_path, title, origin):
    path = write(tmp_path / "incoming", "安全生产法新版.md", copy_titled(title))
    report = ingest([path], settings, origin=origin)
    assert report.results[0].status == "added", report.results
    record = KnowledgeBase(settings).documents()["安全生产法新版"]
    assert record.pending and record.held_over == [REAL_ID] and not record.in_force, record
    note = next(n for n in report.notes if "安全生产法新版" in n)
    assert f"与现行的《中华人民共和国安全生产法》（{REAL_ID}）内容基本相同而标题不同：已暂缓，待管理员确认" in note
    assert_the_real_law_holds(settings)


def test_a_held_copy_is_in_force_once_the_administrator_confirms_it(settings, tmp_path):
    path = write(tmp_path / "incoming", "安全生产法新版.md", copy_titled("中华人民共和囯安全生产法"))
    ingest([path], settings, origin=ORIGIN_UPLOAD)
    ingest([path], settings, confirm_supersede=True)
    record = KnowledgeBase(settings).documents()["安全生产法新版"]
    assert record.in_force and not record.pending


def test_another_text_on_the_same_subject_is_not_held(settings, tmp_path):
    other = """# 青山市安全生产条例

第一条 为了加强本市安全生产工作，防止和减少生产安全事故，根据《中华人民共和国安全生产法》，结合本市实际，制定本条例。

第二条 本市生产经营单位的安全生产，适用本条例。

第十条 生产经营单位从业人员超过五十人的，应当设置安全生产管理机构或者配备专职安全生产管理人员。

第三十条 本条例自2024年1月1日起施行。
"""
    path = write(tmp_path / "incoming", "青山市安全生产条例(2024-01-01).md", other)
    ingest([path], settings, origin=ORIGIN_UPLOAD)
    record = KnowledgeBase(settings).documents()["青山市安全生产条例(2024-01-01)"]
    assert record.in_force and not record.pending


def test_likeness_reads_the_wording_not_its_spelling():
    law = REAL * 3
    assert similarity(sketch([law]), sketch([law.replace("安全", "安\u200b全").replace("生产", "生\ufe00产")])) == 1.0
    assert similarity(sketch([law]), sketch([law.replace("国", "國").replace("产", "產")])) == 1.0  # script
    assert similarity(sketch([law]), sketch(["第一条 本规定适用于本市行政区域内的道路交通管理。" * 3])) < SAME_TEXT
    assert sketch(["短"]) == [] and similarity([], sketch([law])) == 0.0


@pytest.mark.parametrize(
    "item",
    [
        "一、中华人民共和国安全生产法（2002年6月29日第九届全国人民代表大会常务委员会第二十八次会议通过）",
        "1. 《安全生产法》",
    ],
)
def test_a_decision_listing_the_texts_it_repeals_without_quotes_is_held(settings, tmp_path, item):
    """The State Council's form: 对下列……予以废止： and a list naming each text, no 《》 (rt9 L7)."""
    decision = f"""# 全国人民代表大会常务委员会关于废止部分法律的决定

为了全面推进依法行政，决定：

对下列法律予以废止：

{item}

二、青山市不存在的规定（2010年发布）

本决定自公布之日起施行。
"""
    path = write(tmp_path / "incoming", "关于废止部分法律的决定(2025-01-01).md", decision)  # the issuer in its title
    report = ingest([path], settings, origin=ORIGIN_UPLOAD)
    record = KnowledgeBase(settings).documents()["关于废止部分法律的决定(2025-01-01)"]
    assert record.pending and record.held_over == [REAL_ID], record
    assert any(f"将废止现行的《中华人民共和国安全生产法》（{REAL_ID}）" in n for n in report.notes), report.notes
    assert_the_real_law_holds(settings)


def test_a_list_of_cases_is_no_list_of_repealed_texts():
    from ingest.repeal import repeal_claims

    assert (
        repeal_claims([("第九条", "有下列情形之一的，许可证予以废止：\n（一）安全生产法规定的条件不再具备的；")]) == []
    )
    listed = repeal_claims(
        [("", "下列规章同时废止：\n1. 《青山市动火作业管理办法》"), ("", "2. 青山市有限空间作业规定")]
    )
    assert [c.name for c in listed] == ["青山市动火作业管理办法", "青山市有限空间作业规定"]


@pytest.mark.parametrize("kept", ["下列行政法规不予废止：", "下列行政法规拟予废止：", "下列规章暂不废止："])
def test_a_list_kept_in_force_or_only_proposed_repeals_nothing(kept):
    """rt10 RF2, RF3: 不予废止 (kept) and 拟予废止 (a draft for comment) were read as repeals and held the law."""
    from ingest.repeal import repeal_claims

    assert repeal_claims([("", f"{kept}\n一、青山市动火作业管理办法（2010年发布）")]) == []
    assert repeal_claims([("", f"{kept}\n| 序号 | 名称 |\n|---|---|\n| 1 | 青山市动火作业管理办法 |")]) == []


@pytest.mark.parametrize(
    "items",
    [
        "\n1）青山市动火作业管理办法（2010年发布）\n2）青山市有限空间作业规定",
        "\n①青山市动火作业管理办法（2010年发布）\n②青山市有限空间作业规定",
        "一、青山市动火作业管理办法（2010年发布）；二、青山市有限空间作业规定。",
        "\n\n| 序号 | 名称 | 公布日期 |\n|---|---|---|\n| 1 | 青山市动火作业管理办法 | 2010年 |\n"
        "| 2 | 《青山市有限空间作业规定》（青山市人民政府令第3号） | 2012年 |\n",
        "\n序号 | 名称 | 公布日期\n一 | 青山市动火作业管理办法（2010年发布） | 2010年\n二 | 青山市有限空间作业规定 | 2012年",
    ],
    ids=["paren", "circled", "inline", "markdown-table", "word-table"],
)
def test_a_repeal_list_is_read_however_its_items_are_numbered(items):
    """rt10 RA1–RA4: 1）, ①, items on the announcing line and the rows of a table were not read."""
    from ingest.repeal import repeal_claims

    listed = repeal_claims([("", f"对下列规章予以废止：{items}\n本决定自公布之日起施行。")])
    assert [c.name for c in listed] == ["青山市动火作业管理办法", "青山市有限空间作业规定"]


def test_texts_accepted_before_are_not_held_when_the_library_is_read_anew(settings, tmp_path, monkeypatch):
    """A new PIPELINE_VERSION changes every content hash: a confirmed copy and the law are not held over each other."""
    from ingest import walk

    path = write(tmp_path / "incoming", "安全生产法新版.md", copy_titled("中华人民共和囯安全生产法"))
    ingest([path], settings, origin=ORIGIN_UPLOAD)
    ingest([path], settings, confirm_supersede=True)
    monkeypatch.setattr(walk, "PIPELINE_VERSION", walk.PIPELINE_VERSION + "-next")
    ingest([tmp_path / "laws", path], settings)
    documents = KnowledgeBase(settings).documents()
    assert documents[REAL_ID].in_force and documents["安全生产法新版"].in_force
    assert not documents[REAL_ID].pending and not documents["安全生产法新版"].pending


@needs_corpus
def test_distinct_regulations_of_the_corpus_stay_below_the_copy_threshold():
    """Where SAME_TEXT comes from: no two regulations of the shared corpus with different names (the work-safety
    law and its local rules, the special-equipment law and its older regulation) share half their wording."""
    import re

    laws = sorted((CORPUS / "regulations").glob("*.md"))
    sketches = {path.stem: sketch([path.read_text(encoding="utf-8")]) for path in laws}
    name = {stem: re.sub(r"\(.*", "", stem) for stem in sketches}
    closest = max(
        similarity(sketches[a], sketches[b]) for a in sketches for b in sketches if a < b and name[a] != name[b]
    )
    assert 0 < closest < SAME_TEXT, closest


@pytest.mark.parametrize(
    "sentence",
    ["国务院决定：废止《事故报告条例》。", "现决定废止《事故报告条例》和《青山市动火作业管理办法》。"],
)
def test_a_decision_whose_verb_comes_before_the_names_repeals_them_by_any_name_the_pack_knows(sentence):
    """rt11 LR6: 废止《事故报告条例》 (the verb first, the text by its common short name) was no repeal."""
    from ingest.repeal import NameIndex, repeal_claims
    from ingest.store import DocumentRecord

    claims = repeal_claims([("", sentence)])
    assert claims and claims[0].name == "事故报告条例"
    regulation = DocumentRecord(
        doc_id="生产安全事故报告和调查处理条例(2007-04-09)",
        source="x.md",
        hash="h",
        title="生产安全事故报告和调查处理条例",
        kind="行政法规",
        region="全国",
        date="2007-04-09",
        version_key="生产安全事故报告和调查处理条例",
        chunk_count=1,
    )
    names = NameIndex([regulation], {"生产安全事故报告和调查处理条例": ["493号令", "事故报告条例"]})
    assert names.named(claims[0]) == [regulation]


@pytest.mark.parametrize("sentence", ["不得擅自废止《事故报告条例》。", "建议废止《事故报告条例》。"])
def test_a_repeal_not_decided_names_nothing(sentence):
    from ingest.repeal import repeal_claims

    assert repeal_claims([("", sentence)]) == []
