"""Hostile round 32 (issue 16, second pass): what the new variants of the issue's classes found, each asserted as a
user meets it.

- Secrets: an endpoint address carrying a user name and password (ANQUAN_LLM_BASE_URL=http://user:secret@host/v1,
  common for a model behind a proxy with basic authentication) was shown with the password in every fault note of an
  answer (无法连接 http://user:secret@…), on the web's library page for any user to read, and in the embedding
  server's messages and description. Addresses are now shown without their user, password and query.
- Faults: an endpoint answering with a redirect (HTTP 301/302: http for https, a base URL without /v1, a proxy's
  login page) was told as 服务返回错误…请稍后重试, where retrying never helps; now it says to check the address.
"""

from __future__ import annotations

import pytest
from conftest import free_port, regulation_with
from typer.testing import CliRunner

from assistant.cli import app
from ingest.settings import Settings

runner = CliRunner()


def invoke(settings: Settings, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(
        app,
        list(args),
        env={
            "ANQUAN_DATA_DIR": str(settings.data_dir),
            "ANQUAN_VECTOR_CACHE": str(settings.vector_cache),
            **(env or {}),
        },
    )


def ask_model(settings: Settings, reply, question: str = "有限空间作业要先通风吗", base_url: str | None = None):
    """anquan ask in LLM mode, the model (a fake OpenAI-compatible server) replying reply (a text or a Respond)."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI(lambda messages: reply) as model:
        env = {"ANQUAN_LLM_BASE_URL": base_url or model.base_url, "ANQUAN_LLM_MODEL": "m", "ANQUAN_LLM_TIMEOUT": "10"}
        return invoke(settings, "ask", question, env=env)


# --- secrets in endpoint addresses ---------------------------------------------------------------------------------

SECRET = "hunter2-口令"


def test_a_password_in_the_model_address_is_never_shown(tmp_path):
    """The fault note of every answer named the address as configured, password included."""
    settings = regulation_with(tmp_path, {})
    port = free_port()  # nothing listens: the connection is refused
    for address in (f"http://anjian:{SECRET}@127.0.0.1:{port}/v1", f"http://127.0.0.1:{port}/v1?key={SECRET}"):
        result = ask_model(settings, "", base_url=address)
        assert result.exit_code == 0, result.output
        assert f"无法连接 http://127.0.0.1:{port}/v1，" in result.output, result.output
        assert SECRET not in result.output and "anjian" not in result.output, result.output
        assert "第六条" in result.output  # the offline answer


def test_the_web_library_page_shows_the_model_address_without_its_password(tmp_path):
    from assistant.web.context import WebContext
    from assistant.web.library_tab import stats_markdown
    from ingest.knowledge_base import KnowledgeBase

    settings = regulation_with(tmp_path, {})
    settings = settings.model_copy(
        update={"llm_base_url": f"https://anjian:{SECRET}@llm.example.cn/v1?key={SECRET}", "llm_model": "qwen"}
    )
    shown = stats_markdown(WebContext(settings, KnowledgeBase(settings)))
    assert "大模型 qwen（https://llm.example.cn/v1）" in shown, shown
    assert SECRET not in shown and "anjian" not in shown, shown


def test_the_embedding_server_is_named_without_its_password(tmp_path):
    from ingest.embedders.server import EmbeddingServerError, ServerEmbeddings

    port = free_port()
    with pytest.raises(EmbeddingServerError) as refused:
        ServerEmbeddings(f"http://anjian:{SECRET}@127.0.0.1:{port}/v1", "bge", retries=0, timeout=2)
    assert f"向量服务 http://127.0.0.1:{port}/v1 不可用" in str(refused.value), refused.value
    assert SECRET not in str(refused.value), refused.value


# --- a redirect is no passing fault --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirecting_endpoint_is_told_to_check_the_address(tmp_path, status):
    from fake_openai import Respond

    settings = regulation_with(tmp_path, {})
    result = ask_model(settings, Respond(status=status, body=b""))
    assert result.exit_code == 0, result.output
    assert f"HTTP {status}，该地址把请求转往别处" in result.output, result.output
    assert "请检查 ANQUAN_LLM_BASE_URL" in result.output and "请稍后重试" not in result.output, result.output
    assert "第六条" in result.output  # the offline answer
