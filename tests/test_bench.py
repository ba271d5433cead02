"""The benchmark in reduced form, as in CI: `python -m evals.bench --fraction 0.1 --json` ingests 10%
of the scale corpus with the regulations and plans, queries it, and prints one JSON object with the
project's and the baseline's figures; the answers are still found among the distractors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import CORPUS, needs_corpus

from evals.bench import KEYS, sample_scale

pytestmark = [needs_corpus, pytest.mark.corpus]

FRACTION = 0.1


def test_the_sample_of_the_scale_corpus_is_deterministic_and_evenly_spread():
    first, again = sample_scale(CORPUS / "scale", 0.1), sample_scale(CORPUS / "scale", 0.1)
    everything = sample_scale(CORPUS / "scale", 1.0)
    assert first == again
    assert abs(len(first) - len(everything) / 10) <= 1
    folders = {p.relative_to(CORPUS / "scale").parts[0] for p in first}
    assert len(folders) >= 5  # not just the first folder in sorted order


def test_reduced_benchmark_prints_one_json_object_with_project_and_baseline_figures():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANQUAN_")}
    done = subprocess.run([sys.executable, "-m", "evals.bench", "--fraction", str(FRACTION), "--json"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(done.stdout)  # exactly one object on stdout
    project, baseline = result["project"], result["baseline"]
    assert set(KEYS) <= set(project) and set(KEYS) <= set(baseline)
    assert result["hybrid"] is None  # the textbook hybrid peer (e5 over the sample) only with --hybrid-peer
    assert project["chunks"] > 1000 and baseline["chunks"] > 0
    assert project["ingest_s"] > 0 and project["peak_rss_mb"] > 50 and project["index_mb"] > 1
    assert 0 < project["query_p50_ms"] <= project["query_p95_ms"]
    # the dev answers are found among the distractors, better than by the textbook pipeline
    assert project["recall_at_5"] >= 0.9
    assert project["recall_at_5"] > baseline["recall_at_5"]
    assert result["extra"]["scale_files"] >= 300
    # the ingest reports where its time went: a fresh data dir, so the built-in embedder was fitted
    stages = result["extra"]["ingest_stages"]
    assert "读取拟合样本" in stages and "拟合向量模型" in stages and "读取、切分与写入" in stages
    assert result["extra"]["ingest_reported_s"] <= project["ingest_s"]
    assert result["extra"]["incremental_updated"]  # the changed file was re-ingested, the rest skipped
    assert result["extra"]["incremental_reingest_s"] < project["ingest_s"]
    assert result["extra"]["ann_recall_at_10"] >= 0.95  # HNSW returns (nearly) the exact nearest chunks
