"""Figures in a text: a number with its unit or measure (三百人, 300人, 2小时, 五万元, 1.5万元, 百分之十, 10%, 3 MPa),
in either numeral script, read as a value in a base unit, so that 一百人 and 100人, 五万元 and 50000元, 百分之十 and
10% are the same figure. Used to check the figures of a model's reply against its sources
(assistant.llm.verification). Texts are read folded (simplified, half-width: see verification._fold).

Colloquial forms are figures too: 钟头 is an hour (两个钟头, 半个钟头, 一个半钟头: 90分钟; 两天半), and so
are 个点, 个钟, 钟点 and 个半点钟 (两个点, 三个钟, 一个半点钟; not 三点钟, 两个点位); 刻钟 is 15 minutes, 礼拜
a week, 个把小时 about an hour; 俩 and 仨 are numerals (俩小时), 块 and 块钱 are 元 when money is meant
(五十万块, 十万块钱; not 三块警示牌), and so are 圆, 大洋 and 人民币 (五十万圆, 五十万大洋); w is 万 (50w元,
五十个w; 5w alone is 五万 of no unit, and so is a number of 万 alone: 最高可罚五十万), k a thousand (500k元),
半百万 half a million; a currency before an amount makes it 元 (RMB 500,000, ¥500000); 口人, 号人, 员工, 职工,
工人 count people (三百口人, 三百号人, 三百个员工), and 上千人, 近百人 are 一千人, 一百人. Abbreviations and
English words are units after a number (2h, 48hrs, 90 min, two hours, 500,000 yuan). A number in Latin letters
before a unit (three hundred人, CCC人) is read as its value, or as UNREADABLE when it cannot be (IIII人, X人) — a
figure no source states.

People are counted with any classifier (三百人, 三百名, 三百位). An approximate figure (三百余人, 300多人, 十几人,
三百人左右) is read as the number it rounds (三百人): it is checked like that figure, so one the sources do not
state is marked like any other; it is marked approximate (Figure.approximate), as an approximate time is not the
exact limit it rounds (一个多小时 is not 1小时内). A number whose unit is left out but which is stated as a measure
(三百左右的, 300以上的, 一百以下, 超过三百的单位, 员工数超过三百时) is a figure of no unit (UNSTATED): it
matches a figure of any unit with its value.

A proportion in words is a percentage (一半 and 半数 50%, 二分之一 50%, 三分之二, 五成 50%, 四成半 45%, a discount:
七折 70%, 七五折 75%); half a unit of time is a figure of that unit (半天 0.5日, 半小时 30分钟; not 半个月).
A figure stated with a bound (二十万元以下, 超过一百人,
不得超过2小时) or a range over two figures (十万元以上二十万元以下, 百分之六十至百分之一百) states a range (bounds):
the check compares its two ends, not only its numbers. Each end's number is in the range or not (ends): by law
以上、以下、以内 include it and 超过、不足、不满 do not, unless the text says so in words (超过一百人的（含一百人）,
一百人及以上, 100人（不含）以下: explicit).

Not figures: an ordinal (第三条, 第2款), a year (2021年), a calendar date (6月10日), 一 as an article (一名, 一次),
a vague count (几十人, 数百人), 位 of a number's digits or places (三位数, 两位小数, 三位一体)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ingest.numerals import value_of

# unit as written -> (base unit, how many base units it is): 1小时 is 60分钟, 一周 is 7日, 1吨 is 1000千克
_UNITS: dict[str, tuple[str, Fraction]] = {
    "人次": ("人次", Fraction(1)),
    "个人": ("人", Fraction(1)),
    "口人": ("人", Fraction(1)),  # 三百口人 (people of a household or a unit)
    "号人": ("人", Fraction(1)),  # 三百号人 (people, said colloquially; 号 alone numbers things: 三百号)
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
    # 元 in other writings: 圆 (its formal variant), 大洋 (silver dollars, said for 元), 人民币 and RMB after the amount
    "元人民币": ("元", Fraction(1)),
    "人民币": ("元", Fraction(1)),
    "圆": ("元", Fraction(1)),
    "块大洋": ("元", Fraction(1)),
    "大洋": ("元", Fraction(1)),
    # money said colloquially: 十万块钱, 五十万块 (块 alone counts things too: see _MONEY_KUAI)
    "块钱": ("元", Fraction(1)),
    "块": ("元", Fraction(1)),
    "个工作日": ("工作日", Fraction(1)),
    "工作日": ("工作日", Fraction(1)),
    "个小时": ("分钟", Fraction(60)),
    "小时": ("分钟", Fraction(60)),
    "个钟头": ("分钟", Fraction(60)),  # 两个钟头: two hours, said colloquially
    "钟头": ("分钟", Fraction(60)),
    # hours said colloquially: 两个点, 三个钟 (not 三个钟表), 一个半点钟, 两个钟点 (点钟 alone is a time of day:
    # 三点钟; see _plausible)
    "个钟点": ("分钟", Fraction(60)),
    "钟点": ("分钟", Fraction(60)),
    "个点钟": ("分钟", Fraction(60)),
    "点钟": ("分钟", Fraction(60)),
    "个点": ("分钟", Fraction(60)),
    "个钟": ("分钟", Fraction(60)),
    "刻钟": ("分钟", Fraction(15)),  # 三刻钟: 45 minutes
    "分钟": ("分钟", Fraction(1)),
    "秒钟": ("分钟", Fraction(1, 60)),
    "秒": ("分钟", Fraction(1, 60)),
    "日": ("日", Fraction(1)),
    "天": ("日", Fraction(1)),
    "个星期": ("日", Fraction(7)),
    "星期": ("日", Fraction(7)),
    "个礼拜": ("日", Fraction(7)),
    "礼拜": ("日", Fraction(7)),
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
# people counted by what they are (三百个员工, 三百名职工, 300工人): the noun is the unit, with or without 个
_PEOPLE_NOUNS = ("从业人员", "工作人员", "劳动者", "员工", "职工", "工人", "雇员", "人员")
_UNITS |= {f"{ge}{noun}": ("人", Fraction(1)) for noun in _PEOPLE_NOUNS for ge in ("个", "")}
# a reply in English counts people too (300 employees is 三百人): words, so a word and a space may come before them
_WORD_UNITS = {"employees", "employee", "workers", "persons", "people", "staff"}
_UNITS |= {word: ("人", Fraction(1)) for word in _WORD_UNITS}
# … and time and money (two hours, 90 minutes, 2 days, 500,000 yuan): words, like the words counting people
_EN_TIME_UNITS = {
    **dict.fromkeys(("hours", "hour"), ("分钟", Fraction(60))),
    **dict.fromkeys(("minutes", "minute"), ("分钟", Fraction(1))),
    **dict.fromkeys(("days", "day"), ("日", Fraction(1))),
    **dict.fromkeys(("weeks", "week"), ("日", Fraction(7))),
    **dict.fromkeys(("months", "month"), ("月", Fraction(1))),
    **dict.fromkeys(("years", "year"), ("年", Fraction(1))),
    **dict.fromkeys(("yuan", "RMB", "CNY"), ("元", Fraction(1))),
}
_WORD_UNITS |= set(_EN_TIME_UNITS)
_UNITS |= _EN_TIME_UNITS
# their abbreviations, after a number only (2h, 48hrs, 90 min, 30 mins)
_ABBREVIATIONS = {
    **dict.fromkeys(("hrs", "hr", "h", "H"), ("分钟", Fraction(60))),
    **dict.fromkeys(("mins", "min"), ("分钟", Fraction(1))),
}
_UNITS |= _ABBREVIATIONS
_UNIT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# 一 before these is an article (一名、一次、一起、一家、一个员工), not a count
_ARTICLE_UNITS = {"人", "名", "位", "次", "起", "家", "度", "层", "号人"} | {
    f"{ge}{noun}" for noun in _PEOPLE_NOUNS for ge in ("个", "")
}
# 位 counting something other than people: 三位数, 两位小数, 三位一体, 一位置 …, 位于
_NOT_PEOPLE_AFTER_WEI = ("数", "小数", "一体", "置", "于")
# 俩 and 仨 are numerals said colloquially (俩小时: two hours, 仨人: three people)
# a Chinese number with a decimal point (十九点五, 一点五万元), read only before a unit or a power of ten: 三点钟 is a
# time of day, 两点意见 two points
_DECIMAL_UNITS = (
    "(?:"
    + "|".join(
        ["%", "个?小时", "个?钟头", "个?月", "年", "日", "天", "分钟", "秒", "米", "厘米", "毫米", "公里", "千米", "吨"]
        + ["千克", "公斤", "克", "元", "万元", "亿元", "倍", "人", "名", "兆帕", "MPa"]
    )
    + ")"
)
_CN_DIGITS = "零〇○一二两三四五六七八九壹贰叁肆伍陆柒捌玖廿卅俩仨"
# a Chinese number; 半 before a power of ten is half of it (半百万元: 500000元); 万 may be written w or W, and 个 may
# stand before it (五十个w, 五十个万: 五十万)
_CN = (
    rf"(?:半[百千万亿]+|[{_CN_DIGITS}十拾百佰千仟万亿]+(?:点[零〇○一二两三四五六七八九]+(?=[百千万亿]|{_DECIMAL_UNITS}))?)"
    r"(?:个?[wW](?![A-Za-z])|个万)?"
)
# 3百人, 1.5千元, 2万; 50w元 and 5w (w: 万, as written in chats; W only before 元 or 块: 100W is watts); 500k元 and
# 5k人 (k: a thousand; not kg, km, kW …); 0.5M元 (a million, before 元 or 块 only)
_ARABIC = (
    r"\d+(?:,\d{3})*(?:\.\d+)?"
    r"(?:[ \t]*(?:个?(?:万亿|万|亿|w(?![A-Za-z])|W(?=元|块))|百|佰|千|仟|k(?![A-Za-z])|[KM](?=元|块)))?"
)
_NUMBER = rf"(?:{_ARABIC}|{_CN})"
_RANGE_SEP = r"[ \t]*(?:至|到|~|～|-|—|–)[ \t]*"
# what makes a number approximate between it and its unit: 三百余人, 300多人, 十几人, 两个多小时, 一个多月, and 来 after
# a round number (三百来人, 二十来天, 50来人; not 一来…二来) or after 个 (两个来小时) (read as 三百人, 300人, 十人,
# 两小时, 一个月, 三百人, 两小时)
_APPROXIMATE = r"个?[余多几]|个来|(?<=[十百千万0])来"
# 月 is a unit only after 个 (一个月, 一个多月, 三个半月: 6月 is a month of the year)
_UNIT_AFTER_GE = r"(?<=个[余多几半])月"
# half a unit more: 一个半小时, 两个半钟头, 三个半月 (before the unit); 两天半, 一年半以上 (after a unit of time, before
# what ends a figure: not 三日半夜)
_HALF_MORE = r"个半"
_HALF_AFTER = r"(?<=[时头天日年周期月])半(?=[内以之的后前，,。；;、）)\s]|$)"
# 百分之十 / 千分之三; a number (a range: 一百至三百人), approximate or not, and its unit; the unit of a Latin
# symbol ends the word
_FIGURE = re.compile(
    rf"(?P<per>百分之|千分之)(?P<pnum>[{_CN_DIGITS}十]+点[零〇○一二两三四五六七八九]+|{_NUMBER})"
    rf"|(?P<num>{_NUMBER})(?:{_RANGE_SEP}(?P<num2>{_NUMBER}))?[ \t]*"
    rf"(?:(?P<approx>{_APPROXIMATE})|(?P<half>{_HALF_MORE}))?[ \t]*"
    rf"(?P<unit>{_UNIT}|{_UNIT_AFTER_GE})(?![A-Za-z])(?P<trail>{_HALF_AFTER})?"
)
# 块 counts things too (三块警示牌): it is money after a number of 万, 千 or 亿 (五十万块, 3千块), before what
# follows an amount (五十块钱, 五十块以下, 五十块的罚款) or after a fine's verb (罚五十块)
_KUAI_MONEY_AFTER = ("钱", "以上", "以下", "以内", "之内", "左右", "上下", "的罚款", "罚款", "罚金")
_KUAI_MONEY_BEFORE = ("罚款", "罚", "处", "赔偿", "赔")
# a number in Latin letters before a unit: English words (three hundred人, fifty thousand元) or Roman numerals
# (CCC人); read as its value, or as UNREADABLE (never a source's figure: marked) when it cannot be read
_EN_SMALL = dict(
    zip(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split(),
        range(20),
        strict=True,
    )
)
_EN_TENS = dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10), strict=True))
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_EN_WORD = "|".join(sorted([*_EN_SMALL, *_EN_TENS, *_EN_SCALES], key=len, reverse=True))
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
UNREADABLE = Fraction(-1)  # the value of a number that cannot be read (a figure no source states)
_VAGUE = set("几数")  # 几十人, 数百人: no figure
# the unit of a figure stated without one (三百左右的): its value is compared with every unit's
UNSTATED = ""
# a number with no unit, stated as a measure by the word after it (三百左右, 300以上, 一百以下, 五十以内); not
# 一 (一以上)
_BARE = re.compile(
    rf"(?P<num>{_NUMBER})(?P<bound>左右|上下|以上|以下|以内|开外)"
    # a number of 万 (or 亿, k) alone, its unit unsaid (5w, 最高可罚五十万, 罚款最多五十个万), or any number after a
    # fine's verb (罚款五千), before what ends it: not inside a word (十万火急)
    rf"|(?P<wan>{_NUMBER})(?=[的以之左上下内余多]|[^A-Za-z\u4e00-\u9fff]|$)"
)
_MAGNITUDE_END = ("万", "亿", "w", "W", "k")
_FINE_VERBS = ("罚款", "罚金", "罚", "赔偿", "赔", "处以")
# a number led by a currency (RMB 500,000, ¥500000, 人民币50万元): an amount in 元
_CURRENCY = re.compile(rf"(?:RMB|CNY|人民币|¥|￥)[ \t]*(?P<num>{_NUMBER})(?:[ \t]*(?:元|块钱|块|yuan)(?![A-Za-z]))?")
# 个把小时, 个把月: about one of the unit (an approximate figure)
_ABOUT_ONE = re.compile(rf"(?<![{_CN_DIGITS}十\d])个把(?P<unit>小时|钟头|点钟|钟点|钟|月|星期|礼拜)")
_ABOUT_ONE_UNITS = {"月": ("月", Fraction(1)), "钟": ("分钟", Fraction(60))}
# a power of ten with no numeral is a number after these (上千人, 近百人, 逾百人, 过万元: 一千, 一百, 一万); not 马上,
# 以上, 之上 …
_MAGNITUDE_LED = re.compile(r"(?:(?<![马以之向往加路线百])上|近|将近|接近|逾|过|破|超|约|达)$")
# a proportion in words, read as a percentage: 一半 and 半数 (50%), 二分之一 (50%), 三分之二, 五成 (50%); 成 only
# after one numeral (not 三五成群) and before what ends a figure (五成的, 四成）; not 一成不变, 组成)
_PROPORTION = re.compile(
    rf"(?P<half>一半|半数)"
    rf"|(?P<den>[{_CN_DIGITS}十]+|\d+)分之(?P<numer>{_NUMBER})"
    # 四成半 (45%), 四成五 (45%)
    rf"|(?<![{_CN_DIGITS}十百千万\d.])(?P<tenths>[一二两三四五六七八九十]|[1-9])成"
    r"(?P<more>半|[一二三四五六七八九1-9](?![十百千万成\d]))?"
    # (followed by a citation marker too: 五成[2])
    r"(?=[的以至到、，。；,;:：）)\s多左\[［【（(]|$)"
    # a discount: 七折 (70%), 七五折 and 7.5折 (75%); not 折算, 折合, 折旧, 折叠 …
    rf"|(?<![{_CN_DIGITS}十百千万\d.])(?P<zhe>[一二三四五六七八九][一二三四五六七八九]?|[1-9](?:\.\d)?)折"
    r"(?![算合旧叠返腾中服射磨断纸线])"
)
_HALF = Fraction(50)  # 一半, 半数: 50 (%)
_TENTH = Fraction(10)  # 一成: 10 (%)
# half a unit of time (半天, 半日, 半小时, 半个小时), not after a number (一个半小时) and not 半个月 (a month is no
# number of days)
_HALF_TIME = re.compile(rf"(?<![个{_CN_DIGITS}十\d])半(?P<unit>个工作日|工作日|个小时|小时|个钟头|钟头|天|日)")
# the words before a figure that make it a bound: (value included, bound above) — 超过一百人 is above 100, not 100;
# 不得超过 is a bound above, not 超过
BOUND_BEFORE: dict[str, tuple[bool, bool]] = {
    **dict.fromkeys(
        (
            "不少于", "不低于", "至少", "最少", "达到", "满", "不得少于", "不得低于", "不小于", "大于等于",
            "大于或等于", "大于或者等于", "起码", "≥", "⩾", ">=",
        ),
        (True, False),
    ),
    **dict.fromkeys(
        (
            "不超过", "不多于", "不高于", "最多", "至多", "不得超过", "不能超过", "不应超过", "不宜超过", "不准超过",
            "不大于", "小于等于", "小于或等于", "小于或者等于", "最长", "最迟", "≤", "⩽", "<=",
        ),
        (True, True),
    ),
    **dict.fromkeys(("超过", "多于", "高于", "大于", "逾", ">"), (False, False)),
    **dict.fromkeys(("不足", "少于", "低于", "小于", "不满", "未满", "不到", "未达到", "<"), (False, True)),
}  # fmt: skip
BOUND_BEFORE_WORDS = sorted(BOUND_BEFORE, key=len, reverse=True)  # 不满 before 满, 不超过 before 超过
# a number with no unit after a bound word (超过三百的单位, 超过300的, 员工数超过三百时, 不足五十就): a measure of no
# unit, like 三百以上; only before what ends a noun phrase or a condition, so that a number counting something
# (超过三级, 达到二类) is not one
_LED_BARE = re.compile(
    rf"(?:{'|'.join(map(re.escape, BOUND_BEFORE_WORDS))})[ \t]*(?P<num>{_NUMBER})"
    r"(?=[ \t]*(?:[的时者，,。；;、：:）)\]\n]|就|才|则|即|以后|之后|后|$))"
)
_LETTER_NUMBER_UNIT = "|".join(
    re.escape(unit) for unit in sorted(_UNITS, key=len, reverse=True) if not unit[0].isascii() or unit in _WORD_UNITS
)
_LETTER_FIGURE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<num>(?i:(?:{_EN_WORD})(?:(?:[ \t]+and[ \t]+|[ \t]+|-)(?:{_EN_WORD}))*)|[IVXLCDM]+)"
    rf"[ \t]*(?P<unit>{_LETTER_NUMBER_UNIT})(?![A-Za-z])"
)
AT_LEAST_AFTER = ("以上",)  # the words after a figure that make it a lower bound (十万元以上)
AT_MOST_AFTER = ("以下", "以内", "之内", "内")  # … an upper bound (十万元以下, 1小时内)
_WITHIN = ("以内", "之内", "内")  # the upper bounds of a time limit: 3日内 says what 3日 says as a limit
# the words after a span of time that make it a lower bound, not counting it (1小时后报告: not before an hour has
# passed, where the law says 1小时内): said of time alone (三百人后 is no bound)
_LATER_AFTER = ("以后", "之后", "后")
_TIME_BASES = frozenset({"分钟", "日", "工作日", "月", "年"})
# what joins the two ends of a range stated as two figures (百分之六十至百分之一百)
_RANGE_JOIN = re.compile(r"[ \t]*(?:至|到|~|～|-|—|–)[ \t]*")


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str  # as written
    key: tuple[str, Fraction]  # (base unit, value)
    more: tuple[tuple[str, Fraction], ...] = ()  # the other end of a range (一百至三百人)
    approximate: bool = False  # 一个多小时, 个把小时, 三百来人: about the value, not the value


def letter_value(number: str) -> Fraction:
    """The value of a number written in Latin letters: English words (three hundred, one hundred and twenty,
    fifty thousand) or a Roman numeral (CCC, XLII); UNREADABLE when it is neither (IIII, VX: no Roman numeral; X
    alone: a placeholder)."""
    words = re.findall(r"[A-Za-z]+", number.lower())
    if any(w in _EN_SMALL or w in _EN_TENS or w in _EN_SCALES for w in words):
        total = current = 0
        for word in (w for w in words if w != "and"):
            if word in _EN_SCALES and _EN_SCALES[word] == 100:
                current = (current or 1) * 100
            elif word in _EN_SCALES:
                total, current = total + (current or 1) * _EN_SCALES[word], 0
            else:
                current += _EN_SMALL.get(word, _EN_TENS.get(word, 0))
        return Fraction(total + current)
    value = 0
    for n, char in enumerate(number):
        digit = _ROMAN[char]
        value += -digit if n + 1 < len(number) and _ROMAN[number[n + 1]] > digit else digit
    if len(number) == 1:
        return UNREADABLE  # X人, C人: a placeholder or a letter, not a number anyone writes
    return Fraction(value) if 0 < value < 4000 and _roman(value) == number else UNREADABLE


def _roman(value: int) -> str:
    """A number as a Roman numeral in its usual form (300: CCC, 42: XLII)."""
    written = ""
    for digit, letters in zip(
        (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
        ("M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"),
        strict=True,
    ):
        count, value = divmod(value, digit)
        written += letters * count
    return written


def _plausible(text: str, match: re.Match, number: str) -> bool:
    """A figure rather than an ordinal, a code (GB 50016), a year, a date, an article (一名) or a vague count
    (几十人)."""
    before = text[: match.start()].rstrip(" \t")
    last = before[-1:]
    if last == "第" or (last and last in _VAGUE and number[0] in "十百千"):
        return False
    unit = match.groupdict().get("unit")
    if number[0].isdigit():
        # a code (GB 50016) has letters before it; an English count (more than 300 employees, within 2 hours) a
        # word and a space
        english = unit in _WORD_UNITS or unit in _ABBREVIATIONS
        code = last.isascii() and last.isalnum() and not (english and before != text[: match.start()])
        if last and (code or last in ".,"):
            return False
    elif (
        not any(c in _CN_DIGITS for c in number)
        and not number.startswith(("十", "拾", "半"))
        and not (number[0] in "百佰千仟万亿" and _MAGNITUDE_LED.search(before))
    ):
        return False  # 万元, 千万: a word, not a number (but 上千人, 近百人: 一千, 一百)
    if unit == "点钟" and not match.groupdict().get("half"):
        return False  # 三点钟: a time of day (一个半点钟 is an hour and a half)
    if unit in ("个点", "个钟") and not re.match(r"[内以之后前左]", text[match.end() :]):
        return False  # 两个点位, 三个钟表, 把握两个点，…: things, not hours (两个点内, 三个钟以后: hours)
    if unit == "年" and len(number) == 4:
        return False  # a year: 2021年, 二〇二一年
    if unit in ("日", "天") and last == "月":
        return False  # a date: 6月10日
    if unit == "位" and text.startswith(_NOT_PEOPLE_AFTER_WEI, match.end()):
        return False  # 三位数, 两位小数: places, not people
    if unit == "号人" and text.startswith("员", match.end()):
        return False  # 3号人员通道: a number, not people
    if unit in ("块", "大洋") and not (
        number.endswith(("万", "千", "仟", "亿", "w", "W"))
        or text.startswith(_KUAI_MONEY_AFTER, match.end())
        or before.endswith(_KUAI_MONEY_BEFORE)
    ):
        return False  # 三块警示牌, 四大洋: things, not money
    return not (unit in _ARTICLE_UNITS and number in ("一", "壹") and not match.group("num2"))


_DECIMAL_DIGITS = dict(zip("零〇○一二两三四五六七八九", "0001223456789", strict=True))


def _value(text: str) -> Fraction | None:
    """A number's value (ingest.numerals.value_of), a Chinese one with a decimal point too: 十九点五 is 19.5 (it was
    read as 十九, and a reply's 19% passed for the article's 百分之十九点五); 一点五万 is 15000."""
    text = text.replace(" ", "").replace("\t", "")  # 30 万 (元): a space a model put inside a figure
    whole, point, rest = text.partition("点")
    if not point:
        return value_of(text)
    digits = "".join(_DECIMAL_DIGITS.get(c, "") for c in rest)
    magnitude = rest[len(digits) :]
    base = value_of(whole)
    if base is None or not digits:
        return None
    number = base + Fraction(int(digits), 10 ** len(digits))
    scale = value_of("一" + magnitude) if magnitude and not magnitude.startswith(("w", "W", "个")) else 1
    return number * scale if scale is not None else None


def figures(text: str) -> list[Figure]:
    """The figures of a (folded) text, in order."""
    found = []
    for match in _FIGURE.finditer(text):
        if match.group("per"):
            value = _value(match.group("pnum"))
            if value is not None:
                unit = "%" if match.group("per") == "百分之" else "‰"
                found.append(Figure(match.start(), match.end(), match.group(), (unit, value)))
            continue
        number = match.group("num")
        if not _plausible(text, match, number):
            continue
        base, scale = _UNITS.get(match.group("unit")) or _UNITS["个月"]  # 月 only after 个多 (_UNIT_AFTER_GE)
        values = [_value(n) for n in (number, match.group("num2")) if n]
        if len(values) == 2:
            values[0] = _shared_magnitude(number, match.group("num2"), values[0])
        if values and values[-1] is not None and (match.group("half") or match.group("trail")):
            values[-1] += Fraction(1, 2)  # 一个半小时, 两天半
        keys = tuple((base, v * scale) for v in values if v is not None)
        if keys:
            approximate = bool(match.group("approx"))
            found.append(Figure(match.start(), match.end(), match.group(), keys[0], keys[1:], approximate))
    for match in _ABOUT_ONE.finditer(text):  # 个把小时: about an hour
        if not any(s < match.end() and match.start() < e for s, e in found_spans(found)):
            base, scale = _ABOUT_ONE_UNITS.get(match.group("unit")) or _UNITS[match.group("unit")]
            found.append(Figure(match.start(), match.end(), match.group(), (base, scale), approximate=True))
    for match in _CURRENCY.finditer(text):  # RMB 500,000, ¥500000: 元
        value = _value(match.group("num"))
        if value is not None and not any(s < match.end() and match.start() < e for s, e in found_spans(found)):
            found.append(Figure(match.start(), match.end(), match.group(), ("元", value)))
    found += _proportions(text, found_spans(found))
    found += _letter_figures(text, found_spans(found))
    taken = found_spans(found)
    for match in _BARE.finditer(text):
        number = match.group("num") or match.group("wan")
        if any(s < match.end() and match.start() < e for s, e in taken) or number in ("一", "壹", "1"):
            continue
        if match.group("wan") and not (
            number.endswith(_MAGNITUDE_END) or text[: match.start()].rstrip(" \t").endswith(_FINE_VERBS)
        ):
            continue  # a number alone, of no measure said
        value = _value(number)
        if value is not None and _plausible(text, match, number):
            found.append(Figure(match.start(), match.end(), match.group(), (UNSTATED, value)))
            taken.append((match.start(), match.end()))
    for match in _LED_BARE.finditer(text):  # 超过三百的: the figure is the number, its bound the word before it
        start, end, number = match.start("num"), match.end("num"), match.group("num")
        if any(s < end and start < e for s, e in taken) or number in ("一", "壹", "1"):
            continue
        value = _value(number)
        if value is not None and _plausible(text, match, number):
            found.append(Figure(start, end, number, (UNSTATED, value)))
    return sorted(found, key=lambda figure: figure.start)


_MAGNITUDES = re.compile(r"个?(?:万亿|万|亿|千|仟|百|佰|w|W|k)$")


def _shared_magnitude(first: str, second: str, value: Fraction | None) -> Fraction | None:
    """The first end of a range whose magnitude is written once, after the second (两到五万元, 2-5万元, 三至五百人:
    20000 to 50000元, 300 to 500人): its number times that magnitude, when it has none of its own and is below the
    second's number without it (3000至5万元 stays 3000); else its value as written."""
    magnitude = _MAGNITUDES.search(second)
    if value is None or magnitude is None or _MAGNITUDES.search(first) or not magnitude.start():
        return value
    whole, mantissa = _value(second), _value(second[: magnitude.start()])
    if whole is None or not mantissa or value >= mantissa:
        return value
    return value * (whole / mantissa)


def found_spans(found: list[Figure]) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in found]


def _letter_figures(text: str, taken: list[tuple[int, int]]) -> list[Figure]:
    """Figures whose number is written in Latin letters (three hundred人, CCC人), outside the figures already read:
    read as their value (letter_value), or as UNREADABLE."""
    found = []
    for match in _LETTER_FIGURE.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken) or text[: match.start()].endswith("第"):
            continue
        base, scale = _UNITS[match.group("unit")]
        number = match.group("num")
        if number.isupper() and set(number) <= set(_ROMAN) and match.group("unit").isascii():
            continue  # I day, C yuan: English text, no Roman numeral
        value = letter_value(number)
        if match.group("unit") == "年" and value >= 1000:
            continue  # a year: MMXXI年
        found.append(Figure(match.start(), match.end(), match.group(), (base, value * scale if value > 0 else value)))
    return found


def _proportions(text: str, taken: list[tuple[int, int]]) -> list[Figure]:
    """Proportions in words (一半, 二分之一, 五成: 50%) and half units of time (半天: 0.5日), outside the figures
    already read."""
    found = []
    for match in _PROPORTION.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        value: Fraction | None = _HALF
        if match.group("tenths"):
            tenths = _value(match.group("tenths"))
            more = match.group("more")
            if tenths is not None and more:  # 四成半, 四成五: 45%
                tenths += Fraction(1, 2) if more == "半" else (_value(more) or Fraction(0)) / 10
            value = tenths * _TENTH if tenths is not None else None
        elif match.group("zhe"):  # 七折: 70%, 七五折 and 7.5折: 75%
            zhe = match.group("zhe")
            if zhe[0].isdigit():
                value = Fraction(zhe) * _TENTH
            else:
                first, second = _value(zhe[0]), _value(zhe[1:]) if len(zhe) > 1 else Fraction(0)
                value = first * _TENTH + second if first is not None and second is not None else None
        elif match.group("den"):
            den, numer = _value(match.group("den")), _value(match.group("numer"))
            value = numer * 100 / den if den and numer is not None else None
        if value is not None:
            found.append(Figure(match.start(), match.end(), match.group(), ("%", value)))
    for match in _HALF_TIME.finditer(text):
        if not any(s < match.end() and match.start() < e for s, e in taken):
            base, scale = _UNITS[match.group("unit")]
            found.append(Figure(match.start(), match.end(), match.group(), (base, scale / 2)))
    return found


# a figure's range as stated: (base unit, low, high), None for an open end (二十万元以下: 元, None, 200000)
Bound = tuple[str, Fraction | None, Fraction | None]


@dataclass(frozen=True)
class Bounded:
    """A figure stated with a bound (二十万元以下, 超过一百人), or a range (十万元以上二十万元以下, 60%至100%) over one
    or two figures, and the range it states."""

    start: int
    end: int
    text: str
    bound: Bound
    within: bool = False  # an upper bound by 内 (3日内, 1小时以内): a time limit, as its figure alone states it
    # whether the number of a one-sided bound is in the range, as the law reads the words (以上、以下、以内 and 不少于
    # include it; 超过、不足、不满 do not); both ends of a range are
    included: bool = True
    # whether the words say so in everyday language too (超过, 不少于, 至少, 满, ≥: a word before the figure), not
    # only as the law reads them (以上, 以下, 以内 after it: 一百人以上 is often written for 超过一百人)
    worded: bool = False


def _bound_of(text: str, figure: Figure) -> tuple[Bound, int, int, bool, bool] | None:
    """The range one figure states by the words beside it (十万元以下, 超过一百人, 300以上), where the figure with
    those words starts and ends, whether its number is in the range, and whether a word before it says so
    (Bounded.worded); or None."""
    unit, value = figure.key
    if figure.more:
        return (unit, value, figure.more[-1][1]), figure.start, figure.end, True, False
    after = text[figure.end :].lstrip(" \t")
    end = len(text) - len(after)
    if unit == UNSTATED:  # the bound word is part of the figure (三百以下): the range ends where the figure does
        after = figure.text[len(figure.text.rstrip("以上下内左右开外")) :]
        end = figure.end - len(after)
    at_most = next((word for word in AT_MOST_AFTER if after.startswith(word)), None)
    if at_most is not None:
        return (unit, None, value), figure.start, max(end + len(at_most), figure.end), True, False
    if after.startswith(AT_LEAST_AFTER):
        return (unit, value, None), figure.start, max(end + len(AT_LEAST_AFTER[0]), figure.end), True, False
    later = next((word for word in _LATER_AFTER if after.startswith(word)), None)
    if later is not None and unit in _TIME_BASES:
        return (unit, value, None), figure.start, max(end + len(later), figure.end), False, True
    before = text[: figure.start].rstrip(" \t").removesuffix("了")
    word = next((word for word in BOUND_BEFORE_WORDS if before.endswith(word)), None)
    if word is None:
        return None
    included, above = BOUND_BEFORE[word]
    bound = (unit, None, value) if above else (unit, value, None)
    return bound, text.rfind(word, 0, figure.start), figure.end, included, True


def bounds(text: str) -> list[Bounded]:
    """The figures of a (folded) text stated with a bound, with the range each states: a lower bound followed by an
    upper one (十万元以上二十万元以下) and two figures joined by 至 (百分之六十至百分之一百) are one range."""
    found: list[Bounded] = []
    listed = figures(text)
    skip = -1
    for n, figure in enumerate(listed):
        if n <= skip:
            continue
        bound = _bound_of(text, figure)
        following = listed[n + 1] if n + 1 < len(listed) else None
        if following is not None and following.key[0] == figure.key[0] and not figure.more:
            between = text[figure.end : following.start]
            upper = _bound_of(text, following)
            if _RANGE_JOIN.fullmatch(between) or (
                bound is not None
                and bound[0][2] is None
                and upper is not None
                and upper[0][1] is None
                and between.strip(" \t") in (*AT_LEAST_AFTER, "")  # "": 以上 is in the figure (10w以上20w以下)
            ):
                end = upper[2] if upper is not None else following.end
                span = (bound[1] if bound is not None else figure.start, end)
                found.append(Bounded(*span, text[span[0] : span[1]], (figure.key[0], figure.key[1], following.key[1])))
                skip = n + 1
                continue
        if bound is not None:
            written = text[bound[1] : bound[2]]
            found.append(Bounded(bound[1], bound[2], written, bound[0], written.endswith(_WITHIN), bound[3], bound[4]))
    return found


# A statement of whether a bound's number is included: after the bound, in brackets (超过一百人的（含一百人）,
# 一百人以下（不含本数）) or not (一百人以上，含本数); between a figure and 以上 / 以下 (100人（含）以上, 一百人及以上)
_INCLUSION_NOTE = re.compile(
    r"[ \t]*的?[ \t]*(?:[（(][ \t]*(?P<not>不)?(?:含|包含|包括)[ \t]*(?P<what>[^（）()\n]{0,12}?)[ \t]*[)）]"
    r"|[，,]?[ \t]*(?P<not2>不)?(?:含|包含|包括)本数)"
)
_AND_BOUND = re.compile(
    r"[ \t]*(?:[（(][ \t]*(?P<not>不)?(?:含|包含|包括)(?:本数)?[ \t]*[)）]|及|或)[ \t]*(?P<side>以上|以下)"
)


@dataclass(frozen=True)
class End:
    """The end of a range a text states (超过一百人: 人, 100, lower), whether its number is in the range
    (included), and whether the text says so in words (explicit: 含一百人, 不含本数, 及以上) rather than by the bound
    word alone, or by a bound word that says it in everyday language too (worded: 超过, 不少于, 至少, 满, ≥; not
    以上, 以下, 以内, which replies often use loosely)."""

    start: int
    end: int
    text: str
    unit: str
    value: Fraction
    lower: bool
    included: bool
    explicit: bool = False
    worded: bool = False

    @property
    def said(self) -> bool:
        """Whether the text says which side the number is on, in words or by an unambiguous bound word."""
        return self.explicit or self.worded


def ends(text: str) -> list[End]:
    """The ends of the ranges a (folded) text states (bounds), each with whether its number is included — as the
    bound word says it by law (以上、以下、以内 include it; 超过、不足、不满 do not) or as the text says in words."""
    found = []
    for bounded in bounds(text):
        unit, low, high = bounded.bound
        if low is not None and high is not None:  # a range includes both ends
            found += [
                End(bounded.start, bounded.end, bounded.text, unit, end, lower, True)
                for end, lower in ((low, True), (high, False))
            ]
            continue
        value = low if low is not None else high
        assert value is not None
        included, explicit, end = bounded.included, False, bounded.end
        note = _INCLUSION_NOTE.match(text, bounded.end)
        what = note.group("what") if note else None
        if note and (not what or what.strip() in ("本数", "在内") or value in {v for _, v in keys(what)}):
            included, explicit, end = not (note.group("not") or note.group("not2")), True, note.end()
        found.append(
            End(
                bounded.start,
                end,
                text[bounded.start : end],
                unit,
                value,
                low is not None,
                included,
                explicit,
                bounded.worded,
            )
        )
    taken = [(e.start, e.end) for e in found]
    for figure in figures(text):
        both = _AND_BOUND.match(text, figure.end)
        if both and not any(s < both.end() and figure.start < e for s, e in taken):
            unit, value = figure.key
            written = text[figure.start : both.end()]
            found.append(
                End(
                    figure.start,
                    both.end(),
                    written,
                    unit,
                    value,
                    both.group("side") == "以上",
                    not both.group("not"),
                    True,
                )
            )
    return sorted(found, key=lambda end: end.start)


def same_inclusion(one: End, other: End) -> bool:
    """Whether two ends of the same figure put its number on the same side: both include it in a range on the same
    side, or one includes it where the other's range on the other side does not (超过一百人 and 一百人以下 both put
    100 below)."""
    return (one.lower == other.lower) == (one.included == other.included)


def same_bound(one: Bound, other: Bound) -> bool:
    """Whether two ranges are the same (their ends, not whether an end is included: 超过一百人 and 一百人以上); a
    figure of no unit (UNSTATED) by its values alone."""
    units = one[0] == other[0] or UNSTATED in (one[0], other[0])
    return units and one[1:] == other[1:]


def keys(text: str) -> set[tuple[str, Fraction]]:
    """Every figure of a (folded) text, as (base unit, value)."""
    return {key for figure in figures(text) for key in (figure.key, *figure.more)}


def stated(key: tuple[str, Fraction], known: set[tuple[str, Fraction]]) -> bool:
    """Whether a figure (its key) is among known figures: a figure of no unit (UNSTATED) is by its value alone."""
    if key[0] == UNSTATED:
        return any(value == key[1] for _, value in known)
    return key in known


__all__ = [
    "AT_LEAST_AFTER",
    "AT_MOST_AFTER",
    "BOUND_BEFORE",
    "BOUND_BEFORE_WORDS",
    "UNREADABLE",
    "UNSTATED",
    "Bound",
    "Bounded",
    "End",
    "Figure",
    "bounds",
    "ends",
    "figures",
    "keys",
    "same_bound",
    "same_inclusion",
    "stated",
    "value_of",
]
