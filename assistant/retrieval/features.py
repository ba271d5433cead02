"""Stage 2, features: what the ranker knows of each candidate. Each feature is one named number, small and
bounded, so its fitted weight reads as how much that signal is worth.

Signals of match: the candidate's rank in each candidate list (rrf_k / (rrf_k + rank), 0 when absent), its
BM25 score as a share of the best candidate's, its dense similarity less the best candidate's, and the share
of the question's weighted terms it holds. Signals of the law's own order (priors): whether the question names
the document or its region, whether a local text does not bind where the question asks (none named: every local
text), the text's rank in the hierarchy (法律 above 行政法规 above local rules; a text of another field, 法官法 in a
national collection, has none: LegalForms.in_field), whether a national text governs one subject the question does
not name (特种设备安全法 for 发生较大事故罚多少: a special law or a sector rule applies to its subject, the general
law to every matter), and whether the provision is of the kind the question asks for (a penalty, a definition, a
provision stating the figure asked). Plans and reports carry no prior here: they compete on their words, and the
answer stage decides whether one may be cited (never as the basis of a duty, a deadline or a penalty).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from assistant.retrieval.candidates import Candidates
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.coverage import covered, question_weights
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, provision_asked, provision_kind
from assistant.retrieval.query import ASKS_STATUS, QueryPlan, binds, naming_members
from ingest.cleaning import normalise_for_index
from ingest.legal_forms import default_forms
from ingest.metadata import NATIONAL, PLAN_KINDS
from ingest.store import DocumentRecord

PASSAGE_CACHE = 65536  # normalised candidate passages kept (about 60 MB at most)
LISTS = ("bm25", "bm25_lexicon", "dense", "scope", "glossary")
FEATURES = (
    *(f"rank_{name}" for name in LISTS),
    "bm25_score",  # BM25 of the question as written, as a share of the best candidate's
    "dense_gap",  # cosine similarity minus the best candidate's (≤ 0)
    "coverage",  # weighted share of the question's terms the candidate holds
    "named_document",  # the question names the candidate's document (not asking whether it is in force)
    "named_region",  # the question names the candidate's region
    "other_region",  # a local text that does not bind where the question asks (another region's, or none named)
    "law",  # a 法律
    "national_rule",  # a national 行政法规, 部门规章 or 司法解释
    "unasked_subject",  # a national special law or sector rule (特种设备安全法, 煤矿安全生产条例) on a subject the
    #                    question does not name: it applies to its subject, the general law to every matter
    "kind_match",  # the question asks for a penalty, a definition or a figure and this provision is / states one
    #               (a figure stated only in words, 立即 for 多久, counts half)
    "kind_other",  # the question asks for one of those and this provision is another kind
    "penalty_unasked",  # the question asks none of those (what is required, whether, how) and this provision is
    #                    a penalty: it restates the duty it punishes, the duty is stated where it is imposed
)


def _rank_feature(rank: int | None, k: int) -> float:
    return 0.0 if rank is None else k / (k + rank)


def featurize(
    found: Candidates,
    plan: QueryPlan,
    records: dict[str, DocumentRecord],
    idf: dict[str, float],
    config: RankingConfig,
    figures: QuantityAsks,
    known: dict[str, dict[str, float]] | None = None,
) -> np.ndarray:
    """One row per candidate in found.ids, one column per FEATURES name. ``known``: the candidate_values already
    computed for some of them (the lexical candidates', while the question's vector was computed)."""
    rows = np.zeros((len(found.ids), len(FEATURES)), dtype=np.float32)
    if not found.ids:
        return rows
    best_bm25 = max(found.bm25.values(), default=0.0) or 1.0
    best_dense = max(found.dense.values(), default=0.0)
    # a candidate whose vector is still to be computed (ingest.vector_builder) is neither helped nor hurt by the
    # dense signal: it gets the median gap of the candidates that have one
    unknown_gap = float(np.median(list(found.dense.values()))) - best_dense if found.dense else 0.0
    known = dict(known or {})
    known.update(candidate_values(found, plan, records, idf, figures, [i for i in found.ids if i not in known]))
    for row, chunk_id in enumerate(found.ids):
        values = {
            f"rank_{name}": _rank_feature(found.ranks.get(name, {}).get(chunk_id), config.rrf_k) for name in LISTS
        }
        values["bm25_score"] = found.bm25.get(chunk_id, 0.0) / best_bm25
        values["dense_gap"] = found.dense[chunk_id] - best_dense if chunk_id in found.dense else unknown_gap
        values.update(known[chunk_id])
        rows[row] = [values[name] for name in FEATURES]
    return rows


def candidate_values(
    found: Candidates,
    plan: QueryPlan,
    records: dict[str, DocumentRecord],
    idf: dict[str, float],
    figures: QuantityAsks,
    ids: list[str],
) -> dict[str, dict[str, float]]:
    """The features of these candidates that depend on the question and the chunk alone, not on the candidate lists
    or the question's vector: the share of the question it holds, the priors, the kind of provision. The lexical
    candidates' are computed while the question's vector is (candidates.gather)."""
    weights = question_weights(found.tokens, idf)
    asked = provision_asked(plan.question)
    figure = figures.asked(plan.question)
    out: dict[str, dict[str, float]] = {}
    for chunk_id in ids:
        chunk = found.chunks[chunk_id]
        passage = normalised_passage(chunk.text, f"{plan.naming(chunk)}{chunk.heading_text}")
        # (a provision on 特种设备 holds the 行车 asked about, as the answer reads it)
        values = {"coverage": covered(naming_members(passage, plan.kinds), weights)}
        values.update(priors(records[chunk.doc_id], plan))
        kind = provision_kind(chunk)
        states = figure.degree(chunk.text) if figure is not None else 0.0
        values["kind_match"] = 1.0 if asked is not None and kind == asked else states
        values["kind_other"] = float(
            (asked is not None or figure is not None) and kind is not None and not values["kind_match"]
        )
        values["penalty_unasked"] = float(asked is None and figure is None and kind == PENALTY)
        out[chunk_id] = values
    return out


def priors(record: DocumentRecord, plan: QueryPlan) -> dict[str, float]:
    """The features that depend only on the document and what the question names."""
    is_plan = record.kind in PLAN_KINDS
    local = record.region != NATIONAL and not is_plan
    return {
        # (asked whether it is still in force, the text repealing it answers: 446号令还有效吗)
        "named_document": float(record.doc_id in plan.documents and not ASKS_STATUS.search(plan.question)),
        # (a text of another field in the named region, 上海市实施《归侨侨眷权益保护法》办法, is not asked about)
        "named_region": float(record.region in plan.regions and (is_plan or in_field(record.title))),
        # a local text that does not bind where the question asks (浙江省's rules bind in 杭州: not another region's)
        "other_region": float(
            local
            and record.region not in plan.regions
            and not binds(record.region, plan.within)
            and record.doc_id not in plan.documents
        ),
        # the hierarchy ranks the field's texts: a law of another field (法官法 in a national collection) has none
        "law": float(record.kind == "法律" and in_field(record.title)),
        "national_rule": float(
            record.region == NATIONAL and record.kind in ("行政法规", "部门规章", "司法解释") and in_field(record.title)
        ),
        "unasked_subject": float(
            record.region == NATIONAL
            and not is_plan
            and not names_subject(subject_of(record.title, record.kind), plan.expanded)
        ),
    }


@lru_cache(maxsize=65536)
def subject_of(title: str, kind: str) -> str:
    """LegalForms.subject, read once per document (消防法 → 消防; "" for 安全生产法, 工伤保险条例)."""
    return default_forms().subject(title, kind)


@lru_cache(maxsize=65536)
def names_subject(subject: str, question: str) -> bool:
    """Whether a question (with the legal terms its words stand for) names a subject, by its name or a word for
    what it covers (电梯 for 特种设备); any question names the general law's ("")."""
    return default_forms().names_subject(subject, normalise_for_index(question))


@lru_cache(maxsize=65536)
def in_field(title: str) -> bool:
    return default_forms().in_field(title)


def of_field(record: DocumentRecord) -> bool:
    """Whether a document is of the field: a plan or report of the user's, or a text whose title is (in_field)."""
    return record.kind in PLAN_KINDS or in_field(record.title)


def general_collection(records: Iterable[DocumentRecord], share: float) -> bool:
    """Whether a library is a general collection: more than ``share`` of its texts (plans and reports aside) of other
    fields, some of the field's among them (a national one: the scale corpus, 94 %). A library of the field, or of a
    few texts of no field word, is the user's choice: every text of it is theirs to ask about."""
    texts = [r for r in records if r.kind not in PLAN_KINDS]
    outside = sum(not in_field(r.title) for r in texts)
    return outside < len(texts) and outside > share * len(texts)


@lru_cache(maxsize=PASSAGE_CACHE)
def normalised_passage(text: str, heading_path: str) -> str:
    """A chunk as coverage reads it: its heading path and text, normalised (cached: candidates recur)."""
    return normalise_for_index(f"{heading_path} {text}")
