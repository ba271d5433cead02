"""Document metadata: title, kind, region, date and the version key that links two versions of a law."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.articles import match_article_start
from ingest.cleaning import to_simplified
from ingest.encoding import marks_removed
from ingest.legal_forms import (
    KINDS,
    LEGAL_KINDS,
    NATIONAL,
    NORMATIVE,
    OTHER,
    PLAN,
    PROVINCES,
    SUMMARY,
    LegalForms,
    default_forms,
)
from ingest.numerals import calendar_dates

# Kinds that are legal texts: they have versions (the newer supersedes the older) and carry legal force.
VERSIONED_KINDS = frozenset(LEGAL_KINDS)
# Laws, regulations, rules and judicial interpretations (立法法): made by a body with the power to make law, unlike a
# 规范性文件, which any office issues (a district's 通知 is one).
LAWMAKING_KINDS = VERSIONED_KINDS - {NORMATIVE}
# Local plans and reports: what a place decided to do, never the legal basis of a duty.
PLAN_KINDS = frozenset({PLAN, SUMMARY})
__all__ = [
    "KINDS",
    "authority",
    "LAWMAKING_KINDS",
    "NATIONAL",
    "PLAN_KINDS",
    "PROVINCES",
    "VERSIONED_KINDS",
    "DocumentMeta",
    "describe",
]


def authority(kind: str, region: str, specific: bool = False) -> int:
    """A text's rank in the hierarchy of law, higher first: 法律, then a national 行政法规, 部门规章 or 司法解释, then
    a local text, then a plan or report (a chunk carries its document's kind and region as corrected). ``specific``:
    a national text on the subject the question asks about (煤矿安全生产条例 asked about 煤矿, 特种设备安全法 about
    过山车) stands a step above its rank there, a rule level with the general law, a special law above a rule on its
    subject."""
    if kind == "法律":
        rank = 3
    elif region == NATIONAL and kind in ("行政法规", "部门规章", "司法解释"):
        rank = 2
    else:
        return 0 if kind in PLAN_KINDS else 1
    return rank + int(specific)


# 规定(2024-05-01) as the README writes it, and as people write a date: (2024.05.01), （2024年5月1日）, (2024-5-1),
# (20240501), or after an underscore or a space at the end (规定_2024-05-01, 规定 20240501). Written so and not
# read, the new version of a text was undated and "superseded" by the old one it replaces, silently
_DATE_IN_NAME = re.compile(
    r"(?:[(（]\s*|(?<=[_\s\-－]))(\d{4})(?:\s*[-./．／年_－]\s*(\d{1,2})\s*[-./．／月_－]\s*(\d{1,2})\s*日?"
    r"|(\d{2})(\d{2}))\s*(?:[)）]|$)"
)
# a date in figures in a text's head (2021.6.10 修正, 2099-01-01 第四次修正, 2024/05/01 通过): as much its date as
# 2021年6月10日 (a forged text dated so was undated, and none of its dates was checked)
_NUMERIC_DATE = re.compile(r"(?<![\d.\-/])(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?![\d.\-/])")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_PLAN_TITLE_WORDS = re.compile(r"(计划|方案|总结|报告|要点|安排|意见|通知|规划|预案|细则|办法|制度|谋划)")
_NATIONAL_PREFIX = re.compile(r"^中华人民共和国")
_INFO_END = "<!-- INFO END -->"
# where a document's date is read from (named in the reason a date is refused)
DATE_IN_NAME, DATE_IN_HEAD, YEAR_IN_TITLE = "文件名中的日期", "文首的日期", "标题中的年份"


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str
    title: str
    kind: str
    region: str
    date: str  # ISO date, or a year, or "" when unknown
    version_key: str
    warnings: tuple[str, ...] = ()  # what the user should check in the source (shown in the ingest report)


def edit_command(doc_id: str, option: str) -> str:
    """anquan edit “X” --kind, as a user can run it: a document id starting with - (a file named -开头.md) is an option
    to the command line (没有选项 -开), so it is written after -- and the option before it."""
    if doc_id.startswith("-"):
        return f"anquan edit {option} 更正后的值 -- “{doc_id}”"
    return f"anquan edit “{doc_id}” {option}"


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
            if (
                previous
                and len(previous) <= 20
                and not _PLAN_TITLE_WORDS.search(previous)
                and not re.search(r"[。，,；;：:]", previous)
                and lines.index(previous) == lines.index(line) - 1
            ):
                return previous + line
            return line
    if candidates:
        first = candidates[0]
        return first if len(first) <= 60 else first[:60]
    return path.stem


_HEAD_LINES = 20  # lines read for who made a document when it marks no end of its head
_FOLDER_KINDS = ("司法解释", "地方性法规", "地方政府规章", "行政法规", "部门规章", "规范性文件")


def document_head(clean: str) -> str:
    """The lines above the first article (the enactment notes, the decree number, the issuer), where who
    made a document is written: up to the INFO END mark when there is one."""
    if _INFO_END in clean:
        return clean.split(_INFO_END)[0]
    head: list[str] = []
    for line in clean.split("\n")[:_HEAD_LINES]:
        if match_article_start(line.strip()):
            break
        head.append(line)
    return "\n".join(head)


def classify_kind(
    title: str,
    path: Path,
    has_articles: bool,
    head: str = "",
    forms: LegalForms | None = None,
    region: str | None = None,
) -> str:
    """The legal form (法律, 行政法规 …, 计划方案, 工作总结, 其他) from the title, the issuer and the head of
    the text (ingest.legal_forms); a folder named after a legal form (scale corpus: 行政法规/…) decides first."""
    return classified(title, path, has_articles, head, forms, region)[0]


_COMPILATION = re.compile(r"(?:汇编|选编|摘编|合集|汇总|全书)$")


_TAIL = 8  # the last lines of a text, where a notice is signed (青山市应急管理局 / 2024年5月1日)


def classified(
    title: str,
    path: Path,
    has_articles: bool,
    head: str = "",
    forms: LegalForms | None = None,
    region: str | None = None,
    tail: str = "",
) -> tuple[str, bool]:
    """(kind, guessed): see classify_kind; guessed when only the title's noun and place chose between legal forms.
    tail: the text's last lines, where a notice is signed."""
    folders = set(path.parts[:-1])
    for kind in _FOLDER_KINDS:
        if kind in folders:
            return kind, False
    if _COMPILATION.search(_TRAILING_NOTE.sub("", title)):
        return OTHER, False  # a compilation of texts (法律法规汇编) is none of them: it is never a law in force
    return (forms or default_forms()).classify(title, head, has_articles, region, tail)


def region_of(title: str, head: str = "", forms: LegalForms | None = None) -> str:
    """全国, a province, a city, or a district or county with the city written before it (青山市青山区)."""
    return (forms or default_forms()).region(title, head)


def shown_name(doc_id: str, title: str) -> str:
    """How a document is named to the user: its id (the file name, which carries a law's version date), or its
    title when the id is a machine name with no Chinese in it (a scraped plan saved as 000_ba74c9f4450652ab)."""
    if title and not re.search(r"[\u4e00-\u9fff]", doc_id):
        return title
    return doc_id


def dated(clean: str, path: Path, title: str) -> tuple[str, str]:
    """The document's date and where it was read (文件名中的日期, 文首的日期, 标题中的年份; "" when none)."""
    match = _DATE_IN_NAME.search(path.stem)
    if match:
        y, m, d = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}", DATE_IN_NAME  # ２０２５-０３-０１ as 2025-03-01
    head = clean.split(_INFO_END)[0] if _INFO_END in clean else "\n".join(clean.split("\n")[:15])
    # ２０２４ and 二〇二四年五月六日 (notices, resolutions) too; a day no calendar has (2024年2月30日, a typing
    # slip) is no date
    written = [ymd for _, _, ymd in calendar_dates(head)]
    written += [(int(y), int(m), int(d)) for y, m, d in _NUMERIC_DATE.findall(head)]  # 2099.1.1, 2099-01-01
    dates = [iso for y, m, d in written if real_date(iso := f"{y:04d}-{m:02d}-{d:02d}")]
    if dates:
        return max(dates), DATE_IN_HEAD
    year = _YEAR_IN_TITLE.search(title)
    return (year.group(1), YEAR_IN_TITLE) if year else ("", "")


def extract_date(clean: str, path: Path, title: str) -> str:
    return dated(clean, path, title)[0]


EARLIEST_YEAR = 1900  # no text in force here is older: a year before it is a typing slip (0001-01-01)


def real_date(iso: str) -> bool:
    """Whether an ISO date (YYYY-MM-DD) is a day of the calendar, from EARLIEST_YEAR on."""
    try:
        return date.fromisoformat(iso).year >= EARLIEST_YEAR
    except ValueError:
        return False


def future_date_problem(path: Path, clean: str, meta: DocumentMeta, today: date | None = None) -> str:
    """Why the document's date cannot be trusted ("" when it can): a date after today, or one no calendar has. The
    date decides which version of a law is in force, so a file dated in the future would displace the real text,
    and one dated 2021-06-99 would outrank the 2021-06-10 text (dates are compared as written); the file is not
    ingested (a safety officer fixes the date, or imports a new law once it takes effect). A year in a plan's
    title is the period planned (2027年安全生产工作要点), not a date, and may be ahead."""
    today = today or date.today()
    value, where = dated(clean, path, meta.title)
    if not value:
        return ""
    if where == DATE_IN_NAME and not real_date(value):
        return (
            f"{path.name} 的{where}“{value}”不是有效的日期（没有这一天，或早于 {EARLIEST_YEAR} 年），未导入："
            "日期决定哪个版本现行；请把文件名中的日期改为正确的公布或施行日期（如 2021-06-10）后重新导入"
        )
    if where == YEAR_IN_TITLE:
        if meta.kind not in VERSIONED_KINDS or int(value) <= today.year:
            return ""
        shown = f"{value}年"
    else:
        if value <= today.isoformat():
            return ""
        y, m, d = value.split("-")
        shown = f"{int(y)}年{int(m)}月{int(d)}日"
    return (
        f"{path.name} 的{where}“{shown}”晚于今天（{today.year}年{today.month}月{today.day}日），未导入："
        f"日期决定哪个版本现行，不能是将来的日期；请核对改正后重新导入（尚未施行的新法请在施行之日后再导入）"
    )


# ideographs that look like (and NFKC-fold to) common ones: Kangxi radicals (⽣ for 生, ⼈ for 人), CJK radicals,
# compatibility ideographs. A title written with them reads as the real law's and must version with it.
_LOOK_ALIKE_IDEOGRAPHS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
# the CJK radicals (U+2E81-U+2EF3) NFKC leaves as they are, each followed by the ideograph it stands for
# (Unicode's EquivalentUnifiedIdeograph.txt): 中华人⺠共和国 is 中华人民共和国; PDF text often has ⻓⻔⻅ for 长门见
_RADICAL_PAIRS = (
    "⺁厂⺂乛⺃乚⺄乙⺅亻⺆冂⺇几⺈刀⺉刂⺊卜⺋㔾⺌小⺍小⺎兀⺏尢⺐尢⺑尢⺒巳⺓幺⺔彑⺕彐⺖忄⺗心⺘扌⺙攵⺛旡⺜日⺝月"
    "⺞歺⺟母⺠民⺡氵⺢氺⺣灬⺤爫⺥爫⺦丬⺧牛⺨犭⺩王⺪疋⺫目⺬示⺭礻⺮竹⺯糸⺰纟⺱网⺲罒⺳网⺴网⺵网⺶羊⺷羊"
    "⺸羊⺹耂⺺聿⺻聿⺼肉⺽臼⺾艹⺿艹⻀艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻇角⻈讠⻉贝⻊足⻋车⻌辶⻍辶⻎辶⻏阝⻐钅⻑長"
    "⻒镸⻓长⻔门⻕阝⻖阝⻗雨⻘青⻙韦⻚页⻛风⻜飞⻝食⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿"
    "⻯竜⻰龙⻱龜⻲亀⻳龟"
)
_RADICALS = str.maketrans(dict(zip(_RADICAL_PAIRS[0::2], _RADICAL_PAIRS[1::2], strict=True)))


def fold_ideographs(text: str) -> str:
    """The text with look-alike ideographs (Kangxi and other CJK radicals, compatibility ideographs) as the common
    ones."""
    return _LOOK_ALIKE_IDEOGRAPHS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text.translate(_RADICALS))


# marks that change how the character before them is drawn, or nothing: variation selectors (U+FE00-U+FE0F,
# U+E0100-U+E01EF), Mongolian free variation selectors, the combining grapheme joiner, Hangul fillers
_UNSEEN_MARKS = re.compile("[\u034f\u115f\u1160\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]")


def visible(text: str) -> str:
    """The text without what shows nothing: format characters (a soft hyphen, zero-width spaces and joiners,
    direction marks) and variation selectors: 安全\u00ad生产法 prints as 安全生产法 and names the same law."""
    return _UNSEEN_MARKS.sub("", "".join(c for c in text if unicodedata.category(c) != "Cf"))


# a note in brackets at the end of a title, but not a number: 解释（一） and 解释（二） are two texts
_TRAILING_NOTE = re.compile(
    r"(?:\s*[(（【〔［\[](?![一二三四五六七八九十百\d]+[)）】〕］\]])[^()（）【】〔〕［］\[\]]*[)）】〕］\]])+\s*$"
)
# a version note in brackets of any kind, anywhere: （2021年修正）, 【2025年修正文本】, 〔试行〕
_VERSION_NOTE = re.compile(
    r"[(（【〔［\[][^)）】〕］\]]*(?:修订|修正|修改|试行|草案|\d{4})[^)）】〕］\]]*[)）】〕］\]]"
)
# a version note after the title without brackets: ——2025年修正, -2021修订版, 2021年修正文本, and 全文 or 正文
_TRAILING_VERSION = re.compile(
    r"(?:\s*[—\-－~～_]*\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年?\s*(?:修订|修正|修改)(?:版|本|文本|稿)?"
    r"|\s*(?:全文|正文))+\s*$"
)


def core_title(title: str) -> str:
    """The title as every version of the text shares it: simplified script, no version note in brackets
    (（2021年修正）, （试行）), no spaces or title quotes (《中华人民共和国 安全生產法》 ->
    中华人民共和国安全生产法)."""
    simple = to_simplified(fold_ideographs(visible(marks_removed(title))))
    simple = _VERSION_NOTE.sub("", simple)
    simple = _TRAILING_NOTE.sub("", simple)  # （现行有效版本）, （全文）: a note on the text, not its name
    simple = _TRAILING_VERSION.sub("", simple)
    return re.sub(r"[\s《》〈〉“”\"']", "", simple)


def version_key(title: str, region: str) -> str:
    """Two files with the same key are versions of one document; the newer date is in force."""
    return f"{region}|{_NATIONAL_PREFIX.sub('', core_title(title))}"


def duplicate_articles(clean: str) -> list[str]:
    """Article numbers that start more than one article (a typo or a pasted-in amendment): both are
    kept and a citation of the number shows both, but the user should check the source."""
    counts = Counter(started[0] for line in clean.split("\n") if (started := match_article_start(line.strip())))
    return [f"{ref.label}出现 {n} 次" for ref, n in sorted(counts.items()) if n > 1]


def describe(path: Path, clean: str, has_articles: bool, forms: LegalForms | None = None) -> DocumentMeta:
    """The metadata ingest derives from a file (an administrator's corrections are applied on top, ingest.corrections).
    forms: the legal-form words (knowledge/legal_forms.yaml when not given)."""
    forms = forms or default_forms()
    title = extract_title(clean, path)
    head = document_head(clean)
    region = region_of(title, head, forms)
    tail = "\n".join(clean.rsplit("\n", _TAIL)[-_TAIL:])  # the last lines, not every line split
    kind, guessed = classified(title, path, has_articles, head, forms, region, tail)
    warnings: tuple[str, ...] = ()
    duplicates = duplicate_articles(clean) if has_articles else []
    if duplicates:
        shown = "、".join(duplicates[:5]) + ("等" if len(duplicates) > 5 else "")
        warnings = (f"注意：条号重复（{shown}），各条均已保留，按条号引用时会一并列出，请核对原文",)
    if guessed and (sample := forms.placeholder_issuer(title, tail)):
        warnings += (
            f"发文机关“{sample}”是范本中的占位写法（某、XX），不是真实机关的文件，按“其他”归类，不作为法定依据；"
            f"如确为正式文件，请写明机关后重新导入，或用 {edit_command(doc_id_for(path), '--kind')} 更正",
        )
    elif guessed:
        warnings += (
            f"文首未见制定机关、令号或通过会议，类别按标题推断为“{kind}”；如有误，请用 "
            f"{edit_command(doc_id_for(path), '--kind')} 更正（或在网页“知识库”页更正）",
        )
    return DocumentMeta(
        doc_id=doc_id_for(path),
        title=title,
        kind=kind,
        region=region,
        date=extract_date(clean, path, title),
        version_key=version_key(title, region),
        warnings=warnings,
    )
