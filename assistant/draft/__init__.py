"""Drafting safety plans: draft_plan (a quarterly, annual, campaign or holiday plan) and draft_section (one
section), each a PlanDraft whose task items cite the articles they rest on as [n]. The parts: period (the
plan's period and dated phases), sources (the articles and plan passages a task cites), model (the draft and
its numbered sources), builder (the offline outline), and the writers: docx (write_plan_docx, a Word file)
and llm (PlanWriter, a rewrite by an LLM, verified like an answer)."""

from assistant.draft.builder import draft_options, draft_plan, draft_section
from assistant.draft.model import NO_BASIS, DraftItem, DraftSection, DraftSource, PlanDraft
from assistant.draft.period import KINDS, PlanRequestError, check_period_length

__all__ = [
    "KINDS",
    "NO_BASIS",
    "DraftItem",
    "DraftSection",
    "DraftSource",
    "PlanDraft",
    "PlanRequestError",
    "check_period_length",
    "draft_options",
    "draft_plan",
    "draft_section",
]
