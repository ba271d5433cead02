"""The LLM endpoint: any OpenAI-compatible one (DeepSeek, Qwen/DashScope, GLM, Ollama, vLLM) through
langchain-openai, with prompts from prompts/. Sources are numbered and fenced as data (format_sources: a forged
fence in any written form is removed, a sentence instructing the assistant is marked, assistant.answer.untrusted).
Any fault of the endpoint (refused, timed out, HTTP error, unreadable reply) raises LlmUnavailable with a Chinese
reason; the caller then answers offline with a note saying so.

Time: the client's own timeout (llm_timeout) bounds each read of the connection, so an endpoint sending a byte now
and then would hold a request forever. A reply read at once must therefore come whole within llm_timeout, and a
streamed one must bring each piece within llm_timeout of the last and be done within STREAMED_REPLY_TIMEOUTS times
llm_timeout: the request runs in a worker thread that the caller stops waiting for at its deadline (the thread ends
with its connection; it never holds the process)."""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.answer.untrusted import ATTRIBUTE_BREAKERS, instruction_guard, neutralise_fences
from assistant.citations import citation
from assistant.faults import chain
from assistant.llm.reply import CUT_NOTE, FILTER_NOTE, TRUNCATED_NOTE, capped, clean_reply, reasoning_unfinished
from ingest.cleaning import is_blank
from ingest.errors import UserFacingError
from ingest.settings import Settings, shown_address
from ingest.store import StoredChunk

if TYPE_CHECKING:  # langchain's chat models load only when an LLM is configured (not on an offline start)
    import openai
    from langchain_core.language_models.chat_models import BaseChatModel

__all__ = [
    "STREAMED_REPLY_TIMEOUTS",
    "EmptyReply",
    "LlmUnavailable",
    "ReplyTimeout",
    "call_model",
    "chat_model",
    "content_text",
    "fault_reason",
    "format_sources",
    "in_time",
    "llm_backend",
    "llm_label",
    "load_prompt",
    "pieces_in_time",
    "reasoning_overflow",
    "reply_limit",
    "reply_text",
    "stream_model",
    "was_cut",
    "with_cut_note",
]

log = logging.getLogger("anquan.llm")

# a streamed reply (shown as it is written, so it may take longer than one read at once) may take this many times
# llm_timeout in all
STREAMED_REPLY_TIMEOUTS = 10
T = TypeVar("T")


def load_prompt(settings: Settings, name: str) -> str:
    return (Path(settings.prompts_dir) / f"{name}.md").read_text(encoding="utf-8")


def llm_backend(settings: Settings) -> str:
    """The LLM by name (setting llm): "openai", an OpenAI-compatible endpoint at llm_base_url, or "none"; auto: the
    endpoint when its address is set."""
    if settings.llm == "openai" and not settings.llm_base_url:
        raise UserFacingError("ANQUAN_LLM=openai 需要同时设置 ANQUAN_LLM_BASE_URL（大模型服务地址）。")
    if settings.llm == "auto":
        return "openai" if settings.llm_base_url else "none"
    return settings.llm


def llm_label(settings: Settings) -> str:
    """How the UI and the CLI name LLM mode: 大模型：model."""
    return f"大模型：{settings.llm_model or '未指定模型'}"


# the parts of a content list that are the answer's text (OpenAI chat and responses, Anthropic-style gateways); the
# others — reasoning, thinking, refusals, images, tool calls — are never shown as the answer
_TEXT_PARTS = {"text", "output_text"}
# why an endpoint stopped writing when it reached its length limit (OpenAI: length; Anthropic, some gateways:
# max_tokens; Ollama native: length too)
_CUT_REASONS = {"length", "max_tokens", "max_output_tokens"}
# the chat model of an OpenAI-compatible endpoint (its _llm_type): every stream it reads ends with a finish_reason
OPENAI_CHAT = "openai-chat"
# why an endpoint stopped writing when its content filter or safety system withheld the rest (OpenAI and Azure:
# content_filter; Gemini: safety, recitation, blocklist, prohibited_content, spii; Anthropic: refusal)
_FILTER_REASONS = {
    "content_filter", "content_filtered", "safety", "recitation", "blocklist", "prohibited_content", "spii",
    "refusal", "sensitive",
}  # fmt: skip


def content_text(content: object) -> str:
    """The text of a reply's content: a string as it is; a list of parts (some gateways and reasoning APIs send
    [{"type": "text", "text": …}, {"type": "reasoning", …}]) as its text parts joined, the rest dropped; anything
    else as no text (never its Python repr)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict) or str(part.get("type", "text")).lower() not in _TEXT_PARTS:
            continue
        text = part.get("text")
        if isinstance(text, dict):  # {"type": "text", "text": {"value": …}}
            text = text.get("value")
        if isinstance(text, str):
            texts.append(text)
    return "".join(texts)


def reply_text(reply) -> str:
    """A chat model reply's text (content may be a list of parts with some providers: content_text)."""
    return content_text(reply.content)


def _stop_reason(reply) -> str:
    metadata = getattr(reply, "response_metadata", None) or {}
    reason = metadata.get("finish_reason") or metadata.get("stop_reason") if isinstance(metadata, dict) else None
    return reason.lower() if isinstance(reason, str) else ""


def was_cut(reply) -> bool:
    """Whether the endpoint stopped the reply (or a streamed piece's) at its length limit (finish_reason length)."""
    return _stop_reason(reply) in _CUT_REASONS


def was_filtered(reply) -> bool:
    """Whether the endpoint's content filter stopped the reply (or a streamed piece's): finish_reason
    content_filter and the like."""
    return _stop_reason(reply) in _FILTER_REASONS


def with_cut_note(text: str, cut: bool, filtered: bool = False) -> str:
    """The reply with a note that the endpoint cut it (CUT_NOTE) or that its content filter stopped it
    (FILTER_NOTE) when it did: shown under what it wrote, which is verified as any reply."""
    note = FILTER_NOTE if filtered else CUT_NOTE if cut else ""
    return f"{text.rstrip()}\n\n{note}" if note and text.strip() else text


def reasoning_overflow(settings: Settings) -> str:
    """Why a reply holds no answer when the model's reasoning (<think>…) used up its length limit, and what to do."""
    return (
        f"大模型的思考过程用尽了回复长度上限（ANQUAN_LLM_MAX_TOKENS={settings.llm_max_tokens}），还没写出回答；"
        "请调大 ANQUAN_LLM_MAX_TOKENS 后重新提问"
    )


def reply_limit(settings: Settings) -> int:
    """How many characters of a reply are read: four a token of llm_max_tokens (a Chinese token is one or two)."""
    return settings.llm_max_tokens * 4


def chat_model(settings: Settings) -> BaseChatModel:
    """The endpoint's chat model. Retries are ours (call_model): the client's would retry a timeout too.
    The reply's length is bounded by max_tokens, sent under that name (langchain's own field is sent as
    max_completion_tokens, which DeepSeek, DashScope, Ollama and older vLLM do not read)."""
    import httpx
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "deepseek-chat",
        api_key=settings.llm_api_key or "not-needed",
        temperature=0,
        timeout=settings.llm_timeout,
        max_retries=0,
        extra_body={"max_tokens": settings.llm_max_tokens},
        http_client=httpx.Client(
            timeout=settings.llm_timeout,
            # the encodings _capped_body can count as they unpack (httpx would also offer br and zstd when their
            # packages are installed)
            headers={"Accept-Encoding": ", ".join(_UNPACKED)},
            event_hooks={
                "response": [partial(_capped_body, seconds=(STREAMED_REPLY_TIMEOUTS + 1) * settings.llm_timeout)]
            },
        ),
    )


REPLY_MAX_BYTES = 16 * 2**20  # far above any reply of llm_max_tokens, streamed or not: more is no answer


class ReplyTooLarge(Exception):
    """The endpoint sent more than REPLY_MAX_BYTES for one reply (one chunk of gigabytes exhausted the memory; so did
    300 KB of gzip unpacking to 300 MB), or went on sending past every deadline (an endless stream of keep-alive
    comments kept a reader thread forever)."""


class UnknownEncoding(Exception):
    """The reply is packed in an encoding the client did not offer (br, zstd, compress): it cannot be counted."""


# Content-Encoding -> the zlib window bits reading it (gzip; deflate as zlib-wrapped, raw deflate tried after)
_UNPACKED = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Unpacker:
    """One Content-Encoding layer undone piece by piece, never yielding more than it is allowed to."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.zlib = zlib.decompressobj(_UNPACKED[encoding])
        self.started = False

    def unpack(self, data: bytes, most: int) -> bytes:
        """The next bytes of the unpacked body from data; ReplyTooLarge when they would be more than most."""
        try:
            out = self.zlib.decompress(data, most + 1)
        except zlib.error:
            if self.encoding != "deflate" or self.started:
                raise
            self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
            out = self.zlib.decompress(data, most + 1)
        self.started = True
        if len(out) > most or self.zlib.unconsumed_tail:
            raise ReplyTooLarge(f"over {most:,} bytes once unpacked")
        return out


def _capped_body(response, seconds: float) -> None:
    """Read the response's body through a counter that stops at REPLY_MAX_BYTES, or once it has been read for
    `seconds` (an httpx response hook: it runs before any of the body is read). The callers gave up before either
    (call_model, pieces_in_time); this ends the read they left behind. A packed body (Content-Encoding: gzip or
    deflate) is unpacked here, where the unpacked bytes are counted too (httpx would unpack it after this count, all
    of it, whatever its size); one packed otherwise is refused (UnknownEncoding)."""
    import httpx

    encodings = [
        e.strip().lower() for e in response.headers.get_list("content-encoding", split_commas=True) if e.strip()
    ]
    encodings = [e for e in encodings if e != "identity"]
    unknown = [e for e in encodings if e not in _UNPACKED]
    if encodings:
        del response.headers["content-encoding"]  # unpacked here: httpx reads the body as it is

    class Capped(httpx.SyncByteStream):
        def __init__(self, inner) -> None:
            self.inner = inner

        def __iter__(self):
            if unknown:
                raise UnknownEncoding(", ".join(unknown))
            layers = [_Unpacker(e) for e in reversed(encodings)]  # the last encoding applied is undone first
            seen, unpacked, until = 0, 0, time.monotonic() + seconds
            for piece in self.inner:
                seen += len(piece)
                if seen > REPLY_MAX_BYTES:
                    raise ReplyTooLarge(f"{seen:,} bytes")
                if time.monotonic() > until:
                    raise ReplyTooLarge(f"still sending after {seconds:g} s")
                for layer in layers:
                    piece = layer.unpack(piece, REPLY_MAX_BYTES - unpacked)
                if layers:
                    unpacked += len(piece)
                yield piece

        def close(self) -> None:
            self.inner.close()

    response.stream = Capped(response.stream)


def format_sources(chunks: list[StoredChunk], settings: Settings | None = None) -> str:
    """Number the sources and fence each. Inside a source nothing may read as a fence marker, and a sentence
    instructing the assistant is marked as such (prompts/suspected_instruction.md)."""
    settings = settings or Settings()
    guard = instruction_guard(settings.knowledge_dir)
    template = load_prompt(settings, "suspected_instruction").strip()
    blocks = []
    for n, chunk in enumerate(chunks, start=1):
        text = neutralise_fences(guard.mark(neutralise_fences(chunk.text), template))
        origin = neutralise_fences(citation(chunk)).translate(ATTRIBUTE_BREAKERS)  # titles and headings are data too
        blocks.append(f'<资料 编号="{n}" 出处="{origin}">\n{text}\n</资料>')
    return "\n".join(blocks)


# --- faults of the endpoint ----------------------------------------------------------------------------


class LlmUnavailable(Exception):
    """The endpoint could not give a usable reply; reason says why, in Chinese, for the user."""

    def __init__(self, reason: str, retry_without_stream: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_without_stream = retry_without_stream  # a streaming request failed in a way plain one may not

    @property
    def note(self) -> str:
        return f"大模型服务暂不可用（{self.reason}），以下为离线摘录答案。"


class EmptyReply(LlmUnavailable):
    """The endpoint answered, with nothing in it."""

    def __init__(self, retry_without_stream: bool = False, reason: str = "没有返回内容"):
        super().__init__(reason, retry_without_stream)


class StreamCut(LlmUnavailable):
    """A streamed reply ended without the end mark every OpenAI-compatible stream sends (a finish_reason): the
    connection closed mid-reply, and what came is not the whole answer. Asked again without streaming (an
    endpoint that streams without the mark still answers), else the offline answer."""

    def __init__(self) -> None:
        super().__init__("回复在中途断开，没有收到结束标记", retry_without_stream=True)


class ReplyTimeout(TimeoutError):
    """A request passed its deadline: no whole reply (or no next piece of a streamed one) within llm_timeout, or a
    streamed reply not done within its limit (whole)."""

    def __init__(self, seconds: float, whole: bool = False):
        super().__init__(f"no reply within {seconds:g} s")
        self.seconds = seconds
        self.whole = whole


def fault_reason(exc: BaseException, settings: Settings) -> str:
    """What went wrong with the endpoint, said for a user, and what to do about it."""
    import httpx
    import openai

    where = shown_address(settings.llm_base_url) if settings.llm_base_url else "未配置地址"
    if any(isinstance(link, ReplyTooLarge) for link in chain(exc)):
        return f"回复超过 {REPLY_MAX_BYTES // 2**20} MB，不是正常的回答，请检查 ANQUAN_LLM_BASE_URL 指向的服务"
    if any(isinstance(link, (UnknownEncoding, zlib.error)) for link in chain(exc)):
        return "回复的压缩格式无法读取，请确认 ANQUAN_LLM_BASE_URL 指向的是 OpenAI 兼容接口"
    if isinstance(exc, ReplyTimeout) and exc.whole:
        return f"{exc.seconds:g} 秒内没有写完回复，可稍后重试或调大 ANQUAN_LLM_TIMEOUT"
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return f"{settings.llm_timeout:g} 秒内没有响应，可稍后重试或调大 ANQUAN_LLM_TIMEOUT"
    if any(isinstance(link, (httpx.RemoteProtocolError, httpx.ReadError)) for link in chain(exc)):
        # connected, then the reply broke off (a body cut mid-JSON, shorter than its Content-Length, a reset): the
        # address is right, and checking it is no help
        return "连接已建立，但回复在中途断开，没有收到完整的回复；可稍后重试，反复出现请检查该服务或其前面的代理"
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError, ConnectionError)):
        return f"无法连接 {where}，请检查 ANQUAN_LLM_BASE_URL 和网络"
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return f"HTTP {exc.status_code}，API 密钥无效或没有权限，请检查 ANQUAN_LLM_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        return "HTTP 404，接口地址或模型名称不存在，请检查 ANQUAN_LLM_BASE_URL 和 ANQUAN_LLM_MODEL"
    if isinstance(exc, openai.RateLimitError):
        return "HTTP 429，请求过于频繁或额度已用完，请稍后重试"
    if isinstance(exc, openai.APIStatusError) and _too_long(exc):  # retrying sends the same request (请稍后重试)
        return (
            f"HTTP {exc.status_code}，问题连同所附条文超过了该模型服务一次能接收的长度；请缩短问题，"
            "或改用上下文更长的模型（ANQUAN_LLM_MODEL），或调大该服务（及其前面代理）的请求大小上限"
        )
    if isinstance(exc, openai.APIStatusError) and 300 <= exc.status_code < 400:  # retrying is sent the same way
        return (
            f"HTTP {exc.status_code}，该地址把请求转往别处，不是接口本身（常见原因：http 与 https 写反、地址漏了 /v1、"
            "或被代理的登录页拦下）；请检查 ANQUAN_LLM_BASE_URL"
        )
    if isinstance(exc, openai.APIStatusError):
        return f"服务返回错误 HTTP {exc.status_code}，请稍后重试"
    if said := _error_in_body(exc):  # HTTP 200 carrying {"error": {"message": …}} (an overloaded or gated service)
        return f"服务返回错误：{said}；请稍后重试，反复出现请检查该服务（ANQUAN_LLM_BASE_URL、ANQUAN_LLM_MODEL）"
    if isinstance(
        exc, (ValueError, KeyError, TypeError, AttributeError, RecursionError, openai.APIResponseValidationError)
    ):  # RecursionError: JSON nested past Python's recursion limit
        return "返回的内容无法解析，请确认它是 OpenAI 兼容接口"
    return "调用出错，请稍后重试"


def _error_in_body(exc: BaseException) -> str:
    """The message of an error object a reply of status 200 carried instead of choices ({"error": {"message":
    "model overloaded"}}, which the chat client raises as ValueError(the object)), shown printable and cut; "" for
    any other fault. It was told as 返回的内容无法解析，请确认它是 OpenAI 兼容接口, which it is."""
    if type(exc) is not ValueError or len(exc.args) != 1:
        return ""
    error = exc.args[0]
    said = (error.get("message") or error.get("code") or error.get("type")) if isinstance(error, dict) else None
    if not isinstance(said, str) or not said.strip():
        return ""
    said = "".join(c if c.isprintable() else " " for c in said).strip()
    return said if len(said) <= _SAID_MAX else said[:_SAID_MAX] + "…"


_SAID_MAX = 200  # characters of an endpoint's own error message shown


def _too_long(exc: openai.APIStatusError) -> bool:
    """Whether the endpoint refused the request for its size: HTTP 413, or a 400 saying the model's context is
    exceeded (OpenAI's context_length_exceeded; vLLM, Ollama and others: maximum context length, too long)."""
    if exc.status_code == 413:
        return True
    said = f"{getattr(exc, 'code', '') or ''} {exc.message}".lower()
    return exc.status_code == 400 and any(
        w in said for w in ("context_length", "context length", "too long", "maximum context")
    )


def _timed_out(exc: BaseException) -> bool:
    import httpx
    import openai

    return isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError))


def _retryable(exc: BaseException) -> bool:
    """A refused connection or a server error may pass; a timeout would only double the wait."""
    import httpx
    import openai

    return (
        not _timed_out(exc)
        and not any(isinstance(link, (ReplyTooLarge, UnknownEncoding, zlib.error)) for link in chain(exc))
        and isinstance(
            exc,
            (
                openai.APIConnectionError,
                openai.InternalServerError,
                openai.RateLimitError,
                httpx.TransportError,
                ConnectionError,
            ),
        )
    )


def in_time(call: Callable[[], T], seconds: float) -> T:
    """call()'s result (or its exception) when it comes within seconds; ReplyTimeout when it does not. It runs in a
    daemon worker thread (with the caller's context variables), left to end on its own after the deadline."""
    outcome: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            outcome.put((True, call()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who decides
            outcome.put((False, exc))

    threading.Thread(target=contextvars.copy_context().run, args=(work,), name="anquan-llm", daemon=True).start()
    try:
        done, value = outcome.get(timeout=min(seconds, threading.TIMEOUT_MAX))
    except queue.Empty:
        raise ReplyTimeout(seconds) from None
    if done:
        return value
    raise value


def pieces_in_time(model: BaseChatModel, messages: list, settings: Settings) -> Iterator[Any]:
    """model.stream's pieces, read in a daemon worker thread: each within llm_timeout of the one before (the first
    of the request), all within STREAMED_REPLY_TIMEOUTS × llm_timeout, else ReplyTimeout. Closing this iterator
    (or a deadline) stops the worker at its next piece."""
    per_piece = settings.llm_timeout
    whole = STREAMED_REPLY_TIMEOUTS * per_piece
    stop = threading.Event()
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=64)

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                pieces.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        stream = None
        try:
            stream = model.stream(messages)
            for piece in stream:
                if not put(("piece", piece)):
                    return
            put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the reader
            put(("error", exc))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    threading.Thread(target=contextvars.copy_context().run, args=(work,), name="anquan-llm", daemon=True).start()
    deadline = time.monotonic() + whole
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                kind, value = pieces.get(timeout=max(0.0, min(per_piece, left, threading.TIMEOUT_MAX)))
            except queue.Empty:
                raise ReplyTimeout(*((per_piece, False) if left > per_piece else (whole, True))) from None
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def call_model(model: BaseChatModel, messages: list, settings: Settings) -> str:
    """The model's reply text, cut to reply_limit with a note and cleaned (assistant.llm.reply: no control
    characters, reasoning blocks, images or links); retried (settings.llm_retries) on a refused connection or a
    server error. The whole reply must come within llm_timeout (in_time). A reply the endpoint cut at its length
    limit (finish_reason length) ends with CUT_NOTE, one its content filter stopped (finish_reason content_filter)
    with FILTER_NOTE. Any fault raises LlmUnavailable; an empty reply (also one that
    was only reasoning) is one."""
    for attempt in range(settings.llm_retries + 1):
        try:
            reply = in_time(lambda: model.invoke(messages), settings.llm_timeout)
            raw = reply_text(reply)
            text = clean_reply(capped(raw, reply_limit(settings)))
            text = with_cut_note(text, was_cut(reply), was_filtered(reply))
        except Exception as exc:  # noqa: BLE001 - every fault of the endpoint becomes the offline answer
            if _retryable(exc) and attempt < settings.llm_retries:
                log.info("LLM call failed (%s), retrying", type(exc).__name__)
                time.sleep(0.5 * (attempt + 1))
                continue
            log.info("LLM unavailable", exc_info=True)
            raise LlmUnavailable(fault_reason(exc, settings)) from exc
        if is_blank(text):  # nothing to read: spaces or zero-width characters alone
            # all it wrote was reasoning, cut by the endpoint's limit or by ours (reply_limit: a <think> block longer
            # than that is read to the limit, and no answer comes in what is read)
            overflowed = len(raw) > reply_limit(settings) and reasoning_unfinished(raw[: reply_limit(settings)])
            if was_cut(reply) or overflowed:
                raise EmptyReply(reason=reasoning_overflow(settings))
            if was_filtered(reply):
                raise EmptyReply(reason="回复被大模型服务商的内容过滤拦截")
            raise EmptyReply()
        return text
    raise AssertionError("unreachable")


def stream_model(model: BaseChatModel, messages: list, settings: Settings) -> Iterator[str]:
    """The reply's pieces as they come (raw: the caller cleans what it shows; the text parts of a piece whose content
    is a list of parts), read up to reply_limit characters, then a note that the rest was cut (CUT_NOTE after a
    reply the endpoint cut at its length limit, FILTER_NOTE after one its content filter stopped); retried as
    call_model before the first piece; each piece
    within llm_timeout of the last, the whole within STREAMED_REPLY_TIMEOUTS times that (pieces_in_time). A fault
    raises LlmUnavailable (before the first piece, one that a request without streaming might not have — the
    endpoint may not stream — sets retry_without_stream); a stream of an OpenAI-compatible endpoint that ends
    without its finish_reason raises StreamCut."""
    limit = reply_limit(settings)
    marks_its_end = getattr(model, "_llm_type", "") == OPENAI_CHAT
    for attempt in range(settings.llm_retries + 1):
        started = cut = filtered = ended = False
        read = 0
        try:
            pieces = pieces_in_time(model, messages, settings)
            try:
                for piece in pieces:
                    started = True
                    cut = cut or was_cut(piece)
                    filtered = filtered or was_filtered(piece)
                    ended = ended or bool(_stop_reason(piece))
                    text = content_text(piece.content)
                    if read + len(text) > limit:  # stop reading: the rest of the reply is not fetched
                        yield text[: limit - read]
                        yield f"\n\n{TRUNCATED_NOTE}"
                        return
                    read += len(text)
                    yield text
            finally:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()
            if (cut or filtered) and read:
                yield f"\n\n{FILTER_NOTE if filtered else CUT_NOTE}"
            if read and marks_its_end and not ended:  # the connection closed mid-reply (or mid-event)
                raise StreamCut()
            return
        except StreamCut:
            raise
        except Exception as exc:  # noqa: BLE001 - every fault of the endpoint becomes the offline answer
            if not started and _retryable(exc) and attempt < settings.llm_retries:
                log.info("LLM stream failed (%s), retrying", type(exc).__name__)
                time.sleep(0.5 * (attempt + 1))
                continue
            log.info("LLM stream failed", exc_info=True)
            if started and not _timed_out(exc):  # the connection broke mid-reply: a cut, as one without its end mark
                raise StreamCut() from exc
            raise LlmUnavailable(
                fault_reason(exc, settings),
                retry_without_stream=not started and not _timed_out(exc) and not _retryable(exc),
            ) from exc
