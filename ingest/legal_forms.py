"""A document's legal form and place, as the law defines them (立法法, 规章制定程序条例).

The kind (法律, 行政法规, 部门规章, 地方性法规, 地方政府规章, 规范性文件, 司法解释, or a local plan or report)
follows from three things, never from the title's last character (…暂行办法 is no 法律):
  - the head noun of the title: its last form word (条例, 办法, 通知, 方案, 述职报告 …); a notice that issues
    another document (关于印发《…》的通知) takes the noun of what it issues;
  - who made it, read from the title and the lines above the first article: a 令 number (国务院令, 部令,
    人民政府令), the meeting that adopted it (全国人民代表大会常务委员会, a local 人大常委会, 政府常务会议),
    a court (最高人民法院), a document number without a 令 (青应急〔2024〕5号), an issuing bureau;
  - the level of its place: a district or county makes no 法规 or 规章, so its rules are 规范性文件.
The place reaches down to districts, counties, banners and development zones (青山区, 高新区), with the city
the title or an issuer line names before it (青山市青山区).

The words are authored in knowledge/legal_forms.yaml. The ingest reads that file itself (LegalForms.load),
so that ingest does not depend on the assistant's knowledge pack; pass a LegalForms to use another file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ingest.articles import LABEL
from ingest.cleaning import normalise_for_index, to_simplified
from ingest.encoding import marks_removed
from ingest.gazetteer import NameSet, default_gazetteer
from ingest.vocabulary import PackError, read_yaml

LAW, ADMINISTRATIVE, DEPARTMENTAL, LOCAL, LOCAL_GOVERNMENT, NORMATIVE, JUDICIAL = (
    "法律",
    "行政法规",
    "部门规章",
    "地方性法规",
    "地方政府规章",
    "规范性文件",
    "司法解释",
)
PLAN, SUMMARY, OTHER = "计划方案", "工作总结", "其他"
# Legal texts: they carry legal force and have versions (the newer of one title supersedes the older).
# a place left blank in a sample document (某省, 某市, XX市, ×× 县, ○○区)
_PLACEHOLDER = re.compile(r"某(?=[省市县区州盟旗镇乡])|(?:[XxＸｘ×]{1,3}|○{1,3})(?=[省市县区州盟旗镇乡])")
LEGAL_KINDS = (LAW, ADMINISTRATIVE, DEPARTMENTAL, LOCAL, LOCAL_GOVERNMENT, NORMATIVE, JUDICIAL)
# 上位法 (立法法): the kinds of text each kind must not contradict, wherever it binds. A 司法解释 applies the law and
# stands beside it; a 地方政府规章 is also below its own region's 地方性法规, which is a matter of region as well.
ABOVE = {
    ADMINISTRATIVE: (LAW,),
    LOCAL: (LAW, ADMINISTRATIVE),
    DEPARTMENTAL: (LAW, ADMINISTRATIVE),
    LOCAL_GOVERNMENT: (LAW, ADMINISTRATIVE),
    NORMATIVE: (LAW, ADMINISTRATIVE),
}
KINDS = (*LEGAL_KINDS, PLAN, SUMMARY, OTHER)
NATIONAL = "全国"
# a national, trade or local standard by its code (GB 30871, GB/T 33000, GBZ 2.1, AQ 3028, JGJ 59, TSG 08, DB37/T 1234):
# the texts the rules point to for technical requirements, named by code in questions and in model replies alike
STANDARD_CODE = r"(?<![A-Za-z])(?:GB|GBZ|AQ|JGJ|TSG|SY|HG|MT|WS|YJ|DB\s*\d{2})\s*(?:/\s*[TZ])?\s*\d{2,6}"

PROVINCES = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
_PROVINCE_SHORT = {re.sub(r"(省|市|(壮族|回族|维吾尔)?自治区|特别行政区)$", "", p): p for p in PROVINCES}
_PROVINCE_NAMES = sorted([*PROVINCES, *_PROVINCE_SHORT], key=len, reverse=True)
_PROVINCE = re.compile(f"^({'|'.join(_PROVINCE_NAMES)})")
_PROVINCE_ANYWHERE = re.compile(f"({'|'.join(_PROVINCE_NAMES)})")
# a word saying where a place follows (在宁波市, 位于苏州市)
_WHERE = re.compile(r"(?:在|位于|地处|来自)")
# before a name the table of divisions knows, also these (我们是宁波企业, 厂子属于余杭区, 落户昆山)
_WHERE_KNOWN = re.compile(r"(?:在|位于|地处|来自|是|属于|落户|驻|坐落于|设于)")
# a clause starts as a question does, with the place it is about (…在楼道里充电，杭州有没有规定罚多少)
_CLAUSE_START = re.compile(r"[，,；;？?！!。：:]")
_WITHOUT_LEVELS = re.compile("[省市区县]")  # a place's name as people shorten it (宁波市鄞州区 → 宁波鄞州)
_OWN_PLACE = tuple("本全该各这那我其")  # 本市, 全市, 我们市: the place of whoever asks, not one named
_SPECIAL_ZONE = re.compile(r"^(\S{2,4}经济特区)")
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,5}?(市|自治州|州|盟|地区))(?!场|政|民|区划)")
_NOT_A_CITY = ("中华人民共和国", "国务院", "最高")
_CHINA_BRACKET = re.compile(r"^中国[(（]([\u4e00-\u9fff]{2,8})[)）]")
_SQUASH = re.compile(r"[\s\u3000《》〈〉“”\"'「」『』]")
# a national rule on one class of accidents (国务院关于特大安全事故行政责任追究的规定 → 特大, 国务院关于预防煤矿生产
# 安全事故的特别规定 → 煤矿): the words qualifying 安全事故 in a 关于…的规定 title name what it governs
_ACCIDENT_RULE = re.compile(
    r"关于(?:预防|防范|防止|加强|进一步)*(?P<kind>[\u4e00-\u9fff]{2,8}?)(?:生产)?安全事故[^的]*的(?:特别)?规定$"
)
# a rule on handling one sector's accidents, by the sector its title starts with (铁路交通事故应急救援…, 电力安全事故
# 应急处置…, 核电厂核事故应急…); not one on their hazards (工贸企业重大事故隐患判定标准)
_SECTOR_ACCIDENTS = re.compile(r"(?P<kind>[\u4e00-\u9fff]{2,6}?)(?:交通|安全|核)?事故(?:应急|调查|处理|报告|救援|责任)")
_LEADING_DATE = re.compile(r"^[(（]?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*")
_DOCUMENT_NUMBER = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d+\s*号")
_TRAILING_BRACKET = re.compile(r"[(（【〔［\[][^()（）【】〔〕［］\[\]]{0,40}[)）】〕］\]]$")
# (and a version note without brackets: ——2025年修正, 2021修订版, 全文)
_TRAILING_PIECES = re.compile(
    r"(?:[\d一二三四五六七八九十]+篇|篇[\d一二三四五六七八九十]+|[\d一二三四五六七八九十]+则"
    r"|[—\-－~～_]*(?:\d{4}|[〇○零一二三四五六七八九]{4})年?(?:修订|修正|修改)(?:版|本|文本|稿)?|全文|正文)$"
)
_ISSUER_CODE = re.compile(r"^[\u4e00-\u9fff]{1,8}(?=[〔\[［【(（]\s*(?:19|20)\d{2})")  # 青应急 of 青应急〔2024〕47号
_DATE = (  # 2024年5月6日, 2024-05-06, 2024.5.6, 二〇二四年五月六日
    r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
    r"|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)"
)
_SEAL_OR_DATE = re.compile(rf"(?:[(（](?:印|章|盖章|公章|代章|代|签章)[)）]|{_DATE}(?:印发|发布)?)+$")
# after a place, a person from there (宁波人), not 宁波人民政府, 宁波人员, 北京人社局 or 浙江人大
_NATIVE = re.compile(r"人(?![民员社大])")
# the verb a waiver applies to, after an adverb (不需要单独设置, 无需另行报送)
_WAIVED_VERB = re.compile(r"(?:再|另行|单独|重复|专门|额外|一律|予)?([\u4e00-\u9fff]{2})")
_CLAUSE_END = re.compile(r"[，,。；;：:！!？?\n]")
_GREETING = re.compile(r"^(?:尊敬的|亲爱的)")  # 尊敬的各位企业家：
_SAYS = re.compile(rf"的|应当|可以|必须|负责(?!人)|{LABEL}")  # a clause, not a name
_LEGISLATURE_OR_GOVERNMENT = re.compile(r"(人民政府|人民代表大会常务委员会|人大常委会|人民代表大会)$")
_BUREAU_SUFFIXES = ("局", "委员会", "委", "办公室", "办公厅", "厅", "管委会", "中心", "署", "部")


def squash(text: str) -> str:
    """Simplified script, no spaces or title quotes, nor what shows nothing (marks_removed): the form titles and
    head lines are matched in."""
    return _SQUASH.sub("", to_simplified(marks_removed(text)))


def squash_lines(text: str) -> str:
    """squash, line by line (the lines kept)."""
    return "\n".join(squash(line) for line in text.split("\n"))


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class LegalForms:
    """knowledge/legal_forms.yaml: the words a document's legal form and place are read from."""

    nouns: dict[str, list[str]]
    noise_suffixes: list[str]
    wrapper_verbs: list[str]
    forwarding_verbs: list[str]
    general_laws: list[str]
    waivers: list[str]
    obligations: list[str]
    law_subject_suffixes: list[str]
    sector_rule_suffixes: list[str]
    general_accidents: list[str]
    field_words: list[str]
    field_laws: list[str]
    other_safety: list[str]
    subject_words: dict[str, list[str]]
    issuers: dict[str, list[str]]
    regions: dict[str, list[str]]
    abbreviations: dict[str, str]  # a province's one-character name: 沪 -> 上海市

    @classmethod
    def load(cls, path: Path | None = None) -> LegalForms:
        path = path or default_path()
        data = read_yaml(path) or {}  # a file missing or not YAML: PackError naming it, as any pack file
        try:
            return cls(
                nouns=data["nouns"],
                noise_suffixes=data["noise_suffixes"],
                wrapper_verbs=data["wrapper_verbs"],
                forwarding_verbs=data["forwarding_verbs"],
                general_laws=data["general_laws"],
                waivers=data["waivers"],
                obligations=data["obligations"],
                law_subject_suffixes=data["law_subject_suffixes"],
                sector_rule_suffixes=data["sector_rule_suffixes"],
                general_accidents=data["general_accidents"],
                field_words=data["field_words"],
                field_laws=data["field_laws"],
                other_safety=data["other_safety"],
                subject_words=data["subject_words"],
                issuers=data["issuers"],
                regions=data["regions"],
                abbreviations=data["abbreviations"],
            )
        except KeyError as exc:
            raise PackError(f"{path}：缺少 {exc.args[0]}") from None

    @cached_property
    def _patterns(self) -> _Patterns:
        return _Patterns(self)

    # --- the place --------------------------------------------------------------------------------
    def place(self, text: str) -> str:
        """The place a title (or an issuer line) starts with: 全国 when none. A district, county or zone
        keeps the city (or province) written before it: 青山市青山区."""
        p = self._patterns
        simple = squash(text)
        simple = _CHINA_BRACKET.sub(r"\1", simple)  # 中国（上海）自由贸易试验区 is 上海's
        zone = _SPECIAL_ZONE.match(simple)
        if zone:
            return zone.group(1)
        parent, rest = "", simple
        province = _PROVINCE.match(simple)
        if province:
            parent = _PROVINCE_SHORT.get(province.group(1), province.group(1))
            rest = simple[province.end() :]
        if not simple.startswith(_NOT_A_CITY):
            city = _CITY.match(rest)
            if city and (default_gazetteer().knows(city.group(1)) or not any(w in city.group(1) for w in p.not_cities)):
                parent, rest = city.group(1), rest[city.end() :]
        county = p.county(rest, bare=not parent)
        if county:
            return parent + county
        return parent or NATIONAL

    def without_other_names(self, text: str, names: frozenset[str] = frozenset()) -> str:
        """The text with each place name (a province's, a city's, or one of names) that is part of another name
        (山东路, 浙江大学, 深圳大学, 四川籍: name_parts) blanked out: it is not where the question asks about."""
        return self._patterns.other_names(names).sub("　", text)

    def places_named(self, text: str, names: frozenset[str] = frozenset()) -> list[str]:
        """Every place a question names: the place it starts with, a province named anywhere in it, and a city
        written after 在, 位于, 地处 or 来自 (我们厂在宁波市…). The table of divisions (ingest.gazetteer) adds the
        names people write without 市 (杭州的企业, 我们在宁波北仑), a district or county named anywhere by its
        full name (余杭区, 浦东新区) and a province's one-character name where it says where (在沪, 浙企); a
        "地区" it does not know (长三角地区) is no place. names: as without_other_names' (one pattern for both)."""
        simple = self.without_other_names(squash(text), names)
        table = default_gazetteer()
        # the place it starts with, as a title's
        found = [self.place(simple[m.end() :] if (m := _WHERE.match(simple)) else simple)]
        # after a word saying where, a city or province: a district or zone only with its city (在作业区 is none)
        found += [p for m in _WHERE.finditer(simple) if (p := self.place(simple[m.end() :])) in PROVINCES or "市" in p]
        found += [_PROVINCE_SHORT.get(m.group(1), m.group(1)) for m in _PROVINCE_ANYWHERE.finditer(simple)]
        starts = [0, *(m.end() for pattern in (_WHERE_KNOWN, _CLAUSE_START) for m in pattern.finditer(simple))]
        found += [p for at in starts if (p := self._known_place(simple[at:]))]
        # a district or county by its short name, where one alone has it (北仑的企业, 我们厂在萧山)
        lone, ends = self._patterns.lone_county, self._patterns.place_name_ends
        found += [table.lone_counties[name] for at in starts if (name := lone.match(simple, at, ends))]
        found += self._patterns.known_anywhere.findall(simple)
        short = self._patterns.abbreviated
        found += [self.abbreviations[m.group("after") or m.group("before")] for m in short.finditer(simple)]
        kept = [
            p
            for p in dict.fromkeys(found)
            if p != NATIONAL
            and not p.startswith(_OWN_PLACE)
            and not _WHERE.search(p)  # 厂子在湖州市 is read from the start, up to the city
            and (self.known(p) or not any(w in p for w in self._patterns.not_cities))  # 成都市 holds 都市
            and not (table and p.endswith("地区") and not table.knows(p))
        ]
        # a name read by its form that the table knows written in full (青岛黄岛区 as 青岛市黄岛区) is that place
        # (宁波鄞州区 and 宁波鄞州 too)
        in_full = {_WITHOUT_LEVELS.sub("", p): p for p in kept if self.known(p)}
        kept = [p for p in kept if in_full.get(_WITHOUT_LEVELS.sub("", p), p) == p or self.known(p)]
        return [p for p in kept if not any(p in other and p != other for other in kept)]  # 湖州市 in 湖州市长兴县

    def seat(self, place: str) -> str:
        """The division of the table an unknown place's name begins with (济南高新区, 青岛西海岸新区 → the city:
        a zone named after a city lies in it), or ""."""
        if self.known(place):
            return ""
        found = self._patterns.known_start.match(place)
        return default_gazetteer().full_name(found) if found else ""

    @staticmethod
    def known(place: str) -> bool:
        """Whether the table of divisions knows a place, alone or with the city written before it."""
        table = default_gazetteer()
        return table.knows(place) or bool(table.enclosing(place))

    def _known_place(self, text: str) -> str:
        """The division of the table text starts with, by its full or its short name, with a district or county of
        it written right after (宁波北仑 → 宁波市北仑区), or ""."""
        table = default_gazetteer()
        found = self._patterns.known_start.match(text)  # 杭州银行, 老板是宁波人: blanked (without_other_names)
        if not found:
            return ""
        place = table.full_name(found)
        district = table.in_city(place, text[len(found) :])
        if district:  # 青岛黄岛区, 深圳宝安区: a district of the city written right after its short name
            return place + district
        formed = self.place(text)
        if formed != NATIONAL and formed.startswith(found):
            return formed  # 深圳经济特区: its form says more than the table's name
        return place

    def region(self, title: str, head: str = "") -> str:
        """The document's place: the title's; a district or county named alone gets the city an issuer line
        writes before it (青山市青山区应急管理局); a title that names no place takes that of its issuer line,
        unless a national organ made it. An enterprise's document binds no place (浙江大华技术股份有限公司…规定: the
        place is part of its name)."""
        if self._patterns.made_by_enterprise(squash(title)):
            return NATIONAL
        found = self.place(title)
        lines = [_LEADING_DATE.sub("", squash(line)) for line in head.split("\n")]
        lines = [line for line in lines if line and len(line) <= 60 and "。" not in line and "，" not in line]
        if found == NATIONAL:  # 关于印发青山区…方案的通知: the place of what a notice issues
            wrapped = self._patterns.wrapper.match(squash(title))
            if wrapped:
                found = self.place(wrapped.group("inner"))
                if wrapped.group("verb") in self.forwarding_verbs:  # 关于转发江苏省…的通知: the forwarding organ's
                    found = self._issuer_place(lines) or found
        if found != NATIONAL:
            if level(found) == "county":
                for line in lines:
                    at = line.find(found)
                    if at > 0:
                        parent = self.place(line[: at + len(found)])
                        if parent.endswith(found) and parent != found:
                            return parent
            return found
        if self.national_title(title):
            return NATIONAL  # a local issuer line above 中华人民共和国安全生产法 does not make it a local text
        if self._patterns.national_issuer(f"{title}\n{head}"):
            return NATIONAL
        return self._issuer_place(lines) or NATIONAL

    def _issuer_place(self, lines: list[str]) -> str:
        """The place of the first organ line above the text that names one (青山市应急管理局), or ""."""
        for line in lines:
            if self._patterns.organ_line.search(line) and (place := self.place(line)) != NATIONAL:
                return place
        return ""

    def waived(self, rule: str) -> list[tuple[str, str]]:
        """(verb, what is waived) for each waiver in a rule's words: the verb it applies to and the words from that
        verb to the end of the clause (不需要设置安全生产管理机构，… → 设置, 设置安全生产管理机构)."""
        found: list[tuple[str, str]] = []
        for waiver in self.waivers:
            for at in re.finditer(re.escape(waiver), rule):
                if verb := _WAIVED_VERB.match(rule, at.end()):
                    end = _CLAUSE_END.search(rule, verb.start(1))
                    found.append((verb.group(1), rule[verb.start(1) : end.start() if end else len(rule)]))
        return found

    def waives(self, rule: str, law: str) -> bool:
        """Whether a rule's words waive what the law's words require: the verb a waiver applies to is in a sentence
        of the law that obliges (不需要设置 against 应当设置…; 暂不要求取得操作证 against 必须…取得相应资格; not
        免于存储抵押金 against 应当投保责任保险)."""
        obliging = [s for s in re.split(r"[。；;]", law) if any(o in s for o in self.obligations)]
        return any(verb in sentence for verb, _ in self.waived(rule) for sentence in obliging)

    def law_subject(self, title: str) -> str:
        """What a special law's title says it governs (中华人民共和国特种设备安全法 → 特种设备); "" for the field's
        general law (安全生产法), which governs every matter of the field."""
        name = squash(title).removeprefix("中华人民共和国")
        if name in self.general_laws:
            return ""
        suffix = next((s for s in self.law_subject_suffixes if name.endswith(s) and len(name) > len(s)), "")
        return name.removesuffix(suffix) if suffix else name

    def names_subject(self, subject: str, text: str) -> bool:
        """Whether a text (normalised) names a special law's or a sector rule's subject, by its name or by a word
        for what it covers (subject_words: 电梯 for 特种设备), not negated (非煤矿山); "" (the general law's) is
        named by any text."""
        return not subject or any(
            re.search(f"(?<!非){re.escape(word)}", text)  # 非煤矿山 names no 煤矿: it is every mine but one
            for word in self._subject_words.get(subject, (normalise_for_index(subject),))
        )

    @cached_property
    def _subject_words(self) -> dict[str, tuple[str, ...]]:
        """Each subject with its words, normalised once."""
        return {
            subject: tuple(normalise_for_index(w) for w in (subject, *words))
            for subject, words in self.subject_words.items()
        }

    def in_field(self, title: str) -> bool:
        """Whether a title is of the field's texts (field_words, field_laws): 消防法, 工伤保险条例, 刑法; not 法官法,
        nor a law on another field's 安全 (食品安全法, 数据安全法: other_safety)."""
        name = squash(title).removeprefix("中华人民共和国")
        for other in self.other_safety:
            name = name.replace(other, "")
        return name in self.field_laws or any(word in name for word in self.field_words)

    def sector(self, title: str) -> str:
        """The sector a national rule on one sector's safety governs, read from its title (煤矿安全生产条例 → 煤矿,
        民用爆炸物品安全管理条例 → 民用爆炸物品), the class of accidents a rule on them does (国务院关于特大安全事故
        行政责任追究的规定 → 特大), or the sector whose accidents a rule governs (铁路交通事故应急救援和调查处理条例 →
        铁路; not 生产安全事故报告和调查处理条例, on every work accident: general_accidents); "" for any other title
        (安全生产许可证条例, 工伤保险条例)."""
        name = squash(title).removeprefix("中华人民共和国")
        suffix = next((s for s in self.sector_rule_suffixes if name.endswith(s) and len(name) > len(s)), "")
        if suffix:
            return name.removesuffix(suffix)
        accidents = _ACCIDENT_RULE.search(name)
        if accidents:
            return accidents.group("kind")
        sector = _SECTOR_ACCIDENTS.match(name)
        return sector.group("kind") if sector and not any(w in name for w in self.general_accidents) else ""

    def subject(self, title: str, kind: str) -> str:
        """What a text governs when it governs one subject: a special law's (特种设备安全法 → 特种设备) or a sector
        rule's (煤矿安全生产条例 → 煤矿); "" for the general law and the rules of every matter (工伤保险条例)."""
        return self.law_subject(title) if kind == LAW else self.sector(title)

    def letterhead(self, line: str) -> bool:
        """Whether a line of a notice is its salutation (各区应急管理局，各有关企业：) or its signature
        (青山市应急管理局): whom it is sent to and who sends it, which state nothing."""
        simple = squash(line).rstrip("。")
        p = self._patterns
        if simple.startswith(("抄送", "主送", "抄报", "印送")) or _DOCUMENT_NUMBER.fullmatch(
            _ISSUER_CODE.sub("", simple)
        ):
            return True  # 抄送：市应急管理局; 青应急〔2024〕47号
        if p.margin.match(simple) or p.closing.fullmatch(simple):
            return True  # 附件：…, 联系人：…, （此件主动公开）; 特此通知, 以上通知，请遵照执行
        dated = _SEAL_OR_DATE.sub("", simple)  # 青山市应急管理局（印）2024年5月6日印发
        if not dated:
            return bool(simple)  # a date alone (二〇二四年五月六日, 2024-05-06)
        simple = dated
        if simple.endswith(("：", ":")):  # names only, each short and saying nothing (no 的, no 应当)
            parts = [_GREETING.sub("", part) for part in re.split(r"[，,、；;]", simple[:-1]) if part]
            return bool(parts) and all(
                p.addressed.search(part) and len(part) <= 16 and not _SAYS.search(part) for part in parts
            )
        return len(simple) <= 30 and not re.search(r"[，,。；;：:]", simple) and bool(p.signature.match(simple))

    def national_title(self, title: str) -> bool:
        """A title only a national organ gives a text: 中华人民共和国…, or a 法 (安全生产法) that names no place.
        Only the 全国人民代表大会 and its standing committee make 法律 (立法法); a local body's rules carry its
        place in their title (北京市安全生产条例). Such a title is national whatever issuer line stands above it."""
        simple = squash(title)
        if simple.startswith("中华人民共和国"):
            return True
        return self.place(title) == NATIONAL and self.head_noun(title) == "law"

    # --- the kind ---------------------------------------------------------------------------------
    def head_noun(self, title: str) -> str | None:
        """What the title's head noun makes the document: law, regulation, rules, decision, interpretation,
        normative, plan, summary, standard, reference (安全生产法释义, …学习读本), or None (no form word:
        …管理方法)."""
        return self._noun(self._trimmed(squash(title)))

    def _trimmed(self, simple: str) -> str:
        """The title without what trails its noun: brackets (（二）, （试行）, （应急管理部令第2号）), scraped
        page words (范文汇编六篇)."""
        p = self._patterns
        while True:
            before = simple
            simple = _TRAILING_BRACKET.sub("", simple)
            simple = _TRAILING_PIECES.sub("", simple)
            simple = p.noise.sub("", simple)
            if simple == before or not simple:
                return simple or before

    def issued_by_notice(self, title: str) -> bool:
        """关于印发《…办法》的通知: rules issued by a notice, not promulgated by a 令."""
        wrapped = self._patterns.wrapper.match(self._trimmed(squash(title)))
        return wrapped is not None and self._noun(self._trimmed(wrapped.group("inner"))) is not None

    def _noun(self, simple: str) -> str | None:
        p = self._patterns
        wrapped = p.wrapper.match(simple)
        if wrapped:
            inner = self._noun(self._trimmed(wrapped.group("inner")))
            if inner is not None:
                return inner
        found = None
        for match in p.noun.finditer(simple):
            category = p.noun_category[match.group(0)]
            if category == "law" and match.end() != len(simple):
                continue  # 法 decides only at the end: 安全生产法释义 is no law
            found = category
        return None if found == "none" else found

    def evidence(self, text: str) -> set[str]:
        """Who made the document, as the title and the lines above its first article say: the kinds those
        markers point to (several when the text names several organs), plus "number" for a document number
        without a 令 and "bureau" for an issuing bureau or office."""
        p = self._patterns
        simple = squash_lines(text)
        found = p.evidence(simple)
        # a district's or county's own 人大 or 政府 makes no 法规 or 规章 (a city's may make them for a district:
        # 上海市人民代表大会常务委员会 for 浦东新区)
        for kind, pattern in ((LOCAL, p.local_legislature), (LOCAL_GOVERNMENT, p.government_decree)):
            if kind in found:
                lines = [
                    _LEADING_DATE.sub("", line)
                    for line in simple.split("\n")
                    if pattern.search(line) or (kind == LOCAL and p.legislature_line.match(line))
                ]
                places = [self.place(line) for line in lines]
                if places and all(level(place) == "county" for place in places):
                    found.discard(kind)
        return found

    def placeholder_issuer(self, title: str, tail: str = "") -> str:
        """The issuer a notice names with a placeholder for its place (某省应急管理厅, XX市应急管理局: a sample, not a
        real organ's document), before its title's 关于 or signed at its end; "" for none."""
        p = self._patterns
        names = [p.title_issuer(squash(title))]
        names += [line for line in squash_lines(tail).split("\n") if len(line) <= 30 and p.organ_line.search(line)]
        return next((name for name in names if _PLACEHOLDER.search(name)), "")

    def classify(
        self, title: str, head: str = "", has_articles: bool = False, region: str | None = None, tail: str = ""
    ) -> tuple[str, bool]:
        """(kind, guessed): guessed when nothing but the title's noun and place decided between legal forms
        (a city's …办法 with no 令 or adopting meeting above its articles: 地方政府规章, to be checked). tail: the
        text's last lines, where a notice names its issuer when its title does not."""
        noun = self.head_noun(title)
        if noun == "plan":
            return PLAN, False
        if noun == "summary":
            return SUMMARY, False
        if noun == "reference":
            return OTHER, False  # it reprints or explains a text: the issuer lines it reprints are not its own
        region = region if region is not None else self.region(title, head)
        where = level(region)
        simple = squash(title)
        evidence = self.evidence(f"{title}\n{head}")
        p = self._patterns
        if "judicial_number" in evidence or (JUDICIAL in evidence and noun in ("interpretation", "rules", "decision")):
            return JUDICIAL, False
        if JUDICIAL in evidence and noun == "normative" and simple.endswith("批复"):
            return JUDICIAL, False
        legislated = evidence & {LAW, ADMINISTRATIVE, LOCAL, LOCAL_GOVERNMENT, DEPARTMENTAL}
        if noun != "law" and p.made_by_enterprise(simple) and not legislated:
            return OTHER, False  # an enterprise's own rules or notice: no legal form
        if noun == "normative":
            # a notice binds with its issuer's authority: one naming none (no organ in its title or above its text, no
            # document number, no place: 关于有限空间作业有关事项的通知) has none that can be told, and is no legal
            # basis until the user says whose it is (it became the answer to 有限空间作业要先通风吗 over the law); nor
            # has a sample's, whose issuer is a placeholder (某省应急管理厅, XX市应急管理局)
            if self.placeholder_issuer(title, tail):
                return OTHER, True
            if evidence or where != "national" or p.issuer_named(simple) or p.signed(tail):
                return NORMATIVE, False
            return OTHER, True
        if noun == "standard" or noun is None:
            # a technical standard or an enterprise's rules: no legal form; a text with articles whose title
            # names no form (…的安排) is what its issuer makes it
            if noun is None and p.courts.match(simple):
                return JUDICIAL, False  # 最高人民法院关于内地与香港特别行政区…的安排
            if has_articles:
                for kind in (JUDICIAL, LAW, ADMINISTRATIVE, LOCAL, LOCAL_GOVERNMENT, DEPARTMENTAL):
                    if kind in evidence and (noun is None or kind != JUDICIAL):
                        return (
                            NORMATIVE if where == "county" and kind not in (LOCAL, LOCAL_GOVERNMENT) else kind
                        ), False
            return OTHER, False
        # law, regulation, rules, decision, interpretation
        strong = evidence & {LAW, ADMINISTRATIVE, LOCAL_GOVERNMENT, DEPARTMENTAL, LOCAL}
        if where == "county":
            # a city's 人大 or 政府 may make rules for one of its districts (上海市浦东新区…规定); a district's own
            # documents and an autonomous county's 条例 aside, what a district or county issues is normative
            if LOCAL in evidence or (noun == "regulation" and "自治" in region):
                return LOCAL, False
            if LOCAL_GOVERNMENT in evidence and noun == "rules":
                return LOCAL_GOVERNMENT, False
            return NORMATIVE, False
        if self.issued_by_notice(title) and not strong:
            return NORMATIVE, False  # a 令 promulgates 规章; what a notice issues is a normative document
        if where == "national":
            if noun == "law":
                return LAW, False
            if (LAW in evidence and ADMINISTRATIVE not in evidence) or p.national_legislature_title(simple):
                return LAW, False  # adopted by 全国人民代表大会 or its 常务委员会 (中华人民共和国学位条例)
            if noun == "interpretation":
                return JUDICIAL, False
            if ADMINISTRATIVE in evidence or p.state_council_title(simple):
                return ADMINISTRATIVE, False
            if noun == "regulation":
                return ADMINISTRATIVE, False
            if DEPARTMENTAL in evidence:
                return DEPARTMENTAL, False
            if evidence & {"number", "bureau"} or noun == "decision":
                return NORMATIVE, False
            if "ministry" in evidence:
                return DEPARTMENTAL, False
            if LOCAL_GOVERNMENT in evidence:
                return LOCAL_GOVERNMENT, False
            if LOCAL in evidence:
                return LOCAL, False
            return DEPARTMENTAL, False  # a national 规定 or 办法 of no other issuer: a ministry's rules
        # a province, a city with districts, a special economic zone
        if LOCAL in evidence:
            return LOCAL, False
        if noun == "regulation":
            return LOCAL, False  # only a 人民代表大会 names its rules 条例
        if LOCAL_GOVERNMENT in evidence and noun == "rules":
            return LOCAL_GOVERNMENT, False
        if evidence & {"number", "bureau"} or noun in ("decision", "interpretation", "law"):
            return NORMATIVE, False
        if LOCAL_GOVERNMENT in evidence:
            return LOCAL_GOVERNMENT, False
        return LOCAL_GOVERNMENT, True


class _Patterns:
    """The regular expressions a LegalForms' words make, compiled once."""

    def __init__(self, forms: LegalForms):
        issuers, regions = forms.issuers, forms.regions
        self.noun_category = {w: category for category, words in forms.nouns.items() for w in words}
        self.noun = re.compile(_alternatives(list(self.noun_category)))
        self.noise = re.compile(f"(?:{_alternatives(forms.noise_suffixes)})+$")
        self.wrapper = re.compile(
            rf"^.*?关于(?P<verb>{_alternatives(forms.wrapper_verbs)})(?P<inner>.+?)的(?:通知|决定|公告|通告|命令)$"
        )
        adopted = _alternatives(issuers["adopted"])
        self.courts = re.compile(_alternatives(issuers["courts"]))
        # an enterprise named first, with no organ before it (not 青山市应急管理局关于青山化工有限公司…的通知)
        self.enterprise = re.compile(
            rf"^(?:(?!关于|{_alternatives(issuers['organs'])})[^《》，。：:]){{2,40}}?(?:{_alternatives(issuers['enterprises'])})"
        )
        self.judicial_number = re.compile(
            rf"(?:{_alternatives(issuers['judicial_numbers'])})\s*[〔\[［(（]\s*(?:19|20)\d{{2}}"
        )
        self.judicial_meeting = re.compile(rf"(?:{_alternatives(issuers['judicial_meetings'])}).{{0,20}}?(?:{adopted})")
        national = _alternatives(issuers["national_legislature"])
        self.national_legislature = re.compile(
            rf"(?:{national}).{{0,24}}?(?:{adopted})|第[一二三四五六七八九十\d]+届全国人民代表大会"
        )
        self._national_title = re.compile(rf"^(?:中华人民共和国)?(?:{national})")
        self.president = re.compile(_alternatives(issuers["president_decree"]))
        self.state_council_decree = re.compile(_alternatives(issuers["state_council_decree"]))
        council = _alternatives(issuers["state_council"])
        self.state_council_meeting = re.compile(rf"(?:{council})第?[\d一二三四五六七八九十百零〇]*次?常务会议")
        self._council_title = re.compile(
            rf"^(?:中华人民共和国)?(?:{council})(?!办公厅|安全生产委员会|安委会|.{{0,12}}办公室)"
        )
        government = _alternatives(issuers["local_government"])
        self.government_decree = re.compile(rf"(?:{government})令")
        self.government_meeting = re.compile(rf"(?:{government})第?[\d一二三四五六七八九十百零〇]*次?常务会议")
        departments = _alternatives(issuers["departments"])
        self.department_decree = re.compile(rf"(?<!国务院)(?<!政府)(?<!主席)(?:{departments})令")
        self.department_meeting = re.compile(_alternatives(issuers["department_meetings"]))
        # who issued a notice, named before its 关于 (国务院办公厅, 应急管理部, 青山区应急管理局)
        self.issuing_organ = re.compile(
            rf"(?:{_alternatives(issuers['organs'])}|{departments}|{_alternatives(issuers['state_council'])})$"
        )
        local = _alternatives(issuers["local_legislature"])
        self.local_legislature = re.compile(rf"(?<!全国)(?:{local}).{{0,30}}?(?:{adopted})")
        # a title or issuer line that starts with a local legislature (上海市人民代表大会常务委员会议事规则)
        self.legislature_line = re.compile(rf"^(?!全国|第|中华人民共和国)[\u4e00-\u9fff]{{2,12}}?(?:{local})")
        self.organ_line = re.compile(rf"(?:{_alternatives(issuers['organs'])})")
        self.addressed = re.compile(rf"(?:{_alternatives(issuers['addressed'])})[)）]?$")
        # an organ's name alone, with its place (青山市应急管理局, 青山市青山区人民政府办公室)
        self.signature = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,26}}(?:{_alternatives(issuers['organs'])})$")
        # a notice's margins: attachments, contacts, disclosure marks; and its closing formulas
        self.margin = re.compile(
            rf"^[(（]?(?:{_alternatives(issuers['margins'])})[\d一二三四五六七八九十]*[：:]|^[(（](?:此件|本件)[^()（）]{{0,12}}[)）]$"
        )
        closing = _alternatives(issuers["closings"])
        self.closing = re.compile(rf"(?:以上|上述)?(?:通知|意见)?[，,]?(?:{closing})(?:[，,](?:{closing}))*[。！!]?")
        self.issuer_before = re.compile(r"^(?P<issuer>[\u4e00-\u9fff、]{2,40}?)关于")
        self.county_suffixes = _alternatives(regions["county_suffixes"])
        # an autonomous county or banner has a long name (彭水苗族土家族自治县); other names are short (青山区)
        self._autonomous = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,10}?)(?P<suffix>自治县|自治旗)")
        self._county = re.compile(
            rf"^(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?P<suffix>{self.county_suffixes})(?![域划间别块级长])"
        )
        self._zone = re.compile(rf"^(?P<name>[\u4e00-\u9fff]{{2,6}}?)(?P<zone>{_alternatives(regions['zones'])})")
        self.not_in_names = re.compile(_alternatives(regions["not_in_names"]))
        self.not_cities = tuple(regions["not_cities"])
        self.name_parts = tuple(regions["name_parts"])
        self.brand_after = list(regions["brand_after"])
        self.brand_relations = list(regions["brand_relations"])
        self.generic_names = list(regions["generic_names"])
        self.brand_not_first = "".join(regions["brand_not_first"])
        self.origin_before = list(regions["origin_before"])
        self.people = list(regions["people"])
        self.natives = list(regions["natives"])
        # a province's one-character name (沪) where it says where: after 在, 驻… and before a word that ends the
        # name (在沪工作, 在京的企业), or before 企 or 上 (浙企, 沪上): 在京东 and 苏联 name no place
        short = "".join(forms.abbreviations)
        after = "".join(regions["abbreviated_after"])
        before = self.abbreviated_before = _alternatives(regions["abbreviated_before"])
        self.abbreviated = re.compile(
            rf"(?<=[{after}])(?P<after>[{short}])(?=$|[^\u4e00-\u9fff]|{before})|(?P<before>[{short}])(?=企|上(?:$|[^\u4e00-\u9fff]|企业))"
        )
        self._other_names: dict[frozenset[str], re.Pattern[str]] = {}  # see other_names
        self.zone_words = frozenset(regions["zones"])
        self._bare_zone = re.compile(rf"^(?:{_alternatives(regions['bare_zones'])})")
        self.not_places = sorted(regions["not_places"], key=len, reverse=True)

    def other_names(self, names: frozenset[str]) -> re.Pattern[str]:
        """A place name (a province's, a city's as the division table or 市 writes it, or one of names) before a name
        part or a person from there (LegalForms.without_other_names: 杭州银行, 宁波路, 老板是宁波人), compiled once for
        each set of names (a library's regions)."""
        if names not in self._other_names:
            table = default_gazetteer()
            known = {*_PROVINCE_NAMES, *table.short_names, *names}
            places = "|".join(map(re.escape, sorted(known, key=len, reverse=True)))
            parts = _alternatives(list(self.name_parts))
            # a company's or brand's name after it (浙江大华的供应商, 北京现代4S店): not generic words or a district
            own = rf"(?!{_alternatives([*self.generic_names, *table.county_short_names])}|[{self.brand_not_first}])"
            name = rf"{own}(?:(?!{_alternatives(self.generic_names)})[\u4e00-\u9fff]){{2,4}}[0-9a-zA-Z]{{0,3}}"
            brand = rf"{name}(?:{_alternatives(self.brand_after)}|的(?:{_alternatives(self.brand_relations)}))"
            origin = "|".join(f"(?<={re.escape(w)})" for w in self.origin_before)
            people = _alternatives(self.people)
            natives = _alternatives(self.natives)
            self._other_names[names] = re.compile(
                rf"(?:{origin or '(?!)'})(?:{places})"
                rf"|(?:{people})(?:大多|大都|多|都|主要|也)?(?:来自(?:{places})|是(?:{places})的(?![\u4e00-\u9fff]))"
                rf"|(?:{places}|[\u4e00-\u9fff]{{2,4}}市)(?=(?:{parts})|{_NATIVE.pattern}|来的|{natives}|{brand})"
            )
        return self._other_names[names]

    @cached_property
    def known_start(self) -> NameSet:
        """A division's full or short name at the start of a text, the longest."""
        table = default_gazetteer()
        return NameSet([*(n for n in table.names() if not n.startswith(_OWN_PLACE)), *table.short_names])

    @cached_property
    def lone_county(self) -> NameSet:
        """A district's or county's short name that one division alone has (Gazetteer.lone_counties)."""
        return NameSet(default_gazetteer().lone_counties)

    def place_name_ends(self, text: str, at: int) -> bool:
        """Whether a place's name may end at position at: before a word that ends it (北仑的, 萧山企业, 在鄞州。)."""
        return bool(self._place_name_ends.match(text, at))

    @cached_property
    def _place_name_ends(self) -> re.Pattern[str]:
        return re.compile(rf"$|[^\u4e00-\u9fff]|{self.abbreviated_before}")

    @cached_property
    def known_anywhere(self) -> NameSet:
        """A division's full name of three characters or more anywhere (余杭区, 浦东新区; not 城区 or 矿区)."""
        return NameSet(n for n in default_gazetteer().names() if len(n) >= 3 and not n.startswith(_OWN_PLACE))

    def county(self, rest: str, bare: bool) -> str:
        """The district, county, banner or zone rest starts with ("" when none); a bare 高新区 only when
        nothing was named before it."""
        zone = self._zone.match(rest)
        if zone and (self.not_in_names.search(zone.group("name")) or zone.group(0) in self.zone_words):
            zone = None  # 上海市经济技术开发区条例: the zones of a city, not one zone
        if zone and not any(zone.group(0).endswith(w) and len(w) > len(zone.group("zone")) for w in self.not_places):
            return zone.group(0)
        county = self._autonomous.match(rest) or self._county.match(rest)
        if county and self.not_in_names.search(county.group("name")):
            county = None
        if county and not any(county.group(0).endswith(w) for w in self.not_places):
            return county.group(0)
        if bare:
            zone = self._bare_zone.match(rest)
            if zone:
                return zone.group(0)
        return ""

    def made_by_enterprise(self, simple: str) -> bool:
        """Whether a title opens with an enterprise's name (青山化工有限公司…, 上海电气集团…): its maker."""
        return bool(self.enterprise.match(simple))

    def national_legislature_title(self, simple: str) -> bool:
        return bool(self._national_title.match(simple))

    def state_council_title(self, simple: str) -> bool:
        return bool(self._council_title.match(simple))

    def signed(self, tail: str) -> bool:
        """Whether a text's last lines hold an issuer's signature on a line (中共中央办公厅, 青山市应急管理局)."""
        return any(self.signature.match(line) for line in squash_lines(tail).split("\n"))

    def title_issuer(self, simple: str) -> str:
        """Who a (squashed) title says issued it, before its 关于 (国务院办公厅关于…, XX市应急管理局关于…), or ""."""
        return simple.split("关于", 1)[0] if "关于" in simple else ""

    def issuer_named(self, simple: str) -> bool:
        """Whether a (squashed) title names an organ as its issuer (国务院关于…, 应急管理部关于…的通知)."""
        return bool(self.issuing_organ.search(self.title_issuer(simple)))

    def national_issuer(self, text: str) -> bool:
        simple = squash_lines(text)
        return bool(
            self.courts.search(simple)
            or self.national_legislature.search(simple)
            or self.state_council_decree.search(simple)
            or self.state_council_meeting.search(simple)
            or self.president.search(simple)
            or self.department_decree.search(simple)
        )

    def evidence(self, simple: str) -> set[str]:
        found: set[str] = set()
        if self.judicial_number.search(simple):
            found.add("judicial_number")
        if self.courts.search(simple) or self.judicial_meeting.search(simple):
            found.add(JUDICIAL)
        if self.president.search(simple) or self.national_legislature.search(simple):
            found.add(LAW)
        if self.state_council_decree.search(simple) or self.state_council_meeting.search(simple):
            found.add(ADMINISTRATIVE)
        if self.government_decree.search(simple) or self.government_meeting.search(simple):
            found.add(LOCAL_GOVERNMENT)
        if self.department_decree.search(simple) or self.department_meeting.search(simple):
            found.add(DEPARTMENTAL)
        if self.local_legislature.search(simple) or any(self.legislature_line.match(ln) for ln in simple.split("\n")):
            found.add(LOCAL)
        decrees = found & {LAW, ADMINISTRATIVE, LOCAL_GOVERNMENT, DEPARTMENTAL}
        if _DOCUMENT_NUMBER.search(simple) and not decrees and "judicial_number" not in found:
            found.add("number")  # a document number and no 令: a normative document
        for line in simple.split("\n"):
            issuer = self.issuer_before.match(line)
            name = issuer.group("issuer") if issuer else (line if len(line) <= 30 else "")
            if not name or not name.endswith(_BUREAU_SUFFIXES) or _LEGISLATURE_OR_GOVERNMENT.search(name):
                continue
            if name.endswith(("部", "总局", "总署", "委员会")) and not _local_name(name):
                found.add("ministry")  # 应急管理部关于…的规定
            else:
                found.add("bureau")  # 青山区应急管理局, 国务院安委会办公室, 国务院办公厅
        return found


def _local_name(name: str) -> bool:
    return bool(_PROVINCE.match(name) or _CITY.match(name))


def level(region: str) -> str:
    """national, province, city (a city, prefecture or special economic zone) or county (a district, county,
    banner or development zone, which makes no 法规 or 规章)."""
    if not region or region == NATIONAL:
        return "national"
    if region in PROVINCES:
        return "province"
    if region.endswith("经济特区"):
        return "city"
    if region.endswith(("区", "县", "旗")) and not region.endswith(("地区", "自治区", "特别行政区")):
        return "county"
    return "city"


_PROJECT_KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"  # resolved once: every question reads it


def default_path() -> Path:
    """knowledge/legal_forms.yaml of the knowledge folder in use (ANQUAN_KNOWLEDGE_DIR, else the project's)."""
    folder = os.environ.get("ANQUAN_KNOWLEDGE_DIR")
    return (Path(folder) if folder else _PROJECT_KNOWLEDGE) / "legal_forms.yaml"


@lru_cache(maxsize=4)
def _load(path: Path) -> LegalForms:
    return LegalForms.load(path)


def default_forms() -> LegalForms:
    return _load(default_path())
