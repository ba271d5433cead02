"""Checking what a model wrote against the sources it was given (LLM answers and LLM drafts):

- citations: every written form ([1,2]、【3】、[^4]、（资料5）、[⑨]、【九十九】、¹²、（文献9）、[No.9]、见资料9, in any
  script's digits, through markup: [**6**]、^6^, a circled number closing a clause: …报告⑨。) is normalised to [n]; a
  number naming no source given is removed and reported (assistant.citations is the grammar); a range ([1-9]) is cut
  to the sources its words draw on (RANGE_KEEP), the others reported;
- quotes: every quotation, between any pair of quotation marks (QUOTE_PAIRS: “…”、「…」、｢…｣、『…』、〝…〞、«…»、
  '…' and "…", `…`, ❝…❞ and more) and every Markdown blockquote (> …), also one running over a line break (not over a
  blank line), must be verbatim in a source — the
  source cited in its sentence, any source when the sentence cites none; a sentence never ends inside a quotation.
  Compared with spaces removed, NFKC and traditional -> simplified on both sides; a quote shortened with …… must
  hold its pieces in order. Otherwise it is flagged;
- article mentions: 第二百零一条, 第二百零一條, 第贰佰零壹条, 第 2 0 1 条, 该法二百零一条, 《某法》第X条,
  第X条第Y款第Z项, lists and ranges (第二十四、二百零一条, 第二十四至三百条: each number, a range at its
  ends), Article 201(3), named in the text (read in simplified, half-width form) must be an article given (by
  number, and by title when one is named) that has the paragraph (款) and item (项) named, or be written in a
  source; otherwise it is flagged;
- which sentences are checked, and against what (_Basis): a sentence or table row that cites a source, against it;
  one that names an article or a law but cites none, against any source; and, in an answer (verify(uncited=True)),
  one with no marker at all, against the sources the reply cites elsewhere (and any source it restates more closely
  than those; every source when the reply cites none) — a wrong figure, bound, deadline, penalty or conclusion does
  not pass for being left without a marker (…应当设置安全生产管理机构[1]。一百二十人的企业不用设。);
- figures: every figure (a number with its unit: 三百人, 300人, 三百位, 三百余人, 2小时, 五万元, 百分之十, in
  either numeral script, assistant.llm.figures) in a sentence checked must be in the sources it rests on, or in the
  question; 一百人 is 100人; an approximate time (一个多小时, 个把小时) is not the exact limit it rounds. Figures are
  read as the reply renders (**三**百人, <b>3</b>00人 are 三百人). A figure inside a quotation checked word for
  word is checked with the quotation. Otherwise it is flagged. A proportion in words is a figure (一半, 二分之一,
  五成: 50%); a figure stated with a bound (二十万元以下, 超过一百人, 不得超过2小时) or a range (二万元以上五万元以下,
  60%至100%) must state a range of its sources, both ends and direction: 二十万元以下 is not the 二十万元 of
  十万元以上二十万元以下, 十五日以上 is not 十五日以下;
- dates: a calendar date (2024年6月1日, 二〇二四年六月一日) in a sentence checked must be in the sources it rests on,
  be the version date of their documents, or be in the question;
- what an article sets out, changed (_check_changes): a deadline word (DEADLINE_WORDS: 立即, 及时, 当日, 次日,
  稍后: 不必急于, 等一宿再, 先处置再报告) or
  a time figure where the cited article states a deadline of another class at the same place (及时向本单位负责人报告
  for 立即向…; 当日内向…报告 for 1小时内向…), or, placed nowhere alike, of a class none of the article's deadlines
  for the same action has (单位负责人接到报告后，隔天报告即可 for 立即 and 1小时内 reporting); a penalty kind
  (PENALTIES: 警告, 罚款, 吊销, 拘留, 处分 …) that the cited penalty articles do not provide (吊销营业执照 for
  责令停产停业整顿); in a near copy of a clause, a role (ROLES: 主要负责人, 安全生产管理人员, 单位负责人,
  安全生产监督管理部门 …) where the clause names another at the same place (whom the duty binds, who is reported
  to);
- what a clause binds: a sentence resting on a source that turns one of its clauses around is flagged — a near copy
  (NEAR_COPY) adding or dropping a negation, or putting a modal word of a conflicting class where the clause has one
  (MODALITY_WORDS: obligation 应当, prohibition 不得, permission 可以 / 鼓励 / 尽量, exemption 不必 / 无须 / 视情况;
  应当 -> 可以, 不得 -> 可以, 可以 -> 必须), adverbs and spaces beside it (并、也、就、单独) not counted; or a
  paraphrase binding the same duty the other way (并不需要单独设立… for 应当设置…; a verb alone binds what the same
  verb bound earlier in the sentence, opening or closing it: 应当设置…，实际上不用设置; “…立即…报告”，但实践中可以不
  报告; a quotation its clause goes on after is read with it), unless it is about a case outside the clause's
  threshold (一百人以下 for 超过一百人的) or states the clause's rule from its other side (没有取得资格的，不能上岗
  for 取得资格，方可上岗); and a near copy adding a qualifier the clause does not have (QUALIFIERS: 原则上不得,
  一般情况下应当, 除小微企业外) is flagged as narrowing it. A near copy saying a word's opposite (OPPOSITES: 兼职
  for 专职) turns it too; each item of a list of duties (负有下列职责：（一）…) binds as 应当 does; a modal word
  opening a condition (不能处理的及时报告) binds the condition only; and the reply is read in the law's words
  (wording: 监管部门 is 负有安全生产监督管理职责的部门) where the sources do not use its own;
- what a bound includes: a sentence saying in words whether a bound's number is included (超过一百人的（含一百人）,
  一百人及以上), or saying it by a bound word before the figure (不少于, 至少, 满, ≥ include it; 超过, 不足, 少于
  do not), must agree with the cited bound at that number (超过 excludes it, 以上/以下/以内 include it:
  _check_inclusions); 以上 / 以下 alone are the common reading and are not held to it;
- the order of steps: two steps a sentence puts in the other order than a cited article does (先检测、后通风 for
  先通风、再检测; 先进入再检测 for 检测合格后方可进入; an order the article forbids, 不得先施工后报批, is the other
  way round) are marked (_check_order);
- where a sentence came from: a sentence (or a piece, to ；) cited [n] that names only articles that are other
  sources, or that is a near copy of another source and not of the ones it cites, is marked (_check_provenance);
  one naming as its basis a law or a decree (根据《特种设备安全法》, 依照国务院第493号令: decree numbers and short
  names from the knowledge pack's document aliases) that the source it rests on is not, too (_check_named_sources);
- nothing cited at all is reported, so that the answer can say it cannot be checked.
The reply is cleaned first (assistant.llm.reply: control characters, reasoning blocks, images and links removed),
and a mark is never put inside an HTML tag.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from fractions import Fraction
from functools import lru_cache

from assistant.citations import (
    _EMPHASISED,  # the markup normalise_citations reads through ([**2-9**]): a range is found as it finds it
    CIRCLED_NUMERALS,
    CITE,
    ROMAN_NUMERALS,
    _unwrapped,
    citation_marks,
    cited_numbers,
    normalise_citations,
    numeral_value,
    short_citation,
    visible,
)
from assistant.llm import figures as figure_check
from assistant.llm.reply import IMAGE_REMOVED, LINK_REMOVED, clean_reply
from ingest.articles import LEADING_LABEL, holds_part, paragraph_items
from ingest.cleaning import clauses, to_simplified
from ingest.legal_forms import STANDARD_CODE, default_forms
from ingest.numerals import NUMERAL_CHARS, calendar_dates, int_to_cn
from ingest.store import StoredChunk

MISQUOTE_MARK = "（⚠未能在所引条文中逐字核对）"
UNKNOWN_ARTICLE_MARK = "（⚠所给资料中没有此条，请核实）"
UNKNOWN_STANDARD_MARK = "（⚠所给资料中没有此标准，请核实）"
FIGURE_MARK = "（⚠数字未能在所引条文中核对）"
DATE_MARK = "（⚠日期未能在所引条文中核对）"
CASE_MARK = "（⚠该数字在所引条文中属于另一种情形，请核实）"
NEGATION_MARK = "（⚠与所引条文的应当、不得、可以或肯定、否定不一致，请核实）"
QUALIFIER_MARK = "（⚠所引条文没有这一例外或限定，请核实）"
DEADLINE_MARK = "（⚠与所引条文规定的时限不一致，请核实）"
PENALTY_MARK = "（⚠所引条文没有规定这种处罚，请核实）"
ROLE_MARK = "（⚠与所引条文规定的人员或部门不一致，请核实）"
ORDER_MARK = "（⚠与所引条文规定的先后顺序不一致，请核实）"
INCLUSION_MARK = "（⚠是否包括本数与所引条文不一致，请核实）"
SOURCE_MARK = "（⚠这句话出自另一条资料，与所注编号不符，请核实）"
NAMED_SOURCE_MARK = "（⚠句中所称的法规与所依据的资料不符，请核实）"
# (opening, closing) quotation marks; a quotation is the text between a pair, on one line or running over line
# breaks but never over a blank line
QUOTE_PAIRS = [
    ("“", "”"),
    ("「", "」"),
    ("｢", "｣"),
    ("『", "』"),
    ("﹁", "﹂"),
    ("﹃", "﹄"),
    ("〝", "〞"),
    ("〝", "〟"),
    ("«", "»"),
    ("‹", "›"),
    ("„", "“"),
    ("„", "”"),
    ("‚", "‘"),
    ("‚", "’"),
    ("‘", "’"),
    ("‛", "’"),
    ("‟", "”"),
    ('"', '"'),
    ("＂", "＂"),
    ("＇", "＇"),
    ("〖", "〗"),
    ("❝", "❞"),
    ("❛", "❜"),
    ("🙶", "🙷"),
    ("`", "`"),
    ("”", "“"),  # typed the wrong way round (a pasted quotation); tried after every pair above
]
# a quotation between book-title marks (《…》, 〈…〉, a model's slip): read as one only when it holds what no title
# does, a clause's punctuation or a word binding a duty (《矿山单位应当向应急管理部门报告…》); 《安全生产法》 names a
# law
_BINDING = r"[，,；;：:。！？]|应当|必须|不得|无需|无须|不需要|不必|可以不"
_TITLE_QUOTE = rf"(?=[^{{close}}\n]*(?:{_BINDING}))[^{{open}}{{close}}\n]{{{{8,}}}}"
# a quotation between ASCII apostrophes ('有限空间作业可以不通风'), as a model writes one typed on a Western keyboard:
# one holding Chinese, the apostrophes not inside a Latin word (it's, the law's 'duty')
_SINGLE_QUOTE = r"(?<![A-Za-z0-9])'(?P<a0>(?=[^'\n]*[\u3400-\u9fff])[^'\n]+)'(?![A-Za-z])"
_QUOTE = re.compile(
    "|".join(
        [
            f"{re.escape(opening)}(?P<q{n}>(?:[^{re.escape(opening + closing)}\n]|\n(?![ \t\u3000]*\n))+)"
            f"{re.escape(closing)}"
            for n, (opening, closing) in enumerate(QUOTE_PAIRS)
        ]
        + [
            f"{opening}(?P<t{n}>{_TITLE_QUOTE.format(open=opening, close=closing)}){closing}"
            for n, (opening, closing) in enumerate((("《", "》"), ("〈", "〉")))
        ]
        + [_SINGLE_QUOTE]
    )
)
MIN_QUOTE = 4  # characters (letters and digits) a quotation must hold to be checked: “三同时” is a term, not a quote
# a sentence whose character pairs are at least this share of one clause of a source it rests on restates that
# clause (a near copy): a negation it adds or drops turns the law around (应当设置 -> 不需要设置). Chosen on the red
# team's replies, not on evaluation data: a paraphrase keeps well under half of the pairs
NEAR_COPY = 0.7
# How a provision binds, by class of words: a restatement that puts a word of one class where the source has a word
# of a conflicting class (应当 -> 可以 / 不必, 不得 -> 可以, 可以 -> 必须), or that drops a prohibition or an
# exemption, turns the law around. Read in canonical text (simplified, no spaces).
OBLIGATION = "obligation"
PROHIBITION = "prohibition"
PERMISSION = "permission"
EXEMPTION = "exemption"  # no obligation: 不需要, 无须, 免予
MODALITY_WORDS: dict[str, tuple[str, ...]] = {
    # (a double negative binds: 不能不设置 is 必须设置)
    OBLIGATION: (
        "应当", "应该", "应予", "理应", "必须", "务必", "必需", "须要", "需要", "一定要", "有义务", "不能不", "不得不",
        "不可不",
    ),
    PROHIBITION: (
        "不得", "禁止", "严禁", "不准", "不许", "不允许", "不应当", "不应该", "不应", "不能", "不可以", "不可",
        "不宜", "不要", "切勿", "请勿", "勿",
    ),
    # and the words that encourage or leave the manner to the unit (鼓励设置, 视情况设置)
    PERMISSION: (
        "可以", "允许", "准许", "有权", "方可", "能够", "鼓励", "提倡", "倡导", "建议",
        # a duty told as an effort (尽量不要上岗作业 for 不得上岗作业)
        "尽量", "尽可能",
    ),
    EXEMPTION: (
        "不需要", "不需", "不必", "不用", "不须", "无需", "无须", "毋须", "毋需", "勿需", "勿须", "毋庸", "免予",
        "免于", "可以不予", "可不予", "可以不", "可不", "不一定", "未必", "没有必要", "没必要", "不是必须", "并非必须",
        "非必须", "不强制", "暂缓", "不是强制", "非强制", "并非强制", "免设",
        # whether to do it at all is the unit's choice (自愿设置, 由企业自行决定, 可有可无, 不是硬性要求, 是可选的)
        "自愿", "自行决定", "自主决定", "可有可无", "不是硬性", "非硬性", "并非硬性", "无强制", "没有强制", "不作强制",
        "不属于强制", "选择性", "可选的", "可选项", "属于可选",
        # a duty told as advice (安排专人监护只是建议, 是建议性的): no duty at all
        "只是建议", "仅是建议", "仅为建议", "只是倡导", "只是提倡", "建议性", "倡导性",
        # a step that may be left out, or left to circumstances (先通风这一步可以省略, 通风检测视情况而定)
        "可以省略", "可省略", "可以省去", "可省去", "可以跳过", "可跳过", "可以免除", "可免除", "视情况而定",
        "看情况而定", "不是前提", "并非前提", "非必要", "不必要",
        # a duty hedged, waived or said to be lifted (不一定要先通风, 用不着监护, 大可不必, 不作硬性要求, 仅为倡导,
        # 是推荐做法, 不再要求先通风)
        "不一定要", "未必要", "用不着", "犯不着", "大可不必", "不作硬性", "没有硬性", "并无硬性", "仅为倡导",
        "仅是倡导", "仅为提倡", "推荐做法", "不再要求", "不再强制", "不再需要", "不再必须",
        # whether to do it left to circumstances (视情况报告, 酌情设置)
        "视情况", "视需要", "酌情",
        # the law said to ask nothing of it, or to exempt it (法律不要求立即报告, 对配备人员不做要求, 豁免配备)
        "不要求", "不做要求", "不作要求", "没有要求", "豁免",
        # … or to have asked nothing of it, in other words (法律未要求生产经营单位参加工伤保险, 并未强制, 不是法定义务)
        "未要求", "没要求", "未作要求", "未做要求", "未强制", "未作强制", "未规定必须", "没有规定必须", "不是法定义务",
        "并非法定义务", "不属于法定义务", "没有法定义务", "不是义务", "并非义务", "不属于义务",
        # a duty told as encouragement or left to the unit's means (属于鼓励性规定, 企业量力而行)
        "鼓励性", "提倡性", "引导性", "自愿性", "量力而行",
    ),
}  # fmt: skip
# 应, 须, 需, 可 and 能 on their own bind too (应设置, 须经, 可设置, 也能试制), but not inside a word: 应急, 相应,
# 须知, 需求, 可燃, 许可, 能力, 可能, 技能
_SINGLE_MODALS = (
    # 可设可不设, 可配可不配, and choosing whether (自行选择是否设置, 决定是否配备): the choice is the unit's
    (EXEMPTION, r"可(?P<either>[\u4e00-\u9fff]{1,2})可不(?P=either)|(?:自主|自行)?(?:选择|决定)是否"),
    (OBLIGATION, r"(?<![相响供对适反回感答顺呼照效报])应(?![急用对答变聘届征收付缴力激声邀试考运时验酬接])"),
    (OBLIGATION, r"须(?![知臾])"),
    (OBLIGATION, r"(?<![所急军按])需(?![求])"),
    (PERMISSION, r"(?<![许认宁即])可(?![能燃靠行视疑见爆控塑逆信观否是惜怕贵谓溶吸乐口笑持])"),
    (PERMISSION, r"(?<![可功职技节性动热电核体智本效势潜产机赋])能(?![力源量耗效级手否])"),
)
# adverbs that may stand beside a modal word without changing it: 并不需要, 也可以, 就不必, 均应当, 不需要单独设置
MODAL_FILLERS = (
    "并", "就", "也", "都", "均", "还", "亦", "则", "仍", "便", "才", "再", "另行", "单独", "专门", "另外", "额外",
    "一律", "一概", "同样",
)  # fmt: skip
# Words of opposite sense a near copy may swap and so turn its clause around (应当配备专职… -> 配备兼职…即可;
# 以书面形式 -> 口头): each pair, either way
OPPOSITES = (("专职", "兼职"), ("书面", "口头"), ("如实", "虚假"), ("停止", "继续"))
# Qualifiers that make an unconditional provision a default with exceptions (原则上不得, 一般情况下应当, 除小微企业外):
# a near copy that adds one the clause does not have narrows the duty or the prohibition
QUALIFIERS = (
    "原则上", "一般情况下", "一般而言", "一般来说", "通常情况下", "通常", "特殊情况下", "特殊情况除外", "确有困难",
    "条件允许", "如有必要", "视具体情况",
    # an emergency made an exception the clause does not have (但紧急情况下可以不通风)
    "紧急情况下", "紧急情况时", "情况紧急时", "情况紧急的", "紧急时", "特殊情况时", "特殊时期",
)  # fmt: skip
_QUALIFIER = re.compile(
    "|".join(map(re.escape, QUALIFIERS)) + r"|除[^，。；,;：:]{1,30}?以?外|(?<=[，,；;但])[^，。；,;：:]{1,20}?除外"
)
# plain negation (不, 未, 无, 非, 没有), but not inside a word (无论, 不管, 不仅, 不断, 非常, 未来): a near copy
# that adds or drops one turns the law around. The prohibitions and exemptions come first (不得, 不需要: read as
# one word), and are compared by class (_modality_turned)
# (nor the 不 and 未 of a bound before a figure: 不超过一百人, 不低于, 不足, 未满 — a threshold, checked as a figure's
# bound, not a negation)
_BOUND_NEGATED = r"(?:超过|低于|高于|多于|大于|小于|足|到|满|达到)[ \t]*[\d零〇一二两三四五六七八九十百千万半]"
_PLAIN_NEGATION = (
    r"没有",
    rf"不(?![论管仅但久断少同过]|{_BOUND_NEGATED})",
    rf"未(?!来|{_BOUND_NEGATED})",
    r"无(?!论)",
    r"非(?!常)",
)
_DOUBLE_NEGATIVES = [word for word in MODALITY_WORDS[OBLIGATION] if word.startswith("不")]  # one word, not two
_NEGATION = re.compile(
    "|".join(
        [
            re.escape(word)
            for word in sorted(
                {*MODALITY_WORDS[PROHIBITION], *MODALITY_WORDS[EXEMPTION], *_DOUBLE_NEGATIVES}, key=len, reverse=True
            )
        ]
        + list(_PLAIN_NEGATION)
    )
)
_MODAL_CLASS = {word: kind for kind, words in MODALITY_WORDS.items() for word in words}
_FILLER = "|".join(sorted(MODAL_FILLERS, key=len, reverse=True))
_MODAL_WORD = "|".join(
    [re.escape(word) for word in sorted(_MODAL_CLASS, key=len, reverse=True)]
    + [f"(?P<single{n}>{pattern})" for n, (_, pattern) in enumerate(_SINGLE_MODALS)]
)
# a modal word with the adverbs around it (并不需要单独): one run, read as its word
_MODAL_RUN = re.compile(rf"(?:{_FILLER})*(?P<word>{_MODAL_WORD})(?:{_FILLER})*")
# what a modal word binds (its predicate) ends at a clause's punctuation
_PREDICATE_END = re.compile(r"[，,。；;：:！!？?（）()|｜—]")
_PREDICATE_ENDS = re.compile(_PREDICATE_END.pattern + "+")  # a run of them (——, ）：) ends one clause
# a predicate this short (a verb alone: 不用设置, 也不必配备) repeats the verb of an earlier one in its sentence and
# binds what that one binds
_ELLIPTICAL = 3
# what may follow a modal word that closes its clause (不是强制性的, 并非必须的, 不必了, 不是硬性要求)
_CLOSING = re.compile(r"性?的?(?:要求|规定|义务|事项)?[了呢啊吧]?")
# what may stand between the duty and a modal word closing its clause: a copula or the one who decides (设置机构是
# 自愿的, 设置机构属于可选的, 设置机构由企业自行决定)
_COPULA = re.compile(r"(?:是|属于|为|由[\u4e00-\u9fff]{1,6})$")
# a word naming the duty as a step, after it (先通风这一步可以省略, 先检测这个环节可以跳过): no part of what is bound
_STEP = re.compile(r"(?:这|此|该)?(?:一|个|道|项)?(?:步|步骤|环节|工序|程序|要求)$")
# a clause holding only words pointing back to the duty before it (不过这不是硬性要求, 但这一点并非必须)
_POINTER = re.compile(
    r"(?:但是?|不过|其实|实际上|事实上|当然|然而|只是)?(?:这|此|这一点|这点|这条|这一条|这个|这项|该项|上述)?"
    r"(?:要求|规定|义务)?(?:是|属于|为)?"
)
# a proviso (…，但是…的除外; …，但…) ends what a modal word binds: its words are the exception, not the duty
_PROVISO = re.compile(r"[，,]但")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# the words opening a clause that joins it to the one before (…，但视情况可以不报告; …，并且不必登记)
_LINKING = re.compile(r"^(?:但是|但|不过|而且|而|却|也|并且|并|就|则|那么|否则|所以|因此)")
_PREDICATE = 12  # characters of a reply's predicate compared (设立安全生产管理机构) with a source's whole predicate
# a prohibition under a negated condition (未经批准，不得动火; 没有取得资格的，不能上岗) and a permission without
# one (经批准后可以动火; 取得资格，方可上岗) state one rule from its two sides (contraposition): neither contradicts
# the other. A permission under the negated condition (未经批准也可以动火) does
_NEGATED_CONDITION = re.compile(r"未|没有|非经|不具备|不符合|除[^，,。；;]*外")
_MIN_NEAR_COPY = 8  # characters of a clause compared as a near copy
# an aside on whether a bound's number is included (（不含一百人）, 含本数): about the bound (_check_inclusions), not
# a negation of the duty
_INCLUSION_ASIDE = re.compile(
    r"[（(][ \t]*不?(?:含|包含|包括)[^（）()\n]{0,12}[)）]|[，,]?[ \t]*不?(?:含|包含|包括)本数"
)
LATER = "稍后"
# Deadlines in words, by class: a deadline word (or a time figure: 1小时内) where the cited article states one of
# another class at the same place (the same words after it: 立即向本单位… / 及时向本单位…) changes the deadline
DEADLINE_WORDS: dict[str, tuple[str, ...]] = {
    "立即": ("立即", "立刻", "马上", "即刻", "当即", "随即", "第一时间"),
    "及时": ("及时", "尽快", "尽早", "迅速", "从速"),
    "当日": ("当日", "当天"),
    # the next day (次日报告即可, 隔天报告, 可以等一宿再报告, 过一夜再报告): a day's delay where an article says 立即
    # or 1小时内
    "次日": (
        "次日", "隔天", "隔日", "翌日", "第二天", "第二日", "明天", "明日", "明早", "明晚", "次晨", "翌晨", "隔夜",
        "过夜", "天亮",
    ),
    # no hurry (不必急于报告, 不用马上报告, 稍后报告, 事后补报): a delay of no set length
    LATER: (
        "不必急于", "不急于", "不用急于", "无需急于", "无须急于", "不必急着", "不用急着", "不急着", "不着急",
        "不必着急", "不用着急", "不用急", "不必急", "不必马上", "不用马上", "无需马上", "无须马上", "不必立即",
        "不用立即", "无需立即", "无须立即", "不必立刻", "不用立刻", "不必第一时间", "不用第一时间", "不必及时",
        "稍后", "晚些时候", "晚点", "事后补报", "择时", "择日", "有空时", "方便时",
        # after the fact, some day (应当在事后再向本单位负责人报告, 回头再报告, 改天报告)
        "事后", "过后", "回头", "改天", "日后", "往后",
    ),
}  # fmt: skip
_DEADLINE_CLASS = {word: kind for kind, words in DEADLINE_WORDS.items() for word in words}
# nights (一宿, 一夜, 两晚, 一个晚上: the next day at the earliest, 次日) and a duty put off until something else is
# done (先处置再报告, 等处理完再报告, 待…后再上报: LATER), besides the words
_NIGHTS = r"(?<![当今昨前])[一两二三四五六七八九十几]个?(?:宿|夜(?!间)|晚上|晚(?![期会餐饭报]))"
_PUT_OFF = (
    r"(?:先|等到|等|待)[^，,。；;：:\n]{1,15}?(?:后|完|之后|以后|结束)?再"
    r"(?=[^，,。；;\n]{0,40}?(?:报告|上报|报送|通知|报))"
)
_DEADLINE_WORD = re.compile(
    "|".join(sorted(_DEADLINE_CLASS, key=len, reverse=True)) + f"|(?P<nights>{_NIGHTS})|(?P<put_off>{_PUT_OFF})"
)
_TIME_UNITS = {"分钟", "日", "工作日", "月", "年"}  # base units of a time figure that states a deadline (1小时内)
_DEADLINE_TAIL = re.compile(r"(?:以内|之内|内)?")  # what may end a deadline before the words it is aligned by
_DEADLINE_PIECE = re.compile(r"[。;；\n]")  # a deadline's context (what it is for, whom it binds) ends here
_DEADLINE_SEGMENT = re.compile(r"[，,：:。;；\n]")  # … and what it is for (its action: 向…报告) here
_PIECE_END = re.compile(r"[;；]")  # a sentence's pieces (each may cite its own source)
# Penalties, by kind (the pattern naming it): one that a sentence citing a penalty article names must be in the
# articles it cites (吊销营业执照 for 责令停产停业整顿; 警告处分 for 降级、撤职的处分); 警告标志 is no penalty
PENALTIES: dict[str, str] = {
    "警告": r"警告(?![标牌信灯装语])",
    "通报批评": r"通报批评",
    "罚款": r"罚款",
    "没收": r"没收",
    "责令停产停业": r"停产停业|停业整顿|停产整顿",
    "暂扣": r"暂扣",
    "吊销": r"吊销",
    "关闭": r"予以关闭|责令关闭|取缔",
    "拘留": r"拘留",
    "记过": r"记过",
    "记大过": r"记大过",
    "降级": r"降级",
    "撤职": r"撤职",
    "开除": r"开除",
    "处分": r"处分",
}
_PENALTY = {kind: re.compile(pattern) for kind, pattern in PENALTIES.items()}
# a penalty denied (不罚款, 不会被罚, 可以不罚款, 免予处罚, 不予处罚): where the cited penalty article provides one and
# states no such exemption, the law is turned around (a penalty article binds with 处…, no modal word to compare)
_PENALTY_DENIED = re.compile(
    r"(?:不予|免予|免于|不会被?|不用|不必|无需|无须|可以不|可不|没有|不)(?:被|给予|予以|处以|处|受)?(?:罚款|处罚|罚|处分)"
)
# Roles, by class (the nouns naming one): in a near copy of a clause (compared with its roles left out), a role where
# the clause names one of another class (主要负责人 -> 安全生产管理人员; 向本单位负责人报告 -> 向安全生产监督管理部门
# 报告) changes whom the duty binds or who is reported to
ROLES: dict[str, tuple[str, ...]] = {
    "主要负责人": ("主要负责人",),
    "其他负责人": ("其他负责人",),
    "单位负责人": ("本单位负责人", "单位负责人"),
    "安全生产管理人员": ("安全生产管理人员",),
    "安全生产管理机构": ("安全生产管理机构",),
    "从业人员": ("从业人员",),
    "有关人员": ("有关人员",),
    "特种作业人员": ("特种作业人员",),
    "主管人员": ("直接负责的主管人员",),
    "直接责任人员": ("直接责任人员",),
    "注册安全工程师": ("注册安全工程师",),
    "监督管理部门": ("安全生产监督管理部门", "应急管理部门"),
    "有关部门": ("有关部门",),
    "人民政府": ("人民政府",),
    "公安机关": ("公安机关",),
    "工会": ("工会",),
}
_ROLE_CLASS = {noun: kind for kind, nouns in ROLES.items() for noun in nouns}
_ROLE = re.compile("|".join(sorted(_ROLE_CLASS, key=len, reverse=True)))
_ROLE_SLOT = "◇"  # where a role stood in a text with its roles left out
_SEGMENT_END = re.compile(r"[，,；;：:。！？!?\n]")  # a clause's pieces, as roles are compared
_ELLIPSIS = re.compile(r"…+|\.{3,}|⋯+")
_QUOTE_MARKS = "".join(dict.fromkeys("".join(o + c for o, c in QUOTE_PAIRS) + "'"))
_NOISE = re.compile(rf"[\s\u200b-\u200f\ufeff*_`{re.escape(_QUOTE_MARKS)}]+")
_SENTENCE_END = re.compile(r"[。；！？\n]")
_NUM = rf"[{NUMERAL_CHARS}\d]+"
# a numeral as a model may write it in an article number: 二百零一, 贰佰零壹, 2 0 1 (spaced), ⑳, ⅩⅩⅩ
_ARTICLE_DIGITS = f"{NUMERAL_CHARS}{CIRCLED_NUMERALS}{ROMAN_NUMERALS}"
_SPACED_NUM = rf"[{_ARTICLE_DIGITS}\d](?:[ \t\u3000]*[{_ARTICLE_DIGITS}\d])*"
# (each number of a list may carry its own 条: 第二十四条、二十五条, 第九十七条至一百零一条; a range mark doubled:
# 第九——十二条)
_LIST_SEP = r"[ \t\u3000]*条?[ \t\u3000]*(?:[、，,和及与或至到~～–-]|—{1,2}|以及)[ \t\u3000]*(?:第[ \t\u3000]*)?"
_NUMS = rf"(?P<nums>{_SPACED_NUM}(?:{_LIST_SEP}{_SPACED_NUM})*)"
# 第X款第Y项, or the item by its own label in brackets (第二十四条（三）, 第九条第二款（一）)
_DETAIL = (
    rf"(?:\s*第?\s*(?P<paragraph>{_NUM})\s*款)?"
    rf"(?:\s*第\s*[（(]?\s*(?P<item>{_NUM})\s*[)）]?\s*项|[（(]\s*(?P<label_item>[{NUMERAL_CHARS}]+)\s*[)）])?"
)
# 之一, or a list of them: 第二十四条之一、之二
_SUBS = rf"之(?P<subs>{_NUM}(?:[ \t\u3000]*(?:[、，,和及与或]|以及)[ \t\u3000]*之{_NUM})*)"
# words ending in 法 that name no law (方法三条措施, 依法两条): no article number follows them
_NOT_LAWS = {w for w in default_forms().nouns["none"] if w.endswith("法")} | {"依法", "合法", "违法", "非法"}
_NOT_A_LAW = "".join(f"(?<!{re.escape(word)})" for word in sorted(_NOT_LAWS))
# 《title》第X条(之Y)(第Y款)(第(Z)项), a list or a range (第二十四、二十五条, 第二十四至三十条), or the
# number without 第 after a law's name (该法二百零一条, 安全生产法二百零一条, 《安全生产法》二十四条); matched in the
# folded text (simplified, half-width: 第貳佰零壹條 is 第贰佰零壹条)
_MENTION = re.compile(
    rf"(?:《(?P<title>[^《》\n]{{1,60}})》\s*)?"
    rf"(?P<label>(?:第\s*|(?:(?<=》)|(?<=法){_NOT_A_LAW}|(?<=条例))[ \t\u3000]*){_NUMS}"
    rf"\s*条(?:{_SUBS})?{_DETAIL}"
    # or a number without 第 whose paragraph is named (二十四条第三款, 24条3款): an article, not a count of them
    rf"|(?<![{_ARTICLE_DIGITS}\d第])(?P<bare>{_SPACED_NUM})\s*条\s*第?\s*(?P<bare_paragraph>{_NUM})\s*款"
    rf"(?:\s*第?\s*[（(]?\s*(?P<bare_item>{_NUM})\s*[)）]?\s*项)?)"
)
# Article 24, Articles 24 and 25, Art. 24(2), Article 201 of the … Law, paragraph 3; § 60, §§ 24-25 (a section sign
# for an article: 依据该条例§60 named an article no source has and passed unmarked)
_ENGLISH_MENTION = re.compile(
    r"(?<![A-Za-z])(?:Art(?:icles?|s?\.|(?=\s*\d))|§§?)\s*(?P<nums>\d+(?:\s*(?:,|and|or|to|-|–)\s*\d+)*)(?:\s*\((?P<paragraph>\d+)\))?"
    r"(?:[^.;。；\n]{0,60}?(?<![A-Za-z])(?:paragraph|para\.|§)\s*(?P<paragraph2>\d+))?"
    r"(?:[^.;。；\n]{0,30}?(?<![A-Za-z])item\s*\(?(?P<item>\d+))?",
    re.IGNORECASE,
)
# a sentence that says it gives the law's own words (原文如下：…, 法条原文是 **…**) is a quotation of what follows,
# marked or not, to the end of its sentence (以原文为准 defers to them, 原文（链接已移除） gives none)
_CLAIMED_ORIGINAL = re.compile(
    r"(?:原文|原话|原句)(?:(?:如下|是|为(?!准)|写道)[：:]?|[：:])[\s*_]*(?P<claimed>[^\n。！？!?]+)"
)
# a Markdown blockquote (> …, over consecutive lines) is a quotation: its lines without the > marks
_BLOCKQUOTE = re.compile(r"^[ \t]*>.*(?:\n[ \t]*>.*)*", re.MULTILINE)
_BLOCKQUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]*)+(?:[-*+][ \t]+)?", re.MULTILINE)
_QUOTED_TITLE = re.compile(r"^《[^《》\n]{1,60}》\s*")
_NATIONAL = "中华人民共和国"
# where a figure's sentence ends (a table row is a line); citations right after the full stop belong to it
_CLAIM_END = re.compile(r"[。！？!?]|\n")
_TRAILING_CITES = re.compile(r"[ \t]*(?:\[\d+\][ \t]*)+")
_HTML_TAG = re.compile(r"<[A-Za-z/!?\u4e00-\u9fff][^<>\n]*>")
# emphasis as a figure is read through it: Markdown **, __, *, _, ~~ and `, inline HTML formatting (clean_reply
# leaves these tags without attributes)
_EMPHASIS = re.compile(
    r"\*+|_+|~~|`+|</?(?:b|strong|em|i|u|s|del|ins|mark|small|span|sup|sub|code|big|tt)>", re.IGNORECASE
)


def canonical(text: str) -> str:
    """Text as quotes are compared: NFKC, simplified, no spaces, quotation marks or Markdown emphasis."""
    return _NOISE.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


def _substance(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _verbatim(quote: str, source: str) -> bool:
    """The quote is in the source; a quote shortened with …… has its pieces there in order."""
    pieces = [canonical(p) for p in _ELLIPSIS.split(quote)]
    position = 0
    for piece in (p for p in pieces if p):
        found = source.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _title_key(title: str) -> str:
    return canonical(title).removeprefix(_NATIONAL)


def _titles_match(named: str, title: str) -> bool:
    """《安全生产法》 names 中华人民共和国安全生产法; a short name (《危化品条例》) names the title whose characters it
    takes in order (危险化学品安全管理条例)."""
    named, title = _title_key(named), _title_key(title)
    if not named or not title:
        return False
    if named in title or title in named:
        return True
    position = 0
    for char in named:
        position = title.find(char, position) + 1
        if position == 0:
            return False
    return len(named) >= 3 and named[-1] == title[-1]


@dataclass
class Verification:
    # citation numbers that pointed at no provided source, and marks no source can have as written ([1.5])
    removed: list[int | str] = field(default_factory=list)
    misquotes: list[str] = field(default_factory=list)  # quoted phrases not verbatim in their source
    unknown_articles: list[str] = field(default_factory=list)  # articles named that no source given is or states
    unknown_standards: list[str] = field(default_factory=list)  # standards named (GB 30871-2022) no source names
    uncited: bool = False  # the text cites no source at all
    figures: list[str] = field(default_factory=list)  # figures (三百人) not in the sources their sentence rests on
    dates: list[str] = field(default_factory=list)  # dates (2025年6月1日) not in the sources their sentence rests on
    # figures the cited article states for another case than the one the sentence names (发生较大事故的，处…百分之四十:
    # 百分之四十 is the article's fine for 一般事故, 较大事故's is 百分之六十)
    cases: list[str] = field(default_factory=list)
    # sentences turning a clause around: a negation added or dropped, 应当 / 不得 / 可以 / 不必 changed
    negations: list[str] = field(default_factory=list)
    # sentences restating a clause with a qualifier it does not have (原则上, 除…外) and those qualifiers
    qualified: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)  # deadline words changed (及时 for 立即, 当日 for 1小时内)
    penalties: list[str] = field(default_factory=list)  # penalties named that the cited penalty articles do not have
    roles: list[str] = field(default_factory=list)  # roles changed in a near copy (安全生产管理人员 for 主要负责人)
    # steps put in another order than the cited article's (先检测、后通风 where it says 先通风、再检测)
    orders: list[str] = field(default_factory=list)
    # bounds whose number the text says is included where the cited article's bound excludes it, or the other way
    # (超过一百人的（含一百人）)
    inclusions: list[str] = field(default_factory=list)
    # sentences cited [n] that come from another source (a near copy of it, or naming its article): (n, that one)
    miscited: list[tuple[int, str]] = field(default_factory=list)
    # sentences naming as their basis a law or a decree (根据《特种设备安全法》, 依照国务院第493号令) that the source
    # they rest on is not: (n, the name as written, that source)
    misnamed: list[tuple[int, str, str]] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # sentences in another language, no check can read
    # sources a citation range named ([1-9]) that its sentence draws nothing from: cut from it
    unrelated: list[int] = field(default_factory=list)
    images_removed: int = 0  # images (Markdown or HTML) taken out of the reply
    links_removed: int = 0  # link addresses taken out of the reply (the link text is kept)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in ROMAN_NUMERALS:  # Ⅻ stays a numeral (NFKC would make it the letters XII, or Ⅹ the letter X)
        return char
    folded = to_simplified(unicodedata.normalize("NFKC", char))
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    """Simplified, half-width text of the same length (one character for one), so that positions carry over; a
    letter O written for a zero inside a number (3O万元, 二O万元) is the zero."""
    folded = "".join(_fold_char(char) for char in text)
    if "O" in folded or "o" in folded:
        folded = _LETTER_ZERO.sub(lambda m: ("0" if m.group(1).isdigit() else "〇") * len(m.group(2)), folded)
    if "ニ" in folded or "ー" in folded:
        folded = _KANA_NUMERAL.sub(lambda m: "".join(_KANA_NUMERALS[c] for c in m.group(0)), folded)
    if " " in folded:  # a number spaced out (3 00人, 三 百 人) is the number: its spaces go after it
        folded = _SPACED_NUMBER.sub(lambda m: m.group(0).replace(" ", "") + " " * m.group(0).count(" "), folded)
    return folded


_NUMERAL_CHARS = "\\d〇零一二三四五六七八九两十百千万亿"
_SPACED_NUMBER = re.compile(f"[{_NUMERAL_CHARS}]+(?: +[{_NUMERAL_CHARS}]+)+")


# a katakana look-alike of a numeral (ニ for 二, ー for 一) before a magnitude or unit, or after a numeral (超过ニ百人,
# ー百人以上): the numeral it passes for
_KANA_NUMERALS = {"ニ": "二", "ー": "一"}
_KANA_NUMERAL = re.compile(
    r"[ニー]+(?=[\d〇零一二三四五六七八九两十百千万亿元人名日天年月个次])|(?<=[\d〇零一二三四五六七八九两十百千万])[ニー]"
)
# a letter O between the digits of a number, or after them before its magnitude or unit (3O万元, 1OO人, 二O万元)
_LETTER_ZERO = re.compile(r"(?<=([\d一二三四五六七八九]))([Oo]+)(?=[\d〇零一二三四五六七八九十百千万亿元%人名])")


def _numeral(text: str | None) -> int | None:
    try:
        return numeral_value(text) if text else None
    except ValueError:
        return None


def _holds(parts: list[StoredChunk], paragraph: int | None, item: int | None) -> bool:
    """The article (its parts given, in order) has the paragraph and the item named."""
    if paragraph is None and item is None:
        return True
    if not any(chunk.part == 1 for chunk in parts):
        return False  # the paragraphs cannot be counted from a later part alone
    ordered = sorted(parts, key=lambda chunk: chunk.part)
    return holds_part(paragraph_items("\n".join(chunk.text for chunk in ordered)), paragraph, item)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    title: str | None
    label: str  # as written (folded)
    numbers: tuple[int, ...]  # each article named: the numbers of a list, the two ends of a range
    subs: tuple[int, ...]  # 之一 (1), 之一、之二 (1, 2); (0,) for none
    paragraph: int | None
    item: int | None


def _listed(nums: str) -> tuple[int, ...]:
    """The article numbers of 二十四、二百零一 or 二十四至三百 (a range is checked at its two ends)."""
    numbers = [_numeral(n) for n in re.split(_LIST_SEP, nums)]
    return tuple(dict.fromkeys(n for n in numbers if n is not None))


def _subs(subs: str | None) -> tuple[int, ...]:
    """The 之X numbers of 之一 or 之一、之二; (0,) for an article without one."""
    return tuple(dict.fromkeys(_numeral(n) or 0 for n in re.findall(_NUM, subs))) if subs else (0,)


def _mentions(text: str) -> list[_Mention]:
    """The articles text names, in Chinese (in any script, numeral system and spacing) or in English."""
    found = [
        _Mention(
            m.start(),
            m.end(),
            m.group("title"),
            m.group("label"),
            _listed(m.group("nums") or m.group("bare")),
            _subs(m.group("subs")),
            _numeral(m.group("paragraph") or m.group("bare_paragraph")),
            _numeral(m.group("item") or m.group("label_item") or m.group("bare_item")),
        )
        for m in _MENTION.finditer(_fold(text))
    ]
    for m in _ENGLISH_MENTION.finditer(text):
        numbers = tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", m.group("nums"))))
        found.append(
            _Mention(
                m.start(),
                m.end(),
                None,
                "",
                numbers,
                (0,),
                _numeral(m.group("paragraph") or m.group("paragraph2")),
                _numeral(m.group("item")),
            )
        )
    return found


def _article_given(
    mention: _Mention, number: int, sub: int, chunks: list[StoredChunk], canon_sources: list[str]
) -> bool:
    """An article a mention names (第number条之sub) is an article given that has the paragraph and item named, or
    is written in a source."""
    title, paragraph, item = mention.title, mention.paragraph, mention.item
    articles: dict[str, list[StoredChunk]] = {}
    for chunk in chunks:
        if (
            number is not None
            and chunk.unit == "article"
            and chunk.article_num == number
            and chunk.article_sub == sub
            and (title is None or _titles_match(title, chunk.title or chunk.doc_id))
        ):
            articles.setdefault(chunk.doc_id or chunk.title, []).append(chunk)
    if any(_holds(parts, paragraph, item) for parts in articles.values()):
        return True
    detail = (f"第{int_to_cn(paragraph)}款" if paragraph and paragraph < 10000 else "") + (
        f"第{int_to_cn(item)}项" if item and item < 10000 else ""
    )
    zhi = f"之{int_to_cn(sub)}" if 0 < sub < 10000 else ""
    written = canonical(f"第{int_to_cn(number)}条{zhi}{detail}") if 0 < number < 10000 and (zhi or not sub) else ""
    labels = {written, canonical(mention.label)} - {""}
    return any(
        any(
            (f"{canonical(title)}》{label}" if title else label) in source
            or (title and label in source and _title_key(title) in source)
            for label in labels
        )
        for source in canon_sources
    )


def _sentence_starts(text: str, quotes: list[re.Match]) -> list[int]:
    """Where each sentence starts: after 。；！？ or a line break, never inside a quotation."""
    starts = [0]
    for end in (match.end() for match in _SENTENCE_END.finditer(text)):
        if not any(quote.start() < end < quote.end() for quote in quotes):
            starts.append(end)
    return starts


def _claims(text: str, quotes: list[re.Match]) -> list[tuple[int, int]]:
    """The spans a figure is checked in: sentences ending at 。！？ or a line (a table row), never inside a
    quotation; a citation right after the full stop (……设置。[1]) belongs to the sentence before it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAIM_END.finditer(text):
        end = match.end()
        if end <= start or any(quote.start() < end < quote.end() for quote in quotes):
            continue
        if match.group() != "\n":
            trailing = _TRAILING_CITES.match(text, end)
            end = trailing.end() if trailing else end
        spans.append((start, end))
        start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# of the sources a citation range names ([1-9]), a sentence is cited to those holding at least this share of its
# character pairs that the one holding most holds (a majority of the best, not fitted): a range names sources by
# their place in the list, and the 依据 of an answer lists only what its sentences were drawn from
RANGE_KEEP = 0.5


def _ranges_narrowed(text: str, chunks: list[StoredChunk], ranges: list[tuple[int, int]], report: Verification) -> str:
    """The text with each citation range (its [n][m]… span) cut to the sources its sentence draws on (RANGE_KEEP);
    the numbers cut are reported (Verification.unrelated). A range whose sentence holds nothing of any source it
    names is left whole: the other checks mark that sentence."""
    if not ranges:
        return text
    claims = _claims(text, list(_QUOTE.finditer(text)))
    source_pairs = [_text_pairs(chunk.text) for chunk in chunks]
    for start, end in reversed(ranges):
        claim_start = next((a for a, b in claims if a <= start < b), 0)
        # the words it closes: its sentence since the citation before it (…报告[1]；…设置机构[1-2]。)
        opening = max((m.end() for m in CITE.finditer(text, claim_start, start)), default=claim_start)
        pairs = _text_pairs(text[opening:start])
        numbers = [int(n) for n in CITE.findall(text[start:end])]
        held = {n: len(pairs & source_pairs[n - 1]) for n in numbers}
        best = max(held.values(), default=0)
        if not best:
            continue
        kept = [n for n in numbers if held[n] >= RANGE_KEEP * best]
        report.unrelated += [n for n in numbers if n not in kept and n not in report.unrelated]
        text = text[:start] + "".join(f"[{n}]" for n in kept) + text[end:]
    return text


def _ranges_past_sources(text: str, count: int) -> tuple[str, list[int | str]]:
    """The text without each citation range that reaches past the sources given ([2–9], [2-9], 【2至9】 of six): a
    range names sources by their place in a list, and one naming places the list does not have was not written
    for it — the sources it does name are no basis of the sentence, as a number naming no source ([99]) is none.
    Returns the text (read as normalise_citations reads it: visible, markup around a number read through) and the
    ranges removed, as written."""
    text = _EMPHASISED.sub(_unwrapped, visible(text))
    past = [m for m in citation_marks(text) if m.ranged and any(not 1 <= n <= count for n in m.numbers)]
    for mark in reversed(past):
        text = text[: mark.start] + text[mark.end :]
    return text, list(dict.fromkeys(mark.written for mark in past))


def _attributed(claim: str) -> bool:
    """A sentence rests on the sources when it cites one, names an article or names a law (《…》)."""
    return bool(CITE.search(claim)) or "《" in claim or bool(_mentions(claim))


def _text_pairs(text: str) -> set[str]:
    """The character pairs of a text as its sources are compared (canonical, letters and digits only)."""
    return _pairs(_NOT_TEXT.sub("", canonical(_fold(CITE.sub("", text)))))


class _Basis:
    """The sources (0-based) each sentence of a reply rests on: those its markers name; every source when it names
    an article or a law but cites none; and, when a sentence with neither is checked too (uncited: an answer's
    reply), the sources the reply cites elsewhere — with any source given that the sentence is closer to than to
    every cited one (a correct sentence restating a source the reply does not cite), or every source when the reply
    cites none. A sentence with neither, when those are not checked (uncited False), rests on none (None)."""

    def __init__(self, text: str, chunks: list[StoredChunk], uncited: bool):
        self.count = len(chunks)
        self.uncited = uncited
        self.cited = sorted(n - 1 for n in cited_numbers(text) if 1 <= n <= len(chunks))
        self._source_pairs: list[set[str]] | None = None
        self._chunks = chunks

    def source_pairs(self) -> list[set[str]]:
        if self._source_pairs is None:
            self._source_pairs = [_pairs(_NOT_TEXT.sub("", canonical(_fold(c.text)))) for c in self._chunks]
        return self._source_pairs

    def of(self, claim: str) -> list[int] | None:
        marked = [n - 1 for n in cited_numbers(claim)]
        if marked:
            return marked
        if _attributed(claim):
            return list(range(self.count))
        if not self.uncited:
            return None
        return self.unmarked(claim)

    def unmarked(self, claim: str) -> list[int]:
        """The sources a sentence without a marker is checked against (see the class)."""
        if not self.cited:
            return list(range(self.count))
        pairs = _text_pairs(claim)
        if not pairs:
            return list(self.cited)
        shares = [len(pairs & p) / len(pairs) for p in self.source_pairs()]
        best = max(shares[n] for n in self.cited)
        return sorted({*self.cited, *(n for n in range(self.count) if shares[n] > best)})

    def near(self, claim: str) -> list[int]:
        """The sources a sentence without a marker is a near copy of (NEAR_COPY of its character pairs)."""
        pairs = _text_pairs(claim)
        if len(pairs) < _PROVENANCE_MIN:
            return []
        return [n for n, p in enumerate(self.source_pairs()) if len(pairs & p) >= NEAR_COPY * len(pairs)]


def _mark_place(text: str, position: int) -> int:
    """Where a mark for a position goes: past the HTML tag it falls in, before the run of backticks (a code fence's
    closing ```) it falls in (a mark inside either breaks it: the code block never closed, and the rest of the answer
    showed as code), and before the line break that ends its line (after it the mark opened the next line, and a
    list item after it was no longer one)."""
    for tag in _HTML_TAG.finditer(text, max(0, position - 2000), position + 2000):
        if tag.start() < position < tag.end():
            return tag.end()
    while 0 < position < len(text) and text[position - 1] == text[position] == "`":
        position -= 1
    while position > 0 and text[position - 1] == "\n":
        position -= 1
    return position


def verify(
    text: str,
    chunks: list[StoredChunk],
    question: str = "",
    uncited: bool = False,
    aliases: dict[str, list[str]] | None = None,
    given: str = "",
    days: tuple[date, date] | None = None,
    wording: dict[str, str] | None = None,
) -> tuple[str, Verification, list[int]]:
    """Clean (assistant.llm.reply), normalise and check a model's text against its numbered sources (1-based, in
    order); a figure the question states is taken as given. given: a text the model was asked to restate (a draft's
    outline, already checked): its figures, dates, standards and quotations are taken as given too, as the
    question's are; it states no case (the question's thresholds, _check_negations). days: the first and last day of
    a plan's period: a date within it is the plan's own schedule (6月30日前上报总结), no date of the law. Returns the
    text (citations as [n], unverifiable ones removed, misquotes, unknown articles and unknown figures marked), what
    was found, and the source numbers the text cites. uncited: a sentence with no marker is checked too (_Basis: an
    answer's reply, where every sentence is a claim, and a draft's, where one is unless the outline given says it);
    aliases: what documents are called besides their titles (knowledge/document_aliases.yaml: 493号令), for the law
    a sentence names as its basis; wording: everyday words -> the law's terms (knowledge/lexicon.yaml), a sentence
    read in the law's words where it is compared with what the sources bind (无需向监管部门报告 against 应当及时向
    负有安全生产监督管理职责的部门…报告)."""
    report = Verification()
    stated = f"{question}\n{given}" if given else question  # what the model was told: its figures are no claims
    ranges: list[tuple[int, int]] = []
    text, forged = _ranges_past_sources(clean_reply(text), len(chunks))
    text, report.removed = normalise_citations(text, set(range(1, len(chunks) + 1)), ranges)
    report.removed = [*forged, *report.removed]
    text = _ranges_narrowed(text, chunks, ranges, report)
    report.images_removed, report.links_removed = text.count(IMAGE_REMOVED), text.count(LINK_REMOVED)
    canon_sources = [canonical(c.text) for c in chunks]
    # a quotation of the outline's own words (a slogan: “谁主管、谁负责”) is the outline's; not the question's: a user's
    # words are not the law's for being quoted back
    canon_told = canonical(_fold(given))
    quotes = list(_QUOTE.finditer(text))
    starts = _sentence_starts(text, quotes)

    def sentence_of(position: int) -> str:
        index = bisect_right(starts, position) - 1
        return text[starts[index] : starts[index + 1] if index + 1 < len(starts) else len(text)]

    marks: list[tuple[int, str]] = []  # (position, mark) to insert
    # quotations checked word for word: the figures in them are checked with them (a short one, “三同时”, is a
    # term, not checked: a figure in it is checked as any other)
    checked: list[tuple[int, int]] = []

    def check_quotation(quote: str, start: int, end: int, citing: str) -> None:
        """A quotation held to the sources its citing text cites (all when none), or the outline (given)."""
        if _substance(quote) < MIN_QUOTE:
            return
        checked.append((start, end))
        pool = [canon_sources[n - 1] for n in cited_numbers(citing)] or canon_sources
        if not any(_verbatim(quote, source) for source in [*pool, canon_told]):
            report.misquotes.append(quote)
            marks.append((end, MISQUOTE_MARK))

    for match in quotes:
        quote = re.sub(r"\s*\n\s*", "", CITE.sub("", next(g for g in match.groups() if g is not None)))
        check_quotation(quote, match.start(), match.end(), sentence_of(match.start()))
    for block in _BLOCKQUOTE.finditer(text):
        if any(block.start() <= quote.start() < block.end() for quote in quotes):
            continue  # the quotations inside it are checked as such
        quote = _BLOCKQUOTE_MARKS.sub("", CITE.sub("", block.group())).strip()
        quote = LEADING_LABEL.sub("", _QUOTED_TITLE.sub("", quote)).rstrip("。；;，,：:！!？? \t")
        check_quotation(quote, block.start(), block.end(), block.group())
    for claimed in _CLAIMED_ORIGINAL.finditer(text):
        if any(start <= claimed.start("claimed") < end for start, end in checked):
            continue  # a quotation after it is checked as such
        quote = CITE.sub("", claimed.group("claimed")).strip(" *_\t")
        check_quotation(quote, claimed.start("claimed"), claimed.end(), sentence_of(claimed.start()))
    for mention in _mentions(text):
        if not all(
            _article_given(mention, number, sub, chunks, canon_sources)
            for number in mention.numbers
            for sub in mention.subs
        ):
            report.unknown_articles.append(text[mention.start : mention.end].strip())
            marks.append((mention.end, UNKNOWN_ARTICLE_MARK))
    for standard in _STANDARD.finditer(text):
        code = _standard_key(standard.group("code"))
        if code not in _standard_key(stated) and not any(code in _standard_key(source) for source in canon_sources):
            report.unknown_standards.append(standard.group().strip())
            marks.append((standard.end(), UNKNOWN_STANDARD_MARK))
    basis = _Basis(text, chunks, uncited)
    marks += _check_figures(text, chunks, canon_sources, stated, quotes, checked, report, basis)
    marks += _check_dates(text, chunks, stated, quotes, checked, report, basis, days)
    marks += _check_negations(
        text, chunks, quotes, checked, report, basis, question, _LegalWording.of({**SHORTENED_TERMS, **(wording or {})})
    )
    marks += _check_changes(text, chunks, quotes, checked, report, {p for p, m in marks if m == FIGURE_MARK}, basis)
    marks += _check_inclusions(text, chunks, quotes, checked, report, basis)
    marks += _check_order(text, chunks, quotes, checked, report, basis)
    provenance = _check_provenance(text, chunks, quotes, checked, report)
    marks += provenance
    known = _AliasNames.of(aliases or {})
    marks += _check_named_sources(text, chunks, quotes, checked, report, basis, known, provenance)
    marks += _check_language(text, report)
    for position, mark in sorted(((_mark_place(text, p), m) for p, m in marks), reverse=True):
        text = text[:position] + mark + text[position:]
    used = sorted(cited_numbers(text))
    report.uncited = not used
    return text, report, used


# its sentences are checked against Chinese provisions word by word, which a reply in another language escapes
KANA_SHARE = 0.15
LATIN_SHARE = 0.5


def written_in_chinese(text: str) -> bool:
    """Whether a reply is written in Chinese (a few Latin letters, GB 30871 or PPE, are part of Chinese text)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    kana = sum(1 for ch in letters if "\u3040" <= ch <= "\u30ff")
    latin = sum(1 for ch in letters if ch.isascii())
    return kana < KANA_SHARE * len(letters) and latin < LATIN_SHARE * len(letters)


FOREIGN_MARK = "（⚠这句话不是中文，无法与所引条文核对，请以条文原文为准）"
# a sentence mostly of another script: Latin words (Ventilation is not required…) or Japanese kana
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_KANA = re.compile(r"[\u3040-\u30ff]")
_BRACKETED = re.compile(r"[（(][^（）()\n]*[)）]")
_FOREIGN_LETTERS = 12  # letters (of Latin words) or kana a sentence holds at least to be read as not Chinese


def _check_language(text: str, report: Verification) -> list[tuple[int, str]]:
    """The marks for the sentences written in another language than Chinese, with more of its letters than Chinese
    characters: every check reads Chinese words (应当, 不需要, 三百人, 第二十四条), and such a sentence passed them all
    unread (Ventilation is not required before entering a confined space[1]). A law's English name or a term in
    brackets beside Chinese is not such a sentence; a reply not written in Chinese as a whole is said to be unchecked
    once, above it (assistant.llm.composer), not sentence by sentence."""
    if not written_in_chinese(text):
        return []
    marks = []
    start = 0
    for end in [m.end() for m in _CLAIM_END.finditer(text)] + [len(text)]:
        sentence = _BRACKETED.sub("", CITE.sub("", text[start:end]))  # a gloss in brackets is an aside
        foreign = sum(len(w) for w in _LATIN_WORD.findall(sentence)) + len(_KANA.findall(sentence))
        if foreign >= _FOREIGN_LETTERS and foreign > len(_CJK.findall(sentence)) - len(_KANA.findall(sentence)):
            report.foreign.append(text[start:end].strip())
            marks.append((end, FOREIGN_MARK))
        start = end
    return marks


# a national or trade standard by its code, with its year and a clause if given: GB 30871-2022, GB/T 33000—2016,
# AQ 3028-2008第5.2条 (the clause is part of what is named)
_STANDARD = re.compile(rf"(?P<code>{STANDARD_CODE}(?:\.\d+)?)(?:\s*[-—–]\s*\d{{4}})?(?:\s*第\s*[\d.]+\s*条)?")


def _standard_key(text: str) -> str:
    """A standard's code as compared: upper case, no spaces or /T (GB/T 33000 and GB33000 are one standard)."""
    return re.sub(r"\s|/[TZ]", "", text.upper())


def _check_figures(
    text: str,
    chunks: list[StoredChunk],
    canon_sources: list[str],
    question: str,
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
) -> list[tuple[int, str]]:
    """Each figure of a sentence resting on the sources (_Basis) must be a figure of the sources it cites (of any
    source when it cites none but names an article or a law) or of the question: the marks for those that are not.
    An approximate time (一个多小时, 个把小时, 两个来小时) is not the time a source states exactly (1小时内): it must
    be written in a source as it is."""
    plain, origin = _without_emphasis(_fold(text))
    found = figure_check.figures(plain)
    if not found:
        return []
    given = figure_check.keys(_without_emphasis(_fold(question))[0])
    folded = [_without_emphasis(_fold(chunk.text))[0] for chunk in chunks]
    source_keys: list[set] = [figure_check.keys(text) for text in folded]
    marks = []
    cases: list[tuple[int, str]] = []  # stated, but for another case (marked unless its bound is marked already)
    claims = _claims(text, quotes)
    ends = [end for _, end in claims]
    for figure in found:
        figure_start, figure_end = origin[figure.start], _past_closing_emphasis(text, origin[figure.end - 1] + 1)
        if any(start <= figure_start < end for start, end in checked):
            continue
        cited = _cited_by_claim(text, claims, ends, figure_start, basis)
        if cited is None:
            continue
        written = canonical(figure.text)
        loose = figure.approximate and figure.key[0] in _TIME_UNITS  # 一个多小时 is not 1小时
        for key in (figure.key, *figure.more):
            if (not loose and figure_check.stated(key, given)) or any(
                (not loose and figure_check.stated(key, source_keys[n])) or written in canon_sources[n] for n in cited
            ):
                continue
            report.figures.append(figure.text.strip())
            marks.append((figure_end, FIGURE_MARK))
            break
        else:  # stated by the sources: under the case the sentence names?
            claim_start = max((start for start, _ in claims if start <= figure_start), default=0)
            # the words before it in its sentence, the sentence's other figures left out (…百分之四十或百分之六十)
            others = sorted(
                (origin[f.start], origin[f.end - 1] + 1)
                for f in found
                if f is not figure and claim_start <= origin[f.start] < figure_start
            )
            kept, at = [], claim_start
            for start, end in others:
                kept.append(text[at:start])
                at = max(at, end)
            condition = canonical("".join(kept) + text[at:figure_start])
            if not figure_check.stated(figure.key, given) and _of_another_case(
                figure, condition, [folded[n] for n in cited]
            ):
                cases.append((figure_end, figure.text.strip()))
    marks += _check_bounds(text, plain, origin, claims, checked, question, chunks, report, {p for p, _ in marks}, basis)
    marked = {p for p, _ in marks}
    for position, written in cases:
        if position not in marked:
            report.cases.append(written)
            marks.append((position, CASE_MARK))
    return marks


# a case another part of the article states (its items, its clauses between 。 and ；) holds at least this many more
# of the character pairs the sentence puts before its figure than any part stating that figure does
CASE_MARGIN = 2
_CASE_END = re.compile(r"[。；;\n]")


def _of_another_case(figure: figure_check.Figure, condition: str, sources: list[str]) -> bool:
    """Whether a figure the cited articles (their folded texts) state is taken from another case than the one the
    sentence names: the parts of the articles stating it (an item, a clause) hold fewer of the words the sentence
    puts before it (发生较大事故的，处…) than a part stating another figure of its unit does
    (（二）发生较大事故的，处…百分之六十)."""
    wanted = _pairs(condition)
    if not wanted:
        return False
    holding, other = 0, -1
    for source in sources:
        for part in _CASE_END.split(source):
            found = figure_check.keys(part)
            if not found:
                continue
            held = len(wanted & _pairs(canonical(part)))
            if figure_check.stated(figure.key, found):
                holding = max(holding, held)
            elif any(unit == figure.key[0] for unit, _ in found):
                other = max(other, held)
    return other >= holding + CASE_MARGIN


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _check_dates(
    text: str,
    chunks: list[StoredChunk],
    question: str,
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
    days: tuple[date, date] | None = None,
) -> list[tuple[int, str]]:
    """Each calendar date of a sentence resting on the sources (_Basis) must be a date of the sources it cites, of
    their documents (the version date: 《安全生产法》（2021年6月10日修正）citing an article of it), of the question or
    within the plan's days (verify): the marks for those that are not. Dates are no figures (figure_check), and
    本条例自2025年6月1日起施行[1] stood unmarked where the cited article says 2024年6月1日."""
    found = calendar_dates(text)
    if not found:
        return []
    given = {date for _, _, date in calendar_dates(_fold(question))}
    of_source = [
        {date for _, _, date in calendar_dates(_fold(chunk.text))}
        | {tuple(int(n) for n in iso) for iso in _ISO_DATE.findall(f"{chunk.doc_id} {chunk.metadata.get('date', '')}")}
        for chunk in chunks
    ]
    claims = _claims(text, quotes)
    ends = [end for _, end in claims]
    marks = []
    for start, end, day in found:
        if any(a <= start < b for a, b in checked):
            continue  # inside a quotation checked word for word
        cited = _cited_by_claim(text, claims, ends, start, basis)
        if cited is None or day in given or _within(day, days) or any(day in of_source[n] for n in cited):
            continue
        report.dates.append(text[start:end].strip())
        marks.append((end, DATE_MARK))
    return marks


def _within(day: tuple[int, ...], days: tuple[date, date] | None) -> bool:
    """Whether a date read (year, month, day) is one of the days, first to last; not when it names no real day."""
    if days is None:
        return False
    try:
        return days[0] <= date(*day) <= days[1]
    except (TypeError, ValueError):
        return False


def _cited_by_claim(
    text: str, claims: list[tuple[int, int]], ends: list[int], at: int, basis: _Basis
) -> list[int] | None:
    """The sources (0-based) the claim holding position at rests on (_Basis); None when it rests on none."""
    start, end = claims[min(bisect_right(ends, at), len(claims) - 1)]
    return basis.of(text[start:end])


def _check_bounds(
    text: str,
    plain: str,
    origin: list[int],
    claims: list[tuple[int, int]],
    checked: list[tuple[int, int]],
    question: str,
    chunks: list[StoredChunk],
    report: Verification,
    marked: set[int],
    basis: _Basis,
) -> list[tuple[int, str]]:
    """A figure stated with a bound (二十万元以下, 十万元以上) or a range (二万元以上十万元以下) must state a range of
    the sources it cites, both ends and direction (二十万元以下 is not the 二十万元 of 十万元以上二十万元以下), or of
    the question: the marks for those that do not."""
    given = [b.bound for b in figure_check.bounds(_without_emphasis(_fold(question))[0])]
    source_bounds = [
        [b.bound for b in figure_check.bounds(_without_emphasis(_fold(chunk.text))[0])] for chunk in chunks
    ]
    source_keys = [figure_check.keys(_without_emphasis(_fold(chunk.text))[0]) for chunk in chunks]
    ends = [end for _, end in claims]
    marks = []
    for bounded in figure_check.bounds(plain):
        start, end = origin[bounded.start], _past_closing_emphasis(text, origin[bounded.end - 1] + 1)
        if any(start <= p <= end for p in marked) or any(s <= start < e for s, e in checked):
            continue
        cited = _cited_by_claim(text, claims, ends, start, basis)
        if cited is None:
            continue
        unit, _, high = bounded.bound
        if (
            any(figure_check.same_bound(bounded.bound, b) for b in given)
            or any(figure_check.same_bound(bounded.bound, b) for n in cited for b in source_bounds[n])
            or (bounded.within and any((unit, high) in source_keys[n] for n in cited))
        ):
            continue
        report.figures.append(bounded.text.strip())
        marks.append((end, FIGURE_MARK))
    return marks


def _without_emphasis(text: str) -> tuple[str, list[int]]:
    """The text as it reads rendered, without emphasis markers (**三**百人, 三`百`人, <b>3</b>00人 read 三百人, 300人),
    and where each of its characters is in the text."""
    if not _EMPHASIS.search(text):
        return text, list(range(len(text)))
    kept: list[str] = []
    origin: list[int] = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        kept.append(text[position : match.start()])
        origin += range(position, match.start())
        position = match.end()
    kept.append(text[position:])
    origin += range(position, len(text))
    return "".join(kept), origin


def _past_closing_emphasis(text: str, position: int) -> int:
    """A position moved past the emphasis markers closing right after it (三百**人**: a mark after the closing **,
    not inside the emphasis, where it would keep it from closing)."""
    while (marker := _EMPHASIS.match(text, position)) is not None:
        run = marker.group()
        line_start = text.rfind("\n", 0, position) + 1
        closing = run.startswith("</") or (
            not run.startswith("<") and len(re.findall(re.escape(run), text[line_start:position])) % 2 == 1
        )
        if not closing:
            break
        position = marker.end()
    return position


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _modal_class(match: re.Match) -> str:
    word = match.group("word")
    if word in _MODAL_CLASS:
        return _MODAL_CLASS[word]
    return next(kind for n, (kind, _) in enumerate(_SINGLE_MODALS) if match.group(f"single{n}"))


# a range of values: (low, low included, high, high included); None for no bound
_Range = tuple[Fraction | None, bool, Fraction | None, bool]


def _case(text: str) -> tuple[tuple[str, _Range], ...]:
    """The thresholds a text states (canonical): 超过一百人 (人 > 100), 一百人以下 (人 <= 100), 一百二十人
    (人 = 120)."""
    found = []
    for figure in figure_check.figures(text):
        unit, value = figure.key
        before = text[: figure.start].removesuffix("了")
        after = text[figure.end :]
        word = next((word for word in figure_check.BOUND_BEFORE_WORDS if before.endswith(word)), None)
        bound: _Range = (value, True, value, True)
        if figure.more:
            bound = (value, True, figure.more[-1][1], True)
        elif after.startswith(figure_check.AT_MOST_AFTER):
            bound = (None, False, value, True)
        elif after.startswith(figure_check.AT_LEAST_AFTER):
            bound = (value, True, None, False)
        elif word is not None:
            included, above = figure_check.BOUND_BEFORE[word]
            bound = (None, False, value, included) if above else (value, included, None, False)
        found.append((unit, bound))
    return tuple(found)


def _apart(one: _Range, other: _Range) -> bool:
    """Whether two ranges hold no value in common."""

    def below(a: _Range, b: _Range) -> bool:  # a ends before b starts
        high, high_in, low, low_in = a[2], a[3], b[0], b[1]
        return high is not None and low is not None and (high < low or (high == low and not (high_in and low_in)))

    return below(one, other) or below(other, one)


def _other_case(claim: _Frame, source: _Frame) -> bool:
    """Whether a sentence is about a case outside the source provision's thresholds (the same measure, no value in
    common: 五十人 and 一百人以下 against 超过一百人)."""
    for unit in {unit for unit, _ in claim.case} & {unit for unit, _ in source.case}:
        ours = [bound for u, bound in claim.case if u == unit]
        theirs = [bound for u, bound in source.case if u == unit]
        if all(_apart(a, b) for a in ours for b in theirs):
            return True
    return False


@dataclass(frozen=True)
class _Frame:
    """A modal word as it binds: its class, where it stood in the text without modal words (_Modal.bare), and
    what it binds (the words after it, to the clause's punctuation)."""

    position: int
    kind: str
    predicate: str
    context: str  # the word with two characters each side, in the tight text (单位不得使用)
    negated_condition: bool = False  # a negated condition before it in its clause (未经批准，…)
    case: tuple[tuple[str, _Range], ...] = ()  # the thresholds before it (超过一百人的: 人 > 100)
    # all it binds: the predicate and the clauses after it up to the next modal word or a proviso (…培训，
    # 取得相应资格，方可…; 应当持续通风，并安排专人在外监护); the predicate alone for one borrowed (a verb alone, a
    # closing word)
    scope: str = ""
    # the two ideographs before it in the text without modal words, punctuation and markup left out (人员 of
    # 有关人员应当立即报告; 作业 of **有限空间作业**：不需要)
    before: str = ""
    # a modal word closing its clause (先通风并非强制): its predicate is all of the clause before it, its subject or
    # condition included (有限空间作业先通风)
    closing: bool = False
    # who and when, as written before it since the modal word before it (单位负责人接到报告后 of 单位负责人接到报告后，
    # 应当于1小时内…报告; 情况紧急时事故现场有关人员 of …可以直接…报告): its ideographs
    party: str = ""
    # a word saying nothing is asked of someone (未要求, 不强制): who it is follows it (法律未要求生产经营单位参加
    # 工伤保险), so its predicate may open with its party
    asks: bool = False


# the exemption words that may name whom they ask nothing of after them (未要求生产经营单位…, 不强制企业…)
_ASKING = ("要求", "强制")


@dataclass(frozen=True)
class _Modal:
    """A clause (canonical) read for its modality: its text with the adverbs beside modal words left out (tight),
    its text without modal words at all (bare: 应当设置 and 可以设置 are the same words) and its frames."""

    tight: str
    bare: str
    pairs: frozenset[str]  # the bare text's character pairs
    frames: tuple[_Frame, ...]

    @classmethod
    def read(cls, text: str, before: tuple[_Frame, ...] = (), case: tuple[tuple[str, _Range], ...] = ()) -> _Modal:
        """A clause read for its modality; before: the frames of the text before it (what a verb alone refers to);
        case: the thresholds of a frame whose condition states none (the question's: 我们厂50个人)."""
        tight, bare, frames = [], [], []
        position = tight_length = bare_length = 0
        for match in _MODAL_RUN.finditer(text):
            between = text[position : match.start()]
            tight += [between, match.group("word")]
            bare.append(between)
            tight_length += len(between)
            bare_length += len(between)
            frames.append((bare_length, tight_length, match))
            tight_length += len(match.group("word"))
            position = match.end()
        tight.append(text[position:])
        bare.append(text[position:])
        tight_text, bare_text = "".join(tight), "".join(bare)
        found: list[_Frame] = []
        since = 0  # the condition of a modal word is what comes before it since the last one
        for index, (at, tight_at, match) in enumerate(frames):
            kind = _modal_class(match)
            following = frames[index + 1][0] if index + 1 < len(frames) else len(bare_text)
            rest = bare_text[at:]
            stop = _PREDICATE_END.search(rest)
            # (a modal word inside the predicate describes its object: 不得使用应当淘汰的设备 binds it all)
            opened = _condition_end(rest[: stop.start() if stop else len(rest)], following - at)
            if opened is not None:
                rest, stop = rest[:opened], None  # 不能处理的及时报告: 不能 binds 处理的 (who), not 报告
            bound = bare_text[at : max(following, at + (stop.start() if stop else len(rest)))]
            scope = _PROVISO.split(bound, maxsplit=1)[0]
            context = tight_text[max(0, tight_at - 2) : tight_at + len(match.group("word")) + 2]
            condition = text[since : match.start()]
            predicate = rest[: stop.start()] if stop else rest
            closing = bool(_CLOSING.fullmatch(predicate))
            if closing:
                # a modal word closing its clause (设置机构不是强制性的, 设置机构并非必须) binds what stands before
                # it, in its clause or, when that holds only a word pointing back (设置机构，这不是强制性的), the
                # clause before
                breaks = [(m.start(), m.end()) for m in _PREDICATE_ENDS.finditer(bare_text, 0, at)]
                ends = [end for _, end in breaks]
                opening = ends[-1] if ends else 0
                pointing = len(bare_text[opening:at]) <= _ELLIPTICAL or _POINTER.fullmatch(bare_text[opening:at])
                bound_text = bare_text[opening:at]
                if pointing and ends:
                    # the clause before with this one, without the punctuation between them or a word pointing
                    # back (有限空间作业，先通风不是必须的; 有限空间作业先通风，这不是必须的; | 先通风 | 不需要 |)
                    here = "" if _POINTER.fullmatch(bound_text) else bound_text
                    opening = ends[-2] if len(ends) > 1 else 0
                    bound_text = bare_text[opening : breaks[-1][0]] + here
                # (whether it is done, 是否参加, is the duty: 工伤保险是否参加由企业自行决定)
                predicate = _STEP.sub("", _COPULA.sub("", bound_text)).replace("是否", "")[-_PREDICATE:]
                if pointing and not ends and (found or before):  # the sentence before (…应当设置机构。不过这…)
                    predicate = [*before, *found][-1].predicate
            # 应当设置机构……实际上不用设置 (or 不用设): the verb stands for it all
            elif 1 <= len(predicate) <= _ELLIPTICAL and "\u4e00" <= predicate[0] <= "\u9fff":
                earlier = [*reversed(found), *reversed(before)]  # this piece's, then the sentence's before it
                # (the verb opening what it bound, 设置安全生产管理机构, or closing it, 立即向本单位负责人报告)
                verb = predicate
                predicate = next(
                    (f.predicate for f in earlier if f.predicate.startswith(verb) or f.predicate.endswith(verb)), verb
                )
            negated = bool(_NEGATED_CONDITION.search(condition))
            scope = scope if rest.startswith(predicate) else predicate  # a predicate borrowed binds just that
            # whom it binds: what its clause names before it (a qualifier, 原则上, is no one); a later clause naming
            # no one (…，但视情况可以不报告) binds whom the clause before it bound, as its subject is left out
            party = "".join(_CJK.findall(_QUALIFIER.sub("", condition)))
            if found:
                own = _LINKING.sub("", "".join(_CJK.findall(_QUALIFIER.sub("", _PREDICATE_ENDS.split(condition)[-1]))))
                party = own or found[-1].party
            found.append(
                _Frame(
                    at,
                    kind,
                    predicate,
                    context,
                    negated,
                    _case(condition) or case,
                    scope,
                    _before_circumstance("".join(_CJK.findall(bare_text[max(0, at - 16) : at])))[-2:],
                    closing,
                    party,
                    kind == EXEMPTION and match.group("word").endswith(_ASKING),
                )
            )
            if topic := _topic_duty(bare_text, at, predicate, rest, closing, found, before):
                # a verb alone after its object, said first (工伤保险由企业视情况决定是否参加, 工伤保险可以不参加): what
                # it binds is the verb and that object
                found.append(replace(found[-1], predicate=topic, scope=topic))
            since = match.end()
        return cls(tight_text, bare_text, frozenset(_pairs(bare_text)), tuple(found))


def _topic_duty(
    bare: str, at: int, predicate: str, rest: str, closing: bool, found: list[_Frame], before: tuple[_Frame, ...]
) -> str:
    """The duty a modal word binds when its clause says the duty's object before it and the verb alone after it
    (工伤保险由企业视情况决定是否参加: 参加工伤保险; 工伤保险可以不参加): the verb, then the words before the modal word
    in its clause, a copula or the one who decides (由企业, 是) left out; none when the verb alone refers to an earlier
    predicate of the reply, or the clause says nothing before it."""
    stop = _PREDICATE_END.search(rest)
    verb = rest[: stop.start()] if stop else rest
    if closing or not 1 <= len(verb) <= _ELLIPTICAL or predicate != verb:
        return ""
    if any(f.predicate.startswith(verb) or f.predicate.endswith(verb) for f in [*found[:-1], *before]):
        return ""
    breaks = [m.end() for m in _PREDICATE_ENDS.finditer(bare, 0, at)]
    topic = _COPULA.sub("", "".join(_CJK.findall(bare[breaks[-1] if breaks else 0 : at])))
    return verb + topic if len(topic) >= 2 else ""


# a 的-phrase that is the condition of what follows it (不能处理的及时报告, 需要动火的必须审批, 可以整改的立即整改):
# it ends before a modal word or a deadline word, as the law writes it with a comma (不能处理的，应当及时报告)
_CONDITION_THEN = tuple(DEADLINE_WORDS["立即"] + DEADLINE_WORDS["及时"])


def _condition_end(predicate: str, next_modal: int) -> int | None:
    """Where a modal word's predicate (bare: the modal words left out) ends when it opens a condition (…的) followed
    by a modal word (at next_modal) or a deadline word: past that 的. None when it opens none."""
    for match in re.finditer("的", predicate):
        end = match.end()
        if end == next_modal or predicate.startswith(_CONDITION_THEN, end):
            return end if end > 1 else None
    return None


# a circumstance put between the subject and its modal word (有限空间作业紧急情况下可以不通风, 抢险时可以不通风): the
# modal word stands where the source's does all the same (_same_place reads the words before it)
_CIRCUMSTANCE = re.compile(
    r"在?(?:紧急|特殊|必要|特定|个别|例外|抢险|救援|应急|临时|情况紧急)(?:情况|情形|时期|状态)?(?:下|时|期间|的时候|的)?$"
)


def _before_circumstance(text: str) -> str:
    """The words before a modal word without a circumstance just before it (see _CIRCUMSTANCE)."""
    kept = _CIRCUMSTANCE.sub("", text)
    return kept if len(kept) >= 2 else text


def _conflict(claim: str | None, source: str) -> bool:
    """Whether a restatement of the same words binds the other way: any two classes but the same one, and a
    permission beside an exemption (可以设置 and 可以不设置 both leave the choice); no modal word where the
    source has a prohibition or an exemption (不得将 -> 将) turns it around too."""
    if claim is None:
        return source in (PROHIBITION, EXEMPTION)
    return claim != source and {claim, source} != {PERMISSION, EXEMPTION}


# in a paraphrase a permission may restate one branch of an obligation with a choice (应当设置机构或者配备人员 ->
# 可以设置机构，也可以配备人员): only these readings of the same duty contradict it
_PARAPHRASE_CONFLICTS = {
    (EXEMPTION, OBLIGATION),
    (EXEMPTION, PROHIBITION),
    (PERMISSION, PROHIBITION),
    (OBLIGATION, PERMISSION),
    (OBLIGATION, EXEMPTION),
    (OBLIGATION, PROHIBITION),
    (PROHIBITION, OBLIGATION),
    (PROHIBITION, PERMISSION),
    (PROHIBITION, EXEMPTION),
}


# a modal word alone in brackets (有限空间作业（不需要）先通风, (可以不)) binds what follows it, as written inline
_BRACKETED_MODAL = re.compile(r"[（(]([\u4e00-\u9fff]{1,6})[）)]")


# Words saying that leaving a duty undone breaks no law (不参加工伤保险也不违法, 不设置也不会受到处罚): a reply's
# sentence 不X也不违法 says X may be left undone, and is read as 可以不X (LLM verification only)
NOT_UNLAWFUL = (
    "不违法", "不算违法", "不属于违法", "不构成违法", "不是违法", "并非违法", "不违反法律", "不违反规定", "不违规",
    "不算违规", "不属于违规", "不会违法", "不受处罚", "不会受到处罚", "不会被处罚", "不会受罚", "不予处罚",
    "不用承担法律责任", "不承担法律责任", "不需要承担法律责任", "没有法律责任", "不担责", "不追责", "不会被追责",
)  # fmt: skip
_NOT_UNLAWFUL = re.compile(
    r"(?P<lead>[^，,。；;：:！!？?]*?)"
    # the duty left undone (不参加…, 未设置…, 没有配备…); not an adjective negated (不合格, 不符合: what is done is
    # of that kind)
    r"(?P<neg>没有|没|未(?!来|经)|不(?![论管仅但久断少同过合符具达规安正得要应能可准许宜]))"
    rf"(?P<duty>[\u4e00-\u9fff][^，,。；;：:！!？?]*?)[，,]?(?:{_FILLER})*(?:{'|'.join(NOT_UNLAWFUL)})"
)
# a quantifier between a verb and what it binds (不设任何安全管理人员): read without it on both sides
_ANY = re.compile(r"(?<=[\u4e00-\u9fff])(?:任何|任一|一切)(?=[\u4e00-\u9fff])")
# the law's terms a reply shortens (安全管理人员 for 安全生产管理人员), read as the law's where the sources do not use
# the short form (LLM verification only; knowledge/lexicon.yaml holds the everyday words)
SHORTENED_TERMS = {
    "安全管理人员": "安全生产管理人员",
    "专职安全管理人员": "专职安全生产管理人员",
    "兼职安全管理人员": "兼职安全生产管理人员",
    "安全管理机构": "安全生产管理机构",
}


def _lawfully_undone(match: re.Match) -> str:
    """不X也不违法 read as 可以不X; 没有X的企业也不违法 as 企业可以不X."""
    duty = match.group("duty")
    who = re.fullmatch(r"(.{2,}?)的([\u4e00-\u9fff]{1,6})", duty)
    if who:
        return f"{match.group('lead')}{who.group(2)}可以不{who.group(1)}"
    return f"{match.group('lead')}可以不{duty}"


def _as_stated(claim: str) -> str:
    """A claim (canonical) with a modal word put alone in brackets written inline, and a duty said to be left undone
    lawfully (不参加工伤保险也不违法) read as the exemption it states (可以不参加工伤保险)."""
    claim = _NOT_UNLAWFUL.sub(_lawfully_undone, claim)
    if "（" not in claim and "(" not in claim:
        return claim
    return _BRACKETED_MODAL.sub(lambda m: m.group(1) if m.group(1) in _MODAL_CLASS else m.group(0), claim)


def _negation_flipped(claim: str, clause: str) -> bool:
    """Whether a near copy of a clause (both tight: _Modal) adds a plain negation the clause does not have there
    (设置 -> 不设置) or drops one it has (未取得 -> 取得); prohibitions and exemptions (不得, 不需要) are compared by
    class where they stand (_modality_turned)."""
    for match in _NEGATION.finditer(claim):  # added: the negation and what follows it are not in the clause
        if match.group() not in _MODAL_CLASS and claim[match.start() : match.end() + 1] not in clause:
            return True
    for match in _NEGATION.finditer(clause):  # dropped: the words around it meet in the claim without it
        if match.group() in _MODAL_CLASS:
            continue
        before, after = clause[max(0, match.start() - 2) : match.start()], clause[match.end() : match.end() + 2]
        if (
            len(before) == 2
            and len(after) == 2
            and before + after in claim
            and before + match.group() + after not in claim
        ):
            return True  # (a claim that also states it with the negation restates another part: 不得使用 … 使用的)
    return False


def _aligned(text: str, position: int, other: str) -> list[int]:
    """Where in other the words around a position of text (two characters each side) meet: the same place in a
    near copy."""
    before, after = text[max(0, position - 2) : position], text[position : position + 2]
    if len(before) + len(after) < 3:
        return []
    found, at = [], other.find(before + after)
    while at >= 0:
        found.append(at + len(before))
        at = other.find(before + after, at + 1)
    return found


def _modality_turned(claim: _Modal, clause: _Modal) -> bool:
    """Whether a near copy puts, where the clause has a modal word, one of a conflicting class (应当设置 -> 可以设置,
    不得将 -> 可以将) or drops a prohibition or an exemption there (_conflict); or adds a prohibition or an
    exemption where the clause binds nothing. The place is found by the words around it, in both texts without
    their modal words (bare). A permission restating one branch of an obligation with a choice (应当配备专职或者兼职的
    … -> 可以配备兼职的…) is no conflict, as in a paraphrase (_PARAPHRASE_CONFLICTS)."""
    claim_at: dict[int, set[str]] = {}
    branches: dict[int, list[_Frame]] = {}
    for frame in claim.frames:  # modal words side by side (需要可以) stand at one place
        claim_at.setdefault(frame.position, set()).add(frame.kind)
        branches.setdefault(frame.position, []).append(frame)
    clause_at = {frame.position for frame in clause.frames}
    for frame in clause.frames:
        if frame.context in claim.tight:
            continue  # stated as the clause states it (the same words elsewhere are another part of it)
        for at in _aligned(clause.bare, frame.position, claim.bare):
            kinds = claim_at.get(at)
            if not kinds and _conflict(None, frame.kind):
                return True  # dropped
            if kinds and frame.kind not in kinds and any(_conflict(kind, frame.kind) for kind in kinds):
                if kinds == {PERMISSION} and frame.kind == OBLIGATION and _one_branch(branches[at], frame):
                    continue
                return True  # replaced
    for frame in claim.frames:
        if frame.kind not in (PROHIBITION, EXEMPTION) or frame.context in clause.tight:
            continue
        if any(at not in clause_at for at in _aligned(claim.bare, frame.position, clause.bare)):
            return True
    return False


def _one_branch(claim: list[_Frame], clause: _Frame) -> bool:
    """Whether a claim's modal words bind one branch of the choice a clause's binds (或者 in its scope, none in
    theirs)."""
    return "或" in clause.scope and not any("或" in frame.predicate for frame in claim)


def _negated(predicate: str) -> set[str]:
    """The words (two characters) a plain negation stands before in a predicate (给不具备 -> 具备)."""
    return {
        predicate[m.end() : m.end() + 2]
        for m in _NEGATION.finditer(predicate)
        if m.group() not in _MODAL_CLASS and m.end() < len(predicate)
    }


def _opposite(one: str, other: str) -> bool:
    """Whether two predicates say opposite things by a plain negation one of them puts before a word both hold
    (发包给具备条件的单位 / 发包给不具备条件的单位)."""
    ours, theirs = _negated(one), _negated(other)
    return any(word in one and word not in ours for word in theirs) or any(
        word in other and word not in theirs for word in ours
    )


def _same_duty(one: _Frame, other: _Frame) -> bool:
    """Whether two frames bind the same predicate (设立安全生产管理机构 and 设置安全生产管理机构或者…: NEAR_COPY of the
    first's character pairs, with no negation on one side only) in the same case (_other_case)."""
    if _other_case(one, other):
        return False
    predicate = one.predicate[:_PREDICATE]
    # a closing word's clause holds its subject too (有限空间作业先通风并非强制): what follows the subject may be the
    # duty (先通风), as it is after a modal word before it
    # … and so may what follows a word asking nothing of someone (未要求生产经营单位参加工伤保险: 参加工伤保险)
    tails = range(len(predicate) - _SHORTEST_DUTY + 1) if one.closing or one.asks else range(1)
    return any(len(_pairs(predicate[n:])) >= 3 and _bound_by(predicate[n:], other) for n in tails)


_SHORTEST_DUTY = 3  # characters of the shortest duty a closing word's clause is compared by (先通风, 设机构)


def _bound_by(predicate: str, frame: _Frame) -> bool:
    """Whether a frame binds a predicate: NEAR_COPY of its character pairs in what the frame binds (its scope: 取得相应
    资格 is bound by the 必须 of 必须…经专门的安全作业培训，取得相应资格), with no negation on one side only."""
    pairs = _pairs(predicate)
    return (
        bool(pairs)
        and len(pairs & _pairs(frame.scope)) >= NEAR_COPY * len(pairs)
        and not _opposite(predicate, frame.scope)
    )


def _contraposed(one: _Frame, other: _Frame) -> bool:
    """Whether a prohibition and a permission state one rule from its two sides: the prohibition under a negated
    condition, the permission without one (未经批准不得动火 / 经批准后方可动火)."""
    if {one.kind, other.kind} != {PERMISSION, PROHIBITION}:
        return False
    prohibition, permission = (one, other) if one.kind == PROHIBITION else (other, one)
    return prohibition.negated_condition and not permission.negated_condition


def _same_place(one: _Frame, other: _Frame) -> bool:
    """Whether a reply's modal word stands where a source's does, what it binds bound there, however few of the
    source's words it keeps after it (有关人员不用报告 for 有关人员应当立即向本单位负责人报告, 有限空间作业不需要先通风
    for 有限空间作业应当坚持先通风): the same words before it, in the same case."""
    return (
        len(one.before) == 2
        and one.before == other.before
        and _bound_by(one.predicate, other)
        and not _other_case(one, other)
    )


def _paraphrase_turned(claim: _Modal, frames: list[_Frame]) -> bool:
    """Whether a sentence binds what a source binds (the same predicate: 设立安全生产管理机构 for 设置安全生产管理机构…,
    or the same place: _same_place) the other way (不需要 for 应当), with no source frame of those predicates reading as
    it does."""
    for frame in claim.frames:
        same = [f for f in frames if _same_duty(frame, f) or _same_place(frame, f) or _party_duty(frame, f)]
        # the source binds each party its own way (单位负责人 shall report in an hour; 事故现场有关人员 may report
        # directly): a sentence naming one is read against that party's duty where a source frame names it as the
        # sentence does, nothing more (一般生产经营单位 is not 属于…高危行业、领域的生产经营单位)
        # (or, none naming it so, where one names it with more words around it: 单位负责人 of 单位负责人接到报告后; not
        # 一般生产经营单位 of 属于…高危行业、领域的生产经营单位)
        same = (
            [f for f in same if _same_party(frame, f) and _same_party(f, frame)]
            or [f for f in same if len(frame.party) >= _PARTY_MIN and frame.party in f.party]
            or same
        )
        if same and all((frame.kind, f.kind) in _PARAPHRASE_CONFLICTS and not _contraposed(frame, f) for f in same):
            return True
    return False


_PARTY_MIN = 2  # characters of the shortest party named (单位负责人, 工会): less names no one


def _same_party(claim: _Frame, source: _Frame) -> bool:
    """Whether a sentence's modal word binds whom (and when) a source's binds: NEAR_COPY of the character pairs
    written before it (单位负责人接到报告后, 单位负责人 for 单位负责人接到报告后; not for 事故现场有关人员)."""
    pairs = _pairs(claim.party)
    return bool(pairs) and len(pairs & _pairs(source.party)) >= NEAR_COPY * len(pairs)


def _party_duty(claim: _Frame, source: _Frame) -> bool:
    """Whether a sentence binds whom a source binds (_same_party) to what the source binds them to, however short
    its words for it (单位负责人无需报告 for 单位负责人接到报告后，应当于1小时内…报告), in the same case."""
    return (
        _same_party(claim, source)
        and (_bound_by(claim.predicate, source) or _in_order(claim.predicate, source.scope))
        and not _other_case(claim, source)
    )


def _in_order(predicate: str, scope: str) -> bool:
    """Whether what a frame binds holds a predicate's words in their order, with words of its own between them (在1小时
    内报告 in 于1小时内向…有关部门报告): NEAR_COPY of its characters in runs of two or more, no negation on one
    side only."""
    blocks = SequenceMatcher(None, predicate, scope, autojunk=False).get_matching_blocks()
    held = sum(block.size for block in blocks if block.size >= 2)
    return bool(predicate) and held >= NEAR_COPY * len(predicate) and not _opposite(predicate, scope)


def _turned(claim: _Modal, clause: _Modal) -> bool:
    """Whether a near copy turns its clause around (_negation_flipped, _modality_turned), unless it states the
    clause's rule from its other side (没有取得资格的，不能上岗 for 取得资格，方可上岗: _contraposed)."""
    if any(_contraposed(f, g) and _same_duty(f, g) for f in claim.frames for g in clause.frames):
        return False
    return (
        _negation_flipped(claim.tight, clause.tight)
        or _modality_turned(claim, clause)
        or _opposite_swapped(claim.tight, clause.tight)
        or _choice_joined(claim, clause)
    )


# words joining two duties into both (设置机构和配备人员, 设置机构并且配备人员)
_JOINED = re.compile(r"和|并且|以及|同时")


def _choice_joined(claim: _Modal, clause: _Modal) -> bool:
    """Whether a near copy binds both of what its clause leaves a choice between (应当设置机构或者配备人员 -> 应当同时
    设置机构和配备人员): the clause's obligation binds 或者 with no negation before it (不具备条件或者资质 joins
    its negations: 具备条件和资质 restates it), the copy's binds a word joining them and no 或."""
    chosen = any(
        f.kind == OBLIGATION and "或者" in f.scope and not _NEGATION.search(f.scope.split("或者")[0])
        for f in clause.frames
    )
    return chosen and any(
        f.kind == OBLIGATION and "或" not in f.scope and _JOINED.search(f.scope) for f in claim.frames
    )


def _opposite_swapped(claim: str, clause: str) -> bool:
    """Whether a near copy says a word where its clause says the opposite (OPPOSITES), holding neither the clause's
    word nor the clause the copy's: 兼职 for 专职; 专职或者兼职 restated keeps both."""
    return any(
        ours in claim and theirs in clause and theirs not in claim and ours not in clause
        for one, other in OPPOSITES
        for ours, theirs in ((one, other), (other, one))
    )


def _around_quotations(
    text: str, start: int, end: int, checked: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """text[start:end] with each quotation checked word for word in it said as a comma (the same length, spaces after
    it: positions stay the text's), and those quotations' spans. A quotation is checked already; what the sentence
    says around it may still turn it around (条文规定“…应当设置…”[1]，但这不是硬性要求; 单位负责人“应当于1小时内…报告”
    [1]，但实践中次日报告也不算迟报)."""
    # (a quotation breaking off inside a clause that the sentence goes on with, “…有关人员可以”不向…报告, is read with
    # it: its marks are no boundary of what the clause says)
    inside = [(max(s, start), min(e, end)) for s, e in checked if s < end and start < e and not _GOES_ON.match(text, e)]
    claim = list(text[start:end])
    for s, e in inside:
        claim[s - start : e - start] = "，" + "\u3000" * (e - s - 1)
    return "".join(claim), inside


_GOES_ON = re.compile(r"[\u4e00-\u9fff]")  # a clause going on right after a quotation's closing mark


# a list of duties (…对本单位安全生产工作负有下列职责：, 履行下列职责：): each of its items binds as 应当 does
_DUTY_LIST = re.compile(r"(?:负有|履行|承担)下列(?:职责|义务)[:：]")
_ITEM_MARK = re.compile(rf"[（(]\s*[{NUMERAL_CHARS}\d]+\s*[)）]")


def _duties_bound(text: str) -> str:
    """A provision's text with 应当 after each item mark of a list of duties (the items after 负有下列职责：, on its
    line and the lines after it while they are items), as the law reads it: （一）建立健全…责任制 is a duty of the one
    the list is of."""
    if not _DUTY_LIST.search(text):
        return text
    lines, listing = [], False
    for line in text.split("\n"):
        intro = _DUTY_LIST.search(line)
        if intro:
            listing = True
            head, rest = line[: intro.end()], line[intro.end() :]
        elif listing and _ITEM_MARK.match(line.strip()):
            head, rest = "", line
        else:
            listing = False
            lines.append(line)
            continue
        lines.append(head + _ITEM_MARK.sub(lambda m: f"{m.group()}应当", rest))
    return "\n".join(lines)


@dataclass(frozen=True)
class _LegalWording:
    """Everyday words (canonical) and the law's term each stands for, found longest first in one pass."""

    terms: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, wording: dict[str, str]) -> _LegalWording:
        return _legal_wording(tuple(sorted(wording.items())))


@lru_cache(maxsize=4)
def _legal_wording(pairs: tuple[tuple[str, str], ...]) -> _LegalWording:
    terms = {canonical(_fold(word)): canonical(_fold(legal)) for word, legal in pairs}
    # (not a word whose term drops what it says of the duty: 兼职安全员 is no plain 安全生产管理人员 here)
    senses = {word for pair in OPPOSITES for word in pair}
    terms = {
        word: legal
        for word, legal in terms.items()
        if word and word != legal and not any(s in word and s not in legal for s in senses)
    }
    words = sorted(terms, key=len, reverse=True)
    return _LegalWording(terms, re.compile("|".join(map(re.escape, words))) if words else None)


def _in_law_words(claim: str, wording: _LegalWording | None, sources: str) -> str:
    """A claim (canonical) with its everyday words put in the law's terms (老板 -> 主要负责人), the longest word first
    (专职安全员 before 安全员), each read once; not a word the sources (canonical) use themselves (用人单位 of a
    provision on 用人单位 is its word)."""
    if wording is None or wording.pattern is None:
        return claim
    return wording.pattern.sub(lambda m: m.group() if m.group() in sources else wording.terms[m.group()], claim)


def _check_negations(
    text: str,
    chunks: list[StoredChunk],
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
    question: str = "",
    wording: _LegalWording | None = None,
) -> list[tuple[int, str]]:
    """A sentence resting on the sources that turns around what a source it cites says: a near copy of a clause
    (NEAR_COPY, compared without modal words and the adverbs beside them) with a negation added or dropped or a
    modal word of a conflicting class (MODALITY_WORDS), or a paraphrase binding the same predicate the other way
    (_paraphrase_turned). The marks for those (a quotation is checked word for word already). A sentence stating
    no threshold is about the case the question states (我们厂50个人…: 不需要设置 is about 50 people)."""
    ends = "。；;！？!?\n"
    asked = _case(canonical(_fold(question)))
    source_clauses = [
        [
            _Modal.read(_ANY.sub("", canonical(c)))
            for c in clauses(_fold(_duties_bound(chunk.text)), ends, _MIN_NEAR_COPY)
        ]
        for chunk in chunks
    ]
    # (a word is the law's own where the sources a sentence is compared with use it: those it cites)
    canon_sources = [canonical(_fold(chunk.text)) for chunk in chunks]
    marks = []
    # the frames of the reply's sentences so far, and of this one's pieces (a verb alone refers to them: 应当设置
    # 安全生产管理机构[1]。一百二十人的企业不用设。)
    before: tuple[_Frame, ...] = ()
    for start, end in _claims(text, quotes):
        claim_text, inside = _around_quotations(text, start, end, checked)
        for s, e in inside:  # what the rest says refers to what its quotations say (贵厂可以不设)
            before += _Modal.read(_as_stated(canonical(_fold(text[s:e]))), before, asked).frames
        cited = basis.of(claim_text)
        if cited is None:
            continue
        for piece in re.split(r"[；;]", _INCLUSION_ASIDE.sub("", CITE.sub("", claim_text))):
            stated = _as_stated(canonical(_fold(piece)))
            sources = "｜".join(canon_sources[n] for n in cited)
            claim = _Modal.read(_ANY.sub("", _in_law_words(stated, wording, sources)), before, asked)
            before += claim.frames
            if len(claim.tight) < _MIN_NEAR_COPY or not claim.pairs:
                continue
            near = [
                clause
                for n in cited
                for clause in source_clauses[n]
                if len(claim.pairs & clause.pairs) >= NEAR_COPY * len(claim.pairs)
            ]
            frames = [frame for n in cited for clause in source_clauses[n] for frame in clause.frames]
            if (near and all(_turned(claim, clause) for clause in near)) or _paraphrase_turned(claim, frames):
                report.negations.append(piece.strip())
                marks.append((end, NEGATION_MARK))
                break
            added = [m.group() for m in _QUALIFIER.finditer(stated)]  # as the reply words it
            added = [q for q in added if near and all(q not in clause.tight for clause in near)]
            if added:
                report.qualified.append(piece.strip())
                report.qualifiers += [q for q in added if q not in report.qualifiers]
                marks.append((end, QUALIFIER_MARK))
                break
    return marks


@dataclass(frozen=True)
class _Deadline:
    """A deadline a (canonical) text states: its class (a deadline word's, or a time figure's key), where it is
    (the two characters after it: 立即向本单位 -> 向本), as written, what comes before it in its sentence (whom it
    binds, on what occasion) and after it to the clause's end (its action: 向…报告), and where it starts."""

    kind: object
    after: str
    written: str
    before_words: frozenset[str]  # character pairs, punctuation left out
    action: str  # punctuation left out
    start: int

    @property
    def verb(self) -> str:
        """What its action ends with, the verb of a Chinese clause (向…报告: 报告; 组织抢救: 抢救)."""
        return self.action[-2:] if len(self.action) >= 2 else ""


def _words(text: str) -> frozenset[str]:
    return frozenset(_pairs(_SEGMENT_END.sub("", text)))


def _deadlines(text: str, piece_starts: bool = True) -> list[_Deadline]:
    """The deadlines a (canonical) text states: each by its class (a deadline word's, or a time figure's value) and
    its place (_Deadline). Its context starts at the start of its piece (piece_starts: a source's clause) or of the
    text (a reply's sentence, whose later pieces leave out whom they bind: …；最迟次日报告即可)."""
    found: list[tuple[int, int, object]] = [
        (
            m.start(),
            m.end(),
            "次日" if m.group("nights") else LATER if m.group("put_off") else _DEADLINE_CLASS[m.group()],
        )
        for m in _DEADLINE_WORD.finditer(text)
    ]
    found += [(f.start, f.end, f.key) for f in figure_check.figures(text) if f.key[0] in _TIME_UNITS and not f.more]
    placed = []
    for start, end, kind in found:
        tail = _DEADLINE_TAIL.match(text, end)
        rest = text[tail.end() if tail else end :]
        after = rest[:2]
        opening = max((m.end() for m in _DEADLINE_PIECE.finditer(text, 0, start)), default=0) if piece_starts else 0
        action = rest[: m.start()] if (m := _DEADLINE_SEGMENT.search(rest)) else rest
        action = _SEGMENT_END.sub("", action)
        placed.append(_Deadline(kind, after, text[start:end], _words(text[opening:start]), action, start))
    return placed


def _deadline_changed(deadline: _Deadline, theirs: list[_Deadline]) -> bool | None:
    """Whether a deadline of a reply is of another class than the cited articles' deadline at its place: the one
    with the same words after it (立即向本单位… / 及时向本单位…); or, when none has, every one for the same action
    (its verb among the words after the reply's, to the clause's end: 报告) in the same matter (words before it in
    common: 单位负责人接到报告后…) — 次日报告 where the article has 立即 and 1小时内 for reporting. None when no
    deadline of the articles is at its place or for its action in its matter (nothing to compare it with)."""
    if len(deadline.after) == 2 and (same := [d.kind for d in theirs if d.after == deadline.after]):
        return deadline.kind not in same
    alike = [d.kind for d in theirs if d.verb and d.verb in deadline.action and d.before_words & deadline.before_words]
    return deadline.kind not in alike if alike else None


def _roles(text: str) -> tuple[str, list[str], list[str]]:
    """A (canonical) text with its roles left out (_ROLE_SLOT for each), their classes and their nouns, in order."""
    nouns = [m.group() for m in _ROLE.finditer(text)]
    return _ROLE.sub(_ROLE_SLOT, text), [_ROLE_CLASS[noun] for noun in nouns], nouns


def _role_swapped(segment: str, sources: list[tuple[str, list[str], set[str]]]) -> str | None:
    """The role a piece of a sentence (canonical) names where the near copies (NEAR_COPY, roles left out) of the
    cited clauses name a role of another class at the same place (two characters each side) and none of them names
    its class anywhere (其他负责人和安全生产管理人员 names both): that role, or None."""
    bare, kinds, nouns = _roles(segment)
    pairs = _pairs(bare)
    if not kinds or len(bare) < _MIN_NEAR_COPY or not pairs:
        return None
    near = [(b, k) for b, k, p in sources if len(pairs & p) >= NEAR_COPY * len(pairs)]
    named = {kind for _, source_kinds in near for kind in source_kinds}  # the roles the clauses restated name
    slots = [m.start() for m in re.finditer(_ROLE_SLOT, bare)]
    for position, kind, noun in zip(slots, kinds, nouns, strict=True):
        around = bare[max(0, position - 2) : position + 3]
        if len(around) < 4:
            continue
        offset = position - max(0, position - 2)
        aligned = set()
        for source_bare, source_kinds in near:
            at = source_bare.find(around)
            while at >= 0:
                aligned.add(source_kinds[source_bare.count(_ROLE_SLOT, 0, at + offset)])
                at = source_bare.find(around, at + 1)
        if aligned and kind not in aligned and kind not in named:
            return noun
    return None


def _check_changes(
    text: str,
    chunks: list[StoredChunk],
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    figure_marks: set[int],
    basis: _Basis,
) -> list[tuple[int, str]]:
    """A sentence resting on the sources that changes what a cited article sets out: a deadline of another class
    at the place of the article's (_deadlines: 及时 for 立即, 当日 for 1小时内), a penalty kind the cited penalty
    articles do not provide (PENALTIES), or, in a near copy of a clause, a role of another class (ROLES). The
    marks for those (a quotation is checked word for word already)."""
    canon = [canonical(_fold(chunk.text)) for chunk in chunks]
    source_deadlines = [_deadlines(c) for c in canon]
    source_segments = []
    for c in canon:
        segments = []
        for piece in _SEGMENT_END.split(c):
            bare, kinds, _ = _roles(piece)
            if kinds:
                segments.append((bare, kinds, _pairs(bare)))
        source_segments.append(segments)
    marks = []
    previous = ""  # the sentence before (canonical): the matter of a deadline whose own sentence does not say it
    for start, end in _claims(text, quotes):
        claim_text, _ = _around_quotations(text, start, end, checked)
        cited = basis.of(claim_text)
        if cited is None:
            continue
        named = [n - 1 for n in cited_numbers(claim_text)] or ([] if _attributed(claim_text) else cited)
        claim = canonical(_fold(CITE.sub("", claim_text)))
        context, previous = previous, claim
        # the sentence's pieces (…报告[1]；最迟次日报告即可[1]): each cites its own sources, and a figure marked in one
        # does not stand for a deadline changed in another
        cuts = [start + m.start() for m in _PIECE_END.finditer(claim_text)]
        pieces = list(zip([start, *(c + 1 for c in cuts)], [*cuts, end], strict=True))
        for deadline in _deadlines(claim, piece_starts=False):
            piece_start, piece_end = pieces[min(len(_PIECE_END.findall(claim, 0, deadline.start)), len(pieces) - 1)]
            own = [n - 1 for n in cited_numbers(text[piece_start:piece_end])] or cited
            if any(piece_start <= p <= piece_end for p in figure_marks):
                continue
            theirs = [d for n in own for d in source_deadlines[n]]
            changed = _deadline_changed(deadline, theirs)
            if changed is None and context:  # 其实可以等一宿再报告: in the matter of the sentence before
                carried = [d for d in _deadlines(context + claim, piece_starts=False) if d.start >= len(context)]
                at = next((d for d in carried if d.start == len(context) + deadline.start), None)
                changed = _deadline_changed(at, theirs) if at is not None else None
            if not changed:
                continue
            report.deadlines.append(deadline.written)
            marks.append((piece_end if piece_end < end else end, DEADLINE_MARK))
            break
        penal = [n for n in named if any(p.search(canon[n]) for p in _PENALTY.values())]
        if penal:
            missing = [
                kind
                for kind, pattern in _PENALTY.items()
                if pattern.search(claim) and not any(pattern.search(canon[n]) for n in named)
            ]
            if missing:
                report.penalties += [kind for kind in missing if kind not in report.penalties]
                marks.append((end, PENALTY_MARK))
            elif (
                _PENALTY_DENIED.search(claim)
                and not any(_PENALTY_DENIED.search(canon[n]) for n in penal)
                and not any(denied in claim_text for denied in report.negations)  # marked as such already
            ):
                report.negations.append(claim_text.strip())
                marks.append((end, NEGATION_MARK))
        segments = [segment for n in cited for segment in source_segments[n]]
        swapped = next((role for piece in _SEGMENT_END.split(claim) if (role := _role_swapped(piece, segments))), None)
        if swapped:
            report.roles.append(swapped)
            marks.append((end, ROLE_MARK))
    return marks


# Steps in an order (先通风、再检测、后作业; 检测合格后方可进入): what comes before what. A step is a few characters up
# to the next marker or punctuation; one step names another when they share a pair of characters (检测即可, 检测合格)
_STEP_TEXT = r"[^，,、。；;：:！!？?（）()先再后然]{1,8}"
_IN_SEQUENCE = re.compile(
    rf"先(?P<a>{_STEP_TEXT})[，,、]?(?:再|然后|之后|后)(?P<b>{_STEP_TEXT})"
    rf"(?:[，,、]?(?:再|然后|最后|之后|后)(?P<c>{_STEP_TEXT}))?"
)
_AFTER = re.compile(
    rf"(?P<a>[^，,、。；;：:！!？?（）()]{{1,6}}?)后[，,]?(?:方可|方能|才能|才可以|才可|再)(?P<b>{_STEP_TEXT})"
)
_MIN_STEP = 2  # characters a step names at least (通风)
_FORBIDDEN_ORDER = re.compile(r"(?:不得|禁止|严禁|不准|不许|不能|不允许|不可|不要|切勿)(?:再|又)?$")


def _order_pairs(text: str) -> set[tuple[str, str]]:
    """The (earlier, later) steps a canonical text puts in order; an order it forbids (不得先施工后报批) is the other
    way round."""
    pairs = set()
    for found in _IN_SEQUENCE.finditer(text):
        steps = [step for step in found.group("a", "b", "c") if step]
        if _FORBIDDEN_ORDER.search(text, max(0, found.start() - 4), found.start()):
            steps.reverse()
        pairs |= {(steps[i], steps[j]) for i in range(len(steps)) for j in range(i + 1, len(steps))}
    for found in _AFTER.finditer(text):
        pairs.add((found.group("a"), found.group("b")))
    return {(a, b) for a, b in pairs if len(a) >= _MIN_STEP and len(b) >= _MIN_STEP}


def _same_step(one: str, other: str) -> bool:
    return bool(_pairs(one) & _pairs(other))


def _check_order(
    text: str,
    chunks: list[StoredChunk],
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
) -> list[tuple[int, str]]:
    """A sentence resting on the sources that puts two steps in the other order than a source it cites does
    (先检测、后通风、再作业 for 先通风、再检测、后作业; 先进入再检测 for 检测合格后方可进入): the order is the rule.
    The marks for those (a quotation is checked word for word already)."""
    source_pairs = [_order_pairs(canonical(_fold(chunk.text))) for chunk in chunks]
    marks = []
    for start, end in _claims(text, quotes):
        claim_text = text[start:end]
        if any(s < end and start < e for s, e in checked):
            continue
        cited = basis.of(claim_text)
        if cited is None:
            continue
        theirs = [pair for n in cited for pair in source_pairs[n]]
        for earlier, later in _order_pairs(canonical(_fold(CITE.sub("", claim_text)))):
            reversed_ = any(_same_step(earlier, b) and _same_step(later, a) for a, b in theirs)
            kept = any(_same_step(earlier, a) and _same_step(later, b) for a, b in theirs)
            if reversed_ and not kept:
                report.orders.append(claim_text.strip())
                marks.append((end, ORDER_MARK))
                break
    return marks


def _check_inclusions(
    text: str,
    chunks: list[StoredChunk],
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
) -> list[tuple[int, str]]:
    """A bound whose number the sentence says in words is included or not (超过一百人的（含一百人）, 一百人及以上,
    100人（不含）以下) must put that number where the cited articles' bounds at it put it — by law 以上、以下、以内
    include the number and 超过、不足、不满 do not: 超过一百人的（含一百人） contradicts 超过一百人 (101 and up). A
    bound stated by its word alone is not held to this (一百人以上 for 超过一百人 is the common reading). The marks
    for those that do not. A bound word before the figure says it too, as people read it (不少于、至少、满 include
    the number, 超过、不足 do not: End.said)."""
    plain, origin = _without_emphasis(_fold(text))
    stated = [end for end in figure_check.ends(plain) if end.said]
    if not stated:
        return []
    source_ends = [figure_check.ends(_without_emphasis(_fold(chunk.text))[0]) for chunk in chunks]
    claims = _claims(text, quotes)
    claim_ends = [end for _, end in claims]
    marks = []
    for end in stated:
        start, stop = origin[end.start], _past_closing_emphasis(text, origin[end.end - 1] + 1)
        if any(s <= start < e for s, e in checked):
            continue
        cited = _cited_by_claim(text, claims, claim_ends, start, basis)
        if cited is None:
            continue
        theirs = [
            other
            for n in cited
            for other in source_ends[n]
            if other.value == end.value and (other.unit == end.unit or figure_check.UNSTATED in (other.unit, end.unit))
        ]
        if theirs and not any(figure_check.same_inclusion(end, other) for other in theirs):
            report.inclusions.append(text[start:stop].strip())
            marks.append((stop, INCLUSION_MARK))
    return marks


# what a sentence may open with before what it restates (依据《…》第X条，…): not part of what it restates
_LEAD_IN = re.compile(r"^(?:依据|根据|按照|依照|参照|按|据)")
# what may come before an article a sentence names as its basis (依据《…》第X条，…; 《…》第X条规定…), not as a
# part of what it says (未按照第二十四条规定设置…的，处…罚款)
_BASIS = re.compile(r"[\s>*_\-]*(?:(?:依据|根据|按照|依照|参照|按|据|依)[ \t]*)?(?:《[^《》\n]{1,60}》[ \t]*)?")
_NOT_TEXT = re.compile(r"[^\w]|_")
_PROVENANCE_MIN = 6  # character pairs a piece must hold to be compared with the sources
# a near copy of another source is miscited when at least this share of its pairs is in that source and in none it
# cites (what the two sources have in common, 应当设置…管理机构, says nothing of where it came from)
_PROVENANCE_OWN = 0.3


def _article_sources(mention: _Mention, chunks: list[StoredChunk]) -> set[int]:
    """The sources (0-based) that are an article a mention names (by number, 之X and title when named)."""
    return {
        n
        for n, chunk in enumerate(chunks)
        if chunk.unit == "article"
        and chunk.article_num in mention.numbers
        and chunk.article_sub in mention.subs
        and (mention.title is None or _titles_match(mention.title, chunk.title or chunk.doc_id))
    }


def _check_provenance(
    text: str, chunks: list[StoredChunk], quotes: list[re.Match], checked: list[tuple[int, int]], report: Verification
) -> list[tuple[int, str]]:
    """A sentence (or a piece of one, to ；) cited [n] must come from source n: it is marked when the articles it
    opens with as its basis are only other sources given (依据《特种设备安全法》第三十六条…[1], [1] being 安全生产法
    第二十四条; not 未按照第二十四条规定设置…的，处…罚款[2], naming what a penalty article punishes), or
    when it is a near copy (NEAR_COPY of its character pairs) of another source and not of those it cites
    (_PROVENANCE_OWN): the claim is tied to the source it came from, not only its figures and quotations."""
    if len(chunks) < 2:
        return []
    canon = [canonical(_fold(chunk.text)) for chunk in chunks]
    source_pairs = [_pairs(_NOT_TEXT.sub("", c)) for c in canon]
    marks = []
    for start, end in _claims(text, quotes):
        claim_text = text[start:end]
        whole = [n - 1 for n in cited_numbers(claim_text)]
        if not whole or any(s < end and start < e for s, e in checked):
            continue
        cuts = [start + m.start() for m in _PIECE_END.finditer(claim_text)]
        for piece_start, piece_end in zip([start, *(c + 1 for c in cuts)], [*cuts, end], strict=True):
            piece = text[piece_start:piece_end]
            cited = [n - 1 for n in cited_numbers(piece)] or whole
            body = CITE.sub("", piece)
            mentions = _mentions(body)
            basis = [m for m in mentions if _BASIS.fullmatch(_fold(body[: m.start]))]
            named = [_article_sources(m, chunks) for m in basis]
            origin = None
            resolved = [_article_sources(m, chunks) for m in mentions]
            if named and all(named) and not any(set(cited) & sources for sources in resolved):
                written = [canonical(m.label) for m in mentions]
                if not any(label and label in canon[n] for n in cited for label in written):
                    origin = min(named[0])
            if origin is None:
                for mention in sorted(mentions, key=lambda m: m.start, reverse=True):
                    body = body[: mention.start] + body[mention.end :]
                body = _LEAD_IN.sub("", _NOT_TEXT.sub("", canonical(_fold(body))))
                pairs = _pairs(body)
                if len(pairs) < _PROVENANCE_MIN:
                    continue
                shares = [len(pairs & p) / len(pairs) for p in source_pairs]
                best = max(range(len(chunks)), key=lambda n: shares[n])
                theirs = set().union(*(source_pairs[n] for n in cited))
                own = len(pairs & source_pairs[best] - theirs)
                if best in cited or shares[best] < NEAR_COPY or own < _PROVENANCE_OWN * len(pairs):
                    continue
                origin = best
            report.miscited.append((cited[0] + 1, short_citation(chunks[origin])))
            marks.append((piece_end if piece_end < end else end, SOURCE_MARK))
    return marks


# a law or a decree a sentence names as its basis: after 根据, 依据 … (根据《特种设备安全法》, 依照国务院第493号令), or
# before 规定 (《特种设备安全法》规定…, 《特种设备安全法》：…); not one whose article it names (checked as an article
# mention), nor a title that is no law's (《安全生产许可证》: LAW_TITLE_ENDS, or a name the knowledge pack knows)
_DECREE_NUMBER = r"\d+|[零〇一二两三四五六七八九十百]+"
_DECREE = (
    rf"(?:中华人民共和国)?国务院令?[ \t]*第?[ \t]*(?:{_DECREE_NUMBER})[ \t]*号令?"
    rf"|(?<![部局委厅会署办府])第?[ \t]*(?:{_DECREE_NUMBER})[ \t]*号令"
)
_BASIS_WORD = r"(?:依据|根据|按照|依照|参照|遵照|遵循|按|据|依)"
_NAMED = re.compile(
    rf"{_BASIS_WORD}[ \t]*(?:(?P<decree>{_DECREE})|《(?P<title>[^《》\n]{{1,60}})》)"
    rf"|《(?P<title2>[^《》\n]{{1,60}})》(?=[ \t]*(?:的)?(?:有关|相关)?(?:规定|要求|明确|指出|[：:]))"
    rf"|(?P<decree2>(?:中华人民共和国)?国务院令?[ \t]*第?[ \t]*(?:{_DECREE_NUMBER})[ \t]*号令?)"
    r"(?=[ \t]*(?:的)?(?:规定|要求))"
)
LAW_TITLE_ENDS = (
    "法", "条例", "规定", "办法", "细则", "决定", "规则", "规程", "标准", "规范", "准则", "通知", "意见", "解释",
    "令", "纲要", "制度",
)  # fmt: skip
_ARTICLE_AFTER = re.compile(rf"[ \t]*(?:第[ \t]*)?{_SPACED_NUM}[ \t]*条")


def _decree_number(written: str) -> int | None:
    number = re.search(_DECREE_NUMBER, written)
    if number is None:
        return None
    return int(number.group()) if number.group().isdigit() else _numeral(number.group())


@dataclass
class _AliasNames:
    """The documents a decree number names (493 -> 生产安全事故报告和调查处理条例) and those a short name names
    (事故报告条例 -> …), from the knowledge pack's aliases (read once per reply)."""

    decrees: dict[int, list[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, aliases: dict[str, list[str]]) -> _AliasNames:
        known = cls()
        for name, written in aliases.items():
            for alias in written:
                number = _decree_number(alias) if "号" in alias else None
                if number is not None:
                    known.decrees.setdefault(number, []).append(name)
                else:
                    known.names.setdefault(_title_key(alias), []).append(name)
        return known


def _names_source(named: str, decree: bool, chunk: StoredChunk, known: _AliasNames) -> bool | None:
    """Whether a law or a decree a sentence names is the document of a source: True, False, or None when it cannot
    be told (a decree number the knowledge pack does not know, for a document that may be one)."""
    decrees, names = known.decrees, known.names
    title = chunk.title or chunk.doc_id
    if decree:
        number = _decree_number(named)
        if number is not None and f"{number}号" in canonical(_fold(chunk.text)):
            return True
        meant = decrees.get(number or -1)
        if meant:
            return any(_titles_match(name, title) for name in meant)
        return False if chunk.kind == "法律" and "国务院" in named else None  # a law is no State Council decree
    named = named.strip("《》")
    if _titles_match(named, title) or _titles_match(title, named) or _title_key(named) in canonical(_fold(chunk.text)):
        return True  # (a plan citing the law it follows names it in its text)
    return any(_titles_match(name, title) for name in names.get(_title_key(named), []))


def _check_named_sources(
    text: str,
    chunks: list[StoredChunk],
    quotes: list[re.Match],
    checked: list[tuple[int, int]],
    report: Verification,
    basis: _Basis,
    known: _AliasNames,
    marked: list[tuple[int, str]],
) -> list[tuple[int, str]]:
    """A sentence (or a piece of one, to ；) naming a law or a decree as its basis must rest on that law: the source
    it cites ([n]: 根据《特种设备安全法》，…[1], [1] being 安全生产法, or 依照国务院第493号令, …[1]), or, citing none,
    the source it is a near copy of. The marks for those that do not (a piece marked as from another source already
    is left alone)."""
    marks = []
    for start, end in _claims(text, quotes):
        claim_text = text[start:end]
        if any(s < end and start < e for s, e in checked):
            continue
        whole = [n - 1 for n in cited_numbers(claim_text)]
        cuts = [start + m.start() for m in _PIECE_END.finditer(claim_text)]
        for piece_start, piece_end in zip([start, *(c + 1 for c in cuts)], [*cuts, end], strict=True):
            if any(piece_start <= p <= piece_end for p, _ in marked):
                continue
            piece = text[piece_start:piece_end]
            body = _fold(CITE.sub("", piece))
            named = []
            for match in _NAMED.finditer(body):
                title = match.group("title") or match.group("title2")
                if title and _ARTICLE_AFTER.match(body, match.end()):
                    continue  # 《…》第X条: an article mention, checked as one
                if title and not (_title_key(title).endswith(LAW_TITLE_ENDS) or _title_key(title) in known.names):
                    continue  # 《安全生产许可证》: a document, no law
                if title:
                    named.append((f"《{title}》", False))
                else:
                    named.append(((match.group("decree") or match.group("decree2")).strip(), True))
            if not named:
                continue
            cited = [n - 1 for n in cited_numbers(piece)] or whole
            if not cited and basis.uncited:
                cited = basis.near(piece)
            if not cited:
                continue
            for written, decree in named:
                verdicts = [_names_source(written, decree, chunks[n], known) for n in cited]
                if any(v is not False for v in verdicts):
                    continue
                meant = known.decrees.get(_decree_number(written) or -1) if decree else None
                shown = f"{written}（即《{meant[0]}》）" if meant else written
                report.misnamed.append((cited[0] + 1, shown, short_citation(chunks[cited[0]])))
                marks.append((piece_end if piece_end < end else end, NAMED_SOURCE_MARK))
                break
    return marks


def notes(report: Verification, sources_given: int) -> list[str]:
    """What the check found, as the lines an answer or a draft shows under 核验."""
    found = []
    if report.removed:
        found.append(
            f"已删除无法对应资料的引用编号：{'、'.join(n if isinstance(n, str) else f'[{n}]' for n in report.removed)}"
            f"（只提供了 {sources_given} 条资料）"
        )
    if report.unrelated:
        numbers = "、".join(f"[{n}]" for n in report.unrelated)
        found.append(f"引用范围（如[1-9]）中与所在句子无关的资料编号已删除：{numbers}")
    if report.misquotes:
        found.append(f"{len(report.misquotes)} 处引文未能在所引条文中逐字核对，已标注")
    if report.unknown_articles:
        found.append(
            f"{len(report.unknown_articles)} 处提到的条文不在所给资料中，已标注：{'、'.join(report.unknown_articles)}"
        )
    if report.unknown_standards:
        found.append(
            f"{len(report.unknown_standards)} 处提到的标准不在所给资料中，已标注：{'、'.join(report.unknown_standards)}"
        )
    if report.figures:
        found.append(
            f"{len(report.figures)} 处数字未能在所引条文中核对，已标注：{'、'.join(dict.fromkeys(report.figures))}"
        )
    if report.dates:
        found.append(
            f"{len(report.dates)} 处日期未能在所引条文中核对，已标注：{'、'.join(dict.fromkeys(report.dates))}"
        )
    if report.cases:
        found.append(
            f"{len(report.cases)} 处数字在所引条文中属于另一种情形（条文对不同情形规定了不同数字），已标注："
            f"{'、'.join(dict.fromkeys(report.cases))}"
        )
    if report.negations:
        found.append(f"{len(report.negations)} 处说法与所引条文的应当、不得、可以或肯定、否定不一致，已标注")
    if report.foreign:
        found.append(f"{len(report.foreign)} 句不是中文，无法与所引条文核对，已标注")
    if report.qualified:
        found.append(
            f"{len(report.qualified)} 处说法加了所引条文没有的例外或限定（{'、'.join(report.qualifiers)}），已标注"
        )
    if report.deadlines:
        found.append(
            f"{len(report.deadlines)} 处时限与所引条文不一致，已标注：{'、'.join(dict.fromkeys(report.deadlines))}"
        )
    if report.penalties:
        found.append(f"提到了所引条文没有规定的处罚（{'、'.join(report.penalties)}），已标注")
    if report.roles:
        roles = "、".join(dict.fromkeys(report.roles))
        found.append(f"{len(report.roles)} 处说法中的人员或部门与所引条文不一致，已标注：{roles}")
    if report.orders:
        found.append(f"{len(report.orders)} 处说法的先后顺序与所引条文不一致，已标注")
    if report.inclusions:
        found.append(
            f"{len(report.inclusions)} 处“含/不含本数”与所引条文不一致"
            f"（超过、不足、不满不含本数，以上、以下、以内、不少于、至少、满含本数），已标注："
            f"{'、'.join(dict.fromkeys(report.inclusions))}"
        )
    if report.miscited:
        where = "、".join(dict.fromkeys(f"标注[{n}]，实际出自{origin}" for n, origin in report.miscited))
        found.append(f"{len(report.miscited)} 处说法与所注编号的资料不符，已标注：{where}")
    if report.misnamed:
        where = "、".join(dict.fromkeys(f"称依据{named}，而[{n}]是{cite}" for n, named, cite in report.misnamed))
        found.append(f"{len(report.misnamed)} 处句中所称的法规与所依据的资料不符，已标注：{where}")
    if report.images_removed or report.links_removed:
        removed = [f"{report.images_removed} 张图片" if report.images_removed else ""]
        removed.append(f"{report.links_removed} 个链接的地址" if report.links_removed else "")
        found.append(f"已移除回复中的 {'、'.join(r for r in removed if r)}（不加载外部图片，不显示外部链接）")
    return found


__all__ = [
    "CASE_MARK",
    "CITE",
    "DATE_MARK",
    "DEADLINE_MARK",
    "FIGURE_MARK",
    "INCLUSION_MARK",
    "MISQUOTE_MARK",
    "NAMED_SOURCE_MARK",
    "PENALTY_MARK",
    "ROLE_MARK",
    "SOURCE_MARK",
    "UNKNOWN_ARTICLE_MARK",
    "UNKNOWN_STANDARD_MARK",
    "Verification",
    "canonical",
    "notes",
    "verify",
]
