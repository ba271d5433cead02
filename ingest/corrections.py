"""Corrections of a document's title, kind, region and date (`anquan edit`, or the web library tab).

Ingest derives these from the file (ingest.metadata); a person who knows better corrects them. A correction is
kept in the data directory (corrections.json: doc id -> the corrected fields, who made it, on which content),
apart from the index, and applied whenever ingest derives the document's metadata: a re-ingest of the file,
changed or not, a delete and re-import, an index rebuilt from the files. The document record holds the corrected
values, which retrieval priors, citations and version grouping read, and what ingest had derived for each
corrected field (DocumentRecord.derived), so a correction can be undone without reading the file again.

A correction changes which version is in force when it changes a date, a title or a region (the version key),
or whether a document is a legal text at all (its kind). An administrator's correction is authoritative and
takes effect at once. One made through the web without the administrator password (only of a document uploaded
through the web) is treated like new content: when it would make the document supersede or repeal a text in
force, the document is held 待确认 until an administrator confirms (ingest.authority).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from ingest.encoding import has_control_chars
from ingest.errors import UserFacingError
from ingest.legal_forms import default_forms
from ingest.metadata import EARLIEST_YEAR, KINDS, NATIONAL, DocumentMeta, version_key
from ingest.store import DocumentRecord

FIELDS = ("title", "kind", "region", "date")
LABELS = {"title": "标题", "kind": "类别", "region": "地区", "date": "日期"}
BY_ADMIN, BY_UPLOADER = "管理员", "网页上传者"
_TITLE_MAX = 200
_REGION_MAX = 40
_NATIONAL_WORDS = {"全国", "国家", "中央", "中国", "中华人民共和国"}
_DATE = re.compile(r"^(\d{4})(?:\s*[-./年]\s*(\d{1,2})(?:\s*[-./月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?$")


class CorrectionError(UserFacingError):
    """A correction that cannot be made; the message (Chinese) says why and what to write instead."""


def normalise(changes: Mapping[str, str | None], today: date | None = None) -> dict[str, str]:
    """The fields to correct, checked and written as the index keeps them (a date as 2024-05-01, or 2024-05, or
    2024); fields given as None or "" are left alone. Raises CorrectionError (Chinese) for a value that cannot be."""
    today = today or date.today()
    fields: dict[str, str] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            raise CorrectionError(f"不能更正“{name}”：只能更正{'、'.join(LABELS.values())}")
        if value is None or not str(value).strip():
            continue
        value = str(value).strip()
        if "\n" in value or "\r" in value:
            raise CorrectionError(f"{LABELS[name]}不能分行：请写在一行内")
        if has_control_chars(value) or _NOT_TEXT.search(value):  # ESC, U+202E: kept in every citation of the text
            code = ord(next(c for c in value if has_control_chars(c) or _NOT_TEXT.match(c)))
            shown = "\\u%04x" % code if code > 0xFF else "\\x%02x" % code  # noqa: UP031
            raise CorrectionError(
                f"{LABELS[name]}中含有控制字符或无法显示的字符（{shown}），没有更正：可能是从别处复制时带入的，"
                f"请重新输入{LABELS[name]}"
            )
        if name == "title":
            value = value.strip("《》")
            if len(value) > _TITLE_MAX:
                raise CorrectionError(f"标题过长（{len(value)} 字，上限 {_TITLE_MAX} 字）")
        elif name == "kind":
            if value not in KINDS:
                raise CorrectionError(f"类别“{_start(value)}”无法识别：请写 {'、'.join(KINDS)} 之一")
        elif name == "region":
            value = NATIONAL if value in _NATIONAL_WORDS else value
            if len(value) > _REGION_MAX or not re.search(r"[\u4e00-\u9fff]", value):
                raise CorrectionError(
                    f"地区“{_start(value)}”无法识别：请写 全国，或地名（{_REGION_MAX} 字以内），"
                    "如 浙江省、青山市、青山市青山区"
                )
            # a place as the texts name theirs (浙江省, 青山市青山区, 深圳经济特区; 上海 for 上海市), not a word that
            # names none (火星, 美国): a region that is no place silently keeps a law from binding anywhere
            if value != NATIONAL and default_forms().place(value) == NATIONAL:
                raise CorrectionError(
                    f"地区“{_start(value)}”不是能识别的行政区划：请写 全国，或省、市、县（区）的名称，"
                    "如 浙江省、青山市、青山市青山区"
                )
        else:
            value = _iso_date(value, today)
        fields[name] = value
    return fields


_NOT_TEXT = re.compile(r"[\ud800-\udfff]")  # half a surrogate pair (a client's broken encoding)
_SHOWN = 20  # characters of a refused value quoted back


def _start(value: str) -> str:
    """A refused value as quoted back: its start (a 2,000-character region was echoed whole)."""
    return value if len(value) <= _SHOWN else f"{value[:_SHOWN]}…（共 {len(value):,} 字）"


def _iso_date(value: str, today: date) -> str:
    match = _DATE.match(value)
    if not match:
        raise CorrectionError(f"日期“{_start(value)}”无法识别：请写成 2024-05-01（或 2024年5月1日、2024）")
    year_text, month_text, day_text = match.groups()
    year = int(year_text)  # the pattern requires the year
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise CorrectionError(f"日期“{value}”不存在：请核对年月日") from None
    if year < EARLIEST_YEAR:
        raise CorrectionError(f"日期“{value}”早于 {EARLIEST_YEAR} 年，不是法规或方案的日期：请核对年份")
    iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    if iso > today.isoformat()[: len(iso)]:
        raise CorrectionError(
            f"日期“{value}”晚于今天：日期决定哪个版本现行，不能是将来的日期（尚未施行的新法请在施行之日后再更正）"
        )
    return iso


def apply(record: DocumentRecord, fields: dict[str, str]) -> bool:
    """Put these corrected fields on the record, and what ingest derived on every field not among them (it keeps
    what was derived for each corrected field in record.derived); the version key follows the title and region.
    Returns whether the record changed."""
    derived = {name: record.derived.get(name, getattr(record, name)) for name in FIELDS}
    values = {name: fields.get(name, derived[name]) for name in FIELDS}
    now_derived = {name: derived[name] for name in FIELDS if values[name] != derived[name]}
    key = version_key(values["title"], values["region"])
    changed = (
        any(getattr(record, name) != values[name] for name in FIELDS)
        or record.derived != now_derived
        or record.version_key != key
    )
    for name in FIELDS:
        setattr(record, name, values[name])
    record.derived, record.version_key = now_derived, key
    return changed


def apply_to_meta(meta: DocumentMeta, fields: dict[str, str]) -> DocumentMeta:
    """The derived metadata with these fields corrected (and its version key following)."""
    if not any(name in fields for name in FIELDS):
        return meta
    corrected = replace(
        meta,
        title=fields.get("title", meta.title),
        kind=fields.get("kind", meta.kind),
        region=fields.get("region", meta.region),
        date=fields.get("date", meta.date),
    )
    return replace(corrected, version_key=version_key(corrected.title, corrected.region))


def describe_fields(fields: dict[str, str]) -> str:
    """标题“…”、类别“…”: the fields as a person reads them."""
    return "、".join(f"{LABELS[name]}“{fields[name]}”" for name in FIELDS if name in fields)


class Corrections:
    """corrections.json in the data directory: doc id -> {"fields": {...}, "by": 管理员|网页上传者, "hash": the content
    hash it was made on, "at": when}."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "corrections.json"
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError, RecursionError) as exc:
            raise CorrectionError(
                f"更正记录文件 {self.path} 无法读取（{exc.__class__.__name__}）：请修复或移走该文件后重试"
                f"（移走后，此前的更正在重新导入时不再保留）"
            ) from None
        self.entries: dict[str, dict] = raw if isinstance(raw, dict) else {}

    def fields(self, doc_id: str) -> dict[str, str]:
        entry = self.entries.get(doc_id) or {}
        return {k: v for k, v in (entry.get("fields") or {}).items() if k in FIELDS and isinstance(v, str)}

    def by(self, doc_id: str) -> str:
        return (self.entries.get(doc_id) or {}).get("by", BY_ADMIN)

    def set(self, doc_id: str, fields: dict[str, str], by: str, doc_hash: str) -> None:
        if fields:
            self.entries[doc_id] = {
                "fields": dict(fields),
                "by": by,
                "hash": doc_hash,
                "at": datetime.now().isoformat(timespec="seconds"),
            }
        else:
            self.entries.pop(doc_id, None)

    def save(self) -> None:
        """Replace the file atomically (a temporary file beside it, renamed over it)."""
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(self.entries, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
