"""Calibrate the answer's abstention thresholds on data that is not an evaluation set, the knowledge pack,
all of whose questions the corpus answers:

- ``min_coverage`` on the pack's questions (self-check obligations, penalties, glossary terms, and the
  obligations in everyday words; see evals.fit_ranker);
- ``figure_coverage`` on figure questions made from the obligations whose duty states a figure, with the
  figure asked instead (收货后3日内交回 -> 收货后多少日内交回？), which the basis article answers;
- ``figure_share`` on the same figure questions: the clause stating the figure against the best clause on the part;
- ``figure_subject_share`` on the same figure questions: the share of what the question asks the figure about that
  the clause stating it holds;
- ``min_similarity`` (for the active embedder) on the pack's questions: the cosine of the quoted provisions' vectors
  to the question's below which the answer is declined (reported only when the index has vectors).

For each candidate value it reports the share of those questions the offline answer declines; the shipped value
is the largest that declines at most ``TOLERATED`` more of them than the lowest value does (other rules decline a
few whatever the threshold).

    python -m evals.calibrate --corpus ../shared/corpus/regulations ../shared/corpus/plans --data-dir DIR
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from assistant.answer import ANSWER
from assistant.ask import Assistant
from assistant.pack import pack_of
from assistant.retrieval.figures import NUMBER
from evals.fit_ranker import region_name, training_pairs
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
FIGURE_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
SIMILARITY_GRID = (0.0, 0.8, 0.82, 0.84, 0.85, 0.86, 0.87, 0.875, 0.88, 0.885, 0.89)
TOLERATED = (
    0.01  # answerable questions the threshold may decline beyond those declined without it (target ≤ 0.05 in all)
)


def figure_questions(kb: KnowledgeBase) -> list[str]:
    """The obligations whose duty states a figure, asked for that figure (3日内 -> 多少日内). Counts of items
    (七项职责) are left out: the duty's author counted a list the law enumerates without a number."""
    units = sorted(
        (u for names in pack_of(kb).quantities.units.values() for u in names if u != "项"), key=len, reverse=True
    )
    figure = re.compile(rf"{NUMBER}\s*(?P<unit>{'|'.join(map(re.escape, units))})")
    questions = []
    pack = pack_of(kb)
    for obligation in pack.obligations:
        found = figure.search(obligation.duty)
        if found:
            duty = obligation.duty.rstrip("。；;")
            # a local duty asked with its region named, as a user there would (and as evals.fit_ranker asks it):
            # asked about no place, another region's rule rightly answers nothing
            region = region_name(kb, pack, obligation.basis)
            prefix = f"{region}的企业：" if region else ""
            questions.append(f"{prefix}{duty[: found.start()]}多少{found.group('unit')}{duty[found.end() :]}？")
    return questions


def sweep(composer, prepared, knob: str, grid, owner: object = ANSWER) -> float:
    """The largest value of the grid declining at most TOLERATED more of the questions than its first value: of a
    knob of ANSWER, or of the composer's own (min_similarity, calibrated per embedder)."""
    shipped = getattr(owner, knob)
    best, floor = grid[0], None
    for value in grid:
        setattr(owner, knob, value)
        declined = sum(composer.compose(q, plan, chunks).abstained for q, plan, chunks in prepared) / len(prepared)
        floor = declined if floor is None else floor
        print(f"{knob} {value:.3f}: 拒答 {declined:.3f}")
        if declined <= floor + TOLERATED + 1e-9:
            best = value
    setattr(owner, knob, shipped)
    print(f"建议 {knob} = {best}（当前 {shipped}）")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="在知识包的（均可回答的）问题上校准回答的拒答阈值")
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--show", action="store_true", help="列出最低阈值下仍被拒答的问题")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    ingest(args.corpus, settings)
    kb = KnowledgeBase(settings)
    assistant = Assistant(kb)

    def prepare(questions: list[str]) -> list:
        prepared = []
        for question in questions:
            _, plan, retrieved = assistant.retrieve(question)
            prepared.append((question, plan, assistant.whole_articles([c for c, _ in retrieved])))
        return prepared

    questions = prepare([pair.question for pair in training_pairs(kb)])
    figures = prepare(figure_questions(kb))
    # as `anquan ask` composes (the embedder's trust in its ranker), the similarity floor left out until its own sweep
    composer = assistant.offline_composer()
    composer.min_similarity = None
    print(f"{len(questions)} 个知识包问题（均有依据）")
    sweep(composer, questions, "min_coverage", GRID)
    print(f"{len(figures)} 个由义务改写的数额/期限问题（均有依据）")
    sweep(composer, figures, "figure_coverage", FIGURE_GRID)
    sweep(composer, figures, "figure_share", FIGURE_GRID)
    sweep(composer, figures, "figure_subject_share", FIGURE_GRID)
    if kb.store.has_vectors():
        print(f"向量模型 {kb.embedder.name}：所引条文与问题的语义相似度下限")
        composer.min_similarity = ANSWER.min_similarity.get(kb.embedder.name)
        sweep(composer, questions, "min_similarity", SIMILARITY_GRID, owner=composer)
        composer.min_similarity = None
    if args.show:
        ANSWER.min_coverage, ANSWER.figure_coverage, ANSWER.figure_share = GRID[0], FIGURE_GRID[0], FIGURE_GRID[0]
        for q, plan, chunks in questions + figures:
            answer = composer.compose(q, plan, chunks)
            if answer.abstained:
                print(q, "|", answer.text.splitlines()[0][:80])
    return 0


if __name__ == "__main__":
    sys.exit(main())
