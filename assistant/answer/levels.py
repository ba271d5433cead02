"""The level of an accident a question describes (死了一个人 → 一般事故): an answer about an accident's
consequences (its fines, who investigates, how far it is reported) depends on the level, which 生产安全事故报告和
调查处理条例第三条 sets by deaths, serious injuries and direct loss (knowledge/accident_levels.yaml). The offline
answer says which level the stated measures make and quotes the item of the basis that defines it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from assistant.pack import AccidentLevels
from ingest.cleaning import to_simplified
from ingest.numerals import cn_to_int
from ingest.store import StoredChunk

_NUMBER = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_PEOPLE = r"(?:个|名|位)?(?:人|职工|工人|员工)"
# after the word for deaths or injuries, a number with its measure word alone counts people too (重伤12个，死了两名):
# 个 so only where no word follows it (not 重伤3个月后)
_PEOPLE_AFTER = rf"(?:{_PEOPLE}|名|位|个(?![\u4e00-\u9fff]))"
# before the word for deaths or injuries, a number with its measure word alone counts people too (报的是3个重伤)
_PEOPLE_BEFORE = rf"(?:{_PEOPLE}|个|名|位)"
# after the number, a threshold asked about (死亡3人以上的事故), not an accident described
_RANGE_AFTER = re.compile(r"^(?:以上|以下|以内|及以上|至|到|-|~|或)")


@dataclass(frozen=True)
class Stated:
    """The measures a question states and the level they make."""

    deaths: int = 0
    serious_injuries: int = 0
    direct_loss_wan: Fraction = Fraction(0)
    level: str = ""

    @property
    def described(self) -> str:
        """The measures as the answer restates them: 死亡1人、重伤12人."""
        parts = [
            f"死亡{self.deaths}人" if self.deaths else "",
            f"重伤{self.serious_injuries}人" if self.serious_injuries else "",
        ]
        if self.direct_loss_wan:
            loss = self.direct_loss_wan  # 12000, 1500.5: never 1e+06
            parts.append(f"直接经济损失{loss.numerator if loss.denominator == 1 else float(loss)}万元")
        return "、".join(p for p in parts if p)


def _patterns(levels: AccidentLevels) -> dict[str, list[re.Pattern[str]]]:
    words = levels.words
    return _compiled(tuple(words.deaths), tuple(words.serious_injuries), tuple(words.direct_loss_wan))


@lru_cache(maxsize=4)
def _compiled(death_words: tuple[str, ...], injury_words: tuple[str, ...], loss_words: tuple[str, ...]):
    def words(names: tuple[str, ...]) -> str:
        return "|".join(sorted(map(re.escape, names), key=len, reverse=True))

    deaths, injuries = words(death_words), words(injury_words)
    return {
        "deaths": [
            re.compile(rf"(?:{deaths})了?(?P<n>{_NUMBER}){_PEOPLE_AFTER}"),
            re.compile(rf"(?P<n>{_NUMBER}){_PEOPLE_BEFORE}(?:当场)?(?:{deaths})"),
        ],
        "serious_injuries": [
            re.compile(rf"(?:{injuries})了?(?P<n>{_NUMBER}){_PEOPLE_AFTER}"),
            re.compile(rf"(?P<n>{_NUMBER}){_PEOPLE_BEFORE}(?:{injuries})"),
        ],
        "direct_loss_wan": [
            re.compile(rf"(?:{words(loss_words)})(?:约|达|达到|超过|近|将近|了)?(?P<n>{_NUMBER})(?P<unit>万|亿)元?")
        ],
    }


def _value(number: str) -> Fraction:
    if number[0].isdigit():
        return Fraction(number)
    try:
        return Fraction(cn_to_int(number))
    except ValueError:
        return Fraction(0)


def _measure(text: str, patterns: list[re.Pattern[str]]) -> Fraction | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            if _RANGE_AFTER.match(text[match.end() :]):
                continue
            value = _value(match.group("n"))
            if value <= 0:
                continue
            if "unit" in match.groupdict():
                value *= 10_000 if match.group("unit") == "亿" else 1
            return value
    return None


def stated(question: str, levels: AccidentLevels) -> Stated | None:
    """The measures of an accident the question states (a number of deaths, of serious injuries, a direct loss)
    and the level they make; None when it states none (or only a threshold: 死亡3人以上的事故, or deaths that are no
    accident's: 因职业病死亡2人)."""
    text = to_simplified(question).replace(" ", "")
    if any(word in text for word in levels.words.not_accidents):
        return None  # 两名职工因职业病死亡: no accident
    patterns = _patterns(levels)
    found = {name: _measure(text, patterns[name]) for name in patterns}
    if not any(found.values()):
        return None
    deaths, injuries, loss = (found[n] or Fraction(0) for n in ("deaths", "serious_injuries", "direct_loss_wan"))
    level = levels.classify(int(deaths), int(injuries), float(loss))
    return Stated(int(deaths), int(injuries), loss, level)


def defining_item(text: str, level: str) -> str:
    """The item of the basis article that defines a level ((四)一般事故，是指…的事故。), or ""."""
    return next((line.strip().rstrip("；;，,") for line in text.splitlines() if f"{level}，是指" in line), "")


@dataclass(frozen=True)
class Accident:
    """What a question states of an accident, the article defining its level (the pack's basis), and the names of
    the levels (特别重大事故 … 一般事故): a provision speaking in them is one whose consequence depends on the level."""

    stated: Stated
    basis: StoredChunk
    levels: tuple[str, ...]

    def matters_to(self, text: str) -> bool:
        """Whether a quoted text speaks in levels (发生一般事故的，处…; 较大以上生产安全事故; 对重大、特别重大生产
        安全事故负有责任的), not of a 重大事故隐患."""
        return covered(text, self.levels) is not None

    @property
    def item(self) -> str:
        return defining_item(self.basis.text, self.stated.level)


@lru_cache(maxsize=4)
def _mention(levels: tuple[str, ...]) -> re.Pattern[str]:
    """A mention of levels with its bound: 较大以上, 重大、特别重大, 一般 (each before 事故 or 生产安全事故)."""
    stems = "|".join(sorted((re.escape(level.removesuffix("事故")) for level in levels), key=len, reverse=True))
    return re.compile(rf"(?P<named>(?:{stems})(?:、(?:{stems}))*)(?P<bound>以上|以下)?的?(?:生产安全)?事故(?!隐患)")


def covered(text: str, levels: tuple[str, ...]) -> set[str] | None:
    """The levels a text speaks of (levels: most serious first): 对较大以上生产安全事故负有责任的 covers 较大事故 and
    the two above it, 重大、特别重大生产安全事故 those two only; None when it speaks in no level."""
    found: set[str] | None = None
    for mention in _mention(levels).finditer(text):
        named = [f"{stem}事故" for stem in mention.group("named").split("、")]
        places = [levels.index(level) for level in named if level in levels]
        if not places:
            continue
        if mention.group("bound") == "以上":
            places = list(range(0, max(places) + 1))
        elif mention.group("bound") == "以下":
            places = list(range(min(places), len(levels)))
        found = (found or set()) | {levels[i] for i in places}
    return found


_LEVEL_NAMES = "(?:一般|较大|重大|特别重大)"
# the level of an accident asked by counting (这算几级事故, 属于哪一级的事故) or by its class (算什么事故, 属于哪类事故,
# 事故等级是什么): which of the named levels it is
_LEVEL_ASKED = re.compile(
    r"(?:几|哪一?|什么)个?(?:级|等级|级别)的?(?:生产安全)?事故"
    r"|(?:算|属于|是|定为|定性为|认定为)(?:什么|哪种|哪类|哪一类|何种|啥)(?:生产安全)?事故"
    r"|事故(?:的)?(?:等级|级别)(?:是|算)?(?:什么|多少|哪|几)"
    # or how its level is set (事故等级怎么定, 怎么定级)
    r"|(?:事故的?(?:等级|级别)|定级)(?:该|要|应该)?(?:怎么|如何|怎样)(?:定|确定|认定|判定)|(?:怎么|如何|怎样)定级"
    # or by a level alone (这算哪个等级, 属于哪一级), not the level of who acts (是哪一级人民政府负责)
    r"|(?:算|属于|是|定为|划为|归为)(?:哪个|哪一|哪|什么|几)个?(?:等级|级别|级)(?!的?(?:人民|政府|部门|机关|公安|单位))"
    # or by levels put to be chosen or confirmed (算一般事故还是较大事故, 是不是较大事故, 属于重大事故吗), not a level
    # told as a condition (如果是重大事故，又怎么罚) nor a 重大事故隐患
    rf"|(?:算不算|是不是|属不属于){_LEVEL_NAMES}事故(?!隐患)"
    rf"|(?:算|属于|是){_LEVEL_NAMES}事故(?!隐患)(?:还是|吗|呢|[？?])"
)


def asks_level(part: str) -> bool:
    """Whether a question part asks which level an accident is (算几级事故, 算什么事故)."""
    return bool(_LEVEL_ASKED.search(to_simplified(part)))


def named_level(question: str, levels: tuple[str, ...]) -> str:
    """The one level a question names as its accident's (出了一起较大事故), "" when it names none, several, or a bound
    (较大以上事故 asks of a range)."""
    mentions = list(_mention(levels).finditer(to_simplified(question)))
    if len(mentions) != 1 or mentions[0].group("bound") or "、" in mentions[0].group("named"):
        return ""
    return f"{mentions[0].group('named')}事故"
