"""The ranking's named knobs, in one typed config. The feature weights are not chosen by hand: they are
fitted by ``python -m evals.fit_ranker`` on question -> article pairs of the knowledge pack (the self-check
obligations and the glossary, which were written independently of every evaluation set) and stored beside
this file, one file per embedder family (``ranker-e5.json``, ``ranker-builtin.json``: the dense features mean
different things for different embedders), with a note of what they were fitted on. A sentence-transformers
model uses the e5 weights (both are neural sentence embedders). Evaluation runs write the whole config into
their results."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

HERE = Path(__file__).parent


def family(embedder_name: str) -> str:
    """The embedder family whose fitted weights apply: builtin for the built-in LSA vectors, else e5."""
    return "builtin" if embedder_name.startswith("builtin") else "e5"


def fitted_path(embedder_name: str) -> Path:
    return HERE / f"ranker-{family(embedder_name)}.json"


def _fitted(embedder_name: str) -> dict:
    try:
        return json.loads(fitted_path(embedder_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class RankingConfig(BaseModel):
    candidates: int = Field(50, description="depth of each candidate list (BM25, BM25 with the lexicon, dense, scopes)")
    rrf_k: int = Field(60, description="reciprocal-rank constant of each list's rank feature (Cormack et al. 2009)")
    scope_depth: int = Field(10, description="candidates taken from inside each document or region the question names")
    copy_similarity: float = Field(
        0.85,
        description="character-bigram overlap above which two provisions are the same text (a local regulation "
        "copying a national article): the copy goes behind the others, it is not a different answer",
    )
    loose_title_min: int = Field(
        8, description="characters a title needs to be named loosely (a shorter one is named exactly or not at all)"
    )
    title_matter_min: int = Field(
        10,
        description="characters from 关于 to a title's end that name its document without the issuers "
        "(《关于办理危害生产安全刑事案件适用法律若干问题的解释》); a shorter matter (关于…的通知) names a kind of text",
    )
    loose_title_share: float = Field(
        0.7,
        description="share of a title's characters a question holds in order, in runs of two or more, to name it "
        "loosely (国务院预防煤矿事故的那个特别规定: 14 of the 20 of 国务院关于预防煤矿生产安全事故的特别规定)",
    )
    loose_title_kind: int = Field(
        2,
        description="characters of a title's ending that say what kind of text it is (条例, 规定, 办法): a title named "
        "loosely is named with that ending (那个条例) or whole but for it (生产安全事故报告和调查处理有什么规定)",
    )
    national_depth: int = Field(
        20,
        description="candidates taken from the national texts alone (BM25 of the question with its legal terms), "
        "so that other regions' versions of a rule cannot crowd the national one out of every list",
    )
    other_region_cap: int = Field(
        2,
        description="regions the question does not ask about whose local texts keep their rank (the first ones "
        "ranked); the texts of further such regions go behind the others: a dozen cities' versions of one rule "
        "(their fireworks fines) are one answer asked about nowhere in particular, not a dozen (1 to 3 leave dev and "
        "dev2 on regulations + plans as they are; 2 keeps a second region's version beside the first at full scale)",
    )
    general_collection: float = Field(
        0.8,
        description="share of a library's texts (plans and reports aside) outside the field (LegalForms.in_field) "
        "above which, the field's texts present too, it is a general collection (a national one: 94% of the scale "
        "corpus), searched in the field and in what a question names; any other library is the user's choice and "
        "searched whole (their 动火作业规定, 防暑降温措施管理办法)",
    )
    punished_depth: int = Field(
        3,
        description="duty provisions at the head of the ranking whose penalty provision, naming the duty's article "
        "(违反本条例第三十条规定的), moves up right after it when the question asks a penalty",
    )
    weights: dict[str, float] = Field(default_factory=dict, description="feature -> weight of the linear ranker")
    bias: float = 0.0
    fitted_on: str = Field("", description="what the weights were fitted on (written by evals.fit_ranker)")

    @classmethod
    def load(cls, embedder_name: str = "e5") -> RankingConfig:
        return cls(**_fitted(embedder_name))
