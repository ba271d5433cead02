"""PDF files via pypdf (text layer only; scanned images have none), within the configured limits. What pypdf
logs about a damaged file (in English) goes to this module's logger at debug level, never to the console;
the file's result gets one line in Chinese instead. A page that cannot be read is skipped with a warning."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

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
    pages: list[str] = []
    broken: list[int] = []
    too_big: list[int] = []
    for number in range(1, count + 1):
        try:
            pages.append(reader.pages[number - 1].extract_text() or "")
        except LimitReachedError:
            too_big.append(number)
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


def _pages(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:10])
    return shown + (f" 等 {len(numbers)}" if len(numbers) > 10 else "")
