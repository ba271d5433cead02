"""How much one file may make a loader unpack or parse (from Settings): a zip or PDF bomb is refused before
the parser runs, with a reason, instead of exhausting memory. check_zip serves any zip-based format (.docx;
an .xlsx answers file too)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ingest.errors import OverLimit, UnreadableFile
from ingest.settings import Settings

_MB = 2**20
# Parts smaller than this may compress very well and cost little (styles; a table of 15,000 like cells is 3 MB of
# XML at 215 to 1, and was refused as a zip bomb): their size is bounded by the total and their XML by the element
# count. A bomb's danger is its size, so the ratio is asked of large parts only.
_RATIO_MIN_BYTES = 16 * _MB
# A workbook (.xlsx: a self-check answers file, the only one read) is checked against much less, because openpyxl holds
# its shared strings and its styles, and the cells of a row, as Python objects of several hundred bytes each: a 34 KB
# file whose sharedStrings.xml was 16 MB of 1.5 million empty rich-text runs (just under _RATIO_MIN_BYTES, and the
# answers' 20 MB unpacked) took 900 MB, and three such uploads at once 2.4 GB. An exported checklist has about 30
# elements a row (5,000 rows, the most an answers sheet may have, and a gap sheet as long: 300,000) and parts
# compressed 10 to 1 at most; a part of a megabyte compressed 200 times over is no sheet anyone typed.
_XLSX_MAX_ELEMENTS = 200_000
_XLSX_RATIO_MIN_BYTES = _MB
_MEDIA = ("word/media/", "xl/media/")  # the pictures of a Word document or an Excel workbook


def _default(name: str):
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class LoadLimits:
    zip_max_unpacked_mb: float = _default("zip_max_unpacked_mb")
    zip_max_ratio: float = _default("zip_max_ratio")
    zip_max_members: int = _default("zip_max_members")
    pdf_max_pages: int = _default("pdf_max_pages")
    pdf_max_stream_mb: float = _default("pdf_max_stream_mb")
    pdf_max_total_mb: float = _default("pdf_max_total_mb")
    pdf_max_seconds: float = _default("pdf_max_seconds")
    html_max_elements: int = _default("html_max_elements")
    docx_max_elements: int = _default("docx_max_elements")
    max_run_chars: int = _default("max_run_chars")
    max_file_chunks: int = _default("max_file_chunks")
    max_repetition_ratio: float = _default("max_repetition_ratio")
    max_file_lines: int = _default("max_file_lines")
    max_file_mb: float = _default("max_file_mb")
    xlsx_max_elements: int = _XLSX_MAX_ELEMENTS  # a workbook's (an .xlsx answers file: check_zip(workbook=True))

    @classmethod
    def from_settings(cls, settings: Settings) -> LoadLimits:
        return cls(
            zip_max_unpacked_mb=settings.zip_max_unpacked_mb,
            zip_max_ratio=settings.zip_max_ratio,
            zip_max_members=settings.zip_max_members,
            pdf_max_pages=settings.pdf_max_pages,
            pdf_max_stream_mb=settings.pdf_max_stream_mb,
            pdf_max_total_mb=settings.pdf_max_total_mb,
            pdf_max_seconds=settings.pdf_max_seconds,
            html_max_elements=settings.html_max_elements,
            docx_max_elements=settings.docx_max_elements,
            max_run_chars=settings.max_run_chars,
            max_file_chunks=settings.max_file_chunks,
            max_repetition_ratio=settings.max_repetition_ratio,
            max_file_lines=settings.max_file_lines,
            max_file_mb=settings.max_file_mb,
        )

    @property
    def pdf_max_stream_bytes(self) -> int:
        return int(self.pdf_max_stream_mb * _MB)

    @property
    def pdf_max_total_bytes(self) -> int:
        return int(self.pdf_max_total_mb * _MB)


def check_zip(
    path: Path,
    limits: LoadLimits,
    kind: str = "Word 文档（.docx）",
    max_elements: int | None = None,
    workbook: bool = False,
) -> None:
    """Refuse a zip package (.docx, .xlsx) that would unpack to more than the limits, before a parser reads
    it. First from the sizes its central directory declares (a bomb is refused without decompressing
    anything); then every part is inflated in bounded steps and must hold exactly its declared size and
    checksum. That second check matters: zipfile's whole-part read inflates a part's entire stream in one
    call and only then cuts it to the declared size, so a part that declares 2 KB and inflates to 2 GB
    would take 2 GB there. With max_elements, the start tags of the XML parts (*.xml) are counted as they are
    inflated, and a package of more elements in all is refused before a parser builds a tree of them. A workbook
    (an .xlsx answers file) is held to limits.xlsx_max_elements in its XML parts (.rels and .vml too) and to the
    compression ratio from _XLSX_RATIO_MIN_BYTES."""
    with open(path, "rb") as handle:
        try:
            package = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError):
            return  # not a zip at all (or no readable directory): the loader says what the file is
        with package:
            parts = package.infolist()
            names = [part.filename for part in parts]
            if len(set(names)) != len(names):  # readers differ in which copy of a part they take (zipfile: the last)
                twice = next(name for name in names if names.count(name) > 1)
                raise UnreadableFile(
                    path,
                    f"{kind}中的部件“{twice}”出现了两次，不同的程序会读到不同的内容，可能是恶意构造的文件，已拒绝导入；"
                    "如确为正常文件，请用原程序打开后另存，再导入",
                )
            _check_declared(path, parts, limits, kind, _XLSX_RATIO_MIN_BYTES if workbook else _RATIO_MIN_BYTES)
            most = limits.xlsx_max_elements if workbook else max_elements
            elements = _Elements(path, kind, most, workbook) if most is not None else None
            parsed = (".xml", ".rels", ".vml") if workbook else (".xml",)
            for part in parts:
                counter = elements if elements is not None and part.filename.lower().endswith(parsed) else None
                _check_stream(path, handle, part, kind, counter)


_DTD = (b"<!DOCTYPE", b"<!ENTITY")


class _Elements:
    """The elements of a package's XML parts, counted chunk by chunk as they are inflated: every < in XML is
    markup (a < in text is written &lt;), so the elements are the < not opening an end tag (</); the part's XML
    declaration (<?xml) counts as one more, and comments (<!--), which Word does not write, as one each. Two
    scans of the bytes: a few hundredths of a second for 50 MB of XML. OverLimit past the most."""

    def __init__(self, path: Path, kind: str, most: int, workbook: bool = False) -> None:
        self.path, self.kind, self.most, self.count, self.workbook = path, kind, most, 0, workbook
        self.tail = b""  # the end of the chunk before: a declaration split between two chunks is seen too

    def add(self, data: bytes, last: bytes) -> None:
        """Count data, a chunk whose part went on from last (the byte before it, b"" at the start of a part)."""
        if last == b"":
            self.tail = b""
        seen = self.tail + data[:16] if self.tail else b""
        if any(d in data or d in seen for d in _DTD):  # Word writes no DTD: entities would drop or multiply text
            writer, saved = ("Word", "Word 打开后另存为 .docx")
            if self.workbook:
                writer, saved = ("Excel 和 WPS", "Excel 打开后另存为 .xlsx")
            raise UnreadableFile(
                self.path,
                f"{self.kind}的 XML 中含有 DOCTYPE 或实体声明（{writer} 保存的文件不会有），"
                "其中的文字可能被截断或成倍放大，可能是恶意构造的文件，已拒绝导入，其他文件照常导入；"
                f"如确为正常文件，请用 {saved} 再导入",
            )
        self.tail = data[-16:]
        opened = data.count(b"<") - data.count(b"</")
        if last == b"<" and data[:1] == b"/":  # the < ending the chunk before opened an end tag
            opened -= 1
        self.count += opened
        if self.count <= self.most:
            return
        if self.workbook:
            raise OverLimit(
                self.path,
                f"{self.kind}中的 XML 元素（单元格、文字片段等）超过 {self.most:,} 个，远多于任何自查表，"
                "读入会占用大量内存，可能是恶意构造的文件，已拒绝读取；请只保留“编号、回答”两列的清单条目后另存，"
                "或用 anquan check --out 导出的 .xlsx 重新填写",
            )
        raise OverLimit(
            self.path,
            f"{self.kind}中的元素（XML 标签）超过 {self.most:,} 个，远多于任何正常的文档，"
            "可能是恶意构造的文件，已拒绝导入，其他文件照常导入；如确为正常文件，请拆分成几个较小的文档后再导入，"
            "或调大 ANQUAN_DOCX_MAX_ELEMENTS",
        )


def _check_declared(
    path: Path, parts: list[zipfile.ZipInfo], limits: LoadLimits, kind: str, ratio_from: int = _RATIO_MIN_BYTES
) -> None:
    if len(parts) > limits.zip_max_members:
        raise OverLimit(
            path,
            f"{kind}内部包含 {len(parts)} 个部件，超过上限 {limits.zip_max_members} 个，"
            "可能是恶意构造的文件，已拒绝；如确为正常文件，请用原程序另存一份后再导入，"
            "或调大 ANQUAN_ZIP_MAX_MEMBERS",
        )
    unpacked = sum(p.file_size for p in parts)
    if unpacked > limits.zip_max_unpacked_mb * _MB:
        raise OverLimit(
            path,
            f"{kind}解压后将达 {_mb(unpacked)} MB，超过上限 {limits.zip_max_unpacked_mb:g} MB，"
            "可能是“压缩炸弹”，已拒绝；如确为正常文件，请拆分后再导入，或调大 ANQUAN_ZIP_MAX_UNPACKED_MB",
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        # a picture (an uncompressed BMP or TIFF of a blank page compresses a thousand times: an 88 KB Word file was
        # refused as a bomb) is bounded by the total above; no text is read from it
        if part.filename.lower().startswith(_MEDIA):
            continue
        if part.file_size >= ratio_from and ratio > limits.zip_max_ratio:
            raise OverLimit(
                path,
                f"{kind}中的部件 {part.filename[:60]!r} 压缩比异常（{ratio:,.0f} 倍，上限 "
                f"{limits.zip_max_ratio:g} 倍），可能是“压缩炸弹”，已拒绝；如确为正常文件，"
                "请用原程序另存一份后再导入，或调大 ANQUAN_ZIP_MAX_RATIO",
            )


_STEP = _MB  # bytes read, and inflated, at a time while checking a part


def _check_stream(
    path: Path, handle: BinaryIO, part: zipfile.ZipInfo, kind: str, elements: _Elements | None = None
) -> None:
    """Inflate one part in bounded steps: it must end at exactly its declared size, with its checksum; with
    elements, its XML elements are counted on the way."""
    mismatch = UnreadableFile(
        path,
        f"{kind}已损坏：其中的部件 {part.filename[:60]!r} 内容不完整或校验不符；"
        "请用原程序打开，如能打开请另存一份后再导入",
    )
    oversized = OverLimit(
        path,
        f"{kind}中的部件 {part.filename[:60]!r} 实际解压后比它声明的大小更大，"
        "可能是恶意构造的“压缩炸弹”，已拒绝；请用原程序打开，另存一份后再导入",
    )
    if part.flag_bits & 0x1:
        raise UnreadableFile(path, f"{kind}中有加密的部件，无法读取；请去掉密码后另存一份再导入")
    if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableFile(path, f"{kind}使用了不常见的压缩方式，无法读取；请用原程序另存一份后再导入")
    handle.seek(part.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise mismatch
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(part.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if part.compress_type == zipfile.ZIP_DEFLATED else None
    left, produced, crc, last = part.compress_size, 0, 0, b""
    while left > 0:
        chunk = handle.read(min(left, _STEP))
        if not chunk:
            raise mismatch  # cut short
        left -= len(chunk)
        while chunk:
            if inflater is None:
                data, chunk = chunk, b""
            else:
                try:
                    data = inflater.decompress(chunk, _STEP)
                except zlib.error:
                    raise mismatch from None
                chunk = inflater.unconsumed_tail
            produced += len(data)
            if produced > part.file_size:
                raise oversized  # more than declared: what zipfile would inflate whole before cutting it
            crc = zlib.crc32(data, crc)
            if elements is not None and data:
                elements.add(data, last)
                last = data[-1:]
    if inflater is not None:  # output zlib still held when the input ran out (at most a window's worth)
        try:
            data = inflater.flush()
        except zlib.error:
            raise mismatch from None
        produced += len(data)
        crc = zlib.crc32(data, crc)
        if elements is not None and data:
            elements.add(data, last)
    if produced > part.file_size:
        raise oversized
    if produced != part.file_size or crc != part.CRC or (inflater is not None and not inflater.eof):
        raise mismatch


def _mb(size: int) -> str:
    return f"{size / _MB:,.0f}" if size >= 10 * _MB else f"{size / _MB:.2f}"
