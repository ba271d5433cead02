"""Self-check: the legal obligations that apply to an enterprise, as a checklist with quoted articles,
answered 是/否/不确定 into a gap report.

    pack = kb.pack
    profile = read_profile(pack, "一般工贸（机械制造）", 101, special_equipment=["叉车"], description="…")
    checklist = build_checklist(kb, pack, profile)
    report = checklist.gap_report(load_answers(Path("answers.yaml"), checklist))

The register (knowledge/obligations/*.yaml) decides what applies; the index supplies the article texts,
so every quoted text is the text of the article in force. Nothing here is written per industry.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from assistant.citations import citation, resolve_citation
from assistant.knowledge_pack import Citation, KnowledgePack, Obligation, Profile
from assistant.profile_reader import ProfileError, read_profile
from ingest.knowledge_base import KnowledgeBase

__all__ = ["AnswerError", "Checklist", "ChecklistItem", "GapItem", "GapReport", "ProfileError", "QuotedArticle",
           "build_checklist", "load_answers", "parse_answers", "read_profile"]

Answer = Literal["是", "否", "不确定"]
ANSWERS: tuple[str, ...] = ("是", "否", "不确定")
_ANSWER_ALIASES = {"是": "是", "y": "是", "yes": "是", "true": "是", "√": "是", "已落实": "是", "有": "是",
                   "否": "否", "n": "否", "no": "否", "false": "否", "×": "否", "未落实": "否", "没有": "否",
                   "不确定": "不确定", "?": "不确定", "？": "不确定", "待核实": "不确定", "不清楚": "不确定"}


class AnswerError(ValueError):
    """An answers file cannot be read; the message (Chinese) names the file, the line and the value."""


class QuotedArticle(BaseModel):
    """A cited article and, when the index holds it, its text in the version in force."""

    cited: str  # 《安全生产法》第二十四条 (the register's short form)
    doc: str
    article: str
    title: str = ""  # the indexed document's full title
    doc_id: str = ""  # the indexed document, e.g. 安全生产法(2021-06-10)
    citation: str = ""  # 《中华人民共和国安全生产法》第二十四条（第二章 …）
    text: str = ""  # the article text from the index; empty when the index does not hold it
    found: bool = False


class ChecklistItem(BaseModel):
    id: str
    theme: str
    title: str  # the duty, one sentence
    basis: list[QuotedArticle]
    question: str
    evidence: list[str]
    penalty: list[QuotedArticle] = Field(default_factory=list)

    @property
    def citations(self) -> list[str]:
        return [q.citation or q.cited for q in self.basis]


class GapItem(BaseModel):
    id: str
    theme: str
    title: str
    answer: str  # 否 or 不确定
    status: str  # 未落实 / 待核实
    basis: list[str]
    penalty: list[str]
    penalty_text: str
    action: str


class GapReport(BaseModel):
    answered: int
    total: int
    met: int
    gaps: list[GapItem]
    unanswered: list[str]  # item ids without an answer

    @property
    def unmet(self) -> list[GapItem]:
        return [g for g in self.gaps if g.answer == "否"]

    @property
    def to_verify(self) -> list[GapItem]:
        return [g for g in self.gaps if g.answer == "不确定"]


class Checklist(BaseModel):
    profile: Profile
    items: list[ChecklistItem]
    condition_names: dict[str, str] = Field(default_factory=dict)  # condition key -> 中文名称

    def profile_rows(self) -> list[tuple[str, str]]:
        """The profile as the user reads it: (field, value) rows."""
        profile = self.profile
        flags = "、".join(self.condition_names.get(f, f) for f in sorted(profile.flags)) or "无"
        return [("行业", "、".join(sorted(profile.industries)) or "未识别"),
                ("从业人员", "未填写" if profile.employees is None else f"{profile.employees} 人"),
                ("特种设备", "、".join(sorted(profile.equipment)) or "无"),
                ("地区", "、".join(sorted(profile.regions)) or "未填写（只列全国性义务）"),
                ("其他情形", flags),
                ("识别说明", "；".join(profile.notes) or "—")]

    @property
    def themes(self) -> dict[str, list[ChecklistItem]]:
        grouped: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            grouped.setdefault(item.theme, []).append(item)
        return grouped

    def cited_pairs(self) -> set[tuple[str, str]]:
        """(short title, article) of every legal basis the checklist cites."""
        return {(q.doc, q.article) for item in self.items for q in item.basis}

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def gap_report(self, answers: dict[str, str]) -> GapReport:
        """Each duty answered 否 (未落实) or 不确定 (待核实), with its penalty basis and a suggested action."""
        normalized = {key: _normalize_answer(value) for key, value in answers.items()}
        gaps: list[GapItem] = []
        for item in self.items:
            answer = normalized.get(item.id)
            if answer not in ("否", "不确定"):
                continue
            penalty = [q.citation or q.cited for q in item.penalty]
            penalty_text = "\n".join(q.text for q in item.penalty if q.text)
            if answer == "否":
                action = f"尽快落实：{item.title.rstrip('。')}。整改完成后留存：{'、'.join(item.evidence)}。"
            else:
                action = f"核实是否已落实（{item.question}），查阅或补齐：{'、'.join(item.evidence)}。"
            gaps.append(GapItem(id=item.id, theme=item.theme, title=item.title, answer=answer,
                                status="未落实" if answer == "否" else "待核实", basis=item.citations,
                                penalty=penalty, penalty_text=penalty_text, action=action))
        ids = {i.id for i in self.items}
        answered = [k for k, v in normalized.items() if k in ids and v]
        return GapReport(answered=len(answered), total=len(self.items),
                         met=sum(1 for k in answered if normalized[k] == "是"), gaps=gaps,
                         unanswered=[i.id for i in self.items if not normalized.get(i.id)])


def _quote(kb: KnowledgeBase | None, cited: Citation) -> QuotedArticle:
    quoted = QuotedArticle(cited=str(cited), doc=cited.doc, article=cited.article)
    hit = resolve_citation(kb, cited) if kb is not None else None
    if hit is None:
        return quoted
    return quoted.model_copy(update={"title": hit.document.title, "doc_id": hit.document.doc_id,
                                     "citation": citation(hit.chunks[0], with_part=False), "text": hit.text,
                                     "found": True})


def _item(kb: KnowledgeBase | None, obligation: Obligation, cache: dict[str, QuotedArticle]) -> ChecklistItem:
    def quote(cited: Citation) -> QuotedArticle:
        key = str(cited)
        if key not in cache:
            cache[key] = _quote(kb, cited)
        return cache[key]

    return ChecklistItem(id=obligation.id, theme=obligation.theme, title=obligation.duty,
                         basis=[quote(c) for c in obligation.basis], question=obligation.check,
                         evidence=obligation.evidence, penalty=[quote(c) for c in obligation.penalty])


def applicable(pack: KnowledgePack, profile: Profile) -> list[Obligation]:
    return [o for o in pack.obligations if o.applies_to(profile)]


def build_checklist(kb: KnowledgeBase | None, pack: KnowledgePack, profile: Profile) -> Checklist:
    """The applicable obligations, grouped by theme (in the register's order), each with quoted articles.

    kb may be None (no index): items then carry the citations without article texts."""
    cache: dict[str, QuotedArticle] = {}
    obligations = applicable(pack, profile)
    order: dict[str, int] = {}
    for ob in obligations:
        order.setdefault(ob.theme, len(order))
    obligations.sort(key=lambda o: order[o.theme])
    return Checklist(profile=profile, items=[_item(kb, o, cache) for o in obligations],
                     condition_names={c.key: c.name for c in pack.taxonomy.conditions})


# --- answers ------------------------------------------------------------------------------------

def _normalize_answer(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).strip()
    if not text:
        return None
    return _ANSWER_ALIASES.get(text.lower(), _ANSWER_ALIASES.get(text))


def _check_answer(path: Path, where: str, item_id: str, value, known: set[str] | None) -> tuple[str, str] | None:
    item_id = str(item_id).strip()
    if not item_id:
        raise AnswerError(f"{path} {where}：缺少条目编号（id）")
    if known is not None and item_id not in known:
        raise AnswerError(f"{path} {where}：条目编号“{item_id}”不在本次自查清单中；请使用清单中的编号")
    if value is None or str(value).strip() == "":
        return None
    answer = _normalize_answer(value)
    if answer is None:
        raise AnswerError(f"{path} {where}：条目“{item_id}”的回答“{value}”无法识别；只能填 是、否 或 不确定")
    return item_id, answer


_ID_HEADERS = ("编号", "id", "条目编号")
_ANSWER_HEADERS = ("回答", "answer", "是否落实", "自查结果")


def _answers_from_rows(path: Path, rows: list[list[str]], known: set[str] | None) -> dict[str, str]:
    """A table whose header names an id column (编号) and an answer column (回答): CSV or a workbook sheet."""
    if not rows:
        raise AnswerError(f"{path}：文件是空的；请按“编号,回答”两列填写")
    header = [str(h or "").strip().lower() for h in rows[0]]
    id_col = next((n for n, h in enumerate(header) if h in _ID_HEADERS), None)
    answer_col = next((n for n, h in enumerate(header) if h in _ANSWER_HEADERS), None)
    if id_col is None or answer_col is None:
        raise AnswerError(f"{path} 第 1 行：表头须包含“编号”和“回答”两列，这里是：{'、'.join(str(h or '') for h in rows[0])}")
    answers: dict[str, str] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = ["" if c is None else str(c) for c in row]
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) <= id_col or not cells[id_col].strip():
            raise AnswerError(f"{path} 第 {line} 行：缺少条目编号（“编号”一列）")
        value = cells[answer_col] if len(cells) > answer_col else ""
        pair = _check_answer(path, f"第 {line} 行", cells[id_col], value, known)
        if pair:
            answers[pair[0]] = pair[1]
    return answers


def parse_answers(path: Path, text: str, known: set[str] | None = None) -> dict[str, str]:
    """Answers from YAML (id: 是 / a list of {id, answer}) or CSV (columns 编号/id and 回答/answer)."""
    answers: dict[str, str] = {}
    if path.suffix.lower() == ".csv":
        return _answers_from_rows(path, list(csv.reader(io.StringIO(text.lstrip("\ufeff")))), known)
    # a full-width colon typed with a Chinese input method: 编号：是
    text = re.sub(r"^(\s*-?\s*[\w\-]+)\s*：\s*", r"\1: ", text, flags=re.M)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" 第 {mark.line + 1} 行" if mark is not None else ""
        raise AnswerError(f"{path}{where}：YAML 格式错误，请写成“条目编号: 是”每行一条") from None
    if data is None:
        return answers
    if isinstance(data, dict) and isinstance(data.get("answers"), (dict, list)):
        data = data["answers"]
    lines = {str(key): n for n, line in enumerate(text.splitlines(), start=1)
             for key in [line.split(":", 1)[0].strip().lstrip("- ").strip("'\"")] if key}
    if isinstance(data, dict):
        for key, value in data.items():
            pair = _check_answer(path, f"第 {lines.get(str(key), '?')} 行", key, value, known)
            if pair:
                answers[pair[0]] = pair[1]
    elif isinstance(data, list):
        for n, entry in enumerate(data, start=1):
            if not isinstance(entry, dict) or "id" not in entry:
                raise AnswerError(f"{path} 第 {n} 项：每项须写成 {{id: 条目编号, answer: 是}}")
            pair = _check_answer(path, f"第 {n} 项", entry["id"], entry.get("answer", entry.get("回答")), known)
            if pair:
                answers[pair[0]] = pair[1]
    else:
        raise AnswerError(f"{path}：回答文件应是“条目编号: 是/否/不确定”的映射")
    return answers


def _workbook_rows(path: Path) -> list[list[str]]:
    """The 自查清单 sheet of an exported workbook (or its first sheet), as rows of cell values."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several types for a file that is not a workbook
        raise AnswerError(f"{path}：无法作为 Excel 工作簿打开；请用 anquan check --out 导出的 .xlsx 填写") from None
    sheet = book["自查清单"] if "自查清单" in book.sheetnames else book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def load_answers(path: Path, checklist: Checklist | None = None) -> dict[str, str]:
    """Read an answers file (.yaml/.yml/.csv, or the exported .xlsx filled in); ids are checked against the
    checklist when given."""
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv", ".xlsx"):
        raise AnswerError(f"{path}：回答文件须为 .yaml、.yml、.csv 或填好的 .xlsx 自查表")
    if not path.is_file():
        raise AnswerError(f"{path}：回答文件不存在")
    known = {i.id for i in checklist.items} if checklist is not None else None
    if suffix == ".xlsx":
        return _answers_from_rows(path, _workbook_rows(path), known)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise AnswerError(f"{path}：无法识别文件编码，请另存为 UTF-8") from None
    return parse_answers(path, text, known)
