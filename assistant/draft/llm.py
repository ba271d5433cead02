"""LLM mode for drafting: each section of the offline outline (each task group of the task section) is
rewritten as fuller prose by an OpenAI-compatible model, from the same numbered sources. The sources go
to the model fenced as data (prompts/draft_*.md); what comes back is verified as in the ask chain: a [n]
that points at no source given is removed, a quote not verbatim in its source is flagged, a sentence without a
[n] is checked against the sources the reply cites (a figure, deadline or exemption no source holds is flagged; what
the model was given to restate, the outline, the plan's title, period and dated schedule, is taken as given), and a
task item left without any citation is flagged. A reply that declines (知识库中未找到依据, citing nothing) or lists no
task where the outline had tasks leaves that part's offline text, with a note. The dated phases are kept as
computed (the dates are facts).
When the endpoint fails (refused, timed out, HTTP error, unreadable reply) the sections not yet written keep
their offline text and the draft's notes say so; the endpoint is not asked again for that draft."""

from __future__ import annotations

import re

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.citations import CITE as _CITE
from assistant.citations import MARKER
from assistant.draft.model import DraftItem, DraftSection, PlanDraft, renumber_sources
from assistant.draft.sources import Provision
from assistant.llm import (
    EmptyReply,
    LlmUnavailable,
    call_model,
    chat_model,
    format_sources,
    llm_label,
    load_prompt,
)
from assistant.llm.composer import document_aliases, is_abstention, legal_wording
from assistant.llm.verification import notes, verify
from ingest.settings import Settings

_ITEM = re.compile(r"^\s*(?:\d+\s*[\.．、]|[（(]\d+[)）]|[-*•])\s*(.+)$")
_HEADING = re.compile(r"^\s*#+\s|^\s*[一二三四五六七八九十]+、|^\s*[（(][一二三四五六七八九十]+[)）]")
_SOURCE_LINE = re.compile(rf"^{MARKER}\s*《")  # a list of sources echoed back: the draft has its own
UNCITED = "（⚠未注明依据，请核实）"


class PlanWriter:
    """Rewrites a finished offline draft section by section: `PlanWriter(settings).rewrite(draft)`."""

    def __init__(self, settings: Settings, model: BaseChatModel | None = None):
        self.settings = settings
        self.model = model or chat_model(settings)
        self.system = load_prompt(settings, "draft_system")
        self.user = load_prompt(settings, "draft_user")
        self.aliases = document_aliases(settings)
        self.wording = legal_wording(settings)

    @property
    def mode(self) -> str:
        return llm_label(self.settings)

    def units(self, draft: PlanDraft) -> list[DraftSection]:
        """What is written in one call: a task group, or a whole section; the dated schedule is kept."""
        found: list[DraftSection] = []
        for section in draft.sections:
            if section.schedule:
                continue
            if section.children:
                found += section.children
            else:
                found.append(section)
        return found

    def rewrite(self, draft: PlanDraft) -> PlanDraft:
        """Rewrite an offline draft in place (its sections, sources and notes) and return it."""
        offline_mode = draft.mode
        written = 0
        for unit in self.units(draft):
            try:
                self._rewrite_unit(draft, unit, draft.provisions)
            except LlmUnavailable as fault:
                rest = "其余部分保留离线稿" if written else "以下为离线草稿"
                draft.notes.append(f"大模型服务暂不可用（{fault.reason}），{rest}。")
                break
            written += 1
        draft.mode = self.mode if written else offline_mode
        renumber_sources(draft)
        return draft

    def _outline(self, unit: DraftSection, local: dict[int, int]) -> str:
        def to_local(text: str) -> str:
            text = _CITE.sub(lambda m: f"[{local[int(m.group(1))]}]" if int(m.group(1)) in local else "", text)
            return text.replace("……”", "”")  # a shortened quote is a verbatim prefix

        lines = [to_local(p) for p in unit.paragraphs]
        lines += [f"{n}. {to_local(item.text)}" for n, item in enumerate(unit.items, start=1)]
        return "\n".join(lines)

    def _rewrite_unit(self, draft: PlanDraft, unit: DraftSection, sources: dict[int, Provision]) -> None:
        texts = unit.paragraphs + [item.text for item in unit.items]
        used = list(dict.fromkeys(int(n) for text in texts for n in _CITE.findall(text) if int(n) in sources))
        local = {number: position for position, number in enumerate(used, start=1)}
        chunks = [sources[number].chunk for number in used]
        guidance = unit.guidance or next((s.guidance for s in draft.sections if unit in s.children), "")
        outline = self._outline(unit, local)
        prompt = self.user.format(
            title=draft.title,
            period=draft.period.label if draft.period else "",
            level=draft.level,
            section=unit.heading,
            guidance=guidance,
            outline=outline,
            sources=format_sources(chunks, self.settings) if chunks else "（本部分没有资料）",
        )
        try:
            raw = call_model(self.model, [SystemMessage(self.system), HumanMessage(prompt)], self.settings).strip()
        except EmptyReply:
            draft.notes.append(f"“{unit.title}”：大模型没有返回内容，保留离线稿。")
            return
        # every sentence is checked, a marker or not: a figure, deadline or exemption that neither the sources nor what
        # the model was given (the outline, the plan's title, period and dated schedule) hold does not pass for being
        # left unnumbered; the outline's own figures and slogans (“谁主管、谁负责”) are given
        told = [draft.title, draft.period.label if draft.period else "", guidance, outline]
        told += [item.text for item in draft.schedule_items]
        days = (draft.period.start, draft.period.end) if draft.period else None  # the plan's own schedule
        text, report, cited = verify(
            raw, chunks, uncited=True, aliases=self.aliases, given="\n".join(told), days=days, wording=self.wording
        )
        if is_abstention(raw, cited):  # 未找到依据 for an outline the sources were found for: no rewrite of it
            draft.notes.append(f"“{unit.title}”：大模型答复未找到依据，保留离线稿。")
            return
        text = _CITE.sub(lambda m: f"[{used[int(m.group(1)) - 1]}]", text)  # local numbers back to the draft's
        tasks = any(item.task for item in unit.items)
        paragraphs, items = self._parse(text, task=tasks)
        if not paragraphs and not items:
            draft.notes.append(f"“{unit.title}”：大模型的回复无法识别为正文，保留离线稿。")
            return
        if tasks and not items:  # prose alone would drop every task of the outline
            draft.notes.append(f"“{unit.title}”：大模型的回复没有列出任务，保留离线稿。")
            return
        draft.notes += [f"“{unit.title}”：{found}" for found in notes(report, len(chunks))]
        uncited = sum(1 for text, task in items if task and not _CITE.search(text))
        if uncited:
            draft.notes.append(f"“{unit.title}”：{uncited} 项任务没有注明依据，已标注“请核实”")
        unit.paragraphs = paragraphs
        unit.items = [
            DraftItem(text if not task or _CITE.search(text) else text + UNCITED, task=task) for text, task in items
        ]

    def _parse(self, text: str, task: bool) -> tuple[list[str], list[tuple[str, bool]]]:
        paragraphs: list[str] = []
        items: list[tuple[str, bool]] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or _HEADING.match(line) or line.startswith(("依据：", "依据:")) or _SOURCE_LINE.match(line):
                continue
            match = _ITEM.match(line)
            if match:
                items.append((match.group(1).strip(), task))
            else:
                paragraphs.append(line)
        return paragraphs, items
