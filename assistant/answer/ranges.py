"""Numbers a question states (12个人重伤, 罚款80万元) and the ranges a provision sets (10人以上50人以下重伤,
超过一百人): a clause whose range holds the question's number is the one that answers it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval.figures import CHOICES
from ingest.numerals import cn_to_int

_AMOUNT = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_UNITS = {
    "人": ("人", 1),
    "名": ("人", 1),
    "元": ("元", 1),
    "万元": ("元", 10_000),
    "亿元": ("元", 100_000_000),
    "吨": ("吨", 1),
    "公斤": ("吨", 0.001),
    "千克": ("吨", 0.001),
    # how often within how many months (3个月内2次或者2次以上); not days and hours: a question's 抢救了一天 is no
    # deadline's 30日内
    "次": ("次", 1),
    "个月": ("月", 1),
}
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_OCCASIONS = frozenset(["次", "月"])
_QUANTITY = re.compile(rf"(?P<n>{_AMOUNT})\s*(?P<u>{_UNIT})")
_BOUND = rf"(?:{_AMOUNT})\s*(?:{_UNIT})"
_RANGE = re.compile(rf"(?P<over>超过|不超过)?(?P<a>{_BOUND})(?P<a_side>以上|以下|内)?(?:(?P<b>{_BOUND})以下)?")
_STAFF = r"从业人员|员工|工人|职工|人员|伙计|工友|师傅|人|工"
_COUNTED_STAFF = re.compile(rf"({_AMOUNT})\s*(?:个(?!月|小时)|名|号)(?:{_STAFF})?")
# a count told roughly (四百多人, 八十来号人, 一千二百余名职工, 十几个伙计) is a count all the same: somewhat over
# its round number (多, 余), about it (来), or its tens and some (十几 → 十五)
_ROUGHLY = re.compile(rf"(\d+|[零〇一二两三四五六七八九十百千]+)(多|余|来|几)(?=\s*(?:个|名|号|{_STAFF}))")
_WORD = re.compile(r"[\u4e00-\u9fff]{2}")
_PARTICLES = set("的是了左等多及和或以")
_EXCLUSIVE_BELOW = re.compile(r"[“\"]以下[”\"]不包括本数")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # 人, 元 or 吨
    of: str  # the two characters after it (重伤 in 12人重伤), "" when none


def _value(text: str) -> tuple[float, str] | None:
    match = _QUANTITY.fullmatch(text.strip())
    if not match:
        return None
    number = match.group("n")
    try:
        amount = float(number) if number[0].isdigit() else float(cn_to_int(number))
    except ValueError:
        return None
    unit, scale = _UNITS[match.group("u")]
    return amount * scale, unit


def _after(text: str, end: int) -> str:
    """What a number counts when the words after it say (12人重伤); "" before a particle (2000万元的事故)."""
    word = _WORD.match(text, end)
    return word.group(0) if word and word.group(0)[0] not in _PARTICLES else ""


def _before(text: str, start: int) -> str:
    """What a number counts when the words before it say (重伤三人以上); "" after a particle."""
    word = _WORD.fullmatch(text, max(0, start - 2), start)
    return word.group(0) if word and word.group(0)[-1] not in _PARTICLES else ""


def _round_number(match: re.Match[str]) -> str:
    """四百多 -> 401, 八十来 -> 80, 十几 -> 15 (a number between its tens, as 几 says)."""
    number, rough = match.groups()
    try:
        value = int(number) if number.isdigit() else cn_to_int(number)
    except ValueError:
        return match.group(0)
    if rough == "几":
        return str(value + 5) if value % 10 == 0 else match.group(0)
    return str(value + 1) if rough in "多余" else str(value)


def without_choices(question: str) -> str:
    return CHOICES.sub("", question)


def stated(question: str) -> list[Quantity]:
    """The counts and amounts a question states (not those of its choices)."""
    found = []
    question = _ROUGHLY.sub(_round_number, without_choices(question))
    question = _COUNTED_STAFF.sub(r"\1人", question)  # 120个工人, 20名员工 -> 120人, 20人
    for match in _QUANTITY.finditer(question):
        parsed = _value(match.group(0))
        if parsed:
            found.append(Quantity(*parsed, _after(question, match.end())))
    return found


def holds(text: str, quantities: list[Quantity], provision: str = "", context: str = "") -> bool:
    """Whether a range the text sets (A以上B以下, A以上, A以下, 超过A, 不超过A) holds one of the quantities,
    of the same unit and of the same thing: what the question counts (12人重伤), which a range writes after its
    number (10人以上50人以下重伤) or before it (重伤三人以上), else a thing the question
    (context: with its legal terms) names (死了35个人 … 死亡). “以下” excludes the bound when the provision
    says so."""
    below_open = bool(_EXCLUSIVE_BELOW.search(provision))
    for low, low_open, high, q in _comparable(text, quantities, context):
        if low is not None and (q.value < low[0] or (low_open and q.value == low[0])):
            continue
        if high is not None and (q.value > high[0] or (below_open and q.value == high[0])):
            continue
        return True
    return False


def bounds(text: str, quantities: list[Quantity], context: str = "") -> bool:
    """Whether the text sets a range of the same unit and thing as one of the quantities, holding it or not (预计参加
    人数达到1000人以上的 bounds the 800人 of a question, and says it falls outside)."""
    return any(True for _ in _comparable(text, quantities, context))


def _comparable(text: str, quantities: list[Quantity], context: str):
    """(low, low open, high, quantity) for each range the text sets and each quantity of its unit and thing."""
    if not quantities:
        return
    ranges = []
    for match in _RANGE.finditer(text):
        first = _value(match.group("a"))
        if first is None or not (match.group("over") or match.group("a_side")):
            continue
        low = high = None
        low_open = False
        if match.group("over") == "超过":
            low, low_open = first, True
        elif match.group("over") == "不超过" or match.group("a_side") in ("以下", "内"):
            high = first
        else:
            low = first
        if match.group("b"):
            high = _value(match.group("b"))
        # what it counts, written after the number (10人以上重伤) or before it (重伤三人以上)
        ranges.append((low, low_open, high, _after(text, match.end()), _before(text, match.start())))
    counted_here = {word for *_, after, before in ranges for word in (after, before)}
    for low, low_open, high, counted, before in ranges:
        bound = low or high
        assert bound is not None  # every range has its first figure as a bound
        unit = bound[1]
        for q in quantities:
            if q.unit != unit:
                continue
            if unit in _OCCASIONS:  # how often, how long: what the words after it say is what happens, not a count
                pass
            elif q.of and q.of in counted_here:  # the question says what it counts, and the text counts that
                if q.of not in (counted, before):
                    continue
            elif counted and counted not in context:
                continue
            yield low, low_open, high, q
