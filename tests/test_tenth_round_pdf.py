"""Tenth round, PDF (issue 16; red-team report /tmp/rt10/README.md, rows P1a-P1e, P1h): text under what is painted
over it later is not imported, whatever paints it:

- a fill inside a form XObject that shows no text (P1a), within the form's /Matrix and /BBox;
- several opaque fills that each cover part of the text and together all of it (P1e);
- a slanted rectangle or another convex shape of straight lines (P1d) or of curves (P1b);
- an axial shading extended both ways over its clip (P1c);
- the normal appearance of an annotation shown over the page (P1h).

What covers only part of the text, lets it through, or is not shown leaves it stored; so does what is painted
before the text (table cells, a logo)."""

from __future__ import annotations

import pytest
from pdf_pages import SEEN, TITLE, raw_pdf, shown

from ingest.errors import UnreadableFile
from ingest.loaders import load_file


def secret(n: int) -> str:
    """A hidden sentence: 12 glyphs, 144 points wide at 12 points from x = 50 (body y - 2.4 to y + 9.6)."""
    return f"暗号{n}：不需要设置机构。"


def visible(n: int) -> str:
    return f"第{n}条 可见的规定{n}。"


def notice(tmp_path, name: str, *parts: str, **pdf: str | tuple[str, ...]) -> tuple[str, list[str]]:
    content = " ".join([shown(TITLE, y=780, size=16), shown(SEEN[0], y=740), *parts, shown(SEEN[1], y=120)])
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(raw_pdf(content, **pdf))  # type: ignore[arg-type]
    warnings: list[str] = []
    return load_file(path, warnings=warnings), warnings


def form(content: str, bbox: str = "0 0 200 18", matrix: str = "") -> str:
    extra = f"/Matrix[{matrix}]" if matrix else ""
    return f"<</Type/XObject/Subtype/Form/BBox[{bbox}]{extra}/Length {len(content)}>>stream\n{content}\nendstream"


def test_a_box_painted_by_a_form_without_text_covers_like_the_pages_own(tmp_path):
    text, warnings = notice(
        tmp_path,
        "表单遮盖",
        shown(secret(1), y=700) + " q 1 0 0 1 40 696 cm /Box Do Q",  # P1a: a white box in a form
        shown(secret(2), y=680) + " q 1 0 0 1 40 676 cm /Scaled Do Q",  # its /Matrix doubles a half-size box
        shown(visible(3), y=660) + " q 1 0 0 1 40 656 cm /Clipped Do Q",  # its /BBox keeps a sliver of the box
        shown(visible(4), y=640) + " q 1 0 0 1 40 636 cm /Translucent Do Q",  # ExtGState of the form: half opaque
        shown(visible(5), y=620) + " q 1 0 0 1 300 616 cm /Box Do Q",  # beside the text
        "q 1 0 0 1 40 596 cm /Box Do Q " + shown(visible(6), y=600),  # painted first: the text is on it
        resources="/XObject<</Box 6 0 R/Scaled 7 0 R/Clipped 8 0 R/Translucent 9 0 R>>",
        objects=(
            form("1 g 0 0 200 18 re f"),
            form("1 g 0 0 100 9 re f", matrix="2 0 0 2 0 0"),
            form("1 g 0 0 200 18 re f", bbox="0 0 20 18"),
            form("/H gs 1 g 0 0 200 18 re f").replace("/Length", "/Resources<</ExtGState<</H<</ca 0.5>>>>>>/Length"),
        ),
    )
    assert "暗号" not in text, text
    assert all(line in text for line in [TITLE, *SEEN, *(visible(n) for n in range(3, 7))]), text
    assert any("读者看不到的文字" in warning for warning in warnings), warnings


def test_fills_that_together_cover_text_hide_it_and_a_slanted_or_curved_box_covers_too(tmp_path):
    parts = "40 596 50 18 re f 90 596 40 18 re f 130 596 30 18 re f"  # three quarters of the line
    text, warnings = notice(
        tmp_path,
        "合起来遮盖",
        shown(secret(1), y=700) + " q 1 g 40 696 80 18 re f 120 696 80 18 re f Q",  # P1e: two halves, two fills
        shown(secret(2), y=680) + " q 1 g 40 676 100 10 re f 40 686 100 10 re f 140 676 60 20 re f Q",
        # P1d: a white box turned by 0.5 degrees, and the same drawn as a path of lines
        shown(secret(3), y=660) + " q 0.99996 0.00873 -0.00873 0.99996 40 650 cm 1 g 0 0 200 30 re f Q",
        shown(secret(4), y=640) + " q 1 g 40 632 m 240 634 l 240 656 l 40 654 l h f Q",
        shown(secret(5), y=620) + " q 1 g 30 612 m 130 604 230 604 260 612 c 260 632 l 130 640 30 632 v h f Q",  # P1b
        shown(visible(6), y=600) + " q 1 g " + parts + " Q",  # three boxes, three quarters of the line
        shown(visible(7), y=560) + " q 1 g 40 556 80 18 re f Q q /H gs 1 g 120 556 80 18 re f Q",  # one half only
        shown(visible(8), y=540) + " q 1 g 40 530 m 240 530 l 40 560 l h f Q",  # a triangle: half of it
        shown(visible(9), y=520) + " q 1 g 40 516 200 18 re 60 518 100 10 re f* Q",  # even-odd: a hole
        shown(visible(10), y=500) + " q 0.7071 0.7071 -0.7071 0.7071 140 470 cm 1 g 0 0 40 40 re f Q",  # a diamond
        resources="/ExtGState<</H<</ca 0.5>>>>",
    )
    assert "暗号" not in text, text
    assert all(line in text for line in [TITLE, *SEEN, *(visible(n) for n in range(6, 11))]), text
    assert any("读者看不到的文字" in warning for warning in warnings), warnings


_SHADING = "<</ShadingType 2/ColorSpace/DeviceGray/Coords[40 0 240 0]/Function<</FunctionType 2/Domain[0 1]/C0[1]/C1[1]/N 1>>{extend}>>"


def test_a_shading_or_an_annotation_shown_over_text_hides_it(tmp_path):
    clip = "q {x} {y} 200 18 re W n {state} /{name} sh Q"
    square = "<</Type/Annot/Subtype/Square/Rect[40 {y} 240 {top}]/F {flags}/AP<</N 8 0 R>>>>"
    text, warnings = notice(
        tmp_path,
        "渐变批注",
        shown(secret(1), y=700) + " " + clip.format(x=40, y=696, state="", name="Even"),  # P1c
        shown(visible(2), y=680) + " " + clip.format(x=40, y=676, state="", name="Axis"),  # not extended
        shown(visible(3), y=660) + " " + clip.format(x=40, y=656, state="/H gs", name="Even"),  # translucent
        shown(visible(4), y=640) + " " + clip.format(x=300, y=636, state="", name="Even"),  # beside it
        shown(secret(5), y=620),  # P1h: under an annotation's white box
        shown(visible(6), y=600),  # under a hidden annotation's box
        shown(visible(7), y=580),  # under an annotation that shows an outline only
        resources="/ExtGState<</H<</ca 0.5>>>>/Shading<</Even 6 0 R/Axis 7 0 R>>",
        page="/Annots[9 0 R 10 0 R 11 0 R]",
        objects=(
            _SHADING.format(extend="/Extend[true true]"),
            _SHADING.format(extend=""),
            form("1 g 0 0 200 20 re f", bbox="0 0 200 20"),
            square.format(y=616, top=636, flags=4),
            square.format(y=596, top=616, flags=6),
            "<</Type/Annot/Subtype/Square/Rect[40 576 240 596]/F 4/AP<</N 12 0 R>>>>",
            form("0 G 1 1 198 18 re S", bbox="0 0 200 20"),
        ),
    )
    assert "暗号" not in text, text
    assert all(line in text for line in [TITLE, *SEEN, *(visible(n) for n in (2, 3, 4, 6, 7))]), text
    assert any("读者看不到的文字" in warning for warning in warnings), warnings


def test_a_table_with_cell_backgrounds_a_logo_and_a_watermark_keeps_its_text(tmp_path):
    cells = " ".join(f"q 0.9 g {40 + 100 * i} 696 100 18 re f Q" for i in range(3))  # drawn before the text
    text, warnings = notice(
        tmp_path,
        "正常表格",
        cells + " " + shown(visible(1), y=700),
        "q 1 0 0 1 300 670 cm /Logo Do Q " + shown(visible(2), y=680),  # a logo form beside the line
        shown(visible(3), y=660) + " q /W gs 0.5 g 40 650 m 240 670 l 240 680 l 40 660 l h f Q",  # a faint watermark
        shown(visible(4), y=640) + " q 0 G 0.5 w 40 636 200 18 re S 140 636 m 140 654 l S Q",  # cell borders
        resources="/XObject<</Logo 6 0 R>>/ExtGState<</W<</ca 0.2>>>>",
        objects=(form("0 0 1 rg 0 0 m 40 0 l 20 30 l h f 1 g 5 5 30 10 re f", bbox="0 0 40 40"),),
    )
    assert text.count("可见的规定") == 4, text
    assert all(line in text for line in [TITLE, *SEEN, *(visible(n) for n in range(1, 5))]), text
    assert warnings == [], warnings


def image(pixels: str, space: str = "DeviceGray", width: int = 2) -> str:
    """A one-row image, its pixels in hexadecimal."""
    data = pixels + ">"
    return (
        f"<</Type/XObject/Subtype/Image/Width {width}/Height 1/ColorSpace/{space}/BitsPerComponent 8"
        f"/Filter/ASCIIHexDecode/Length {len(data)}>>stream\n{data}\nendstream"
    )


def test_white_text_on_an_image_all_white_is_not_stored_and_on_other_images_it_is(tmp_path):
    drawn = "q 200 0 0 18 40 {y} cm /{name} Do Q 1 g "
    text, warnings = notice(
        tmp_path,
        "白图白字",
        drawn.format(y=696, name="White") + shown(secret(1), y=700),  # P1g: white on white pixels
        drawn.format(y=676, name="Black") + shown(visible(2), y=680) + " 0 g",  # white on black pixels
        drawn.format(y=656, name="Two") + shown(visible(3), y=660) + " 0 g",  # white on a black-and-white image
        drawn.format(y=636, name="Red") + shown(visible(4), y=640) + " 0 g",  # white on red
        resources="/XObject<</White 6 0 R/Black 7 0 R/Two 8 0 R/Red 9 0 R>>",
        objects=(image("FFFF"), image("0000"), image("00FF"), image("FF0000FF0000", "DeviceRGB")),
    )
    assert "暗号" not in text, text
    assert all(line in text for line in [TITLE, *SEEN, *(visible(n) for n in range(2, 5))]), text
    assert any("读者看不到的文字" in warning for warning in warnings), warnings


def test_a_pdf_encrypted_by_a_handler_pypdf_does_not_know_is_called_encrypted_not_damaged(tmp_path):
    """rt11 N2d: /Encrypt naming /Filter /FooSec was reported as a damaged file."""
    path = tmp_path / "未知加密.pdf"
    path.write_bytes(
        raw_pdf(shown(SEEN[0])).replace(
            b"/Root 1 0 R>>", b"/Root 1 0 R/Encrypt<</Filter/FooSec/V 9/R 9/Length 40>>/ID[<01><01>]>>"
        )
    )
    with pytest.raises(UnreadableFile, match="PDF 已加密"):
        load_file(path)
