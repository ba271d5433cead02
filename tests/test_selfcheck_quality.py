"""Self-check quality, as a manager meets it: no checklist without a headcount, each duty once with all its
sources, duties that follow what the enterprise does (uses or produces chemicals, quarries or mines coal),
a 建议 that says what to do and what to keep, an Excel form that prints, and a page that counts answers and
marks a whole theme at once. Fast: no index, no browser."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from conftest import SHARED
from typer.testing import CliRunner

from assistant.cli import app
from assistant.pack import KnowledgePack
from assistant.selfcheck import ProfileError, build_checklist, duplicate_pairs, load_answers, read_profile
from assistant.selfcheck.export import (
    CHECKLIST_HEADER,
    CHECKLIST_SHEET,
    CJK_FONT,
    FORM_FIELDS,
    GAP_SHEET,
    HEADER_ROW,
    to_xlsx,
)
from assistant.web.selfcheck_tab import mark_theme, progress_markdown
from ingest.settings import Settings

DEV_SET = SHARED / "evals" / "selfcheck_dev.jsonl"
PRODUCER_ONLY = {
    ("安全生产许可证条例", "第二条"),
    ("危险化学品安全管理条例", "第十四条"),
    ("危险化学品安全管理条例", "第十五条"),
    ("危险化学品安全管理条例", "第六十七条"),
}
DEALER_ONLY = {("危险化学品安全管理条例", "第三十三条"), ("危险化学品安全管理条例", "第三十四条")}


@pytest.fixture(scope="module")
def pack() -> KnowledgePack:
    return KnowledgePack(Settings().knowledge_dir)


def checklist(pack, industry: str, employees: int | None = 120, **kwargs):
    return build_checklist(None, pack, read_profile(pack, industry, employees, **kwargs))


def _plain(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


# --- headcount ----------------------------------------------------------------------------------


def test_a_missing_headcount_is_refused_in_chinese(pack):
    with pytest.raises(ProfileError, match="请填写从业人员人数"):
        read_profile(pack, "一般工贸（机械制造）", None)
    with pytest.raises(ProfileError, match="不能为 0"):
        read_profile(pack, "一般工贸（机械制造）", 0)
    with pytest.raises(ProfileError, match="无法识别"):
        read_profile(pack, "一般工贸（机械制造）", "很多")
    # stated in the description, it is read from there and said so
    profile = read_profile(pack, "餐饮", None, description="一家中餐馆，员工25人")
    assert profile.employees == 25 and any("按描述" in note for note in profile.notes)


def test_the_cli_refuses_a_checklist_without_headcount(tmp_path, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["check", "--industry", "一般工贸（机械制造）"])
    assert result.exit_code == 2
    assert "请填写从业人员人数" in result.output


# --- one duty, one item -------------------------------------------------------------------------


def _profiles() -> list[dict]:
    profiles = [
        {"industry": "危险化学品经营", "employees": 150, "region": "北京"},
        {
            "industry": "一般工贸（机械制造）",
            "employees": 400,
            "region": "山东",
            "description": "有焊接作业，使用劳务派遣工",
        },
        {"industry": "煤矿", "employees": 800, "region": "山东", "description": "井工煤矿"},
        {"industry": "建筑施工", "employees": 300, "region": "浙江"},
    ]
    if DEV_SET.is_file():
        profiles += [
            json.loads(line)["profile"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return profiles


def test_no_two_items_state_the_same_duty_on_the_same_basis(pack):
    for given in _profiles():
        built = build_checklist(
            None,
            pack,
            read_profile(
                pack,
                given["industry"],
                given.get("employees"),
                major_hazard=bool(given.get("major_hazard_source")),
                special_equipment=given.get("special_equipment") or [],
                region=given.get("region"),
                occupational_hazards=bool(given.get("occupational_hazards")),
                description=given.get("description") or "",
            ),
        )
        titles = [_plain(i.title) for i in built.items]
        assert len(titles) == len(set(titles)), given
        bases = [(frozenset((q.doc, q.article) for q in i.basis), _plain(i.question)) for i in built.items]
        assert len(bases) == len(set(bases)), given
        assert duplicate_pairs(pack, built) == [], given


def test_a_restated_duty_is_one_item_listing_every_source(pack):
    beijing = checklist(pack, "危险化学品经营", 150, region="北京")
    special = [i for i in beijing.items if any(q.doc == "安全生产法" and q.article == "第三十条" for q in i.basis)]
    assert len(special) == 1  # 特种作业持证: the national law and the Beijing regulation, once
    cited = {(q.doc, q.article) for q in special[0].basis}
    assert {("安全生产法", "第三十条"), ("北京市安全生产条例", "第三十八条")} <= cited
    assert any("北京市安全生产条例" in line for line in special[0].also_lines())
    injury = [i for i in beijing.items if "工伤保险费" in i.title]
    assert len(injury) == 1 and {q.doc for q in injury[0].basis} >= {"安全生产法", "北京市安全生产条例", "工伤保险条例"}
    # an answer given under a merged obligation's id answers its item
    merged_id = special[0].merged[0].id
    report = beijing.gap_report({merged_id: "否"})
    assert [g.id for g in report.unmet] == [special[0].id] and report.answered == 1
    # duties with different thresholds stay apart
    zhejiang = checklist(pack, "一般工贸", 400, region="浙江")
    staffing = [i for i in zhejiang.items if "三百人以上" in i.title or "超过一百人" in i.title]
    assert len(staffing) >= 2


# --- what the enterprise does ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("industry", "description"),
    [
        ("化工（使用危险化学品）", ""),
        ("危险化学品使用（化工）", "以液氯、液氨为原料生产树脂，产品不属于危险化学品"),
        ("化工", "生产过程中使用硫酸、烧碱等危险化学品，不生产也不销售危化品"),
        ("危险化学品", "电子元件厂，清洗工序使用盐酸、硫酸和丙酮等危险化学品"),
    ],
)
def test_a_chemical_user_gets_no_producer_or_dealer_duty(pack, industry, description):
    user = checklist(pack, industry, 200, description=description)
    assert "危险化学品使用" in user.profile.industries
    assert "危险化学品生产" not in user.profile.industries
    cited = user.cited_pairs()
    assert not cited & (PRODUCER_ONLY | DEALER_ONLY)
    assert ("危险化学品安全管理条例", "第二十八条") in cited  # the user's own duty: 使用安全管理制度和操作规程
    assert ("安全生产法", "第八十二条") not in cited  # rescue organisation: 危险物品的生产、经营、储存单位


def test_a_chemical_producer_gets_the_producer_duties(pack):
    for industry, description in (
        ("危险化学品生产", ""),
        ("化工", "主要生产硫酸、盐酸等危险化学品"),
        ("化工（生产）", ""),
    ):
        producer = checklist(pack, industry, 200, description=description)
        assert producer.profile.industries == {"危险化学品生产"}, industry
        assert PRODUCER_ONLY <= producer.cited_pairs()


def test_an_open_pit_quarry_gets_no_coal_mine_duty(pack):
    for industry, description in (
        ("矿山", "露天开采建筑石料，无井下作业"),
        ("矿山（露天）", "开采石灰石"),
        ("采石场", "露天开采花岗岩"),
    ):
        quarry = checklist(pack, industry, 90, description=description)
        assert quarry.profile.industries == {"非煤矿山"}, industry
        docs = {doc for doc, _ in quarry.cited_pairs()}
        assert "煤矿安全生产条例" not in docs and "矿山安全法" in docs
        assert ("矿山安全法", "第十条") not in quarry.cited_pairs()  # two exits of a 矿井: underground only
    coal = checklist(pack, "矿山", 600, description="井工开采，原煤年产90万吨，高瓦斯")
    assert coal.profile.industries == {"煤矿"}
    assert "煤矿安全生产条例" in {doc for doc, _ in coal.cited_pairs()}


# --- 建议 ---------------------------------------------------------------------------------------


def test_advice_says_what_to_do_and_what_evidence_to_keep(pack):
    shop = checklist(pack, "一般工贸（机械制造）", 120, special_equipment=["叉车"])
    report = shop.gap_report({item.id: "否" for item in shop.items})
    assert len(report.unmet) == len(shop.items)
    by_id = {item.id: item for item in shop.items}
    for gap in report.unmet:
        item = by_id[gap.id]
        assert _plain(item.title) not in _plain(gap.action)
        assert gap.action.startswith("整改：") and "留存证据" in gap.action
        assert all(evidence in gap.action for evidence in item.evidence)
    doubt = shop.gap_report({shop.items[0].id: "不确定"}).to_verify[0]
    assert doubt.action.startswith("核实：") and shop.items[0].evidence[0] in doubt.action
    # the evidence says what to do: a 制度 is drawn up, a 记录 kept, a 许可证 obtained
    responsibility = next(i for i in shop.items if "全员安全生产责任制文件" in i.evidence)
    assert any(step.startswith("形成并印发全员安全生产责任制文件") or "制定" in step for step in responsibility.remedy)
    assert any(step.endswith("如实记录") for item in shop.items for step in item.remedy)


# --- Excel --------------------------------------------------------------------------------------


def test_the_excel_form_prints_landscape_at_page_width_with_form_fields(pack, tmp_path):
    shop = checklist(pack, "餐饮", 25, description="中餐馆，后厨用管道天然气")
    answers = {shop.items[0].id: "否"}
    path = to_xlsx(shop, tmp_path / "自查表.xlsx", answers, shop.gap_report(answers))
    book = openpyxl.load_workbook(path)
    for name in (CHECKLIST_SHEET, GAP_SHEET):
        sheet = book[name]
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and str(setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the column header on every page
        assert "&P" in sheet.oddFooter.center.text
        fields = " ".join(str(c.value or "") for c in sheet[2])
        assert all(field in fields for field in FORM_FIELDS) and "单位名称" in fields and "填表人" in fields
        assert all(cell.font.name == CJK_FONT for cell in sheet[HEADER_ROW] + sheet[HEADER_ROW + 1])
        assert sheet["A1"].font.name == CJK_FONT and sheet["A1"].value
    sheet = book[CHECKLIST_SHEET]
    assert [c.value for c in sheet[HEADER_ROW]] == CHECKLIST_HEADER
    # the article texts stay in the file but off the printed page
    last_printed = openpyxl.utils.get_column_letter(CHECKLIST_HEADER.index("罚则依据") + 1)
    assert f"${last_printed}$" in str(sheet.print_area)
    # filled in below its form fields, it still reads back as an answers file
    sheet.cell(row=HEADER_ROW + 2, column=CHECKLIST_HEADER.index("回答") + 1, value="是")
    book.save(path)
    assert load_answers(path, shop) == {shop.items[0].id: "否", shop.items[1].id: "是"}


# --- the web page -------------------------------------------------------------------------------


def test_the_page_counts_answers_and_marks_a_whole_theme(pack):
    shop = checklist(pack, "餐饮", 25)
    total = len(shop.items)
    values = [None] * total
    assert progress_markdown(values).startswith(f"**已回答 0/{total} 项**")
    values[0] = "否"
    assert f"已回答 1/{total} 项" in progress_markdown(values) and "否 1" in progress_markdown(values)
    first, second = list(shop.themes)[:2]
    marked = mark_theme(shop, second, "是", values)
    in_second = {item.id for item in shop.themes[second]}
    assert all(v == "是" for item, v in zip(shop.items, marked, strict=True) if item.id in in_second)
    assert marked[0] == "否" and sum(1 for v in marked if v) == len(in_second) + (first != second)
    assert f"已回答 {len(in_second) + 1}/{total} 项" in progress_markdown(marked)
    everything = marked
    for theme in shop.themes:
        everything = mark_theme(shop, theme, "不确定", everything)
    assert "已全部作答" in progress_markdown(everything)
    with pytest.raises(ValueError, match="是、否 或 不确定"):
        mark_theme(shop, first, "也许", values)
