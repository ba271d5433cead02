"""Chinese numerals as written in article numbers (一百三十四, 二十, 两千) and counts (三百人, 一万元) to integers
and back: the one parser of Chinese numerals."""

from __future__ import annotations

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


def count(text: str) -> int | None:
    """A count as people write it: '120', '一百二十', '三百', '两千', '一万', '十万', '两千万' -> int; None when it
    is no numeral or a Chinese zero."""
    if text.isdigit():
        return int(text)
    try:
        return cn_to_int(text) or None
    except ValueError:
        return None


def amount(text: str) -> int | None:
    """A number as written before a unit, in either script: '30', '三十', '两', '10万', '1.5万', '十万' -> int;
    None when it is no number (a decimal that is no whole number, a Chinese zero)."""
    scale = 1
    if text[-1:] in _SECTIONS and text[:-1].replace(".", "", 1).isdigit():  # 10万, 1.5万
        text, scale = text[:-1], _SECTIONS[text[-1]]
    if text.replace(".", "", 1).isdigit():
        value = float(text) * scale
        return int(value) if value == int(value) else None
    return count(text)


def int_to_cn(number: int) -> str:
    """134 -> '一百三十四', 10 -> '十', 105 -> '一百零五' (the form used in article numbers)."""
    if number < 0 or number >= 10000:
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
