"""Chinese numerals as written in article numbers (一百三十四, 二十, 两千) to integers and back."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SMALL = "零一二三四五六七八九"


def cn_to_int(text: str) -> int:
    """'一百三十四' -> 134, '十二' -> 12, '二〇' -> 20 (digit string form), '24' -> 24."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):  # positional form such as 二〇二一
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + current


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
