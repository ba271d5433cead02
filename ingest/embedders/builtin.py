"""The built-in embedder: character n-gram TF-IDF reduced by truncated SVD (LSA).

Character n-grams need no word segmentation and match across word boundaries; the SVD maps terms
that occur in the same contexts near each other, so it captures more than exact overlap. The model
is fitted on the corpus at the first ingest, persisted, and refitted when the corpus has grown a lot.
Vectors are zero-padded to a fixed dimension, so a small corpus and a large one share a collection.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import random
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scikit-learn takes seconds to import: loaded where the built-in model is fitted or used
    # (and it is the optional [builtin] extra, with scipy: the default install embeds with e5 and needs neither)
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

from ingest.cleaning import normalise_for_index
from ingest.embedders.base import CorpusFittedEmbeddings

# Chunks the TF-IDF vocabulary and the SVD are fitted on (a random sample beyond). Fitting on 15,000
# (SVD on 5,000) saved about 20 s on the full scale corpus but cost 0.03 recall@5 there (evals.bench).
FIT_SAMPLE = 40000
SVD_SAMPLE = 40000  # of those, the chunks the SVD is fitted on (its cost grows with them)
_MAX_FEATURES = 60000  # the most frequent character uni- and bigrams
_MODEL_FILE = "lsa.joblib"
_INFO_FILE = "lsa.json"
_VECTORS_FILE = "lsa-vectors.json"  # the fit the stored vectors were made with (written once they all are)
# the files of that fit, kept while a refit's vectors are being recomputed (a process opening the model
# meanwhile reads the fit the stored vectors still match)
_PREVIOUS_MODEL, _PREVIOUS_INFO = "lsa-previous.joblib", "lsa-previous.json"
_STALE_TMP_S = 3600  # a temp file older than this is left by a crashed save, not one being written


def _load_model(path: Path) -> tuple[TfidfVectorizer, TruncatedSVD]:
    """The fitted pair: a plain pickle (fast C unpickler), or a joblib file written by earlier versions."""
    import joblib
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
        if (
            isinstance(loaded, tuple)
            and len(loaded) == 2
            and isinstance(loaded[0], TfidfVectorizer)
            and isinstance(loaded[1], TruncatedSVD)
        ):
            return loaded
    except Exception:  # noqa: BLE001 - not a plain pickle: the joblib format
        pass
    return joblib.load(path)


def _read_info(info: Path) -> dict:
    """An info file's content; {} when it is damaged (not JSON, not an object): the model then counts as not
    fitted, and the next ingest fits it anew instead of every command failing."""
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fit_of(info: Path) -> str:
    """The fit id an info file (lsa.json, lsa-previous.json) names ("" when there is none)."""
    try:
        return json.loads(info.read_text(encoding="utf-8")).get("fit_id", "")
    except (OSError, ValueError, AttributeError):
        return ""


def _vectors_fit(directory: Path) -> str:
    """The fit the stored vectors are made with, by the marker an ingest writes ("" when there is none)."""
    return _fit_of(directory / _VECTORS_FILE)


_BIGRAM = 1 << 42  # character codes are below 2**21: a bigram's key is this bit and both codes


def _ngram_key(ngram: str) -> int:
    return ord(ngram) if len(ngram) == 1 else _BIGRAM | ord(ngram[0]) << 21 | ord(ngram[1])


def _ngram_name(key: int) -> str:
    return chr(key) if key < _BIGRAM else chr((key >> 21) & 0x1FFFFF) + chr(key & 0x1FFFFF)


def _ngram_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(key, row) of every character uni- and bigram of the texts, as the vectorizer's char analyzer
    makes them (bigrams do not cross from one text to the next)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    rows = np.repeat(np.arange(len(texts)), lengths)
    within = rows[:-1] == rows[1:]  # the next character belongs to the same text
    keys = np.concatenate([codes, _BIGRAM | codes[:-1][within] << 21 | codes[1:][within]])
    return keys, np.concatenate([rows, rows[:-1][within]])


def _vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 2),
        max_features=_MAX_FEATURES,
        sublinear_tf=True,
        preprocessor=normalise_for_index,
        dtype=np.float32,
    )


def fit_vectorizer(texts: list[str], max_features: int = _MAX_FEATURES) -> tuple[TfidfVectorizer, sp.csr_matrix]:
    """_vectorizer().fit_transform(texts), with the n-grams counted by numpy: the same vocabulary (sorted
    by name, the max_features most frequent kept, ties broken by the same sort), idf and weights."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = _vectorizer()
    tfidf.max_features = max_features
    preprocess = tfidf.build_preprocessor()
    keys, rows = _ngram_keys([preprocess(t) for t in texts])
    distinct, column = np.unique(keys, return_inverse=True)
    # by name: a character sorts before the bigrams it starts
    name_order = np.where(
        distinct < _BIGRAM, distinct << 22, ((distinct >> 21) & 0x1FFFFF) << 22 | ((distinct & 0x1FFFFF) + 1)
    )
    by_name = np.argsort(name_order)
    rank = np.empty_like(by_name)
    rank[by_name] = np.arange(len(by_name))
    counts = sp.csr_matrix(
        (np.ones(len(keys), dtype=np.float32), (rows, rank[column])), shape=(len(texts), len(distinct))
    )
    counts.sum_duplicates()
    names = distinct[by_name]
    if len(names) > max_features:  # the most frequent, as CountVectorizer._limit_features picks them
        kept = np.sort((-np.asarray(counts.sum(axis=0)).ravel()).argsort()[:max_features])
        counts, names = counts[:, kept], names[kept]
    tfidf.vocabulary_ = {_ngram_name(int(key)): n for n, key in enumerate(names)}
    tfidf.fixed_vocabulary_ = False
    tfidf.stop_words_ = None
    transformer = TfidfTransformer(norm=tfidf.norm, use_idf=True, smooth_idf=tfidf.smooth_idf, sublinear_tf=True)
    weighted = transformer.fit_transform(counts)
    tfidf.idf_ = transformer.idf_
    return tfidf, sp.csr_matrix(weighted)


class _NgramCounter:
    """The counting step of the fitted TfidfVectorizer's transform (character uni- and bigrams of the
    preprocessed texts, those in its vocabulary), done for many texts at once with numpy instead of a
    Python loop over every n-gram: the same count matrix, several times faster."""

    def __init__(self, vocabulary: dict[str, int]):
        keys = np.fromiter((_ngram_key(g) for g in vocabulary), dtype=np.int64, count=len(vocabulary))
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        order = np.argsort(keys)
        self.keys, self.columns, self.width = keys[order], columns[order], len(vocabulary)

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        import scipy.sparse as sp

        keys, rows = _ngram_keys(texts)
        found = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        known = self.keys[found] == keys
        matrix = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (rows[known], self.columns[found[known]])),
            shape=(len(texts), self.width),
        )
        matrix.sum_duplicates()
        return matrix


_TOLD_DAMAGED: set[tuple[str, int, int]] = set()  # (file, modification time, size) of damaged files told of


def _damaged(path: Path) -> None:
    """Say once per process that a model file is damaged: the model is opened again on every reload check and by
    each part that needs it (one question printed the warning three times). A file damaged anew is told again."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), 0, 0)
    if key in _TOLD_DAMAGED:
        return
    _TOLD_DAMAGED.add(key)
    logging.getLogger(__name__).warning("向量模型文件 %s 已损坏，将在下次导入时重新拟合", path)


class LsaEmbeddings(CorpusFittedEmbeddings):
    def __init__(self, directory: Path, dim: int):
        self.directory = directory
        self.dim = dim
        self.name = f"builtin-lsa-{dim}"
        self._tfidf: TfidfVectorizer | None = None
        self._svd: TruncatedSVD | None = None
        self._projection: np.ndarray | None = None  # the SVD's components, transposed and contiguous
        self._counter: _NgramCounter | None = None
        self.fitted_on = 0
        self.fit_id = ""  # names one fit: vectors another process made with the same fit_id are alike
        self._lock = threading.Lock()
        self._info_stamp: tuple[int, int] = (0, 0)  # modification times of the info and vectors files when read
        self._stored_fit: tuple[tuple[int, int], str | None] = ((-1, -1), "")  # stored_vectors_fit by _stamp()

    @classmethod
    def open(cls, directory: Path, dim: int) -> LsaEmbeddings:
        model = cls(directory, dim)
        info_path, model_path = directory / _INFO_FILE, directory / _MODEL_FILE
        if (
            _vectors_fit(directory) not in ("", _fit_of(info_path))
            and _vectors_fit(directory) == _fit_of(directory / _PREVIOUS_INFO)
            and (directory / _PREVIOUS_MODEL).exists()
        ):
            info_path, model_path = directory / _PREVIOUS_INFO, directory / _PREVIOUS_MODEL  # mid-refit
        if info_path.exists() and model_path.exists():
            stamp = model._stamp()  # before reading: a refit meanwhile is seen by reload_if_refitted
            info = _read_info(info_path)
            if not info:
                _damaged(info_path)
            if info.get("dim") == dim and isinstance(info.get("fitted_on"), int):
                try:
                    model._tfidf, model._svd = _load_model(model_path)
                except (OSError, MemoryError):
                    raise  # the disk or the memory, not the file: say so (assistant.faults)
                except Exception:  # noqa: BLE001 - a damaged model file (garbage, truncated): not fitted, fit anew
                    _damaged(model_path)
                    model._tfidf = model._svd = None
                    return model
                model.fitted_on = int(info["fitted_on"])
                model.fit_id = str(info.get("fit_id", ""))
                model._info_stamp = stamp
        return model

    @property
    def is_fitted(self) -> bool:
        return self._svd is not None

    def needs_refit(self, corpus_size: int) -> bool:
        """Refit when the corpus has more than doubled since the fit (and the fit used a sample of it)."""
        return not self.is_fitted or (corpus_size > 2 * self.fitted_on and self.fitted_on < FIT_SAMPLE)

    def fit(self, texts: list[str]) -> None:
        from sklearn.decomposition import TruncatedSVD

        sample = texts if len(texts) <= FIT_SAMPLE else random.Random(13).sample(texts, FIT_SAMPLE)
        tfidf, weighted = fit_vectorizer(sample)
        if weighted.shape[0] > SVD_SAMPLE:  # the SVD's cost grows with its rows; the vocabulary's hardly
            rows = np.sort(np.random.default_rng(13).choice(weighted.shape[0], SVD_SAMPLE, replace=False))
            weighted = weighted[rows]
        components = max(1, min(self.dim, weighted.shape[0] - 1, weighted.shape[1] - 1))
        svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=4, random_state=13)
        with np.errstate(invalid="ignore", divide="ignore"):  # a one-passage library has no variance to share out
            svd.fit(weighted)
        with self._lock:
            self._tfidf, self._svd, self._projection, self._counter, self.fitted_on = tfidf, svd, None, None, len(texts)
            self.fit_id = uuid.uuid4().hex
        self._save(tfidf, svd)
        self._info_stamp = self._stamp()

    def adopt(self, other: LsaEmbeddings) -> None:
        """Use another instance's fit (read from disk after another process refitted)."""
        with self._lock:  # queries embedding meanwhile use the whole of one fit or of the other
            self._tfidf, self._svd, self._projection, self._counter = other._tfidf, other._svd, None, None
            self.fitted_on, self.fit_id = other.fitted_on, other.fit_id

    def _stamp(self) -> tuple[int, int]:
        """The modification times of the info and vectors files (0 for one that is missing)."""

        def mtime(name: str) -> int:
            try:
                return (self.directory / name).stat().st_mtime_ns
            except OSError:
                return 0

        return mtime(_INFO_FILE), mtime(_VECTORS_FILE)

    def mark_vectors_current(self) -> None:
        """Record that every stored vector is now made with this fit (after an ingest refitted the model and
        recomputed them): readers in other processes switch to it then, not while the vectors are rewritten."""
        tmp = self.directory / (_VECTORS_FILE + f".{uuid.uuid4().hex[:8]}.tmp")
        try:
            tmp.write_text(json.dumps({"fit_id": self.fit_id}), encoding="utf-8")
            os.replace(tmp, self.directory / _VECTORS_FILE)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        for name in (_PREVIOUS_INFO, _PREVIOUS_MODEL):
            (self.directory / name).unlink(missing_ok=True)

    def _keep_previous(self) -> None:
        """Before a new fit replaces the model files: keep (hard-linked) those of the fit the stored vectors
        are made with, until mark_vectors_current (a refit's vectors are recomputed after it is saved)."""
        vectors = _vectors_fit(self.directory)
        if not vectors or vectors != _fit_of(self.directory / _INFO_FILE):
            return  # no marker yet, or the kept files are already the vectors' fit
        if not all((self.directory / name).is_file() for name in (_MODEL_FILE, _INFO_FILE)):
            return  # the model file is gone (deleted, a damaged copy): there is no fit to keep
        for name, kept in ((_MODEL_FILE, _PREVIOUS_MODEL), (_INFO_FILE, _PREVIOUS_INFO)):
            tmp = self.directory / f"{kept}.{uuid.uuid4().hex[:8]}.tmp"
            try:
                os.link(self.directory / name, tmp)
            except OSError:  # a file system without hard links
                shutil.copyfile(self.directory / name, tmp)
            os.replace(tmp, self.directory / kept)

    def stored_vectors_fit(self) -> str | None:
        """The fit the stored vectors are made with (the marker an ingest writes once it has recomputed them all;
        without one, the model's own), or None between a refit's save and that marker. Read again only when
        the files changed."""
        stamp = self._stamp()
        if stamp != self._stored_fit[0]:
            model, vectors = _fit_of(self.directory / _INFO_FILE), _vectors_fit(self.directory)
            self._stored_fit = (stamp, model if vectors in ("", model) else None)
        return self._stored_fit[1]

    def reload_if_refitted(self) -> bool:
        """Adopt the fit the stored vectors are made with, when another process (an ingest) refitted the model
        since this one read it: a running server would otherwise embed questions with the old fit against
        vectors of the new one. One stat per call; the model is read only when its files changed. Returns
        True when reloaded."""
        stamp = self._stamp()
        if stamp == self._info_stamp:
            return False
        try:
            info = _read_info(self.directory / _INFO_FILE)
            marker = self.directory / _VECTORS_FILE
            # the vectors' fit (a data dir written before the marker existed: the model's own)
            wanted = (
                json.loads(marker.read_text(encoding="utf-8"))["fit_id"] if marker.exists() else info.get("fit_id", "")
            )
        except (OSError, ValueError, KeyError, TypeError):
            return False  # being replaced (or damaged): look again next time
        if not info:
            return False
        if info.get("dim") != self.dim or wanted == self.fit_id:
            self._info_stamp = stamp
            return False
        try:  # mid-refit (vectors not all recomputed yet), open() reads the fit they still match
            fresh = LsaEmbeddings.open(self.directory, self.dim)
        except Exception:  # noqa: BLE001 - caught mid-replacement: look again next time
            return False
        if fresh.fit_id != wanted or not fresh.is_fitted:
            return False
        self.adopt(fresh)
        self._info_stamp = stamp
        return True

    def _save(self, tfidf: TfidfVectorizer, svd: TruncatedSVD) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob("*.tmp"):  # what a crash (kill -9) left while saving an earlier fit
            try:
                if time.time() - stale.stat().st_mtime > _STALE_TMP_S:
                    stale.unlink()
            except OSError:
                continue
        tmp_info = self.directory / (_INFO_FILE + ".tmp")
        handle = tempfile.NamedTemporaryFile(dir=self.directory, delete=False, suffix=".tmp")
        try:
            with handle:
                pickle.dump((tfidf, svd), handle, protocol=pickle.HIGHEST_PROTOCOL)
            self._keep_previous()
            os.replace(handle.name, self.directory / _MODEL_FILE)
            info = {
                "dim": self.dim,
                "fitted_on": self.fitted_on,
                "components": int(svd.n_components),
                "fit_id": self.fit_id,
            }
            tmp_info.write_text(json.dumps(info), encoding="utf-8")
            os.replace(tmp_info, self.directory / _INFO_FILE)
        except BaseException:  # a full disk: no partial model file (tens of MB) is left behind
            Path(handle.name).unlink(missing_ok=True)
            tmp_info.unlink(missing_ok=True)
            raise

    def _fitted(self) -> tuple[TfidfVectorizer, np.ndarray, _NgramCounter]:
        """The fit's vectorizer, projection and n-gram counter, taken together (another thread may adopt a new fit)."""
        with self._lock:
            if self._svd is None or self._tfidf is None:
                raise RuntimeError("内置向量模型尚未拟合：请先运行 anquan ingest 导入文档")
            if self._projection is None:
                # svd.transform(x) is x @ components_.T; with the transposed view scipy copies the
                # components (tens of MB) on every call, which made a query's embedding cost ~20 ms
                self._projection = np.ascontiguousarray(self._svd.components_.T, dtype=np.float32)
            if self._counter is None:
                self._counter = _NgramCounter(self._tfidf.vocabulary_)
            return self._tfidf, self._projection, self._counter

    def _embed(self, texts: list[str]) -> np.ndarray:
        tfidf, projection, counter = self._fitted()
        reduced = np.asarray(self._weighted(texts, tfidf, counter) @ projection)
        norms = np.linalg.norm(reduced, axis=1, keepdims=True)
        reduced = reduced / np.where(norms == 0, 1, norms)
        if reduced.shape[1] < self.dim:
            reduced = np.hstack([reduced, np.zeros((reduced.shape[0], self.dim - reduced.shape[1]))])
        return reduced.astype(np.float32)

    def _weighted(
        self, texts: list[str], tfidf: TfidfVectorizer | None = None, counter: _NgramCounter | None = None
    ) -> sp.csr_matrix:
        """What the fitted TfidfVectorizer's transform gives (sublinear tf, idf, l2 norm), counted by _NgramCounter."""
        from sklearn.preprocessing import normalize

        if tfidf is None or counter is None:
            tfidf, _, counter = self._fitted()
        preprocess = tfidf.build_preprocessor()
        matrix = counter.counts([preprocess(t) for t in texts])
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
        matrix.data *= tfidf.idf_[matrix.indices]
        return normalize(matrix, norm="l2", copy=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0].tolist()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts))
