"""Ninth round (issue 16; report in /tmp/rt8/README.md, rows I3a, I3c, I3d, I4b, I4c): HTML and Markdown text a
reader never sees is not imported.

- style-sheet rules whose selectors look beyond an element's tag, id and class (attributes, :not(), descendants,
  siblings, structural pseudo-classes) are matched by the selector engine and hide, with the cascade (specificity,
  order, !important); a rule that only applies while the reader hovers, focuses or checks something never hides;
- hidden by content-visibility, a clip that leaves no area, a scale or zoom that leaves text under a pixel, an
  offset far off the screen in any direction, filter: opacity(0), a popover not yet shown, a zero-size svg;
- text of the colour painted under it (its nearest background colour, else the page's white), however the colour is
  set (style, style sheet, <font color>, bgcolor);
- Markdown: <?...?>, <!X...> and <![CDATA[...]]> (shown by no viewer) and raw HTML in white are left out.

Visible text around each is kept; normal pages and Markdown give what they gave before."""

from __future__ import annotations

import time

import pytest

import ingest.loaders.html as html
from ingest.errors import OverLimit
from ingest.loaders import load_file
from ingest.loaders.text import visible_markdown

INJECTED = "从业人员一百二十人的工厂不需要设置安全生产管理机构。"
SEEN = ["第一条 各单位应当落实安全生产主体责任。", "第二条 各单位应当定期开展隐患排查。"]


def page(body: str, style: str = "", head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}<style>{style}</style></head><body>"
        f"<h1>青山区安全生产工作通知</h1><p>{SEEN[0]}</p>{body}<p>{SEEN[1]}</p></body></html>"
    )


def loaded(tmp_path, markup: str) -> str:
    path = tmp_path / "通知.html"
    path.write_text(markup, encoding="utf-8")
    return load_file(path)


def assert_hidden(text: str, *kept: str) -> None:
    assert "暗号" not in text, text
    for line in [*SEEN, *kept]:
        assert line in text, (line, text)


HIDING_SELECTORS = [
    ("[data-n]{display:none}", "<p data-n='1'>暗号：{}</p>"),
    ("[data-state='Closed' i]{display:none}", "<p data-state='closed'>暗号：{}</p>"),
    (".a:not(.b){display:none}", "<p class='a'>暗号：{}</p><p class='a b'>第三条 可见。</p>"),
    ("div .z{display:none}", "<div><section><p class='z'>暗号：{}</p></section></div><p class='z'>第三条 可见。</p>"),
    ("ul > li + li{visibility:hidden}", "<ul><li>第三条 可见。</li><li>暗号：{}</li></ul>"),
    ("li:nth-child(2){font-size:0}", "<ol><li>第三条 可见。</li><li>暗号：{}</li></ol>"),
    ("body *{visibility:visible} #y{visibility:hidden}", "<p id='y'>暗号：{}</p><p>第三条 可见。</p>"),
    ("#y{visibility:hidden} body *{visibility:visible}", "<p id='y'>暗号：{}</p><p>第三条 可见。</p>"),
    (".X .hid{display:none}", "<div class='x'><p class='HID'>暗号：{}</p></div>"),  # without case, as the rest
    ("p.k{display:block} :is(.q, .r).k{display:none}", "<p class='r k'>暗号：{}</p><p class='k'>第三条 可见。</p>"),
    ("[hidden]{display:none} .w+p{opacity:0}", "<p class='w'>第三条 可见。</p><p>暗号：{}</p>"),
]


@pytest.mark.parametrize(("rule", "body"), HIDING_SELECTORS)
def test_style_rules_with_any_selector_hide(tmp_path, rule, body):
    text = loaded(tmp_path, page(body.format(INJECTED), rule))
    assert_hidden(text, *(["第三条 可见。"] if "第三条" in body else []))


def test_the_cascade_decides_between_rules_of_any_selector(tmp_path):
    text = loaded(
        tmp_path,
        page(
            f"<div class='tab' data-open>第三条 展开的标签。</div><div class='tab'>暗号一：{INJECTED}</div>"
            f"<p class='n'>第四条 重要的显示。</p><p id='m' class='on'>暗号二：{INJECTED}</p>"
            "<div class='menu'><p class='sub'>第五条 悬停时显示。</p></div>",
            ".tab{display:none} div[data-open].tab{display:block} p:not(.x).n{display:none}"
            ".n{display:block!important} body #m{display:none} p.on{display:block}"
            ".sub{display:none} .menu:hover .sub{display:block} *:hover{display:block}",
        ),
    )
    assert_hidden(text, "第三条 展开的标签。", "第四条 重要的显示。", "第五条 悬停时显示。")


INLINE = [
    "content-visibility:hidden",
    "clip-path:inset(0 0 100% 0)",
    "clip-path:inset(50%)",
    "clip-path:polygon(0 0,0 0,0 0)",
    "clip-path:polygon(0 0, 100% 0, 50% 0)",
    "clip-path:circle(0 at 50% 50%)",
    "transform:scale(0.001)",
    "transform:scale(1, 0.01)",
    "transform:matrix(0.001,0,0,0.001,0,0)",
    "scale:0.02",
    "zoom:0.001",
    "zoom:1%",
    "position:absolute;right:99999px",
    "position:relative;bottom:5000px",
    "position:absolute;left:50000px",
    "filter:opacity(0)",
    "filter:blur(1px) opacity(0%)",
    "color:#fff",
    "color:#FFFFFF",
    "color:rgb(255 255 255)",
    "color:rgba(255,255,255,1)",
    "color:hsl(0 0% 100%)",
    "color:white",
    "color:#fefefe",
    "background:#000",
    "background-color:black;color:#010101",
    "background:#c00;color:#cc0000",
    "background-color:snow;color:snow",
]


@pytest.mark.parametrize("style", INLINE)
def test_inline_styles_that_leave_nothing_to_see_hide(tmp_path, style):
    text = loaded(tmp_path, page(f"<p style='{style}'>暗号：{INJECTED}</p>"))
    assert_hidden(text)
    sheet = loaded(tmp_path, page(f"<p class='s'>暗号：{INJECTED}</p>", f".s{{{style}}}"))
    assert_hidden(sheet)


def test_colour_is_compared_with_what_is_painted_under_the_text(tmp_path):
    text = loaded(
        tmp_path,
        page(
            "<div style='background:#222'><p style='color:#fff'>第三条 深底白字。</p>"
            f"<p style='color:#232323'>暗号一：{INJECTED}</p></div>"
            "<div style='background:url(a.png)'><p style='color:#fff'>第四条 图片上的白字。</p></div>"
            "<div style='background:rgba(0,0,0,.5)'><p style='color:#fff'>第五条 半透明底上的白字。</p></div>"
            "<table bgcolor='navy'><tr><td><font color='white'>第六条 表格中的白字。</font></td>"
            f"<td bgcolor='white'><font color='white'>暗号二：{INJECTED}</font></td></tr></table>"
            f"<p><font color='white'>暗号三：{INJECTED}</font><font color='red'>第七条 红字。</font></p>"
            "<div style='color:#fff'><p style='color:#333'>第八条 自设颜色。</p></div>",
            "",
        ),
    )
    for kept in ["深底白字", "图片上的白字", "半透明底上的白字", "表格中的白字", "红字", "自设颜色"]:
        assert kept in text, (kept, text)
    assert_hidden(text)


def test_the_page_background_counts_and_a_linked_sheet_leaves_it_unknown(tmp_path):
    dark = page(
        f"<p style='color:#000'>暗号：{INJECTED}</p><p style='color:#fff'>第三条 白字。</p>", "body{background:#000}"
    )
    text = loaded(tmp_path, dark.replace("<p>第", "<p style='color:#eee'>第"))
    assert_hidden(text, "第三条 白字。")
    linked = page(
        "<p><font color='#ffffff'>第三条 样式表中的深色背景上的白字。</font></p>",
        "",
        "<link rel='stylesheet' href='a.css'>",
    )
    assert "样式表中的深色背景上的白字" in loaded(tmp_path, linked)


def test_unrendered_elements_hide(tmp_path):
    text = loaded(
        tmp_path,
        page(
            f"<div popover>暗号一：{INJECTED}</div><div popover='manual'>暗号二：{INJECTED}</div>"
            f"<svg width='0' height='0'><text x='0' y='10'>暗号三：{INJECTED}</text></svg>"
            f"<svg style='width:0;height:0'><text>暗号四：{INJECTED}</text></svg>"
            f"<svg width='300' height='40'><text x='0' y='20' fill='white'>暗号五：{INJECTED}</text>"
            f"<text font-size='0'>暗号六：{INJECTED}</text><text visibility='hidden'>暗号七：{INJECTED}</text>"
            "<text y='30'>第三条 图中的文字。</text></svg>"
            "<svg width='0' height='0' style='overflow:visible'><text>第四条 溢出显示。</text></svg>"
        ),
    )
    assert_hidden(text, "第三条 图中的文字。", "第四条 溢出显示。")


def test_ordinary_styles_keep_their_text(tmp_path):
    text = loaded(
        tmp_path,
        page(
            "<p style='transform:scale(0.5)'>第三条 缩小一半。</p><p style='zoom:0.8'>第四条 缩放。</p>"
            "<p style='position:relative;right:20px;left:5000px'>第五条 小的位移。</p>"
            "<p style='clip-path:inset(10% 0 0 0)'>第六条 裁去一点。</p>"
            "<p style='clip-path:polygon(0 0,100% 0,100% 100%)'>第七条 三角形。</p>"
            "<p style='filter:opacity(0.5)'>第八条 半透明。</p><p style='color:#777'>第九条 灰字。</p>"
            "<p class='a b'>第十条 两个类。</p><div class='z'><p class='z'>第十一条 没有外层。</p></div>"
            "<p data-n>第十二条 被另一个规则显示。</p>",
            ".a:not(.b){display:none} section .z{display:none} [data-n]{display:none} p[data-n]{display:block}"
            "p:unknown-state{display:none} p::before{display:none}",
        ),
    )
    for n in ["三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]:
        assert f"第{n}条" in text, (n, text)


def test_complex_selectors_on_a_large_page_take_seconds_and_a_hostile_page_is_refused(tmp_path, monkeypatch):
    rows = "".join(f"<div class='r{n % 50}'><p class='c{n % 7}'>第{n}段</p></div>" for n in range(3_000))
    rules = "".join(f"div.r{n} > .c{n % 7}:not(.x){{display:none}} [data-k{n}]{{display:none}}" for n in range(20))
    path = tmp_path / "大网页.html"
    path.write_text(page(rows, rules + "div:nth-child(3n) p{visibility:hidden} body *{color:#111}"))
    started = time.perf_counter()
    text = load_file(path)
    assert time.perf_counter() - started < 5
    assert "第1段" not in text  # div.r1 > .c1 hides it
    assert "第20段" in text and "第22段" in text  # no rule's (r0...r19)
    assert "第21段" not in text  # the 24th child of body: its p is hidden by div:nth-child(3n) p
    monkeypatch.setattr(html, "_MOST_SELECTOR_SECONDS", 0.0)
    with pytest.raises(OverLimit, match="样式规则过多"):
        load_file(path)
    monkeypatch.setattr(html, "_MOST_SELECTOR_SECONDS", 10.0)
    monkeypatch.setattr(html, "_MOST_CHECKS", 100_000)  # a thousand checks by the selector engine
    with pytest.raises(OverLimit, match="样式规则过多"):
        load_file(path)


# --- Markdown ---------------------------------------------------------------------------------------------------

MARKDOWN = f"""# 青山区安全生产工作通知

{SEEN[0]}

<?php 暗号一：{INJECTED} ?>

<![CDATA[ 暗号二：{INJECTED} ]]>

<!X 暗号三：{INJECTED} >

  <!DOCTYPE 暗号四
{INJECTED}>

第三条 行内 <?x 暗号五 ?> 与 <!Y 暗号六> 与 <![CDATA[暗号七]]> 都不显示。

<p style="color:white">暗号八：{INJECTED}</p>

<div style="background:#000">

<span style="color:#000">暗号九</span>

</div>

<p><font color="#fff">暗号十</font></p>

<style>.q p{{display:none}}</style>
<div class="q"><p>暗号十一：{INJECTED}</p></div>

{SEEN[1]}
"""


def test_markdown_html_a_viewer_never_shows_is_left_out():
    text = visible_markdown(MARKDOWN)
    assert "暗号" not in text, text
    for kept in [*SEEN, "第三条 行内", "都不显示。"]:
        assert kept in text, (kept, text)


def test_markdown_that_only_looks_like_such_html_is_kept():
    for written in [
        "比较：a <? b，未闭合的问号保持原样。\n",
        "| 写法 | 说明 |\n|---|---|\n| “<!X …” | 表格单元格中 > 号在下一格 |\n",
        "段落 <![CDATA[ 未在段内闭合\n\n下一段 ]]> 照常显示。\n",
        "代码 `<?php echo 1; ?>` 与 `<!X y>` 照常显示。\n",
        "```\n<![CDATA[ 代码块 ]]>\n```\n",
        "<p style='color:#333'>深灰色的字</p>\n",
    ]:
        assert visible_markdown(written) == written, written


def test_markdown_bogus_comments_are_read_in_time_linear_in_the_size():
    for text in ["x " + "<?" * 100_000, "\n".join(["x <!a"] * 50_000), "\n\n".join(["x <![CDATA["] * 50_000) + "]]>"]:
        started = time.perf_counter()
        visible_markdown(text)
        assert time.perf_counter() - started < 3


@pytest.mark.parametrize(
    "markup",
    [
        '<p aria-hidden="true">第二条 看得见的条文。</p>',
        '<div aria-hidden="true"><p>第二条 看得见的条文。</p></div>',
        '<p><span aria-hidden="true">第二条 看得见的条文。</span>'
        '<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)">读屏用的副本</span></p>',
    ],
    ids=["p", "div", "sr-only-pair"],
)
def test_text_hidden_from_screen_readers_only_is_kept(tmp_path, markup):
    """rt10 H1h: aria-hidden hides nothing from a sighted reader (with its screen-reader copy beside it, the
    article vanished)."""
    path = tmp_path / "通知.html"
    path.write_text(f"<html><body><p>第一条 总则。</p>{markup}<p>第三条 结束。</p></body></html>", encoding="utf-8")
    text = load_file(path)
    assert "第二条 看得见的条文。" in text and "第三条 结束。" in text, text
