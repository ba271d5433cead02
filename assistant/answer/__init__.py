"""Answers in named stages: clause selection -> sufficiency (abstain when nothing states what is asked) -> render."""

from assistant.answer.compose import NO_BASIS, Answer, OfflineComposer, Source
from assistant.answer.config import ANSWER, AnswerConfig

__all__ = ["ANSWER", "AnswerConfig", "NO_BASIS", "Answer", "OfflineComposer", "Source"]
