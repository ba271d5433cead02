"""Self-check: an enterprise manager describes the enterprise and gets the obligations that apply, each with
the quoted article, answers them and gets a gap report, in the terminal, in Excel and in Word."""

from __future__ import annotations

import json

import docx
import openpyxl
import pytest
from conftest import SHARED, needs_corpus
from typer.testing import CliRunner

from assistant.cli import app
from assistant.pack import KnowledgePack
from assistant.selfcheck import AnswerError, build_checklist, load_answers, read_profile
from assistant.selfcheck.export import (
    CHECKLIST_HEADER,
    CHECKLIST_SHEET,
    GAP_SHEET,
    HEADER_ROW,
    to_docx,
    to_xlsx,
)
from ingest.articles import parse_article
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings

runner = CliRunner()
DEV_SET = SHARED / "evals" / "selfcheck_dev.jsonl"


# the regulations a general-industry checklist quotes most; enough to check quoting without a full ingest
@pytest.fixture(scope="module")
def pack() -> KnowledgePack:
    return KnowledgePack(Settings().knowledge_dir)


@pytest.fixture(scope="module")
def indexed(corpus_index) -> Settings:
    """The real regulations and plans, indexed (the session's corpus index, conftest)."""
    return corpus_index[0]


@pytest.fixture(scope="module")
def kb(indexed) -> KnowledgeBase:
    return KnowledgeBase(indexed)


def _cited(checklist) -> set[tuple[str, str]]:
    return checklist.cited_pairs()


def _docs(checklist) -> set[str]:
    return {doc for doc, _ in checklist.cited_pairs()}


def test_the_description_is_read_with_its_negations(pack):
    denied = read_profile(
        pack,
        "危险化学品经营（带储存）",
        120,
        description=("有自有储存仓库（未构成重大危险源），没有锅炉、行车等特种设备，不用派遣工，不涉及粉尘涉爆。"),
    )
    assert not {"major_hazard_source", "labor_dispatch", "dust_explosion"} & denied.flags
    assert denied.equipment == set()
    assert "storage_facility" in denied.flags
    affirmed = read_profile(
        pack,
        "一般工贸",
        300,
        description=("部分岗位使用劳务派遣工，车间有行车和空压机储气罐，库存构成重大危险源，有铝粉抛光（粉尘涉爆）。"),
    )
    assert {"major_hazard_source", "labor_dispatch", "dust_explosion"} <= affirmed.flags
    assert affirmed.equipment == {"起重机械", "压力容器"}
    # words that only look like a negation or a fact, and roles that belong to someone else
    lookalike = read_profile(
        pack, "一般工贸", 80, description=("不锈钢焊接车间有噪声；员工骑电动自行车上班；保洁外包给物业公司。")
    )
    assert "occupational_hazards" in lookalike.flags and "property_service" not in lookalike.flags
    assert lookalike.equipment == set()
    form_like = read_profile(
        pack, "一般工贸", None, description="员工：120人；重大危险源：无；劳务派遣：否；特种设备：叉车"
    )
    assert form_like.employees == 120 and not {"major_hazard_source", "labor_dispatch"} & form_like.flags
    assert form_like.equipment == {"场（厂）内专用机动车辆"}


def test_industry_and_equipment_words_map_onto_the_taxonomy(pack):
    assert read_profile(pack, "危险化学品经营（带储存）", 10).industries == {"危险化学品经营（带储存）"}
    assert read_profile(pack, "一般工贸（机械制造）", 10).industries == {"一般工贸"}
    assert read_profile(pack, "道路运输（危险货物）", 10).industries == {"危险货物道路运输"}
    profile = read_profile(pack, "建筑施工", 10, special_equipment=["塔吊", "叉车", "储气罐"])
    assert profile.equipment == {"起重机械", "场（厂）内专用机动车辆", "压力容器"}
    assert read_profile(pack, "餐饮", None, description="一家中餐馆，员工25人").employees == 25
    assert read_profile(pack, "宾馆", 50, region="宁波").regions == {"宁波", "浙江"}


def test_more_than_one_hundred_means_one_hundred_and_one(pack):
    def article_24(employees: int) -> list[str]:
        checklist = build_checklist(None, pack, read_profile(pack, "一般工贸（机械制造）", employees))
        return [
            i.title
            for i in checklist.items
            if any(q.doc == "安全生产法" and q.article == "第二十四条" for q in i.basis)
        ]

    assert all("专职或者兼职" in t for t in article_24(100)) and article_24(100)
    assert all("机构" in t and "兼职" not in t for t in article_24(101)) and article_24(101)


def test_a_thirty_person_workshop_gets_no_mining_or_hazardous_chemicals_duty(pack):
    checklist = build_checklist(None, pack, read_profile(pack, "一般工贸", 30, description="小型机械加工厂"))
    assert checklist.items
    assert not _docs(checklist) & {
        "煤矿安全生产条例",
        "矿山安全法",
        "危险化学品安全管理条例",
        "烟花爆竹安全管理条例",
        "民用爆炸物品安全管理条例",
        "安全生产许可证条例",
    }
    assert ("安全生产法", "第八十二条") not in _cited(checklist)


def test_local_duties_follow_the_region(pack):
    beijing = build_checklist(None, pack, read_profile(pack, "建筑施工", 200, region="北京"))
    shandong = build_checklist(None, pack, read_profile(pack, "建筑施工", 200, region="山东"))
    nowhere = build_checklist(None, pack, read_profile(pack, "建筑施工", 200))
    assert "北京市安全生产条例" in _docs(beijing) and "山东省安全生产条例" not in _docs(beijing)
    assert "山东省安全生产条例" in _docs(shandong) and "北京市安全生产条例" not in _docs(shandong)
    assert not {d for d in _docs(nowhere) if "市" in d or "省" in d}
    # 北京 第二十条 is for the industries outside 第十九条
    assert ("北京市安全生产条例", "第十九条") in _cited(beijing)
    assert ("北京市安全生产条例", "第二十条") not in _cited(beijing)


def test_roles_in_the_description_decide_role_duties(pack):
    carrier = build_checklist(
        None,
        pack,
        read_profile(
            pack,
            "道路运输（危险货物）",
            130,
            special_equipment=["压力容器"],
            region="山东",
            description="有液化石油气罐车，只做运输，不做充装，也不经营危化品。",
        ),
    )
    assert ("特种设备安全法", "第四十九条") not in _cited(carrier)
    assert ("危险化学品安全管理条例", "第三十三条") not in _cited(carrier)
    filler = build_checklist(None, pack, read_profile(pack, "燃气经营", 40, description="液化气充装站，从事气瓶充装"))
    assert ("特种设备安全法", "第四十九条") in _cited(filler)


@needs_corpus
def test_items_quote_the_article_text_from_the_index(kb, pack):
    checklist = build_checklist(
        kb, pack, read_profile(pack, "一般工贸（机械制造）", 101, special_equipment=["行车"], occupational_hazards=True)
    )
    quoted = [q for item in checklist.items for q in item.basis if q.doc in {"安全生产法", "特种设备安全法"}]
    assert quoted and all(q.found for q in quoted)
    for q in quoted[:20]:
        hit = kb.get_article(q.doc_id, parse_article(q.article))
        assert hit is not None and q.text == hit.text and q.text.startswith(q.article)
        assert q.citation.startswith("《中华人民共和国")
    item = next(i for i in checklist.items if any(q.article == "第二十四条" and q.doc == "安全生产法" for q in i.basis))
    assert "超过一百人的，应当设置安全生产管理机构" in item.basis[0].text
    assert item.penalty and item.penalty[0].found and item.penalty[0].text.startswith("第九十七条")


def _small_checklist(pack, kb=None):
    return build_checklist(
        kb, pack, read_profile(pack, "餐饮", 25, description="中餐馆，后厨用管道天然气，没有电梯和锅炉")
    )


def test_answers_from_yaml_and_csv_give_the_gap_report(pack, tmp_path):
    checklist = _small_checklist(pack)
    first, second, third = (i.id for i in checklist.items[:3])
    yaml_file = tmp_path / "answers.yaml"
    yaml_file.write_text(f"{first}: 是\n{second}: 否\n{third}: 不确定\n", encoding="utf-8")
    report = checklist.gap_report(load_answers(yaml_file, checklist))
    assert report.met == 1 and report.answered == 3
    assert [g.id for g in report.unmet] == [second] and [g.id for g in report.to_verify] == [third]
    gap = report.unmet[0]
    assert gap.status == "未落实" and gap.action and gap.basis
    assert report.to_verify[0].status == "待核实"
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text(f"编号,回答\n{first},否\n{second},是\n", encoding="utf-8-sig")
    assert [g.id for g in checklist.gap_report(load_answers(csv_file, checklist)).unmet] == [first]
    typed = tmp_path / "输入法.yaml"  # full-width colons, as a Chinese input method types them
    typed.write_text(f"{first}：否\n", encoding="utf-8")
    assert load_answers(typed, checklist) == {first: "否"}
    # the exported workbook, filled in with its dropdown, is an answers file too
    workbook = to_xlsx(checklist, tmp_path / "自查表.xlsx")
    book = openpyxl.load_workbook(workbook)
    answer_column = CHECKLIST_HEADER.index("回答") + 1
    book[CHECKLIST_SHEET].cell(row=HEADER_ROW + 2, column=answer_column, value="不确定")
    book.save(workbook)
    assert load_answers(workbook, checklist) == {second: "不确定"}


def test_a_bad_answers_file_gets_a_chinese_error_naming_the_file_and_line(pack, tmp_path):
    checklist = _small_checklist(pack)
    bad = tmp_path / "我的回答.yaml"
    bad.write_text(f"{checklist.items[0].id}: 是\n{checklist.items[1].id}: 也许\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=r"我的回答\.yaml 第 2 行.*也许.*是、否 或 不确定"):
        load_answers(bad, checklist)
    unknown = tmp_path / "answers.csv"
    unknown.write_text("编号,回答\nno-such-duty,是\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=r"answers\.csv 第 2 行.*no-such-duty"):
        load_answers(unknown, checklist)


@pytest.mark.parametrize("number", ["9" * 5000, "1" + "0" * 4400 + ".5", "0x" + "f" * 4000])
def test_a_number_of_thousands_of_digits_is_read_as_text_and_refused_in_chinese(pack, tmp_path, number):
    """A YAML integer or float too long for Python to convert gave 意外错误（ValueError）."""
    checklist = _small_checklist(pack)
    bad = tmp_path / "回答.yaml"
    bad.write_text(f"{checklist.items[0].id}: {number}\n", encoding="utf-8")
    with pytest.raises(AnswerError, match=r"回答\.yaml 第 1 行：回答过长.*是、否 或 不确定"):
        load_answers(bad, checklist)


def test_the_excel_file_has_header_dropdown_and_gap_sheet(pack, tmp_path):
    checklist = _small_checklist(pack)
    answers = {checklist.items[0].id: "否", checklist.items[1].id: "不确定"}
    path = to_xlsx(checklist, tmp_path / "自查.xlsx", answers, checklist.gap_report(answers))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == [CHECKLIST_SHEET, GAP_SHEET]
    sheet = book[CHECKLIST_SHEET]
    assert [c.value for c in sheet[HEADER_ROW]] == CHECKLIST_HEADER
    first = HEADER_ROW + 1
    assert sheet.freeze_panes == f"A{first}" and sheet.max_row == len(checklist.items) + HEADER_ROW
    answer_column = openpyxl.utils.get_column_letter(CHECKLIST_HEADER.index("回答") + 1)
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"是,否,不确定"' and f"{answer_column}{first}" in str(validation.sqref)
    assert sheet[f"{answer_column}{first}"].value == "否"
    text_column = openpyxl.utils.get_column_letter(CHECKLIST_HEADER.index("条文原文") + 1)
    assert sheet.column_dimensions[text_column].width > 40 and sheet[f"{text_column}{first}"].alignment.wrap_text
    gaps = book[GAP_SHEET]
    assert gaps.max_row == HEADER_ROW + 2
    assert {gaps[f"F{first}"].value, gaps[f"F{first + 1}"].value} == {"未落实", "待核实"}


def test_the_word_file_has_a_heading_per_theme_and_duty(pack, tmp_path):
    checklist = _small_checklist(pack)
    answers = {checklist.items[0].id: "否"}
    document = docx.Document(to_docx(checklist, tmp_path / "自查.docx", answers, checklist.gap_report(answers)))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [t for s, t in headings if s == "Heading 1"] == [*checklist.themes, "差距报告"]
    assert len([t for s, t in headings if s == "Heading 2"]) == len(checklist.items) + 1
    assert len(document.tables) == len(checklist.items)
    assert document.tables[0].rows[0].cells[1].text == checklist.items[0].question


@needs_corpus
def test_the_cli_prints_exports_and_reports_bad_answers(indexed, monkeypatch, tmp_path):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(indexed.data_dir))
    args = [
        "check",
        "--industry",
        "一般工贸（机械制造）",
        "--employees",
        "101",
        "--special-equipment",
        "行车,叉车",
        "--description",
        "焊接有烟尘，不用劳务派遣",
    ]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "机构与人员" in shown.output and "《中华人民共和国安全生产法》第二十四条" in shown.output
    as_json = runner.invoke(app, [*args, "--json"])
    data = json.loads(as_json.output)
    ids = [i["id"] for theme in data["themes"] for i in theme["items"]]
    assert data["count"] == len(ids) and "labor_dispatch" not in data["profile"]["flags"]
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"{ids[0]}: 否\n", encoding="utf-8")
    out = tmp_path / "清单.xlsx"
    gap = runner.invoke(app, [*args, "--answers", str(answers), "--out", str(out)])
    assert gap.exit_code == 0 and "差距报告" in gap.output and "未落实" in gap.output
    assert openpyxl.load_workbook(out).sheetnames[:2] == [CHECKLIST_SHEET, GAP_SHEET]
    answers.write_text(f"{ids[0]}: 可能吧\n", encoding="utf-8")
    bad = runner.invoke(app, [*args, "--answers", str(answers)])
    assert bad.exit_code == 2 and "answers.yaml" in bad.output and "可能吧" in bad.output


@needs_corpus
def test_the_dev_profiles_meet_the_targets(capsys):
    from evals.selfcheck import main

    if not DEV_SET.is_file():
        pytest.skip(f"{DEV_SET} is not present")
    assert main(["--set", str(DEV_SET), "--json"]) == 0  # python -m evals.selfcheck, in this process
    result = json.loads(capsys.readouterr().out)
    assert result["must_include_recall"] >= 0.90
    assert result["must_exclude_violation_rate"] <= 0.05
