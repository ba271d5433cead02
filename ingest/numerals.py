"""Chinese numerals as written in article numbers (一百三十四, 二十, 两千) and counts (三百人, 一万元) to integers
and back: the one parser of Chinese numerals, and of calendar dates written with them or with digits."""

from __future__ import annotations

import re
from fractions import Fraction

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    # financial (capital) numerals and traditional forms: 壹贰叁 / 貳參陸 / 兩
    "壹": 1,
    "贰": 2,
    "貳": 2,
    "弍": 2,
    "兩": 2,
    "叁": 3,
    "參": 3,
    "参": 3,
    "弎": 3,
    "肆": 4,
    "伍": 5,
    "陆": 6,
    "陸": 6,
    "柒": 7,
    "捌": 8,
    "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_SECTIONS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}  # multiply the group before them
_TENS = {"廿": "二十", "卅": "三十", "卌": "四十"}  # 廿一 is 二十一
# every character a Chinese numeral may be written with, for patterns (NUMERAL_CHARS in a character class)
NUMERAL_CHARS = "".join([*_DIGITS, *_UNITS, *_SECTIONS, *_TENS])
_SMALL = "零一二三四五六七八九"
_COLLOQUIAL = str.maketrans({"俩": "两", "仨": "三"})  # numerals said colloquially: 俩小时, 仨人


def cn_to_int(text: str) -> int:
    """'一百三十四' -> 134, '十二' -> 12, '二〇' -> 20 (digit string form), '24' -> 24, '十万' -> 100000,
    '两千万' -> 20000000; financial numerals and traditional forms too: '貳佰零壹' -> 201, '廿四' -> 24."""
    text = "".join(_TENS.get(ch, ch) for ch in "".join(text.split()))  # 二 百 零 一 is 二百零一
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):  # positional form such as 二〇二一
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, group, current = 0, 0, 0  # group: the value below the next 万 or 亿
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            group += (current or 1) * _UNITS[ch]
            current = 0
        elif ch in _SECTIONS:
            total += ((group + current) or 1) * _SECTIONS[ch]
            group = current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + group + current


def well_formed(text: str) -> bool:
    """Whether a numeral is written as numbers are: digits alone (24, 二〇二一), or each digit before a unit, the units
    falling within each group below 万 or 亿 (一百三十四, 十二, 一千零五, 两千万). cn_to_int reads any string of these
    characters, so 二十四二十四 (a number pasted twice) read as 44 and 十十 as 20: the article a user did not ask for,
    or a line of a document taken for an article it is not."""
    text = "".join(_TENS.get(ch, ch) for ch in "".join(text.split()))
    if not text or text.isdigit() or all(ch in _DIGITS for ch in text):
        return bool(text)
    unit, digit, sections = 10**9, False, 10**13
    for ch in text:
        if ch in _DIGITS:
            if digit and _DIGITS[ch]:  # two digits with no unit between them: 二十四二
                return False
            digit = bool(_DIGITS[ch])
        elif ch in _UNITS:
            if _UNITS[ch] >= unit:  # a unit no smaller than the one before it in its group: 十十, 二十四十, 十百
                return False
            unit, digit = _UNITS[ch], False
        elif ch in _SECTIONS:
            if _SECTIONS[ch] >= sections:  # 一万一万
                return False
            sections, unit, digit = _SECTIONS[ch], 10**9, False
        else:
            return False
    return True


def count(text: str) -> int | None:
    """A count as people write it: '120', '一百二十', '三百', '两千', '一万', '十万', '两千万' -> int; None when it
    is no numeral or a Chinese zero."""
    if text.isdigit():
        return int(text)
    try:
        return cn_to_int(text) or None
    except ValueError:
        return None


def value_of(number: str) -> Fraction | None:
    """The value of a number as written: 300, 1,500, 1.5万, 50w, 500k, 三百, 十二万, 两, 俩, 二○二一, 五十个w, 五十个万,
    半百万 (500000), 千 (1000, after 上 or 近: 上千人)."""
    number = number.replace("个", "").strip()
    if not number:
        return None
    try:
        if number[0].isdigit():
            scale = 1
            multipliers = (
                ("万亿", 10**12), ("万", 10_000), ("w", 10_000), ("W", 10_000), ("亿", 100_000_000), ("百", 100),
                ("佰", 100), ("k", 1000), ("K", 1000), ("M", 10**6),
            )  # fmt: skip
            for suffix, factor in (*multipliers, ("千", 1000), ("仟", 1000)):
                if number.endswith(suffix):
                    number, scale = number[: -len(suffix)], factor
                    break
            return Fraction(number.replace(",", "")) * scale
        if number[0] == "半":  # 半百万: half a million
            whole = value_of(f"一{number[1:]}")
            return whole / 2 if whole is not None else None
        number = number.replace("w", "万").replace("W", "万")
        return Fraction(cn_to_int(number.replace("○", "〇").translate(_COLLOQUIAL)))
    except (ValueError, ZeroDivisionError):
        return None


CN_LIMIT = 10000  # int_to_cn writes the numbers below this (no law has as many articles)


def int_to_cn(number: int) -> str:
    """134 -> '一百三十四', 10 -> '十', 105 -> '一百零五' (the form used in article numbers)."""
    if number < 0 or number >= CN_LIMIT:
        raise ValueError(f"out of range: {number}")
    if number < 10:
        return _SMALL[number]
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_SMALL[digit] + unit)
    result = "".join(parts)
    return result[1:] if result.startswith("一十") else result


# a calendar date in either script: 2024年6月1日, ２０２４年６月１日, 二〇二四年六月一日, 二○二一年六月十日, the day
# as people write it too (3月1号, 一號) and the numerals in their financial forms (贰零贰陆年叁月壹日) (a year alone,
# 2021年, is no date); the year digit by digit, the month and the day as numbers
_DIGIT_CHARS = "".join(_DIGITS) + "○"
_CALENDAR_DATE = re.compile(
    rf"(?P<y>\d{{4}}|[{_DIGIT_CHARS}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_DIGIT_CHARS}十拾]{{1,3}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_DIGIT_CHARS}十拾]{{1,3}})\s*[日号號]"
)


def calendar_dates(text: str) -> list[tuple[int, int, tuple[int, int, int]]]:
    """(start, end, (year, month, day)) of each calendar date written in text, as written (whether the calendar has
    that day is the reader's to decide)."""
    found = []
    for match in _CALENDAR_DATE.finditer(text):
        try:
            year, month, day = (cn_to_int(match.group(g).replace("○", "〇")) for g in "ymd")
        except ValueError:
            continue
        found.append((match.start(), match.end(), (year, month, day)))
    return found
