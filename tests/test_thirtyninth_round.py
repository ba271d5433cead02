"""Hostile round 39 (issue 16). Encodings left from round 38, each read as the text it was written as:

- Chinese saved in Shift-JIS (Japanese Windows' encoding, whose kanji hold the traditional characters) was read as GBK
  and stored as rare characters (戞堦瀶 for 第一條), with no word; it is read as Shift-JIS, and the user is told so and
  how many characters the encoding could not hold (saved as “?”).
- A GBK or UTF-8 file widened byte by byte (a NUL after or before each byte, as a faulty conversion leaves it) was read
  as UTF-16 of Latin-1 letters (µÚÒ»Ìõ for 第一条) or called binary; its bytes without the NULs are read, with a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import invoke, isolated_settings

from ingest.encoding import decode_bytes
from ingest.errors import collecting_warnings

TRADITIONAL = (
    "第一條 為了加強安全生產工作，防止和減少生產安全事故，保障人民群眾生命和財產安全，制定本條例。\n"
    "第二條 在本市行政區域內從事生產經營活動的單位的安全生產，適用本條例。\n"
    "第三條 生產經營單位應當建立健全全員安全生產責任制。\n"
)
# every character one Shift-JIS holds (it has no 產, 眾 or 內: Japanese writes 産, 衆, 内)
IN_SHIFT_JIS = (
    "第一條 為了加強安全管理工作，防止和減少事故，保障人民群衆生命和財物安全，制定本條例。\n"
    "第二條 在本市行政區域内從事經營活動的單位，適用本條例。\n"
    "第三條 經營單位應當建立健全全員安全責任制。\n"
)
SIMPLIFIED = (
    "第一条 为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，制定本条例。\n"
    "第二条 生产经营单位应当建立健全全员安全生产责任制和安全生产规章制度。\n"
    "第三条 从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员。\n"
)


def _read(data: bytes) -> tuple[str, list[str]]:
    with collecting_warnings([]) as warnings:
        return decode_bytes(data, Path("条例.txt")), warnings


def test_chinese_saved_in_shift_jis_is_read_as_shift_jis_and_told():
    text, warnings = _read(IN_SHIFT_JIS.encode("cp932"))
    assert text == IN_SHIFT_JIS
    assert any("Shift-JIS" in w and "中文" in w for w in warnings), warnings


def test_characters_shift_jis_could_not_hold_are_counted_for_the_user():
    # 產 and 眾 have no Shift-JIS code: a program saving the text so writes “?” for each
    text, warnings = _read(TRADITIONAL.encode("cp932", errors="replace"))
    assert text.startswith("第一條 為了加強安全生?工作")
    lost = sum(1 for ch in TRADITIONAL if not ch.encode("cp932", errors="ignore"))
    assert any(f"{lost} 处“?”" in w for w in warnings), warnings


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5"])
def test_gbk_and_big5_text_is_never_taken_for_shift_jis(encoding):
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    for line in source.splitlines():
        text, warnings = _read(line.encode(encoding))
        assert text == line and not any("Shift-JIS" in w for w in warnings), (line, warnings)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "big5"])
@pytest.mark.parametrize("nul_first", [False, True])
def test_a_file_with_a_nul_beside_every_byte_is_read_without_them(encoding, nul_first):
    source = TRADITIONAL if encoding == "big5" else SIMPLIFIED
    data = bytes(b for byte in source.encode(encoding) for b in ((0, byte) if nul_first else (byte, 0)))
    text, warnings = _read(data)
    assert text == source
    assert any("空字节" in w for w in warnings), warnings


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_of_a_western_text_is_not_narrowed(encoding):
    western = "Sécurité au travail : règles générales applicables à l'entreprise.\n" * 5
    text, warnings = _read(western.encode(encoding))
    assert text == western and not any("空字节" in w for w in warnings)


def test_a_widened_gbk_law_is_imported_with_its_articles(tmp_path):
    from ingest.pipeline import ingest

    law = "# 青山市加宽编码安全规定\n\n" + SIMPLIFIED
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "加宽规定.txt").write_bytes(bytes(b for byte in law.encode("gbk") for b in (byte, 0)))
    settings = isolated_settings(tmp_path / "data")
    (result,) = ingest([folder], settings).results
    assert result.status == "added", result
    shown = invoke(settings, "show", "青山市加宽编码安全规定", "3")
    assert shown.exit_code == 0 and "从业人员超过一百人的" in shown.output, shown.output
