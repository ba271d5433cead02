"""LLM mode: the endpoint (client: llm_backend resolves the LLM by name; chat_model, call_model, stream_model,
format_sources, LlmUnavailable when it fails), the answer it writes (composer: composer_backend and resolve_composer
choose offline or LLM by name; LlmComposer) and the check of what it wrote against its sources
(verification: verify; figures: the figures it states), after the reply is capped and cleaned of control characters,
reasoning blocks, images and links (reply: clean_reply), used by the ask chain and by the plan writer
(assistant.draft.llm)."""

from assistant.llm.client import (
    EmptyReply,
    LlmUnavailable,
    StreamCut,
    call_model,
    chat_model,
    format_sources,
    llm_backend,
    llm_label,
    load_prompt,
    stream_model,
)
from assistant.llm.composer import (
    LlmComposer,
    composer_backend,
    composer_label,
    is_abstention,
    resolve_composer,
)

__all__ = [
    "EmptyReply",
    "LlmComposer",
    "LlmUnavailable",
    "StreamCut",
    "call_model",
    "chat_model",
    "composer_backend",
    "composer_label",
    "format_sources",
    "is_abstention",
    "llm_backend",
    "llm_label",
    "load_prompt",
    "resolve_composer",
    "stream_model",
]
