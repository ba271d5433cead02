"""The drafter's named knobs, in one typed config: how the articles and plan passages a task cites are chosen.

Provenance: the retrieval weights (rank_bonus … local_share, quote lengths) were set when the drafter was written,
by reading the Q1–Q4 district drafts over the corpus. The subject test (subject_min, min_terms, single_term_min,
task_word_share, plan_min) decides whether a provision is about a task at all; it was set by reviewing the
candidates of every seasonal task of the Q1–Q4 district drafts item by item (0.15 keeps e.g. 应急条例第十四条 for a
duty-roster task and drops no on-subject article that 0.2 kept; min_terms stops a small library's one shared
word, 运输, from making a drill article the basis of a transport check) and is held by the recorded Q2 review
(``python -m evals.draft_review``; the module names the result). The words that say what a task does rather than
what it is about (检查, 落实, 节前 …), the field of each special regulation and the months of the seasons a plan
may name are authored data in knowledge/plan_templates.yaml (task_words, regulation_fields, seasons).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class DraftConfig(BaseModel):
    subject_min: float = Field(
        0.15,
        description="share of a task's subject terms (by rarity) a provision must hold to "
        "be cited for it (reviewed on the Q1–Q4 drafts, evals.draft_review)",
    )
    min_terms: int = Field(
        2,
        description="distinct subject terms (not task words) a cited passage must hold: sharing one "
        "word (运输, 人员密集场所) is a coincidence; always so for a plan phrase (参考)",
    )
    single_term_min: float = Field(
        0.3,
        description="an article holding fewer than min_terms is cited only when they are "
        "this share of the task's subject (应急演练 in a task about a drill)",
    )
    task_word_share: float = Field(
        0.2,
        description="weight kept by a word that says what a task does (检查, 落实) or "
        "when (节前): it can't make a provision fit on its own",
    )
    rank_bonus: float = Field(0.15, description="retrieval rank 1 adds this to the fit score, rank n adds it / n")
    context_share: float = Field(0.3, description="weight of the focus item's name and hazards beside the task's words")
    off_topic: float = Field(
        0.6,
        description="score kept by an article of a sector regulation whose sector the task "
        "never names (煤矿, 烟花爆竹 …)",
    )
    curated_bonus: float = Field(
        0.3, description="an article or plan passage the knowledge pack lists for the focus item, among those that fit"
    )
    second_share: float = Field(
        0.85,
        description="a second article (of another law) is cited when it scores, and fits "
        "the task's subject, this share of the best",
    )
    local_share: float = Field(
        0.6, description="the region's own article is cited when it scores this share of the best"
    )
    plan_min: float = Field(
        0.35,
        description="a plan passage is cited as 参考 when its best clause holds this share "
        "of the task's subject terms (a plan is no basis: the bar is higher)",
    )
    compound_chars: int = Field(
        4,
        description="a compound term (人员密集场所, 应急演练) is this long at least: its parts "
        "do not add to its weight",
    )
    retrieved_topic_coverage: float = Field(
        0.75, description="an article drafted into a focus the pack does not know must name this share of it"
    )
    max_seasonal_groups: dict[str, int] = Field(
        {"quarterly": 9, "campaign": 3, "holiday": 6},
        description="seasonal focus items a plan of each kind carries at most",
    )
    candidates: int = Field(12, description="articles retrieved per task before the subject test")
    quote_chars: int = Field(48, description="longest quoted clause, in characters (then shortened with ……)")
    subject_quote_chars: int = Field(
        96,
        description="a quote that would begin inside a list naming whom the duty binds (……运输单位应当…) begins "
        "with the whole subject instead, when the clause from there is at most this long (twice quote_chars)",
    )
    min_quote_chars: int = Field(
        14, description="a clause shorter than this (a bare 项 heading) is quoted only when nothing longer fits"
    )


DRAFT = DraftConfig()
