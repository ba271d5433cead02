"""PDF files via pypdf (text layer only; scanned images have none), within the configured limits. What pypdf
logs about a damaged file (in English) goes to this module's logger at debug level, never to the console;
the file's result gets one line in Chinese instead. A page that cannot be read is skipped with a warning."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from ingest.errors import OverLimit, UnreadableFile, warn
from ingest.loaders.limits import LoadLimits

try:  # pypdf >= 6.4: limits per execution context
    from pypdf import Configuration, apply_configuration

    _CONFIGURABLE = True
except ImportError:  # older pypdf: its built-in limits apply
    _CONFIGURABLE = False

_log = logging.getLogger(__name__)
_ISSUES: ContextVar[list[str] | None] = ContextVar("pdf_issues", default=None)
_ENCRYPTED = "PDF 已加密，请先解除密码保护后再导入"
_DAMAGED = "PDF 文件已损坏或不完整，无法解析；请用 PDF 阅读器打开确认，或重新导出后再导入"
_TOO_BIG = (
    "PDF 文件的结构超出解析上限（{what}），可能是恶意构造的文件，已拒绝；如确为正常文件，"
    "请用 PDF 阅读器另存或拆分后再导入，或调大 ANQUAN_PDF_MAX_STREAM_MB"
)


class _PypdfLog(logging.Handler):
    """Takes what pypdf logs: noted for the file being read, passed on at debug level."""

    def emit(self, record: logging.LogRecord) -> None:
        issues = _ISSUES.get()
        if issues is not None:
            issues.append(record.getMessage())
        _log.debug("pypdf: %s", record.getMessage())


_PYPDF_LOGGER = logging.getLogger("pypdf")
_PYPDF_LOGGER.addHandler(_PypdfLog())
_PYPDF_LOGGER.propagate = False  # else Python's last-resort handler prints pypdf's warnings on stderr


@contextmanager
def _bounded(limits: LoadLimits) -> Iterator[None]:
    """pypdf's decompression limits set to the configured stream size, for this thread while reading."""
    if not _CONFIGURABLE:
        yield
        return
    names = {f.name for f in dataclasses.fields(Configuration)}
    wanted = {
        name: limits.pdf_max_stream_bytes
        for name in (
            "maximum_declared_stream_length",
            "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "zlib_maximum_output_length",
            "brotli_maximum_output_length",
            "image_maximum_buffer_size",
        )
        if name in names
    }
    with apply_configuration(None, **wanted):  # no base configuration: the current one, these limits changed
        yield


def load_pdf(path: Path, limits: LoadLimits | None = None) -> str:
    limits = limits or LoadLimits()
    issues: list[str] = []
    token = _ISSUES.set(issues)
    try:
        with _bounded(limits):
            text = _read(path, limits, issues)
    finally:
        _ISSUES.reset(token)
    if issues:
        warn(f"PDF 文件结构有 {len(issues)} 处不规范，已尽量读取；如内容缺失，请用 PDF 阅读器另存或重新导出后再导入")
    return text


def _read(path: Path, limits: LoadLimits, issues: list[str]) -> str:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(path, _ENCRYPTED)
        count = len(reader.pages)
    except UnreadableFile:
        raise
    except (FileNotDecryptedError, DependencyError):  # an open password, or an encryption pypdf cannot undo
        raise UnreadableFile(path, _ENCRYPTED) from None
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise  # load_file says what happened to the file
    except LimitReachedError:
        raise OverLimit(path, _TOO_BIG.format(what="对象或页面过多")) from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds (unsupported filters, bad xref, recursion)
        raise UnreadableFile(path, _DAMAGED) from exc
    if count > limits.pdf_max_pages:
        raise OverLimit(
            path, f"PDF 共 {count} 页，超过上限 {limits.pdf_max_pages} 页；请拆分后再导入，或调大 ANQUAN_PDF_MAX_PAGES"
        )
    _check_total(path, reader, count, limits)
    pages: list[str] = []
    broken: list[int] = []
    too_big: list[int] = []
    refused: set[tuple[int, ...]] = set()  # the content (its streams) of a page over a limit: the same on any page
    for number in range(1, count + 1):
        content: tuple[int, ...] = ()
        try:
            page = reader.pages[number - 1]
            content = tuple(id(stream) for stream in _contents(page))
            if content and content in refused:
                too_big.append(number)  # not parsed again up to the limit: what a shared stream cost once per page
                continue
            pages.append(page.extract_text() or "")
        except LimitReachedError:
            too_big.append(number)
            refused.add(content)
        except Exception:  # noqa: BLE001 - one damaged page costs that page only
            _log.debug("page %d of %s", number, path, exc_info=True)
            broken.append(number)
    if too_big and len(too_big) + len(broken) == count:
        raise OverLimit(path, _TOO_BIG.format(what=f"单个数据流声明或解压后超过 {limits.pdf_max_stream_mb:g} MB"))
    if broken and len(broken) + len(too_big) == count:
        raise UnreadableFile(path, _DAMAGED)
    if broken:
        warn(f"第 {_pages(broken)} 页已损坏，无法读取，已跳过；请用 PDF 阅读器打开核对，或重新导出后再导入")
    if too_big:
        warn(
            f"第 {_pages(too_big)} 页的内容声明或解压后超过 {limits.pdf_max_stream_mb:g} MB，已跳过"
            "（可调大 ANQUAN_PDF_MAX_STREAM_MB）"
        )
    text = "\n".join(pages)
    if not text.strip() and (issues or broken):  # pypdf had to repair it: damage, not a scan
        raise UnreadableFile(path, _DAMAGED)
    if not text.strip():
        raise UnreadableFile(path, "PDF 中没有文字层（可能是扫描件），请先做文字识别（OCR）后再导入")
    return text


# an operator that shows text or draws a form (pypdf's own test): content without one is not parsed for text
_TEXT_SHOWN = re.compile(rb"T[jJ]|Do|['\"]")
_DELIMITED = rb"[^\s/\[\]()<>{}%]"  # a character of a name or an operator
_FORM_DRAWN = re.compile(rb"/(" + _DELIMITED + rb"+)\s*Do(?!" + _DELIMITED + rb")")  # /Fm1 Do
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_FORM_DEPTH = 32  # forms inside forms are counted this deep, deeper ones not


def _check_total(path: Path, reader: PdfReader, count: int, limits: LoadLimits) -> None:
    """Refuse the file before any page is read when the content its text extraction would parse, decompressed,
    is over limits.pdf_max_total_mb. pypdf parses a page's content and each form XObject the page draws anew
    for every page, so a stream that pages share counts once per page: 3,000 pages sharing one 29 MB stream
    meant 3,000 parses of it (hours), and a file of a few hundred kilobytes."""
    tally = _Tally(limits)
    total = 0
    for index in range(count):
        try:
            total += tally.page(reader.pages[index])
        except Exception:  # noqa: BLE001 - a page that cannot be measured is read (or reported) like the others
            _log.debug("measuring page %d of %s", index + 1, path, exc_info=True)
        if total > limits.pdf_max_total_bytes:
            raise OverLimit(
                path,
                f"PDF 的页面内容解压后共超过 {limits.pdf_max_total_mb:g} MB（读到第 {index + 1} 页时；多页共用的"
                "数据流每页都要重新解析，按页计算），可能是恶意构造的文件，已拒绝导入，其他文件照常导入；"
                "如确为正常文件，请拆分后再导入，或调大 ANQUAN_PDF_MAX_TOTAL_MB",
            )


def _contents(page: DictionaryObject) -> list[StreamObject]:
    """The content streams of a page (one, or an array of them)."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = [item.get_object() for item in contents] if isinstance(contents, ArrayObject) else [contents]
    return [stream for stream in streams if isinstance(stream, StreamObject)]


def _xobjects(holder: DictionaryObject) -> DictionaryObject:
    """The /XObject resources of a page or form (empty when it has none)."""
    resources = holder.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    return xobjects if isinstance(xobjects, DictionaryObject) else DictionaryObject()


class _Tally:
    """The bytes the text extraction parses for a page: its content, decompressed, and that of every form XObject
    it draws, as many times as it draws it (forms inside forms too). Each stream is decompressed and scanned once
    (pypdf keeps what it decompressed for the extraction to come)."""

    def __init__(self, limits: LoadLimits):
        self.limits = limits
        # id of a stream -> (the stream, kept while its id is a key; its size; whether it shows text; forms drawn)
        self.streams: dict[int, tuple[Any, int, bool, Counter[str]]] = {}
        self.forms: dict[int, int] = {}  # id of a form -> the bytes drawing it once parses

    def page(self, page: DictionaryObject) -> int:
        measured = [self._stream(stream) for stream in _contents(page)]
        if not any(shows for _, shows, _ in measured):
            return 0  # pypdf skips content that shows no text, and the forms it draws with it
        xobjects = _xobjects(page)
        return sum(
            size + sum(times * self._form(xobjects.get(name), set()) for name, times in drawn.items())
            for size, _, drawn in measured
        )

    def _stream(self, stream: StreamObject) -> tuple[int, bool, Counter[str]]:
        known = self.streams.get(id(stream))
        if known is None:
            try:
                data = stream.get_data()
            except LimitReachedError:  # decompressed up to the stream limit each time it is read, then refused
                known = (stream, self.limits.pdf_max_stream_bytes, True, Counter())
            except Exception:  # noqa: BLE001 - damaged: the extraction reports the page
                known = (stream, 0, False, Counter())
            else:
                drawn = Counter(_name(match[1]) for match in _FORM_DRAWN.finditer(data))
                known = (stream, len(data), bool(_TEXT_SHOWN.search(data)), drawn)
            self.streams[id(stream)] = known
        return known[1:]

    def _form(self, reference: Any, drawing: set[int]) -> int:
        form = reference.get_object() if reference is not None else None
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
            return 0  # an image, or nothing: no text parsed
        if id(form) in self.forms:
            return self.forms[id(form)]
        if id(form) in drawing or len(drawing) >= _FORM_DEPTH:
            return 0  # a form drawing itself: pypdf skips it
        size, shows, drawn = self._stream(form)
        cost = 0
        if shows:
            drawing.add(id(form))
            xobjects = _xobjects(form)
            cost = size + sum(times * self._form(xobjects.get(name), drawing) for name, times in drawn.items())
            drawing.discard(id(form))
        self.forms[id(form)] = cost
        return cost


def _name(raw: bytes) -> str:
    """A resource name as written in content (/F#6d1 is /Fm1), as a key of the resource dictionary."""
    return "/" + _NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), raw).decode("utf-8", "replace")


def _pages(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:10])
    return shown + (f" 等 {len(numbers)}" if len(numbers) > 10 else "")
