"""Decode text files: UTF-8 (with or without BOM), UTF-16 and UTF-32 (with or without BOM), GB18030/GBK and
Big5, or a file mixing UTF-8 lines with GBK/Big5 lines; Japanese text (Shift-JIS, EUC-JP) is read as Japanese,
never as GBK mojibake. A BOM is a claim checked against the bytes: a UTF-8 BOM before a GBK body reads as GBK. A few broken bytes in an otherwise readable file are replaced
(U+FFFD) and reported as a warning, rather than the whole file refused. Also: file names that are not
valid UTF-8 (GBK names unpacked from Windows archives) shown as the text they were meant to be."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from charset_normalizer import from_bytes

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


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def _plausible_share(text: str) -> float:
    """Share of the characters a Chinese or Western text is made of (ASCII, CJK, CJK and full-width
    punctuation, common symbols): near 1 for real text, far lower for bytes read in the wrong encoding."""
    sample = text[:20000]
    if not sample:
        return 0.0
    good = sum(1 for ch in sample if ch in "\t\n\r\f" or any(lo <= ord(ch) <= hi for lo, hi in _PLAUSIBLE))
    return good / len(sample)


_PLAUSIBLE = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2100, 0x27BF), (0x3000, 0x303F),
              (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _lines_of(text: str, char: str, limit: int = 5) -> str:
    """The line numbers (1-based) holding char, the first few."""
    numbers = [str(n) for n, line in enumerate(text.split("\n"), start=1) if char in line]
    return "、".join(numbers[:limit]) + (f" 等 {len(numbers)} 行" if len(numbers) > limit else " 行")


def _warn_replaced(text: str, encoding: str) -> str:
    bad = text.count(_REPLACEMENT)
    if bad:
        warn(f"文件中有 {bad} 处字节不是有效的 {encoding} 编码（第 {_lines_of(text, _REPLACEMENT)}），已替换为“{_REPLACEMENT}”；"
             "其余内容已正常读取，请核对原文这几处")
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
        if _plausible_share(text) >= 0.97 and _cjk_count(text[:20000]) >= 0.5 * len(text[:20000].strip()):
            return text
    return None


def _looks_legacy(line: bytes) -> bool:
    """A line that is not UTF-8 at all (GBK, Big5), rather than a UTF-8 line with a few broken bytes."""
    text = line.decode("utf-8", errors="replace")
    bad = text.count(_REPLACEMENT)
    good = sum(1 for ch in text if ord(ch) >= 0x80 and ch != _REPLACEMENT)
    return bad >= 2 and bad > good


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
            if _cjk_count(line.decode("utf-8")) >= 3:
                utf8_lines += 1
        except UnicodeDecodeError:
            failing.append(n)
    legacy = {n for n in failing if _looks_legacy(lines[n])}
    if not utf8_lines or utf8_lines < 0.2 * (utf8_lines + len(legacy)):
        return None
    encoding = _legacy_encoding(b"\n".join(lines[n] for n in sorted(legacy))) if legacy else "gb18030"
    other = "big5" if encoding == "gb18030" else "gb18030"
    out: list[str] = []
    broken: list[int] = []
    for n, line in enumerate(lines):
        if n in legacy:
            text = _strict(line, encoding) or _strict(line, other)
            if text is None:
                text = line.decode(encoding, errors="replace")
                broken.append(n + 1)
        else:
            text = line.decode("utf-8", errors="replace")
            if _REPLACEMENT in text:
                broken.append(n + 1)
        out.append(text)
    if legacy:
        warn(f"文件混合了 UTF-8 与 {_NAMES.get(encoding, encoding)} 编码的段落，已逐行识别；请抽查 "
             f"{_NAMES.get(encoding, encoding)} 段落（如第 {min(legacy) + 1} 行）是否正常")
    if broken:
        shown = "、".join(str(n) for n in broken[:5]) + (f" 等 {len(broken)} " if len(broken) > 5 else " ")
        bad = sum(t.count(_REPLACEMENT) for t in out)
        warn(f"文件中有 {bad} 处字节不是有效的 UTF-8 编码（第 {shown}行），已替换为“{_REPLACEMENT}”；"
             "其余内容已正常读取，请核对原文这几处")
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
        letters = kana + _cjk_count(sample)
        if kana >= 3 and kana >= 0.15 * letters and (best is None or kana / letters > best[0]):
            best = (kana / letters, text, name)
    return (best[1], best[2]) if best else None


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
        raise UnreadableFile(path, "文件开头标明是 UTF-8 编码，但内容既不是有效的 UTF-8，也不是能识别的其他编码；"
                                   "请用记事本打开确认，另存为 UTF-8 后重新导入") from None
    warn(f"文件开头标明是 UTF-8，但内容是 {encoding} 编码，已按 {encoding} 读取；请抽查内容是否正常")
    return text


def decode_bytes(data: bytes, path: Path) -> str:
    """Return the text of a file, or raise an error naming the file and the reason."""
    if not data.strip(b" \t\r\n\x0b\x0c\x00"):
        raise EmptyDocument(path, "文件为空，没有可入库的内容")
    if data.startswith(codecs.BOM_UTF8):
        return _utf8_bom(data[len(codecs.BOM_UTF8):], path)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 opens both
        text = _strict(data, "utf-32")
        if text is not None and _plausible_share(text) >= 0.9:
            return text.removeprefix("\ufeff")
        if not data.startswith(codecs.BOM_UTF16_LE) or (text := _read_utf16(data, "utf-16")) is None:
            raise UnreadableFile(path, "文件开头标明是 UTF-32 编码，但内容不是有效的 UTF-32 文本（可能已损坏，或并非文本文件）；"
                                       "请用记事本打开确认，另存为 UTF-8 后重新导入")
        return _warn_replaced(text, "UTF-16")  # UTF-16 whose first character is U+0000
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _read_utf16(data, "utf-16")
        if text is None:
            raise UnreadableFile(path, "文件开头标明是 UTF-16 编码，但内容不是有效的 UTF-16 文本（可能已损坏，或并非文本文件）；"
                                       "请用记事本打开确认，另存为 UTF-8 后重新导入")
        return _warn_replaced(text, "UTF-16")
    if (text := _utf32(data)) is not None:
        return text
    for utf16 in _utf16_by_nul_pattern(data):
        if (text := _read_utf16(data, utf16)) is not None:
            return _warn_replaced(text, "UTF-16")
    if _looks_binary(data):
        # UTF-16 of Chinese text has bytes below 0x20 (、 is 01 30) and may have a NUL or two (U+3000)
        if (text := _utf16_cjk(data)) is not None:
            return text
        raise UnreadableFile(path, "看起来是二进制文件而不是文本（扩展名与内容不符？）请确认文件类型后重新导入")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf16_text = _utf16_cjk(data)
    if utf16_text is not None:
        return utf16_text
    mixed = _decode_lines(data)
    if mixed is not None:
        return mixed
    text, encoding = _detect(data, path)
    if encoding in _JAPANESE.values():
        warn(f"文件是日文（{encoding} 编码），已按日文读取；本助手面向中文法规，请确认确实需要导入")
    return text


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding name) of a file that is not UTF-8 or UTF-16: Japanese, GB18030/GBK or Big5 (a few
    broken bytes replaced, with a warning); UnreadableFile when no reading is clean."""
    japanese = _japanese(data)
    if japanese is not None:
        return japanese
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
        raise UnreadableFile(path, "无法识别文件编码（支持 UTF-8、UTF-16、UTF-32、GB18030/GBK、Big5），请另存为 UTF-8 后重新导入")
    raise UnreadableFile(path, f"按 {_NAMES.get(best.encoding, best.encoding)} 解码后乱码过多，请另存为 UTF-8 后重新导入")


def _legacy_with_stray_bytes(data: bytes) -> tuple[str, str] | None:
    """A GBK or Big5 file with a few broken bytes (which no encoding reads whole): read with those bytes
    replaced, and a warning, in the encoding that leaves few of them; when both do, the one charset
    detection prefers on the lines both read whole. None when every reading leaves many."""
    readings = []
    for encoding in ("gb18030", "big5"):
        text = data.decode(encoding, errors="replace")
        bad = text.count(_REPLACEMENT)
        # a few bad bytes in a text that is clearly Chinese (a Western text read this way is CJK-looking noise)
        if bad <= max(4, len(text) // 1000) and _plausible_share(text) >= 0.95 and _cjk_count(text[:20000]) >= 20:
            readings.append((bad, encoding, text))
    if not readings:
        return None
    if len(readings) > 1:  # both read with few bad bytes: decide by the lines that both read whole
        clean = b"\n".join(line for line in data.split(b"\n")
                           if _strict(line, "gb18030") is not None and _strict(line, "big5") is not None)
        preferred = _legacy_encoding(clean)
        readings = [r for r in readings if r[1] == preferred] or readings
    _, encoding, text = readings[0]
    return _warn_replaced(text, _NAMES[encoding]), _NAMES[encoding]


def readable_name(name: str) -> str:
    """A file or folder name as text that can be stored and shown: unchanged when it is valid UTF-8; else
    (its bytes were kept as surrogate escapes, e.g. a GBK name from a Windows archive) read as GB18030
    or Big5 when that reads cleanly, else with the bad bytes shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    for encoding in ("gb18030", "big5"):
        text = _strict(raw, encoding)
        if text is not None and _plausible_share(text) >= 0.97:
            return text
    return raw.decode("utf-8", errors="backslashreplace")


def readable_path(path: Path) -> Path:
    """The path with each name that is not valid UTF-8 made readable (see readable_name); the same path
    object when there is none."""
    text = str(path)
    try:
        text.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return Path(*(readable_name(part) for part in path.parts))
