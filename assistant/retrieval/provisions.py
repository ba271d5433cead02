"""What kind of provision a question asks for, and what kind an article is: a penalty (法律责任), a
definition (…是指…), or a duty. A question asking how an offence is punished is answered by a penalty
provision, one asking whether something counts as X by a definition."""

from __future__ import annotations

import re

from ingest.articles import LABEL, LEADING_LABEL, paragraph_openings, parse_article
from ingest.cleaning import normalise_for_index
from ingest.store import StoredChunk

PENALTY = "penalty"
DEFINITION = "definition"
DUTY = "duty"

_ASKS_PENALTY = re.compile(
    r"罚|追究|处分|吊销|法律后果|什么后果|判刑|判(?:几|多少|多久)|刑事责任|坐牢|拘留|拘役|徒刑"  # 罚: 罚款, 会被罚吗
    r"|会被?(怎么|怎样|如何|咋)处理|被(怎么|怎样|如何|咋)处理|什么法律责任|(担|负|承担)(什么|哪些|啥)法律责任"
    # what happens once caught (被查到的话会怎么样, 被发现了会咋样): the consequence of a breach
    r"|被(?:查|抓|发现|举报)[^，。？?！!]{0,4}?(?:会|要|将)?(?:怎么样|怎样|咋样|咋办)"
    # how someone is dealt with (对这个主要负责人可以怎么处理, 对企业如何处理): the sanction on them
    r"|对[^，。？?！!；]{0,10}?(?:人|员|单位|企业|公司|老板|厂|机构|者)(?:可以|应当|应该|会|要|该)?(?:怎么|怎样|如何|咋)处理"
    # a person dealt with (法律上怎么处理他, 这种人怎么处理)
    r"|(?:怎么|怎样|如何|咋)处理(?:他|她|老板|这个人|这种人)|(?:这种人|这个人|这人)(?:该|要|会)?(?:怎么|怎样|如何|咋)处理"
)
# what responsibility someone bears (负什么责任) is a liability asked about after a breach or an accident (出了问题校长
# 要担什么责任); asked of no wrong done (主要负责人对本单位的安全生产工作负什么责任), it is the duty (全面负责)
_ASKS_RESPONSIBILITY = re.compile(r"(担|负|承担)(什么|哪些|啥)责任")
# who pays (找谁赔, 谁来承担) after a breach or a duty undone (单位不给买工伤保险，受伤了找谁赔) is a liability
# too; after an accident alone (事故救援的费用由谁承担) it is who bears a cost
_ASKS_PAYER = re.compile(r"谁来?(赔|承担|买单)")
# and who pays (谁出, 谁来付) for a harm done (受伤了、出了事故) after a duty undone: not the cost of the duty itself
# (没给做离岗体检，体检钱归谁出 asks the duty's cost)
# (or what compensation the harmed gets: 没营业执照的作坊…帮工被炸伤了手…能拿到啥赔偿, which the provision on the
# unlicensed unit's liability states)
_ASKS_PAYER_OF_HARM = re.compile(r"谁来?(出钱|出|付|掏)|(?:什么|啥|哪些)(?:赔偿|补偿)")
_HARMED = re.compile(r"受伤|伤了|工伤|出了?事|事故|死亡|死了|骨折|残疾|伤残")
# a breach of the rules; a wrong done is one, a duty left undone (未、没、不给) or an accident
_BREACH = (
    r"违反|违法|违规|违章|不依照|不按|未按|未经|拒不|阻碍|擅自|隐瞒|谎报|迟报|漏报|瞒报|不报|失职|渎职"
    # acting without the permit or certificate required (未取得安全生产许可证, 没拿到公安的安全许可就开办了)
    r"|(?:未|没有?)(?:取得|拿到|领到|办理|办下)"
    # fleeing or leaving one's post when an accident happens (逃匿, 跑路, 擅离职守), which the law punishes
    r"|逃匿|逃逸|潜逃|跑路|擅离职守"
)
_UNDONE = re.compile(rf"{_BREACH}|未|没|不给")
_WRONG_DONE = re.compile(rf"{_UNDONE.pattern}|出了|出事|发生|造成|导致|事故|逃")
# how a breach is dealt with (不依照规定保证资金投入，怎么处理) asks its penalty; how a thing is handled
# (用不完的怎么处理, 发现事故隐患怎么处理) asks the duty
_ASKS_HANDLING = re.compile(r"(怎么|怎样|如何|咋)处理")  # 咋, said for 怎么
_BREACHED = re.compile(_BREACH)
_ASKS_DEFINITION = re.compile(
    r"算不算|算是|属不属于|属于不属于|是不是|是什么|指什么|什么是|什么叫|什么样的|含义|定义|怎么界定|如何界定"
)
# what a term means, not whether something counts as it (算不算、是不是: the provision defining it decides)
_ASKS_MEANING = re.compile(r"是什么|指什么|指的是|什么是|什么叫|叫什么|什么意思|啥意思|含义|定义")
# where the law states a term, or how it states it (一岗双责是怎么要求的, 四不放过的依据是什么, 依据哪一条): the
# articles carrying it answer; not what is required of something (应急预案有什么要求: the provisions on it compete),
# nor the law a question is asked under (依据《安全生产法》，主要负责人负有哪些职责)
_ASKS_BASIS = re.compile(
    r"的依据|依据是|什么依据|何依据|依据哪|根据(?:什么|哪)|出处|出自|哪条|哪一条|第几条|(怎么|如何|怎样)(要求|规定)的"
)
# a fine a clause imposes (处五万元以上十万元以下的罚款, 处以一万元以上三万元以下的罚款): the sum of a penalty
FINE = re.compile(r"处以?[^。；]{0,40}?罚款")
# a sanction's term: detention, a sentence, a ban from office or from practice (处十五日以下拘留, 处三年以下有期徒刑或者
# 拘役, 五年内不得担任…主要负责人, 5年内不予注册, 责令停止执业3个月以上1年以下): a period the law sets as punishment,
# not the period of a duty
TERM = re.compile(r"[^，。；]{0,16}?(?:拘留|有期徒刑|拘役|管制|不得担任|不予注册|年内不得)|停止执业[^，。；]{0,16}")
# (a criminal sentence is a penalty too: 处三年以下有期徒刑或者拘役; and so is a public apology ordered of those
# responsible for an accident, wherever a text places it: 深圳's is among its 监督管理措施, not in 法律责任)
_PENALTY_TEXT = re.compile(
    r"罚款|依法追究|给予[^。；]{0,10}处分|吊销|没收违法所得|责令停产停业整顿|有期徒刑|拘役|从[轻重]处罚|减轻处罚|免除处罚"
    r"|公开道歉"
)
# the words of a sanction, which every penalty provision writes whatever offence it punishes
SANCTION = re.compile(r"罚|改正|逾期|责令|处分|吊销|没收|停产|停业|整顿|拘留|徒刑|拘役|追究")
_DEFINITION_TEXT = re.compile(r"是指|所称|含义|下列用语")


# a penalty someone has received, said of them (被判刑的人员, 被罚款的企业): who they are, not what is asked (…能否宣告
# 从业禁止); 被罚款的话 is a condition, still asking what follows
_RECEIVED = re.compile(r"被[^，。？?；]{0,4}?(?:判刑|判处|罚款|处罚|处分|吊销|追究)[^，。？?；]{0,8}?的(?!话)")


# a breach found out (被查到, 查出来了, 被人举报), and by whom (被市场监管查到, 消防检查查到了): how any penalty comes
# to be imposed, not which offence it is for
_FOUND_OUT = re.compile(
    r"被[^，。；？?！!]{0,6}(?:查到|查出来|查出|查处|查住|抓到|抓住|抓|查|发现|举报|曝光)了?"
    r"|(?:[\u4e00-\u9fff]{0,4}检查)?(?:查|抓)(?:到|出来|住)了?"
)


def without_found_out(part: str) -> str:
    """A part asking a penalty without the words telling the breach was found out (企业…瞒着不报，被查出来单位要罚多
    少: 查出来 holds no offence, and no provision writes it); any other part as it is."""
    return _FOUND_OUT.sub("，", part) if provision_asked(part) == PENALTY else part


def provision_asked(question: str) -> str | None:
    question = _RECEIVED.sub("", question)
    if (
        _ASKS_PENALTY.search(question)
        or (_ASKS_RESPONSIBILITY.search(question) and _WRONG_DONE.search(question))
        or (_ASKS_PAYER.search(question) and _UNDONE.search(question))
        or (_ASKS_PAYER_OF_HARM.search(question) and _HARMED.search(question) and _UNDONE.search(question))
        or (_ASKS_HANDLING.search(question) and _BREACHED.search(question))
    ):
        return PENALTY
    if _ASKS_DEFINITION.search(question):
        return DEFINITION
    return None


def asks_basis(question: str) -> bool:
    """Whether the question asks what the law requires of a term or where it rests (…是怎么要求的, …的依据)."""
    return bool(_ASKS_BASIS.search(question))


_SENTENCES = re.compile(r"[^。！？!?；;\n]+")


def asks_of_term(question: str, names: list[str], meaning_only: bool = False) -> bool:
    """Whether the question asks what a term means (or, unless ``meaning_only``, where or how the law states it) of
    the term itself: the sentence asking names it (四不放过是什么, 事故处理讲的“四不放过”原则，依据是什么). A term
    named in passing in another sentence is not what is asked (生产经营单位新建…同时投入生产和使用。这个规定叫什么？
    asks the rule's name, not what a 生产经营单位 is)."""
    keys = [normalise_for_index(n) for n in names]
    for sentence in _SENTENCES.findall(question):
        said = normalise_for_index(sentence)
        if not any(k in said for k in keys):
            continue
        if _asked_of(said, keys, _ASKS_MEANING, _TO_TERM) or (
            not meaning_only and _asked_of(said, keys, _ASKS_BASIS, _TO_RULE)
        ):
            return True
    return False


# what may stand between a term and the words asking what it means (“三同时”是什么意思, 什么是本质安全, 四不放过这个
# 词指的是): quotation marks, 的, and words that name no other thing
_PLAIN = r"[“”\"'「」『』]|的|是|这个词|这个概念|这个术语|一词|究竟|到底|具体|通常|一般"
_TO_TERM = rf"(?:{_PLAIN})*"
# and the words asking where or how the law states it (四不放过的依据是什么, “四不放过”原则，在法规里的依据是什么): the
# kind of rule the term names, and where it is written
_TO_RULE = rf"(?:{_PLAIN}|原则|制度|要求|规定|理念|方针|一?条|在|法律|法规|条文|里|中|[，,])*"


def _asked_of(said: str, keys: list[str], asking: re.Pattern[str], between: str) -> bool:
    """Whether the words asking ask it of one of the terms: next to it, not of another thing named between them
    (应急预案演练频次要求是什么 asks the frequency, not what an 应急预案 is; 特种设备使用登记的办理时限是怎么规定的
    asks how the time limit is set, not how the law states 特种设备)."""
    for found in asking.finditer(said):
        before, after = said[: found.start()], said[found.end() :]
        for key in map(re.escape, keys):
            if re.search(f"{key}{between}$", before) or re.match(f"{between}{key}", after):
                return True
    return False


# the parties a penalty falls on: the unit (生产经营单位, 事故发生单位) or a person in it (主要负责人, 直接责任人员)
UNIT, PERSON = "unit", "person"
_PERSON_WORDS = r"负责人|责任人|人员|个人|老板|厂长|经理|矿长|法定代表人|法人代表|投资人"
_UNIT_WORDS = r"单位|企业|公司|工厂|厂子|矿山|煤矿"
# asked of a party: 对单位处多少罚款, 企业会被罚多少, 对主要负责人如何处罚, 老板个人要罚多少
_OF_PERSON = rf"的?(?:主要|直接)?(?:{_PERSON_WORDS})"  # 单位的主要负责人 is a person
_PARTY_ASKED = {
    UNIT: re.compile(
        rf"(?:对|给)[^，。？?；]{{0,6}}?(?:{_UNIT_WORDS})(?!{_OF_PERSON})"
        rf"|(?:{_UNIT_WORDS})(?!{_OF_PERSON})[^，。？?；]{{0,6}}?(?:处|罚)"
    ),
    PERSON: re.compile(
        rf"(?:对|给)[^，。？?；]{{0,6}}?(?:{_PERSON_WORDS})|(?:{_PERSON_WORDS})[^，。？?；]{{0,6}}?(?:处|罚)"
    ),
}
# a fine laid on whom it names (对事故发生单位处100万元以上…; 对其直接负责的主管人员…处二万元以上…的罚款)
_FINED = re.compile(r"对([^，。；：]{1,30}?)(?:处以?|并处)[^。；]{0,40}?罚款")
_CONDITION = re.compile(r"^[^。；]*?的，")  # a sentence's condition: who did what (生产经营单位的主要负责人…的，)


# both named together (单位和负责人个人分别怎么罚, 对企业及其主要负责人)
_BOTH_ASKED = re.compile(
    rf"(?:{_UNIT_WORDS})(?:和|与|以及|及其?|、|跟)[^，。？?；]{{0,4}}?(?:{_PERSON_WORDS})"
    rf"|(?:{_PERSON_WORDS})(?:和|与|以及|及|、|跟)[^，。？?；]{{0,4}}?(?:{_UNIT_WORDS})"
)


# who bears a provision's duty, named at the head of its first sentence: a government or its departments (县级以上人民
# 政府应当加强…, 负有安全生产监督管理职责的部门…) or the units governed (生产经营单位, …储存、运输单位，矿山…)
GOVERNMENT = "government"
_GOVERNMENT_HEAD = re.compile(
    r"^(?:国务院|(?:县级以上|地方各级|各级|省|市|县|乡|镇|设区的市)[^，。；]{0,20}?(?:人民政府|部门|机关|机构)"
    r"|负有[^，。；]{0,20}?职责的部门|(?:应急管理|安全生产监督管理)部门)"
)
_UNIT_HEAD = re.compile(rf"{_UNIT_WORDS}|承办者|经营者")
_DUTY = re.compile(r"应当|必须|不得|严禁|禁止")  # the words laying a duty, after whom it binds
_HEAD_CHARS = 60  # where the subject of a first sentence is written, listing kinds of units as 第十条 does
# a unit asking of itself (我们是一家小型建筑施工企业…, 我们厂…, 我开了家饭店), not an officer (县应急管理局…, 执法)
_AS_UNIT = re.compile(
    r"我们(?:是|这|那)?[^，。？?！!]{0,20}?(?:公司|企业|厂|店|单位|作坊|工地|项目部|商场|酒店|饭店|仓库)|我[^，。？?！!]{0,6}?(?:开|办)了"
)
_AS_OFFICER = re.compile(r"政府|应急(?:管理)?局|监管部门|执法|安委办|我们局|街道|乡镇")


def duty_bearers(chunk: StoredChunk) -> set[str]:
    """Whom an article's paragraphs bind, each named at the head of its first sentence: GOVERNMENT (a government or a
    department) and UNIT (the units governed). 消防法第十七条 binds both: the 消防救援机构 names the 消防安全重点单位,
    which then have duties of their own. Empty when no head names either (a plan passage has none)."""
    if chunk.unit != "article":
        return set()
    bearers = set()
    for index, opening in enumerate(paragraph_openings(chunk.text)):
        head = LEADING_LABEL.sub("", opening)[:_HEAD_CHARS]
        if index:  # a later paragraph binds the units it names before its duty (not 国家鼓励和支持生产经营单位…)
            head = _DUTY.split(head, maxsplit=1)[0] if _DUTY.search(head) else ""
        if _GOVERNMENT_HEAD.match(head):
            bearers.add(GOVERNMENT)
        elif _UNIT_HEAD.search(head):
            bearers.add(UNIT)
    return bearers


def asked_as_unit(question: str) -> bool:
    """Whether a unit asks of itself (我们是一家…企业，…必须…吗), not an officer of a government or department."""
    return bool(_AS_UNIT.search(question)) and not _AS_OFFICER.search(question)


def parties_asked(part: str) -> set[str]:
    """The parties a question part asks the penalty of: the unit, a person in it, both (单位和负责人个人分别怎么罚),
    or none named."""
    if _BOTH_ASKED.search(part):
        return {UNIT, PERSON}
    return {party for party, asking in _PARTY_ASKED.items() if asking.search(part)}


def parties_fined(text: str) -> set[str]:
    """The parties a provision fines: those it names (对…处…罚款), and where a fine names none, the one its sentence
    is about (生产经营单位的主要负责人…的，…处上一年年收入百分之六十至百分之一百的罚款: a person; 生产经营单位有下列
    行为之一的，…处十万元以下的罚款: the unit), or either when it names neither. A sentence going on about the same
    party (…的，处二万元以上五万元以下的罚款；逾期未改正的，处五万元以上…的罚款) is about the one before it. A share of
    a year's income is a person's fine."""
    parties = set()
    for paragraph in text.splitlines():
        before: set[str] = set()  # the party the paragraph's sentence before was about
        for sentence in _SENTENCES.findall(paragraph):
            named = list(_FINED.finditer(sentence))
            for found in named:
                parties.add(PERSON if re.search(_PERSON_WORDS, found.group(1)) else UNIT)
            condition = _CONDITION.match(sentence)
            about = condition.group(0) if condition else sentence
            if re.search(_PERSON_WORDS, about) or "年收入" in sentence:
                before = {PERSON}
            elif re.search(_UNIT_WORDS, about):
                before = {UNIT}
            elif named:
                before = set()
            if not named and FINE.search(sentence):
                # whoever did it (在禁止燃放的时间、地点燃放烟花爆竹的，…处100元以上500元以下的罚款)
                parties |= before or {UNIT, PERSON}
    return parties


# an offence that is a breach having caused an accident (…未履行…职责，导致发生生产安全事故的; 对事故发生负有责任的…)
_CAUSED = re.compile(r"(?:导致|造成|发生)[^，。；]{0,12}事故|事故发生|对事故负有")
# a question telling that harm happened: an accident, a death, an injury, or an accident of a kind the statistics
# count (踩踏, 高处坠落, 触电, 淹溺, 灼烫, 冒顶, 透水, 物体打击) told in everyday words
_HARM_TOLD = re.compile(
    rf"{_HARMED.pattern}|伤亡|身亡|遇难|爆炸|着火|起火|火灾|坍塌|中毒|窒息|人命"
    r"|踩踏|挤踏|伤人|伤着|坠落|摔下|掉下来|触电|电死|淹溺|溺水|淹死|冒顶|透水|倒塌"
    # an injury or a death told by how it was done (压断了手指, 被机器绞伤, 撞死, 没救过来)
    r"|[压轧绞夹割划碾扎炸烧撞碰摔挤烫刮砸]伤|[压轧砸夹绞]断|[烧炸撞挤闷砸压]死|没救过来|截肢"
)


def for_accident(text: str) -> bool:
    """Whether a penalty provision punishes a breach only once it has caused an accident: the condition of its first
    sentence says so (安全生产法第九十五条's …未履行本法规定的安全生产管理职责，导致发生生产安全事故的; not 第九十四条's
    …未履行本法规定的安全生产管理职责的, whose later sentence on an accident is a further penalty)."""
    first = _SENTENCES.search(LEADING_LABEL.sub("", text.lstrip()))
    condition = _CONDITION.match(first.group(0)) if first else None
    return bool(condition and _CAUSED.search(condition.group(0)))


# whether something is a crime, or its criminal liability (会构成犯罪吗, 追刑责, 判几年, 坐牢): 刑事责任, not a fine
_ASKS_CRIME = re.compile(r"犯罪|刑事责任|刑责|判刑|判(?:几|多少|多久)|坐牢|入刑|徒刑|拘役|罪")
# what is said to be no crime (尚不构成犯罪的, 还不构成犯罪的): the penalty below the criminal law is asked
_NO_CRIME = re.compile(r"(?:不|未|没有?)(?:构成|够)犯罪|不够判刑")


def asks_crime(question: str) -> bool:
    """Whether a question asks whether something is a crime or what criminal liability it carries (not one telling
    that it is none: 过失引起火灾、还不构成犯罪的，要拘留几天？)."""
    return bool(_ASKS_CRIME.search(_NO_CRIME.sub("", question)))


def tells_of_harm(question: str) -> bool:
    """Whether a question tells that harm happened (an accident, a death, an injury, a fire)."""
    return bool(_HARM_TOLD.search(question))


# a provision disciplining officials: its first condition names the staff of an organ (…颁发管理机关工作人员有下列行为
# 之一的; 负有安全生产监督管理职责的部门的工作人员…) and it gives them 处分, the sanction of state staff
_OFFICIALS = r"(?:机关|部门|政府|机构)(?:的|及其)?(?:工作人员|负责人)|国家工作人员|公职人员|监察人员|执法人员"
_OFFICIALS_CONDITION = re.compile(rf"^[^。；]*?(?:{_OFFICIALS})[^。；]*?的，")
# a question asking about officials: their people, or what only an official does wrong (玩忽职守, 徇私舞弊)
_OFFICIALS_ASKED = re.compile(rf"{_OFFICIALS}|公务员|干部|官员|监管人员|审批人员|渎职|玩忽职守|滥用职权|徇私舞弊")


# a breach of a government or a department itself (有关地方人民政府、负有安全生产监督管理职责的部门，对生产安全事故
# 隐瞒不报…的): its staff are disciplined for it
_GOVERNMENT_BREACH = re.compile(
    r"^(?:有关|县级以上|各级|地方)*(?:人民政府|[^。；，]{0,20}?部门)(?:[、，和及]|有下列|未|对|不)"
)


def disciplines_officials(text: str) -> bool:
    """Whether a penalty provision disciplines the staff of a government or department (行政处分) for their own or
    their office's breach, not a unit or a person in it: what an enterprise's breach costs it is no such provision's
    to say."""
    body = LEADING_LABEL.sub("", text.strip())
    return bool(_OFFICIALS_CONDITION.match(body) or _GOVERNMENT_BREACH.match(body)) and "处分" in body


def asks_of_officials(question: str) -> bool:
    """Whether a question asks about officials (监管人员, 审批的工作人员, 玩忽职守)."""
    return bool(_OFFICIALS_ASKED.search(question))


# a provision punishing a service agency: its first condition names an agency doing checks, appraisals or services
# for others (特种设备检验、检测机构及其检验、检测人员有下列行为之一的; 承担安全评价、认证、检测、检验职责的机构出具
# 失实报告的), and no unit governed beside it (…使用单位或者检验、检测机构拒不接受…监督检查的 punishes either)
_AGENCY = r"(?:检验|检测|评价|认证|鉴定|技术服务|诊断|咨询|培训)[^。；，]{0,12}?机构"
_AGENCY_CONDITION = re.compile(rf"^[^。；]*?{_AGENCY}[^。；]*?的，")
_AGENCY_ASKED = re.compile(r"机构|检验|检测|评价|认证|鉴定|技术服务|诊断|咨询|中介|培训")


def penalises_agency(text: str) -> bool:
    """Whether a penalty provision punishes an agency serving others (a 检验检测机构, an 安全评价机构) for its own
    breach, not a unit governed: what an enterprise's breach costs it is no such provision's to say."""
    body = LEADING_LABEL.sub("", text.strip())
    condition = _AGENCY_CONDITION.match(body)
    return condition is not None and not _UNIT_HEAD.search(condition.group(0))


def asks_of_agency(question: str) -> bool:
    """Whether a question asks about an agency serving others or its work (检测机构, 安全评价, 出具报告的中介)."""
    return bool(_AGENCY_ASKED.search(question))


def punishes_whom_asked(text: str, question: str) -> bool:
    """Whether a penalty provision may punish whom a question asks about: the discipline of state staff answers a
    question about officials only, an agency's penalty for its own work one about such agencies only."""
    if disciplines_officials(text) and not asks_of_officials(question):
        return False
    return not (penalises_agency(text) and not asks_of_agency(question))


# what a text covers and what it leaves to others (…不适用本法; 本条例适用于…; …参照本法执行): said of the text itself
_SCOPE_TEXT = re.compile(
    r"不适用本(?:法|条例|规定|办法)|本(?:法|条例|规定|办法)适用于|适用本(?:法|条例|规定|办法)|参照本(?:法|条例|规定|办法)"
)
_DUTY_TEXT = re.compile(r"应当|必须|不得|严禁|禁止")
# a question asking what a text covers or who oversees a thing (对我们适用吗, 归哪个部门管, 算不算特种设备)
_ASKS_SCOPE = re.compile(
    r"适用|管不管|归(?:哪|谁|什么)|(?:哪个|哪些|什么)部门(?:来)?(?:管|监管|主管|负责监管)|谁(?:来)?(?:管|监管|负责监管)"
    r"|算不算|属不属于|属于不属于|包不包括|包括不包括|在不在(?:[^，。？?]{0,8})范围"
)


def states_scope(text: str) -> bool:
    """Whether a provision says only what its text covers or leaves to other laws (军事装备…使用的特种设备安全的监督管理
    不适用本法), laying no duty itself."""
    body = LEADING_LABEL.sub("", text.strip())
    return bool(_SCOPE_TEXT.search(body)) and not _DUTY_TEXT.search(body)


def asks_scope(question: str) -> bool:
    """Whether a question asks what a text covers or who oversees something (…对我们适用吗？归哪个部门管？)."""
    return bool(_ASKS_SCOPE.search(question))


# an article of the same text a provision names (违反本条例第三十条第一款规定的; 未依照本法第二十六条规定…)
_NAMED_ARTICLE = re.compile(rf"本(?:法|条例|规定|办法|细则)({LABEL})")


def punishes(penalty: StoredChunk, duty: StoredChunk) -> bool:
    """Whether a penalty provision names the duty's article as the one whose breach it punishes (生产经营单位违反本条例
    第三十条第一款规定的，责令限期改正，处三万元以上十万元以下的罚款 punishes 第三十条): of the same text, by number."""
    if penalty.doc_id != duty.doc_id or penalty.doc_hash != duty.doc_hash or provision_kind(penalty) != PENALTY:
        return False
    ref = parse_article(duty.article) if duty.article else None
    return ref is not None and any(parse_article(named) == ref for named in _NAMED_ARTICLE.findall(penalty.text))


def defines(text: str) -> bool:
    """Whether a text says what a term means (…是指…, 本法所称…, 下列用语的含义)."""
    return bool(_DEFINITION_TEXT.search(text))


def provision_kind(chunk: StoredChunk) -> str | None:
    """The kind of an article; None for plan passages and preambles, which are judged on their words."""
    if chunk.unit != "article":
        return None
    if "法律责任" in chunk.heading_text or _PENALTY_TEXT.search(chunk.text):
        return PENALTY
    if defines(chunk.text):
        return DEFINITION
    return DUTY
