"""LLM mode of the ask chain: the answer written by the model from the numbered sources, then checked against
them (assistant.llm.verification): citations in any bracket form resolve to a source or are removed and reported,
quotes and article mentions not found in the sources are flagged, a reply citing nothing says so."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.answer import NO_BASIS, Answer, Source
from assistant.answer.levels import stated
from assistant.citations import citation, cited_numbers
from assistant.llm.client import (
    EmptyReply,
    call_model,
    chat_model,
    format_sources,
    llm_backend,
    llm_label,
    load_prompt,
    reasoning_overflow,
    stream_model,
)
from assistant.llm.reply import CUT_NOTE, TRUNCATED_NOTE, clean_reply, partial_reply, reasoning_unfinished
from assistant.pack import AccidentLevels, load_pack
from ingest.cleaning import is_blank
from ingest.errors import UserFacingError
from ingest.metadata import VERSIONED_KINDS
from ingest.settings import Settings
from ingest.store import StoredChunk

if TYPE_CHECKING:  # langchain's chat models load only when an LLM is configured (not on an offline start)
    from langchain_core.language_models.chat_models import BaseChatModel

log = logging.getLogger(__name__)

SOURCES_FOR_LLM = 6
UNCITED_WARNING = "⚠ 这个回答没有注明任何依据编号，无法与资料核对，请勿直接采用；请对照下列检索到的条文："
# a reply citing no legal text, only plans, reports and the like (never the legal basis of a duty: a plan may say
# anything, an injected 不需要设置… included), when legal texts were among its sources
NO_LAW_WARNING = (
    "⚠ 这个回答没有引用法规条文，只引用了地方方案、工作总结等资料，它们不是法定依据（其中的说法可能与法规不一致）；"
    "涉及法定义务时请以下列法规条文为准："
)
# a reply stating a duty, a waiver or a permission on the word of a plan or report alone (贵厂120人，有兼职安全生产管理
# 人员即可[1], [1] a 述职报告), while legal texts were among its sources: that sentence has no legal basis
PLAN_BASIS_WARNING = (
    "⚠ 回答中以下说法只依据{sources}（地方方案、工作总结等资料，不是法定依据，其中的说法可能与法规不一致），"
    "涉及法定义务时请以下列法规条文为准："
)
_NORM = re.compile(r"应当|应该|必须|不得|禁止|严禁|需要|无需|无须|不用|不必|即可|可以不|要求|免于|允许")
_SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# an accident classed as a level (属于一般事故, 定为重大事故, 算是较大事故), not a range of levels (较大以上事故)
_GRADED = re.compile(
    r"(?:属于|是|为|算|构成|定为|认定为|定性为)[^，。；！？\n]{0,4}?"
    r"(?P<level>特别重大事故|重大事故|较大事故|一般事故)(?P<range>以上|以下|隐患)?"
)
FOREIGN_WARNING = "⚠ 这个回答不是用中文写的，无法与所引条文逐句核对，请勿直接采用；请以下列条文原文为准。"
# a reply is read as Chinese unless this share of its letters is kana (Japanese) or this share is Latin (English…):


def composer_backend(settings: Settings) -> str:
    """The composer by name (setting composer): "llm", the LLM writes the answer (an endpoint must be configured), or
    "offline", extracted from the sources (assistant.answer); auto: llm when an LLM is configured."""
    if settings.composer == "auto":
        return "llm" if llm_backend(settings) != "none" else "offline"
    if settings.composer == "llm" and llm_backend(settings) == "none":
        raise UserFacingError("ANQUAN_COMPOSER=llm 需要配置大模型：请设置 ANQUAN_LLM_BASE_URL。")
    return settings.composer


def composer_label(settings: Settings) -> str:
    """How the CLI and the UI name the composer: 大模型：model, or 离线."""
    return llm_label(settings) if composer_backend(settings) == "llm" else "离线"


def resolve_composer(settings: Settings) -> LlmComposer | None:
    """The LLM composer when the composer is llm; None for the offline one (built per question by the ask chain)."""
    return LlmComposer(settings) if composer_backend(settings) == "llm" else None


def document_aliases(settings: Settings) -> dict[str, list[str]]:
    """What documents are called besides their titles (knowledge/document_aliases.yaml: 493号令, 事故报告条例), for
    the check of the law a sentence names; none when the knowledge pack cannot be read (the check then knows titles
    only)."""
    from assistant.pack.loader import load_pack

    try:
        return dict(load_pack(settings.knowledge_dir).document_aliases)
    except Exception:  # noqa: BLE001 - a broken pack is reported where it is used; the check goes on without it
        log.info("document aliases unavailable", exc_info=True)
        return {}


def legal_wording(settings: Settings) -> dict[str, str]:
    """Everyday words -> the law's terms (knowledge/lexicon.yaml: 老板 -> 主要负责人, 监管部门 -> 负有安全生产监督管理
    职责的部门), those that stand for their term wherever they are said, for reading a reply in the law's words; none
    when the knowledge pack cannot be read (the check then compares the reply's own words)."""
    from assistant.pack.loader import load_pack

    try:
        lexicon = load_pack(settings.knowledge_dir).lexicon
    except Exception:  # noqa: BLE001 - a broken pack is reported where it is used; the check goes on without it
        log.info("lexicon unavailable", exc_info=True)
        return {}
    return {word: entry.legal for entry in lexicon.entries if not entry.within for word in entry.everyday}


def is_abstention(raw: str, used: list[int]) -> bool:
    """A reply abstains when it says 知识库中未找到依据 and cites nothing, or says nothing else
    (知识库中未找到依据[1]。: a marker on no claim is no basis): a cited answer that says so about one part of the
    question is an answer."""
    from assistant.citations import CITE
    from assistant.llm.verification import canonical  # see LlmComposer.finish

    said = canonical(raw)
    if canonical(NO_BASIS) not in said:
        return False
    return not used or not _WORDS.search(CITE.sub("", said).replace(canonical(NO_BASIS), ""))


_WORDS = re.compile(r"\w")  # a letter, an ideograph or a digit: anything said besides the phrase


class LlmComposer:
    def __init__(self, settings: Settings, model: BaseChatModel | None = None):
        self.settings = settings
        self.model = model or chat_model(settings)
        self.system = load_prompt(settings, "answer_system")
        self.user = load_prompt(settings, "answer_user")
        self.aliases = document_aliases(settings)
        self.wording = legal_wording(settings)

    def messages(self, question: str, chunks: list[StoredChunk]) -> list:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [
            SystemMessage(self.system),
            HumanMessage(self.user.format(sources=format_sources(chunks, self.settings), question=question)),
        ]

    def compose(self, question: str, chunks: list[StoredChunk], said: str | None = None) -> Answer:
        """The verified answer; LlmUnavailable when the endpoint fails. said: what the user wrote, when the question
        is a model's rewrite of a follow-up (see finish)."""
        evidence = chunks[:SOURCES_FOR_LLM]
        if not evidence:
            return self.finish(question, evidence, "", said)
        reply = call_model(self.model, self.messages(question, evidence), self.settings)
        return self.finish(question, evidence, reply, said)

    def compose_stream(
        self, question: str, chunks: list[StoredChunk], said: str | None = None
    ) -> Iterator[str | Answer]:
        """The reply as it grows (cleaned as every reply is — no control characters, reasoning, images or
        links — but not yet verified, for display), then the verified Answer compose would give.
        LlmUnavailable when the endpoint fails (also midway)."""
        evidence = chunks[:SOURCES_FOR_LLM]
        if not evidence:
            yield self.finish(question, evidence, "", said)
            return
        raw = ""
        for piece in stream_model(self.model, self.messages(question, evidence), self.settings):
            raw += piece
            yield partial_reply(raw)
        if is_blank(clean_reply(raw)):
            if reasoning_unfinished(raw) and (TRUNCATED_NOTE in raw or CUT_NOTE in raw):
                # its reasoning ran to the length limit (ours or the endpoint's): asked again it would only do so again
                raise EmptyReply(reason=reasoning_overflow(self.settings))
            raise EmptyReply(retry_without_stream=True)
        yield self.finish(question, evidence, raw, said)

    def finish(self, question: str, evidence: list[StoredChunk], raw: str, said: str | None = None) -> Answer:
        """Verify a reply (assistant.llm.verification), cleaned first (assistant.llm.reply); a figure the user
        states is not held against the sources: the question's, or, when the question is the model's own rewrite of
        a follow-up, what the user wrote (said) — a figure the rewrite adds (超过三百人的才应当设置) is checked.
        Abstain only when the reply is an abstention."""
        # the check loads with the first reply: an offline answer never needs it (its patterns take a tenth of a
        # second to compile, in every new process)
        from assistant.llm.verification import notes, verify, written_in_chinese

        if not evidence:
            return Answer(question, f"{NO_BASIS}。", True, [], [])
        raw = clean_reply(raw).strip()
        text, report, used = verify(
            raw, evidence, said or question, uncited=True, aliases=self.aliases, wording=self.wording
        )
        if is_abstention(raw, used):
            answer = Answer(question, f"{NO_BASIS}。", True, [], evidence[:3])
            answer.verification = report
            return answer
        sources = [Source(n, evidence[n - 1]) for n in used]
        if sources and not written_in_chinese(raw):  # checked by its figures and markers only: say so first
            lines = [FOREIGN_WARNING, "", text, "", "依据："] + [f"[{s.number}] {s.citation}" for s in sources]
        elif sources:
            lines = [text, "", "依据："] + [f"[{s.number}] {s.citation}" for s in sources]
            laws = [c for c in evidence if c.kind in VERSIONED_KINDS]
            if laws and not any(s.chunk.kind in VERSIONED_KINDS for s in sources):
                lines += ["", NO_LAW_WARNING] + [f"- {citation(c)}" for c in laws[:3]]
            elif laws and (resting := _resting_on_plans(text, sources)):
                numbers = "、".join(f"[{n}]" for n in sorted({n for _, cited in resting for n in cited}))
                lines += ["", PLAN_BASIS_WARNING.format(sources=numbers)]
                lines += [f"- {sentence}" for sentence, _ in resting]
                lines += ["法规条文："] + [f"- {citation(c)}" for c in laws[:3]]
        else:  # nothing to check the reply against: say so, and show where to look
            lines = [text, "", "依据：（无）", "", UNCITED_WARNING] + [f"- {citation(c)}" for c in evidence[:3]]
        if misgraded := self._misgraded(text, said or question):
            lines += ["", misgraded]
        found = notes(report, len(evidence))
        if found:
            lines += ["", "核验：" + "；".join(found)]
        answer = Answer(question, "\n".join(lines), False, sources, [] if sources else evidence[:3])
        answer.verification = report
        return answer

    @property
    def _levels(self) -> AccidentLevels:
        return load_pack(self.settings.knowledge_dir).accident_levels

    def _misgraded(self, text: str, question: str) -> str:
        """A warning when the reply puts the accident the question describes (死了3个人) in another level than the
        casualties or loss make it (属于一般事故 for 较大事故): the grading article decides, whatever the wording."""
        accident = stated(question, self._levels)
        if accident is None:
            return ""
        others = [name for name in self._levels.names if name != accident.level]
        claimed = [
            m.group("level") for m in _GRADED.finditer(text) if m.group("level") in others and not m.group("range")
        ]
        if not claimed:
            return ""
        basis = "、".join(str(c) for c in self._levels.basis)
        return (
            f"⚠ 按问题所述（{accident.described}），事故等级为{accident.level}（{basis}），"
            f"回答中说成了{'、'.join(dict.fromkeys(claimed))}，请核实"
        )

    def rewrite(self, question: str, history: list[str]) -> str:
        """The follow-up as a standalone question; LlmUnavailable when the endpoint fails."""
        template = load_prompt(self.settings, "rewrite_follow_up")
        prompt = template.format(history="\n".join(history), question=question)
        from langchain_core.messages import HumanMessage

        return call_model(self.model, [HumanMessage(prompt)], self.settings).strip() or question


def _resting_on_plans(text: str, sources: list[Source]) -> list[tuple[str, set[int]]]:
    """The sentences of a checked reply stating a norm (应当, 不需要, 即可…) that cite only sources that are no legal
    text (a plan, a report), with those sources' numbers."""
    others = {s.number for s in sources if s.chunk.kind not in VERSIONED_KINDS}
    found = []
    for sentence in _SENTENCES.findall(text):
        cited = set(cited_numbers(sentence))
        if cited and cited <= others and _NORM.search(sentence):
            found.append((sentence.strip(), cited))
    return found
