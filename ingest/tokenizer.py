"""Word segmentation for BM25: jieba over the normalised text, with the safety-term user dictionary.

The engine is rjieba (jieba-rs: jieba's dictionary and algorithm in Rust, faster than jieba-fast; the same
cuts as jieba, see tests/test_tokenizer.py). Engines break a rare tie differently, so the engine is part of
the segmentation signature: an index segmented by another engine is segmented again.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import re
import sys
import threading
from typing import TYPE_CHECKING

from ingest.cleaning import normalise_for_index
from ingest.numerals import NUMERAL_CHARS, value_of

if TYPE_CHECKING:
    import rjieba

ENGINE = "rjieba"

_KEEP = re.compile(r"[\u4e00-\u9fff0-9a-z]")
_STOPWORDS = frozenset(
    (
        "的 了 和 与 及 或 或者 是 在 对 为 由 把 被 其 之 等 有 也 就 都 而 并 但 这 那 我 我们 你 他 它 "
        "吗 呢 吧 啊 什么 怎么 哪些 多少 是否 要不要 能不能 可以 应该"
    ).split()
)


# 能不能 -> 能, 需不需要 -> 需要, 可不可以 -> 可以, 有没有 -> 有
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没](\1[\u4e00-\u9fff]?)")
# each period as the regulations write it: 每个月 -> 每月, 每个季度 -> 每季度, 每一年 -> 每年 (not 每个班组)
_EACH_PERIOD = re.compile(r"每[个一](?=月|季度|年|周|天|日|半年|星期|班(?!组))")

# A quantity is the same whichever script or unit word writes it: 三十日, 30日 and 30天; 两次 and 2次; 一百二十人,
# 120名 and 120个人; 十万元 and 10万元. Besides its words, a text gives each quantity it states as one token in a
# canonical form (QUANTITY_MARK + the number + the unit), so a question writing it one way finds a provision writing
# it the other. The mark keeps these tokens out of the weights read against the text (they are not in it).
QUANTITY_MARK = "#"
_UNITS = {  # unit as written -> canonical unit
    "个小时": "小时",
    "小时": "小时",
    "分钟": "分钟",
    "个月": "个月",
    "个工作日": "工作日",
    "工作日": "工作日",
    "个人": "人",
    "周岁": "岁",
    "日": "日",
    "天": "日",
    "年": "年",
    "周": "周",
    "次": "次",
    "人": "人",
    "名": "人",
    "元": "元",
    "倍": "倍",
    "家": "家",
    "项": "项",
    "台": "台",
    "层": "层",
    "米": "米",
    "吨": "吨",
    "级": "级",
    "岁": "岁",
}
_QUANTITY = re.compile(
    rf"(?<![第\d.{NUMERAL_CHARS}])(\d+(?:\.\d+)?万?|[{NUMERAL_CHARS}]+)"  # not an ordinal's (第三十日)
    rf"({'|'.join(sorted(map(re.escape, _UNITS), key=len, reverse=True))})"
)
_PERCENT = re.compile(rf"百分之([{NUMERAL_CHARS}]+)|(?<![\d.])(\d+)%")


def quantity_tokens(normalised: str) -> list[str]:
    """The quantities a normalised text states, each as one canonical token: '3个月内两次' -> ['#3个月', '#2次'],
    '百分之四十' and '40%' -> ['#40%']."""
    found = [(number, _UNITS[unit]) for number, unit in _QUANTITY.findall(normalised)]
    found += [(written or digits, "%") for written, digits in _PERCENT.findall(normalised)]
    values = [(value_of(number), unit) for number, unit in found]
    # a whole, positive number: 1.25倍 or 零日 states no count
    return [
        f"{QUANTITY_MARK}{v.numerator}{unit}" for v, unit in values if v is not None and v > 0 and v.denominator == 1
    ]


@functools.lru_cache(maxsize=4096)
def quantity_of(word: str) -> str | None:
    """The canonical token of a word that is one quantity and nothing else ('一次', '30天' -> '#1次', '#30日'), else
    None ('一次性' is no quantity)."""
    if not _QUANTITY.fullmatch(word) and not _PERCENT.fullmatch(word):
        return None
    found = quantity_tokens(word)
    return found[0] if len(found) == 1 else None


_LOADING = threading.Lock()  # the compiled module is initialised once per process


def _jieba_class() -> type[rjieba.Jieba]:
    """rjieba's Jieba class. `import rjieba` builds a default segmenter at import (its dictionary loaded, a tenth
    of a second) that nothing here uses: every Tokenizer makes its own with its terms. So the compiled module is
    loaded on its own (as rjieba.rjieba, where the package finds it if imported later), unless the package is
    imported already or is not laid out as expected (then it is imported as usual)."""
    with _LOADING:
        if "rjieba" not in sys.modules:
            module = sys.modules.get("rjieba.rjieba") or _load_rjieba_extension()
            if module is not None and isinstance(getattr(module, "Jieba", None), type):
                return module.Jieba
        import rjieba

        return rjieba.Jieba


def _load_rjieba_extension():
    """The module rjieba.rjieba (the compiled segmenter) without running the package's __init__; None when it is
    not where rjieba keeps it."""
    try:
        spec = importlib.util.find_spec("rjieba")  # a top-level package's spec: found, not imported
        locations = spec.submodule_search_locations if spec is not None else None
        found = importlib.machinery.PathFinder.find_spec("rjieba.rjieba", list(locations or []))
    except (ImportError, ValueError):
        return None
    if found is None or not isinstance(found.loader, importlib.machinery.ExtensionFileLoader):
        return None
    module = importlib.util.module_from_spec(found)
    sys.modules["rjieba.rjieba"] = module
    try:
        found.loader.exec_module(module)
    except BaseException:
        del sys.modules["rjieba.rjieba"]
        raise
    return module


_NAMES = ("ns", "nr", "nz", "nt")  # jieba's tags of proper names: a place's, a person's, another's, an organ's


def is_common_word(word: str) -> bool:
    """Whether jieba's dictionary holds a word as a common word (平安: adjective, 前进: verb), not as a name."""
    engine = _plain_engine()
    return engine.has_word(word) and any(tag not in _NAMES for _, tag in engine.tag(word, False))


def words_as_written(text: str) -> list[str]:
    """The text cut into jieba's words as it is, nothing dropped or normalised: their lengths give its word
    boundaries."""
    return list(_plain_engine().cut(text, False))


@functools.cache
def _plain_engine() -> rjieba.Jieba:
    """A segmenter with jieba's dictionary alone (no terms added), shared by whatever reads words as written."""
    return _jieba_class()()


class Tokenizer:
    """jieba search-mode segmentation (words plus their sub-words), stopwords and punctuation dropped."""

    def __init__(self, terms: list[str]):
        self._jieba: rjieba.Jieba | None = None  # loads its dictionary (a fraction of a second) on first use
        self._terms = sorted({normalise_for_index(t) for t in terms})
        # identifies the segmentation: cached tokens and built indexes are only valid for the same terms
        # and engine
        key = "\n".join(self._terms) + f"\nengine={ENGINE}\nquantities=1"
        self.signature = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        self._lock = threading.Lock()

    def _engine(self) -> rjieba.Jieba:
        """The segmenter, its dictionary loaded (with the terms) by the first caller."""
        engine = self._jieba
        if engine is not None:
            return engine
        with self._lock:
            if self._jieba is None:
                engine = _jieba_class()()
                for term in self._terms:
                    engine.add_word(term, 20000, None)
                self._jieba = engine
            return self._jieba

    def tokens(self, normalised: str) -> list[str]:
        """Tokens of text already passed through normalise_for_index: its words, then its quantities
        (quantity_tokens)."""
        words = [t for t in self._engine().cut_for_search(normalised, False) if _KEEP.search(t) and t not in _STOPWORDS]
        return words + quantity_tokens(normalised)

    def words(self, text: str) -> list[str]:
        """Whole words (no sub-words) of a text, normalised: for matching dictionary entries."""
        return [t for t in self._engine().cut(normalise_for_index(text), False) if _KEEP.search(t)]

    def things(self, text: str) -> list[str]:
        """The words of a text that name a thing: nouns by the segmenter's part of speech (n…, vn, j) and the terms it
        was given (added untagged). 过期了怎么办 names none; 叉车司机要持证吗 names 叉车 and 司机."""
        tagged = self._engine().tag(normalise_for_index(text))
        return [w for w, tag in tagged if _KEEP.search(w) and (not tag or tag.startswith("n") or tag in ("vn", "j"))]

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of a question. Its A-not-A forms (能不能, 需不需要, 有没有) ask yes or no: they are read as the
        verb alone, so the 不能 or 没有 a segmenter finds in them is no word of what is asked about. A period asked
        as 每个月 or 每一年 is read as the regulations write it (每月, 每年)."""
        return self.tokens(_EACH_PERIOD.sub("每", _A_NOT_A.sub(r"\2", normalise_for_index(text))))
