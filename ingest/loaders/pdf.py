"""PDF files via pypdf (text layer only; scanned images have none), within the configured limits. What pypdf
logs about a damaged file (in English) goes to this module's logger at debug level, never to the console;
the file's result gets one line in Chinese instead. A page that cannot be read is skipped with a warning.

Only text a reader sees is read (_Sight): text in an invisible render mode, in white or fully transparent ink on
nothing painted, too small to read, outside the page's visible box or a clip, in an optional-content layer that
is off, in the colour of the opaque area painted under it (an image all of one colour counts as a fill of it), or
under opaque fills, shadings or images painted over it later (together: their union; in a form that shows no text
or an annotation's appearance too; any straight-edged or curved convex shape, slanted or not) is left out (hidden
text was used to put instructions into the answers). The text layer a scan's text recognition
puts over (or under) the page image is read as the page's text."""

from __future__ import annotations

import dataclasses
import heapq
import logging
import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from ingest.encoding import other_format
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
_HEADER_WINDOW = 1024  # where PDF readers look for the %PDF- header
_SNIFFED = 65536  # bytes read to tell what a file that is no PDF is (a zip package's part names)
_TOO_BIG = "PDF 文件的结构超出解析上限（{what}），可能是恶意构造的文件，已拒绝；如确为正常文件，{advice}{setting}"
_DAMAGED_STRUCTURE = "PDF 文件结构损坏（{what}），无法读取，已拒绝导入；{advice}"
_RESAVE = "请用 PDF 阅读器另存或拆分后再导入"
_FROM_SOURCE = "请改用原文件（Word 等）导入，或在 PDF 阅读器中将文字另存为文本文件（.txt）后再导入"
_REBUILD = "请用 PDF 阅读器打开，如能正常显示，请“打印”为新的 PDF 后再导入，或改用原文件（Word 等）导入"
_STREAM_LIMIT = "ANQUAN_PDF_MAX_STREAM_MB"  # what a user can raise: the stream limit only
_STREAM_SETTING = f"，或调大 {_STREAM_LIMIT}"


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


@dataclasses.dataclass(frozen=True)
class _Limit:
    """What stopped pypdf, in Chinese: what (shown in brackets), advice that would work for it, setting (the one
    setting whose raising would help, "" when none would) and damaged (a broken structure, not a size: no limit
    helps, and the file is told as damaged rather than over a limit)."""

    what: str
    advice: str = _RESAVE
    setting: str = ""
    damaged: bool = False

    def reason(self, what: str | None = None) -> str:
        frame = _DAMAGED_STRUCTURE if self.damaged else _TOO_BIG
        return frame.format(what=what or self.what, advice=self.advice, setting=self.setting)


# pypdf's messages (lower case) for a stream over the sizes _bounded sets from ANQUAN_PDF_MAX_STREAM_MB
_STREAM_SIZE = (
    "limit reached while decompressing",
    "declared stream length",
    "read stream length",
    "array-based stream",
    "jbig2",
    "requested image size",
)
_LOOP = ("cycle", "cyclic", "loop", "self reference")
_TOKENS = ("tokens", "array element count", "dictionary entries", "token exceeds")


def _over(error: LimitReachedError, limits: LoadLimits, opening: bool = False) -> _Limit:
    """Which of pypdf's limits a file reached, told from its (English) message: a font's character map
    (ToUnicode) that turns one code into a long text, a loop of references (a page its own parent, a stream whose
    /Length is itself: damage, not size), a content of too many operators (pypdf's tokens per stream), a stream
    over the size limit. Only the stream size is a setting the user can raise, and only it says so: raising it
    never helped the others. Anything else is the structure (objects, pages, nesting)."""
    said = str(error).lower()
    if "tounicode" in said or "cid width" in said:
        return _Limit("字体的字符映射表（ToUnicode）中有过长的映射或过多的条目，会把一个字符变成一大段文字")
    if any(word in said for word in _LOOP):
        return _Limit("对象引用自身或形成循环", advice=_REBUILD, damaged=True)
    if any(word in said for word in _TOKENS):
        return _Limit("内容过于复杂：一页的内容中文字和绘图指令过多，超过解析器能处理的数量", advice=_FROM_SOURCE)
    if any(word in said for word in _STREAM_SIZE) and "recovery" not in said:
        return _Limit(f"单个数据流声明或解压后超过 {limits.pdf_max_stream_mb:g} MB", setting=_STREAM_SETTING)
    if opening:
        return _Limit("对象或页面过多或嵌套过深")
    return _Limit("页面内容的结构过于复杂", advice=_FROM_SOURCE)


def _not_a_pdf(path: Path) -> str | None:
    """Why a file pypdf cannot read is no PDF at all, when it has no PDF header where readers look for one (its
    first kilobyte): what it is if its bytes say (a renamed .pptx, an RTF file), else that it is another file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFFED)
    except OSError:
        return None
    if b"%PDF-" in head[:_HEADER_WINDOW]:
        return None
    other = other_format(head)
    if other is not None:
        space = " " if other[0][0].isascii() else ""
        return f"这不是 PDF 文件，而是{space}{other[0]}（扩展名是 {path.suffix}）：{other[1]}"
    return (
        "这不是 PDF 文件（文件开头没有 PDF 标记），可能是改了扩展名的其他文件；请用原程序打开确认，另存为 PDF 后再导入"
    )


def _says_encrypted(path: Path) -> bool:
    """Whether a PDF pypdf could not open names an encryption dictionary in its trailer (a security handler pypdf
    does not know, /Filter /FooSec): it is encrypted, not damaged. Read from the file's last bytes."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - _SNIFFED))
            return b"/Encrypt" in handle.read(_SNIFFED)
    except OSError:
        return False


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
    except LimitReachedError as exc:
        limit = _over(exc, limits, opening=True)
        raise (UnreadableFile if limit.damaged else OverLimit)(path, limit.reason()) from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds (unsupported filters, bad xref, recursion)
        raise UnreadableFile(path, _not_a_pdf(path) or (_ENCRYPTED if _says_encrypted(path) else _DAMAGED)) from exc
    if count > limits.pdf_max_pages:
        raise OverLimit(
            path, f"PDF 共 {count} 页，超过上限 {limits.pdf_max_pages} 页；请拆分后再导入，或调大 ANQUAN_PDF_MAX_PAGES"
        )
    tally = _check_total(path, reader, count, limits)
    pages: list[str] = []
    broken: list[int] = []
    too_big: list[int] = []
    over: dict[str, _Limit] = {}  # what each limit reached was, the first page's wording of it first
    hidden: list[int] = []
    unmapped: list[int] = []  # pages whose text is glyph codes, not characters (_unmapped)
    refused: set[tuple[int, ...]] = set()  # the content (its streams) of a page over a limit: the same on any page
    # the text of content several pages share (the same streams, resources and box) is read once
    read: dict[tuple[Any, ...], tuple[str, int]] = {}
    layers = _Layers(reader)
    started = time.monotonic()
    for number in range(1, count + 1):
        if time.monotonic() - started > limits.pdf_max_seconds:
            raise OverLimit(
                path,
                f"PDF 的文字提取超过 {limits.pdf_max_seconds:g} 秒仍未完成（已读 {number - 1}/{count} 页），"
                "文件的内容结构异常；请用 PDF 阅读器另存或拆分后再导入，或调大 ANQUAN_PDF_MAX_SECONDS",
            )
        content: tuple[int, ...] = ()
        try:
            page = reader.pages[number - 1]
            streams = _contents(page)
            content = tuple(id(stream) for stream in streams)
            if content and content in refused:
                too_big.append(number)  # not parsed again up to the limit: what a shared stream cost once per page
                continue
            resources = page.get("/Resources")  # written in each page or shared: alike when they read alike
            said = repr(resources.get_object() if resources is not None else None)[:_SAME_RESOURCES]
            shared = (content, said, repr(page.mediabox), repr(page.cropbox))
            if content and shared in read:
                text, dropped = read[shared]
            else:
                text, dropped = _visible_text(page, streams, tally, layers)
                read[shared] = (text, dropped)
            if _unmapped(text):
                unmapped.append(number)
                continue
            pages.append(text)
            if dropped:
                hidden.append(number)
        except LimitReachedError as exc:
            _forget_unfinished(reader)
            too_big.append(number)
            refused.add(content)
            reason = _over(exc, limits)
            over.setdefault(reason.what, reason)
        except Exception:  # noqa: BLE001 - one damaged page costs that page only
            _forget_unfinished(reader)
            _log.debug("page %d of %s", number, path, exc_info=True)
            broken.append(number)
    what, setting = "；".join(over), "".join(dict.fromkeys(r.setting for r in over.values()))  # too_big sets over
    damaged = bool(over) and all(r.damaged for r in over.values())  # a loop of references: no limit would help
    if too_big and len(too_big) + len(broken) == count:
        first = next(iter(over.values()))
        if damaged:
            raise UnreadableFile(path, first.reason(what))
        raise OverLimit(path, _TOO_BIG.format(what=what, advice=first.advice, setting=setting))
    if broken and len(broken) + len(too_big) == count:
        raise UnreadableFile(path, _not_a_pdf(path) or _DAMAGED)
    if broken:
        warn(f"第 {_pages(broken)} 页已损坏，无法读取，已跳过；请用 PDF 阅读器打开核对，或重新导出后再导入")
    if too_big:
        raised = f"（可调大 {_STREAM_LIMIT}）" if setting else ""
        said = "结构损坏" if damaged else "内容超出解析上限"
        warn(f"第 {_pages(too_big)} 页的{said}（{what}），已跳过{raised}")
    if hidden:
        warn(
            f"第 {_pages(hidden)} 页有读者看不到的文字（不可见或白色、透明的文字，字号过小，位于页面或裁剪范围以外，"
            "在关闭的图层中，与下面的底色相同，或被后画的色块、图片盖住），已略去，未导入；如确需这些内容，"
            "请在 PDF 阅读器中核对后另存再导入"
        )
    if unmapped:
        if not any(page.strip() for page in pages):
            raise UnreadableFile(path, _UNMAPPED)
        warn(f"第 {_pages(unmapped)} 页{_UNMAPPED_PAGES}")
    text = "\n".join(pages)
    if not text.strip() and (issues or broken):  # pypdf had to repair it: damage, not a scan
        raise UnreadableFile(path, _not_a_pdf(path) or _DAMAGED)
    if not text.strip() and hidden:
        raise UnreadableFile(
            path,
            "PDF 中的文字读者都看不到（不可见或白色、透明的文字，字号过小，位于页面以外，在关闭的图层中，"
            "与底色相同或被盖住），没有可导入的内容；请在 PDF 阅读器中核对后另存再导入",
        )
    if not text.strip():
        raise UnreadableFile(path, "PDF 中没有文字层（可能是扫描件），请先做文字识别（OCR）后再导入")
    return text


# a font with no character map (ToUnicode) for its subset: pypdf gives the glyph numbers (1, 2, 3 … as control
# characters, or private-use code points) instead of the text. Imported, such a page was told 只有空白和看不见的字符
# when it was all, and was garbage among the articles when it was one page of several
_UNMAPPED = (
    "PDF 中的文字用了没有字符映射表（ToUnicode）的字体，读出来的只是字形编号，不是文字，未导入；"
    "请在 PDF 阅读器中试着复制一段文字核对：如复制出来也是乱码，请改用原文件（Word 等）导入，"
    "或做文字识别（OCR）后再导入"
)
_UNMAPPED_PAGES = (
    "的文字用了没有字符映射表（ToUnicode）的字体，读出来的只是字形编号，已跳过；请用原文件或文字识别（OCR）补上这几页"
)
_GLYPH_CODES = 0.5  # a page whose visible characters are at least this share of control or private-use codes


def _unmapped(text: str) -> bool:
    """Whether a page's text is glyph numbers rather than characters (see _UNMAPPED)."""
    shown = [c for c in text if not c.isspace()]
    codes = sum(1 for c in shown if unicodedata.category(c) in ("Cc", "Co"))
    return bool(shown) and codes >= _GLYPH_CODES * len(shown)


_SAME_RESOURCES = 20000  # characters of a page's resources compared to tell pages of the same content apart

# an operator that shows text or draws a form (pypdf's own test): content without one is not parsed for text
_TEXT_SHOWN = re.compile(rb"T[jJ]|Do|['\"]")
_DELIMITED = rb"[^\s/\[\]()<>{}%]"  # a character of a name or an operator
_FORM_DRAWN = re.compile(rb"/(" + _DELIMITED + rb"+)\s*Do(?!" + _DELIMITED + rb")")  # /Fm1 Do
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_FORM_DEPTH = 32  # forms inside forms are counted this deep, deeper ones not


def _forget_unfinished(reader: PdfReader) -> None:
    """After pypdf raised out of reading an object: forget that it was being read. pypdf marks an object as being
    read while it parses it (to detect a loop of references) and does not unmark it when the parse raises, so a
    stream refused for its size was the next time "Detected loop with self reference": a PDF over the stream limit
    was told as damaged, and a damaged one (a stream whose /Length is itself) could not be told from it."""
    unfinished = getattr(reader, "_known_objects", None)
    if isinstance(unfinished, set):
        unfinished.clear()


def _check_total(path: Path, reader: PdfReader, count: int, limits: LoadLimits) -> _Tally:
    """Refuse the file before any page is read when the content its text extraction would parse, decompressed,
    is over limits.pdf_max_total_mb. pypdf parses a page's content and each form XObject the page draws anew
    for every page, so a stream that pages share counts once per page: 3,000 pages sharing one 29 MB stream
    meant 3,000 parses of it (hours), and a file of a few hundred kilobytes."""
    tally = _Tally(limits)
    total = 0
    for index in range(count):
        try:
            total += tally.page(reader.pages[index], limits.pdf_max_total_bytes - total)
        except Exception:  # noqa: BLE001 - a page that cannot be measured is read (or reported) like the others
            _log.debug("measuring page %d of %s", index + 1, path, exc_info=True)
            _forget_unfinished(reader)
        if total > limits.pdf_max_total_bytes:
            raise OverLimit(
                path,
                f"PDF 的页面内容解压后共超过 {limits.pdf_max_total_mb:g} MB（读到第 {index + 1} 页时；多页共用的"
                "数据流每页都要重新解析，按页计算），可能是恶意构造的文件，已拒绝导入，其他文件照常导入；"
                "如确为正常文件，请拆分后再导入，或调大 ANQUAN_PDF_MAX_TOTAL_MB",
            )
    return tally


def _contents(page: DictionaryObject) -> list[StreamObject]:
    """The content streams of a page (one, or an array of them)."""
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    streams = [item.get_object() for item in contents] if isinstance(contents, ArrayObject) else [contents]
    return [stream for stream in streams if isinstance(stream, StreamObject)]


# an operator that fills (or paints an image or shading): content without one covers nothing
_FILLED = re.compile(rb"(?<!" + _DELIMITED + rb")(?:[fFBb]\*?|sh|BI)(?!" + _DELIMITED + rb")")
_PATH_OPERATORS = frozenset([b"m", b"l", b"c", b"v", b"y", b"h", b"re", b"W", b"W*"])
_FILL_OPERATORS = frozenset([b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"sh", b"INLINE IMAGE"])


def _painting(operations: list[Any]) -> list[Any]:
    """The operations that matter for what covers text: the state, and the paths that are filled or clip (the
    paths a form only strokes, a chart's lines, are left out); none when nothing is filled."""
    kept: list[Any] = []
    path: list[Any] = []
    for operation in operations:
        operator = operation[1]
        if operator in _PATH_OPERATORS:
            path.append(operation)
        elif operator in (b"S", b"s", b"n"):
            if any(op in (b"W", b"W*") for _, op in path):
                kept += [*path, (operation[0], b"n")]
            path = []
        else:
            kept += [*path, operation]
            path = []
    return kept if any(operation[1] in _FILL_OPERATORS for operation in kept) else []


def _appearance(annotation: DictionaryObject) -> StreamObject | None:
    """The normal appearance an annotation shows (in its state, /AS), None when it is hidden or has none."""
    flags = annotation.get("/F", 0)
    if not isinstance(flags, int) or flags & _UNSHOWN:
        return None
    appearance = _dictionary(annotation.get("/AP")).get("/N")
    appearance = appearance.get_object() if appearance is not None else None
    if isinstance(appearance, DictionaryObject) and not isinstance(appearance, StreamObject):
        state = annotation.get("/AS")  # one appearance per state: the one the annotation is in
        chosen = appearance.get(state) if state is not None else None
        appearance = chosen.get_object() if chosen is not None else None
    return appearance if isinstance(appearance, StreamObject) else None


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
        self.parsed: dict[int, tuple[Any, list[Any]]] = {}  # id of a form showing no text -> (it, its operations)
        self.unparsed = limits.pdf_max_total_bytes  # what may still be parsed of forms that show no text

    def operations(self, form: StreamObject, pdf: Any) -> list[Any] | None:
        """The operations of a form that shows no text that may paint over text (parsed once for the whole file;
        none when damaged or when nothing in it fills). None: parsing it would pass what the file may parse in
        all (limits.pdf_max_total_bytes, shared by these forms)."""
        known = self.parsed.get(id(form))
        if known is None:
            size, _, _ = self._stream(form)
            data = form.get_data() if size else b""
            operations: list[Any] = []
            if _FILLED.search(data):
                if size > self.unparsed:
                    return None
                self.unparsed -= size
                try:
                    operations = _painting(ContentStream(form, pdf).operations)
                except Exception:  # noqa: BLE001 - damaged: nothing of it is known to cover text
                    _log.debug("form content", exc_info=True)
            known = (form, operations)
            self.parsed[id(form)] = known
        return known[1]

    def page(self, page: DictionaryObject, budget: int) -> int:
        """The bytes the extraction parses for a page; once its content streams alone pass budget, what they came to
        so far (the rest are not decompressed: 40 streams of 30 MB on one page held 1.4 GB before it was refused)."""
        measured: list[tuple[int, bool, Counter[str]]] = []
        spent = 0
        for stream in _contents(page):
            measured.append(self._stream(stream))
            spent += measured[-1][0]
            if spent > budget:
                return spent
        if not any(shows for _, shows, _ in measured):
            return 0  # pypdf skips content that shows no text, and the forms it draws with it
        xobjects = _xobjects(page)
        return sum(
            size + sum(times * self._form(xobjects.get(name), set()) for name, times in drawn.items())
            for size, _, drawn in measured
        )

    def shows(self, stream: StreamObject) -> bool:
        """Whether the stream holds an operator that shows text or draws a form (pypdf parses it only then)."""
        return self._stream(stream)[1]

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


# --- what a reader sees of the text layer -----------------------------------------------------------------------------

_Matrix = list[float]  # [a b c d e f]: (x, y) goes to (a x + c y + e, b x + d y + f), as in a content stream
_Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in the page's default space (x0 <= x1, y0 <= y1)
_Rgb = tuple[float, float, float]
_Point = tuple[float, float]
_Shape = tuple[_Matrix, float, float, float, _Box | None]  # text's matrix, rise, size, width, and view
_IDENTITY: _Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
_PALE = 0.95  # colour components this near white (ink this near none) cannot be told from the paper
_CLEAR = 0.05  # an opacity (ExtGState /ca, /CA) at or under this shows nothing (black ink as pale as _PALE)
_SMALLEST = 1.0  # text under one point high cannot be read
_INVISIBLE_MODES = frozenset([3, 7])  # text render modes that paint nothing (7 only adds to the clip)
_STROKED_MODES = frozenset([1, 2, 5, 6])
_STROKE_ONLY_MODES = frozenset([1, 5])
_MOST_PAINTED = 10_000  # painted areas remembered per page (white text is seen on them)
_MOST_CHECKS = 2_000_000  # comparisons of white text with painted areas per page; past them white text is unseen
_OPAQUE = 1 - _CLEAR  # an opacity at or over this hides what is under it
_ALIKE = 1 - _PALE  # colours no component of which differs by more than this cannot be told apart
_COVERED = 0.9  # text with this share of its body under an opaque area: a sliver of it shows at most
_BODY = (-0.2, 0.8)  # where glyphs lie, in ems from the baseline (descenders to capitals; ascenders may pass it)
_MOST_PIECES = 64  # opaque areas remembered over one seen text (their union may cover it); later ones are ignored
_STRIPS = 8  # a slanted fill's share of a text's body is taken strip by strip: what lies inside it in each strip
_CURVE_STEPS = 16  # a filled curve is followed through this many points (the chords of a convex shape lie in it)
_UNSHOWN = 2 | 32  # annotation flags Hidden and NoView: its appearance is not shown
_LOSSLESS = frozenset(
    [
        "/FlateDecode",
        "/Fl",
        "/ASCII85Decode",
        "/A85",
        "/ASCIIHexDecode",
        "/AHx",
        "/LZWDecode",
        "/LZW",
        "/RunLengthDecode",
        "/RL",
    ]
)
_MOST_PIXELS = 65_536  # images up to this many pixels are looked at for being all of one colour
_CELLS = 16  # areas and text are found by place: the page cut into _CELLS x _CELLS cells
_MOST_LOOKS = 2_000_000  # areas and text looked at per page by place; past them the page's later text is unseen
_MOST_COLOURS = 64  # colours of painted areas told apart per page; past them every text is looked at
_LETTER: _Box = (0.0, 0.0, 612.0, 792.0)  # where cells are cut when the page has no proper box
_NORMAL_BLENDS = frozenset(["/Normal", "/Compatible"])
_DEVICE_SPACES = {
    "/DeviceGray": "gray",
    "/G": "gray",
    "/CalGray": "gray",
    "/DeviceRGB": "rgb",
    "/RGB": "rgb",
    "/CalRGB": "rgb",
    "/DeviceCMYK": "cmyk",
    "/CMYK": "cmyk",
}
_INITIAL = {  # the colour a colour space starts with (cs, CS)
    "gray": (0.0,),
    "rgb": (0.0, 0.0, 0.0),
    "cmyk": (0.0, 0.0, 0.0, 1.0),
    "icc-cmyk": (0.0, 0.0, 0.0, 0.0),
    "tint": (1.0,),
}


def _visible_text(page: Any, streams: list[StreamObject], tally: _Tally, layers: _Layers) -> tuple[str, int]:
    """The text of the page a reader sees, and how many text-showing operators were left out. Content that shows
    no text is handed to pypdf as before (it parses none of it). Text that an opaque fill or image painted later
    covers is known only once that is painted: the page is read again without it. A page that shows no visible
    text but text in an invisible render mode over what it paints (a page image, or the words drawn as outlines),
    or text its image covers, is a scan with the text layer its recognition (OCR) put there: read again, keeping
    that text."""
    if not any(tally.shows(stream) for stream in streams):
        return page.extract_text() or "", 0
    sight = _Sight(page, tally, layers)
    text = sight.read()
    sight.annotations()
    later = sight.covered | sight.under_image  # seen when shown, covered since
    if sight.shown == len(later) and (sight.invisible or sight.under_image) and sight.painted:
        sight = _Sight(page, tally, layers, scanned=sight.painted, drop=(sight.covered, sight.blind_from))
        text = sight.read()
    elif later:
        sight = _Sight(page, tally, layers, drop=(later, sight.blind_from))
        text = sight.read()
    return text, sight.dropped


class _Layers:
    """The optional-content groups (layers) that are off in the document's default view: content marked with
    one of them is not shown."""

    def __init__(self, reader: PdfReader):
        self.present = False
        self.off: set[Any] = set()
        try:
            properties = _dictionary(_dictionary(reader.trailer.get("/Root")).get("/OCProperties"))
            if "/OCGs" not in properties and "/D" not in properties:
                return
            self.present = True
            view = properties.get("/D")
            view = view.get_object() if view is not None else None
            if not isinstance(view, DictionaryObject):
                return
            if view.get("/BaseState") == "/OFF":
                on = {_key(group) for group in _items(view.get("/ON"))}
                self.off = {_key(group) for group in _items(properties.get("/OCGs"))} - on
            else:
                self.off = {_key(group) for group in _items(view.get("/OFF"))}
        except Exception:  # noqa: BLE001 - damaged optional-content entries: every layer is shown
            _log.debug("optional content", exc_info=True)

    def hides(self, entry: Any) -> bool:
        """Whether content marked with this group or membership dictionary is hidden in the default view."""
        entry = entry.get_object() if entry is not None else None
        if not self.present or not isinstance(entry, DictionaryObject):
            return False
        if entry.get("/Type") != "/OCMD":
            return _key(entry) in self.off
        states = [_key(group) in self.off for group in _items(entry.get("/OCGs"))]  # True: that group is off
        if not states:
            return False
        policy = entry.get("/P", "/AnyOn")
        if policy == "/AllOn":
            return any(states)
        if policy == "/AnyOff":
            return not any(states)
        if policy == "/AllOff":
            return not all(states)
        return all(states)


def _items(value: Any) -> list[Any]:
    """An array's items, or the one object given instead of an array."""
    value = value.get_object() if value is not None else None
    if isinstance(value, ArrayObject):
        return list(value)
    return [] if value is None else [value]


def _key(item: Any) -> Any:
    """The object number of an (indirect) object, or its identity when it has none."""
    reference = item if isinstance(item, IndirectObject) else getattr(item.get_object(), "indirect_reference", None)
    return (reference.idnum, reference.generation) if reference is not None else id(item.get_object())


@dataclasses.dataclass
class _Look:
    """The part of the graphics state that decides whether text is seen (saved by q, restored by Q)."""

    view: _Box | None  # the page's visible box within the clip; None: not known, nothing left out for its place
    mode: int = 0  # text render mode
    fill: str = "gray"  # colour space families: gray, rgb, cmyk, tint (separations), none (never marks), other
    fill_white: bool = False
    fill_rgb: _Rgb | None = (0.0, 0.0, 0.0)  # the colour as red, green, blue (None: not a device colour)
    fill_alpha: float = 1.0
    stroke: str = "gray"
    stroke_white: bool = False
    stroke_rgb: _Rgb | None = (0.0, 0.0, 0.0)
    stroke_alpha: float = 1.0
    blend: bool = True  # the normal blend mode: what is painted replaces what is under it
    masked: bool = False  # a soft mask: what is painted may let what is under it through
    exact: bool = True  # the view is exactly what the clip lets through (every clip an upright rectangle)
    size: float = 12.0  # font size (pypdf's default before any Tf)
    type3: bool = False  # a Type 3 font scales its glyphs itself: its size says nothing
    wide: bool = False  # a composite (Type 0) font: mostly two bytes a glyph
    hscale: float = 1.0
    spacing: float = 0.0
    rise: float = 0.0

    def copy(self) -> _Look:
        return dataclasses.replace(self)


@dataclasses.dataclass
class _Frame:
    """What drawing a form changes, to be put back when it ends."""

    look: _Look
    saved: int
    base: _Matrix
    resources: DictionaryObject
    marks: int
    floor: int
    off: int
    restore: tuple[StreamObject, Any] | None = None


class _Sight:
    """Follows a page's content as pypdf extracts its text (its visitor hooks) and empties, for pypdf, each
    text-showing operator a reader does not see: nothing else of pypdf's output changes, so the text of a page
    with nothing hidden is exactly what pypdf gives. pypdf's own state gives the matrices; this class follows
    what pypdf does not: the render mode, colours and opacity, the clip, optional content, forms' matrices and
    boxes, and the areas painted under and over the text.

    Text-showing operators are numbered in the order pypdf meets them (the same in every reading of the page). A
    first reading notes the seen text that an opaque fill or image painted later covers; the second is given
    their numbers (drop) and leaves them out."""

    def __init__(
        self,
        page: Any,
        tally: _Tally,
        layers: _Layers,
        scanned: list[_Box] | None = None,
        drop: tuple[set[int], int | None] | None = None,
    ):
        self.page = page
        self.tally = tally
        self.layers = layers
        self.scanned = scanned  # what a scanned page paints: invisible text over it is its recognised text
        self.look = _Look(view=_page_box(page))
        self.saved: list[_Look] = []
        self.frames: list[_Frame] = []
        self.base = _IDENTITY  # from the space of the form being drawn to the page's
        self.resources = _dictionary(page.get_inherited("/Resources", None))
        self.marks: list[bool] = []  # open marked-content sequences: whether each hides its content
        self.floor = 0  # marks of the forms being drawn are not closed by the form's content
        self.off = 0  # open marked-content sequences in a layer that is off
        self.path: _Box | None = None
        self.rects: list[_Box] | None = []  # the path's upright rectangles (None: it has other parts)
        self.turns: set[bool] = set()  # which way round they go (a fill's holes: opposite turns, nonzero rule)
        self.polygons: list[list[_Point]] | None = []  # the path's subpaths of straight lines (None: it has curves)
        self.clipping = False
        self.painted: list[_Box] = []  # areas painted in something other than white (fills, images, forms)
        self.checks = _MOST_CHECKS
        self.swap: tuple[list[Any], int, Any] | None = None
        self.shown = 0
        self.dropped = 0
        self.invisible = 0  # left out for their invisible render mode alone
        cells = self.look.view or _LETTER
        self.grounds = _Grid(cells)  # everything painted, in order: its area and colour (None: unknown, mixed)
        self.pending = _Grid(cells)  # seen text (first reading): its body and number; None once covered
        self.unplaced: list[tuple[_Shape, int]] = []  # seen text not yet in pending (nothing painted since)
        self.colours: set[_Rgb] = set()  # the colours of the areas painted (up to _MOST_COLOURS of them)
        self.alike: dict[tuple[_Rgb | None, ...], bool] = {}  # text colours: whether an area is in them
        self.looks = _MOST_LOOKS
        self.spent = False  # this reading ran out of looks
        self.count = 0  # text-showing operators met
        self.covered: set[int] = set()  # seen text an opaque fill painted later covers
        self.under_image: set[int] = set()  # seen text an opaque image painted later covers (and no fill)
        # a second reading: the numbers of the text covered later, and where the first ran out of looks
        self.drop: set[int] | None = drop[0] if drop is not None else None
        self.blind_from: int | None = drop[1] if drop is not None else None

    def read(self) -> str:
        return self.page.extract_text(visitor_operand_before=self.before, visitor_operand_after=self.after) or ""

    def before(self, operator: bytes, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        if operator == b"Do":  # pushed whatever happens: after() pops it
            self.frames.append(
                _Frame(self.look, len(self.saved), self.base, self.resources, len(self.marks), self.floor, self.off)
            )
        handler = _HANDLERS.get(operator)
        if handler is None:
            return
        try:
            handler(self, operands, cm, tm)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - malformed operands: the state stays as it was, the text is kept
            _log.debug("operator %r", operator, exc_info=True)

    def after(self, operator: bytes, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        if self.swap is not None:
            shown_in, index, original = self.swap
            shown_in[index] = original  # the content as it was, whatever reads it next
            self.swap = None
        if operator == b"Do" and self.frames:
            frame = self.frames.pop()
            self.look, self.base, self.resources = frame.look, frame.base, frame.resources
            del self.saved[frame.saved :]
            del self.marks[frame.marks :]
            self.floor, self.off = frame.floor, frame.off
            self._new_path()
            if frame.restore is not None:
                form, resources = frame.restore
                form[NameObject("/Resources")] = resources

    # text

    def _show(self, operands: Any, cm: _Matrix, tm: _Matrix, index: int = 0) -> None:
        if len(operands) <= index:
            return
        shown = operands[index]
        units, gaps = _extent(shown)
        if units == 0:
            return
        number = self.count
        self.count += 1
        try:
            seen = self._seen(number, units, gaps, cm, tm)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - what cannot be worked out is kept
            _log.debug("text visibility", exc_info=True)
            seen = True
        if seen:
            self.shown += 1
            return
        self.dropped += 1
        self.swap = (operands, index, shown)
        operands[index] = ArrayObject() if isinstance(shown, list) else ByteStringObject(b"")

    def _seen(self, number: int, units: int, gaps: float, cm: _Matrix, tm: _Matrix) -> bool:
        look = self.look
        if self.off or (self.drop is not None and number in self.drop):
            return False
        if self.blind_from is not None and number >= self.blind_from:
            return False
        matrix = _mul(tm, _mul(cm, self.base))
        size = abs(look.size)
        if not look.type3 and size * math.hypot(matrix[2], matrix[3]) < _SMALLEST:
            return False
        if not look.type3 and size * abs(look.hscale) * math.hypot(matrix[0], matrix[1]) < _SMALLEST:
            return False  # glyphs squeezed under a point wide (1 Tz, a text matrix of 0.005): as unreadable
        # a box at least as large as the glyphs: a glyph is at most one em wide (a byte per glyph or more)
        width = (units * (size + max(look.spacing, 0.0)) + gaps * size / 1000) * look.hscale
        box = _transformed((0.0, look.rise - size, width, look.rise + size), matrix)
        if not all(math.isfinite(edge) for edge in box):
            return True  # a matrix out of range: no place to judge by
        if not _meets(box, look.view):
            return False
        if look.mode in _INVISIBLE_MODES:
            if self.scanned is not None and self._over(box, self.scanned):
                return True
            self.invisible += 1
            return False
        inks = []
        if look.mode not in _STROKE_ONLY_MODES:
            inks.append((look.fill_alpha > _CLEAR and look.fill != "none", look.fill_white, look.fill_rgb))
        if look.mode in _STROKED_MODES:
            inks.append((look.stroke_alpha > _CLEAR and look.stroke != "none", look.stroke_white, look.stroke_rgb))
        if not any(opaque and not white for opaque, white, _ in inks) and not (
            any(opaque for opaque, _, _ in inks) and self._over(box, self.painted)  # white: seen on a painted area
        ):
            return False
        if look.type3:
            return True  # its glyphs' place is not known
        if look.wide:  # the glyphs' likely width, not the most they could take: two bytes a glyph
            width = (units / 2 * (size + max(look.spacing, 0.0)) + gaps * size / 1000) * look.hscale
        shape = (matrix, look.rise, size, width, look.view)
        colours = tuple(colour for opaque, _, colour in inks if opaque)
        if self._may_lie_on_alike(colours):
            body = _body(shape)
            if body is not None and self._on_alike(number, body, colours):
                return False
        if self.drop is None:
            self.unplaced.append((shape, number))  # placed when something is painted that may cover it
        return self.blind_from is None or number < self.blind_from

    def _over(self, box: _Box, areas: list[_Box]) -> bool:
        """Whether the box meets one of the areas (the latest first), within the page's budget of comparisons."""
        if len(areas) > self.checks:
            return False
        self.checks -= len(areas)
        return any(_meets(box, area) for area in reversed(areas))

    def _may_lie_on_alike(self, colours: tuple[_Rgb | None, ...]) -> bool:
        """Whether an area in the text's colours was painted on the page (before looking for one under it)."""
        if not self.grounds.items:
            return False
        if len(self.colours) > _MOST_COLOURS:
            return True
        known = self.alike.get(colours)
        if known is None:
            known = any(all(ink is not None and _alike(ink, colour) for ink in colours) for colour in self.colours)
            self.alike[colours] = known
        return known

    def _on_alike(self, number: int, body: _Box, colours: tuple[_Rgb | None, ...]) -> bool:
        """Whether the text lies on an opaque area of its own colours: the latest area painted under it that covers
        it is in its colours, and nothing in other colours (or in colours not known) was painted on its place
        since. Past the page's budget of looks, text is unseen."""
        lists = self.grounds.near(body)
        previous = -1
        for index in heapq.merge(*(reversed(cell) for cell in lists), reverse=True):
            if index == previous:
                continue  # an area in several cells
            previous = index
            if not self._spend(1, number):
                return True
            area, colour = self.grounds.items[index]
            if not _meets(body, area):
                continue
            if colour is None or not all(ink is not None and _alike(ink, colour) for ink in colours):
                return False
            if _share(body, area) >= _COVERED:
                return True
        return False

    def _place(self) -> bool:
        """The seen text kept for what is painted over it (first reading) placed on the page's cells."""
        for shape, number in self.unplaced:
            body = _body(shape)
            if body is not None and not self._spend(self.pending.add(body, (body, number, [])), number):
                return False
        self.unplaced.clear()
        return True

    def _cover(self, area: _Box | None, image: bool, polygon: list[_Point] | None = None) -> None:
        """An opaque area painted (a convex polygon within the area's box, when given): the seen text it covers
        is noted (first reading). What several areas painted over a text cover together counts: their union."""
        if self.drop is not None or self.spent or area is None or self.off or not _proper(area):
            return
        if not self._place():
            return
        lists = self.pending.near(area)
        if not self._spend(sum(len(cell) for cell in lists), self.count):
            return
        left, bottom, right, top = area
        items = self.pending.items
        for index in lists[0] if len(lists) == 1 else {index for cell in lists for index in cell}:
            item = items[index]
            if item is None:
                continue
            body = item[0]
            if body[0] >= right or body[2] <= left or body[1] >= top or body[3] <= bottom:
                continue  # apart (most of what is near)
            if polygon is None:
                pieces = [area]
            else:
                pieces = [
                    (max(x0, left), max(y0, bottom), min(x1, right), min(y1, top))
                    for x0, y0, x1, y1 in _inside(polygon, body)
                ]
                if not self._spend(_STRIPS, self.count):
                    return
            pieces = [piece for piece in (_meet(piece, body) for piece in pieces) if piece and _area(piece) > 0]
            if not pieces:
                continue
            kept = item[2]
            kept.extend((piece, image) for piece in pieces[: max(_MOST_PIECES - len(kept), 0)])
            if not self._spend(len(kept) ** 2, self.count):
                return
            fills = _covers(body, [piece for piece, by_image in kept if not by_image])
            whole = fills or _covers(body, [piece for piece, _ in kept])
            if fills:
                self.covered.add(item[1])
                items[index] = None
            elif whole:
                self.under_image.add(item[1])  # a scan's image over its recognised text, or text hidden under it

    def _ground(self, area: _Box | None, colour: _Rgb | None) -> None:
        """Something painted (colour None: a colour not known, or not the same all over, or not opaque)."""
        if self.spent or area is None or self.off or not _proper(area):
            return
        if colour is not None and colour not in self.colours and len(self.colours) <= _MOST_COLOURS:
            self.colours.add(colour)
            self.alike.clear()
        self._spend(self.grounds.add(area, (area, colour)), self.count)

    def _spend(self, looks: int, number: int) -> bool:
        """Take looks from the page's budget; past it, the text from this number on is unseen, and so is the
        seen text kept for what is painted later (the page was made to be too costly to follow: no text of it
        is taken on trust)."""
        if looks <= self.looks:
            self.looks -= looks
            return True
        self.looks, self.spent = 0, True
        if self.blind_from is None or number < self.blind_from:
            self.blind_from = number
        self.covered.update(item[1] for item in self.pending.items if item is not None)
        self.covered.update(number for _, number in self.unplaced)
        self.pending.items = [None] * len(self.pending.items)
        self.unplaced.clear()
        return False

    def _quote(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # aw ac string "
        self.look.spacing = float(operands[1])
        self._show(operands, cm, tm, 2)

    # text state

    def _font(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.look.size = float(operands[1])
        font = self._resource("/Font", operands[0])
        self.look.type3 = isinstance(font, DictionaryObject) and font.get("/Subtype") == "/Type3"
        self.look.wide = isinstance(font, DictionaryObject) and font.get("/Subtype") == "/Type0"

    def _mode(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.look.mode = int(operands[0])
        if self.look.mode >= 4:
            self.look.exact = False  # the glyphs will clip what is painted: the view's box holds more than it

    def _hscale(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.look.hscale = float(operands[0]) / 100

    def _spacing(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.look.spacing = float(operands[0])

    def _rise(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.look.rise = float(operands[0])

    # graphics state

    def _save(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        self.saved.append(self.look.copy())

    def _restore(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        if len(self.saved) > (self.frames[-1].saved if self.frames else 0):
            self.look = self.saved.pop()

    def _state(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        state = self._resource("/ExtGState", operands[0])
        if not isinstance(state, DictionaryObject):
            return
        fill, stroke = state.get("/ca"), state.get("/CA")
        if isinstance(fill, (int, float)):
            self.look.fill_alpha = float(fill)
        if isinstance(stroke, (int, float)):
            self.look.stroke_alpha = float(stroke)
        blend = _items(state.get("/BM"))
        if blend:
            self.look.blend = blend[0] in _NORMAL_BLENDS  # an array: the first mode a viewer knows (all know these)
        mask = state.get("/SMask")
        if mask is not None:
            self.look.masked = mask.get_object() != "/None"
        font = state.get("/Font")
        font = font.get_object() if font is not None else None
        if isinstance(font, ArrayObject) and len(font) == 2:
            self.look.size = float(font[1])
            self.look.type3 = _dictionary(font[0]).get("/Subtype") == "/Type3"
            self.look.wide = _dictionary(font[0]).get("/Subtype") == "/Type0"

    def _colour(self, stroke: bool, family: str | None, operands: Any) -> None:
        """A colour set (g, rg, k; sc, scn in the current space when family is None)."""
        look = self.look
        if family is None:
            family = look.stroke if stroke else look.fill
            if any(isinstance(value, NameObject) for value in operands):
                family = "other"  # a pattern: not white
        values = tuple(float(value) for value in operands if isinstance(value, (int, float)))
        white, rgb = _white(family, values), _rgb(family, values)
        if stroke:
            look.stroke, look.stroke_white, look.stroke_rgb = family if family != "other" else look.stroke, white, rgb
        else:
            look.fill, look.fill_white, look.fill_rgb = family if family != "other" else look.fill, white, rgb

    def _space(self, stroke: bool, operands: Any) -> None:
        """cs, CS: the colour space, and its initial colour."""
        family = self._family(operands[0])
        initial = _INITIAL.get(family, ())
        white, rgb = _white(family, initial), _rgb(family, initial)
        if stroke:
            self.look.stroke, self.look.stroke_white, self.look.stroke_rgb = family, white, rgb
        else:
            self.look.fill, self.look.fill_white, self.look.fill_rgb = family, white, rgb

    def _family(self, name: Any) -> str:
        if name in _DEVICE_SPACES:
            return _DEVICE_SPACES[name]
        entry = self._resource("/ColorSpace", name)
        if isinstance(entry, NameObject):
            return _DEVICE_SPACES.get(entry, "other")
        if not isinstance(entry, ArrayObject) or not entry:
            return "other"
        kind = entry[0]
        if kind in _DEVICE_SPACES:
            return _DEVICE_SPACES[kind]
        if kind == "/ICCBased" and len(entry) > 1:
            components = _dictionary(entry[1]).get("/N")
            family = {1: "gray", 3: "rgb", 4: "cmyk"}.get(int(components) if components is not None else 0)
            return "icc-cmyk" if family == "cmyk" else family or "other"  # ICC spaces start at all components 0
        if kind in ("/Separation", "/DeviceN") and len(entry) > 1:
            names = _items(entry[1]) if kind == "/DeviceN" else [entry[1].get_object()]
            return "none" if names and all(name == "/None" for name in names) else "tint"
        return "other"

    # marked content (optional content)

    def _mark(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # BMC
        self.marks.append(False)

    def _marked(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # BDC
        hides = False
        try:
            if len(operands) > 1 and operands[0] == "/OC":
                entry = operands[1]
                hides = self.layers.hides(
                    self._resource("/Properties", entry) if isinstance(entry, NameObject) else entry
                )
        finally:
            self.marks.append(hides)
            self.off += hides

    def _unmark(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # EMC
        if len(self.marks) > self.floor:
            self.off -= self.marks.pop()

    # paths, clip, painting

    def _points(self, cm: _Matrix, values: list[float]) -> None:
        box = _transformed(_bounds(values), _mul(cm, self.base))
        self.path = box if self.path is None else _union(self.path, box)

    def _line(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # m l c v y
        self._points(cm, [float(value) for value in operands])
        self.rects = None

    def _move(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # m
        self._line(operands, cm, tm)
        if self.polygons is not None:
            self.polygons.append([_apply(_mul(cm, self.base), float(operands[0]), float(operands[1]))])

    def _straight(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # l
        self._line(operands, cm, tm)
        if self.polygons is not None:
            point = _apply(_mul(cm, self.base), float(operands[0]), float(operands[1]))
            if self.polygons:
                self.polygons[-1].append(point)
            else:
                self.polygons = None  # a line from no current point: damaged

    def _curve(self, operands: Any, cm: _Matrix, tm: _Matrix, kind: str = "c") -> None:  # c v y
        self._line(operands, cm, tm)
        if not self.polygons:
            self.polygons = None
            return
        matrix = _mul(cm, self.base)
        values = [float(value) for value in operands]
        given = [_apply(matrix, values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
        start = self.polygons[-1][-1]
        if kind == "v" and len(given) == 2:
            controls = [start, start, given[0], given[1]]
        elif kind == "y" and len(given) == 2:
            controls = [start, given[0], given[1], given[1]]
        elif kind == "c" and len(given) == 3:
            controls = [start, *given]
        else:
            self.polygons = None
            return
        self.polygons[-1].extend(_bezier(controls, step / _CURVE_STEPS) for step in range(1, _CURVE_STEPS + 1))

    def _rectangle(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # re
        x, y, w, h = (float(value) for value in operands[:4])
        matrix = _mul(cm, self.base)
        box = _transformed(_bounds([x, y, x + w, y + h]), matrix)
        self.path = box if self.path is None else _union(self.path, box)
        if self.polygons is not None:
            corners = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
            self.polygons.append([_apply(matrix, cx, cy) for cx, cy in corners])
        if self.rects is not None and _upright(matrix):
            self.rects.append(box)
            self.turns.add((w * h > 0) == (matrix[0] * matrix[3] - matrix[1] * matrix[2] > 0))
        else:
            self.rects = None

    def _clip(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # W W*
        self.clipping = True

    def _fill(self, operands: Any, cm: _Matrix, tm: _Matrix, even_odd: bool = False) -> None:  # f F f* B B* b b*
        look = self.look
        if self.path is not None and not look.fill_white and look.fill_alpha > _CLEAR:
            self._paint(self.path)
        if self.path is not None and look.fill_alpha > _CLEAR and look.fill != "none":
            rects = self.rects
            # rectangles filled whole: one, or several going the same way round under the nonzero rule
            whole = rects is not None and (len(rects) == 1 or not even_odd and len(self.turns) == 1)
            if rects and whole and look.fill_rgb is not None and self._opaque():
                for rect in rects:
                    area = _meet(rect, look.view)
                    self._ground(area, look.fill_rgb)
                    self._cover(area, image=False)
            else:
                self._ground(_meet(self.path, look.view), None)
                polygons = _convex(self.polygons, even_odd)
                if polygons and look.fill_rgb is not None and self._opaque():
                    for polygon in polygons:  # slanted boxes and other straight-edged shapes, filled whole
                        self._cover(_meet(_bounds([v for point in polygon for v in point]), look.view), False, polygon)
        self._end_path(operands, cm, tm)

    def _opaque(self) -> bool:
        """Whether what is painted now hides what is under it, exactly within its area."""
        look = self.look
        return look.fill_alpha >= _OPAQUE and look.blend and not look.masked and look.exact

    def _end_path(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # S s n, and after a fill
        if self.clipping and self.path is not None:
            self.look.view = _meet(self.look.view, self.path)  # the path's box holds the clip: never too small
            self.look.exact = self.look.exact and self.rects is not None and len(self.rects) == 1
        self._new_path()

    def _new_path(self) -> None:
        self.path, self.clipping, self.rects, self.turns, self.polygons = None, False, [], set(), []

    def _shade(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # sh paints the whole clip
        if self.look.view is not None:
            self._paint(self.look.view)
            self._ground(self.look.view, None)
            shading = self._resource("/Shading", operands[0])
            if isinstance(shading, DictionaryObject) and _everywhere(shading) and self._opaque():
                matrix = _mul(cm, self.base)
                box = _rectangle_of(shading.get("/BBox"))  # the shading's own clip, in the space sh is used in
                if box is None:
                    self._cover(self.look.view, image=False)
                elif _upright(matrix):
                    self._cover(_meet(self.look.view, _transformed(box, matrix)), image=False)

    def _inline_image(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:
        settings = operands.get("settings") if isinstance(operands, dict) else None
        self._image(cm, isinstance(settings, DictionaryObject) and _solid(settings))

    def _image(self, cm: _Matrix, solid: bool, image: StreamObject | None = None) -> None:
        matrix = _mul(cm, self.base)
        box = _transformed((0.0, 0.0, 1.0, 1.0), matrix)
        colour = None
        if image is not None and solid and _upright(matrix) and self._opaque():
            colour = _one_colour(image)  # an image all of one colour is painted like a fill of it
        if colour is None or min(colour) < _PALE:
            self._paint(box)
        area = _meet(box, self.look.view)
        self._ground(area, colour)
        if solid and _upright(matrix) and self._opaque():
            self._cover(area, image=True)

    def _paint(self, box: _Box) -> None:
        if not self.off and len(self.painted) < _MOST_PAINTED and _meets(box, self.look.view):
            self.painted.append(box)

    # forms and images

    def _draw(self, operands: Any, cm: _Matrix, tm: _Matrix) -> None:  # Do (the frame is pushed by before())
        xobject = self._resource("/XObject", operands[0])
        if not isinstance(xobject, StreamObject):
            return
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            self._image(cm, _solid(xobject), xobject)
            return
        if subtype != "/Form":
            return
        self.base = _mul(_matrix(xobject.get("/Matrix")), _mul(cm, self.base))
        self.look = self.look.copy()
        bbox = _rectangle_of(xobject.get("/BBox"))
        area = _transformed(bbox, self.base) if bbox is not None else None
        self.look.view = _meet(self.look.view, area)
        self.look.exact = self.look.exact and (area is None or _upright(self.base))
        self.resources = _dictionary(xobject.get("/Resources"))
        self.floor = len(self.marks)
        self._new_path()
        if "/OC" in xobject and self.layers.hides(xobject["/OC"]):
            self.marks.append(True)
            self.off += 1
        if not self.tally.shows(xobject):
            # no text in it: pypdf does not parse it without visitors; without resources it does not with them
            # either (its text is empty both ways). What it draws may lie under white text; what it fills opaquely
            # covers text like the page's own fills.
            self._walk(xobject)
            self._paint(area if area is not None else self.look.view or (0.0, 0.0, 0.0, 0.0))
            self._ground(self.look.view, None)
            resources = xobject.raw_get("/Resources") if "/Resources" in xobject else None
            if resources is not None:
                del xobject["/Resources"]
                self.frames[-1].restore = (xobject, resources)

    def _walk(self, form: StreamObject) -> None:
        """Follows the paths, fills, images and graphics state of a form that shows no text (pypdf does not parse
        it), in the form's space (self.base), each operation taking a look from the page's budget."""
        operations = self.tally.operations(form, getattr(self.page, "pdf", None))
        if operations is None:
            self._spend(self.looks + 1, self.count)  # too costly to follow: the text from here on is unseen
        if not operations or not self._spend(len(operations), self.count):
            return
        cm, stack = _IDENTITY, []
        for operands, operator in operations:
            if operator == b"q":
                stack.append(cm)
            elif operator == b"Q" and stack:
                cm = stack.pop()
            elif operator == b"cm":
                try:
                    cm = _mul([float(value) for value in operands[:6]], cm) if len(operands) >= 6 else cm
                except (TypeError, ValueError):
                    pass
            if operator != b"Do":
                self.before(operator, operands, cm, _IDENTITY)
        self._new_path()

    def annotations(self) -> None:
        """Paints what the page's annotations show (their normal appearances, over the page's content), first
        reading only: an opaque fill in one covers the text under it like one of the page's own."""
        if self.drop is not None or self.spent:
            return
        for entry in _items(self.page.get("/Annots")):
            try:
                self._annotation(_dictionary(entry))
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - a damaged annotation covers nothing
                _log.debug("annotation", exc_info=True)

    def _annotation(self, annotation: DictionaryObject) -> None:
        appearance = _appearance(annotation)
        if appearance is None or self.layers.hides(annotation.get("/OC")) or self.tally.shows(appearance):
            return  # text in an appearance is not read (nor counted): its fills are followed only without it
        rect, bbox = _rectangle_of(annotation.get("/Rect")), _rectangle_of(appearance.get("/BBox"))
        if rect is None or bbox is None:
            return
        matrix = _matrix(appearance.get("/Matrix"))
        shown = _transformed(bbox, matrix)  # fitted to the annotation's rectangle (PDF 32000 12.5.5)
        if shown[2] - shown[0] <= 0 or shown[3] - shown[1] <= 0:
            return
        sx, sy = (rect[2] - rect[0]) / (shown[2] - shown[0]), (rect[3] - rect[1]) / (shown[3] - shown[1])
        self.base = _mul(matrix, [sx, 0.0, 0.0, sy, rect[0] - shown[0] * sx, rect[1] - shown[1] * sy])
        self.look = _Look(view=_meet(_page_box(self.page), rect))
        self.saved, self.marks, self.floor, self.off = [], [], 0, 0
        self.resources = _dictionary(appearance.get("/Resources"))
        self._new_path()
        self._walk(appearance)

    def _resource(self, kind: str, name: Any) -> Any:
        group = _dictionary(self.resources.get(kind))
        entry = group.get(name)
        return entry.get_object() if entry is not None else None


class _Grid:
    """Areas in the order they were added (each with a value), found by place: the page is cut into cells and an
    area is listed in every cell it meets (those off the page in the cells at its edge)."""

    def __init__(self, page: _Box):
        self.x, self.y = page[0], page[1]
        self.width = max(page[2] - page[0], 1.0) / _CELLS
        self.height = max(page[3] - page[1], 1.0) / _CELLS
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[Any] = []

    def add(self, area: _Box, item: Any) -> int:
        """Lists the item; returns in how many cells."""
        index = len(self.items)
        self.items.append(item)
        cells = self._cells(area)
        for cell in cells:
            self.cells.setdefault(cell, []).append(index)
        return len(cells)

    def near(self, area: _Box) -> list[list[int]]:
        """The lists (item numbers, in the order added) of the cells the area meets."""
        return [self.cells[cell] for cell in self._cells(area) if cell in self.cells]

    def _cells(self, area: _Box) -> list[tuple[int, int]]:
        x0, x1 = _cell(area[0], self.x, self.width), _cell(area[2], self.x, self.width)
        y0, y1 = _cell(area[1], self.y, self.height), _cell(area[3], self.y, self.height)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]


def _cell(value: float, start: float, size: float) -> int:
    place = (value - start) / size
    return int(min(place, _CELLS - 1)) if place >= 0 else 0  # NaN too: the first cell


def _colour_handler(stroke: bool, family: str | None) -> Any:
    return lambda sight, operands, cm, tm: sight._colour(stroke, family, operands)


_HANDLERS: dict[bytes, Any] = {
    b"Tj": _Sight._show,
    b"TJ": _Sight._show,
    b"'": _Sight._show,
    b'"': _Sight._quote,
    b"Tf": _Sight._font,
    b"Tr": _Sight._mode,
    b"Tz": _Sight._hscale,
    b"Tc": _Sight._spacing,
    b"Ts": _Sight._rise,
    b"q": _Sight._save,
    b"Q": _Sight._restore,
    b"gs": _Sight._state,
    b"g": _colour_handler(False, "gray"),
    b"G": _colour_handler(True, "gray"),
    b"rg": _colour_handler(False, "rgb"),
    b"RG": _colour_handler(True, "rgb"),
    b"k": _colour_handler(False, "cmyk"),
    b"K": _colour_handler(True, "cmyk"),
    b"sc": _colour_handler(False, None),
    b"scn": _colour_handler(False, None),
    b"SC": _colour_handler(True, None),
    b"SCN": _colour_handler(True, None),
    b"cs": lambda sight, operands, cm, tm: sight._space(False, operands),
    b"CS": lambda sight, operands, cm, tm: sight._space(True, operands),
    b"BMC": _Sight._mark,
    b"BDC": _Sight._marked,
    b"EMC": _Sight._unmark,
    b"m": _Sight._move,
    b"l": _Sight._straight,
    b"c": _Sight._curve,
    b"v": lambda sight, operands, cm, tm: sight._curve(operands, cm, tm, "v"),
    b"y": lambda sight, operands, cm, tm: sight._curve(operands, cm, tm, "y"),
    b"re": _Sight._rectangle,
    b"W": _Sight._clip,
    b"W*": _Sight._clip,
    b"f": _Sight._fill,
    b"F": _Sight._fill,
    b"f*": lambda sight, operands, cm, tm: sight._fill(operands, cm, tm, even_odd=True),
    b"B": _Sight._fill,
    b"B*": lambda sight, operands, cm, tm: sight._fill(operands, cm, tm, even_odd=True),
    b"b": _Sight._fill,
    b"b*": lambda sight, operands, cm, tm: sight._fill(operands, cm, tm, even_odd=True),
    b"S": _Sight._end_path,
    b"s": _Sight._end_path,
    b"n": _Sight._end_path,
    b"sh": _Sight._shade,
    b"INLINE IMAGE": _Sight._inline_image,
    b"Do": _Sight._draw,
}


def _white(family: str, values: tuple[float, ...]) -> bool:
    """Whether a colour cannot be told from white paper (or, for a separation, puts no ink on it)."""
    if family == "none":
        return True
    if family == "gray":
        return len(values) == 1 and values[0] >= _PALE
    if family == "rgb":
        return len(values) == 3 and min(values) >= _PALE
    if family in ("cmyk", "icc-cmyk"):
        return len(values) == 4 and max(values) <= 1 - _PALE
    if family == "tint":
        return bool(values) and max(values) <= 1 - _PALE
    return False


def _rgb(family: str, values: tuple[float, ...]) -> _Rgb | None:
    """A device colour as red, green, blue (None: another kind of colour, or not known)."""
    values = tuple(min(max(value, 0.0), 1.0) for value in values)
    if family == "gray" and len(values) == 1:
        return (values[0], values[0], values[0])
    if family == "rgb" and len(values) == 3:
        return (values[0], values[1], values[2])
    if family in ("cmyk", "icc-cmyk") and len(values) == 4:
        cyan, magenta, yellow, black = values
        return ((1 - cyan) * (1 - black), (1 - magenta) * (1 - black), (1 - yellow) * (1 - black))
    return None


def _alike(a: _Rgb, b: _Rgb) -> bool:
    return all(abs(x - y) <= _ALIKE for x, y in zip(a, b, strict=True))


def _solid(image: DictionaryObject) -> bool:
    """Whether an image paints all of its box: not a stencil, no mask, no transparency of its own."""
    if image.get("/ImageMask", image.get("/IM")) or "/SMask" in image or "/Mask" in image:
        return False
    return not image.get("/SMaskInData", 0)


def _everywhere(shading: DictionaryObject) -> bool:
    """Whether a shading paints all of the clip (an axial one extended both ways; the others may leave parts)."""
    extend = _items(shading.get("/Extend"))
    return (
        shading.get("/ShadingType") == 2
        and len(extend) == 2
        and all(getattr(item, "value", None) is True for item in extend)
    )


def _one_colour(image: StreamObject) -> _Rgb | None:
    """The colour of a small image in a device grey or RGB space, 8 bits a component and no filter other than
    lossless ones pypdf undoes, when all of its pixels have it (None: another image, or one of several colours)."""
    width, height, bits = image.get("/Width"), image.get("/Height"), image.get("/BitsPerComponent")
    space = image.get("/ColorSpace")
    family = _DEVICE_SPACES.get(space.get_object()) if space is not None else None
    filters = [item for item in _items(image.get("/Filter")) if item not in _LOSSLESS]
    if not (isinstance(width, int) and isinstance(height, int)) or bits != 8 or filters or "/Decode" in image:
        return None
    components = {"gray": 1, "rgb": 3}.get(family or "")
    if components is None or not 0 < width * height <= _MOST_PIXELS:
        return None
    data = image.get_data()
    if len(data) < width * height * components:
        return None
    pixel = data[:components]
    if data[: width * height * components] != pixel * (width * height):
        return None
    return _rgb(family or "", tuple(value / 255 for value in pixel))


def _extent(shown: Any) -> tuple[int, float]:
    """The bytes a text-showing operand shows (at least one per glyph) and its TJ gaps (thousandths of an em)."""
    if isinstance(shown, list):
        units = sum(_length(item) for item in shown if isinstance(item, (str, bytes)) and not _is_name(item))
        gaps = sum(max(0.0, -float(item)) for item in shown if isinstance(item, (int, float)))
        return units, gaps
    return (_length(shown), 0.0) if isinstance(shown, (str, bytes)) and not _is_name(shown) else (0, 0.0)


def _is_name(item: Any) -> bool:
    return isinstance(item, NameObject)


def _length(text: str | bytes) -> int:
    original = getattr(text, "get_original_bytes", None)
    return len(original()) if callable(original) else len(text)


def _mul(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _bounds(values: list[float]) -> _Box:
    xs, ys = values[0::2], values[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def _transformed(box: _Box, m: _Matrix) -> _Box:
    """The box holding the given box once transformed."""
    x0, y0, x1, y1 = box
    xs = [x * m[0] + y * m[2] + m[4] for x in (x0, x1) for y in (y0, y1)]
    ys = [x * m[1] + y * m[3] + m[5] for x in (x0, x1) for y in (y0, y1)]
    return (min(xs), min(ys), max(xs), max(ys))


def _meets(a: _Box, b: _Box | None) -> bool:
    return b is None or (a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])


def _meet(a: _Box | None, b: _Box | None) -> _Box | None:
    """Where two areas overlap (None: no bound); an empty overlap meets nothing."""
    if a is None or b is None:
        return a if b is None else b
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _body(shape: _Shape) -> _Box | None:
    """Where the glyphs of text lie, within its view (None: nowhere)."""
    matrix, rise, size, width, view = shape
    body = _meet(_transformed((0.0, rise + _BODY[0] * size, width, rise + _BODY[1] * size), matrix), view)
    return body if body is not None and _area(body) > 0 else None


def _area(box: _Box) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def _share(box: _Box, area: _Box) -> float:
    """The share of the box that lies in the area."""
    overlap = _meet(box, area)
    return _area(overlap) / _area(box) if overlap is not None and _area(box) > 0 else 0.0


def _covers(body: _Box, pieces: list[_Box]) -> bool:
    """Whether the union of the areas (each within the body) holds _COVERED of the body."""
    if not pieces or _area(body) <= 0:
        return False
    edges = sorted({edge for piece in pieces for edge in (piece[0], piece[2])})
    covered = 0.0
    for x0, x1 in zip(edges, edges[1:], strict=False):
        spans = sorted((piece[1], piece[3]) for piece in pieces if piece[0] <= x0 and piece[2] >= x1)
        height, reach = 0.0, -math.inf
        for y0, y1 in spans:
            if y1 > reach:
                height += y1 - max(y0, reach)
                reach = y1
        covered += (x1 - x0) * height
    return covered / _area(body) >= _COVERED


def _apply(m: _Matrix, x: float, y: float) -> _Point:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


def _turn(polygon: list[_Point]) -> float:
    """Twice the signed area of a polygon (positive: counterclockwise)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(polygon, polygon[1:] + polygon[:1], strict=True))


def _convex(polygons: list[list[_Point]] | None, even_odd: bool) -> list[list[_Point]]:
    """The subpaths of straight lines a fill paints whole, when each is a convex polygon and the fill rule paints
    their union (one subpath, or several going the same way round under the nonzero rule); else none."""
    if not polygons or (even_odd and len(polygons) > 1):
        return []
    shapes = []
    for polygon in polygons:
        points = [point for index, point in enumerate(polygon) if index == 0 or point != polygon[index - 1]]
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3 or not all(math.isfinite(v) for point in points for v in point):
            return []
        crosses = [
            (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
            for a, b, c in zip(points, points[1:] + points[:1], points[2:] + points[:2], strict=True)
        ]
        if not (all(cross >= 0 for cross in crosses) or all(cross <= 0 for cross in crosses)):
            return []  # not convex
        shapes.append(points)
    if len({_turn(shape) > 0 for shape in shapes}) > 1:
        return []  # holes, under the nonzero rule
    return shapes


def _bezier(controls: list[_Point], t: float) -> _Point:
    """The point of a cubic Bézier curve at t."""
    u = 1 - t
    weights = (u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t)
    return (
        sum(w * point[0] for w, point in zip(weights, controls, strict=True)),
        sum(w * point[1] for w, point in zip(weights, controls, strict=True)),
    )


def _across(polygon: list[_Point], y: float) -> tuple[float, float] | None:
    """Where a convex polygon lies at height y (its leftmost and rightmost x), None where it does not."""
    xs = []
    for a, b in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (a[1] - y) * (b[1] - y) <= 0:
            if a[1] == b[1]:
                xs += [a[0], b[0]]
            else:
                xs.append(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
    return (min(xs), max(xs)) if xs else None


def _inside(polygon: list[_Point], body: _Box) -> list[_Box]:
    """Upright boxes inside a convex polygon, strip by strip of the body's height: in each strip, the x where the
    polygon holds the strip's whole height (a convex shape's left edge is furthest right at one end of a strip)."""
    pieces = []
    step = (body[3] - body[1]) / _STRIPS
    for strip in range(_STRIPS):
        y0, y1 = body[1] + strip * step, body[1] + (strip + 1) * step
        low, high = _across(polygon, y0), _across(polygon, y1)
        if low is None or high is None:
            continue
        x0, x1 = max(low[0], high[0]), min(low[1], high[1])
        if x1 > x0:
            pieces.append((x0, y0, x1, y1))
    return pieces


def _proper(area: _Box) -> bool:
    """An area at least a point wide and high (thinner ones, rules and borders, neither cover nor show text)."""
    return all(math.isfinite(edge) for edge in area) and min(area[2] - area[0], area[3] - area[1]) >= _SMALLEST


def _upright(m: _Matrix) -> bool:
    """Whether the matrix keeps a rectangle's edges upright (scaled, moved, turned by a quarter)."""
    scale = max(abs(value) for value in m[:4]) * 1e-9
    return scale > 0 and (abs(m[1]) <= scale and abs(m[2]) <= scale or abs(m[0]) <= scale and abs(m[3]) <= scale)


def _union(a: _Box, b: _Box) -> _Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _matrix(value: Any) -> _Matrix:
    value = value.get_object() if value is not None else None
    if isinstance(value, ArrayObject) and len(value) == 6:
        try:
            return [float(item) for item in value]
        except (TypeError, ValueError):
            pass
    return _IDENTITY


def _rectangle_of(value: Any) -> _Box | None:
    value = value.get_object() if value is not None else None
    if isinstance(value, ArrayObject) and len(value) == 4:
        try:
            return _bounds([float(item) for item in value])
        except (TypeError, ValueError):
            pass
    return None


def _page_box(page: Any) -> _Box | None:
    """The part of the page a viewer shows: the crop box within the media box. None when it is not a proper area
    (nothing is left out for its place then)."""
    try:
        crop, media = page.cropbox, page.mediabox
        box = _meet(
            _bounds([float(crop.left), float(crop.bottom), float(crop.right), float(crop.top)]),
            _bounds([float(media.left), float(media.bottom), float(media.right), float(media.top)]),
        )
    except Exception:  # noqa: BLE001 - a damaged box: positions are not checked
        return None
    if box is None or not all(math.isfinite(edge) for edge in box) or box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return None
    return box


def _dictionary(value: Any) -> DictionaryObject:
    value = value.get_object() if value is not None else None
    return value if isinstance(value, DictionaryObject) else DictionaryObject()


def _name(raw: bytes) -> str:
    """A resource name as written in content (/F#6d1 is /Fm1), as a key of the resource dictionary."""
    return "/" + _NAME_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), raw).decode("utf-8", "replace")


def _pages(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:10])
    return shown + (f" 等 {len(numbers)}" if len(numbers) > 10 else "")
