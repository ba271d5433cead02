"""Run an evaluation set through the same code path as `anquan ask` and score it (FORMAT.md), next to
two textbook peers computed in the same run on the same corpus (evals.baseline): the textbook hybrid
(RecursiveCharacterTextSplitter chunks, BM25 + multilingual-e5-small fused by EnsembleRetriever's weighted
RRF, 0.5/0.5, c=60) and the LangChain BM25 pipeline (the same chunks, BM25 alone).

    python -m evals.run --set ../shared/evals/dev.jsonl \\
        --corpus ../shared/corpus/regulations ../shared/corpus/plans --out results.jsonl

Writes the results (one JSON line per item), each peer's results in the same format beside them
(results.baseline-hybrid.jsonl, results.baseline-bm25.jsonl for --out results.jsonl, for diffing items),
RESULTS.md (a Markdown table) and RESULTS.png (a bar chart) beside --out, and prints the table. The
hybrid peer's chunk vectors go to the project's vector cache (Settings.vector_cache): the first run over
a corpus embeds them (minutes on a CPU), later runs read them back. The index lives in --data-dir
(default: ANQUAN_DATA_DIR) and is reused when it is up to date.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from assistant.answer import ANSWER
from assistant.ask import Assistant, backends
from evals import refuse_foreign_out
from evals.baseline import BaselineRetriever, HybridRetriever, e5_embedder, split_corpus
from evals.metrics import compute
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

METRICS = [
    "recall_at_5",
    "recall_at_10",
    "mrr_at_10",
    "key_fact_coverage",
    "citation_precision",
    "abstain_on_unanswerable",
    "false_abstain_on_answerable",
]


def load_set(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path} 第 {n} 行不是有效的 JSON：{exc}") from None
    return items


def run_project(items: list[dict], kb: KnowledgeBase) -> tuple[dict[str, dict], list[float], Assistant]:
    assistant = Assistant(kb)
    assistant.ask("安全生产")  # warm: the index, the segmenter and the knowledge pack load once per process
    results, latencies = {}, []
    for item in items:
        started = time.perf_counter()
        result = assistant.ask(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        results[item["id"]] = {"id": item["id"], **result.to_format()}
    return results, latencies, assistant


def run_config(kb: KnowledgeBase, assistant: Assistant, args) -> dict:
    """What ran: the backend of each family (embedder, store, reranker, composer, LLM), every ranking weight and
    answer threshold, the set and the corpus."""
    ranking = assistant.retriever.config
    return {
        "set": str(args.set_path),
        "corpus": [str(p) for p in args.corpus],
        "embedder": kb.embedder.name,
        "ranking": ranking.model_dump() if ranking else None,
        "answer": ANSWER.model_dump(),
        "llm": kb.settings.llm_model if assistant.llm else None,
        "backends": backends(kb),
    }


# the peers: (key, column title, chart label); the key names the results file, results.baseline-<key>.jsonl
PEERS = [
    ("hybrid", "教科书混合检索 (BM25+e5, RRF 0.5/0.5)", "textbook hybrid (BM25+e5, RRF 0.5/0.5)"),
    ("bm25", "LangChain BM25 基线", "LangChain BM25 baseline"),
]


def _peer_results(items: list[dict], search) -> dict[str, dict]:
    return {
        item["id"]: {
            "id": item["id"],
            "retrieved": [
                {"doc": d.metadata["doc"], "article": None, "text": d.page_content, "score": round(score, 6)}
                for d, score in search(item["question"])
            ],
            "answer": "",
            "abstained": False,
            "citations": [],
        }
        for item in items
    }


def run_baselines(
    items: list[dict], corpus: list[Path], vector_cache: Path
) -> tuple[dict[str, dict | None], str | None]:
    """Both peers over one loading and splitting pass: ({peer key: results or None}, why the hybrid
    did not run, or None)."""
    from ingest.embedders.e5 import why_not_available

    documents = split_corpus(corpus)
    bm25 = BaselineRetriever.from_documents(documents)
    peers: dict[str, dict | None] = {"bm25": _peer_results(items, bm25.search), "hybrid": None}
    missing = why_not_available()
    if missing is None:
        hybrid = HybridRetriever.from_documents(documents, e5_embedder(vector_cache), bm25=bm25)
        peers["hybrid"] = _peer_results(items, hybrid.search)
    return peers, missing


def table(project: dict, peers: dict[str, dict | None]) -> str:
    def cell(value):
        return "—" if value is None else f"{value:.3f}"

    rows = ["| 指标 | anquan | " + " | ".join(title for _, title, _ in PEERS) + " |", "|---" * (len(PEERS) + 2) + "|"]
    for m in METRICS:
        cells = [cell(project[m])] + [cell((peers.get(key) or {}).get(m)) for key, _, _ in PEERS]
        rows.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def chart(project: dict, peers: dict[str, dict | None], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [m for m in METRICS if project[m] is not None]
    x = range(len(names))
    width = 0.8 / (len(PEERS) + 1)
    fig, ax = plt.subplots(figsize=(11, 4))
    ax.bar([i - width for i in x], [project[m] for m in names], width=width, label="anquan")
    for n, (key, _, label) in enumerate(PEERS):
        if peers.get(key) is not None:
            ax.bar([i + n * width for i in x], [peers[key][m] or 0 for m in names], width=width, label=label)
    ax.set_xticks(list(x), names, rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="运行评测集并计算 FORMAT.md 指标（与 LangChain 基线对比）")
    parser.add_argument("--set", dest="set_path", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--no-embed", action="store_true", help="导入时不计算向量：按索引现有的向量评测（全量语料只算了一部分向量时）"
    )
    parser.add_argument("--no-peers", action="store_true", help="不运行两个教科书基线（全量语料上要数小时计算向量）")
    args = parser.parse_args(argv)
    refuse_foreign_out(args.out, "id", lines=True)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    items = load_set(args.set_path)
    report = ingest(args.corpus, settings, vectors=not args.no_embed)
    kb = KnowledgeBase(settings)
    print(
        f"索引：{len(kb.documents())} 个文档（本次新增/更新 {report.count('added') + report.count('updated')}），"
        f"{kb.embedder.description}"
    )
    results, latencies, assistant = run_project(items, kb)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(results[item["id"]], ensure_ascii=False) + "\n")
    project = compute(items, results)
    peer_results, hybrid_missing = (
        ({}, None) if args.no_peers else run_baselines(items, args.corpus, settings.vector_cache)
    )
    peers: dict[str, dict | None] = {}
    for key, found in peer_results.items():
        peers[key] = None if found is None else compute(items, found)
        if found is not None:
            peer_out = args.out.with_name(f"{args.out.stem}.baseline-{key}{args.out.suffix}")
            with peer_out.open("w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(found[item["id"]], ensure_ascii=False) + "\n" for item in items)
    text = table(project, peers)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else latencies[0]
    summary = f"{text}\n\n{len(items)} 题；回答延迟 p50 {statistics.median(latencies):.0f} ms，p95 {p95:.0f} ms"
    if hybrid_missing:
        summary += f"\n\n教科书混合检索未运行：{hybrid_missing}"
    config = run_config(kb, assistant, args)
    (args.out.parent / "run-config.json").write_text(
        json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    summary += (
        f"\n\n向量模型 {kb.embedder.name}；排序权重与回答阈值见 run-config.json（{config['ranking']['fitted_on']}）"
    )
    (args.out.parent / "RESULTS.md").write_text(summary + "\n", encoding="utf-8")
    chart(project, peers, args.out.parent / "RESULTS.png")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
