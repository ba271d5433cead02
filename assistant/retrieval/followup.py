"""Follow-up questions (追问), decided by meaning, not length: a question that stands on its own is searched as
written; one that leans on the previous question (a pointing word such as 那、这个、上述, or no subject of its
own: 罚款呢？ 要多久？ 过期了怎么办？) is searched together with that question. The word lists are
knowledge/follow_up.yaml."""

from __future__ import annotations

from assistant.pack import FollowUp
from ingest.articles import ARTICLE_LABEL
from ingest.cleaning import normalise_for_index
from ingest.tokenizer import Tokenizer

_END = "？?。！!，, "
FRAGMENT_WORDS = 2  # a question ending in 呢 with at most this many words of its own is a fragment
TURNS = 3  # the earlier questions a follow-up is read against: a conversation's subject is set in the last few


def recent(history: list[str], most_chars: int) -> list[str]:
    """The earlier questions a follow-up is read against: the last TURNS, each cut to most_chars (the question
    limit), so a client sending thousands of long history entries costs no more than a short conversation."""
    return [earlier[:most_chars] for earlier in history[-TURNS:]]


def leans_on_previous(question: str, words: FollowUp, tokenizer: Tokenizer) -> bool:
    text = normalise_for_index(question).strip(_END)
    if not text:
        return False
    tokens = tokenizer.words(text)
    if tokens and tokens[0] in words.refer:
        return True
    if any(phrase in text for phrase in words.refer_anywhere):
        return True
    aspects = set(words.aspects)
    own = [t for t in tokens if t not in aspects and len(t) >= 2 and not t.isdigit()]
    if text.endswith("呢") and len(own) <= FRAGMENT_WORDS:
        return True  # a fragment asking "what about …" (其他单位呢？)
    # nothing but aspects and question words, or words naming no thing (过期了怎么办？ 没履行的话罚多少？): the subject
    # is the previous question's
    return not own or not [w for w in tokenizer.things(text) if w not in aspects]


def resolve(question: str, history: list[str], words: FollowUp, tokenizer: Tokenizer) -> str:
    """The question as it is searched: itself, or joined to the subject the conversation is about."""
    context = ""
    for earlier in history:
        context = _join(context, earlier) if context and leans_on_previous(earlier, words, tokenizer) else earlier
    if context and leans_on_previous(question, words, tokenizer):
        return _join(context, question)
    return question


def _join(context: str, question: str) -> str:
    """The question after its context; an article the question names replaces the context's (那第二十五条呢？ after
    安全生产法第二十四条 asks the law's 第二十五条: searched with both, 第二十四条 was answered)."""
    if ARTICLE_LABEL.search(question):
        context = ARTICLE_LABEL.sub("", context)
    return f"{context.rstrip(_END)}，{question.strip()}"
