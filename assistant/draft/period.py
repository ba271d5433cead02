"""What a plan covers: the period a user names (2025Q1, 2025, 2025-06, 2025春节, 春节), turned into real dates,
and the dated phases of the plan inside it. Holiday dates come from the knowledge pack (fixed days, 清明 by
formula, lunar festivals from the lunar_dates table); nothing is fetched."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.pack import Holiday, Phase, PlanTemplates

KINDS = {"quarterly": "季度计划", "annual": "年度计划", "campaign": "专项整治方案", "holiday": "节假日方案"}
KIND_ALIASES = {
    "季度": "quarterly",
    "年度": "annual",
    "全年": "annual",
    "专项": "campaign",
    "专项整治": "campaign",
    "大检查": "campaign",
    "节假日": "holiday",
    "节日": "holiday",
    "假日": "holiday",
}


def normalise_kind(kind: str) -> str:
    """quarterly / annual / campaign / holiday, also from the Chinese names (季度计划, 专项整治方案 …)."""
    text = (kind or "").strip().lower()
    if text in KINDS:
        return text
    named = {label: key for key, label in KINDS.items()}
    if text in named:
        return named[text]
    for alias, key in KIND_ALIASES.items():
        if text.startswith(alias):
            return key
    return text


QUARTER_NAMES = "一二三四"
_CN_QUARTER = {name: n for n, name in enumerate(QUARTER_NAMES, start=1)}


class PlanRequestError(ValueError):
    """A draft request that cannot be served; the message (Chinese) names the field and what to write."""


@dataclass
class Period:
    kind: str
    label: str  # the period in words: 2025年第一季度, 2025年, 2025年6月, 2025年春节
    year: int
    start: date
    end: date
    quarter: int | None = None
    holiday: Holiday | None = None
    holiday_start: date | None = None  # first day of the public holiday (除夕 for 春节)
    holiday_end: date | None = None  # last day of the public holiday (of the second festival for 元旦春节)
    months: list[int] = field(default_factory=list)  # calendar months the period touches, in order

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class DatedPhase:
    name: str
    task: str
    start: date
    end: date

    @property
    def span(self) -> str:
        return date_range(self.start, self.end)


def cn_date(day: date, with_year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def date_range(start: date, end: date) -> str:
    """2025年1月1日—1月10日 (the year once when both days share it)."""
    if start == end:
        return cn_date(start)
    return f"{cn_date(start)}—{cn_date(end, with_year=start.year != end.year)}"


def _months(start: date, end: date) -> list[int]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day.month)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _quarter(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = _month_end(year, 3 * quarter)
    return Period(
        "quarterly",
        f"{year}年第{QUARTER_NAMES[quarter - 1]}季度",
        year,
        start,
        end,
        quarter=quarter,
        months=_months(start, end),
    )


def _year(year: int) -> Period:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return Period("annual", f"{year}年", year, start, end, months=list(range(1, 13)))


def _month(year: int, month: int) -> Period:
    start, end = date(year, month, 1), _month_end(year, month)
    return Period("campaign", f"{year}年{month}月", year, start, end, months=[month])


def _valid_year(text: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise PlanRequestError(f"期间中的年份“{year}”超出范围：请写 2000—2100 之间的四位年份")
    return year


_QUARTER = re.compile(r"^(\d{4})\s*(?:[-_ ]?[Qq]([1-4])|年?第?([一二三四1-4])季度?)$")
_YEAR = re.compile(r"^(\d{4})年?(?:度|全年)?$")
_MONTH = re.compile(r"^(\d{4})(?:-|年|/|\.)(\d{1,2})月?$")
_HOLIDAY = re.compile(r"^(?:(\d{4})年?)?(.+?)(?:期间)?$")


def qingming(year: int) -> date:
    """清明 for 2000–2099: day = floor(Y·0.2422 + 4.81) − floor(Y/4), Y the last two digits."""
    y = year % 100
    return date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


def lunar_date(plans: PlanTemplates, festival: str, year: int) -> date:
    for day in plans.lunar_dates.get(festival, []):
        if day.year == year:
            return day
    known = [d.year for d in plans.lunar_dates.get(festival, [])]
    span = f"{min(known)}—{max(known)}年" if known else "任何年份"
    raise PlanRequestError(
        f"期间：知识包只有 {span} 的{festival}日期，没有 {year} 年的；"
        f"请在 knowledge/plan_templates.yaml 的 lunar_dates 中补充 {year} 年{festival}的公历日期"
    )


def holiday_day(plans: PlanTemplates, holiday: Holiday, year: int) -> date:
    if holiday.date == "qingming":
        return qingming(year)
    if holiday.date == "lunar":
        assert holiday.lunar is not None
        return lunar_date(plans, holiday.lunar, year)
    month, day = (int(x) for x in holiday.date.split("-"))
    return date(year, month, day)


def find_holiday(plans: PlanTemplates, name: str) -> Holiday | None:
    wanted = name.strip().strip('“”"')
    for holiday in plans.holidays:
        if wanted in [n.strip('“”"') for n in holiday.names]:
            return holiday
    return None


def holiday_period(plans: PlanTemplates, holiday: Holiday, year: int) -> Period:
    first = holiday_day(plans, holiday, year)
    begins = first - timedelta(days=1) if holiday.eve else first
    ends = begins + timedelta(days=holiday.days - 1)
    if holiday.also_lunar:
        # the second festival keeps its own public holiday (春节: from 除夕, 8 days)
        own = next((h for h in plans.holidays if h.lunar == holiday.also_lunar), holiday)
        second = lunar_date(plans, holiday.also_lunar, year) - timedelta(days=1 if own.eve else 0)
        begins, ends = min(begins, second), max(ends, second + timedelta(days=own.days - 1))
    start, end = begins - timedelta(days=holiday.before), ends + timedelta(days=holiday.after)
    name = holiday.name.strip("“”")
    return Period(
        "holiday",
        f"{year}年{name}",
        year,
        start,
        end,
        holiday=holiday,
        holiday_start=begins,
        holiday_end=ends,
        months=_months(start, end),
    )


# the longest period written is 2025年元旦和春节期间 (12 characters): a longer one is a paste gone wrong, refused
# before it is read and never echoed whole (120 KB echoed in the refusal took 160 s to print)
PERIOD_MAX_CHARS = 30
_PERIOD_SHOWN_CHARS = 12


def check_period_length(period: str | None) -> None:
    """PlanRequestError (Chinese, quoting only the start) for a period longer than any period is written."""
    text = (period or "").strip()
    if len(text) > PERIOD_MAX_CHARS:
        raise PlanRequestError(
            f"期间“{text[:_PERIOD_SHOWN_CHARS]}…”过长（{len(text):,} 个字符，最多 {PERIOD_MAX_CHARS} 个）："
            "季度计划写 2025Q1，年度计划写 2025，专项方案写 2025-06，节假日写 2025春节"
        )


def parse_period(plans: PlanTemplates, kind: str, period: str, today: date | None = None) -> Period:
    """The period a user names, for a plan kind; PlanRequestError (Chinese) when it cannot be read."""
    check_period_length(period)
    kind = normalise_kind(kind)
    if kind not in KINDS:
        raise PlanRequestError(f"计划类型“{kind}”无法识别：请写 {'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}")
    # typed with a Chinese input method in full-width mode (２０２５Ｑ２, ２０２５－０６) it is the same period
    text = unicodedata.normalize("NFKC", period or "").strip().replace(" ", "")
    if not text:
        raise PlanRequestError(
            "期间不能为空：季度计划写 2025Q1，年度计划写 2025，专项方案写 2025-06，节假日写 2025春节"
        )
    today = today or date.today()
    if kind == "quarterly":
        match = _QUARTER.match(text)
        if not match:
            raise PlanRequestError(f"期间“{period}”不是季度：季度计划请写 2025Q1、2025-Q2 或 2025年第三季度")
        quarter = match.group(2) or match.group(3)
        return _quarter(_valid_year(match.group(1)), int(quarter) if quarter.isdigit() else _CN_QUARTER[quarter])
    if kind == "annual":
        match = _YEAR.match(text)
        if not match:
            raise PlanRequestError(f"期间“{period}”不是年份：年度计划请写四位年份，如 2025")
        return _year(_valid_year(match.group(1)))
    if kind == "campaign":
        if match := _MONTH.match(text):
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise PlanRequestError(f"期间“{period}”中的月份应在 1—12 之间，如 2025-06")
            found = _month(_valid_year(match.group(1)), month)
        elif match := _QUARTER.match(text):
            quarter = match.group(2) or match.group(3)
            found = _quarter(_valid_year(match.group(1)), int(quarter) if quarter.isdigit() else _CN_QUARTER[quarter])
        elif match := _YEAR.match(text):
            found = _year(_valid_year(match.group(1)))
        else:
            raise PlanRequestError(
                f"期间“{period}”无法识别：专项整治方案请写月份（2025-06）、季度（2025Q2）或年份（2025）"
            )
        found.kind = "campaign"
        return found
    match = _HOLIDAY.match(text)
    holiday = find_holiday(plans, match.group(2).lstrip("-_/.")) if match else None
    if match is None or holiday is None:
        names = "、".join(h.name.strip("“”") for h in plans.holidays)
        raise PlanRequestError(
            f"期间“{period}”不是可识别的节日：节假日方案请写 2025春节 或 春节（当年），可选：{names}"
        )
    return holiday_period(plans, holiday, _valid_year(match.group(1)) if match.group(1) else today.year)


def dated_phases(phases: list[Phase], period: Period) -> list[DatedPhase]:
    """Each phase with real dates inside the period: shares of the period, or before/during/after a holiday."""
    dated: list[DatedPhase] = []
    total = (period.end - period.start).days + 1
    start = period.start
    for phase in phases:
        if phase.span is not None:
            assert period.holiday_start is not None and period.holiday_end is not None
            begin, finish = {
                "before": (period.start, period.holiday_start - timedelta(days=1)),
                "during": (period.holiday_start, period.holiday_end),
                "after": (period.holiday_end + timedelta(days=1), period.end),
            }[phase.span]
        else:
            assert phase.until is not None
            begin = start
            finish = period.start + timedelta(days=max(round(total * phase.until) - 1, 0))
            months = len(period.months)
            if (
                period.start.day == 1
                and period.end == _month_end(period.end.year, period.end.month)
                and abs(months * phase.until - round(months * phase.until)) < 1e-9
            ):
                whole = round(months * phase.until)  # a whole number of months: end on a month end
                first = date(
                    period.start.year + (period.start.month + whole - 2) // 12,
                    (period.start.month + whole - 2) % 12 + 1,
                    1,
                )
                finish = _month_end(first.year, first.month)
        begin, finish = max(begin, period.start), min(finish, period.end)
        if begin <= finish:
            dated.append(DatedPhase(phase.name, phase.task, begin, finish))
            start = finish + timedelta(days=1)
    return dated


def holidays_within(plans: PlanTemplates, period: Period) -> list[tuple[str, date]]:
    """The single festivals (not the combined 元旦春节) whose day falls inside the period, in date order."""
    found = []
    for holiday in plans.holidays:
        if holiday.also_lunar:
            continue
        for year in {period.start.year, period.end.year}:
            try:
                day = holiday_day(plans, holiday, year)
            except PlanRequestError:
                continue
            if period.contains(day):
                found.append((holiday.name.strip("“”"), day))
    return sorted(set(found), key=lambda item: item[1])
