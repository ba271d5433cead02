"""Decode text files: UTF-8 (with or without BOM), GB18030/GBK and Big5, or a file mixing UTF-8 lines with\nGBK/Big5 lines."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.errors import EmptyDocument, UnreadableFile

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


def _decode_mixed(data: bytes) -> str | None:
    """A file pasted together from UTF-8 and GBK/Big5 parts (no single encoding reads it): each line
    in the encoding it was written in. None unless a good share of the lines are clearly UTF-8."""
    lines = data.split(b"\n")
    utf8_lines, legacy_lines = 0, []
    for line in lines:
        if line.isascii():
            continue
        try:
            if _cjk_count(line.decode("utf-8")) >= 3:
                utf8_lines += 1
        except UnicodeDecodeError:
            legacy_lines.append(line)
    if not utf8_lines or not legacy_lines or utf8_lines < 0.2 * (utf8_lines + len(legacy_lines)):
        return None
    legacy = b"\n".join(legacy_lines)
    for encoding in ("gb18030", "big5"):
        try:
            legacy.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        return None
    out = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(encoding))
    return "\n".join(out)


def decode_bytes(data: bytes, path: Path) -> str:
    """Return the text of a file, or raise an error naming the file and the reason."""
    if not data.strip():
        raise EmptyDocument(path, "文件为空，没有可入库的内容")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if _looks_binary(data):
        raise UnreadableFile(path, "看起来是二进制文件而不是文本（扩展名与内容不符？）请确认文件类型后重新导入")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise UnreadableFile(path, "无法识别文件编码（支持 UTF-8、GB18030/GBK、Big5），请另存为 UTF-8 后重新导入")
    text = str(best)
    if _printable_share(text) < 0.95:
        raise UnreadableFile(path, f"按 {best.encoding} 解码后乱码过多，请另存为 UTF-8 后重新导入")
    return text
