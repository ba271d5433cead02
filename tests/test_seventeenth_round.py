"""Hostile round 17's remaining findings (issue 16).

- K05: an LLM reply leaving a duty to the unit's choice in other words than 不需要 (是自愿的, 由企业自行决定,
  可有可无, 可设可不设, 不是硬性要求, 并无强制要求, 自主选择是否…), or in the sentence after the duty
  (…应当设置。不过这不是硬性要求。), passed unmarked.
- K14: where a person comes from (老板来自四川, 温州商人, 老板是湖北的) was read as the place a question asks about,
  and a district written without its level (宁波鄞州) was read twice (宁波鄞州, 宁波市鄞州区).
- A national rule on one sector's safety (煤矿安全生产条例) answered a question naming no such sector over the law on
  the same matter: it applies within its sector only (LegalForms.sector).
- In a national collection, many cities' versions of one rule filled every candidate list and left out the national
  rule (its candidates are now gathered from the national texts too, and other regions' texts beyond
  other_region_cap go behind the rest), and laws of other fields (法官法) took the hierarchy's standing.
- An answer about an accident's consequences (its fines, who investigates) did not say which level the deaths,
  injuries or loss the question states make (死一个人 → 一般事故: 3人以下死亡), on which they depend.
- The web's English error texts that no rule named (Starlette's 405, Gradio's "Invalid key.") are said in Chinese
  by their status (tests/test_web_refusals.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirteenth_round_llm import A24, _marked, _unmarked
from test_twelfth_round_injection import _compose

from assistant.answer import OfflineComposer
from assistant.answer.levels import Accident, stated
from assistant.ask import Assistant
from assistant.pack import KnowledgePack
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import priors
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from assistant.retrieval.rank import other_regions_capped
from ingest.knowledge_base import KnowledgeBase
from ingest.legal_forms import default_forms
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.store import StoredChunk, chunk_ids
from ingest.tokenizer import Tokenizer
from ingest.vector_builder import VectorBuilder, vector_priority

LEFT_TO_THE_UNIT = [
    "一百二十人的企业设置安全生产管理机构是自愿的[1]。",
    "一百二十人的企业设置安全生产管理机构由企业自行决定[1]。",
    "一百二十人的企业是否设置安全生产管理机构，由企业自主决定[1]。",
    "一百二十人的企业设置安全生产管理机构是可选的[1]。",
    "一百二十人的企业设置安全生产管理机构属于选择性要求[1]。",
    "一百二十人的企业设置安全生产管理机构可有可无[1]。",
    "一百二十人的企业设置安全生产管理机构可设可不设[1]。",
    "一百二十人的企业设置安全生产管理机构不是硬性规定[1]。",
    "一百二十人的企业设置安全生产管理机构并无强制要求[1]。",
    "一百二十人的企业可以自行选择是否设置安全生产管理机构[1]。",
    # the waiver in the sentence after the duty, pointing back to it
    "一百二十人的企业应当设置安全生产管理机构[1]。不过这不是硬性要求。",
    "一百二十人的企业应当设置安全生产管理机构[1]。但这一点并非必须。",
]


@pytest.mark.parametrize("reply", LEFT_TO_THE_UNIT)
def test_a_duty_left_to_the_units_choice_in_other_words_is_marked(reply):
    _marked(reply, A24)


@pytest.mark.parametrize(
    "reply",
    [
        # a choice between the duty's own branches is the law's choice
        "一百二十人的企业可以选择设置安全生产管理机构或者配备专职安全生产管理人员[1]。",
        "一百二十人的企业应当设置安全生产管理机构[1]。这是硬性要求。",
        "一百二十人的企业应当设置安全生产管理机构[1]。这一点是强制性的。",
    ],
)
def test_the_duty_restated_or_its_branches_chosen_is_not_marked(reply):
    _unmarked(reply, A24)


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("我们公司老板来自四川，在宁波鄞州开厂，要设安全管理机构吗", ["宁波市鄞州区"]),
        ("温州商人在杭州开的化工厂要设机构吗", ["杭州市"]),
        ("四川老板在浙江开的厂要设机构吗", ["浙江省"]),
        ("老板是湖北的，厂在江苏，要设机构吗", ["江苏省"]),
        ("我们员工大多来自河南，要培训多久", []),
        ("湖南老乡在东莞开的厂要持证吗", ["东莞市"]),
        # a place written as people shorten it is one place
        ("宁波鄞州的企业120人要设机构吗", ["宁波市鄞州区"]),
        ("宁波鄞州区的企业120人要设机构吗", ["宁波市鄞州区"]),
        # where the enterprise is, said with the same words, still counts
        ("我们是来自宁波的化工企业", ["宁波市"]),
        ("我们是宁波的企业", ["宁波市"]),
        ("四川的化工企业要注意什么", ["四川省"]),
    ],
)
def test_where_a_person_comes_from_is_no_place_asked_about_and_a_place_is_read_once(question, places):
    assert default_forms().places_named(question) == places


COAL = _article(
    "煤矿安全生产条例", "行政法规", 44,
    "第四十四条 负有煤矿安全生产监督管理职责的部门对煤矿企业进行监督检查，可以采取以下措施：\n"
    "（一）对检查中发现的事故隐患，应当责令立即排除；重大事故隐患排除过程中无法保证安全的，应当责令从危险区域内撤出"
    "作业人员，责令暂时停产或者停止使用相关设施、设备；",
)  # fmt: skip
LAW_65 = _article(
    "安全生产法", "法律", 65,
    "第六十五条 负有安全生产监督管理职责的部门依法开展安全生产行政执法工作，行使以下职权：\n"
    "（一）对检查中发现的事故隐患，应当责令立即排除；重大事故隐患排除前或者排除过程中无法保证安全的，应当责令从危险"
    "区域内撤出作业人员，责令暂时停产停业或者停止使用相关设施、设备；",
    "中华人民共和国安全生产法",
)  # fmt: skip


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("煤矿安全生产条例", "煤矿"),
        ("建设工程安全生产管理条例", "建设工程"),
        ("民用爆炸物品安全管理条例", "民用爆炸物品"),
        ("特种设备安全监察条例", "特种设备"),
        ("生产安全事故报告和调查处理条例", ""),  # every sector's
        ("安全生产许可证条例", ""),
        ("工伤保险条例", ""),
    ],
)
def test_a_sector_rules_sector_is_read_from_its_title(title, sector):
    assert default_forms().sector(title) == sector


def test_a_sector_rule_gives_way_to_the_law_on_the_same_matter_unless_its_sector_is_asked_about():
    general = _compose("检查时发现重大事故隐患，排除过程中无法保证安全，可以采取哪些措施？", [COAL, LAW_65])
    assert general.citations[0] == {"doc": "安全生产法", "article": "第六十五条"}, general.text
    coal = _compose("煤矿检查时发现重大事故隐患，排除过程中无法保证安全，可以采取哪些措施？", [COAL, LAW_65])
    assert coal.citations[0] == {"doc": "煤矿安全生产条例", "article": "第四十四条"}, coal.text


# --- a national collection: other regions' versions of a rule, laws of other fields ---------------------------------

CITIES = [
    f"{name}市"
    for name in "潍坊 临沂 菏泽 淄博 聊城 泰安 青岛 济宁 日照 威海 烟台 枣庄 德州 滨州 东营 济南 徐州 连云港 宿迁 淮安 盐城 扬州 "
    "泰州 南通 镇江 常州 无锡 苏州 嘉兴 湖州".split()
]


def _rules(folder: Path) -> list[Path]:
    """A national regulation with its fireworks fine, thirty cities' rules each fining the same act in nearly the
    same words (a national collection holds hundreds), laws of other fields fining in a prohibited area, and
    national rules of other matters."""
    folder.mkdir(parents=True, exist_ok=True)
    national = [
        "# 烟花爆竹安全管理条例\n\n2006年1月21日 中华人民共和国国务院令第455号公布\n\n<!-- INFO END -->",
        "第一条 为了加强烟花爆竹安全管理，预防爆炸事故发生，保障公共安全和人身、财产的安全，制定本条例。",
        "第三十条 禁止在下列地点燃放烟花爆竹：（一）文物保护单位；（二）车站、码头、飞机场等交通枢纽；（三）易燃易爆"
        "物品生产、储存单位。",
        "第四十二条 在禁止燃放烟花爆竹的时间、地点燃放烟花爆竹，或者以危害公共安全和人身、财产安全的方式燃放烟花爆竹的，"
        "由公安部门责令停止燃放，处100元以上500元以下的罚款。",
    ]
    paths = [folder / "烟花爆竹安全管理条例(2016-02-06).md"]
    paths[0].write_text("\n\n".join(national), encoding="utf-8")
    for n, city in enumerate(CITIES):
        text = (
            f"# {city}烟花爆竹燃放管理条例\n\n{city}人民代表大会常务委员会公告\n\n<!-- INFO END -->\n\n"
            f"第一条 为了加强{city}燃放烟花爆竹管理，保障公共安全，制定本条例。\n\n"
            + "\n\n".join(
                f"第{k}条 违反本条例规定，在禁止燃放烟花爆竹的{place}燃放烟花爆竹被查到的，由公安机关责令改正，"
                f"处{n + k}00元以上{n + k + 1}00元以下罚款。"
                for k, place in enumerate(["区域", "场所"], start=10)
            )
        )
        paths.append(folder / f"{city}烟花爆竹燃放管理条例(2020-01-0{n % 9 + 1}).md")
        paths[-1].write_text(text, encoding="utf-8")
    for title in ("中华人民共和国治安管理处罚法", "中华人民共和国法官法", "中华人民共和国教师法"):
        text = (
            f"# {title}\n\n中华人民共和国主席令公布\n\n<!-- INFO END -->\n\n"
            "第三条 违反本法规定，在禁止的区域内从事活动的，由有关机关责令改正，处五百元以上一千元以下的罚款。"
        )
        paths.append(folder / f"{title.removeprefix('中华人民共和国')}(2020-01-01).md")
        paths[-1].write_text(text, encoding="utf-8")
    for n, subject in enumerate(["有限空间作业", "动火作业", "高处作业", "临时用电", "吊装作业", "危险化学品储存"] * 3):
        text = (
            f"# 第{n + 1}号{subject}安全规定\n\n应急管理部令公布\n\n<!-- INFO END -->\n\n"
            f"第五条 生产经营单位进行{subject}，应当执行审批制度，安排专门人员进行现场安全管理。\n\n"
            f"第二十条 违反本规定进行{subject}的，责令限期改正，处{n + 1}万元以下的罚款。"
        )
        paths.append(folder / f"第{n + 1}号{subject}安全规定(2020-01-01).md")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_asked_about_no_place_the_national_rule_is_found_among_many_regions_versions(settings, tmp_path):
    ingest(_rules(tmp_path / "collection"), settings)
    result = Assistant(KnowledgeBase(settings)).ask("在禁放区放烟花被抓到，一般会罚多少钱？")
    top = [(r["doc"], r["article"]) for r in result.to_format()["retrieved"][:5]]
    assert ("烟花爆竹安全管理条例(2016-02-06)", "第四十二条") in top, top
    # of the cities' versions, those of no more than other_region_cap cities stand in the first five
    cities = {doc.split("烟花")[0] for doc, _ in top} & set(CITIES)
    assert len(cities) <= RankingConfig().other_region_cap, top
    # asked about no place, no city's rule is the basis of the answer
    cited = [c["doc"] for c in result.to_format()["citations"]]
    assert not any(doc.split("烟花")[0] in CITIES for doc in cited), cited


def test_the_hierarchy_ranks_the_fields_texts_not_a_law_of_another_field():
    plain = QueryPlan(question="罚多少钱？", expanded="")

    def law(title: str, region: str = "全国", kind: str = "法律") -> dict[str, float]:
        return priors(dataclasses.replace(record(title, kind, region), title=title), plain)

    assert law("中华人民共和国消防法")["law"] == law("中华人民共和国刑法")["law"] == 1.0
    assert law("中华人民共和国法官法")["law"] == 0.0
    assert law("工伤保险条例", kind="行政法规")["national_rule"] == 1.0
    assert law("教师资格条例", kind="行政法规")["national_rule"] == 0.0
    shanghai = QueryPlan(question="上海的条例怎么规定", expanded="")
    shanghai.regions = ["上海市"]
    named = priors(dataclasses.replace(record("上海市安全生产条例", "地方性法规", "上海市")), shanghai)
    other_field = priors(record("上海市实施《归侨侨眷权益保护法》办法", "地方性法规", "上海市"), shanghai)
    assert named["named_region"] == 1.0 and other_field["named_region"] == 0.0


@pytest.mark.parametrize(
    ("regions", "cap", "order"),
    [
        (["淄博市", "临沂市", "菏泽市", None, "淄博市", "潍坊市", None], 2, [0, 1, 3, 4, 6, 2, 5]),
        ([None, "青山市", None, "青山市", "青山市"], 1, [0, 1, 2, 3, 4]),  # one region's rules: all kept
        (["甲市", "乙市", None], 0, [2, 0, 1]),
    ],
)
def test_regions_not_asked_about_beyond_the_first_few_go_behind_the_others_in_their_order(regions, cap, order):
    assert other_regions_capped(regions, cap) == order


# --- K13: a zone named as where the asker is -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_assistant(corpus_index):
    settings, _, _ = corpus_index
    return Assistant(KnowledgeBase(settings))


@pytest.mark.parametrize(
    ("question", "setting"),
    [
        ("我们厂在工业园区里，120个人，要设安全管理机构吗？", ["工业园区"]),
        ("开发区内的化工企业动火作业要审批吗", ["开发区"]),
        ("工业园区的安全生产监督管理由谁负责？", []),  # the zone is what is asked about
    ],
)
def test_a_zone_named_as_where_the_asker_is_is_a_setting_not_the_matter(corpus_assistant, question, setting):
    assert corpus_assistant.retriever.plan(question).setting == setting


def test_a_question_from_an_industrial_park_is_answered_on_its_matter_not_on_the_parks_name(corpus_assistant):
    """K13: 安全生产法第九条 (…开发区、工业园区…应当明确负责安全生产监督管理的有关工作机构) answered a staffing
    question asked from an industrial park, for holding the park's name."""
    answer = corpus_assistant.ask("我们厂在工业园区里，120个人，要设安全管理机构吗？").to_format()
    assert (answer["citations"][0]["doc"], answer["citations"][0]["article"]) == (
        "安全生产法(2021-06-10)",
        "第二十四条",
    ), answer["answer"]
    asked = corpus_assistant.ask("工业园区的安全生产监督管理由谁负责？").to_format()
    assert any(c["article"] == "第九条" for c in asked["citations"]), asked["answer"]


# --- the level of the accident a question describes ------------------------------------------------------------------

LEVELS = KnowledgePack(Settings().knowledge_dir).accident_levels
LEVELS_ARTICLE = StoredChunk(
    "tiaoli-3",
    "第三条 根据生产安全事故造成的人员伤亡或者直接经济损失，事故一般分为以下等级：\n"
    "(一)特别重大事故，是指造成30人以上死亡，或者100人以上重伤，或者1亿元以上直接经济损失的事故；\n"
    "(二)重大事故，是指造成10人以上30人以下死亡，或者50人以上100人以下重伤，或者5000万元以上1亿元以下直接经济损失的事故；\n"
    "(三)较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤，或者1000万元以上5000万元以下直接经济损失的事故；\n"
    "(四)一般事故，是指造成3人以下死亡，或者10人以下重伤，或者1000万元以下直接经济损失的事故。",
    {"doc_id": "事故条例", "title": "生产安全事故报告和调查处理条例", "unit": "article", "kind": "行政法规",
     "region": "全国", "article": "第三条", "article_num": 3},
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "level", "described"),
    [
        ("厂里出了一起死一个人的事故，老板要被罚多少？", "一般事故", "死亡1人"),
        ("事故造成3人死亡，由谁组织调查？", "较大事故", "死亡3人"),  # 以上 includes the number
        ("我们车间死了2个工人，重伤了12个人", "较大事故", "死亡2人、重伤12人"),  # the higher measure decides
        ("事故直接经济损失1.2亿元，要报到哪一级？", "特别重大事故", "直接经济损失12000万元"),
        ("一人死亡的事故多久内要上报", "一般事故", "死亡1人"),
        ("仓库失火，直接经济损失100亿元", "特别重大事故", "直接经济损失1000000万元"),  # no 1e+06
    ],
)
def test_the_level_an_accident_described_makes_is_read_from_its_deaths_injuries_and_loss(question, level, described):
    found = stated(question, LEVELS)
    assert found is not None and (found.level, found.described) == (level, described)


@pytest.mark.parametrize(
    "question",
    [
        "死亡3人以上的事故由谁调查？",
        "死亡人数多少算重大事故？",
        "死者家属能拿多少赔偿",
        "事故发生后多久要上报？",
        "厂里有2名职工因职业病死亡，企业要承担什么责任？",  # no accident's deaths
    ],
)
def test_a_threshold_asked_about_or_no_number_describes_no_accident(question):
    assert stated(question, LEVELS) is None


def test_an_answer_about_an_accidents_consequence_says_its_level_with_the_defining_item():
    question = "厂里出了一起死一个人的事故，主要负责人没履行职责，他个人要被罚多少？"
    fine = _article(
        "安全生产法", "法律", 95,
        "第九十五条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责，导致发生生产安全事故的，由应急管理部门"
        "依照下列规定处以罚款：\n（一）发生一般事故的，处上一年年收入百分之四十的罚款；\n"
        "（二）发生较大事故的，处上一年年收入百分之六十的罚款；",
        "中华人民共和国安全生产法",
    )  # fmt: skip
    tokenizer = Tokenizer([])
    composer = OfflineComposer(
        tokenizer,
        {t: 2.0 for t in tokenizer.query_tokens(question)},
        QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities),
    )
    accident = Accident(stated(question, LEVELS), LEVELS_ARTICLE, tuple(level.level for level in LEVELS.levels))
    answer = composer.compose(question, QueryPlan(question, question), [fine], accident)
    assert answer.citations == [
        {"doc": "安全生产法", "article": "第九十五条"},
        {"doc": "事故条例", "article": "第三条"},
    ]
    assert "- 事故等级（死亡1人）：(四)一般事故，是指造成3人以下死亡，" in answer.text, answer.text
    # the same question with the levels article quoted already: not quoted twice
    again = composer.compose(question, QueryPlan(question, question), [LEVELS_ARTICLE, fine], accident)
    assert again.text.count("一般事故，是指") == 1, again.text


def test_a_word_for_what_a_special_law_covers_names_its_subject():
    """上位法 for a special law needs its subject asked about: 电梯 is a 特种设备, so 特种设备安全法's fine decides over
    the older regulation's for an elevator used unregistered."""
    regulation = _article(
        "特种设备安全监察条例", "行政法规", 84,
        "第八十四条 特种设备使用单位有下列情形之一的，由特种设备安全监督管理部门责令限期改正；逾期未改正的，处2000元以上"
        "2万元以下罚款：\n（一）电梯投入使用前或者投入使用后30日内，未向特种设备安全监督管理部门登记，擅自将其投入使用的；",
    )  # fmt: skip
    law = _article(
        "特种设备安全法", "法律", 83,
        "第八十三条 违反本法规定，特种设备使用单位有下列行为之一的，责令限期改正；逾期未改正的，责令停止使用有关特种设备，"
        "处一万元以上十万元以下罚款：\n（一）电梯投入使用后30日内未向负责特种设备安全监督管理的部门登记，擅自将其投入使用的；",
        "中华人民共和国特种设备安全法",
    )  # fmt: skip
    answer = _compose("小区的电梯投入使用后没去登记，擅自使用，要罚多少钱？", [regulation, law])
    assert answer.citations[0] == {"doc": "特种设备安全法", "article": "第八十三条"}, answer.text
    assert default_forms().names_subject("特种设备", "电梯没登记") and not default_forms().names_subject(
        "特种设备", "罚款"
    )


def test_vectors_are_computed_first_for_the_fields_national_texts_and_last_for_other_fields(tmp_path, monkeypatch):
    """Hours of vector building on a CPU: the dense signal reaches first the texts most questions are answered by."""
    monkeypatch.setenv("ANQUAN_EMBEDDER", "e5")  # vectors after the documents are searchable
    settings = Settings()
    ingest(_rules(tmp_path / "collection"), settings, vectors=False)
    kb = KnowledgeBase(settings)
    records = kb.documents()
    doc_of = {i: r.doc_id for r in records.values() for i in chunk_ids(r.doc_id, r.hash, r.chunk_count)}
    order = list(dict.fromkeys(doc_of[chunk_id] for chunk_id in VectorBuilder(kb).pending()))
    assert len(order) == len(records)
    tiers = [vector_priority(records[doc]) for doc in order]
    assert tiers == sorted(tiers) and tiers[0] == 0 and tiers[-1] == 2, tiers
    assert vector_priority(records["烟花爆竹安全管理条例(2016-02-06)"]) == 0
    assert vector_priority(records["潍坊市烟花爆竹燃放管理条例(2020-01-01)"]) == 1
    assert vector_priority(records["法官法(2020-01-01)"]) == 2
