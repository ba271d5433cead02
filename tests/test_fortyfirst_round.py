"""Round 41: a coal mine's duties in the self-check rest on the regulation in force (test_thirtyninth_round); a
focus named more narrowly than the pack's topic (煤矿 for 矿山) names its special regulation's field, and 非煤矿山
names no 煤矿; a compound term written out as a list of its parts (不得超层、越界开采) is held by the passage; a mine's
own plan lists its own duties; a quote never begins inside the list naming whom a duty binds; an LLM draft that
declines keeps the offline outline; goods or services for an industry are not the industry; a pack citation follows
its article's wording into an amended version; a sanction's term is no duty's period; a validity asked is the named
document's."""

from __future__ import annotations

import pytest
import test_llm_hostile
from fake_openai import FakeOpenAI
from test_draft_citations import COAL_RULES, HOLIDAY_RULES
from test_llm_hostile import _settings

from assistant.draft import draft_plan
from assistant.draft.llm import PlanWriter
from assistant.retrieval.coverage import coverage
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

BOUNDS = "第四条 煤矿企业应当在依法确定的开采范围内进行生产，不得超层、越界开采。\n"
TASK = "严查超层越界开采等违法行为"  # the pack's mining topic


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("coal-library")
    (folder / "青山市节假日安全管理条例(2024-01-01).md").write_text(HOLIDAY_RULES, encoding="utf-8")
    (folder / "煤矿安全生产条例(2024-01-24).md").write_text(f"{COAL_RULES}\n{BOUNDS}", encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("coal-index"), embedder="builtin")
    ingest([folder], settings)
    return KnowledgeBase(settings)


def _cited(library: KnowledgeBase, focus: str) -> list[str]:
    draft = draft_plan(library, "campaign", "2025", "青山区", focus=[focus])
    (item,) = [i for i in draft.task_items if i.text.startswith(TASK)]
    return [draft.source(n).citation for n in item.citations if draft.source(n).is_article]


def test_a_coal_mine_campaign_rests_the_mining_tasks_on_the_coal_regulation(library):
    cited = _cited(library, "煤矿")
    assert any("煤矿安全生产条例" in c and "第四条" in c for c in cited), cited


def test_a_campaign_on_mines_other_than_coal_does_not_cite_the_coal_regulation(library):
    assert not any("煤矿" in c for c in _cited(library, "非煤矿山"))


def test_a_compound_written_out_as_a_list_of_its_parts_is_held():
    assert coverage("煤矿企业不得超层、越界开采。", {"超层越界开采": 1.0}) == 1.0
    assert coverage("煤矿企业不得超层开采。", {"超层越界开采": 1.0}) == 0.0
    # two characters across a list mark are two items, not a word (机械、电气: no 械电)
    assert coverage("检查机械、电气设备。", {"械电": 1.0}) == 0.0


def test_a_mines_own_plan_lists_its_own_duties_not_a_regulators_checks(library):
    """An enterprise's plan with a mining focus carries what the mine does (采取预防措施, 对职工进行安全教育), not
    what a district does to mines (检查矿山企业…, 督促矿山企业…)."""
    draft = draft_plan(library, "quarterly", "2025Q3", "企业", focus=["煤矿"])
    groups = [child for section in draft.sections for child in section.children]
    (mining,) = [g for g in groups if g.title == "矿山"] or [None]
    assert mining is not None, [g.title for g in groups]
    texts = [item.text for item in mining.items]
    assert texts and not any(t.startswith(("检查", "督促", "严查")) for t in texts), texts
    assert any("对职工进行安全教育" in t for t in texts), texts


def test_a_quote_never_begins_inside_the_list_naming_whom_the_duty_binds():
    """……运输单位应当成立应急处置技术组 would bind every 运输单位: the quote begins with the whole subject (规模较大、
    危险性较高的…), and a clause too long for that is still cut as before."""
    from assistant.draft.sources import shorten

    duty = "规模较大、危险性较高的易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位应当成立应急处置技术组，实行24小时应急值班。"
    quoted = shorten(duty, focus="值班")
    assert quoted.startswith("规模较大、危险性较高的") and quoted.endswith("实行24小时应急值班"), quoted
    longer = "、".join(f"第{n}类单位" for n in range(1, 30)) + "应当实行24小时应急值班。"
    assert shorten(longer, focus="值班").startswith("……"), shorten(longer, focus="值班")


# --- LLM drafting: a reply that declines or drops the tasks keeps the offline outline -----------------------------

data_dir = test_llm_hostile.data_dir  # the hostile library (a law, a regulation), built once for this module

DECLINES = {
    "declines": "知识库中未找到依据。",
    "prose only": "本部分要求各单位高度重视，切实抓好危险作业安全管理，确保安全形势稳定。",
}


@pytest.mark.parametrize("reply", list(DECLINES.values()), ids=list(DECLINES))
def test_an_llm_draft_keeps_the_offline_tasks_when_the_model_declines_or_lists_none(data_dir, reply):
    draft = draft_plan(KnowledgeBase(_settings(data_dir)), "campaign", "2025-06", "青山区", focus=["危险作业"])
    offline = [item.text for item in draft.task_items]
    opening = draft.sections[0].paragraphs + [item.text for item in draft.sections[0].items]
    assert offline and opening and any(item.citations for item in draft.task_items)
    with FakeOpenAI(lambda messages: reply) as server:
        PlanWriter(_settings(data_dir, server.base_url)).rewrite(draft)
    assert server.requests
    assert [item.text for item in draft.task_items] == offline, [item.text for item in draft.task_items]
    if reply == DECLINES["declines"]:  # a section of prose is kept too when the model declines it
        assert draft.sections[0].paragraphs + [item.text for item in draft.sections[0].items] == opening
    assert any("保留离线稿" in note for note in draft.notes), draft.notes


# --- self-check: goods and services for an industry are not the industry -------------------------------------------


@pytest.mark.parametrize(
    ("field", "description", "industries", "said"),
    [
        ("煤矿设备销售", "", {"其他"}, "是为煤矿提供的设备、材料或服务"),
        ("建筑设计院", "", {"其他"}, "不按建筑施工列出义务"),
        ("化工设备制造", "", {"其他"}, "不按危险化学品生产列出义务"),
        ("建筑材料销售", "", {"其他"}, "是为建筑施工提供"),
        ("", "我们公司主要销售煤矿设备和配件", {"其他"}, ""),
        # the industry itself, and work done in it, are still read as before
        ("建筑施工", "", {"建筑施工"}, ""),
        ("建筑劳务", "", {"建筑施工"}, ""),
        ("煤矿（井工）", "", {"煤矿"}, ""),
        ("化工", "生产甲醇", {"危险化学品生产"}, ""),
    ],
)
def test_goods_or_services_for_an_industry_are_not_the_industry(field, description, industries, said):
    from assistant.pack import KnowledgePack
    from assistant.selfcheck.profile import read_profile

    profile = read_profile(KnowledgePack(Settings().knowledge_dir), field, 50, description=description)
    assert profile.industries == industries, profile
    assert not said or any(said in note for note in profile.notes), profile.notes


def test_a_design_institute_keeps_its_own_duties():
    from assistant.pack import KnowledgePack
    from assistant.selfcheck.profile import read_profile

    profile = read_profile(KnowledgePack(Settings().knowledge_dir), "建筑设计院", 50)
    assert "survey_design" in profile.flags and "建筑施工" not in profile.industries


# --- a pack citation follows its article's wording into an amended version ------------------------------------------

OLD_LAW = """# 中华人民共和国测试安全法

<!-- INFO END -->

第一条 为了测试，制定本法。

第二条 在中华人民共和国领域内从事生产经营活动的单位的安全生产，适用本法。

第三条 生产经营单位应当建立健全全员安全生产责任制，明确各岗位的责任人员、责任范围和考核标准。

第四条 生产经营单位应当对从业人员进行安全生产教育和培训，保证从业人员具备必要的安全生产知识。

第五条 生产经营单位应当每年向职工代表大会公布本单位安全生产投入的使用情况。
"""
NEW_LAW = """# 中华人民共和国测试安全法

<!-- INFO END -->

第一条 为了测试，制定本法。

第二条 在中华人民共和国领域内从事生产经营活动的单位的安全生产，适用本法。

第三条 生产经营单位应当建立安全风险分级管控制度，按照安全风险分级采取相应的管控措施。

第四条 生产经营单位应当建立健全并落实全员安全生产责任制，明确各岗位的责任人员、责任范围和考核标准。

第五条 生产经营单位应当对从业人员进行安全生产教育和培训，保证从业人员具备必要的安全生产知识。
"""


TEST_DUTIES = """
  - id: test-amended-responsibility
    theme: 责任与制度
    duty: 建立健全全员安全生产责任制，明确各岗位的责任人员、责任范围和考核标准。
    applies: {industry: [煤矿]}
    basis: [{doc: 测试安全法, article: 第三条}]
    check: 是否建立健全全员安全生产责任制？
    evidence: [全员安全生产责任制]
  - id: test-amended-disclosure
    theme: 责任与制度
    duty: 每年向职工代表大会公布安全生产投入的使用情况。
    applies: {industry: [煤矿]}
    basis: [{doc: 测试安全法, article: 第五条}]
    check: 是否每年向职工代表大会公布安全生产投入的使用情况？
    evidence: [职代会会议记录]
"""


@pytest.fixture(scope="module")
def amended(tmp_path_factory) -> tuple[Settings, Settings]:
    """The law, then its amendment (an article inserted as 第三条, the old 第五条 dropped) confirmed over it; settings
    with the pack written against the old version, and with the real pack (which does not know the law)."""
    import shutil

    base = tmp_path_factory.mktemp("amended")
    knowledge = base / "knowledge"
    shutil.copytree(Settings().knowledge_dir, knowledge)
    with (knowledge / "cited_versions.yaml").open("a", encoding="utf-8") as versions:
        versions.write("  测试安全法: 2020-01-01\n")
    with (knowledge / "obligations" / "sectors.yaml").open("a", encoding="utf-8") as sectors:
        sectors.write(TEST_DUTIES)
    settings = Settings(data_dir=base / "data", embedder="builtin", knowledge_dir=knowledge)
    for name, text in (("测试安全法(2020-01-01).md", OLD_LAW), ("测试安全法(2025-01-01).md", NEW_LAW)):
        path = base / name
        path.write_text(text, encoding="utf-8")
        ingest([path], settings, confirm_supersede=True)
    return settings, settings.model_copy(update={"knowledge_dir": Settings().knowledge_dir})


@pytest.mark.parametrize(
    ("cited", "found"),
    [("第三条", "第四条"), ("第四条", "第五条"), ("第二条", "第二条"), ("第五条", None)],
    ids=["renumbered-and-amended", "renumbered", "unchanged", "dropped"],
)
def test_a_pack_citation_follows_its_articles_wording_into_the_version_in_force(amended, cited, found):
    from assistant.citations import resolve_citation
    from assistant.pack import Citation

    kb = KnowledgeBase(amended[0])
    hit = resolve_citation(kb, Citation(doc="测试安全法", article=cited))
    assert (hit.chunks[0].article if hit else None) == found
    assert hit is None or hit.document.in_force and hit.document.date == "2025-01-01"


def test_no_two_articles_of_a_law_are_alike_enough_to_be_taken_for_one(corpus_index):
    """SAME_ARTICLE is above the likeness of any two different articles of one law (0.61 in 安全生产法, 0.77 between
    消防法's penalty articles): a citation followed into an amended text is never taken for another article."""
    from difflib import SequenceMatcher

    from assistant.citations import _wordings
    from ingest.likeness import SAME_ARTICLE

    kb = KnowledgeBase(corpus_index[0])
    for title in ("安全生产法", "消防法", "危险化学品安全管理条例"):
        (version,) = [r for r in kb.versions_of(title) if r.in_force]
        wordings = [w for _, w in _wordings(kb, version)]
        assert len(wordings) > 60, title
        for n, one in enumerate(wordings):
            for other in wordings[n + 1 :]:
                alike = SequenceMatcher(None, one, other, autojunk=False)
                if alike.real_quick_ratio() >= SAME_ARTICLE and alike.quick_ratio() >= SAME_ARTICLE:
                    assert alike.ratio() < SAME_ARTICLE, (title, one[:30], other[:30])


def test_a_citation_of_a_text_the_pack_dates_no_version_of_is_read_by_its_number(amended):
    from assistant.citations import resolve_citation
    from assistant.pack import Citation

    hit = resolve_citation(KnowledgeBase(amended[1]), Citation(doc="测试安全法", article="第三条"))
    assert hit is not None and hit.chunks[0].article == "第三条" and "分级管控" in hit.text


# --- a sanction's term is not the period of a duty ---------------------------------------------------------------

ABSCONDING = (
    "第一百一十条 生产经营单位的主要负责人在本单位发生生产安全事故时逃匿的，给予降级、撤职的处分，并处上一年年收入"
    "百分之六十至百分之一百的罚款；对逃匿的处十五日以下拘留；构成犯罪的，依照刑法有关规定追究刑事责任。"
)


@pytest.fixture(scope="module")
def asks():
    from assistant.pack import KnowledgePack
    from assistant.retrieval.figures import QuantityAsks

    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("货车司机连续驾驶最多不能超过几个小时？", False),  # a duty's period: 十五日以下拘留 does not state it
        ("受了处分的负责人几年内不能再当负责人？", True),  # 处分 asks a penalty
        ("主要负责人逃匿的会被拘留几天？", True),  # 拘留 asks the penalty, which states it
    ],
)
def test_a_period_asked_of_no_penalty_is_not_a_sanctions_term(asks, question, stated):
    ask = asks.asked(question)
    assert ask is not None and ask.kind == "time"
    assert ask.stated_in(ABSCONDING) is stated
    assert ask.stated_in("驾驶人连续驾驶机动车超过4小时应当停车休息，停车休息时间不少于20分钟。")


@pytest.mark.parametrize(
    ("question", "owner"),
    [
        ("危险化学品经营许可证的有效期是几年？", "危险化学品经营许可证"),
        ("仓库叉车司机的特种设备作业人员证有效期是几年？", "特种设备作业人员证"),
        ("这个证的有效期多长？", ""),  # names no document
    ],
)
def test_a_validity_asked_is_the_named_documents(asks, question, owner):
    """安全生产许可证的有效期为3年 states no 危险化学品经营许可证's validity; it does state 安全生产许可证's."""
    ask = asks.asked(question)
    assert ask is not None and ask.kind == "time" and ask.owner == owner
    other = "第九条 安全生产许可证的有效期为3年。"
    assert ask.stated_in(other) is (not owner)
    assert asks.asked("安全生产许可证有效期几年？").stated_in(other)


def test_the_self_check_quotes_the_renumbered_article_and_names_the_dropped_duty(amended):
    from assistant.pack import load_pack
    from assistant.selfcheck.checklist import build_checklist
    from assistant.selfcheck.profile import read_profile

    kb = KnowledgeBase(amended[0])
    pack = load_pack(amended[0].knowledge_dir)
    checklist = build_checklist(kb, pack, read_profile(pack, "煤矿", 200))
    # (listed with the work-safety law's same duty: one item, every basis)
    quoted = [q for item in checklist.items for q in item.basis if q.doc == "测试安全法"]
    assert [q.article for q in quoted] == ["第三条"] and "第四条" in quoted[0].citation, quoted
    assert "建立健全并落实全员安全生产责任制" in quoted[0].text
    assert not any(i.id == "test-amended-disclosure" for i in checklist.items)
    assert any("公布安全生产投入" in entry and "第五条" in entry for entry in checklist.lapsed), checklist.lapsed
