"""Read an enterprise's form fields and free-text description into a Profile the obligation rules evaluate.

Every word comes from the taxonomy (knowledge/taxonomy/*.yaml): industry aliases, condition keywords,
special-equipment aliases, region names and the negation cues. The description adds facts the fields do
not state ("部分专业工程分包给其他单位", "作为托运人"), and a negated mention ("不用派遣工", "没有锅炉、行车等
特种设备", "未构成重大危险源", "只做运输，不做充装") never sets a fact.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from assistant.pack import Activity, KnowledgePack, Profile, Taxonomy
from ingest.cleaning import to_simplified
from ingest.encoding import escape_controls
from ingest.legal_forms import default_forms
from ingest.numerals import NUMERAL_CHARS, count, value_of, well_formed
from ingest.settings import Settings

_PUNCTUATION = r"[，。；;,.！？!?\n（）()【】\[\]：:“”\"]"
_NUMBER = r"(\d{1,6}|[零〇一二两三四五六七八九十百千万]{1,8})"
_HEADCOUNT = [
    re.compile(
        r"(?:员工|职工|从业人员|工人|在职人员|用工|人员)(?:总数|人数)?[:：]?\s*(?:约|共|共有|有|为|达|近|超过)?\s*"
        + _NUMBER
        + r"\s*(余|多)?\s*(?:人|名)"
    ),
    re.compile(_NUMBER + r"\s*(余|多)?\s*(?:名|个|人的)?\s*(?:员工|职工|从业人员|工人)"),
]
# 100多人, 一百余人: more than the round number, so at least one more (a duty for more than 100 people applies)
_MORE_THAN = re.compile(r"[\d零〇一二两三四五六七八九十百千万]\s*(?:余|多)(?:\s*个)?\s*(?:人|名)?\s*(?:左右|上下)?\s*$")


class ProfileError(ValueError):
    """A form field cannot be read; the message (Chinese) names the field and what to write instead."""


@dataclass
class Mention:
    word: str
    clause: str
    negated: bool


class DescriptionReader:
    """Finds taxonomy words in a description, clause by clause, and tells whether each is negated."""

    def __init__(self, taxonomy: Taxonomy, text: str):
        neg = taxonomy.negation
        self.cues = sorted(neg.cues, key=len, reverse=True)
        self.not_cues = neg.not_cues
        self.other_party = neg.other_party
        self.own = neg.own_party
        breaks = "|".join(re.escape(w) for w in sorted(neg.clause_breaks, key=len, reverse=True))
        splitter = _PUNCTUATION + (f"|{breaks}" if breaks else "")
        text = text or ""
        # a form-like answer "重大危险源：无" says what "无重大危险源" says
        answers = "|".join(re.escape(c) for c in sorted(neg.cues, key=len, reverse=True))
        # starting only after a separator and never giving back (++): one pass over the text, not one per
        # character (a 32,000-character description without punctuation took 48 s)
        text = re.sub(rf"(?<![^，。；;,\n：:])([^，。；;,\n：:]++)[：:]\s*({answers})(?=[，。；;,\n]|$)", r"\2\1", text)
        for word in neg.not_facts:  # 自行车 holds no 行车, 出租车 no 出租: blank them before matching
            text = text.replace(word, "＿" * len(word))
        self.clauses = [c for c in re.split(splitter, text) if c.strip("＿ ")]

    def negated_before(self, clause: str, position: int) -> bool:
        head = clause[:position]
        for word in self.not_cues:  # 非煤矿山, 不得 … contain a cue but negate nothing
            head = head.replace(word, "＿" * len(word))
        return any(cue in head for cue in self.cues)

    def other_party_before(self, clause: str, position: int) -> bool:
        """外包给物业公司, 交由有资质的单位: what follows the cue is another party's role, not ours."""
        head = clause[:position]
        for word in self.own:
            head = head.replace(word, "＿" * len(word))
        return any(cue in head for cue in self.other_party)

    def find(self, words: list[str], ours: bool = True) -> list[Mention]:
        """Every clause mentioning one of the words (longest first), with its negation; when the words
        describe the enterprise itself (ours), a mention as another party's role counts as negated."""
        found: list[Mention] = []
        for clause in self.clauses:
            for word in sorted(words, key=len, reverse=True):
                position = clause.find(word)
                if position >= 0:
                    found.append(
                        Mention(
                            word,
                            clause,
                            self.negated_before(clause, position)
                            or (ours and self.other_party_before(clause, position)),
                        )
                    )
                    break
        return found

    def holds(self, words: list[str], ours: bool = True) -> tuple[bool, bool, str]:
        """(affirmed, denied, the word): affirmed when some clause mentions it without negation."""
        mentions = self.find(words, ours)
        affirmed = [m for m in mentions if not m.negated]
        denied = [m for m in mentions if m.negated]
        word = (affirmed or denied)[0].word if mentions else ""
        return bool(affirmed), bool(denied) and not affirmed, word


def _norm(text: str) -> str:
    return re.sub(r"[\s（）()、/，,·\-—]", "", text or "")


def _exact(text: str, names: dict[str, list[str]]) -> list[str]:
    wanted = _norm(text)
    return [key for key, aliases in names.items() if wanted and wanted in {_norm(a) for a in [key, *aliases]}][:1]


def _contained(text: str, names: dict[str, list[str]]) -> list[str]:
    """The keys of the longest alias contained in the text (ties: all of them)."""
    wanted = _norm(text)
    best: tuple[int, list[str]] = (0, [])
    for key, aliases in names.items():
        for alias in {_norm(a) for a in [key, *aliases]}:
            if alias and alias in wanted:
                if len(alias) > best[0]:
                    best = (len(alias), [key])
                elif len(alias) == best[0] and key not in best[1]:
                    best[1].append(key)
    return best[1]


def _match_name(text: str, names: dict[str, list[str]]) -> list[str]:
    """Keys whose key or alias equals the text; else the keys of the longest alias contained in the text."""
    return _exact(text, names) or _contained(text, names)


_TRADED = "□"  # stands for an industry's name that names goods or services for it (煤矿 of 煤矿设备)


def without_trades(taxonomy: Taxonomy, text: str) -> str:
    """The text with each industry name that names goods or services for the industry (煤矿 of 煤矿设备销售, 建筑 of
    建筑设计, 化工 of 化工设备制造; taxonomy trade_words) blanked: it says what the enterprise trades in, makes or
    provides, not its industry."""
    if not taxonomy.trade_words:
        return text
    aliases = tuple(sorted({a for i in taxonomy.industries for a in [i.key, *i.aliases] if a}, key=len, reverse=True))
    return _traded_names(aliases, tuple(taxonomy.trade_words)).sub(lambda m: _TRADED * len(m.group()), text)


@lru_cache(maxsize=4)
def _traded_names(aliases: tuple[str, ...], trades: tuple[str, ...]) -> re.Pattern[str]:
    """An industry's name right before a word for goods or services (煤矿 of 煤矿设备)."""
    return re.compile(f"(?:{'|'.join(map(re.escape, aliases))})(?=(?:{'|'.join(map(re.escape, trades))}))")


def match_industry(taxonomy: Taxonomy, text: str) -> tuple[list[str], list[str]]:
    """(industry keys, industry groups) for a user's industry field: 一般工贸（机械制造）, 道路运输（危险货物）,
    危险化学品（生产）, 危化品经营 … A bare group name (矿山, 危险化学品) gives only the group; an industry the field
    denies (不是化工厂, 非化工企业) is none of the enterprise's, nor one it trades goods or services for (煤矿设备销售,
    建筑设计)."""
    names = {i.key: i.aliases for i in taxonomy.industries}
    text = (text or "").strip()
    whole = _exact(text, names)
    if whole:
        return whole, []
    text = without_trades(taxonomy, text)
    if not _norm(text):
        return [], []
    # what the field says the enterprise is not (不是化工厂, 非化工企业), read as a description's negations are (the 非
    # of 非煤矿山 negates nothing)
    reader = DescriptionReader(taxonomy, text)
    text = "，".join(clause for clause in reader.clauses if not reader.negated_before(clause, len(clause)))
    if not _norm(text):
        return [], []
    parts = [p for p in re.split(r"[（）()、/，,]", text) if _norm(p)]
    found: list[str] = []
    for match in [_exact] * (len(parts) > 1) + [_contained]:
        for part in [text] if match is _contained else parts:
            for key in match(part, names):
                if key not in found:
                    found.append(key)
        if found:
            return found, []
    groups = [g for g in taxonomy.groups if any(_norm(p) == _norm(g) for p in [text, *parts])]
    return [], groups


def match_equipment(taxonomy: Taxonomy, text: str) -> list[str]:
    return _match_name(text, taxonomy.equipment)


def match_region(taxonomy: Taxonomy, text: str) -> list[str]:
    """Every region named in the text and the regions they lie in: 宁波 → 宁波, 浙江; 山东省济南市 → 山东. A name that
    is part of another name (上海市黄浦区山东中路, 宁波路) or says where someone comes from (山东人, 老家在山东) is no
    region the enterprise is in."""
    text = default_forms().without_other_names((text or "").strip())
    keys = _exact(text, taxonomy.regions) or [
        key for key, aliases in taxonomy.regions.items() if any(_norm(a) in _norm(text) for a in [key, *aliases])
    ]
    found: list[str] = []
    for key in keys:
        while key and key not in found:
            found.append(key)
            key = taxonomy.region_parents.get(key, "")
    return found


def industry_in_description(taxonomy: Taxonomy, reader: DescriptionReader) -> list[str]:
    """The industry the description says the enterprise is in: the longest alias affirmed in some clause;
    not one negated (不经营危化品), named as another party's (发包给施工总承包单位) or as goods or services the
    enterprise trades in (销售煤矿设备)."""
    aliases = {_norm(a): i.key for i in taxonomy.industries for a in [i.key, *i.aliases] if _norm(a)}
    best: tuple[int, list[str]] = (0, [])
    for clause in reader.clauses:
        named = _norm(without_trades(taxonomy, clause))  # not 煤矿 of 销售煤矿设备
        for alias, key in aliases.items():
            position = named.find(alias)
            if position < 0 or len(alias) < best[0]:
                continue
            if reader.negated_before(clause, position) or reader.other_party_before(clause, position):
                continue
            if len(alias) > best[0]:
                best = (len(alias), [key])
            elif key not in best[1]:
                best[1].append(key)
    return best[1]


def region_in_description(taxonomy: Taxonomy, clauses: list[str]) -> list[str]:
    """Where the enterprise is, when the description says it: a clause opening with a region (北京一家…)
    or naming one in full (位于宁波市). A market named in passing (产品销往北京) is not a location, nor where the owner
    comes from (山东人开的厂) or a street (山东中路)."""
    for clause in map(default_forms().without_other_names, clauses):
        for key, aliases in taxonomy.regions.items():
            if clause.startswith(key) or any(a in clause for a in aliases if a.endswith(("省", "市", "区"))):
                return match_region(taxonomy, key)
    return []


def _headcount(description: str) -> int | None:
    for pattern in _HEADCOUNT:
        for match in pattern.finditer(description or ""):
            number = count(match.group(1))
            if number is not None:
                return number + 1 if match.group(2) else number
    return None


def _read_industry(
    tax: Taxonomy, industry: str, description: str, reader: DescriptionReader, notes: list[str]
) -> tuple[list[str], list[str]]:
    """(industry keys, groups named without an industry) from the industry field, refined by the description."""
    by_key = {i.key: i for i in tax.industries}
    industries, only_groups = match_industry(tax, industry)
    if all(by_key[k].fallback for k in industries) and not only_groups and description:
        named = industry_in_description(tax, reader)
        if named and named != industries:
            notes.append(f"行业按描述识别为：{'、'.join(named)}")
            return named, []
    if only_groups and description:  # 矿山 + "井工煤矿…": the description names the industry within the group
        by_group = [k for k in industry_in_description(tax, reader) if set(by_key[k].groups) & set(only_groups)]
        if by_group:
            notes.append(f"行业“{industry}”按描述细分为：{'、'.join(by_group)}")
            return by_group, []
    if only_groups:
        examples = "、".join(i.key for i in tax.industries if set(i.groups) & set(only_groups))
        notes.append(
            f"行业“{industry}”只识别到大类“{'、'.join(only_groups)}”：只列该大类共有的义务，"
            f"请写明细分行业（如 {examples}）"
        )
    elif not industries:
        industries = [i.key for i in tax.industries if i.fallback][:1]
        names = {i.key: i.aliases for i in tax.industries}
        traded = _contained(industry, names) if without_trades(tax, industry) != industry else []
        said = (
            f"行业“{industry}”是为{'、'.join(traded)}提供的设备、材料或服务，不按{'、'.join(traded)}列出义务"
            if traded
            else f"行业“{industry}”无法识别"
        )
        notes.append(f"{said}，按一般生产经营单位列出；可选行业：{'、'.join(by_key)}")
    elif industry and industries != [industry]:
        notes.append(f"行业“{industry}”对应：{'、'.join(industries)}")
    return industries, only_groups


_HEADCOUNT_MISSING = (
    "请填写从业人员人数（本单位全部从业人员，含劳务派遣、实习人员）：许多义务取决于人数，"
    "如超过一百人须设置安全生产管理机构或配备专职安全生产管理人员，不填无法判断。"
)


# more than any one enterprise employs: a larger number is a typing slip (and 5,000 digits are no number Python
# converts); the same bound for the CLI, the web form and a description
MAX_EMPLOYEES = 1_000_000
_TOO_MANY = f"上限为 {MAX_EMPLOYEES:,} 人；请填写本单位全部从业人员（含劳务派遣、实习人员）的实际人数，如 120。"
_WHAT_TO_WRITE = "请填写一个整数，如 120（写成 120人、一百二十 也可以）。"

# what may stand around the number in the headcount field: the field's own name (从业人员：120), an approximation
# (约120, 120余人, 一百来人) and the unit (120人, 120名)
_FIELD_BEFORE = re.compile(
    r"^(?:(?:员工|职工|从业人员|在职人员|人员)(?:总数|人数)?|人数)?\s*[:：]?\s*"
    r"(?:大约|大概|约为|约|共有|共计|合计|总共|共|有|将近|近|差不多)?\s*"
)
_FIELD_AFTER = re.compile(r"\s*(?:余|多|来)?\s*(?:个)?\s*(?:人|名)?\s*(?:左右|上下)?\s*$")
_DIGIT_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
_MIXED_NUMBER = re.compile(rf"(?:{_DIGIT_NUMBER.pattern})(?:万|千|百)")  # 1.2万, 2百
_RANGE = re.compile(rf"^[\d{NUMERAL_CHARS},.]+\s*(?:-|~|—|–|至|到)\s*[\d{NUMERAL_CHARS},.]+$")


def _field_headcount(given: str, notes: list[str]) -> int | None:
    """The headcount a person wrote in the field: 120, １２０, 1,200, 120人, 约120人, 120余人, 一百二十, 两千, 1.2万,
    120.0; None when it is blank. Anything else (a range, a fraction of a person, 1e9, a word) raises ProfileError
    naming the field and what to write. How a value not written as plain digits was read goes to notes."""
    # full-width digits, point and minus as ASCII; a full-width comma separates two numbers (120，150), never the
    # thousands of one
    text = unicodedata.normalize("NFKC", given.replace("，", "、")).strip()
    if not text:
        return None
    shown = text if len(text) <= 20 else f"{text[:20]}…"
    core = _FIELD_AFTER.sub("", _FIELD_BEFORE.sub("", text, count=1), count=1).strip()
    if re.fullmatch(r"[+-]\s*\d[\d,.]*", core):  # a sign: -5, +120
        if core.startswith("-"):
            raise ProfileError(f"从业人员人数不能为负数：{shown}；请填写本单位全部从业人员的实际人数，如 120。")
        core = core[1:].strip()
    digits = core.replace(",", "")
    if digits.isdigit() and len(digits.lstrip("0")) > len(str(MAX_EMPLOYEES)):  # before int(): 5,000 digits fail
        shown = digits if len(digits) <= 20 else f"{digits[:20]}…（共 {len(digits):,} 位）"
        raise ProfileError(f"从业人员人数“{shown}”过大：{_TOO_MANY}")
    if _RANGE.match(core):
        raise ProfileError(f"从业人员人数“{shown}”是一个范围：请填写一个确定的人数，如 120。")
    value = None
    if _DIGIT_NUMBER.fullmatch(core) or _MIXED_NUMBER.fullmatch(core):
        value = value_of(core)
    elif core and all(ch in NUMERAL_CHARS for ch in core) and well_formed(core):
        value = value_of(core)
    read_whole = value is not None
    if value is None:  # a sentence (我们有员工120人) read as a description is
        found = _headcount(text if re.search(r"员工|职工|从业人员|工人", text) else f"员工{text}")
        if found is None:
            raise ProfileError(f"从业人员人数“{shown}”无法识别：{_WHAT_TO_WRITE}")
        value = Fraction(found)
    if value.denominator != 1:
        raise ProfileError(f"从业人员人数“{shown}”不是整数：{_WHAT_TO_WRITE}")
    more = read_whole and bool(_MORE_THAN.search(text))
    if more:  # the round number written with 多 or 余: more than it
        value += 1
    if value > MAX_EMPLOYEES:
        raise ProfileError(f"从业人员人数“{shown}”过大：{_TOO_MANY}")
    if not re.fullmatch(r"\+?\s*[\d,.]+\s*(?:人|名)?", text) and value > 0:  # 约120人, 一百二十, 1.2万: how it was read
        read = f"超过 {int(value) - 1} 人（{int(value)} 人）" if more else f"{int(value)} 人"
        notes.append(f"从业人员人数“{shown}”按 {read}计")
    return int(value)


def _read_headcount(employees: int | float | str | None, description: str, notes: list[str]) -> int:
    """The headcount from the field, or else from the description; refused (ProfileError) when neither gives
    one: a checklist silently built for 0 people drops every duty that turns on headcount."""
    if isinstance(employees, bool):
        employees = None
    if isinstance(employees, str):  # the CLI and the web form hand over what was typed
        employees = _field_headcount(employees, notes)
    if isinstance(employees, float):
        if not math.isfinite(employees):
            raise ProfileError(f"从业人员人数“{employees}”无法识别：{_WHAT_TO_WRITE}")
        if employees > MAX_EMPLOYEES:
            raise ProfileError(f"从业人员人数“{employees:g}”过大：{_TOO_MANY}")
        if employees != int(employees):
            raise ProfileError(f"从业人员人数“{employees:g}”不是整数：{_WHAT_TO_WRITE}")
        employees = int(employees)
    if employees is None:
        employees = _headcount(description)
        if employees is None:
            raise ProfileError(_HEADCOUNT_MISSING)
        if employees > MAX_EMPLOYEES:
            raise ProfileError(f"描述中写的从业人员人数（{employees:,} 人）过大：{_TOO_MANY}")
        notes.append(f"从业人员人数按描述取 {employees} 人")
    if employees < 0:
        raise ProfileError(f"从业人员人数不能为负数：{employees}；请填写本单位全部从业人员的实际人数，如 120。")
    if employees > MAX_EMPLOYEES:  # a whole number handed over as such (a form, the API)
        raise ProfileError(f"从业人员人数“{employees:,}”过大：{_TOO_MANY}")
    if employees == 0:
        raise ProfileError("从业人员人数不能为 0：请填写本单位全部从业人员的人数（含劳务派遣、实习人员），如 120。")
    return employees


def _words_at(text: str, words: dict[str, str]) -> list[tuple[int, str]]:
    """(position, word) of each word in the text, leftmost-longest and not overlapping: 非煤矿山 holds 非煤,
    not 煤矿."""
    found: list[tuple[int, str]] = []
    position = 0
    ordered = sorted(words, key=len, reverse=True)
    while position < len(text):
        word = next((w for w in ordered if text.startswith(w, position)), None)
        if word:
            found.append((position, word))
            position += len(word)
        else:
            position += 1
    return found


_LINKS = re.compile(r"[并和及与或也、，/]|不|储存|运输|装卸|经营|使用|生产")


def _chained(before: list[tuple[int, str]], clause: str) -> list[tuple[int, str]]:
    """The activity words that govern what follows: the nearest one, and those joined to it by 并/和/、/也不
    (生产并销售, 不生产也不销售); not a word that only sets the scene (生产过程中使用硫酸 governs by 使用)."""
    if not before:
        return []
    chain = [before[-1]]
    for position, word in reversed(before[:-1]):
        gap = clause[position + len(word) : chain[-1][0]]
        if _LINKS.sub("", gap):
            break
        chain.append((position, word))
    return chain


def _stated_roles(activity: Activity, reader: DescriptionReader, need_object: bool) -> tuple[set[str], set[str]]:
    """(affirmed, denied) industries whose activity words the clauses state. With need_object, a word counts when
    it governs one of the sector's objects: before it in the clause (使用盐酸、硫酸等危险化学品, 不生产也不销售危化品)
    or right after it (液氨作原料, 危化品使用)."""
    roles = {word: key for key, words in activity.roles.items() for word in words}
    objects = {word: word for word in activity.objects}
    affirmed: set[str] = set()
    denied: set[str] = set()
    for clause in reader.clauses:
        role_hits = _words_at(clause, roles)
        # (position, word, where its object starts): a cue between the word and its object negates it too
        governing: list[tuple[int, str, int]] = [(p, w, p + len(w)) for p, w in role_hits]
        if need_object and objects:
            governing = []
            start = 0
            for position, word in _words_at(clause, objects):
                before = _chained([(p, w) for p, w in role_hits if start <= p < position], clause)  # 使用盐酸
                governing += [(p, w, position) for p, w in before]
                after = position + len(word)
                governing += [(p, w, p) for p, w in role_hits if after <= p <= after + 1]  # 液氨作原料
                start = after
        for position, word, target in sorted(set(governing)):
            between = clause[position + len(word) : target]  # 产品不属于危险化学品
            negated = (
                reader.negated_before(clause, position)
                or reader.other_party_before(clause, position)
                or reader.negated_before(between, len(between))
            )
            (denied if negated else affirmed).add(roles[word])
    return affirmed, denied - affirmed


def _read_activity(
    tax: Taxonomy,
    field: str,
    industries: list[str],
    only_groups: list[str],
    reader: DescriptionReader,
    notes: list[str],
) -> tuple[list[str], list[str]]:
    """Industries of one sector told apart by what the enterprise does (taxonomy activities): the industry field
    decides when it names the activity (化工（使用危险化学品）); else the description, when it states an activity
    other than the one a bare sector word (化工, 露天矿山) was read as, or rules that one out (不生产危险化学品)."""
    by_key = {i.key: i for i in tax.industries}
    field_reader = DescriptionReader(tax, field)
    for activity in tax.activities:
        members = set(activity.roles)
        current = [k for k in industries if k in members]
        others = [k for k in industries if k not in members and activity.sector in by_key[k].groups]
        if others or not (current or activity.sector in only_groups):
            continue  # not this sector, or named outright as one the activity does not decide (经营带储存, 运输)
        in_field, _ = _stated_roles(activity, field_reader, need_object=False)
        affirmed, denied = _stated_roles(activity, reader, need_object=True)
        chosen: list[str] = []
        if in_field:
            chosen = [k for k in activity.roles if k in in_field]
        elif affirmed and not affirmed & set(current):
            chosen = [k for k in activity.roles if k in affirmed]
        elif current and set(current) <= denied and activity.sector in tax.groups:
            chosen = []
            industries = [k for k in industries if k not in current]
            only_groups = list(
                dict.fromkeys([*only_groups, *(g for k in current for g in by_key[k].groups if g == activity.sector)])
            )
            notes.append(
                f"描述称不从事“{'、'.join(current)}”，也未写明所从事的活动：只列“{activity.sector}”共有的义务，"
                f"请在行业中写明（如 {'、'.join(activity.roles)}）"
            )
            continue
        if not chosen or set(chosen) == set(current) and activity.sector not in only_groups:
            continue
        industries = [*[k for k in industries if k not in members], *chosen]
        only_groups = [g for g in only_groups if g != activity.sector]
        notes[:] = [n for n in notes if not n.startswith(f"行业“{field}”")]  # superseded: how the field alone read
        notes.append(f"按所述活动，“{activity.sector}”行业识别为：{'、'.join(chosen)}")
    return industries, only_groups


def _read_conditions(tax: Taxonomy, text: str, industry_names: set[str], flags: set[str], notes: list[str]) -> None:
    """Add the conditions the text affirms (condition keywords), except for industries whose own words they are."""
    reader = DescriptionReader(tax, text)
    for condition in tax.conditions:
        if condition.key in flags or not condition.keywords or industry_names & set(condition.not_from_words_for):
            continue
        affirmed, denied, word = reader.holds(condition.keywords, ours=not condition.names_another_party)
        if affirmed:
            flags.add(condition.key)
            notes.append(f"据“{word}”：{condition.name}")
        elif denied:
            notes.append(f"“{word}”为否定说法：不按“{condition.name}”列入")


def _read_equipment(
    tax: Taxonomy, special_equipment: list[str] | None, reader: DescriptionReader, notes: list[str]
) -> set[str]:
    equipment: set[str] = set()
    unknown: list[str] = []
    for item in special_equipment or []:
        if item.strip():
            matched = match_equipment(tax, item)
            equipment.update(matched)
            if not matched:
                unknown.append(item)
    if unknown:
        notes.append(
            f"特种设备“{'、'.join(unknown)}”无法识别，未列入；可填写：{'、'.join(tax.equipment)}"
            f"（或常用说法，如 塔吊、叉车、储气罐）"
        )
    aliases = {alias: key for key, words in tax.equipment.items() for alias in [key, *words]}
    for clause in reader.clauses:  # every alias in every clause: one clause may list several devices
        for alias in sorted(aliases, key=len, reverse=True):
            position = clause.find(alias)
            if position >= 0 and aliases[alias] not in equipment and not reader.negated_before(clause, position):
                equipment.add(aliases[alias])
                notes.append(f"描述中“{alias}”：使用特种设备（{aliases[alias]}）")
    _, no_equipment, _ = reader.holds(tax.negation.no_equipment)
    if no_equipment and not special_equipment and equipment:
        notes.append("描述称没有特种设备，但也提到了设备名称；请核对特种设备一栏")
    return equipment


def _read_region(tax: Taxonomy, region: str | None, reader: DescriptionReader, notes: list[str]) -> list[str]:
    if region and region.strip():
        regions = match_region(tax, region)
        if not regions:
            notes.append(
                f"地区“{region}”不是可识别的省级或计划单列市名称，只列全国性义务（可填 北京、山东、宁波、深圳 等）"
            )
        return regions
    regions = region_in_description(tax, reader.clauses)
    if regions:
        notes.append(f"地区按描述取“{regions[0]}”")
    return regions


_DESCRIPTION = "情况描述"


def read_profile(
    pack: KnowledgePack,
    industry: str,
    employees: int | float | str | None,
    major_hazard: bool = False,
    special_equipment: list[str] | None = None,
    occupational_hazards: bool = False,
    labor_dispatch: bool = False,
    region: str | None = None,
    description: str = "",
) -> Profile:
    """The Profile the rules see: form fields first, then what the description adds or rules out.

    Nothing here raises for an unknown word: it is reported in Profile.notes and left out; a field over
    Settings.profile_max_chars, or no headcount in the field or the description, raises ProfileError."""
    limit = Settings().profile_max_chars
    fields = [
        ("行业", industry),
        ("所在地区", region),
        (_DESCRIPTION, description),
        *(("特种设备", item) for item in special_equipment or []),
    ]
    for name, value in fields:
        if isinstance(value, str) and len(value) > limit:
            raise ProfileError(
                f"“{name}”一栏过长（{len(value):,} 字，上限 {limit:,} 字）：请用几句话概括本单位的情况。"
            )
        # (a description may run over lines; no field holds another control character, which no one types and no
        # spreadsheet or Word file can hold)
        lines = name == _DESCRIPTION
        stray = next((c for c in value if escape_controls(c, keep_lines=lines) != c), "") if value else ""
        if stray:
            raise ProfileError(
                f"“{name}”一栏含有控制字符或文字方向控制符（{escape_controls(stray)}），没有生成清单："
                "可能是从别处复制时带入的，请删除后重新填写。"
            )
    if (  # a number, not a text (a paste of anything else); digits alone are refused by their count, without reading
        isinstance(employees, str) and len(employees) > 100 and not re.fullmatch(r"\s*[+-]?[0-9０-９]+\s*", employees)
    ):
        raise ProfileError(f"“从业人员”一栏过长（{len(employees):,} 字）：请只填写人数，如 120。")
    # written in traditional script (危險化學品生產, 寧波, 山東省), read as the register's simplified words
    industry, description = to_simplified(industry), to_simplified(description)
    region = to_simplified(region) if region else region
    special_equipment = [to_simplified(item) for item in special_equipment or []]
    tax = pack.taxonomy
    by_key = {i.key: i for i in tax.industries}
    notes: list[str] = []
    reader = DescriptionReader(tax, description)
    industries, only_groups = _read_industry(tax, industry, description, reader, notes)
    industries, only_groups = _read_activity(tax, industry, industries, only_groups, reader, notes)
    headcount = _read_headcount(employees, description, notes)
    flags = {
        key
        for key, value in {
            "major_hazard_source": major_hazard,
            "occupational_hazards": occupational_hazards,
            "labor_dispatch": labor_dispatch,
        }.items()
        if value
    }
    industry_names = set(industries) | set(only_groups) | {g for key in industries for g in by_key[key].groups}
    _read_conditions(tax, f"{industry}，{description}", industry_names, flags, notes)
    equipment = _read_equipment(tax, special_equipment, reader, notes)
    names = {c.key: c.name for c in tax.conditions}
    final: list[str] = []
    for key in industries:  # 危险化学品经营 with its own 仓库 is 危险化学品经营（带储存）
        condition, target = next(((c, to) for c, to in by_key[key].becomes.items() if c in flags), ("", key))
        if target != key:
            notes.append(f"“{key}”且{names[condition]}：按“{target}”列入")
        if target not in final:
            final.append(target)
    groups = {g for key in final for g in by_key[key].groups} | set(only_groups)
    return Profile(
        industries=set(final),
        groups=groups,
        employees=headcount,
        flags=flags,
        equipment=equipment,
        regions=set(_read_region(tax, region, reader, notes)),
        notes=notes,
    )
