"""What figure a question asks for, and whether a text states one: retrieval prefers a provision stating the
kind of figure asked, and the answer declines (知识库中未找到依据) a part whose figure no provision states.

A question asking for a figure (how many, how much, how long, how often, what ratio) is answered only by a
clause that states a figure of that kind: a provision on the same subject that delegates the figure (具体办法由…
制定) or states none is related, not an answer. A question about a document the knowledge base does not hold
(the query analyser finds those) has no basis in it. The words are knowledge/quantities.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from assistant.pack import Quantities
from assistant.retrieval.provisions import FINE, PENALTY, TERM, provision_asked
from ingest.cleaning import to_simplified

NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万半]+)"
# a number a text states, exactly or roughly (五十多套, 30余人: a figure all the same)
_STATED_NUMBER = rf"{NUMBER}(?:多|余)?"
_ANY_COUNTED = "个"  # the measure word of anything counted
# a number counting, read whole, not an ordinal or a neighbour (第三次, 第十一次, 上一级, 下一个)
_COUNTING = r"(?<![第上下\d.零〇一二两三四五六七八九十百千万半])"
# what 几个 counts is a person when the noun after it names one (几个专职安全员, 几个人), not 几个晚上 or 几个班组
_PERSON_NOUN = r"(?:人|员|工|者|师|长)(?![区厂地段种序作])"
_PERSON = re.compile(rf"[^，,。；;？?]{{0,6}}?{_PERSON_NOUN}")
# or when the noun before it, in the same clause, names one (专职安全管理人员至少要配几个)
_PERSON_BEFORE = re.compile(rf"{_PERSON_NOUN}[^，,。；;？?]{{0,6}}$")
# people told by their number (500人的公司, 每100个员工) are what the question tells, not what it asks counted
_TOLD_BY_NUMBER = re.compile(rf"{NUMBER}\s*[个名位]?[\u4e00-\u9fff]{{0,3}}$")
# 几 asks a number, except after a numeral or a word pointing at some (十几个员工, 二十几人; 这几年, 近几个月, 头几天,
# 好几次): those are about so many, not a question
_JI = r"(?<![十百千万\d这那近头好])几"
_CLAUSES = re.compile(r"[，,；;。：:]")
# a question asking yes or no (…会被罚吗？, 算不算…): a 几 in it counts loosely (挪动几台设备, 丢了几公斤), it asks no
# number; 有没有 is left out (有没有规定最多几人 asks the number)
ENDS_YES_NO = re.compile(r"[吗嘛][？?！!。\s]*$")
# a claim put to be judged true or false (…每4年复审一次，对吗？), as a quiz's 判断题 puts it; and the kinds of figure
# whose claim the law's own figure decides (a period, a sum; a frequency is read as one)
_CHECKS_CLAIM = re.compile(
    r"(?:对吗|对不对|对么|是否正确|正确吗|是否属实|说法正确吗)[？?！!。\s]*$"
    # the quiz's own mark (判断题：…), or its blank left for 对 or 错 after the claim (…每3年复审一次。（ ）)
    r"|^\s*判断题|[（(][\s\u3000]*[）)][。.\s]*$"
)
_CLAIMED_KINDS = ("time", "money")
# the sentences of a question (a circumstance told before the claim put: 抢救了三天还是走了。厂里说这不算工伤，对吗？)
_SENTENCES = re.compile(r"(?<=[。！!？?；;])")
# a sentence this short around its check words puts no claim of its own (这个说法对吗？): the one before it does
_CHECK_ONLY = 8
# a figure asked as the topic of whether there is a rule on it (离居民区多远有没有要求, 每天干多久有什么规定): the
# provision ruling on it answers, whether it states the figure or leaves it to a standard (有没有规定最多几人, the
# rule asked first, asks the number)
_RULED = re.compile(r"(?:有没有|有无|是否有)(?:要求|规定|限制)|有(?:什么|啥|哪些)(?:要求|规定)")
_WHETHER_RULED = re.compile(rf"[^，。；？?]{{0,4}}?(?:{_RULED.pattern})")
YES_NO = re.compile(rf"{ENDS_YES_NO.pattern}|([^有])不\1|是否")
# a clause asking by a word of its own, not 几 (怎么, 什么, 多少, …吗): a 几 before it tells (_told_roughly)
ASKS_OTHERWISE = re.compile(
    r"哪|什么|啥|怎么|咋|怎样|如何|多少|多久|多长|多大|多高|多远|多重|多深|多宽|多厚|吗|谁|是否|能否|可否|要不要|有没有|是不是"
)
# a quiz's blank (不得少于____学时, 有效期为（ ）年): before a unit, the question word, as 多少 is; a blank asking
# for a term (依法参加______) or for a bound whose unit the answer brings (必须有____以上的安全出口: 两个) asks none;
# before 前 or 内 it asks when (在活动举办日的（ ）前提出申请), as 多久 does
_BLANK = r"(?:_{2,}|＿{2,}|[（(][\s\u3000]*[）)])"
# the choices of a multiple-choice question (…处（ ）罚款。A.50元以上200元以下 B.100元以上500元以下 …): what may be
# the answer, not what the asker tells; and where each choice begins
CHOICES = re.compile(r"(?<![A-Za-z0-9])[AＡ]\s*[.．、:：)）][\s\S]*?(?<![A-Za-z0-9])[BＢ]\s*[.．、:：)）][\s\S]*$")
_CHOICE = re.compile(r"(?<![A-Za-z0-9])[A-HＡ-Ｈ]\s*[.．、:：)）]")
# asks that are a rate or a point in time themselves (多久一次, 百分之多少, 每年几月): no period to state them per
_RATES_ALREADY = ("frequency", "ratio", "date", "phone", "form")
# a sum, a share or a period asked of no penalty (安责险最低保额, 安全文明施工费按百分之几计取, 连续驾驶最多几小时): a
# fine's amount or share (处挪用费用20%以上50%以下的罚款) or a sanction's term (十五日以下拘留) is not it
_SUMS_AND_SHARES = ("money", "ratio", "time")


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _asks(words: list[str]) -> str:
    """Question words as alternatives, 几 guarded (_JI)."""
    return _alternatives(words).replace("几", _JI)


def _asking(nouns: list[str], question_words: list[str], before: int = 4, not_before: str = "") -> str:
    """A figure noun asked about: the noun and a question word close together, in either order (the question word
    ``before`` characters at most ahead of the noun; never one followed by ``not_before``)."""
    noun, asking = _alternatives(nouns), _asks(question_words)
    asking = rf"(?:{asking})(?!{not_before})" if not_before else rf"(?:{asking})"
    return rf"(?:{noun})[^，。；？?]{{0,6}}{asking}|{asking}[^，。；？?]{{0,{before}}}(?:{noun})"


@dataclass(frozen=True)
class Ask:
    kind: str  # a unit kind of quantities.yaml, or "frequency" / "ratio"
    states: re.Pattern  # what a clause holds when it states a figure of that kind
    # what a clause holds when it states the figure as a number: 1小时内 answers 多久 exactly, 立即 only in words
    exact: re.Pattern | None = None
    words: str = ""  # the question's words asking for the figure (几小时, 多久一次): not what it is about
    act: str = ""  # what is done as often, or as many times, as asked (多久修订一次: 修订; 演练几次: 演练)
    # a sum of one kind (罚; 赔偿, 补助…): the text stating it names that kind (a fine answers no question about pay)
    of: tuple[str, ...] = ()
    # asked per period (每天几小时): the text states a figure per period (每日…8小时), not a total
    per: re.Pattern | None = None
    # a sum, share or period asked of no penalty (安责险最低保额, 风险抵押金存多少, 连续驾驶不超过几小时): a fine or a
    # sanction's term a clause imposes (处…罚款, 处十五日以下拘留) is not that figure
    fines: bool = True
    # the people counted, named right after the asking words (几名专职安全生产管理人员): a number counting them
    # answers (配备八名专职安全生产管理人员), not one counting others (从业人员超过一百人)
    counted: str = ""
    # the permit or certificate whose validity is asked (危险化学品经营许可证的有效期): a text stating a period answers
    # when it names that document, not another's (安全生产许可证的有效期为3年); likewise the sum whose amount is asked
    # (一次性伤残就业补助金是几个月工资: 十级伤残为7个月的本人工资 is the 一次性伤残补助金's)
    owner: str = ""
    # a validity asked (…许可证的有效期是几年): stated where the text speaks of a validity (有效期为3年), not by another
    # period of the document it names (自收到证明材料之日起30日内作出批准…颁发危险化学品经营许可证)
    validity: bool = False
    # a count of kinds (几个等级, 分几类): a list of them states it by its items (分为以下等级：（一）…（四）…)
    listed: bool = False
    # a figure put to be confirmed or chosen (是不是每三年一次？, …每4年复审一次，对吗？), not asked outright
    put: bool = False
    # a period asked as one within which something is done (多少分钟内赶到, 几日内补报): a period stated as how often
    # something is done (每15日进行一次清洁) is no time limit
    within: bool = False
    # the act is named after the asking words, a verb and what it is done to (几日内送达给被处罚企业): its first word
    leading: bool = False
    # a lead time asked (到期前多久, 提前多少天): a period stated before its date (期满前3个月, 举办日的20日前, 提前3日)
    # answers, not one counted from it (自收到申请之日起30日内)
    ahead: bool = False

    def stated_by_list(self, items: list[str]) -> bool:
        """Whether a list of these items states the count asked: a count of kinds, and two items or more."""
        return self.listed and len(items) >= 2

    def _said(self, text: str) -> str:
        simplified = to_simplified(text)
        return simplified if self.fines else TERM.sub("", FINE.sub("", simplified))

    def _names_kind(self, simplified: str) -> bool:
        return (not self.of or any(word in simplified for word in self.of)) and (
            self.per is None or bool(self.per.search(simplified))
        )

    def _found(self, pattern: re.Pattern, simplified: str) -> Iterator[re.Match[str]]:
        """The figures of a pattern the text states; a lead time asked, those stated beside 前 (期满前3个月, 20日前);
        a time limit asked, those not stating how often (每15日) nor the least of a class (电梯轿厢滞留人员2小时以上的
        is an accident, not a time to arrive within)."""
        found = pattern.finditer(simplified)
        if self.ahead:
            return (
                f for f in found if simplified.startswith(_AHEAD, f.end()) or simplified.endswith(_AHEAD, 0, f.start())
            )
        if not self.within:
            return found
        return (
            f
            for f in found
            if not _EVERY.search(simplified, max(0, f.start() - len("每隔")), f.start())
            and not simplified.startswith(_AT_LEAST, f.end())
        )

    def _holds(self, pattern: re.Pattern, simplified: str) -> bool:
        return next(self._found(pattern, simplified), None) is not None

    def _states(self, simplified: str) -> bool:
        """Whether a figure of this kind is stated, of the people counted when the question names them: the number
        right before their name (八名专职安全生产管理人员) or just after it (专职安全生产管理人员不少于2名)."""
        if not self.counted:
            return self._holds(self.states, simplified)
        for found in self._found(self.states, simplified):
            after = _CLAUSE_END.split(simplified[found.end() : found.end() + _NAME_SPAN], maxsplit=1)[0]
            before = _CLAUSE_END.split(simplified[max(0, found.start() - _NAME_SPAN) : found.start()])[-1]
            if _names(self.counted, after, at_start=True) or _names(self.counted, before, at_start=False):
                return True
        return False

    def stated_in(self, text: str) -> bool:
        """Whether the text states a figure of this kind, in either script (三個階段 as 三个阶段)."""
        simplified = self._said(text)
        return self._states(simplified) and self._names_kind(simplified) and self._names_owner(simplified)

    def _names_owner(self, simplified: str) -> bool:
        """The text names the document whose validity, or the sum whose amount, is asked (none asked: any), and a
        validity when one is asked."""
        if self.validity and _VALIDITY not in simplified:
            return False
        if not self.owner:
            return True
        return SequenceMatcher(None, self.owner, simplified, autojunk=False).find_longest_match().size >= min(
            len(self.owner), _OWNER_SHARED
        )

    def degree(self, text: str) -> float:
        """1 when the text states the figure as a number, 0.5 when only in words (立即、定期), else 0."""
        simplified = self._said(text)
        if not self._states(simplified) or not self._names_kind(simplified) or not self._names_owner(simplified):
            return 0.0
        return 1.0 if self.exact is None or self._holds(self.exact, simplified) else 0.5


_VALIDITY = "有效期"
# the document a validity asked is of, named right before it (危险化学品经营许可证的有效期, 特种作业操作证有效期, in
# 书名号 or not: 《爆破作业人员许可证》有效期几年); how long it may be used asks its validity too (零售许可证发下来以后
# 能用多久)
_OWNER = re.compile(
    r"([\u4e00-\u9fff]{2,12}?(?:许可证|证书|执照|操作证|资格证|证))》?"
    r"(?:(?:的|[，,])?有效期|[^，,。？?]{0,6}?(?:能|可以)用(?=多久|多长|几年|多少年))"
)
# the sum an amount asked is of, named right before the asking words (一次性伤残就业补助金到底是几个月工资, 丧葬补助金
# 给多少): a 补助金, 抚恤金, 津贴 or 补贴 the law names
_SUM_OWNER = re.compile(
    r"([\u4e00-\u9fff]{2,12}?(?:补助金|抚恤金|赔偿金|补偿金|津贴|补贴))[^，。；？?]{0,6}?(?:多少|几)"
)
_OWNER_SHARED = 6  # the text names it when it holds this many of its characters in a row (or the whole of a short one)
_OWNER_MIN = 4  # a name shorter than this (上岗证) is too general to tell one document from another
_POINTING = ("这", "那", "该", "此", "本", "其")
_ACT_SPAN = 8  # an act written beside the words asking how often is read in this many characters
_OCCASIONS = "次遍回趟"  # the measure words of an occasion counted (一次, 一遍, 一回, 一趟)
# once, not one-off (一次性伤残补助金 is paid once; it is no frequency)
_ONCE = rf"[一1]\s*[{_OCCASIONS}](?!性)"
# where the act after the words asking how often ends: a word asking (周期是多久) or the occasion counted (检一次吗)
_ASKING_OR_ONCE = re.compile(rf"{ASKS_OTHERWISE.pattern}|是|{_ONCE}")
# what ends the words before the asking ones without naming the act (定期检验是, 演练的, 检查都, 检验是不是)
_TRAILING = re.compile(rf"(?:{ASKS_OTHERWISE.pattern}|各有|[是的都各])+$")
_OR_ELSE = "还是"  # a choice put (每年一次还是两年一次)
_WITHIN_DAY = re.compile("小时|分钟")  # the periods shorter than a day, in which a frequency within one is stated
# after the words asking a period: the period a thing is done within (几日内, 多长时间之内)
_WITHIN_WORD = re.compile(r"^(?:之|以)?内")
_NOT_TEAM = "(?!(?<=班)组)"  # 每班 is per shift, 每班组 per team (每半年组织1次 is per half year)
_AHEAD = "前"  # beside a period stated, before a date (期满前3个月, 举办日的20日前, 提前3日通知)
# a period asked right after words saying before a date (到期前多久, 届满前多长时间, 提前多少天)
_AHEAD_ASKED = re.compile(r"(?:到期|期满|届满|之|以|提)前[要得需]{0,2}(?:多久|多长时间|多少|几)")
_AT_LEAST = "以上"  # after a period stated: the least of a class (滞留2小时以上的), no limit to act within
_EVERY = re.compile(r"每隔?$")  # before a period stated: how often something is done (每15日, 每隔2小时)
_ONCE_AFTER = re.compile(rf"([^，。？?！!]{{1,{_ACT_SPAN}}}?){_ONCE}")  # the act, then once (评估一次)
_ONCE_THEN_ACT = re.compile(rf"{_ONCE}([^，。？?！!吗呢]{{1,{_ACT_SPAN}}})")  # once, then the act (一次评估)
_CONSEQUENCE = re.compile(r"(?:会|就|才|便|将)")  # what follows from the occasions counted (几次会吊销)
_TOLD_SPAN = 12  # a figure told before a measure's adjective is read in this many characters before it
_NAME_SPAN = 18  # a number counts the people named within its clause, this many characters around it at most
_NAME_GAP = 2  # named after the number: their name begins at most this many characters after it (名以上)
_NAME_SHARED = 4  # a name is the people asked when it shares this many characters in a row with theirs (专职安全)
_HEAD = 3  # or ends as theirs does, in what they are (协管员 of 安全协管员)
_CLAUSE_END = re.compile(r"[，,。；;：:、（）()]")
# the staff a count asks for, named right after the asking words by a name of four characters or more (几名专职安全
# 生产管理人员, 几个专职安全员; not 几个人, 几个能走人的出口)
_COUNTED_PEOPLE = re.compile(r"[\u4e00-\u9fff]{2,12}(?:人员|员)")
# the measure word of people: what it counts is people, whatever their name ends in (几名注册安全工程师, 多少名专业
# 保安), named up to the words pressing the ask (才够, 就行, 吗) or its end
_PEOPLE_MEASURE = "名"
_NAMED_AFTER_MEASURE = re.compile(r"[\u4e00-\u9fff]{2,12}?(?=才|就|吗|呢|算|够|合适|左右|以上|[？?！!]|$)")


def _names(counted: str, window: str, at_start: bool) -> bool:
    """Whether the window (a number's clause after or before it) names the people counted: enough characters of
    their name in a row (专职安全 of 专职安全员 in 专职安全生产管理人员) or the last three, what they are (协管员 of
    安全协管员), at the window's start when after the number."""
    match = SequenceMatcher(None, counted, window, autojunk=False).find_longest_match()
    if match.size >= _NAME_SHARED and (not at_start or match.b <= _NAME_GAP):
        return True
    head = window.find(counted[-_HEAD:])
    return head >= 0 and (not at_start or head <= _NAME_GAP)


def _told_roughly(part: str, found: re.Match[str]) -> bool:
    """Whether a 几 tells of a number the asker knows roughly, in a clause before the one asking: of an act done
    (卖了几天烟花，被查到会怎样; 过期几个月了还在生产，应该怎么处理), of what there is (有几台大型游乐设施，每天开门前
    要做哪些检查), or of anything told before a clause asking by another word (车间要来几个实习生，厂里对他们有啥义务;
    小店就几个人，法律上怎么要求的), not asked (一季度发生了几起事故？; …超过几个小时就算疲劳作业，法律有没有规定？ asks
    the number the law rules on)."""
    rest = part[found.end() :].rstrip("？?！!。 ")
    later = _CLAUSES.search(rest)
    if "几" not in found.group(0) or later is None:
        return False
    done = part[: found.start()].endswith(("了", "有")) or rest.startswith("了")
    after = rest[later.end() :]
    return done or bool(ASKS_OTHERWISE.search(after) and not _RULED.search(after))


# a figure telling what happened, after a verb done (干了5年, 抢救了三天, 用了快两年), or one of nothing at all
# (一天培训都没有, 一分钱也不给): no rule put to be judged
_DONE_BEFORE = re.compile(r"了[^，,。；;？?\d]{0,2}$")
_NONE_AT_ALL = re.compile(r"^[^，,。；;？?]{0,6}?[都也][没不]")


def _told_event(part: str, found: re.Match[str]) -> bool:
    """Whether a figure in a claim tells a circumstance rather than the rule put to be judged (我在粉尘车间干了5年
    想辞职，公司说离职体检你自己去做…这对吗: the 5年 is no period claimed; 厂里一天培训都没有…这样对吗: nor is 一天)."""
    if _DONE_BEFORE.search(part[: found.start()]):
        return True
    return found.group(0).startswith("一") and bool(_NONE_AT_ALL.match(part[found.end() :]))


class QuantityAsks:
    """Reads what a question part asks to be counted, and what a clause must state to answer it."""

    def __init__(self, words: Quantities):
        units = {kind: _alternatives(names) for kind, names in words.units.items()}
        # 个 before a period (六个月, 两个小时) measures time: no count of anything
        periods = _alternatives(sorted({u.removeprefix(_ANY_COUNTED) for u in words.units.get("time", [])}))
        any_counted = f"{_ANY_COUNTED}(?!{periods})" if periods else _ANY_COUNTED
        if "count" in units:
            units["count"] = units["count"].replace(_ANY_COUNTED, any_counted)
        # a period, counted with 个 (七个工作日, 两个小时) or without (三十日, 2小时)
        time_units = units["time"]
        period = rf"{_STATED_NUMBER}\s*{_ANY_COUNTED}?(?:{time_units})"
        # (an ordinal states no quantity: 第三人 is a third party, 第二天 the next day)
        self._stated = {kind: re.compile(rf"(?<!第){_STATED_NUMBER}\s*(?:{alts})") for kind, alts in units.items()}
        self._stated["time"] = re.compile(rf"(?<!第){period}")
        # things counted are not interchangeable as periods are (3年 answers 多少个月): 多少起 is answered by so many
        # 起 (accidents), not by 一次死亡三人 (an occasion) nor 5台 (machines)
        # (an ordinal or a neighbour, 第三次, 上一级, 下一个, counts nothing)
        self._counted = {
            unit: re.compile(rf"{_COUNTING}{_STATED_NUMBER}\s*{re.escape(unit)}")
            for unit in words.units.get("count", [])
            if unit != _ANY_COUNTED
        }
        # 个 counts anything; counting people (几个专职安全员), it is answered by 三名 too, as 几个单位 by 两个
        counted, people = units.get("count", _ANY_COUNTED), units.get("people", _ANY_COUNTED)
        self._any_counted = re.compile(rf"{_COUNTING}{_STATED_NUMBER}\s*(?:{counted})")
        self._people_counted = re.compile(rf"{_COUNTING}{_STATED_NUMBER}\s*(?:{counted}|{people})")
        if words.relative_sums:
            # a sum stated relative to a base (年收入百分之四十的罚款, 违法所得一倍以上五倍以下的罚款,
            # 伤残补助金…为27个月的本人工资, 工亡补助金标准为…人均可支配收入的20倍): an amount, as a money question asks
            sums = _alternatives(words.relative_sums)
            share = rf"百分之{NUMBER}|{NUMBER}\s*(?:倍|%|％)|{NUMBER}\s*个月的?[^，。；]{{0,16}}?(?:工资|收入)"
            relative = rf"(?:{share})[^。；]{{0,12}}?(?:{sums})|(?:{sums})[^。；]{{0,30}}?(?:{share})"
            self._stated["money"] = re.compile(rf"{self._stated['money'].pattern}|{relative}")
        self._money_kinds = [tuple(kind) for kind in words.money_kinds]
        self._kind_of_unit = {unit: kind for kind, names in words.units.items() for unit in names}
        all_units = _alternatives(list(self._kind_of_unit))
        self._quantity = re.compile(rf"{NUMBER}\s*(?P<unit>{all_units})")
        # one counting, not an ordinal (第二天就让他上岗 claims no period)
        self._counted_quantity = re.compile(rf"{_COUNTING}{self._quantity.pattern}")
        self._blank = re.compile(rf"{_BLANK}(?=\s*(?:{all_units}))")
        self._blank_time = re.compile(rf"{_BLANK}(?=\s*(?:前|内|以内))")
        # 哪几次、哪几个 ask which ones (a list), not how many
        self._unit_asked = re.compile(rf"(?:多少|(?<!哪){_JI})个?(?P<unit>{all_units})")
        money = _alternatives(words.words_for["money"])
        how_much = _alternatives(["多少", *words.sum_question_words])
        self._money = re.compile(
            rf"(?:{how_much}|(?<!哪){_JI})[^，。？?]{{0,2}}(?:{money})|(?:{money})[^，。？?]{{0,6}}(?:{how_much}|{_JI})"
        )
        # 罚款标准, 工资待遇 标准: a sum asked for by the name of its rule (not 标准化), which a clause may state in
        # words (原工资福利待遇不变) as well as in figures
        self._money_standard = (
            re.compile(rf"(?:{money})[^，。？?]{{0,4}}(?:{_alternatives(words.standard_words)})(?!化)")
            if words.standard_words
            else None
        )
        self._money_words = words.words_for["money"]
        self._listed = frozenset(words.listed_counts)
        # a measure asked by its adjective (多高, 多深): the other kinds words_for names
        self._measure_asks = {
            kind: re.compile(_alternatives(names))
            for kind, names in words.words_for.items()
            if kind != "money" and kind in self._stated
        }
        # the nouns naming a figure (有效期, 比例, 浓度, 标准): what has the figure is the question's other words
        self.figure_nouns = [*words.time_nouns, *words.ratio_nouns, *words.measure_nouns, *words.standard_words]
        self._question_word = re.compile(_alternatives(words.question_words))
        self._time = re.compile(rf"{_asks(words.time_asks)}|{_asking(words.time_nouns, words.question_words)}")
        # the act between the asking words (多久修订一次: 修订) is what is asked about, not a word asking
        self._light = re.compile(_alternatives(words.frequency_light_words))  # none listed: matches nothing to drop
        # an area told (3万平方米) or named as the measure (按建筑面积), and a text speaking in areas
        self._area = re.compile(units["area"])
        self._area_told = re.compile(rf"{NUMBER}\s*(?:{self._area.pattern})|按[^，。？?]{{0,4}}面积")
        # a period told beside the act (一个学期, 每年, 这个月): when the act is done, not what it is
        self._period_told = re.compile(rf"(?:每|一|这|上|下|半)[个一]?(?:{units['time']})")
        self._frequency = re.compile(
            rf"{_asks(words.frequency_asks)}"
            rf"|(?:多久|多长时间|(?:多少|{_JI})个?(?:{units['time']}))(?P<act>[^，。？?]{{0,8}}){_ONCE}"
        )
        # and so many of one thing per so many of another (每多少个观众配一个保安, 每多少平方米配一具灭火器): 每 and a
        # question word counting anything but a period (每多少天 asks how often)
        per_each = rf"每(?:多少|{_JI})(?!{_ANY_COUNTED}?(?:{time_units}))"
        self._ratio = re.compile(
            rf"{_asks(words.ratio_asks)}|{_asking(words.ratio_nouns, words.question_words)}|{per_each}"
        )
        # 多久 asks how long or how often: a frequency (每年向职工代表大会报告) answers it too, in words
        self._deadline = re.compile(rf"{period}|{_alternatives([*words.deadline_words, *words.frequency_words])}")
        # 每季度 is also written 每个季度, 每一年
        often = _alternatives(words.frequency_words).replace("每", "每[个一]?")
        # or a number of periods per occasion, in words or figures: 每2年组织1次, 3年一次, 每两个月检查一次; or a
        # number of times within a period (一百八十日内三次, 3个月内2次或者2次以上)
        self._how_often = re.compile(
            rf"{often}|每\s*{period}|{period}[^，。；]{{0,6}}{_ONCE}|{period}内[^，。；]{{0,20}}?{NUMBER}\s*次"
        )
        self._proportion = re.compile(
            rf"%|％|百分之{NUMBER}|{NUMBER}\s*[:：比]\s*{NUMBER}|{NUMBER}\s*(?:倍|成)|"
            # (每少配备一人 counts a fine per person short, no ratio)
            rf"比例[^。；]{{0,12}}{NUMBER}|每(?![少缺])\s*{NUMBER}?[^。；，]{{0,8}}(?:配备|配置|设置){NUMBER}"
        )

        # a limit asked without its unit (低于多少, 多少以上): answered by a measure stated (a unit or a percentage)
        limits = (
            [
                rf"(?:{_alternatives(words.limit_words)})(?:是|为|要|能|得)?(?:多少|{_JI})(?!{all_units}|个|倍|成)"
                rf"|(?:多少|{_JI})(?:以上|以下|以内)"
            ]
            if words.limit_words
            else []
        )
        if words.measure_nouns:  # 接触限值是多少: a measure asked by its noun
            limits.append(_asking(words.measure_nouns, words.question_words))
        self._limit = re.compile("|".join(limits)) if limits else None
        # a measure, not a sum or a count: 处五万元以下的罚款 or 两个以上生产经营单位 beside it is no limit
        measures = _alternatives([u for u, kind in self._kind_of_unit.items() if kind not in ("money", "count")])
        self._number = re.compile(rf"{NUMBER}\s*(?:{measures}|%|％)|百分之{NUMBER}")
        # from which day a period runs (从哪天起算, 从哪天开始计算) is a time ask: its starting event (之日起) answers
        self._date = re.compile(rf"(?:{_asks(words.date_asks)})(?!起|开始计|开始算)") if words.date_asks else None
        # a day of the calendar: 6月, 3月底, 每年1月31日前, 6月份 (not 3个月, a duration); an hour of the day: 22时,
        # 晚上10点 (not 2小时)
        self._dated = re.compile(
            rf"(?<![个\d]){NUMBER}\s*月(?:{NUMBER}\s*[日号]|份|底|初|中旬|上旬|下旬)?|{NUMBER}\s*[日号]前"
            rf"|{NUMBER}\s*[时点](?!间)"
        )
        # each period: asked as 每天, 每个月, 每一年 (not 每个班组); stated as those, 每日, 每班 or 每半年
        self._per = [
            (
                # (or one period before the words bounding a figure: 一个学期至少要搞几次, 一年最多能加班多少小时)
                re.compile(
                    rf"每[个一]?(?:{names}){_NOT_TEAM}|一个?(?:{names})(?:里|内|之内)?(?:至少|最少|最多|不超过)"
                ),
                re.compile(rf"每[个一]?半?(?:{names}){_NOT_TEAM}"),
            )
            for names in map(_alternatives, words.rate_periods.values())
        ]
        # a number asked by 多少, 什么 or 哪个 (投诉电话是多少, 打什么电话), never by a word asking when or how long
        # (接到电话以后最晚多长时间内, 打电话什么时候): those ask a period
        self._phone = (
            re.compile(_asking(words.phone_nouns, words.phone_question_words, not_before="时"))
            if words.phone_nouns and words.phone_question_words
            else None
        )
        # an area code and a number, a 123xx service line or an emergency number, a number of 7–8 digits; never a
        # sum or a count (罚款15000元, 120人)
        self._form = (
            re.compile(_asking(words.form_nouns, words.form_question_words, before=8))
            if words.form_nouns and words.form_question_words
            else None
        )
        self._form_given = re.compile(_alternatives(words.form_words or words.form_nouns))
        self._phone_number = re.compile(
            r"\d{3,4}-\d{7,8}|(?<![\d.])(?:123\d{2}|110|119|120|122|\d{7,8})(?![\d.万元人名])"
        )

    def is_quantity(self, word: str) -> bool:
        """Whether a word is a number and its unit (一年, 120人): what a question states, not what it is about."""
        return bool(self._quantity.fullmatch(word))

    def figures(self, text: str) -> set[str]:
        """The figures a text states (五万元, 1小时, 30日) as written, in simplified characters: the same only when
        written alike, as a copy writes them (assistant.llm.figures reads their values, 五万元 as 50000元, for the
        check of a model's reply)."""
        return {re.sub(r"\s+", "", found.group(0)) for found in self._quantity.finditer(to_simplified(text))}

    def _kind_of_sum(self, words: str) -> tuple[str, ...]:
        """The kind of sum the question's words ask for (the first named: 工资待遇 is pay), or () for any sum."""
        named = [(words.find(w), kind) for kind in self._money_kinds for w in kind if w in words]
        return min(named)[1] if named else ()

    def across_asking(self, part: str, token: str) -> bool:
        """Whether a word of a question part is only the segmenter's cut across the end of a question word (多长时间:
        长时间, of 多长 and 时间): wherever the part holds it, it begins inside a question word and ends after it. It
        is no word of the question (时间 is; 长时间 would match 延长时间, which says nothing of how long is asked)."""
        spans = [(m.start(), m.end()) for m in self._question_word.finditer(part)]
        found = [m.start() for m in re.finditer(re.escape(token), part)] if token else []
        return bool(found) and all(any(begin < at < end < at + len(token) for begin, end in spans) for at in found)

    def asked(self, part: str) -> Ask | None:
        """The figure a question part asks for, or None when it asks for none (a 几 in a question asking yes or no:
        挪动几台设备算不算破坏现场); a number, a sum or a period asked per day, shift or year (每天最多干几小时) is
        stated per period: the period named in the clause asking for it, not in another (从业人员多少人以上的单位建立
        安委会，每季度至少开会一次 asks no number of people per quarter); a sum or share asked of no penalty is not a
        fine."""
        part = self._blank_time.sub("多久", self._blank.sub("多少", part))
        ask = self._asked(part)
        if ask is None and (filled := self._blank_of_choices(part)) != part:
            part, ask = filled, self._asked(filled)
        ask = ask or (self._claimed(part) if _CHECKS_CLAIM.search(part) else None)
        if ask is None and (found := self._put_frequency(part)):
            # a frequency put to be confirmed or chosen (电梯的定期检验是不是一年一次, 每年一次还是两年一次) asks what
            # the law states of it: the frequency a provision states of that act decides it
            ask = Ask("frequency", self._how_often, words=found.group(0), act=self._act(part, found), put=True)
        if ask is None or (re.search(_JI, ask.words) and YES_NO.search(part)):
            return None
        if _WHETHER_RULED.match(part, part.find(ask.words) + len(ask.words)):
            return None  # 对离居民区多远有没有要求 asks whether the law rules on it: the rule answers, figure or none
        if ask.kind in _SUMS_AND_SHARES and provision_asked(part) != PENALTY:
            ask = replace(ask, fines=False)
        if ask.kind == "time" and _AHEAD_ASKED.search(part):
            ask = replace(ask, ahead=True)
        valid = _OWNER.search(part) if ask.kind == "time" else None
        owner = valid or (_SUM_OWNER.search(part) if ask.kind in ("time", "money") else None)
        if owner:
            named = owner.group(1).split("的")[-1]  # 特种设备作业人员证 of 叉车司机的特种设备作业人员证
            if len(named) >= _OWNER_MIN and not named.startswith(_POINTING):  # 这个证 names none
                ask = replace(ask, owner=named, validity=valid is not None)
        if ask.kind not in _RATES_ALREADY:
            clause = next((c for c in _CLAUSES.split(part) if ask.words in c), part)
            for asking, stating in self._per:
                if asking.search(clause):
                    return replace(ask, per=stating)
        if ask.kind in ("people", "count") and self._area_told.search(part):
            # a number asked of what is reckoned by the area the question tells (一个3万平方米的住宅项目至少要配几个专职
            # 安全员, 按建筑面积算): a provision reckoning by area states it, not one scaling by the staff
            return replace(ask, per=self._area)
        return ask

    def _put_frequency(self, part: str) -> re.Match[str] | None:
        """A frequency in the clause asking yes or no or putting a choice (是不是一年一次, 每年一次还是两年一次), not
        one told in a clause before it (我们每个月都搞隐患排查，…需要公开吗)."""
        start = 0
        for clause in _CLAUSES.split(part):  # (each clause ends at one separator)
            end = start + len(clause)
            if (YES_NO.search(clause) or _OR_ELSE in clause) and (found := self._how_often.search(part, start, end)):
                return found
            start = end + 1
        return None

    def _act(self, part: str, found: re.Match[str], between: str = "") -> str:
        """The words naming what is done as often as asked: written between the asking words (多久修订一次: 修订),
        between a period put and the occasions it counts (是不是每三年要评估一次: 评估) or after them (是不是每三年
        必须做一次评估: 评估), else right after the asking words (多长时间要做一次评估: 评估), else right before them in
        their clause (定期检验是几年一次, 检验周期是多久: 定期检验); never a word asking (周期是多久, 各有什么频次) nor
        the words saying nothing of it (要, 搞, 组织).
        ``act_head`` reads the act itself from them."""
        if act := self._light.sub("", between):
            return act
        # after words counting the occasions (多久一次检查), not after a noun (检验周期一样吗: 一样 is no act)
        after = _CLAUSES.split(part[found.end() :], maxsplit=1)[0]
        # (not 周期是几年一次: 是几年 asks; nor 每年一次还是两年一次, a choice of periods)
        put = _ONCE_AFTER.match(self._light.sub("", after))
        if put and found.group(0)[-1:] not in _OCCASIONS and not _ASKING_OR_ONCE.search(put.group(1)):
            return put.group(1)
        # or named after the occasion, a light verb before it (是不是每三年必须做一次评估: 评估)
        named = _ONCE_THEN_ACT.match(self._light.sub("", after))
        if named and found.group(0)[-1:] not in _OCCASIONS and not _ASKING_OR_ONCE.search(named.group(1)):
            return named.group(1)
        # (not what follows from them: 被罚了几次会吊销 counts penalties)
        consequence = _CONSEQUENCE.match(after)
        after = _ASKING_OR_ONCE.split(self._light.sub("", after), maxsplit=1)[0].rstrip("？?！!")
        if after and found.group(0)[-1:] in _OCCASIONS and not consequence:
            return after[:_ACT_SPAN]
        # (the period the occasions are counted in says when, not what: 演练一个学期至少要搞几次)
        before = self._period_told.sub("", _TRAILING.sub("", _CLAUSES.split(part[: found.start()])[-1]))
        # of the thing's act, the act (电梯的检验: 检验)
        return ASKS_OTHERWISE.split(before)[-1].split("的")[-1][-_ACT_SPAN:]

    @staticmethod
    def _within(part: str, found: re.Match[str]) -> str:
        """The 内 (之内, 以内) right after the words asking a period, asking it as one something is done within
        (多长时间之内往上报): it asks too, and says nothing of what the period is of; "" when none follows."""
        said = _WITHIN_WORD.match(part[found.end() :])
        return said.group(0) if said else ""

    def _period_act(self, part: str, found: re.Match[str]) -> tuple[str, bool]:
        """The act a period asked is of, and whether it is a verb and what it is done to (its first word is the act):
        named after the asking words, done within the period or not (几日内送达给被处罚企业: 送达; 灭火器几年必须报废
        更换: 报废), or, asked last, named before them (报告要保存多少年: 保存; 有效期是几年: 有效期)."""
        after = _CLAUSES.split(_WITHIN_WORD.sub("", part[found.end() :], count=1), maxsplit=1)[0]
        if not after.strip("？?！!吗呢啊呀"):
            return self._act(part, found), False
        return _ASKING_OR_ONCE.split(self._light.sub("", after), maxsplit=1)[0].rstrip("？?！!")[:_ACT_SPAN], True

    def act_head(self, act: str, words: list[str], leading: bool = False) -> str:
        """The act itself among the words of its phrase (a segmenter's tokens of it): the word ending last, the
        shorter of two ending together (应急预案演练: 演练; 定期检验: 检验), never a word saying nothing of the act
        (…演练法规要求: 演练) nor a single character; "" when none is left. ``leading``: the phrase is a verb and
        what it is done to (送达给被处罚企业, 赶到现场): its first word."""
        acts = [w for w in words if len(w) > 1 and w in act and not self._light.fullmatch(w)]
        if leading:
            return min(acts, key=lambda w: (act.find(w), -len(w)), default="")
        return max(acts, key=lambda w: (act.rfind(w) + len(w), -len(w)), default="")

    def _told_before(self, kind: str, before: str) -> bool:
        """Whether the text before a measure asked by its adjective ends in a figure of its kind (三米 of 三米多高)."""
        tail = before[-_TOLD_SPAN:]
        return any(m.end() == len(tail) for m in self._stated[kind].finditer(tail))

    def _blank_of_choices(self, part: str) -> str:
        """A quiz's blank whose choices are all figures of one kind (一般不超过（ ）。A.1年 B.2.5年 C.3年 D.5年) asks
        for a figure of that kind, as 多少年 does; choices of another sort (A.每季度, A.建设单位) leave it a blank."""
        choices = CHOICES.search(part)
        if choices is None or not re.search(_BLANK, part[: choices.start()]):
            return part
        found = [self._quantity.search(choice) for choice in _CHOICE.split(choices.group(0))[1:]]
        if len(found) < 2 or None in found:
            return part
        units = [f.group("unit") for f in found if f is not None]
        if len({self._kind_of_unit[u] for u in units}) > 1:
            return part
        return re.sub(_BLANK, f"多少{units[0]}", part, count=1)

    def _claimed(self, part: str) -> Ask | None:
        """A true-or-false claim of a period, a frequency or a sum (叉车司机的作业人员证每4年复审一次，对吗？) asks
        whether the law states it: the figure of its kind a provision states about the matter decides it. The claim is
        the sentence put to be judged (or the one before a bare 这个说法对吗？), not a circumstance told before it
        (抢救了三天还是走了。厂里说这不算工伤，他们说得对吗？ claims no period)."""
        sentences = [s for s in _SENTENCES.split(part) if s.strip()] or [part]
        claim = sentences[-1]
        if len(_CHECKS_CLAIM.sub("", claim).strip()) <= _CHECK_ONLY and len(sentences) > 1:
            claim = sentences[-2] + claim
        part = claim
        if found := self._how_often.search(part):
            return Ask("frequency", self._how_often, words=found.group(0), put=True)
        for found in self._counted_quantity.finditer(part):
            if _told_event(part, found):
                continue
            if (kind := self._kind_of_unit[found.group("unit")]) in _CLAIMED_KINDS:
                return Ask(kind, self._stated[kind], words=found.group(0), put=True)
        return None

    def _asked(self, part: str) -> Ask | None:
        if self._phone is not None and (found := self._phone.search(part)):
            return Ask("phone", self._phone_number, words=found.group(0))
        if self._form is not None and (found := self._form.search(part)):
            return Ask("form", self._form_given, words=found.group(0))
        if self._date is not None and (found := self._date.search(part)):
            return Ask("date", self._dated, words=found.group(0))
        if found := self._frequency.search(part):
            # the act is written between the asking words (多久修订一次), after them (多长时间要做一次评估) or before
            act = self._act(part, found, found["act"] or "")
            # how many hours or minutes apart (每隔几小时巡查一次) is stated in hours or minutes: 每日 says it is done
            # daily, not how often within the day
            per = _WITHIN_DAY if _WITHIN_DAY.search(found.group(0)) else None
            return Ask("frequency", self._how_often, words=found.group(0), act=act, per=per)
        if found := self._ratio.search(part):
            return Ask("ratio", self._proportion, words=found.group(0))
        asked = (f for f in self._unit_asked.finditer(part) if not _told_roughly(part, f))
        if found := next(asked, None):  # 几小时、多少天 ask for a number of them: 立即 is no answer
            unit = found.group("unit")
            kind = self._kind_of_unit[unit]
            counted = self._counted.get(unit, self._any_counted) if kind == "count" else None
            # after 个, the measure word, comes the thing counted, which a count unit may begin: of 等级 or 种类 a
            # count by either unit answers (几个等级: 分为…四级), of 级别 one by 级 (not 两个以上行政区域)
            begins = part[found.start("unit") : found.start("unit") + 2]
            if counted is not None and part[: found.start("unit")].endswith(_ANY_COUNTED):
                either = [c for c in dict.fromkeys(begins) if c in self._counted]
                if len(either) > 1:
                    counted = re.compile(rf"{_COUNTING}{NUMBER}\s*(?:{_alternatives(either)})")
            # what is counted, named after the asking words: 的 joining a word to its name (几个专职的安全员) is no
            # part of the name the law writes
            following = _CLAUSES.split(part[found.end() :], maxsplit=1)[0].replace("的", "")
            before = _PERSON_BEFORE.search(part[: found.start()])
            if before is not None and _TOLD_BY_NUMBER.search(part[: before.start()]):
                before = None
            if unit == _ANY_COUNTED and (_PERSON.match(following) or before is not None):
                counted = self._people_counted
            people = ""
            named = _COUNTED_PEOPLE.match(following)
            if named is None and unit == _PEOPLE_MEASURE:
                named = _NAMED_AFTER_MEASURE.match(following)
            if (
                (kind == "people" or counted is self._people_counted)
                and named is not None
                and len(named.group(0)) >= _NAME_SHARED
            ):
                people = named.group(0)
            listed = kind == "count" and any(c in self._listed for c in begins)  # 几级, 几个等级
            # the occasions of an act counted (一个学期至少要搞几次演练, 一年开展了多少次安全检查): the act's, as a
            # frequency is (消防设施每年至少全面检测一次 counts no drill)
            act = self._act(part, found) if unit in _OCCASIONS else ""
            within = self._within(part, found) if kind == "time" else ""
            act, leading = self._period_act(part, found) if kind == "time" else (act, False)
            return Ask(
                kind,
                counted or self._stated[kind],
                words=found.group(0) + within,
                counted=people,
                listed=listed,
                act=act,
                within=bool(within),
                leading=leading,
            )
        if found := self._money.search(part):  # 罚款多高 asks a sum, not a length
            return Ask("money", self._stated["money"], words=found.group(0), of=self._kind_of_sum(found.group(0)))
        for kind, asking in self._measure_asks.items():  # 多高、多深: a length, in a unit of its kind
            # after a figure of its kind, 多 tells it roughly (三米多高 is more than three metres high): no ask
            found = next((f for f in asking.finditer(part) if not self._told_before(kind, part[: f.start()])), None)
            if found:
                return Ask(kind, self._stated[kind], words=found.group(0))
        if self._money_standard is not None and (found := self._money_standard.search(part)):
            # the rule of a sum of that kind: a clause naming the kind states it (in figures or in words)
            sums = self._kind_of_sum(found.group(0)) or tuple(self._money_words)
            return Ask("money", re.compile(_alternatives(list(sums))), self._stated["money"], words=found.group(0))
        if found := self._time.search(part):
            within = self._within(part, found)
            words = found.group(0) + within
            return Ask("time", self._deadline, self._stated["time"], words=words, within=bool(within))
        if self._limit is not None and (found := self._limit.search(part)):
            return Ask("limit", self._number, words=found.group(0))
        return None
