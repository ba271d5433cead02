"""Round 42: the text normalisation every passage and question goes through is exact NFKC, by a faster path."""

from __future__ import annotations

import random
import unicodedata

from conftest import CORPUS, needs_corpus

from ingest.cleaning import nfkc

# characters NFKC treats differently: CJK and full-width punctuation, compatibility forms (①, ㎡, ｶ + the half-width
# voiced mark that composes with it), combining marks, Hangul jamo that compose into syllables, characters beyond the
# BMP (𝐀, 𠀀), ligatures and ASCII
_POOL = (
    "安全生产法第二十四条，（一）：；。！？、“”《》【】 "
    "①⑩㎡㎏℃Ⅻ㈱ﬁﬀ½ｶﾞﾟｱ ＡＢＣ１２３　"
    "e\u0301a\u0308\u0323\u0302\u0300"
    "\u1100\u1161\u11a8\u1112\u1175ㄱㅏ한"
    "𝐀𝟘𠀀\U0002f800\U0001f600"
    "abcXYZ019 \t\n"
)


def test_nfkc_is_unicodedata_nfkc_on_mixed_text():
    rng = random.Random(42)
    for _ in range(3000):
        text = "".join(rng.choice(_POOL) for _ in range(rng.randint(0, 24)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)


@needs_corpus
def test_nfkc_is_unicodedata_nfkc_on_every_corpus_text():
    files = sorted((CORPUS / "regulations").glob("*.md")) + sorted((CORPUS / "plans").glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert nfkc(text) == unicodedata.normalize("NFKC", text), path.name
