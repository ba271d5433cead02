"""LLM mode: answers from any OpenAI-compatible endpoint (DeepSeek, Qwen/DashScope, GLM, Ollama, vLLM)
through langchain-openai, with prompts from prompts/. Sources are numbered and fenced as data; after
generation every [n] must resolve to a provided source (others are removed and reported) and every
quoted phrase must be verbatim in the source it cites (otherwise it is flagged)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answer import NO_BASIS, Answer, Source
from assistant.settings import Settings
from ingest.cleaning import to_simplified
from ingest.store import StoredChunk

SOURCES_FOR_LLM = 6
_CITE = re.compile(r"\[(\d+)\]")
_QUOTE = re.compile(r"“([^”]{4,})”")
# a fence marker as a document might forge it: half- or full-width brackets, spaces, attributes
_FENCE = re.compile(r"[<＜]\s*/?\s*资料[^>＞\n]{0,200}[>＞]?")
_ATTRIBUTE_BREAKERS = {ord(c): None for c in '"<>＜＞'}


def load_prompt(settings: Settings, name: str) -> str:
    return (Path(settings.prompts_dir) / f"{name}.md").read_text(encoding="utf-8")


def llm_label(settings: Settings) -> str:
    """How the UI and the CLI name LLM mode: 大模型：model."""
    return f"大模型：{settings.llm_model or '未指定模型'}"


def reply_text(reply) -> str:
    """A chat model reply's text (content may be a list of parts with some providers)."""
    return reply.content if isinstance(reply.content, str) else str(reply.content)


def chat_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model or "deepseek-chat",
                      api_key=settings.llm_api_key or "not-needed", temperature=0, timeout=60, max_retries=1)


def format_sources(chunks: list[StoredChunk]) -> str:
    """Number the sources and fence each; a fence marker inside a document is neutralised."""
    from assistant.citations import citation

    blocks = []
    for n, chunk in enumerate(chunks, start=1):
        text = _FENCE.sub("", chunk.text)
        origin = _FENCE.sub("", citation(chunk)).translate(_ATTRIBUTE_BREAKERS)  # titles and headings are data too
        blocks.append(f'<资料 编号="{n}" 出处="{origin}">\n{text}\n</资料>')
    return "\n".join(blocks)


def _canon(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text))


@dataclass
class Verification:
    removed: list[int] = field(default_factory=list)  # [n] that pointed at no provided source
    misquotes: list[str] = field(default_factory=list)  # quoted phrases not verbatim in their source


def verify(text: str, chunks: list[StoredChunk]) -> tuple[str, Verification, list[int]]:
    """Remove unresolvable [n], flag quotes not found verbatim in the source cited after them."""
    report = Verification()
    valid = set(range(1, len(chunks) + 1))

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if n in valid:
            return match.group(0)
        report.removed.append(n)
        return ""

    text = _CITE.sub(keep, text)
    for sentence in re.split(r"(?<=[。；\n])", text):
        cited = [int(n) for n in _CITE.findall(sentence)]
        for quote in _QUOTE.findall(sentence):
            sources = cited or list(valid)
            if not any(_canon(quote) in _canon(chunks[n - 1].text) for n in sources):
                report.misquotes.append(quote)
    for quote in report.misquotes:
        text = text.replace(f"“{quote}”", f"“{quote}”（⚠未能在所引条文中逐字核对）")
    used = sorted({int(n) for n in _CITE.findall(text)})
    return text, report, used


class LlmComposer:
    def __init__(self, settings: Settings, model: BaseChatModel | None = None):
        self.settings = settings
        self.model = model or chat_model(settings)
        self.system = load_prompt(settings, "answer_system")
        self.user = load_prompt(settings, "answer_user")

    def messages(self, question: str, chunks: list[StoredChunk]) -> list:
        return [SystemMessage(self.system),
                HumanMessage(self.user.format(sources=format_sources(chunks), question=question))]

    def compose(self, question: str, chunks: list[StoredChunk]) -> Answer:
        evidence = chunks[:SOURCES_FOR_LLM]
        reply = self.model.invoke(self.messages(question, evidence))
        return self.finish(question, evidence, reply_text(reply))

    def compose_stream(self, question: str, chunks: list[StoredChunk]) -> Iterator[str | Answer]:
        """The reply as it grows (not yet verified, for display), then the verified Answer compose would give."""
        evidence = chunks[:SOURCES_FOR_LLM]
        raw = ""
        for piece in self.model.stream(self.messages(question, evidence)):
            raw += piece.content if isinstance(piece.content, str) else ""
            yield raw
        yield self.finish(question, evidence, raw)

    def finish(self, question: str, evidence: list[StoredChunk], raw: str) -> Answer:
        """Verify a reply: citations must resolve, quotes must be verbatim; abstain on NO_BASIS."""
        if NO_BASIS in raw or not evidence:
            return Answer(question, f"{NO_BASIS}。", True, [], evidence[:3])
        text, report, used = verify(raw.strip(), evidence)
        sources = [Source(n, evidence[n - 1]) for n in used]
        notes = []
        if report.removed:
            notes.append(f"已删除无法对应资料的引用编号：{'、'.join(f'[{n}]' for n in report.removed)}")
        if report.misquotes:
            notes.append(f"{len(report.misquotes)} 处引文未能在所引条文中逐字核对，已标注")
        lines = [text, "", "依据："] + [f"[{s.number}] {s.citation}" for s in sources]
        if notes:
            lines += ["", "核验：" + "；".join(notes)]
        answer = Answer(question, "\n".join(lines), False, sources)
        answer.verification = report
        return answer

    def rewrite(self, question: str, history: list[str]) -> str:
        template = load_prompt(self.settings, "rewrite_follow_up")
        prompt = template.format(history="\n".join(history[-3:]), question=question)
        return reply_text(self.model.invoke([HumanMessage(prompt)])).strip() or question
