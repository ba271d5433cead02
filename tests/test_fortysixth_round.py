"""Round 46.

The web chat: what the user types while an answer is still coming (a model writing it) stays in the box. Each step
of the answer put the question box back to empty, so a follow-up typed meanwhile was erased, and one typed just as
the answer finished could be erased after the user had sent it (the chat then waited for an answer that never came)."""

from __future__ import annotations

import re

from conftest import regulation_with, serving
from fake_openai import FakeOpenAI

# --- the web chat ----------------------------------------------------------------------------------------------


def _cites_the_rule(messages: list[dict]) -> str:
    """A model's reply quoting 第六条 by its source number, long enough to stream for a few seconds."""
    number = next(
        n
        for n, body in re.findall(r'<资料 编号="(\d+)"[^>]*>\n(.*?)\n</资料>', messages[-1]["content"], re.S)
        if "先通风、再检测、后作业" in body
    )
    return "有限空间作业应当坚持的顺序，按条例规定为：“先通风、再检测、后作业”" + f"[{number}]。" * 4


def test_a_follow_up_typed_while_the_answer_is_written_stays_in_the_box(browser, tmp_path):
    with FakeOpenAI(_cites_the_rule, streaming=True, piece_delay=0.4) as model:
        settings = regulation_with(tmp_path, {}, llm_base_url=model.base_url, llm_model="fake-model")
        with serving(settings) as url:
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
            try:
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(url)
                box = page.locator("#ask-input textarea")
                box.fill("有限空间作业应当坚持什么顺序？")
                page.click("#ask-send")
                page.get_by_text("大模型作答中").wait_for()  # the answer is being written
                box.fill("要签什么？")
                page.locator("#ask-chat").get_by_text("依据（点击编号").wait_for()  # the verified answer
                page.wait_for_function("() => !document.querySelector('#ask-chat [aria-busy=\"true\"]')")
                assert "先通风、再检测、后作业" in page.locator("#ask-chat").inner_text()
                page.wait_for_timeout(500)  # anything the finished event still sends
                assert box.input_value() == "要签什么？"
            finally:
                context.close()
