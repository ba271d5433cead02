"""What a drafted plan cites, on a small hand-built library: a task cites the articles about what it is about, not
an article that merely shares 检查 or 运输 with it, nor a rule made for another field (a coal-mine rule for a holiday
duty roster); a task no article is about says so; a local plan is cited as 参考 and listed apart from the law; a
second-quarter plan names no autumn or winter work and every festival it lists as a time node has its tasks; the
Word file carries 公文 page numbers “— n —”."""

from __future__ import annotations

import re

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from assistant.draft import NO_BASIS, PlanDraft, draft_plan
from assistant.draft.builder import _seasonal_groups, out_of_season
from assistant.draft.docx import write_plan_docx
from assistant.draft.period import parse_period
from assistant.pack import KnowledgePack, SeasonalFocus
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

HOLIDAY_RULES = """# 青山市节假日安全管理条例

2024年1月1日青山市第十届人民代表大会常务委员会第三次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 为了加强节假日期间安全管理，预防生产安全事故，制定本条例。

第二条 本市行政区域内节假日期间的安全管理，适用本条例。

## 第二章 安全措施

第三条 商场、宾馆、旅游景区等人员密集场所的经营单位应当在节假日前开展消防安全检查，保障疏散通道、安全出口畅通。

第四条 易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位，以及宾馆、商场、旅游景区等人员密集场所经营单位，应当至少每半年组织一次生产安全事故应急救援预案演练。

第五条 在重大节假日期间，区、县人民政府应当组织开展有针对性的消防宣传教育，采取防火措施，进行消防安全检查。

第六条 举办庙会、灯会、龙舟赛等大型群众性活动，承办者应当制订安全工作方案，落实消防安全措施和应急救援预案。

第七条 本条例自2024年1月1日起施行。
"""

COAL_RULES = """# 煤矿安全生产条例

2024年1月24日 中华人民共和国国务院令第774号公布

<!-- INFO END -->

## 第一章 总则

第一条 为了加强煤矿安全生产工作，制定本条例。

第二条 在中华人民共和国领域内从事煤矿生产活动，适用本条例。

## 第二章 煤矿企业的安全生产责任

第三条 煤矿企业应当建立健全领导带班制度，落实24小时值班，并严格考核。
"""

DISTRICT_PLAN = """青山区第二季度安全生产工作计划

一、工作措施

加强对辖区内各类交通工具的超载超速、客货混载、非法营运的检查，严禁农用车载人。

节前组织对商场、宾馆、景区等人员密集场所开展消防安全检查。
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> KnowledgeBase:
    """A local holiday-safety regulation, a coal-mine rule made for another field, and a district plan."""
    folder = tmp_path_factory.mktemp("draft-library")
    (folder / "青山市节假日安全管理条例(2024-01-01).md").write_text(HOLIDAY_RULES, encoding="utf-8")
    (folder / "煤矿安全生产条例(2024-01-24).md").write_text(COAL_RULES, encoding="utf-8")
    (folder / "青山区第二季度安全生产工作计划.txt").write_text(DISTRICT_PLAN, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("draft-index"), embedder="builtin")
    ingest([folder], settings)
    return KnowledgeBase(settings)


@pytest.fixture(scope="module")
def second_quarter(library) -> PlanDraft:
    return draft_plan(library, "quarterly", "2025Q2", "青山区", region="青山市")


def _item(draft: PlanDraft, words: str):
    found = [item for item in draft.task_items if item.text.startswith(words)]
    assert found, f"no task starts with {words}"
    return found[0]


def _articles(draft: PlanDraft, item) -> list[str]:
    return [draft.source(n).citation for n in item.citations if draft.source(n).is_article]


def test_a_task_cites_the_article_on_its_subject_not_one_that_shares_a_word(second_quarter):
    draft = second_quarter
    fire_check = _item(draft, "节前对景区、商场、宾馆等人员密集场所开展安全和消防检查")
    cited = _articles(draft, fire_check)
    assert any("第三条" in c for c in cited), fire_check.text  # the fire check of crowded places
    assert not any("第四条" in c for c in cited), fire_check.text  # the drills of the same places: another duty
    roster = _item(draft, "落实节日期间领导带班")
    assert not any("煤矿" in c for c in _articles(draft, roster)), roster.text  # a coal-mine rule, another field
    for item in draft.task_items:  # no task of this district plan is a coal-mine task
        assert not any("煤矿" in c for c in _articles(draft, item)), item.text


def test_a_task_no_article_is_about_says_so_instead_of_borrowing_one(second_quarter):
    draft = second_quarter
    for words in ("加强假日运输车辆检查", "加强出行高峰道路交通安全检查"):
        item = _item(draft, words)  # the library has no road-transport rule; 第四条 names 运输单位, 第五条 检查
        assert item.no_basis and f"（{NO_BASIS}" in item.text, item.text
        assert _articles(draft, item) == [], item.text
    assert any("暂无直接对应" in note for note in draft.notes)


def test_a_local_plan_is_cited_as_reference_and_listed_apart_from_the_law(second_quarter):
    draft = second_quarter
    transport = _item(draft, "加强假日运输车辆检查")
    plans = [draft.source(n) for n in transport.citations if not draft.source(n).is_article]
    assert plans and all(s.role == "参考" for s in plans), transport.text
    assert "参考《青山区第二季度安全生产工作计划》" in transport.text and "依据《青山区" not in transport.text
    for item in draft.task_items:  # a plan passage never stands where the basis is named
        basis = re.search(r"（依据(.*?)(?:；参考|）$)", item.text)
        if basis:
            assert "安全生产工作计划" not in basis.group(1), item.text
    text = draft.to_markdown()
    basis, reference = text.index("\n## 依据\n"), text.index("\n## 参考")
    assert basis < reference
    assert "安全生产工作计划》" not in text[basis:reference]  # the 依据 list holds the law only
    assert "安全生产工作计划》" in text[reference:]
    numbers = [s.number for s in draft.sources]
    assert numbers == sorted(numbers) and all(s.is_article for s in draft.sources[: len(draft.basis_sources)])


def test_a_second_quarter_plan_names_no_season_outside_it_and_every_time_node_has_its_tasks(second_quarter):
    draft = second_quarter
    seasons = KnowledgePack(Settings().knowledge_dir).plan_templates.seasons
    text = draft.to_markdown()
    for word, months in seasons.items():
        if not set(months) & {4, 5, 6}:
            assert word not in text, word  # 秋收, 秋季, 冬季 … have no place in April–June
    assert "秋" not in text
    schedule = next(s for s in draft.sections if s.schedule)
    nodes = re.findall(r"[、：]([^、：（]+)（\d+月\d+日）", schedule.paragraphs[0])
    assert {"清明", "五一", "端午"} <= set(nodes)
    groups = {child.title.strip("“”") for s in draft.sections if s.tasks for child in s.children}
    for node in nodes:
        assert node in groups, (node, groups)


def test_authored_seasonal_items_are_kept_to_their_season():
    plans = KnowledgePack(Settings().knowledge_dir).plan_templates
    mixed = SeasonalFocus(
        id="harvest-test",
        name="农忙测试",
        months=[4, 5, 6, 9, 10],
        hazards=["农机事故"],
        sectors=["农业"],
        tasks=["开展春耕春播安全检查", "开展秋收秋种安全检查"],
        basis=[{"doc": "消防法", "article": "第三十一条"}],
    )
    autumn = SeasonalFocus(
        id="autumn-test",
        name="秋季测试",
        months=[5, 6, 9],
        hazards=["火灾"],
        sectors=["农业"],
        tasks=["做好防火检查"],
        basis=[{"doc": "消防法", "article": "第三十一条"}],
    )
    plans = plans.model_copy(update={"calendar": [*plans.calendar, mixed, autumn]})
    q2 = parse_period(plans, "quarterly", "2025Q2")
    groups = {g.title: g for g in _seasonal_groups(plans, q2, "quarterly")}
    assert groups["农忙测试"].tasks == ["开展春耕春播安全检查"]  # the autumn task stays out of April–June
    assert "秋季测试" not in groups  # an item named for autumn stays out whole
    assert out_of_season(plans, "开展秋收秋种安全检查", q2) == ["秋收", "秋种"]
    q3 = parse_period(plans, "quarterly", "2025Q3")
    assert out_of_season(plans, "汛前排查水库", q3) == ["汛前"]
    assert "端午" in {g.title for g in _seasonal_groups(plans, q2, "quarterly")}  # 5月31日 in 2025: its own tasks


def test_the_word_file_has_official_page_numbers_in_the_footer(second_quarter, tmp_path):
    document = docx.Document(str(write_plan_docx(second_quarter, tmp_path / "plan.docx")))
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    assert paragraph.text == "— 1 —"
    assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    xml = paragraph._p
    assert [c.get(f"{w}fldCharType") for c in xml.iter(f"{w}fldChar")] == ["begin", "separate", "end"]
    assert [t.text.strip() for t in xml.iter(f"{w}instrText")] == ["PAGE"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "依据" in headings and "参考" in headings and headings.index("依据") < headings.index("参考")
