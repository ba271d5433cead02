"""One loader per file type; each turns a file into text, keeping headings as Markdown '#' lines."""

from __future__ import annotations

import functools
import logging
import re
import stat
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

from ingest.cleaning import is_blank
from ingest.encoding import is_web_page, nul_reason
from ingest.errors import (
    EmptyDocument,
    IngestError,
    OverLimit,
    UnreadableFile,
    UnsupportedFileType,
    collecting_warnings,
    os_reason,
    too_large,
)
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.limits import LoadLimits
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_text

_log = logging.getLogger(__name__)

LOADERS: dict[str, Callable[[Path, LoadLimits], str]] = {
    ".md": lambda path, limits: load_text(path),
    ".markdown": lambda path, limits: load_text(path),
    ".txt": lambda path, limits: load_text(path),
    ".docx": load_docx,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
}

SUPPORTED_SUFFIXES = tuple(LOADERS)
UNREADABLE = "文件内容无法解析，可能已损坏或格式与扩展名不符；请用原程序打开确认，另存一份后再导入"
EMPTY_FILE = "文件为空（0 字节），没有可入库的内容"


def unsupported_type(path: Path) -> str:
    """Why a file of this name is not read, for the user: its extension is none the loaders read; or its name ends
    in spaces or dots after one they do (“规定.md ”, 规定.md.: a name Windows never shows so, made by a script or a
    copy from a Linux share), which read as “不支持的文件类型“.md ””, naming what looked supported."""
    name = path.name
    kept = name.rstrip(" .\t\u3000")
    if kept != name and Path(kept).suffix.lower() in SUPPORTED_SUFFIXES and Path(kept).stem.strip():
        tail = set(name[len(kept) :])
        what = "句点" if tail == {"."} else ("空格或句点" if "." in tail else "空格")
        return f"文件名“{name}”在扩展名之后还有{what}，无法按扩展名识别文件类型；请改名为“{kept}”后重新导入"
    typed = typed_in_full_width(name)
    if typed:
        return (
            f"文件名“{name}”的扩展名是用全角字符或中文句号写的，无法按扩展名识别文件类型；请改名为“{typed}”后重新导入"
        )
    return f"不支持的文件类型“{path.suffix or '无扩展名'}”，支持：{'、'.join(SUPPORTED_SUFFIXES)}"


# what an input method types for the dot of an extension: a full-width full stop, an ideographic one, a middle dot
_DOTS = "．。｡"


def typed_in_full_width(name: str) -> str:
    """The name with its extension in ASCII when it is a supported one typed in full-width characters or after a
    Chinese full stop (规定．ｍｄ, 规定。md, 规定.ＰＤＦ), else "": such a name read as 不支持的文件类型“无扩展名”,
    naming nothing the user could fix."""
    at = max(name.rfind(dot) for dot in ("." + _DOTS))
    if at <= 0 or not name[:at].strip():
        return ""
    suffix = "." + unicodedata.normalize("NFKC", name[at + 1 :]).strip().lower()
    if suffix not in SUPPORTED_SUFFIXES or name[at:] == suffix:
        return ""
    return name[:at] + suffix


def load_file(path: Path, limits: LoadLimits | None = None, warnings: list[str] | None = None) -> str:
    """Read one file into text; raise an IngestError naming the file and the reason, whatever goes wrong
    inside the loader. What the loader notes for the user to check is appended to warnings."""
    limits = limits or LoadLimits()
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnsupportedFileType(path, unsupported_type(path))
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe or a device put in its place since the walk (a FIFO was 文件为空)
            raise UnreadableFile(path, "这不是普通文件（是管道、设备或套接字），不能作为文档导入，已跳过")
        size = status.st_size
        if size == 0:  # whatever its type: emptied since the walk, or loaded on its own
            raise EmptyDocument(path, EMPTY_FILE)
        if size > limits.max_file_mb * 2**20:  # grown since the walk checked it (2.5 GB took 7.5 GB to read)
            raise OverLimit(path, too_large(size, limits.max_file_mb * 2**20))
        head, nuls = _head_or_nuls(path)
        if nuls is not None:  # whatever its type: a copy broken off, a disk fault
            raise UnreadableFile(path, nul_reason(nuls))
        if path.suffix.lower() in _TEXT_SUFFIXES and is_web_page(head):
            loader = load_html  # a web page saved as .txt: its markup is no text of the law (its title was <!DOCTYPE…)
        with collecting_warnings(warnings if warnings is not None else []):
            text = loader(path, limits)
    except IngestError:
        raise
    except IsADirectoryError:
        raise UnreadableFile(path, "文件不存在或在导入过程中被移走") from None
    except OSError as exc:  # the system's reason (no permission, path too long, symlink loop...) in Chinese
        raise UnreadableFile(path, os_reason(exc)) from None
    except MemoryError:
        raise UnreadableFile(path, "文件内容过于庞大，读取时内存不足；请拆分成多个文件后再导入") from None
    except RecursionError:  # a parser recursing on nesting or references
        raise UnreadableFile(
            path, "文件结构嵌套过深或层层引用，无法解析，已跳过；请用原程序打开确认，另存一份后再导入"
        ) from None
    except Exception as exc:  # noqa: BLE001 - the last resort: a parser's own error becomes this file's failure
        _log.debug("loading %s", path, exc_info=True)
        raise UnreadableFile(path, UNREADABLE) from exc
    text = line_breaks(text)
    if not text.strip():
        raise EmptyDocument(
            path,
            "文件中没有可入库的文字内容（可能只有图片、脚本或格式）；请用原程序打开确认，另存为含文字的文档后再导入",
        )
    if is_blank(text):  # zero-width spaces, direction marks … alone: it was imported, a document of nothing
        raise EmptyDocument(
            path, "文件中只有空白和看不见的字符（如零宽空格、方向控制符），没有任何文字；请检查文件内容后重新导入"
        )
    check_runs(path, text, limits.max_run_chars)
    check_lines(path, text, limits.max_file_lines)
    check_repetition(path, text, limits.max_repetition_ratio)
    if not _WORD.search(text):  # punctuation, symbols or heading marks (# # #) alone: a document of nothing
        raise EmptyDocument(path, "文件中只有标点和符号，没有任何文字或数字；请检查文件内容后重新导入")
    return text


_WORD = re.compile(r"[^\W_]")  # a letter or a digit, of any script

_TEXT_SUFFIXES = frozenset([".txt", ".md", ".markdown"])


def _head_or_nuls(path: Path) -> tuple[bytes, bytes | None]:
    """(the file's first block, None), or (b"", its bytes) when every one is NUL (a .pdf of them was told it was
    another file renamed); reads no further than the block holding the first byte that is not."""
    data = bytearray()
    with path.open("rb") as handle:
        while block := handle.read(1 << 16):
            if block.count(0) != len(block):
                return bytes(data[: 1 << 16]) or block, None
            data += block
    return b"", bytes(data)


# what ends a line besides a line feed and a carriage return: a page break (pdftotext puts a form feed between the
# pages), a vertical tab, the next-line control, and the Unicode line and paragraph separators (text pasted from web
# pages and JSON). Every stage after loading splits lines at "\n" alone: a law whose articles were separated by these
# read as one line, its whole text the title, with no article to cite.
_LINE_BREAKS = re.compile("\r?[\x0b\x0c\x85\u2028\u2029]")


def line_breaks(text: str) -> str:
    """The text with every line-ending character other than a carriage return (cleaning reads those) as a line feed."""
    return _LINE_BREAKS.sub("\n", text)


_REPETITION_MIN_CHARS = 200_000  # shorter texts make a few hundred chunks at most, whatever they hold


def check_lines(path: Path, text: str, most: int) -> None:
    """Refuse a text of over ``most`` lines (Settings.max_file_lines): each line costs the cleaning and chunking
    time, and millions of one-character lines held the ingest lock for minutes."""
    if len(text) > most and (lines := text.count("\n") + 1) > most:
        raise OverLimit(
            path,
            f"文件有 {lines:,} 行，超过上限 {most:,} 行，远多于任何一部法规，不是正常的文档，已拒绝导入，"
            "其他文件照常导入；如确为正常文件，请拆分成多个文件后再导入，或调大 ANQUAN_MAX_FILE_LINES",
        )


def check_repetition(path: Path, text: str, most: float) -> None:
    """Refuse a long text that is mostly repetition (Settings.max_repetition_ratio): runs of one character or a
    short pattern repeated become thousands of junk chunks (29 MB of 甲 made 41,000 and took 1.9 GB to embed).
    Measured by how much zlib (its fastest level: a tenth of a second for 30 MB) shrinks the text."""
    if len(text) < _REPETITION_MIN_CHARS:
        return
    data = text.encode("utf-8", "surrogatepass")
    ratio = len(data) / max(1, len(zlib.compress(data, 1)))
    if ratio > most:
        raise OverLimit(
            path,
            f"文件内容大量重复（压缩后只有原来的 1/{ratio:,.0f}，正常的法规约为 1/4），例如一长串相同的字或反复出现的"
            "同一小段文字，会切出成千上万个无意义的切块，已拒绝导入，其他文件照常导入；请检查文件内容，删去重复的部分后"
            "再导入；如确为正常文件，可调大 ANQUAN_MAX_REPETITION_RATIO",
        )


_BREAKS = r"\s\-,.;:!?()\[\]{}<>\"'/|，。、；：！？“”‘’（）《》【】〔〕…—·"


@functools.cache
def _run(longest: int) -> re.Pattern:
    return re.compile(rf"(?<![^{_BREAKS}])[^{_BREAKS}]{{{longest + 1}}}")


def check_runs(path: Path, text: str, longest: int) -> None:
    """Refuse text that is not a document: a stretch of over ``longest`` characters (Settings.max_run_chars)
    with no space, line break or punctuation (one 29 MB "word", a base64 blob) would make a chunk per token
    budget of nothing searchable, and cleaning and chunking it takes minutes and gigabytes. The pattern
    starts only where a run starts (the look-behind), and the text is searched in place: splitting a file of
    millions of short lines into lines and words took seconds and 150 MB more than the file."""
    if len(text) <= longest:
        return
    found = _run(longest).search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        raise OverLimit(
            path,
            f"第 {line} 行起有超过 {longest:,} 个字符连在一起，中间没有空格、换行或标点"
            "（例如一长串字母或编码数据），不是正常的文档，已拒绝导入，其他文件照常导入；"
            "请检查文件内容，删去这段后再导入",
        )
