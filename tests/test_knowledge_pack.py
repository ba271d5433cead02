"""The knowledge pack: every file parses, ids and aliases are unique, rules use known vocabulary,
every cited article exists in the corpus, and the data says what the law says."""

from __future__ import annotations

import re

import pytest
from conftest import CORPUS, needs_corpus
from typer.testing import CliRunner

from assistant.cli import app
from assistant.pack import KnowledgePack, PackError, Profile, Rule, validate
from evals.pack_citations import check_pack
from ingest.settings import Settings
from ingest.vocabulary import Vocabulary, segmenter_terms


@pytest.fixture(scope="module")
def pack() -> KnowledgePack:
    return KnowledgePack(Settings().knowledge_dir)


def _profile(pack: KnowledgePack, industry: str, employees: int, **extra) -> Profile:
    groups = {g for i in pack.taxonomy.industries if i.key == industry for g in i.groups}
    return Profile(industries={industry}, groups=groups, employees=employees, **extra)


def _duties_citing(pack: KnowledgePack, profile: Profile, doc: str, article: str) -> list[str]:
    return [
        o.duty
        for o in pack.obligations
        if o.applies_to(profile) and any(c.doc == doc and c.article == article for c in o.basis)
    ]


def test_every_file_parses_and_the_pack_is_consistent(pack):
    assert validate(pack) == []


def test_the_index_reads_the_same_words_and_aliases_as_the_pack(pack):
    vocabulary = Vocabulary(pack.directory)  # ingest reads them itself, so that it does not depend on the pack
    # the words the validated pack holds: listed terms, glossary terms and aliases, lexicon words
    words = [*pack.terms, *(n for e in pack.glossary for n in e.names)]
    words += [w for lex in pack.lexicon.entries for w in (lex.legal, *lex.everyday)]
    assert vocabulary.segmenter_terms == segmenter_terms(words)
    assert vocabulary.document_aliases == pack.document_aliases


def test_the_pack_has_the_promised_breadth(pack):
    assert len(pack.glossary) >= 40
    assert len(pack.obligations) >= 60
    assert pack.lexicon.pair_count >= 300
    assert {t.kind for t in pack.plan_templates.templates} == {"quarterly", "annual", "campaign", "holiday"}
    months = {m for focus in pack.plan_templates.calendar for m in focus.months}
    assert months == set(range(1, 13))


def test_the_glossary_covers_the_principles_staff_use_daily(pack):
    for term in (
        "四不放过",
        "三同时",
        "一岗双责",
        "党政同责",
        "三管三必须",
        "双重预防机制",
        "全员安全生产责任制",
        "三级安全教育",
        "五同时",
        "三违",
        "四不两直",
        "安全生产月",
        "重大事故隐患",
        "挂牌督办",
        "安全生产标准化",
        "安全生产费用",
        "安全生产责任保险",
        "应急预案",
        "事故等级",
        "特种作业人员",
        "特种设备",
        "重大危险源",
        "有限空间",
        "粉尘涉爆",
        "隐患排查治理",
        "安全评价",
    ):
        assert pack.glossary_entry(term) is not None, term
    four = pack.glossary_entry("四不放过")
    assert four.customary and four.basis and four.plan_refs


@needs_corpus
def test_every_article_and_plan_passage_the_pack_cites_exists_in_the_corpus(pack):
    assert check_pack(pack, CORPUS) == []


def test_article_24_staffing_depends_on_more_than_one_hundred_employees(pack):
    over = _duties_citing(pack, _profile(pack, "一般工贸", 101), "安全生产法", "第二十四条")
    assert over and all("机构" in d and "专职" in d for d in over)
    assert not any("兼职" in d for d in over)
    at_limit = _duties_citing(pack, _profile(pack, "一般工贸", 100), "安全生产法", "第二十四条")
    assert at_limit and all("专职或者兼职" in d for d in at_limit)
    high_risk = _duties_citing(pack, _profile(pack, "建筑施工", 20), "安全生产法", "第二十四条")
    assert high_risk and all("机构" in d for d in high_risk)


def test_a_small_general_workshop_gets_no_mining_or_hazardous_chemicals_duty(pack):
    workshop = _profile(pack, "一般工贸", 30)
    applying = [o for o in pack.obligations if o.applies_to(workshop)]
    assert applying
    for obligation in applying:
        for cited in obligation.basis:
            assert cited.doc not in {
                "煤矿安全生产条例",
                "矿山安全法",
                "危险化学品安全管理条例",
                "烟花爆竹安全管理条例",
                "民用爆炸物品安全管理条例",
                "安全生产许可证条例",
            }, obligation.id
        assert obligation.applies is None or not obligation.applies.names("region"), obligation.id


def test_local_duties_apply_only_in_their_region(pack):
    local_docs = {
        "北京市安全生产条例": "北京",
        "山东省安全生产条例": "山东",
        "上海市安全生产条例": "上海",
        "浙江省安全生产条例": "浙江",
        "宁波市生产经营单位安全生产主体责任规定": "宁波",
        "深圳经济特区安全生产监督管理条例": "深圳",
    }
    for obligation in pack.obligations:
        regions = {local_docs[c.doc] for c in obligation.basis if c.doc in local_docs}
        if regions:
            assert obligation.applies is not None and obligation.applies.names("region") == regions, obligation.id


@needs_corpus
def test_accident_levels_match_the_reporting_regulation(pack):
    text = (CORPUS / "regulations" / "生产安全事故报告和调查处理条例(2007-04-09).md").read_text(encoding="utf-8")
    article = text.split("第三条", 1)[1].split("第四条", 1)[0]
    deaths = [int(n) for n in re.findall(r"(\d+)人以上(?:\d+人以下)?死亡", article)]
    injuries = [int(n) for n in re.findall(r"(\d+)人以上(?:\d+人以下)?重伤", article)]
    levels = {level.level: level for level in pack.accident_levels.levels}
    assert [levels[n].deaths.gte for n in ("特别重大事故", "重大事故", "较大事故")] == deaths == [30, 10, 3]
    assert [levels[n].serious_injuries.gte for n in ("特别重大事故", "重大事故", "较大事故")] == injuries
    assert levels["一般事故"].deaths.lt == 3 and levels["一般事故"].serious_injuries.lt == 10


def test_accident_levels_classify_with_the_boundaries_the_law_uses(pack):
    levels = pack.accident_levels
    assert levels.classify(serious_injuries=12) == "较大事故"
    assert levels.classify(deaths=3) == "较大事故"  # 以上 includes the number
    assert levels.classify(deaths=2, serious_injuries=9) == "一般事故"
    assert levels.classify(deaths=10) == "重大事故"
    assert levels.classify(direct_loss_wan=10000) == "特别重大事故"


def test_the_calendar_gives_each_quarter_its_customary_focus(pack):
    by_quarter = {
        q: {f.name for f in pack.plan_templates.calendar if {3 * q - 2, 3 * q - 1, 3 * q} & set(f.months)}
        for q in (1, 2, 3, 4)
    }
    text = {q: "".join(names) for q, names in by_quarter.items()}
    assert "春节" in text[1] and "复工复产" in text[1]
    assert "安全生产月" in text[2] and "汛期" in text[2]
    assert "汛期" in text[3] and "高温" in text[3] and "国庆" in text[3]
    assert "冬季防火" in text[4] and ("岁末年初" in text[4] or "元旦" in text[4])


def test_a_rule_must_have_exactly_one_key():
    with pytest.raises(ValueError):
        Rule.model_validate({"industry": ["建筑施工"], "flag": "uses_gas"})
    with pytest.raises(ValueError):
        Rule.model_validate({})
    rule = Rule.model_validate({"all": [{"employees": {"gte": 101}}, {"not": {"flag": "labor_dispatch"}}]})
    assert rule.evaluate(Profile(employees=101)) and not rule.evaluate(Profile(employees=100))


def test_a_broken_pack_file_is_reported_with_its_name_and_field(tmp_path, pack):
    for sub in ("taxonomy", "obligations"):
        (tmp_path / sub).mkdir()
    (tmp_path / "glossary.yaml").write_text(
        "entries:\n  - id: x\n    term: 测试\n    definition: 只有定义。\n    basis: [{doc: 安全生产法, article: 第24条}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match=r"glossary\.yaml.*article"):
        _ = KnowledgePack(tmp_path).glossary


@needs_corpus
def test_glossary_command_prints_the_entry_with_quoted_articles(corpus_index, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(corpus_index[0].data_dir))  # the regulations and plans, ingested
    result = CliRunner().invoke(app, ["glossary", "四不放过"])
    assert result.exit_code == 0, result.output
    assert "四不放过" in result.output and "惯用原则" in result.output
    assert "《中华人民共和国安全生产法》" in result.output and "> 第" in result.output
    assert "未找到" not in result.output
    assert "坚持事故处理“四不放过”原则" in result.output
    missing = CliRunner().invoke(app, ["glossary", "不存在的术语"])
    assert missing.exit_code == 1 and "术语表中没有" in missing.output
