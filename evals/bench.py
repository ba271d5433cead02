"""Benchmark: ingest cost and retrieval quality at scale, next to the textbook LangChain baseline.

    python -m evals.bench --fraction 1.0 [--json] [--out DIR]
    python -m evals.bench --fractions 0.1,0.25,0.5,1.0 --out bench-out     # growth table and plot
    python -m evals.bench --fraction 0.1 --hybrid-peer    # also the textbook hybrid (slow: e5 on a CPU)

For each fraction, a fresh temporary corpus holds a deterministic sample of ../shared/corpus/scale
(sorted, evenly spaced) plus ../shared/corpus/regulations and plans, where the evaluation set's answers
live (a scale file identical to one of those is left out, so nothing is in the corpus twice). Then:

- project: `anquan ingest` in a subprocess on a fresh data directory (built-in embedder): wall time,
  chunks, peak memory of the process and its workers, index size on disk; retrieval latency over the
  set's questions (warm, the retriever `anquan ask` uses); recall@5 and MRR@10 of `anquan ask`
  (evals.run.run_project, evals.metrics.compute); the first `anquan ask` in a new process; and an
  incremental re-ingest after one file of the corpus changed.
- baseline (evals.baseline: RecursiveCharacterTextSplitter 500/50 + bm25s over jieba), built and queried
  in a separate process over the same corpus.
- with --hybrid-peer only (off by default): the textbook hybrid (evals.baseline.HybridRetriever: the same
  chunks, that BM25 and multilingual-e5-small by brute-force cosine, EnsembleRetriever's weighted RRF
  0.5/0.5, c=60), in a process of its own, its vectors computed into a fresh cache so that its build time
  is the real cost. e5 embeds a few chunks per second per core: the full 58 MB scale corpus takes hours on
  a CPU, 10% of it tens of minutes; the project's own vectors do not wait like this (built-in embedder).

Peak memory is the peak, sampled every 0.5 s, of the summed proportional set size (PSS: shared pages
split between the processes sharing them) of the process and its children.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue as queue_module
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from assistant.settings import PROJECT_ROOT, Settings
from evals.metrics import compute
from evals.run import load_set, run_project

KEYS = ["ingest_s", "chunks", "peak_rss_mb", "index_mb", "query_p50_ms", "query_p95_ms", "recall_at_5", "mrr_at_10"]
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
DEFAULT_SET = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"
CHANGED_LINE = "\n本段为基准测试追加的一行，用于测量增量导入。\n"


# memory of a process tree
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def tree_memory_mb(pid: int) -> float:
    tree = _children()
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _memory_kb(current)
        stack.extend(tree.get(current, []))
    return total / 1024


class PeakMemory:
    """Samples a process tree's memory in a thread until stopped."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_memory_mb(self.pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak, 1)


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, str]:
    """Run a command: (wall seconds, peak tree memory MB, output). Raises when it fails."""
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        sampler = PeakMemory(process.pid)
        code = process.wait()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    output = log.read_text(encoding="utf-8", errors="replace")
    if code not in (0, 1):  # 1: some file failed, reported in the output
        raise SystemExit(f"命令失败（退出码 {code}）：{' '.join(cmd[:4])} …\n{output[-2000:]}")
    return seconds, peak, output


def directory_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


# the corpus
def sample_scale(scale: Path, fraction: float) -> list[Path]:
    """A deterministic, evenly spaced sample of the scale corpus's files (sorted by path)."""
    files = sorted(p for p in scale.rglob("*") if p.is_file() and not p.name.startswith("."))
    if fraction >= 1:
        return files
    count = max(1, round(len(files) * fraction))
    return [files[i * len(files) // count] for i in range(count)]


def build_corpus(root: Path, target: Path, fraction: float) -> tuple[list[Path], int]:
    """Copy the sample plus regulations and plans into target; (folders to ingest, scale files used)."""
    regulations = {p.name: p.read_bytes() for p in (root / "regulations").iterdir() if p.is_file()}
    shutil.copytree(root / "regulations", target / "regulations")
    shutil.copytree(root / "plans", target / "plans")
    used = 0
    for path in sample_scale(root / "scale", fraction):
        if regulations.get(path.name) == path.read_bytes():
            continue  # already in regulations/
        destination = target / "scale" / path.relative_to(root / "scale")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        used += 1
    (target / "scale").mkdir(exist_ok=True)
    return [target / "regulations", target / "plans", target / "scale"], used


# the project
def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    env.update({"ANQUAN_DATA_DIR": str(data_dir), "ANQUAN_EMBEDDER": "builtin"})
    return env


def vector_search_recall(kb, questions: list[str], k: int = 10) -> tuple[float, float]:
    """How many of the exact k nearest chunks (by brute force over every stored vector) the store's HNSW
    search returns, on average and at worst over the questions; a returned chunk as near as the k-th
    exact one counts (near-duplicate chunks tie)."""
    collection, vectors = kb.store.chunks, []
    for offset in range(0, collection.count(), 20000):
        page = collection.get(limit=20000, offset=offset, include=["embeddings"])
        vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
    matrix = np.vstack(vectors)
    found = []
    for question in questions:
        query = np.asarray(kb.embedder.embeddings.embed_query(question), dtype=np.float32)
        kth = np.partition(matrix @ query, -k)[-k]
        scores = np.array([score for _, score in kb.store.query(query.tolist(), k)])
        found.append(float(np.mean(scores >= kth - 1e-4)))
    return round(float(np.mean(found)), 3), round(min(found), 3)


def bench_project(paths: list[Path], items: list[dict], work: Path, incremental: bool) -> tuple[dict, dict]:
    from assistant.ask import Assistant
    from ingest.knowledge_base import KnowledgeBase

    data_dir = work / "data"
    work.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "assistant.cli"]
    seconds, peak, output = run_measured([*cli, "ingest", *map(str, paths)], _env(data_dir), work / "ingest.log")
    extra: dict = {}
    stages = re.search(r"用时 ([\d.]+) 秒（([^）]*)）", output)  # the command's own time, by stage
    if stages:
        extra["ingest_reported_s"], extra["ingest_stages"] = float(stages.group(1)), stages.group(2)
    question = next(i["question"] for i in items if i["type"] == "qa")
    first, _, _ = run_measured([*cli, "ask", question], _env(data_dir), work / "first-ask.log")
    extra["first_ask_cli_s"] = round(first, 2)
    kb = KnowledgeBase(Settings(data_dir=data_dir, embedder="builtin"))
    assistant = Assistant(kb)
    assistant.ask(question)  # warm
    latencies = []
    for item in items:
        started = time.perf_counter()
        assistant.retriever.search(item["question"], assistant.retriever.plan(item["question"]))
        latencies.append((time.perf_counter() - started) * 1000)
    results, ask_latencies, _ = run_project(items, kb)
    metrics = compute(items, results)
    records = kb.documents()
    extra.update(documents=len(records), ask_p95_ms=percentile(ask_latencies, 95))
    extra["ann_recall_at_10"], extra["ann_recall_at_10_min"] = vector_search_recall(kb, [i["question"] for i in items])
    project = {"ingest_s": round(seconds, 1), "chunks": sum(r.chunk_count for r in records.values()),
               "peak_rss_mb": peak, "index_mb": directory_mb(data_dir),
               "query_p50_ms": percentile(latencies, 50), "query_p95_ms": percentile(latencies, 95),
               "recall_at_5": metrics["recall_at_5"], "mrr_at_10": metrics["mrr_at_10"]}
    if incremental:
        changed = sorted(paths[0].iterdir())[0]  # a regulation (UTF-8 Markdown)
        with changed.open("a", encoding="utf-8") as handle:
            handle.write(CHANGED_LINE)
        wall, _, output = run_measured([*cli, "ingest", *map(str, paths)], _env(data_dir), work / "reingest.log")
        reported = re.search(r"用时 ([\d.]+) 秒", output)
        extra["incremental_reingest_s"] = float(reported.group(1)) if reported else None
        extra["incremental_reingest_cli_s"] = round(wall, 2)
        extra["incremental_updated"] = "更新 1" in output
    return project, extra


# the peers, each in its own process so that its memory is its own
def _baseline_job(paths: list[str], items: list[dict], index_dir: str, queue, hybrid: bool = False) -> None:
    from evals.baseline import BaselineRetriever, HybridRetriever, e5_embedder, split_corpus

    started = time.perf_counter()
    documents = split_corpus([Path(p) for p in paths])
    bm25 = BaselineRetriever.from_documents(documents)
    baseline = bm25
    if hybrid:  # vectors computed into a fresh cache beside the index: the build time is what e5 costs
        embedder = e5_embedder(Path(index_dir) / "vectors.sqlite")
        baseline = HybridRetriever.from_documents(documents, embedder, bm25)
    seconds = time.perf_counter() - started
    bm25.index.save(index_dir)
    Path(index_dir, "chunks.json").write_text(json.dumps([d.page_content for d in baseline.documents],
                                                         ensure_ascii=False), encoding="utf-8")
    if hybrid:
        np.save(Path(index_dir, "vectors.npy"), baseline.dense.matrix)
    latencies, results = [], {}
    for item in items:
        started = time.perf_counter()
        hits = baseline.search(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        results[item["id"]] = {"retrieved": [{"doc": d.metadata["doc"], "article": None, "text": d.page_content}
                                             for d, _ in hits], "answer": "", "abstained": False, "citations": []}
    queue.put({"ingest_s": round(seconds, 1), "chunks": len(baseline.documents), "latencies": latencies,
               "results": results})


def bench_baseline(paths: list[Path], items: list[dict], work: Path, hybrid: bool = False) -> dict:
    """The BM25 peer, or with hybrid the textbook hybrid peer, built and queried in a spawned process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    index_dir = work / ("hybrid-index" if hybrid else "baseline-index")
    process = context.Process(target=_baseline_job,
                              args=([str(p) for p in paths], items, str(index_dir), queue, hybrid))
    process.start()
    sampler = PeakMemory(process.pid)
    outcome = None
    while outcome is None:
        try:
            outcome = queue.get(timeout=5)
        except queue_module.Empty:
            if not process.is_alive():
                sampler.stop()
                raise SystemExit(f"{'混合检索' if hybrid else 'BM25'} 基线进程异常退出（退出码 {process.exitcode}）") from None
    process.join()
    peak = sampler.stop()
    metrics = compute(items, outcome["results"])
    return {"ingest_s": outcome["ingest_s"], "chunks": outcome["chunks"], "peak_rss_mb": peak,
            "index_mb": directory_mb(index_dir), "query_p50_ms": percentile(outcome["latencies"], 50),
            "query_p95_ms": percentile(outcome["latencies"], 95), "recall_at_5": metrics["recall_at_5"],
            "mrr_at_10": metrics["mrr_at_10"]}


def bench(fraction: float, corpus: Path, items: list[dict], incremental: bool = True,
          baseline: bool = True, hybrid: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="anquan-bench-") as tmp:
        work = Path(tmp)
        paths, used = build_corpus(corpus, work / "corpus", fraction)
        project, extra = bench_project(paths, items, work / "project", incremental)
        result = {"project": project,
                  "baseline": bench_baseline(paths, items, work) if baseline else None,
                  "hybrid": bench_baseline(paths, items, work, hybrid=True) if hybrid else None}
        result["extra"] = {"fraction": fraction, "scale_files": used, "questions": len(items),
                           "cpus": os.cpu_count(), **extra}
        return result


# reporting
LABELS = {"ingest_s": "导入用时 (s)", "chunks": "切块数", "peak_rss_mb": "导入峰值内存 (MB)", "index_mb": "索引大小 (MB)",
          "query_p50_ms": "检索延迟 p50 (ms)", "query_p95_ms": "检索延迟 p95 (ms)", "recall_at_5": "recall@5",
          "mrr_at_10": "MRR@10"}


def _cell(value, key: str = "") -> str:
    if value is None:
        return "—"
    if key in ("recall_at_5", "mrr_at_10"):
        return f"{value:.3f}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


HYBRID_OFF = ("教科书混合检索（BM25+e5，RRF 0.5/0.5）未运行：用 --hybrid-peer 开启；在本机 CPU 上用 e5 为整个 "
              "scale 语料计算向量需要数小时")


def table(result: dict) -> str:
    baseline, hybrid = result.get("baseline") or {}, result.get("hybrid") or {}
    rows = ["| 指标 | anquan | 教科书混合检索 (BM25+e5, RRF 0.5/0.5) | LangChain BM25 基线 |", "|---|---|---|---|"]
    rows += [f"| {LABELS[k]} | {_cell(result['project'][k], k)} | {_cell(hybrid.get(k), k)} | "
             f"{_cell(baseline.get(k), k)} |" for k in KEYS]
    extra = result["extra"]
    notes = [f"scale 语料 {extra['fraction']:.0%}（{extra['scale_files']} 个文件）+ regulations + plans，"
             f"共 {extra.get('documents', '?')} 个文档；{extra['questions']} 个问题；{extra['cpus']} 核"]
    if not hybrid:
        notes.append(HYBRID_OFF)
    else:
        notes.append("混合检索的导入用时含 e5 为每个切块计算向量（全新缓存）；检索延迟含 e5 计算问题向量")
    if extra.get("ingest_stages"):
        notes.append(f"导入命令自己报告的用时 {extra['ingest_reported_s']} s：{extra['ingest_stages']}")
    if "first_ask_cli_s" in extra:
        notes.append(f"新进程中第一次 anquan ask（含启动）{extra['first_ask_cli_s']} s；"
                     f"完整 ask（检索+作答）p95 {extra['ask_p95_ms']} ms")
    if "ann_recall_at_10" in extra:
        notes.append(f"向量检索（HNSW）返回的 10 个切块中属于精确最近 10 个的比例：平均 {extra['ann_recall_at_10']}，"
                     f"最差的问题 {extra['ann_recall_at_10_min']}")
    if extra.get("incremental_reingest_s") is not None:
        notes.append(f"修改一个文件后增量导入：{extra['incremental_reingest_s']} s"
                     f"（命令行含启动 {extra['incremental_reingest_cli_s']} s）")
    return "\n".join(rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def growth_table(results: list[dict]) -> str:
    rows = ["| scale 比例 | 切块数 | 导入 (s) | 基线导入 (s) | 检索 p95 (ms) | 基线 p95 (ms) | 峰值内存 (MB) | 基线内存 (MB) |"
            " recall@5 | 基线 recall@5 |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p, b = r["project"], r.get("baseline") or {}
        rows.append(f"| {r['extra']['fraction']:.0%} | {p['chunks']} | {_cell(p['ingest_s'])} | {_cell(b.get('ingest_s'))} | "
                    f"{_cell(p['query_p95_ms'])} | {_cell(b.get('query_p95_ms'))} | {_cell(p['peak_rss_mb'])} | "
                    f"{_cell(b.get('peak_rss_mb'))} | {_cell(p['recall_at_5'], 'recall_at_5')} | "
                    f"{_cell(b.get('recall_at_5'), 'recall_at_5')} |")
    if any(r.get("hybrid") for r in results):  # --hybrid-peer: its cost and recall, in two more columns
        rows[0] += " 混合检索导入 (s) | 混合检索 recall@5 |"
        rows[1] += "---|---|"
        for n, r in enumerate(results, start=2):
            h = r.get("hybrid") or {}
            rows[n] += f" {_cell(h.get('ingest_s'))} | {_cell(h.get('recall_at_5'), 'recall_at_5')} |"
    return "\n".join(rows)


def growth_chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shares = [100 * r["extra"]["fraction"] for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, key, title in zip(axes, ["ingest_s", "query_p95_ms", "peak_rss_mb"],
                              ["Ingest time (s)", "Retrieval p95 (ms)", "Peak ingest memory (MB)"], strict=True):
        ax.plot(shares, [r["project"][key] for r in results], "o-", label="anquan")
        if all(r.get("baseline") for r in results):
            ax.plot(shares, [r["baseline"][key] for r in results], "s--", label="LangChain baseline")
        if all(r.get("hybrid") for r in results):
            ax.plot(shares, [r["hybrid"][key] for r in results], "^:", label="textbook hybrid (BM25+e5)")
        ax.set_title(title)
        ax.set_xlabel("share of the scale corpus (%), plus regulations and plans")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="规模基准：导入用时、内存、索引大小、检索延迟和召回，与 LangChain 基线对比")
    parser.add_argument("--fraction", type=float, default=1.0, help="使用 scale 语料的比例（0–1]")
    parser.add_argument("--fractions", type=str, default=None, help="多个比例（逗号分隔），输出增长表和图")
    parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
    parser.add_argument("--out", type=Path, default=None, help="写入 BENCH.md、bench.json（及增长图）的目录")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="含 scale、regulations、plans 的语料目录")
    parser.add_argument("--set", dest="set_path", type=Path, default=DEFAULT_SET)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--hybrid-peer", action="store_true",
                        help="同时测教科书混合检索（BM25+e5，RRF）；e5 在 CPU 上为整个 scale 语料计算向量需数小时，默认不测")
    parser.add_argument("--no-incremental", action="store_true")
    args = parser.parse_args(argv)
    for folder in ("scale", "regulations", "plans"):
        if not (args.corpus / folder).is_dir():
            raise SystemExit(f"找不到语料目录 {args.corpus / folder}：请用 --corpus 指定含 scale、regulations、plans 的目录")
    fractions = [float(f) for f in args.fractions.split(",")] if args.fractions else [args.fraction]
    if any(not 0 < f <= 1 for f in fractions):
        raise SystemExit("比例须在 (0, 1] 之内，例如 --fraction 0.1")
    if args.hybrid_peer:
        from ingest.embedders.e5 import why_not_available

        if why_not_available():
            raise SystemExit(f"无法运行教科书混合检索：{why_not_available()}")
    items = load_set(args.set_path)
    results = []
    for n, fraction in enumerate(fractions):
        incremental = not args.no_incremental and n == len(fractions) - 1
        results.append(bench(fraction, args.corpus, items, incremental, baseline=not args.no_baseline,
                             hybrid=args.hybrid_peer))
        if not args.json:
            print(f"\n## scale {fraction:.0%}\n\n{table(results[-1])}", flush=True)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(f"## scale {r['extra']['fraction']:.0%}\n\n{table(r)}" for r in results)
        if len(results) > 1:
            growth_chart(results, args.out / "BENCH-growth.png")
            text += f"\n\n## 随语料增长\n\n{growth_table(results)}\n\n![growth](BENCH-growth.png)"
        (args.out / "BENCH.md").write_text(text + "\n", encoding="utf-8")
        (args.out / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(results[-1], ensure_ascii=False))
    elif len(results) > 1:
        print(f"\n## 随语料增长\n\n{growth_table(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
