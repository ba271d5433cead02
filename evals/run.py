"""Run an evaluation set through the same code path as `anquan ask` and score it (FORMAT.md), next to
the textbook LangChain baseline computed in the same run on the same corpus.

    python -m evals.run --set ../shared/evals/dev.jsonl \\
        --corpus ../shared/corpus/regulations ../shared/corpus/plans --out results.jsonl

Writes the results (one JSON line per item), RESULTS.md (a Markdown table) and RESULTS.png (a bar
chart) beside --out, and prints the table. The index lives in --data-dir (default: ANQUAN_DATA_DIR)
and is reused when it is up to date.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from assistant.ask import Assistant
from assistant.settings import Settings
from evals.baseline import BaselineRetriever
from evals.metrics import compute
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest

METRICS = ["recall_at_5", "recall_at_10", "mrr_at_10", "key_fact_coverage", "citation_precision",
           "abstain_on_unanswerable", "false_abstain_on_answerable"]


def load_set(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path} 第 {n} 行不是有效的 JSON：{exc}") from None
    return items


def run_project(items: list[dict], kb: KnowledgeBase) -> tuple[dict[str, dict], list[float]]:
    assistant = Assistant(kb)
    results, latencies = {}, []
    for item in items:
        started = time.perf_counter()
        result = assistant.ask(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        results[item["id"]] = {"id": item["id"], **result.to_format()}
    return results, latencies


def run_baseline(items: list[dict], corpus: list[Path]) -> dict[str, dict]:
    baseline = BaselineRetriever.build(corpus)
    return {item["id"]: {"retrieved": [{"doc": d.metadata["doc"], "article": None, "text": d.page_content}
                                       for d, _ in baseline.search(item["question"])],
                         "answer": "", "abstained": False, "citations": []} for item in items}


def table(project: dict, baseline: dict) -> str:
    def cell(value):
        return "—" if value is None else f"{value:.3f}"

    rows = ["| 指标 | anquan | LangChain 基线 |", "|---|---|---|"]
    rows += [f"| {m} | {cell(project[m])} | {cell(baseline[m])} |" for m in METRICS]
    return "\n".join(rows)


def chart(project: dict, baseline: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [m for m in METRICS if project[m] is not None]
    x = range(len(names))
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.bar([i - 0.2 for i in x], [project[m] for m in names], width=0.4, label="anquan")
    ax.bar([i + 0.2 for i in x], [baseline[m] or 0 for m in names], width=0.4, label="LangChain baseline")
    ax.set_xticks(list(x), names, rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="运行评测集并计算 FORMAT.md 指标（与 LangChain 基线对比）")
    parser.add_argument("--set", dest="set_path", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    items = load_set(args.set_path)
    report = ingest(args.corpus, settings)
    kb = KnowledgeBase(settings)
    print(f"索引：{len(kb.documents())} 个文档（本次新增/更新 {report.count('added') + report.count('updated')}），"
          f"{kb.embedder.description}")
    results, latencies = run_project(items, kb)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(results[item["id"]], ensure_ascii=False) + "\n")
    project = compute(items, results)
    baseline = compute(items, run_baseline(items, args.corpus))
    text = table(project, baseline)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else latencies[0]
    summary = f"{text}\n\n{len(items)} 题；回答延迟 p50 {statistics.median(latencies):.0f} ms，p95 {p95:.0f} ms"
    (args.out.parent / "RESULTS.md").write_text(summary + "\n", encoding="utf-8")
    chart(project, baseline, args.out.parent / "RESULTS.png")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
