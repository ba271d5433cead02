"""The plan model: a draft (PlanDraft) of sections, items and numbered sources ([n]), as the offline builder
(assistant.draft.builder) makes it and the writers read or rewrite it (assistant.draft.docx, assistant.draft.llm);
and the numbering of its sources, articles (依据) first, then plan passages (参考)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.citations import CITE
from assistant.draft.period import Period, cn_date
from assistant.draft.sources import Provision

NO_BASIS = "知识库中暂无直接对应的条文"  # said by a task no article in the knowledge base is about
BASIS_HEADING = "依据"  # the articles of law and regulation the tasks rest on
REFERENCE_HEADING = "参考"  # local plans and reports: how others worded a task, not a basis
REFERENCE_NOTE = "地方计划方案、工作总结，仅供参考，不作为依据"


# --- the draft ------------------------------------------------------------------------------------


@dataclass
class DraftSource:
    number: int
    citation: str  # 《中华人民共和国安全生产法》第四十一条（第二章 …） or 《plan title》 · heading path
    doc_id: str
    article: str | None  # None for a plan passage
    quote: str  # the key clause quoted in the draft

    @property
    def is_article(self) -> bool:
        return self.article is not None

    @property
    def role(self) -> str:
        """依据 for an article of law, 参考 for a local plan or report passage."""
        return BASIS_HEADING if self.is_article else REFERENCE_HEADING

    def line(self) -> str:
        return f"[{self.number}] {self.citation}" + (f"：“{self.quote}”" if self.quote else "")

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "citation": self.citation,
            "doc": self.doc_id,
            "article": self.article,
            "quote": self.quote,
            "kind": "法规条文" if self.is_article else "地方方案",
            "role": self.role,
        }


@dataclass
class DraftItem:
    text: str  # with [n] citations
    task: bool = False  # a task item: it cites the articles on its subject, or says there are none (NO_BASIS)
    no_basis: bool = False  # a task no article in the knowledge base is about

    @property
    def citations(self) -> list[int]:
        return [int(n) for n in CITE.findall(self.text)]


@dataclass
class DraftSection:
    title: str  # 指导思想, 春节 …
    level: int  # 1 for the template's sections, 2 for the task groups inside 重点任务
    number: str = ""  # 一、 / （一）
    paragraphs: list[str] = field(default_factory=list)
    items: list[DraftItem] = field(default_factory=list)
    children: list[DraftSection] = field(default_factory=list)
    tasks: bool = False  # the section that holds the task groups
    schedule: bool = False  # the section that holds the dated phases
    guidance: str = ""

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class PlanDraft:
    title: str
    level: str
    kind: str | None  # None for a single section
    period: Period | None
    region: str | None = None
    focus: list[str] = field(default_factory=list)
    mode: str = "离线（模板＋检索条文）"
    sections: list[DraftSection] = field(default_factory=list)
    sources: list[DraftSource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    provisions: dict[int, Provision] = field(default_factory=dict, repr=False)  # [n] -> the verified source

    def walk(self):
        for section in self.sections:
            yield from section.walk()

    def section(self, title: str) -> DraftSection | None:
        return next((s for s in self.walk() if s.title == title), None)

    @property
    def task_items(self) -> list[DraftItem]:
        return [item for s in self.walk() for item in s.items if item.task]

    @property
    def schedule_items(self) -> list[DraftItem]:
        return [item for s in self.walk() if s.schedule for item in s.items]

    def source(self, number: int) -> DraftSource:
        return self.sources[number - 1]

    @property
    def basis_sources(self) -> list[DraftSource]:
        return [s for s in self.sources if s.is_article]

    @property
    def reference_sources(self) -> list[DraftSource]:
        return [s for s in self.sources if not s.is_article]

    def to_markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        if self.period is not None:
            lines += [f"> 期间：{self.period.label}（{cn_date(self.period.start)}—{cn_date(self.period.end)}）", ""]
        for section in self.walk():
            lines += [f"{'#' * (section.level + 1)} {section.heading}", ""]
            lines += [p for paragraph in section.paragraphs for p in (paragraph, "")]
            lines += [f"{n}. {item.text}" for n, item in enumerate(section.items, start=1)]
            if section.items:
                lines.append("")
        lines += [f"## {BASIS_HEADING}", ""]
        lines += [f"- {s.line()}" for s in self.basis_sources] or ["- （无）"]
        if self.reference_sources:
            lines += ["", f"## {REFERENCE_HEADING}（{REFERENCE_NOTE}）", ""]
            lines += [f"- {s.line()}" for s in self.reference_sources]
        if self.notes:
            lines += ["", "---", ""] + [f"- 说明：{note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def write_markdown(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_markdown(), encoding="utf-8")
        return path

    def to_dict(self) -> dict:
        def section(s: DraftSection) -> dict:
            return {
                "heading": s.heading,
                "title": s.title,
                "level": s.level,
                "paragraphs": s.paragraphs,
                "items": [
                    {"text": i.text, "task": i.task, "no_basis": i.no_basis, "citations": i.citations} for i in s.items
                ],
                "children": [section(c) for c in s.children],
            }

        period = (
            None
            if self.period is None
            else {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            }
        )
        return {
            "title": self.title,
            "kind": self.kind,
            "level": self.level,
            "period": period,
            "region": self.region,
            "focus": self.focus,
            "mode": self.mode,
            "sections": [section(s) for s in self.sections],
            "sources": [s.to_dict() for s in self.sources],
            "notes": self.notes,
        }


# --- numbering the sources --------------------------------------------------------------------------


def numbering(used: list[int], is_article) -> dict[int, int]:
    """Source keys in order of first use -> their numbers: the articles 1…k, then the plan passages k+1…n."""
    ordered = [key for key in used if is_article(key)] + [key for key in used if not is_article(key)]
    return {key: number for number, key in enumerate(ordered, start=1)}


def source_of(number: int, provision: Provision) -> DraftSource:
    return DraftSource(number, provision.citation, provision.doc_id, provision.article, provision.quote)


def renumber_sources(draft: PlanDraft) -> None:
    """After a rewrite: number the sources still cited, articles first, each kind in order of first use."""
    sources = draft.provisions
    texts = [t for section in draft.walk() for t in section.paragraphs + [item.text for item in section.items]]
    used = list(dict.fromkeys(int(n) for text in texts for n in CITE.findall(text) if int(n) in sources))
    numbers = numbering(used, lambda old: sources[old].is_article)

    def one(match: re.Match) -> str:
        old = int(match.group(1))
        return f"[{numbers[old]}]" if old in numbers else ""

    for section in draft.walk():
        section.paragraphs = [CITE.sub(one, p) for p in section.paragraphs]
        for item in section.items:
            item.text = CITE.sub(one, item.text)
    draft.provisions = {new: sources[old] for old, new in numbers.items()}
    draft.sources = [source_of(n, p) for n, p in sorted(draft.provisions.items())]
