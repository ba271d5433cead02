"""Answers in named stages: clause selection -> sufficiency (abstain when nothing states what is asked) -> render
(compose: OfflineComposer, Answer; knobs in config; numbers and ranges in ranges), and the guards for text that came
from a document, not from us (untrusted: forged fences, sentences instructing the assistant)."""

from assistant.answer.compose import NO_BASIS, Answer, OfflineComposer, Source, continues_list, open_lists
from assistant.answer.config import ANSWER, AnswerConfig

__all__ = ["ANSWER", "AnswerConfig", "NO_BASIS", "Answer", "OfflineComposer", "Source", "continues_list", "open_lists"]
