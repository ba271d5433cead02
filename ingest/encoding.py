"""Decode text files: UTF-8 (with or without BOM), UTF-16 and UTF-32 (with or without BOM), GB18030/GBK and
Big5, or a file mixing UTF-8 lines with GBK/Big5 lines; Japanese text (Shift-JIS, EUC-JP) is read as Japanese,
never as GBK mojibake, and so is Chinese saved in Shift-JIS; a file widened with a NUL beside each byte is read
without them. A BOM is a claim checked against the bytes: a UTF-8 BOM before a GBK body reads as GBK.
A few broken bytes in an otherwise readable file are replaced
(U+FFFD) and reported as a warning, rather than the whole file refused. Also: file names that are not
valid UTF-8 (GBK names unpacked from Windows archives) shown as the text they were meant to be."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from ingest.cleaning import to_simplified
from ingest.errors import EmptyDocument, UnreadableFile, warn

_CANDIDATES = ["utf_8", "gb18030", "big5"]


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.05


def _printable_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return 1 - bad / len(sample)


def han_count(text: str) -> int:
    """The Chinese characters (CJK unified ideographs: the common block and the extensions beyond the BMP, rare
    characters of names and places) in a text."""
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003ffff")


def _plausible_share(text: str) -> float:
    """Share of the characters a Chinese or Western text is made of (ASCII, CJK ideographs of every plane,
    CJK and full-width punctuation, common symbols and emoji): near 1 for real text, far lower for bytes read in
    the wrong encoding."""
    sample = text[:20000]
    if not sample:
        return 0.0
    good = sum(1 for ch in sample if ch in "\t\n\r\f" or any(lo <= ord(ch) <= hi for lo, hi in _PLAUSIBLE))
    return good / len(sample)


_PLAUSIBLE = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x2000, 0x206F),
    (0x2100, 0x27BF),
    (0x3000, 0x303F),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFE00, 0xFE0F),  # variation selectors (an emoji's presentation)
    (0xFF00, 0xFFEF),
    (0x1F000, 0x1FAFF),  # emoji, enclosed and pictographic symbols
    (0x20000, 0x3FFFF),  # CJK ideographs beyond the BMP (extensions B to H: rare names and place names)
    (0xE0100, 0xE01EF),  # ideographic variation selectors
)


def _lines_of(text: str, char: str, limit: int = 5) -> str:
    """The line numbers (1-based) holding char, the first few."""
    numbers = [str(n) for n, line in enumerate(text.split("\n"), start=1) if char in line]
    return "、".join(numbers[:limit]) + (f" 等 {len(numbers)} 行" if len(numbers) > limit else " 行")


def _warn_replaced(text: str, encoding: str) -> str:
    bad = text.count(_REPLACEMENT)
    if bad:
        warn(
            f"文件中有 {bad} 处字节不是有效的 {encoding} 编码（第 {_lines_of(text, _REPLACEMENT)}），"
            f"已替换为“{_REPLACEMENT}”；"
            "其余内容已正常读取，请核对原文这几处"
        )
    return _tidy(text)


_REPLACEMENT = "\ufffd"
_EDGE_REPLACEMENT = re.compile(r"^([ \t\u3000]*)\ufffd+|\ufffd+(?=\r?$)", re.M)


def _tidy(text: str) -> str:
    """A broken byte at the start or end of a line is dropped: at the start it would hide the line's
    structure (第三条 is an article only at the start of a line). Inside a line it stays, as U+FFFD."""
    return _EDGE_REPLACEMENT.sub(lambda match: match.group(1) or "", text) if _REPLACEMENT in text else text


def _utf16_by_nul_pattern(data: bytes) -> list[str]:
    """The byte orders to try for UTF-16 without a BOM, most likely first: its ASCII characters (newlines,
    digits, spaces) have a NUL byte on the same side of each pair, the odd bytes for little-endian and the
    even ones for big-endian (a CJK character such as U+4E00 一 may put one on the other side)."""
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if even + odd < 2 or min(even, odd) > max(even, odd) // 2:
        return []
    return ["utf-16-le", "utf-16-be"] if odd > even else ["utf-16-be", "utf-16-le"]


def _read_utf16(data: bytes, encoding: str) -> str | None:
    """The text when data reads as UTF-16 text in this encoding (a few bad pairs replaced), else None."""
    body = data[: len(data) - len(data) % 2] if encoding != "utf-16" else data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        text = body.decode(encoding, errors="replace")
    if encoding == "utf-16" and text.startswith("\ufeff"):
        text = text[1:]
    if _plausible_share(text) < 0.9 or text.count(_REPLACEMENT) > max(8, len(text) // 1000):
        return None
    return text


def _narrowed(data: bytes, path: Path) -> str | None:
    """The text of a file in an 8-bit encoding widened to 16 bits byte by byte (a NUL after or before each byte, as a
    faulty conversion leaves a GBK or UTF-8 file; read as UTF-16 it gave Latin-1 letters, µÚÒ»Ìõ for 第一条): its bytes
    without the NULs, when they read as Chinese; else None (UTF-16 of a Western text stays as it is)."""
    for side in (1, 0):
        # the head first: a file of text has no NUL on either side there, and is not sliced whole
        if data[side:8192:2].strip(b"\x00") or data[side::2].strip(b"\x00"):
            continue
        rest = data[1 - side :: 2]
        if rest.isascii():
            return None
        try:
            text = _decode(rest, path)
        except (UnreadableFile, EmptyDocument):
            return None
        if han_count(text[:20000]) < 10 or _common_share(text[:20000]) < _COMMON_SHARE_MIN:
            return None
        warn(
            "文件的每个字节旁都多了一个空字节（NUL，常见于转换出错的文件），已去掉后读取；"
            "请抽查内容是否正常，建议另存为 UTF-8"
        )
        return text
    return None


def _utf16_cjk(data: bytes) -> str | None:
    """UTF-16 of Chinese text with little or no ASCII (so few or no NUL bytes to tell it by): accepted only
    when one byte order reads as clean, mostly CJK text; GBK, Big5 or binary data read as UTF-16 gives
    surrogates, Hangul and private-use characters."""
    if len(data) % 2 or len(data) < 8:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_share(text) >= 0.97 and han_count(text[:20000]) >= 0.5 * len(text[:20000].strip()):
            return text
    return None


def _looks_legacy(line: bytes) -> bool:
    """A line that is not UTF-8 at all (GBK, Big5), rather than a UTF-8 line with a few broken bytes."""
    text = line.decode("utf-8", errors="replace")
    bad = text.count(_REPLACEMENT)
    good = sum(1 for ch in text if ord(ch) >= 0x80 and ch != _REPLACEMENT)
    return bad >= 2 and bad > good


def from_bytes(data: bytes, **options):
    """charset_normalizer.from_bytes, imported when a file first needs it: the command line imports this module at
    every start (`anquan --help` included), charset_normalizer takes a twentieth of a second to import."""
    from charset_normalizer import from_bytes as detect

    return detect(data, **options)


def _legacy_encoding(data: bytes) -> str:
    """GB18030 or Big5 for the non-UTF-8 parts of a file, by charset_normalizer's reading of them; a tie
    (a short text that reads either way) goes to GB18030."""
    matches = list(from_bytes(data, cp_isolation=["gb18030", "big5"]))
    if not matches:
        return "gb18030"
    best = matches[0]
    gb = next((m for m in matches if m.encoding == "gb18030"), None)
    if gb is not None and gb.chaos <= best.chaos and gb.coherence >= best.coherence:
        return "gb18030"
    return best.encoding


@lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """The 3,755 characters of GB 2312's first level: the common ones of written Chinese (in simplified form)."""
    return frozenset(
        ch
        for hi in range(0xB0, 0xD8)
        for lo in range(0xA1, 0xFF)
        if len(ch := bytes((hi, lo)).decode("gb2312", errors="ignore")) == 1
    )


def _common_share(text: str) -> float:
    """Share of a text's Chinese characters (read as simplified) that are common ones: near 1 for text read in its
    own encoding, far lower for Big5 bytes read as GBK (rare characters, private use) or the other way round."""
    han = [ch for ch in to_simplified(text) if "\u4e00" <= ch <= "\u9fff" or "\ue000" <= ch <= "\uf8ff"]
    return sum(ch in _common_characters() for ch in han) / len(han) if han else 0.0


def _decode_lines(data: bytes) -> str | None:
    """A file most of whose lines are UTF-8 but not all: each other line read in the encoding it was written
    in (a file pasted together from UTF-8 and GBK or Big5 parts), or, when it is a UTF-8 line with a few
    broken bytes, as UTF-8 with those bytes replaced and a warning. None unless a good share of the lines
    are clearly UTF-8."""
    lines = data.split(b"\n")
    utf8_lines, failing = 0, []
    for n, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            if han_count(line.decode("utf-8")) >= 3:
                utf8_lines += 1
        except UnicodeDecodeError:
            failing.append(n)
    legacy = {n for n in failing if _looks_legacy(lines[n])}
    if not utf8_lines or utf8_lines < 0.2 * (utf8_lines + len(legacy)):
        return None
    encoding = _legacy_encoding(b"\n".join(lines[n] for n in sorted(legacy))) if legacy else "gb18030"
    other = "big5" if encoding == "gb18030" else "gb18030"
    # each legacy line in the encoding that reads it as common Chinese (a file may hold GBK and Big5 parts both);
    # a line that reads alike either way, in the encoding of the legacy lines together
    run_encoding: dict[int, str] = {}
    for n in legacy:
        readings = {e: _strict(lines[n], e) for e in (encoding, other)}
        run_encoding[n] = max(
            readings, key=lambda e: (readings[e] is not None, _common_share(readings[e] or ""), e == encoding)
        )
    out: list[str] = []
    broken: list[int] = []
    for n, line in enumerate(lines):
        if n in legacy:
            chosen = run_encoding[n]
            text = _strict(line, chosen) or _strict(line, other if chosen == encoding else encoding)
            if text is None:
                text = line.decode(chosen, errors="replace")
                broken.append(n + 1)
        else:
            text = line.decode("utf-8", errors="replace")
            if _REPLACEMENT in text:
                broken.append(n + 1)
        out.append(text)
    if legacy:
        used = "与".join(_NAMES.get(e, e) for e in dict.fromkeys(run_encoding[n] for n in sorted(legacy)))
        warn(f"文件混合了 UTF-8 与 {used} 编码的段落，已逐行识别；请抽查这些段落（如第 {min(legacy) + 1} 行）是否正常")
    if broken:
        shown = "、".join(str(n) for n in broken[:5]) + (f" 等 {len(broken)} " if len(broken) > 5 else " ")
        bad = sum(t.count(_REPLACEMENT) for t in out)
        warn(
            f"文件中有 {bad} 处字节不是有效的 UTF-8 编码（第 {shown}行），已替换为“{_REPLACEMENT}”；"
            "其余内容已正常读取，请核对原文这几处"
        )
    return _tidy("\n".join(out))


_NAMES = {"gb18030": "GBK/GB18030", "big5": "Big5"}


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _utf32(data: bytes) -> str | None:
    """UTF-32 without a BOM: a byte order that decodes the whole file (no code point above U+10FFFF, which
    other data almost always gives) into plausible text."""
    if len(data) % 4 or len(data) < 8:
        return None
    for encoding in ("utf-32-le", "utf-32-be"):
        text = _strict(data, encoding)
        if text is not None and _plausible_share(text) >= 0.9:
            return text
    return None


_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fd-\u30ff]")
_JAPANESE = {"cp932": "Shift-JIS", "euc_jp": "EUC-JP"}


def _japanese(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) when a Japanese encoding reads the file whole and the text is Japanese: kana are
    at least 15% of its letters. Chinese text has next to none (GBK or Big5 bytes read as Shift-JIS give kanji
    and half-width katakana, as EUC-JP only the kana the GBK text itself holds), and Japanese bytes read as
    GBK give mojibake hanzi."""
    best: tuple[float, str, str] | None = None
    for encoding, name in _JAPANESE.items():
        text = _strict(data, encoding)
        if text is None:
            continue
        sample = text[:20000]
        kana = len(_KANA.findall(sample))
        letters = kana + han_count(sample)
        if kana >= 3 and kana >= 0.15 * letters and (best is None or kana / letters > best[0]):
            best = (kana / letters, text, name)
    return (best[1], best[2]) if best else None


_SHIFT_JIS_CHINESE = "Shift-JIS（中文）"
_LOST_IN_SHIFT_JIS = re.compile(r"(?<=[\u4e00-\u9fff])\?|\?(?=[\u4e00-\u9fff])")  # a ? beside a character
_COMMON_SHARE_MIN = 0.9  # a reading whose Chinese characters are at least this share common ones reads as Chinese
_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]")


def _chinese_in_shift_jis(data: bytes) -> str | None:
    """Chinese saved in Shift-JIS (Japanese Windows' encoding, whose kanji hold most traditional characters), which
    GBK and Big5 read as rare characters (戞堦瀶 for 第一條): the file reads whole as Shift-JIS, holds no half-width
    katakana (what GBK or Big5 bytes read as Shift-JIS mostly give) and few kana (Japanese is read before this), and
    its characters are common Chinese ones where neither GBK's nor Big5's are."""
    text = _strict(data, "cp932")
    if text is None:
        return None
    sample = text[:20000]
    if _HALF_WIDTH_KANA.search(sample) or han_count(sample) < 10 or _common_share(sample) < _COMMON_SHARE_MIN:
        return None
    legacy = max(_common_share(data[:40000].decode(e, errors="replace")) for e in _NAMES)
    return text if legacy < _COMMON_SHARE_MIN else None


def _utf8_bom(body: bytes, path: Path) -> str:
    """The text after a UTF-8 BOM: UTF-8 (or mostly UTF-8, a few bad bytes replaced); a body in another
    encoding (a GBK file saved with a UTF-8 BOM by a careless tool) is read as that encoding, with a note."""
    text = _strict(body, "utf-8")
    if text is None:
        text = _decode_lines(body)
    if text is not None:
        return text
    replaced = body.decode("utf-8", errors="replace")
    if replaced.count(_REPLACEMENT) <= max(4, len(replaced) // 1000):
        return _warn_replaced(replaced, "UTF-8")
    try:
        text, encoding = _detect(body, path)
    except UnreadableFile:
        raise UnreadableFile(
            path,
            "文件开头标明是 UTF-8 编码，但内容既不是有效的 UTF-8，也不是能识别的其他编码；"
            "请用记事本打开确认，另存为 UTF-8 后重新导入",
        ) from None
    warn(f"文件开头标明是 UTF-8，但内容是 {encoding} 编码，已按 {encoding} 读取；请抽查内容是否正常")
    return text


def decode_bytes(data: bytes, path: Path) -> str:
    """Return the text of a file, or raise an error naming the file and the reason. Text that still holds
    escape or shift bytes (ESC, SO, SI) is refused: an encoding not recognised (ISO-2022-CN) or terminal
    control sequences, which would be stored as garbage and written raw to a terminal by search. Other stray
    control characters (NUL, BEL) are removed, with a warning."""
    text = _decode(data, path)
    if (match := _ESCAPES.search(text)) is not None:
        raise UnreadableFile(
            path,
            f"文件“{readable_name(path.name)}”第 {text.count(chr(10), 0, match.start()) + 1} 行含有控制字符 "
            f"{escape_controls(match.group())}，可能是无法识别的旧式编码（如 ISO-2022-CN），"
            "或夹带了终端控制序列；已拒绝导入，请用记事本打开确认，另存为 UTF-8 后重新导入",
        )
    text = text.rstrip("\x1a")  # a DOS end-of-file mark
    if stray := _CONTROL_TEXT.findall(text):  # a stray NUL or BEL in a scraped page: not a reason to refuse it
        warn(f"文件中有 {len(stray)} 个控制字符（如 {escape_controls(stray[0])}），已删除；请抽查内容是否正常")
        text = _CONTROL_TEXT.sub("", text)
    return text


# control characters no text holds (tab, line feed, vertical tab, form feed, carriage return and DOS's
# end-of-file mark at the very end aside)
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# escape and shift bytes: an encoding not recognised (ISO-2022-CN) or terminal control sequences
_ESCAPES = re.compile(r"[\x0e\x0f\x1b]")
# what a name or a text must not write raw to a terminal: C0 and C1 controls and DEL, and the bidirectional
# controls (marks U+061C, U+200E/U+200F, embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069), which
# reorder what is shown: “通知\u202egpj.exe\u202c.md” reads as 通知exe.jpg.md
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# and in a name, the line and paragraph separators U+2028/U+2029, which break the line it is printed on
_CONTROL_CHARS = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_CONTROL_CHARS_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")  # line feeds and tabs kept


def escape_controls_in(value: object) -> object:
    """A JSON value (an API's answer, a --json output) with every string escaped as escape_controls(keep_lines=True)
    escapes it, keys included: a client pasting the answer into a document gets 青山市通知\\u202egpj.exe, as the web
    and the command line show it, not a title that reads reversed."""
    if isinstance(value, str):
        return escape_controls(value, keep_lines=True)
    if isinstance(value, dict):
        return {escape_controls_in(k): escape_controls_in(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_controls_in(v) for v in value]
    return value


def has_control_chars(text: str) -> bool:
    return _CONTROL_CHARS.search(text) is not None


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str, keep_lines: bool = False) -> str:
    """Control and bidirectional-control characters shown as \\x1b or \\u202e, so that a name or a text never
    drives the terminal it is printed to nor reorders what it shows. keep_lines keeps line feeds and tabs (a
    document's text, a message of several lines); a name has none."""
    return (_CONTROL_CHARS_IN_TEXT if keep_lines else _CONTROL_CHARS).sub(_escaped, text)


# what a title may hold that shows nothing or only marks the character before it: a control or direction mark as
# escape_controls wrote it (\u202e, \x07), a format character (zero-width space, soft hyphen), a combining mark
# (安全生\u0301产法 prints as 安全生́产法)
_ESCAPED_UNSEEN = re.compile(r"\\(?:x[0-9a-f]{2}|u(?:061c|200[b-f]|202[a-e]|206[0-9]|2028|2029|feff))")


def marks_removed(text: str) -> str:
    """The text without what shows nothing or only marks the character before it (see _ESCAPED_UNSEEN): a title
    written so reads as the title it shows, for its legal form and the versions it is one of."""
    text = _ESCAPED_UNSEEN.sub("", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))


_SEVEN_BIT_LETTERS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]")
_UTF7_RUN = re.compile(rb"\+[A-Za-z0-9+/]{3,}")


def _seven_bit(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) for a pure-ASCII file in a 7-bit encoding of CJK text: ISO-2022-JP/-KR (ESC
    sequences), HZ (~{ ... ~}) or UTF-7 (+...-), when the codec reads it strictly and what it decodes is
    mostly CJK, kana or Hangul. None for anything else (plain ASCII text stays as it is)."""
    if not data.isascii():
        return None
    candidates: list[tuple[str, str]] = []
    if b"\x1b" in data:
        candidates += [
            ("iso2022_jp", "ISO-2022-JP"),
            ("iso2022_jp_2", "ISO-2022-JP"),
            ("iso2022_jp_ext", "ISO-2022-JP"),
            ("iso2022_kr", "ISO-2022-KR"),
        ]
    if b"~{" in data:
        candidates.append(("hz", "HZ"))
    if b"+" in data and _UTF7_RUN.search(data):
        candidates.append(("utf_7", "UTF-7"))
    for codec, name in candidates:
        text = _strict(data, codec)
        if text is None or _CONTROL_TEXT.search(text):
            continue
        decoded = sum(1 for ch in text[:20000] if ord(ch) >= 0x80)
        letters = len(_SEVEN_BIT_LETTERS.findall(text[:20000]))
        # UTF-7 may read a stray "+abc" of an ASCII text as one odd character: ask for more there
        enough = 4 if codec == "utf_7" else 2
        if letters >= enough and letters >= 0.6 * decoded and _REPLACEMENT not in text:
            return text, name
    return None


_KOREAN = "EUC-KR"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# the syllables most frequent in Korean text (particles, endings, common Sino-Korean words): most of a Korean
# text; Chinese GB2312 bytes read as EUC-KR give Hangul syllables spread over all 2,350 of the set
_COMMON_KOREAN = frozenset(
    "이다는의에하고을를가로한지기서사리자어도정수인대아나시있해여들게그보적전으것국주상부일"
    "제관과장라위만요면니원소회동내구성경문우안학되없스생방치세미실비계등화개법무신조까했할"
    "은와및며또된함업규칙야용거발행진에서받시행령항호목당단체명중급작근로건강교육검점확인"
)


def _korean(data: bytes) -> str | None:
    """Korean text in EUC-KR (or its extension CP949), which GBK would read as rare-looking hanzi: the file
    reads whole as EUC-KR, its letters are Hangul, and most of those are the common syllables."""
    for encoding in ("euc_kr", "cp949"):
        text = _strict(data, encoding)
        if text is None:
            continue
        sample = text[:20000]
        hangul = _HANGUL.findall(sample)
        if len(hangul) < 10 or len(hangul) < 0.8 * (len(hangul) + han_count(sample)):
            return None
        # Chinese laws read this way: at most 47% common syllables in any 10 to 19, 26% in 50 or more
        common = sum(1 for ch in hangul if ch in _COMMON_KOREAN)
        return text if common >= 0.5 * len(hangul) else None
    return None


# what a file given under a text file's name (renamed, or saved with the wrong extension) may really be, by how its
# bytes begin: (signature, what it is, what to do). Named, rather than its markup or bytes imported as text (RTF is
# plain ASCII, a PDF may be) or called binary.
_OTHER_FORMATS = (
    (b"{\\rtf", "RTF 富文本文件", "请用 Word 打开，另存为 .docx 后再导入"),
    (b"%PDF-", "PDF 文件", "请把扩展名改为 .pdf 后再导入"),
    (bytes.fromhex("d0cf11e0a1b11ae1"), "旧版 Office 文档（如 .doc）", "请用 Word 打开，另存为 .docx 后再导入"),
    (b"\x89PNG", "PNG 图片", "图片中的文字无法导入，请导入文字版的文档（如 Word 或 PDF）"),
    (b"\xff\xd8\xff", "JPEG 图片", "图片中的文字无法导入，请导入文字版的文档（如 Word 或 PDF）"),
    (b"GIF8", "GIF 图片", "图片中的文字无法导入，请导入文字版的文档（如 Word 或 PDF）"),
)
# a zip package (PK, then a local file header): which one, by the part names it holds
_ZIP_SIGNATURE = b"PK\x03\x04"
_ZIP_FORMATS = (
    (b"word/document", "Word 文档", "请把扩展名改为 .docx 后再导入"),
    (b"xl/workbook", "Excel 表格", "请把需要的内容复制到 Word 文档中，另存为 .docx 后再导入"),
    (b"ppt/presentation", "PowerPoint 演示文稿", "请把需要的内容复制到 Word 文档中，另存为 .docx 后再导入"),
    (b"application/vnd.oasis.opendocument", "OpenDocument 文档", "请用 WPS 或 Word 打开，另存为 .docx 后再导入"),
)
_ZIP_OTHER = ("压缩包", "请解压后导入其中的文档")


def other_format(data: bytes) -> tuple[str, str] | None:
    """(what it is, what to do) when data begins as a known format that is not text (RTF, PDF, a zip package such
    as a .docx, an old Office file, an image), else None."""
    head = data[:64].removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if head.startswith(_ZIP_SIGNATURE):
        return next(((name, todo) for mark, name, todo in _ZIP_FORMATS if mark in data), _ZIP_OTHER)
    return next(((name, todo) for mark, name, todo in _OTHER_FORMATS if head.startswith(mark)), None)


# a web page under another name: an HTML file saved as .txt (its markup was read as the law's text, no article found:
# it is read as HTML now; under .docx it is told to rename), and a page a browser saved as one file (MHTML: MIME
# headers, then the page in quoted-printable =E7=AC=AC…)
_WEB_PAGE = re.compile(rb"\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_MHTML = re.compile(rb"(?:(?:from|subject|date|snapshot-content-location):[^\n]*\n)*mime-version:", re.IGNORECASE)
_READ_AS_TEXT = frozenset([".html", ".htm", ".txt", ".md", ".markdown"])  # an HTML page under these is read as one


def is_web_page(data: bytes) -> bool:
    """Whether data begins as an HTML page does (<!DOCTYPE html>, <html>)."""
    return bool(_WEB_PAGE.match(data[:2048].removeprefix(codecs.BOM_UTF8)))


def web_page(data: bytes, suffix: str) -> tuple[str, str] | None:
    """(what it is, what to do) when data is a web page saved as one file (MHTML), or an HTML page given under a file
    type that is not read as text (.docx), else None. (An HTML page saved as .txt or .md is read as the page it is.)"""
    head = data[:2048].removeprefix(codecs.BOM_UTF8)
    if _MHTML.match(head.lstrip()) and b"multipart/related" in head.lower():
        return "MHTML 单文件网页", "请在浏览器中打开，另存为“网页，仅 HTML”后再导入"
    if suffix.lower() not in _READ_AS_TEXT and is_web_page(head):
        return "HTML 网页", "请把扩展名改为 .html 后再导入"
    return None


def renamed(other: tuple[str, str], suffix: str) -> str:
    """Why a file of another type under this file type's name is not read: what it is, and what to do."""
    name, todo = other
    space = " " if name[0].isascii() else ""
    return f"这是{space}{name}（扩展名是 {suffix or '无'}），{todo}"


_BOMS = frozenset([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE])


def _decode(data: bytes, path: Path) -> str:
    if not data.strip(b" \t\r\n\x0b\x0c"):
        raise EmptyDocument(path, "文件为空，没有可入库的内容")
    if not data.strip(b" \t\r\n\x0b\x0c\x00"):  # all NUL: no text in any encoding (told 文件为空)
        raise UnreadableFile(path, nul_reason(data))
    if data in _BOMS:  # an empty document Notepad saved as Unicode: told 不是有效的 UTF-16 文本（可能已损坏）
        raise EmptyDocument(path, "文件为空（只有开头的编码标记），没有可入库的内容")
    if (other := other_format(data) or web_page(data, path.suffix)) is not None:
        raise UnreadableFile(path, renamed(other, path.suffix))
    if data.startswith(codecs.BOM_UTF8):
        return _utf8_bom(data[len(codecs.BOM_UTF8) :], path)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 opens both
        text = _strict(data, "utf-32")
        if text is not None and _plausible_share(text) >= 0.9:
            return text.removeprefix("\ufeff")
        if not data.startswith(codecs.BOM_UTF16_LE) or (text := _read_utf16(data, "utf-16")) is None:
            raise UnreadableFile(
                path,
                "文件开头标明是 UTF-32 编码，但内容不是有效的 UTF-32 文本（可能已损坏，或并非文本文件）；"
                "请用记事本打开确认，另存为 UTF-8 后重新导入",
            )
        return _warn_replaced(text, "UTF-16")  # UTF-16 whose first character is U+0000
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _read_utf16(data, "utf-16")
        if text is None:
            raise UnreadableFile(
                path,
                "文件开头标明是 UTF-16 编码，但内容不是有效的 UTF-16 文本（可能已损坏，或并非文本文件）；"
                "请用记事本打开确认，另存为 UTF-8 后重新导入",
            )
        return _warn_replaced(text, "UTF-16")
    if (text := _utf32(data)) is not None:
        return text
    if (text := _narrowed(data, path)) is not None:
        return text
    for utf16 in _utf16_by_nul_pattern(data):
        if (text := _read_utf16(data, utf16)) is not None:
            return _warn_replaced(text, "UTF-16")
    if (seven_bit := _seven_bit(data)) is not None:  # before the binary test: ISO-2022-KR shifts with SO/SI
        text, encoding = seven_bit
        warn(f"文件是 {encoding} 编码（一种旧式 7 位编码），已自动转换读取；请抽查内容是否正常，建议另存为 UTF-8")
        return text
    if _looks_binary(data):
        # UTF-16 of Chinese text has bytes below 0x20 (、 is 01 30) and may have a NUL or two (U+3000)
        if (text := _utf16_cjk(data)) is not None:
            return text
        if data.isascii() and b"\x00" not in data:
            return data.decode("ascii")  # text with shift or escape bytes: decode_bytes names them
        if (text := _stray_nuls(data, path)) is not None:
            return text
        if data.count(b"\x00") * 2 > len(data):
            raise UnreadableFile(path, nul_reason(data))
        raise UnreadableFile(path, "看起来是二进制文件而不是文本（扩展名与内容不符？）请确认文件类型后重新导入")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _undo_double_encoding(text)
    utf16_text = _utf16_cjk(data)
    if utf16_text is not None:
        return utf16_text
    mixed = _decode_lines(data)
    if mixed is not None:
        return mixed
    text, encoding = _detect(data, path)
    if encoding == _SHIFT_JIS_CHINESE:
        lost = len(_LOST_IN_SHIFT_JIS.findall(text))
        warn(
            "文件是用 Shift-JIS（日文 Windows 的编码）保存的中文，已按此读取；"
            + (f"其中 {lost} 处“?”是保存时该编码没有的字（多为简体字），请对照原文补正；" if lost else "")
            + "建议另存为 UTF-8"
        )
    elif encoding in _JAPANESE.values():
        warn(f"文件是日文（{encoding} 编码），已按日文读取；本助手面向中文法规，请确认确实需要导入")
    elif encoding == _KOREAN:
        warn(f"文件是韩文（{encoding} 编码），已按韩文读取；本助手面向中文法规，请确认确实需要导入")
    return text


def _undo_double_encoding(text: str) -> str:
    """UTF-8 text encoded a second time (read as Latin-1 or Windows-1252 by one program, saved as UTF-8 again:
    青山市 shows as é’å±±å¸‚ or é\x9d\x92å±±å¸\x82) read back to what it was, with a warning. It was imported as
    that garbage without a word, its title holding control characters and every search missing it. Only a text of
    no Chinese whose every line of such characters reads back (in one of the two) as Chinese is taken so; else each
    line of no Chinese that reads back as Chinese is (a text encoded twice in part)."""
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    lines = text.split("\n")
    for encoding in ("latin-1", "cp1252") if not han_count(text) else ():
        try:
            repaired = [_sloppy(line, encoding).decode("utf-8") if not line.isascii() else line for line in lines]
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        fixed = "\n".join(repaired)
        if han_count(fixed) and _plausible_share(fixed) >= 0.95:
            warn(_TWICE_ENCODED)
            return fixed
    # a text in part so (a title typed in Chinese, or a line in English, above a body encoded twice; two files put
    # together): each line of no Chinese that reads back as Chinese is read back. It was imported as that garbage.
    repaired = [_line_read_back(line) for line in lines]
    if repaired == lines:
        return text
    warn(_TWICE_ENCODED.replace("文件中的中文", "文件中部分行的中文"))
    return "\n".join(repaired)


_TWICE_ENCODED = (
    "文件中的中文曾被错误转码（UTF-8 文字被当作西文编码再次保存，显示为“é’å±±”之类的乱码），"
    "已还原后读取；请抽查内容是否正常，最好找到原始文件重新导入"
)


def _line_read_back(line: str) -> str:
    """A line of no Chinese whose characters are UTF-8 encoded twice, read back; any other line as it is."""
    if line.isascii() or han_count(line) or not _MOJIBAKE.search(line):
        return line
    for encoding in ("latin-1", "cp1252"):
        try:
            fixed = _sloppy(line, encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if han_count(fixed) and _plausible_share(fixed) >= 0.95:
            return fixed
    return line


def _sloppy(line: str, encoding: str) -> bytes:
    """A line's bytes in an encoding, a character it lacks below U+0100 as that byte: the five bytes Windows-1252
    leaves undefined (81, 8D, 8F, 90, 9D) are read as Latin-1's controls by the programs that double-encode."""
    if encoding == "latin-1":
        return line.encode("latin-1")
    return b"".join(
        c.encode("cp1252") if ord(c) > 0xFF or c.encode("cp1252", "ignore") else bytes([ord(c)]) for c in line
    )


# two characters of Latin-1 or Windows-1252 that UTF-8's lead byte of a Chinese character (E3–E9) and a
# continuation byte (80–BF) read as
_MOJIBAKE = re.compile(
    "[\u00e3-\u00e9][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


# at most this share of a text's bytes may be stray NULs (a file padded or damaged by a program writing C strings);
# random binary data has one NUL in 256 bytes, and is told by its other control bytes (_looks_binary)
_STRAY_NUL_SHARE = 0.02


def nul_reason(data: bytes) -> str:
    """Why a file that is all or mostly NUL bytes is not imported: a copy broken off or a disk fault leaves one so
    (a file of NULs alone was told 文件为空, as if nothing had been written, and a text padded with them a binary file
    of another type)."""
    nuls = data.count(b"\x00")
    what = (
        f"文件的 {len(data):,} 个字节全是空字节（NUL），没有任何文字"
        if not data.strip(b" \t\r\n\x0b\x0c\x00")
        else f"文件的 {len(data):,} 个字节中有 {nuls:,} 个是空字节（NUL，占 {nuls * 100 // len(data)}%），"
        "不是正常的文本"
    )
    return f"{what}：不是空文件，而是已损坏或没有写完的文件（如复制中断、磁盘故障）；请找到完好的原文件后重新导入"


def _stray_nuls(data: bytes, path: Path) -> str | None:
    """The text of a file that is text but for a few stray NUL bytes (no byte of a UTF-8, GBK or Big5 character
    is NUL, so they are dropped whole: decode_bytes names how many), else None. A law with a NUL after each
    sentence was refused as a binary file. Text in UTF-16 was read before this is tried."""
    nuls = data.count(b"\x00")
    if not nuls or nuls > len(data) * _STRAY_NUL_SHARE:
        return None
    rest = data.replace(b"\x00", b"")
    if _looks_binary(rest):
        return None
    text = _decode(rest, path)
    if _printable_share(text) < 0.95:
        return None
    warn(f"文件中有 {nuls} 个空字节（NUL），已删除；请抽查内容是否正常")
    return text


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding name) of a file that is not UTF-8 or UTF-16: Japanese, GB18030/GBK or Big5 (a few
    broken bytes replaced, with a warning); UnreadableFile when no reading is clean."""
    japanese = _japanese(data)
    if japanese is not None:
        return japanese
    korean = _korean(data)
    if korean is not None:
        return korean, _KOREAN
    if (chinese := _chinese_in_shift_jis(data)) is not None:
        return chinese, _SHIFT_JIS_CHINESE
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is not None and _printable_share(text := str(best)) >= 0.95:
        if best.encoding in _NAMES:  # a short text reads either way (编号,回答 in GBK is 晤瘍,隙湘 in Big5)
            preferred = _legacy_encoding(data)
            if preferred != best.encoding and (other := _strict(data, preferred)) is not None:
                return other, _NAMES[preferred]
        return text, _NAMES.get(best.encoding, best.encoding)
    legacy = _legacy_with_stray_bytes(data)
    if legacy is not None:
        return legacy
    if best is None:
        raise UnreadableFile(
            path, "无法识别文件编码（支持 UTF-8、UTF-16、UTF-32、GB18030/GBK、Big5），请另存为 UTF-8 后重新导入"
        )
    raise UnreadableFile(
        path, f"按 {_NAMES.get(best.encoding, best.encoding)} 解码后乱码过多，请另存为 UTF-8 后重新导入"
    )


def _legacy_with_stray_bytes(data: bytes) -> tuple[str, str] | None:
    """A GBK or Big5 file with a few broken bytes (which no encoding reads whole): read with those bytes
    replaced, and a warning, in the encoding that leaves few of them; when both do, the one charset
    detection prefers on the lines both read whole. None when every reading leaves many."""
    readings = []
    for encoding in ("gb18030", "big5"):
        text = data.decode(encoding, errors="replace")
        bad = text.count(_REPLACEMENT)
        # a few bad bytes in a text that is clearly Chinese (a Western text read this way is CJK-looking noise)
        if bad <= max(4, len(text) // 1000) and _plausible_share(text) >= 0.95 and han_count(text[:20000]) >= 20:
            readings.append((bad, encoding, text))
    if not readings:
        return None
    if len(readings) > 1:  # both read with few bad bytes: decide by the lines that both read whole
        clean = b"\n".join(
            line
            for line in data.split(b"\n")
            if _strict(line, "gb18030") is not None and _strict(line, "big5") is not None
        )
        preferred = _legacy_encoding(clean)
        readings = [r for r in readings if r[1] == preferred] or readings
    _, encoding, text = readings[0]
    return _warn_replaced(text, _NAMES[encoding]), _NAMES[encoding]


# The legacy encodings a file name that is not UTF-8 is tried in, with the name said to the user: GBK (a Windows
# archive from the mainland), Big5 (from Taiwan or Hong Kong), Shift-JIS (from Japan). GB18030 reads almost any pair
# of bytes, so a Shift-JIS name read as GBK was shown as rare characters (危険物安全規則 as 婋尟暔埨慡婯懃): each
# reading is weighed by how common its characters are in its own language, and the name shown only when one reads as
# text.
NAME_ENCODINGS = {"gb18030": "GBK 编码", "big5": "Big5 编码", "cp932": "Shift-JIS 编码（日文）"}
_NAME_MIN_SCORE = 0.6  # below this no reading is taken: the name is shown with its bytes as \xNN
_PUNCTUATION_AND_FORMS = ((0x3000, 0x303F), (0xFF01, 0xFF60), (0xFFE0, 0xFFEF))


def _chinese_weight(ch: str) -> float:
    """1 for a character of GB 2312's first level (the common ones of written Chinese, after conversion to simplified
    form) or CJK punctuation, 0.5 for its second level, 0 for anything else (rarer characters, private use)."""
    if any(lo <= ord(ch) <= hi for lo, hi in _PUNCTUATION_AND_FORMS):
        return 1.0
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 0.0
    return 1.0 if len(code) == 2 and 0xB0 <= code[0] <= 0xD7 else 0.5


def _japanese_weight(ch: str) -> float:
    """1 for kana, a kanji of JIS X 0208's first level or CJK punctuation, 0.5 for its second level, 0 for anything else
    (half-width katakana too: GBK bytes read as Shift-JIS are mostly that)."""
    if "\u3041" <= ch <= "\u30ff" or any(lo <= ord(ch) <= hi for lo, hi in _PUNCTUATION_AND_FORMS):
        return 1.0
    try:
        code = ch.encode("cp932")
    except UnicodeEncodeError:
        return 0.0
    if len(code) != 2:
        return 0.0
    return 1.0 if 0x889F <= int.from_bytes(code) <= 0x9872 else 0.5 if code[0] >= 0x98 else 0.0


def _name_score(text: str, encoding: str) -> float:
    """How well a reading of a name's bytes reads as text of that encoding's language (0 to 1)."""
    letters = [ch for ch in text if ord(ch) > 0x7F]
    if not letters:
        return 0.0
    if encoding == "cp932":
        return sum(map(_japanese_weight, letters)) / len(letters)
    simplified = [ch for ch in to_simplified("".join(letters)) if ord(ch) > 0x7F]
    return sum(map(_chinese_weight, simplified)) / max(len(simplified), 1)


def name_reading(name: str) -> tuple[str, str | None]:
    """(the name as text, the encoding it was read in): (name, "UTF-8") when it is valid UTF-8; else (its bytes were
    kept as surrogate escapes) the reading in NAME_ENCODINGS that reads best as text, or, when none does, the name
    with the bytes that are not UTF-8 shown as \\xNN and None for the encoding. Control characters are shown escaped
    (see readable_name)."""
    try:
        name.encode("utf-8")
        return escape_controls(name), "UTF-8"
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    best: tuple[float, str, str] | None = None
    for encoding, said in NAME_ENCODINGS.items():  # in this order on a tie: the users' own first
        text = _strict(raw, encoding)
        if text is None or _plausible_share(_KANA.sub("一", text) if encoding == "cp932" else text) < 0.97:
            continue
        score = _name_score(text, encoding)
        if score >= _NAME_MIN_SCORE and (best is None or score > best[0]):
            best = (score, text, said)
    if best is not None:
        return escape_controls(best[1]), best[2]
    return escape_controls(raw.decode("utf-8", errors="backslashreplace")), None


def readable_name(name: str) -> str:
    """A file or folder name as text that can be stored and shown: unchanged when it is valid UTF-8; else
    (its bytes were kept as surrogate escapes, e.g. a GBK name from a Windows archive) read as GBK, Big5 or
    Shift-JIS when one of them reads as text (name_reading), else with the bad bytes shown as \\xNN. Control
    characters (an ESC sequence that would clear or recolour the terminal) are shown as \\x1b, and bidirectional
    controls (which make 通知\\u202egpj.exe.md read as 通知exe.jpg.md) as \\u202e: every name shown to the user
    passes through here (ingest.report.FileResult, the recorded source, the web's upload list)."""
    return name_reading(name)[0]


def readable_path(path: Path) -> Path:
    """The path with each name that is not valid UTF-8 or holds control characters made readable (see
    readable_name); the same path object when there is none."""
    text = str(path)
    try:
        text.encode("utf-8")
        if not _CONTROL_CHARS.search(text):
            return path
    except UnicodeEncodeError:
        pass
    return Path(*(readable_name(part) for part in path.parts))
