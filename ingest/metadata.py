"""Document metadata: title, kind, region, date and the version key that links two versions of a law."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingest.articles import match_article_start
from ingest.cleaning import to_simplified

KINDS = ("法律", "行政法规", "地方性法规", "司法解释", "部门规章", "计划方案", "工作总结", "其他")
# Kinds that are legal texts: they have versions (the newer supersedes the older) and carry legal force.
VERSIONED_KINDS = frozenset({"法律", "行政法规", "地方性法规", "司法解释", "部门规章"})
# Local plans and reports: what a place decided to do, never the legal basis of a duty.
PLAN_KINDS = frozenset({"计划方案", "工作总结"})
NATIONAL = "全国"  # the region of a national text

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区",
    "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
)
_PROVINCE_SHORT = {re.sub(r"(省|市|(壮族|回族|维吾尔)?自治区|特别行政区)$", "", p): p for p in PROVINCES}
_SPECIAL_ZONE = re.compile(r"^(\S{2,4}经济特区)")
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,5}?(市|自治州|州|盟|地区))(?!场|政|民|区划)")
_DATE_IN_NAME = re.compile(r"[(（](\d{4})-(\d{2})-(\d{2})[)）]")
_DATE_IN_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_PLAN_TITLE_WORDS = re.compile(r"(计划|方案|总结|报告|要点|安排|意见|通知|规划|预案|细则|办法|制度|谋划)")
_SUMMARY_WORDS = re.compile(r"(总结|述职|回顾)")
_NATIONAL_PREFIX = re.compile(r"^中华人民共和国")
_INFO_END = "<!-- INFO END -->"


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str
    title: str
    kind: str
    region: str
    date: str  # ISO date, or a year, or "" when unknown
    version_key: str
    warnings: tuple[str, ...] = ()  # what the user should check in the source (shown in the ingest report)


def doc_id_for(path: Path) -> str:
    """The document id is the file name without its extension, as in the evaluation sets."""
    return path.stem


def _meaningful(line: str) -> bool:
    text = line.strip().lstrip("#").strip()
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.fullmatch(r"[\d\s.年月日\-/]+", text)


def extract_title(clean: str, path: Path) -> str:
    """The '# ' line when there is one; else the first line of the text that reads as a title."""
    lines = [ln.strip() for ln in clean.split("\n") if ln.strip()]
    for line in lines[:5]:
        if re.match(r"^#\s+\S", line):
            return line.lstrip("#").strip()
    candidates = [ln.lstrip("#").strip() for ln in lines[:12] if _meaningful(ln)]
    for i, line in enumerate(candidates):
        if 6 <= len(line) <= 60 and _PLAN_TITLE_WORDS.search(line) and not re.search(r"[。，,；;！!？?]", line):
            previous = candidates[i - 1] if i else ""
            if (previous and len(previous) <= 20 and not _PLAN_TITLE_WORDS.search(previous)
                    and not re.search(r"[。，,；;：:]", previous) and lines.index(previous) == lines.index(line) - 1):
                return previous + line
            return line
    if candidates:
        first = candidates[0]
        return first if len(first) <= 60 else first[:60]
    return path.stem


def _is_regulation_title(title: str) -> bool:
    return bool(re.search(r"(法|条例|规定|办法|细则|解释|决定|规则|规程|准则)$", title))


def classify_kind(title: str, path: Path, has_articles: bool) -> str:
    simple = to_simplified(title)
    folders = set(path.parts[:-1])
    for kind in ("司法解释", "地方性法规", "行政法规", "部门规章"):
        if kind in folders:
            return kind
    if has_articles or _is_regulation_title(simple):
        if re.search(r"(最高人民法院|最高人民检察院)", simple) or simple.endswith("解释"):
            return "司法解释"
        if region_of(simple) != "全国":
            return "地方性法规" if simple.endswith(("条例", "规定", "办法", "决定", "细则")) else "其他"
        if simple.endswith("法") or simple.startswith("中华人民共和国") and "法" in simple[-3:]:
            return "法律"
        if simple.startswith("国务院") or simple.endswith("条例"):
            return "行政法规"
        if simple.endswith(("规定", "办法", "细则", "规则", "规程")):
            return "部门规章"
    if _SUMMARY_WORDS.search(simple) and not re.search(r"计划|方案", simple.replace("述职报告", "")):
        return "工作总结"
    if _PLAN_TITLE_WORDS.search(simple):
        return "计划方案"
    return "其他"


def region_of(title: str) -> str:
    simple = to_simplified(title)
    zone = _SPECIAL_ZONE.match(simple)
    if zone:
        return zone.group(1)
    for province in PROVINCES:
        if simple.startswith(province):
            return province
    for short, province in _PROVINCE_SHORT.items():
        if simple.startswith(short) and len(short) >= 2:
            return province
    city = _CITY.match(simple)
    if city and not simple.startswith(("中华人民共和国", "国务院", "最高")):
        return city.group(1)
    return "全国"


def extract_date(clean: str, path: Path, title: str) -> str:
    match = _DATE_IN_NAME.search(path.name)
    if match:
        return "-".join(match.groups())
    head = clean.split(_INFO_END)[0] if _INFO_END in clean else "\n".join(clean.split("\n")[:15])
    dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE_IN_TEXT.findall(head)]
    if dates:
        return max(dates)
    year = _YEAR_IN_TITLE.search(title)
    return year.group(1) if year else ""


def version_key(title: str, region: str) -> str:
    """Two files with the same key are versions of one document; the newer date is in force."""
    simple = to_simplified(title)
    simple = _NATIONAL_PREFIX.sub("", simple)
    simple = re.sub(r"[(（][^)）]*(修订|修正|试行|草案|\d{4})[^)）]*[)）]", "", simple)
    simple = re.sub(r"[\s《》〈〉“”\"']", "", simple)
    return f"{region}|{simple}"


def duplicate_articles(clean: str) -> list[str]:
    """Article numbers that start more than one article (a typo or a pasted-in amendment): both are
    kept and a citation of the number shows both, but the user should check the source."""
    counts = Counter(started[0] for line in clean.split("\n") if (started := match_article_start(line.strip())))
    return [f"{ref.label}出现 {n} 次" for ref, n in sorted(counts.items()) if n > 1]


def describe(path: Path, clean: str, has_articles: bool) -> DocumentMeta:
    title = extract_title(clean, path)
    region = region_of(title)
    warnings: tuple[str, ...] = ()
    duplicates = duplicate_articles(clean) if has_articles else []
    if duplicates:
        shown = "、".join(duplicates[:5]) + ("等" if len(duplicates) > 5 else "")
        warnings = (f"注意：条号重复（{shown}），各条均已保留，按条号引用时会一并列出，请核对原文",)
    return DocumentMeta(
        doc_id=doc_id_for(path),
        title=title,
        kind=classify_kind(title, path, has_articles),
        region=region,
        date=extract_date(clean, path, title),
        version_key=version_key(title, region),
        warnings=warnings,
    )
