"""Self-check of legal obligations: read_profile (an enterprise's form and description, profile), build_checklist
(the duties that apply, with quoted articles, evidence and penalties, merged when two state one duty; checklist),
load_answers and Checklist.gap_report (是/否/不确定 answers into a gap report with what to do), and the outputs:
console (the terminal and JSON) and export (Excel and Word)."""

from assistant.selfcheck.checklist import (
    ANSWERS,
    AnswerError,
    AnswerLimits,
    Checklist,
    ChecklistItem,
    GapItem,
    GapReport,
    MergedDuty,
    QuotedArticle,
    SameDuty,
    build_checklist,
    duplicate_pairs,
    load_answers,
    parse_answers,
    same_duty,
)
from assistant.selfcheck.profile import ProfileError, read_profile

__all__ = [
    "ANSWERS",
    "AnswerError",
    "AnswerLimits",
    "Checklist",
    "ChecklistItem",
    "GapItem",
    "GapReport",
    "MergedDuty",
    "ProfileError",
    "QuotedArticle",
    "SameDuty",
    "build_checklist",
    "duplicate_pairs",
    "load_answers",
    "parse_answers",
    "read_profile",
    "same_duty",
]
