"""Round 57.

- A batch of uploads holding a file whose name begins with “.” (a hidden file, which the command line skips) is
  refused whole by Gradio when its upload folder lies under the server's working directory (a server started from
  /tmp or /), with a message that named no file. The refusal now names the hidden files, before Gradio sees the call.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from conftest import event_fn, isolated_settings, serving

from ingest.knowledge_base import KnowledgeBase


def _upload(client: httpx.Client, *names: str) -> list[dict]:
    files = [
        ("files", (name, f"# 青山市通知\n\n一、{name}各单位应当设置泄漏报警装置。\n".encode(), "text/markdown"))
        for name in names
    ]
    stored = client.post("/gradio_api/upload", files=files).json()
    return [
        {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        for path, name in zip(stored, names, strict=True)
    ]


def _join(client: httpx.Client, fn: int, data: list) -> httpx.Response:
    body = {"data": data, "fn_index": fn, "session_hash": uuid.uuid4().hex[:10], "event_data": None, "trigger_id": None}
    return client.post("/gradio_api/queue/join", json=body)


@pytest.fixture(scope="module")
def upload_folder_under_cwd(tmp_path_factory):
    """A served app whose upload folder lies under the working directory: (a client, the settings)."""
    from gradio.utils import get_upload_folder

    settings = isolated_settings(tmp_path_factory.mktemp("hidden") / "anquan_data")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(Path(get_upload_folder()).parent)
        with serving(settings) as url, httpx.Client(base_url=url, timeout=120) as client:
            yield client, settings


def test_a_batch_refused_for_hidden_files_names_them(upload_folder_under_cwd):
    client, settings = upload_folder_under_cwd
    fn = event_fn(client, "lib-ingest")
    batch = _upload(client, ".方案草稿.md", "青山市通知.md", "._青山市预案.md")
    refused = _join(client, fn, [batch])
    assert refused.status_code == 422, refused.text
    said = refused.json()["detail"]
    assert "“.方案草稿.md”、“._青山市预案.md”" in said and "青山市通知" not in said, said
    assert "这一批文件都没有导入" in said and "去掉开头的“.”" in said, said
    assert KnowledgeBase(settings).documents() == {}  # nothing of the batch was imported


def test_a_batch_without_hidden_files_is_taken(upload_folder_under_cwd):
    client, _ = upload_folder_under_cwd
    joined = _join(client, event_fn(client, "lib-ingest"), [_upload(client, "青山市通知.md")])
    assert joined.status_code == 200 and "event_id" in joined.json(), joined.text
