"""Figures in a text: a number with its unit or measure (三百人, 300人, 2小时, 五万元, 1.5万元, 百分之十, 10%, 3 MPa),
in either numeral script, read as a value in a base unit, so that 一百人 and 100人, 五万元 and 50000元, 百分之十 and
10% are the same figure. Used to check the figures of a model's reply against its sources
(assistant.llm.verification). Texts are read folded (simplified, half-width: see verification._fold).

People are counted with any classifier (三百人, 三百名, 三百位). An approximate figure (三百余人, 300多人, 十几人,
三百人左右) is read as the number it rounds (三百人): it is checked like that figure, so one the sources do not
state is marked like any other. A number whose unit is left out but which is stated as a measure (三百左右的,
300以上的, 一百以下) is a figure of no unit (UNSTATED): it matches a figure of any unit with its value.

Not figures: an ordinal (第三条, 第2款), a year (2021年), a calendar date (6月10日), 一 as an article (一名, 一次),
a vague count (几十人, 数百人), 位 of a number's digits or places (三位数, 两位小数, 三位一体)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ingest.numerals import cn_to_int

# unit as written -> (base unit, how many base units it is): 1小时 is 60分钟, 一周 is 7日, 1吨 is 1000千克
_UNITS: dict[str, tuple[str, Fraction]] = {
    "人次": ("人次", Fraction(1)),
    "个人": ("人", Fraction(1)),
    "人": ("人", Fraction(1)),
    "名": ("人", Fraction(1)),
    "位": ("人", Fraction(1)),
    "家": ("家", Fraction(1)),
    "起": ("起", Fraction(1)),
    "次": ("次", Fraction(1)),
    "层": ("层", Fraction(1)),
    "倍": ("倍", Fraction(1)),
    "亿元": ("元", Fraction(100_000_000)),
    "万元": ("元", Fraction(10_000)),
    "千元": ("元", Fraction(1000)),
    "元": ("元", Fraction(1)),
    "个工作日": ("工作日", Fraction(1)),
    "工作日": ("工作日", Fraction(1)),
    "个小时": ("分钟", Fraction(60)),
    "小时": ("分钟", Fraction(60)),
    "分钟": ("分钟", Fraction(1)),
    "秒钟": ("分钟", Fraction(1, 60)),
    "秒": ("分钟", Fraction(1, 60)),
    "日": ("日", Fraction(1)),
    "天": ("日", Fraction(1)),
    "个星期": ("日", Fraction(7)),
    "星期": ("日", Fraction(7)),
    "周岁": ("岁", Fraction(1)),
    "周": ("日", Fraction(7)),
    "个月": ("月", Fraction(1)),
    "年": ("年", Fraction(1)),
    "岁": ("岁", Fraction(1)),
    "公里": ("米", Fraction(1000)),
    "千米": ("米", Fraction(1000)),
    "km": ("米", Fraction(1000)),
    "厘米": ("米", Fraction(1, 100)),
    "cm": ("米", Fraction(1, 100)),
    "毫米": ("米", Fraction(1, 1000)),
    "mm": ("米", Fraction(1, 1000)),
    "平方米": ("平方米", Fraction(1)),
    "平方公里": ("平方米", Fraction(1_000_000)),
    "㎡": ("平方米", Fraction(1)),
    "m2": ("平方米", Fraction(1)),
    "m²": ("平方米", Fraction(1)),
    "立方米": ("立方米", Fraction(1)),
    "m3": ("立方米", Fraction(1)),
    "m³": ("立方米", Fraction(1)),
    "米": ("米", Fraction(1)),
    "m": ("米", Fraction(1)),
    "公顷": ("公顷", Fraction(1)),
    "亩": ("亩", Fraction(1)),
    "吨": ("千克", Fraction(1000)),
    "千克": ("千克", Fraction(1)),
    "公斤": ("千克", Fraction(1)),
    "kg": ("千克", Fraction(1)),
    "克": ("千克", Fraction(1, 1000)),
    "毫升": ("升", Fraction(1, 1000)),
    "升": ("升", Fraction(1)),
    "摄氏度": ("度", Fraction(1)),
    "℃": ("度", Fraction(1)),
    "°C": ("度", Fraction(1)),
    "度": ("度", Fraction(1)),
    "兆帕": ("帕", Fraction(1_000_000)),
    "MPa": ("帕", Fraction(1_000_000)),
    "千帕": ("帕", Fraction(1000)),
    "kPa": ("帕", Fraction(1000)),
    "帕": ("帕", Fraction(1)),
    "Pa": ("帕", Fraction(1)),
    "千伏": ("伏", Fraction(1000)),
    "kV": ("伏", Fraction(1000)),
    "伏": ("伏", Fraction(1)),
    "V": ("伏", Fraction(1)),
    "千瓦": ("瓦", Fraction(1000)),
    "kW": ("瓦", Fraction(1000)),
    "瓦": ("瓦", Fraction(1)),
    "分贝": ("分贝", Fraction(1)),
    "dB": ("分贝", Fraction(1)),
    "百分点": ("百分点", Fraction(1)),
    "%": ("%", Fraction(1)),
    "‰": ("‰", Fraction(1)),
}
# a reply in English counts people too (300 employees is 三百人): words, so a word and a space may come before them
_WORD_UNITS = {"employees", "employee", "workers", "persons", "people"}
_UNITS |= {word: ("人", Fraction(1)) for word in _WORD_UNITS}
_UNIT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# 一 before these is an article (一名、一次、一起、一家), not a count
_ARTICLE_UNITS = {"人", "名", "位", "次", "起", "家", "度", "层"}
# 位 counting something other than people: 三位数, 两位小数, 三位一体, 一位置 …, 位于
_NOT_PEOPLE_AFTER_WEI = ("数", "小数", "一体", "置", "于")
_CN_DIGITS = "零〇○一二两三四五六七八九壹贰叁肆伍陆柒捌玖廿卅"
_CN = rf"[{_CN_DIGITS}十拾百佰千仟万亿]+"
# 3百人, 1.5千元, 2万: Arabic digits with a Chinese multiplier
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?(?:万亿|万|亿|百|佰|千|仟)?"
_NUMBER = rf"(?:{_ARABIC}|{_CN})"
_RANGE_SEP = r"[ \t]*(?:至|到|~|～|-|—|–)[ \t]*"
# what makes a number approximate between it and its unit: 三百余人, 300多人, 十几人, 两个多小时, 一个多月, and 来 after
# a round number (三百来人, 二十来天, 50来人; not 一来…二来) (read as 三百人, 300人, 十人, 两小时, 一个月, 三百人)
_APPROXIMATE = r"个?[余多几]|(?<=[十百千万0])来"
# 月 is a unit only after 个 (一个月, 一个多月: 6月 is a month of the year)
_UNIT_AFTER_GE = r"(?<=个[余多几])月"
# 百分之十 / 千分之三; a number (a range: 一百至三百人), approximate or not, and its unit; the unit of a Latin
# symbol ends the word
_FIGURE = re.compile(
    rf"(?P<per>百分之|千分之)(?P<pnum>{_NUMBER})"
    rf"|(?P<num>{_NUMBER})(?:{_RANGE_SEP}(?P<num2>{_NUMBER}))?[ \t]*(?P<approx>{_APPROXIMATE})?[ \t]*"
    rf"(?P<unit>{_UNIT}|{_UNIT_AFTER_GE})(?![A-Za-z])"
)
_VAGUE = set("几数")  # 几十人, 数百人: no figure
# the unit of a figure stated without one (三百左右的): its value is compared with every unit's
UNSTATED = ""
# a number with no unit, stated as a measure by the word after it (三百左右, 300以上, 一百以下, 五十以内); not
# 一 (一以上)
_BARE = re.compile(rf"(?P<num>{_NUMBER})(?P<bound>左右|上下|以上|以下|以内|开外)")


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str  # as written
    key: tuple[str, Fraction]  # (base unit, value)
    more: tuple[tuple[str, Fraction], ...] = ()  # the other end of a range (一百至三百人)


def value_of(number: str) -> Fraction | None:
    """The value of a number as written: 300, 1,500, 1.5万, 三百, 十二万, 两, 二○二一."""
    try:
        if number[0].isdigit():
            scale = 1
            multipliers = (("万亿", 10**12), ("万", 10_000), ("亿", 100_000_000), ("百", 100), ("佰", 100))
            for suffix, factor in (*multipliers, ("千", 1000), ("仟", 1000)):
                if number.endswith(suffix):
                    number, scale = number[: -len(suffix)], factor
                    break
            return Fraction(number.replace(",", "")) * scale
        return Fraction(cn_to_int(number.replace("○", "〇")))
    except (ValueError, ZeroDivisionError):
        return None


def _plausible(text: str, match: re.Match, number: str) -> bool:
    """A figure rather than an ordinal, a code (GB 50016), a year, a date, an article (一名) or a vague count
    (几十人)."""
    before = text[: match.start()].rstrip(" \t")
    last = before[-1:]
    if last == "第" or (last and last in _VAGUE and number[0] in "十百千"):
        return False
    if number[0].isdigit():
        # a code (GB 50016) has letters before it; an English count (more than 300 employees) a word and a space
        code = (
            last.isascii()
            and last.isalnum()
            and not (match.groupdict().get("unit") in _WORD_UNITS and before != text[: match.start()])
        )
        if last and (code or last in ".,"):
            return False
    elif not any(c in _CN_DIGITS for c in number) and not number.startswith(("十", "拾")):
        return False  # 万元, 千万: a word, not a number
    unit = match.groupdict().get("unit")
    if unit == "年" and len(number) == 4:
        return False  # a year: 2021年, 二〇二一年
    if unit in ("日", "天") and last == "月":
        return False  # a date: 6月10日
    if unit == "位" and text.startswith(_NOT_PEOPLE_AFTER_WEI, match.end()):
        return False  # 三位数, 两位小数: places, not people
    return not (unit in _ARTICLE_UNITS and number in ("一", "壹") and not match.group("num2"))


def figures(text: str) -> list[Figure]:
    """The figures of a (folded) text, in order."""
    found = []
    for match in _FIGURE.finditer(text):
        if match.group("per"):
            value = value_of(match.group("pnum"))
            if value is not None:
                unit = "%" if match.group("per") == "百分之" else "‰"
                found.append(Figure(match.start(), match.end(), match.group(), (unit, value)))
            continue
        number = match.group("num")
        if not _plausible(text, match, number):
            continue
        base, scale = _UNITS.get(match.group("unit")) or _UNITS["个月"]  # 月 only after 个多 (_UNIT_AFTER_GE)
        values = [value_of(n) for n in (number, match.group("num2")) if n]
        keys = tuple((base, v * scale) for v in values if v is not None)
        if keys:
            found.append(Figure(match.start(), match.end(), match.group(), keys[0], keys[1:]))
    taken = [(f.start, f.end) for f in found]
    for match in _BARE.finditer(text):
        number = match.group("num")
        if any(s < match.end() and match.start() < e for s, e in taken) or number in ("一", "壹", "1"):
            continue
        value = value_of(number)
        if value is not None and _plausible(text, match, number):
            found.append(Figure(match.start(), match.end(), match.group(), (UNSTATED, value)))
    return sorted(found, key=lambda figure: figure.start)


def keys(text: str) -> set[tuple[str, Fraction]]:
    """Every figure of a (folded) text, as (base unit, value)."""
    return {key for figure in figures(text) for key in (figure.key, *figure.more)}


def stated(key: tuple[str, Fraction], known: set[tuple[str, Fraction]]) -> bool:
    """Whether a figure (its key) is among known figures: a figure of no unit (UNSTATED) is by its value alone."""
    if key[0] == UNSTATED:
        return any(value == key[1] for _, value in known)
    return key in known


__all__ = ["UNSTATED", "Figure", "figures", "keys", "stated", "value_of"]
