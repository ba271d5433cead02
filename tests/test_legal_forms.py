"""Documents a user brings are classified by legal form as the law defines them (from title, issuer and text, not
from the title's last character), placed down to district and county, can be corrected (CLI and web) with the
correction surviving a re-ingest, and a plan saved under a machine name is shown by the title in its text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CORPUS, needs_corpus
from typer.testing import CliRunner

from assistant.citations import citation
from assistant.cli import app
from assistant.web import library_tab
from assistant.web.context import WebContext
from assistant.web.sources import where_from
from ingest.articles import ArticleRef
from ingest.corrections import CorrectionError, normalise
from ingest.knowledge_base import KnowledgeBase
from ingest.legal_forms import KINDS, level
from ingest.loaders import load_file
from ingest.metadata import VERSIONED_KINDS, describe, region_of
from ingest.pipeline import Ingestor, ingest
from ingest.preparation import chunk_document
from ingest.settings import Settings
from ingest.store import ORIGIN_UPLOAD

runner = CliRunner()

ARTICLES = "第一条 为了加强安全管理，制定本办法。\n\n第二条 本办法适用于本行政区域内的生产经营单位。\n\n第三条 作业前应当进行风险辨识。\n"


def meta_of(title: str, head: str = "", name: str | None = None, articles: bool = True):
    """What ingest derives from a file with this title line, these lines above the articles, and articles."""
    text = f"# {title}\n\n{head}\n\n" + (ARTICLES if articles else "一、工作目标\n\n全面落实安全生产责任。\n")
    clean, chunks = chunk_document(text, 400)
    return describe(Path(f"{name or title}.md"), clean, has_articles=any(c.unit == "article" for c in chunks))


# (title, lines above the articles, kind, region)
CASES = [
    # 法律: …法, adopted by 全国人民代表大会（常务委员会）
    ("中华人民共和国安全生产法", "2002年6月29日 第九届全国人民代表大会常务委员会第二十八次会议通过", "法律", "全国"),
    ("中华人民共和国消防法", "", "法律", "全国"),
    ("矿山安全法", "1992年11月7日第七届全国人民代表大会常务委员会第二十八次会议通过", "法律", "全国"),
    ("全国人民代表大会常务委员会关于加强安全生产监督工作的决定", "", "法律", "全国"),
    ("中华人民共和国刑法修正案（十一）", "", "法律", "全国"),
    ("中华人民共和国学位条例", "1980年2月12日第五届全国人民代表大会常务委员会第十三次会议通过", "法律", "全国"),
    # 行政法规: 国务院令, a national 条例, 国务院关于…的规定
    ("危险化学品安全管理条例", "2002年1月26日 中华人民共和国国务院令第344号公布", "行政法规", "全国"),
    ("煤矿安全生产条例", "", "行政法规", "全国"),
    ("国务院关于特大安全事故行政责任追究的规定", "", "行政法规", "全国"),
    ("安全生产许可证条例实施办法", "2004年1月7日 国务院批准\n\n2004年5月17日 民政部令第14号发布", "行政法规", "全国"),
    # 部门规章: 部令 / 总局令, a ministry's 规定 or 办法
    ("安全生产违法行为行政处罚办法（应急管理部令第2号）", "", "部门规章", "全国"),
    ("安全生产违法行为行政处罚办法", "国家安全生产监督管理总局令\n\n第15号", "部门规章", "全国"),
    ("生产安全事故应急预案管理办法", "2019年7月11日 应急管理部第20次部务会议审议通过", "部门规章", "全国"),
    ("应急管理部关于危险化学品企业安全分类整治的规定", "", "部门规章", "全国"),
    ("工贸企业有限空间作业安全规定", "", "部门规章", "全国"),
    # 地方性法规: adopted or approved by a local 人民代表大会常务委员会; a local 条例
    (
        "浙江省安全生产条例",
        "2006年7月28日 浙江省第十届人民代表大会常务委员会第二十六次会议通过",
        "地方性法规",
        "浙江省",
    ),
    ("浙江省安全生产条例", "", "地方性法规", "浙江省"),
    (
        "宁波市生产经营单位安全生产主体责任规定",
        "2021年1月22日 宁波市第十五届人民代表大会常务委员会第三十五次会议通过\n\n"
        "2021年3月26日 浙江省第十三届人民代表大会常务委员会第二十八次会议批准",
        "地方性法规",
        "宁波市",
    ),
    ("深圳经济特区安全生产监督管理条例", "", "地方性法规", "深圳经济特区"),
    (
        "上海市浦东新区危险作业安全若干规定",
        "2024年6月1日 上海市第十六届人民代表大会常务委员会第十三次会议通过",
        "地方性法规",
        "上海市浦东新区",
    ),
    ("彭水苗族土家族自治县安全生产条例", "", "地方性法规", "彭水苗族土家族自治县"),
    # 地方政府规章: 人民政府令 / 政府令, 政府常务会议
    ("上海市危险化学品安全管理办法（市政府令第2号）", "", "地方政府规章", "上海市"),
    ("上海市危险化学品安全管理办法", "上海市人民政府令\n\n第2号", "地方政府规章", "上海市"),
    ("青山市有限空间作业安全管理规定", "2023年3月1日 青山市人民政府第12次常务会议通过", "地方政府规章", "青山市"),
    ("北京市生产经营单位安全生产主体责任规定", "北京市人民政府令第279号", "地方政府规章", "北京市"),
    # 规范性文件: 通知、意见; a document number without a 令; what a bureau, a district or a county issues
    ("青山区危险作业安全管理暂行办法", "", "规范性文件", "青山区"),
    ("青山区危险作业安全管理暂行办法", "青山市青山区应急管理局\n\n青青应急〔2024〕3号", "规范性文件", "青山市青山区"),
    ("青山市有限空间作业安全管理暂行办法", "青山市应急管理局\n\n青应急〔2024〕5号", "规范性文件", "青山市"),
    ("青山市应急管理局关于印发青山市动火作业安全管理暂行办法的通知", "", "规范性文件", "青山市"),
    ("应急管理部关于印发《安全生产执法程序规定》的通知", "", "规范性文件", "全国"),
    ("国务院安委会办公室关于加强汛期安全生产工作的通知", "", "规范性文件", "全国"),
    # (its issuer known from its document number; one naming none is no normative document: test_thirtyeighth_round)
    ("关于进一步加强危险化学品安全生产工作的指导意见", "厅字〔2020〕3号", "规范性文件", "全国"),
    ("青山县安全生产责任追究办法", "", "规范性文件", "青山县"),
    ("北京市朝阳区安全生产管理规定", "", "规范性文件", "北京市朝阳区"),
    # 司法解释: 最高人民法院、最高人民检察院, 法释〔…〕
    ("最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释", "", "司法解释", "全国"),
    (
        "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释（二）",
        "最高人民法院 最高人民检察院\n\n法释〔2022〕19号",
        "司法解释",
        "全国",
    ),
    ("最高人民法院关于审理安全生产行政案件若干问题的规定", "", "司法解释", "全国"),
    ("关于审理危害生产安全刑事案件适用法律若干问题的解释", "", "司法解释", "全国"),
]

PLANS = [
    ("青山区2025年安全生产工作方案", "计划方案", "青山区"),
    ("高新区安全生产工作第四季度工作计划及2024年工作谋划", "计划方案", "高新区"),
    ("关于印发青山区2025年安全生产工作要点的通知", "计划方案", "青山区"),
    ("安全生产实施方案范文汇编六篇", "计划方案", "全国"),
    ("东营市东营区安全生产大检查实施方案", "计划方案", "东营市东营区"),
    ("2023年季度安全生产工作计划述职报告", "工作总结", "全国"),
    ("2020年安全生产年终工作总结报告", "工作总结", "全国"),
    ("青山镇2024年安全生产工作总结", "工作总结", "全国"),
    ("安全生产监督管理局局长述职报告", "工作总结", "全国"),
]


@pytest.mark.parametrize(("title", "head", "kind", "region"), CASES)
def test_a_legal_text_is_classified_by_its_legal_form(title, head, kind, region):
    meta = meta_of(title, head)
    assert (meta.kind, meta.region) == (kind, region), (title, head)
    assert meta.kind in VERSIONED_KINDS


@pytest.mark.parametrize(("title", "kind", "region"), PLANS)
def test_plans_and_reports_are_classified_by_their_head_noun(title, kind, region):
    meta = meta_of(title, articles=False)
    assert (meta.kind, meta.region) == (kind, region), title
    assert meta.kind not in VERSIONED_KINDS


def test_an_interim_rule_is_no_law_because_its_title_ends_in_fa():
    for title in ("青山区危险作业安全管理暂行办法", "安全生产事故隐患排查治理暂行办法", "青山市燃气安全管理办法"):
        assert meta_of(title).kind != "法律", title
    assert meta_of("安全生产法释义", articles=False).kind == "其他"  # 法 decides only at the end
    assert meta_of("XX公司安全生产管理制度").kind == "其他"  # an enterprise's rules are no legal form


@pytest.mark.parametrize(
    "title",
    ["中华人民共和国安全生产法律读本", "中华人民共和国安全生产法释义", "安全生产许可证条例解读", "安全生产法学习材料"],
)
def test_a_book_that_reprints_a_law_with_its_adoption_lines_is_no_law(title):
    """A study book reprints the law's own head (adopted by 全国人民代表大会常务委员会) and its articles: what it
    reprints does not make it the law, so it cannot stand beside the law as a 法律 of a newer date."""
    head = "2002年6月29日 第九届全国人民代表大会常务委员会第二十八次会议通过"
    assert meta_of(title, head).kind == "其他", title
    assert meta_of("中华人民共和国安全生产法", head).kind == "法律"


def test_a_city_rule_with_no_issuer_is_guessed_and_the_user_is_told_how_to_correct_it():
    meta = meta_of("青山市粉尘防爆安全管理办法")
    assert meta.kind == "地方政府规章"
    assert any("类别按标题推断为“地方政府规章”" in w and "anquan edit" in w for w in meta.warnings)
    assert not meta_of("浙江省安全生产条例").warnings


@pytest.mark.parametrize(
    ("title", "head", "region"),
    [
        ("青山区危险作业安全管理暂行办法", "", "青山区"),
        ("青山市青山区危险作业安全管理暂行办法", "", "青山市青山区"),
        ("浙江省宁波市北仑区安全生产工作要点", "", "宁波市北仑区"),
        ("北京市朝阳区安全生产管理规定", "", "北京市朝阳区"),
        ("青山县安全生产工作方案", "", "青山县"),
        ("鄂托克前旗安全生产工作方案", "", "鄂托克前旗"),
        ("鄂伦春自治旗安全生产条例", "", "鄂伦春自治旗"),
        ("高新区安全生产工作要点", "", "高新区"),
        ("高新区安全生产工作要点", "青山市高新区管委会", "青山市高新区"),
        ("青山经济技术开发区危险作业管理办法", "", "青山经济技术开发区"),
        ("苏州工业园区安全生产管理办法", "", "苏州工业园区"),
        ("2024年安全生产工作要点", "青山市青山区应急管理局", "青山市青山区"),  # the issuer line's place
        ("中国（上海）自由贸易试验区条例", "", "上海市"),
        ("浙江省安全生产条例", "", "浙江省"),
        ("宁波市安全生产条例", "", "宁波市"),
        # words that end in 区 or 县 but name no place
        ("储罐区安全管理规定", "", "全国"),
        ("工业园区安全管理办法", "", "全国"),
        ("老旧小区燃气安全整治方案", "", "全国"),
        ("重点区域安全检查方案", "", "全国"),
        ("自然保护区防火规定", "", "全国"),
        ("城市市容和环境卫生管理条例", "", "全国"),
        ("上海市促进浦东新区航运发展若干规定", "", "上海市"),  # a verb before the district: the city's own rule
        ("中华人民共和国安全生产法", "第九届全国人民代表大会常务委员会第二十八次会议通过", "全国"),
    ],
)
def test_regions_reach_down_to_districts_and_counties_with_their_parent(title, head, region):
    assert region_of(title, head) == region


def test_region_levels():
    assert [level(r) for r in ("全国", "浙江省", "宁波市", "深圳经济特区", "青山市青山区", "青山县", "高新区")] == [
        "national",
        "province",
        "city",
        "city",
        "county",
        "county",
        "county",
    ]
    assert set(KINDS) >= {
        "法律",
        "行政法规",
        "部门规章",
        "地方性法规",
        "地方政府规章",
        "规范性文件",
        "司法解释",
        "计划方案",
        "工作总结",
    }


def test_corrections_are_checked_and_written_as_the_index_keeps_them():
    assert normalise({"date": "2024年5月1日", "kind": "规范性文件", "region": "国家", "title": " 《某办法》 "}) == {
        "date": "2024-05-01",
        "kind": "规范性文件",
        "region": "全国",
        "title": "某办法",
    }
    assert normalise({"date": "2024", "title": None, "region": ""}) == {"date": "2024"}
    for bad, said in (
        ({"kind": "法规"}, "类别“法规”无法识别"),
        ({"date": "2099-01-01"}, "晚于今天"),
        ({"date": "2024-02-30"}, "不存在"),
        ({"date": "去年"}, "无法识别"),
        ({"region": "abc"}, "无法识别"),
    ):
        with pytest.raises(CorrectionError, match=said):
            normalise(bad)


# --- real ingest ------------------------------------------------------------------------------------------

DISTRICT_RULE = """# 青山区危险作业安全管理暂行办法

青山市青山区应急管理局

第一条 为了加强本区危险作业安全管理，制定本办法。

第二条 本区行政区域内的动火、受限空间、高处等危险作业，适用本办法。

第三条 危险作业前，作业单位应当进行风险辨识，落实专人监护。
"""

FIREWORKS = """# 青山市烟花爆竹安全管理规定

{head}

第一条 为了加强烟花爆竹安全管理，制定本规定。

第二条 烟花爆竹零售网点应当{rule}。
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(folder))
    return folder


def _settings(data_dir: Path, **kwargs) -> Settings:
    return Settings(data_dir=data_dir, embedder="builtin", **kwargs)


def test_an_uploaded_district_interim_rule_is_a_normative_document_of_its_district(tmp_path, data_dir):
    folder = tmp_path / "upload"
    _write(folder, "青山区危险作业安全管理暂行办法.md", DISTRICT_RULE)
    settings = _settings(data_dir)
    ingest([folder], settings, origin=ORIGIN_UPLOAD)
    record = KnowledgeBase(settings).documents()["青山区危险作业安全管理暂行办法"]
    assert (record.kind, record.region) == ("规范性文件", "青山市青山区")
    rows = {row[0]: row for row in library_tab.document_rows(WebContext(settings))}
    assert rows["青山区危险作业安全管理暂行办法"][1:3] == ["规范性文件", "青山市青山区"]


def test_a_correction_in_the_cli_changes_the_citation_and_survives_a_re_ingest(tmp_path, data_dir):
    folder = tmp_path / "docs"
    path = _write(folder, "青山区危险作业安全管理暂行办法.md", DISTRICT_RULE)
    settings = _settings(data_dir)
    ingest([folder], settings)
    doc_id = "青山区危险作业安全管理暂行办法"

    shown = runner.invoke(app, ["edit", doc_id])
    assert shown.exit_code == 0, shown.output
    assert "类别：规范性文件" in shown.output and "状态：现行" in shown.output
    result = runner.invoke(
        app,
        [
            "edit",
            doc_id,
            "--title",
            "青山区危险作业安全管理办法",
            "--kind",
            "规范性文件",
            "--region",
            "青山市青山区",
            "--date",
            "2024年5月1日",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "已更正：标题“青山区危险作业安全管理办法”、日期“2024-05-01”" in result.output
    assert "已更正（导入时识别为“青山区危险作业安全管理暂行办法”）" in result.output

    def check():
        kb = KnowledgeBase(settings)
        record = kb.documents()[doc_id]
        assert (record.title, record.date, record.region) == (
            "青山区危险作业安全管理办法",
            "2024-05-01",
            "青山市青山区",
        )
        assert record.version_key == "青山市青山区|青山区危险作业安全管理办法"
        hit = kb.get_article(doc_id, ArticleRef(3))
        assert citation(hit.chunks[0]) == "《青山区危险作业安全管理办法》第三条"
        assert "青山区危险作业安全管理暂行办法》第三条" not in citation(hit.chunks[0])
        assert where_from(hit.chunks[0]) == f"出处：{doc_id}（规范性文件，青山市青山区，2024-05-01）"
        shown = runner.invoke(app, ["show", "危险作业安全管理办法", "3"])
        assert "《青山区危险作业安全管理办法》第三条" in shown.output, shown.output

    check()
    assert (data_dir / "corrections.json").is_file()
    again = ingest([folder], settings)  # unchanged: nothing re-derived
    assert again.count("unchanged") == 1
    check()
    path.write_text(DISTRICT_RULE.replace("落实专人监护", "落实专人全程监护"), encoding="utf-8")
    changed = ingest([folder], settings)  # changed: metadata derived anew, the correction applied on top
    assert changed.count("updated") == 1
    check()
    runner.invoke(app, ["edit", doc_id, "--reset"])
    record = KnowledgeBase(settings).documents()[doc_id]
    assert (record.title, record.date, record.derived) == ("青山区危险作业安全管理暂行办法", "", {})
    with pytest.raises(AssertionError):
        check()


def test_a_corrected_date_decides_which_version_is_in_force(tmp_path, data_dir):
    folder = tmp_path / "docs"
    _write(
        folder,
        "青山市烟花爆竹安全管理规定(2015-03-01).md",
        FIREWORKS.format(head="2015年3月1日 青山市人民代表大会常务委员会通过", rule="距离居民住宅五十米以上"),
    )
    # the revision's file carries no date, nor does its text: ingest cannot tell it is the newer one
    _write(
        folder,
        "青山市烟花爆竹安全管理规定（修订）.md",
        FIREWORKS.format(head="青山市人民代表大会常务委员会", rule="距离居民住宅一百米以上"),
    )
    settings = _settings(data_dir)
    ingest([folder], settings)
    old, new = "青山市烟花爆竹安全管理规定(2015-03-01)", "青山市烟花爆竹安全管理规定（修订）"
    documents = KnowledgeBase(settings).documents()
    assert documents[new].superseded and documents[new].superseded_by == old
    assert documents[old].kind == "地方性法规"

    result = runner.invoke(app, ["edit", "烟花爆竹安全管理规定（修订）", "--date", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "待管理员确认" in result.output  # like an import: displacing a text in force waits for --confirm-supersede
    assert KnowledgeBase(settings).documents()[new].pending
    result = runner.invoke(app, ["edit", "烟花爆竹安全管理规定（修订）", "--confirm-supersede"])
    assert result.exit_code == 0, result.output
    assert f"已被 {new} 取代" in result.output
    documents = KnowledgeBase(settings).documents()
    assert documents[old].superseded and documents[old].superseded_by == new
    assert documents[new].in_force and not documents[new].pending  # the administrator's word: in force at once
    kb = KnowledgeBase(settings)
    assert kb.find_documents("青山市烟花爆竹安全管理规定")[0].doc_id == new
    ingest([folder], settings)  # a re-ingest keeps it
    assert KnowledgeBase(settings).documents()[old].superseded_by == new


def test_a_correction_without_the_administrator_cannot_displace_a_text_in_force(tmp_path, data_dir):
    curated = _write(
        tmp_path / "curated",
        "青山市烟花爆竹安全管理规定(2015-03-01).md",
        FIREWORKS.format(head="2015年3月1日 青山市人民代表大会常务委员会通过", rule="距离居民住宅五十米以上"),
    )
    settings = _settings(data_dir)
    ingest([curated], settings)
    upload = _write(
        tmp_path / "upload",
        "青山市烟花爆竹安全管理规定（网传）.md",
        FIREWORKS.format(head="青山市人民代表大会常务委员会", rule="随意设置"),
    )
    ingest([upload], settings, origin=ORIGIN_UPLOAD)
    uploaded = "青山市烟花爆竹安全管理规定（网传）"
    assert KnowledgeBase(settings).documents()[uploaded].superseded  # undated: older than the text in force
    report = Ingestor(settings).correct(uploaded, {"date": "2024-06-01"}, authoritative=False)
    documents = KnowledgeBase(settings).documents()
    assert documents[uploaded].pending and not documents[uploaded].in_force
    assert documents["青山市烟花爆竹安全管理规定(2015-03-01)"].in_force
    assert any("待管理员确认" in note or "待确认" in note or "已暂缓" in note for note in report.notes), report.notes


def test_the_web_library_corrects_with_the_administrator_password(tmp_path, data_dir):
    folder = tmp_path / "docs"
    _write(folder, "青山区危险作业安全管理暂行办法.md", DISTRICT_RULE)
    settings = _settings(data_dir)
    ingest([folder], settings)
    doc_id = "青山区危险作业安全管理暂行办法"
    ctx = WebContext(settings)
    refused = library_tab.correct_document(ctx, doc_id, None, "地方政府规章", None, None, "")
    assert "命令行导入的，只有管理员能更正" in refused and "anquan edit" in refused
    admin = WebContext(_settings(data_dir, admin_password="管理员口令"))
    assert "管理员密码不正确" in library_tab.correct_document(admin, doc_id, None, "地方政府规章", None, None, "猜")
    assert "类别“法规”无法识别" in library_tab.correct_document(admin, doc_id, None, "法规", None, None, "管理员口令")
    done = library_tab.correct_document(admin, doc_id, None, "地方政府规章", "青山市", "2024-05-01", "管理员口令")
    assert done.startswith("✓ 已更正：类别“地方政府规章”、地区“青山市”、日期“2024-05-01”"), done
    row = next(r for r in library_tab.document_rows(admin) if r[0] == doc_id)
    assert row[1:4] == ["地方政府规章", "青山市", "2024-05-01"]
    assert row[5] == "现行 · 已更正类别、地区、日期"
    title, kind, region, date, note = library_tab.edit_fields(admin, doc_id)
    assert (kind, region, date) == (
        "地方政府规章",
        "青山市",
        "2024-05-01",
    ) and "类别已更正（导入时识别为“规范性文件”）" in note


def test_a_plan_saved_under_a_machine_name_is_shown_by_the_title_in_its_text(tmp_path, data_dir):
    folder = tmp_path / "plans"
    _write(
        folder,
        "007_0f7f3f2a7ecb40fb.txt",
        "\n\n青山区2025年第二季度安全生产工作计划\n\n一、工作目标\n\n"
        "全面落实安全生产责任，开展汛前隐患排查。\n\n二、重点任务\n\n"
        "（一）开展危险化学品专项检查。\n",
    )
    settings = _settings(data_dir)
    ingest([folder], settings)
    kb = KnowledgeBase(settings)
    record = kb.documents()["007_0f7f3f2a7ecb40fb"]  # the doc id stays the file name (the evaluation format)
    assert (record.title, record.kind, record.region) == ("青山区2025年第二季度安全生产工作计划", "计划方案", "青山区")
    chunk = kb.store.document_chunks(record.doc_id)[-1]
    assert citation(chunk).startswith("《青山区2025年第二季度安全生产工作计划》")
    line = where_from(chunk)
    assert line.startswith("出处：青山区2025年第二季度安全生产工作计划（计划方案，青山区") and "007_" not in line
    ctx = WebContext(settings, kb)
    assert [row[0] for row in library_tab.document_rows(ctx)] == ["青山区2025年第二季度安全生产工作计划"]
    assert library_tab.document_choices(ctx) == [("青山区2025年第二季度安全生产工作计划（计划方案）", record.doc_id)]


def test_the_edit_command_is_explained_in_chinese():
    result = runner.invoke(app, ["edit", "--help"], env={**os.environ, "COLUMNS": "200"})
    assert result.exit_code == 0
    assert "更正文档的标题、类别、地区或日期" in result.output and "--kind" in result.output


# --- the real corpus ------------------------------------------------------------------------------------

CORPUS_KINDS = {
    "上海市安全生产条例": ("地方性法规", "上海市"),
    "北京市安全生产条例": ("地方性法规", "北京市"),
    "山东省安全生产条例": ("地方性法规", "山东省"),
    "浙江省安全生产条例": ("地方性法规", "浙江省"),
    "宁波市生产经营单位安全生产主体责任规定": ("地方性法规", "宁波市"),
    "深圳经济特区安全生产监督管理条例": ("地方性法规", "深圳经济特区"),
    "安全生产法": ("法律", "全国"),
    "消防法": ("法律", "全国"),
    "特种设备安全法": ("法律", "全国"),
    "矿山安全法": ("法律", "全国"),
    "突发事件应对法": ("法律", "全国"),
    "职业病防治法": ("法律", "全国"),
    "危险化学品安全管理条例": ("行政法规", "全国"),
    "国务院关于特大安全事故行政责任追究的规定": ("行政法规", "全国"),
    "国务院关于预防煤矿生产安全事故的特别规定": ("行政法规", "全国"),
    "大型群众性活动安全管理条例": ("行政法规", "全国"),
    "安全生产许可证条例": ("行政法规", "全国"),
    "工伤保险条例": ("行政法规", "全国"),
    "建设工程安全生产管理条例": ("行政法规", "全国"),
    "民用爆炸物品安全管理条例": ("行政法规", "全国"),
    "烟花爆竹安全管理条例": ("行政法规", "全国"),
    "煤矿安全生产条例": ("行政法规", "全国"),
    "特种设备安全监察条例": ("行政法规", "全国"),
    "生产安全事故应急条例": ("行政法规", "全国"),
    "生产安全事故报告和调查处理条例": ("行政法规", "全国"),
    "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释": ("司法解释", "全国"),
    "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释（二）": ("司法解释", "全国"),
}
CORPUS_PLANS = {
    "000_ba74c9f4450652ab": ("2023年季度安全生产工作计划述职报告", "工作总结", "全国"),
    "001_1a9589662c1eec8e": ("区XX年平安生产工作方案", "计划方案", "全国"),
    "002_6c9856c74487290f": ("安全生產實施方案範文彙編六篇", "计划方案", "全国"),
    "003_0f7f3f2a7ecb40fb": ("2020年安全生产年终工作总结报告", "工作总结", "全国"),
    "004_bed7cd0216d3fbc5": ("高新区安全生产工作第四季度工作计划及2024年工作谋划", "计划方案", "高新区"),
}


def _describe_file(path: Path):
    clean, chunks = chunk_document(load_file(path), 400)
    return describe(path, clean, has_articles=any(c.unit == "article" for c in chunks))


@needs_corpus
def test_every_corpus_regulation_is_classified_into_its_legal_form():
    paths = sorted((CORPUS / "regulations").glob("*.md"))
    assert len(paths) == len(CORPUS_KINDS) == 27
    found = {}
    for path in paths:
        meta = _describe_file(path)
        found[path.stem.rsplit("(", 1)[0]] = (meta.kind, meta.region)
        assert not any("类别按标题推断" in w for w in meta.warnings), path.name
    assert found == CORPUS_KINDS


@needs_corpus
def test_every_corpus_plan_is_a_plan_or_a_report_titled_from_its_text():
    found = {}
    for path in sorted((CORPUS / "plans").glob("*")):
        meta = _describe_file(path)
        found[meta.doc_id] = (meta.title, meta.kind, meta.region)
    assert found == CORPUS_PLANS
