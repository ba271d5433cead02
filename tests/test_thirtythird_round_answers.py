"""Round 33 (issue 15): what a question asks, read from how it is put.

- A figure is stated about what was asked only by a clause holding enough of what the question asks it about
  (``figure_subject_share``, calibrated on the knowledge pack's figure questions): 安全生产许可证的有效期为3年 holds
  安全生产 of 安全生产标准化达标证书的有效期, and nothing else of it.
- A sentence asking only for the basis (…有哪些要求？依据哪条？) asks no question of its own: every answer cites.
- A prison term is a penalty (处三年以下有期徒刑或者拘役), and 判几年 asks one; a penalty someone has received, said of
  them (被判刑的人员…能否宣告从业禁止), is who they are, not what is asked.
- 是什么 asks the meaning of the term it stands next to (什么是本质安全, “三同时”是什么意思), not of a term named
  before another thing (应急预案演练频次要求是什么 asks the frequency); 是怎么规定的 and 依据是什么 likewise ask where
  the law states the term beside them (特种设备使用登记的办理时限是怎么规定的 asks the time limit).
- The words every title of a kind shares (广州本地的安全生产条例: 煤矿安全生产条例's and every region's) name no
  document; a place's rules asked about as local ones (广州本地对…有啥特别规定) are its own.
- A claim of a period, a frequency or a sum put to be judged (…每4年复审一次，对吗？) asks for the law's figure: no
  provision stating one about the matter, no confirmation.
- Beside the national rule whose range holds the question's number, the place's rule whose range holds it too.
- Everyday words for what the regulations say (没办下: 未取得, 哪个部门办: 提出申请, 判几年: 有期徒刑).
- The choices of a multiple-choice question are what may be the answer, not numbers the asker tells; a fine naming
  no party, of an act anyone may do, falls on a person too.
- A place's 地方性法规, or its 本地的安全生产条例, is that place's own rules.
- 上位法 is on the same matter: for a penalty, the offence, not the sanction every penalty writes.
- A number of times within a period (一百八十日内三次) states how often; 从哪天开始计算 asks the event a count runs
  from, as 从哪天起算 does.
- A clause of the document the question names stating what is asked (本法自2002年11月1日起施行) is not far from the
  question in meaning for its words naming no 安全生产法."""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_thirtieth_round_answers import _close
from test_twentyfourth_round_answers import _analyzer, _composed, _local

from assistant.answer import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import PENALTY, asks_of_term, provision_asked, provision_kind
from assistant.retrieval.query import question_parts
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def asks() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


def _weighed(question: str, records: list, chunks: list, weights: dict[str, float]):
    """The offline answer over these chunks, each word weighing 3 (a rare word) unless weights says otherwise."""
    tokenizer = Tokenizer([])
    idf = {
        t: weights.get(t, 3.0) for text in [question, *(c.text for c in chunks)] for t in tokenizer.query_tokens(text)
    }
    composer = OfflineComposer(tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities))
    return composer.compose(question, _analyzer(*records).analyse(question), chunks)


def test_a_figure_stated_about_another_matter_sharing_one_word_does_not_answer():
    licence = _article(
        "安全生产许可证条例", "行政法规", 9,
        "第九条 安全生产许可证的有效期为3年。安全生产许可证有效期满需要延期的，企业应当于期满前3个月向原安全生产"
        "许可证颁发管理机关办理延期手续。",
    )  # fmt: skip
    records = [record("安全生产许可证条例", "行政法规")]
    # as in a real index, the words every safety text holds weigh little, the names of things much
    common = {"企业": 0.6, "安全": 0.6, "生产": 0.6, "安全生产": 0.8}
    other = _weighed("企业安全生产标准化三级达标证书的有效期是几年？", records, [licence], common)
    assert other.abstained or "未找到依据" in other.text
    own = _weighed("安全生产许可证的有效期是几年？", records, [licence], common)
    assert not own.abstained and "3年" in own.text and "未找到依据" not in own.text


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("剧毒化学品的储存有哪些特殊管理要求？依据哪条？", ["剧毒化学品的储存有哪些特殊管理要求？"]),
        ("安全生产许可证有效期多长？出自哪部法规？", ["安全生产许可证有效期多长？"]),
        ("企业应急预案哪些情况必须修订？法律依据是什么？", ["企业应急预案哪些情况必须修订？"]),
        ("罚款多少？依据哪条规定？", ["罚款多少？"]),
        ("依据哪条？根据哪一级政府的规定？", ["根据哪一级政府的规定？"]),  # a question of its own
        ("依据哪条？", ["依据哪条？"]),  # alone, it is the question
    ],
)
def test_a_sentence_asking_only_for_the_basis_is_no_question_of_its_own(question, parts):
    assert question_parts(question) == parts


def test_a_prison_term_is_a_penalty_and_is_asked_by_how_many_years():
    sentence = _article(
        "危害生产安全刑事案件解释", "司法解释", 6,
        "第六条 实施刑法第一百三十四条第一款规定的行为，因而发生安全事故，造成死亡一人以上的，对相关责任人员，"
        "处三年以下有期徒刑或者拘役。",
    )  # fmt: skip
    assert provision_kind(sentence) == PENALTY
    assert provision_asked("厂里死了人，老板会被判几年？") == PENALTY
    assert provision_asked("被罚款的话要交多少？") == PENALTY  # a condition, still asking the fine
    assert provision_asked("对因危害生产安全犯罪被判刑的人员，法院能否宣告从业禁止？") is None
    assert provision_asked("被吊销许可证的企业多久能重新申请？") is None


def test_whether_one_goes_to_prison_is_answered_by_the_provision_stating_a_prison_term():
    sentence = _article(
        "危害生产安全刑事案件解释", "司法解释", 6,
        "第六条 实施刑法第一百三十四条第一款规定的行为，因而发生安全事故，造成死亡一人以上的，对相关责任人员，"
        "处三年以下有期徒刑或者拘役。",
    )  # fmt: skip
    fine = _article(
        "安全生产法", "法律", 94,
        "第九十四条 生产经营单位的主要负责人未履行本法规定的安全生产管理职责的，责令限期改正，处二万元以上五万元以下"
        "的罚款；导致发生生产安全事故的，给予撤职处分；构成犯罪的，依照刑法有关规定追究刑事责任。",
    )  # fmt: skip
    records = [record("危害生产安全刑事案件解释", "司法解释"), record("安全生产法", "法律")]
    # ranked first, the provision stating a prison term answers whether one is given; a fine's 追究刑事责任 does not
    answer = _composed("厂里出事死了一个工人，老板会不会被判刑？", records, [sentence, fine], "厂里 出事 工人 老板")
    assert not answer.abstained and "三年以下有期徒刑" in answer.text
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["危害生产安全刑事案件解释"]


@pytest.mark.parametrize(
    ("question", "names", "asked"),
    [
        ("四不放过是什么？", ["四不放过"], True),
        ("什么是本质安全？", ["本质安全"], True),
        ("“三同时”是什么意思？", ["三同时"], True),
        ("重大危险源是指什么", ["重大危险源"], True),
        ("安全生产标准化的含义是什么", ["安全生产标准化"], True),
        ("宾馆、商场等人员密集场所的应急预案演练频次要求是什么？", ["应急预案演练", "预案演练"], False),
        ("有限空间作业的审批人是什么人？", ["有限空间"], False),
    ],
)
def test_what_is_asks_the_meaning_of_the_term_it_stands_next_to(question, names, asked):
    assert asks_of_term(question, names, meaning_only=True) is asked


@pytest.mark.parametrize(
    ("question", "names", "asked"),
    [
        ("四不放过的依据是什么？", ["四不放过"], True),
        ("事故处理讲的“四不放过”原则，在法规里的依据是什么？", ["四不放过"], True),
        ("一岗双责是怎么要求的？", ["一岗双责"], True),
        ("特种设备使用登记的办理时限是怎么规定的？", ["特种设备"], False),  # how the time limit is set
        ("从事电焊、气焊等危险作业的人员有何持证要求，依据哪条？", ["危险作业"], False),
    ],
)
def test_where_the_law_states_it_is_asked_of_the_term_beside_the_words_asking(question, names, asked):
    assert asks_of_term(question, names) is asked


@pytest.mark.parametrize(
    ("question", "unheld"),
    [
        ("重庆市地方性法规对企业生产安全事故报告时限有无严于国家的规定？", ["重庆市"]),
        ("广州本地的安全生产条例对小厂配安全员有什么特别要求？", ["广州市"]),
        ("我们厂在广州，安全员怎么配？", []),  # where the asker is: the national rules are asked
        ("我在广州开了个小作坊，广州本地对这种小作坊的消防有啥特别规定？", ["广州市"]),  # asked about as local ones
        ("我们厂在广州，当地的企业要配几个安全员？", []),  # no rules of its own asked
    ],
)
def test_a_places_own_regulations_are_its_rules(question, unheld):
    assert _analyzer(record("安全生产法", "法律")).analyse(question).unheld_places == unheld


def test_a_law_punishing_another_offence_does_not_overrule_a_regulations_penalty():
    """上位法 is on the same matter: for a penalty, the offence; the sanction every penalty writes (逾期未改正的，
    处…罚款) makes no two penalties one matter."""
    regulation = _article(
        "生产安全事故应急条例", "行政法规", 32,
        "第三十二条 生产经营单位未将生产安全事故应急救援预案报送备案、未建立应急值班制度或者配备应急值班人员的，由"
        "县级以上人民政府负有安全生产监督管理职责的部门责令限期改正；逾期未改正的，处3万元以上5万元以下的罚款。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 97,
        "第九十七条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，"
        "并处十万元以上二十万元以下的罚款：\n（一）未按照规定设置安全生产管理机构的；\n"
        "（二）未按照规定制定生产安全事故应急救援预案或者未定期组织演练的。",
    )  # fmt: skip
    records = [record("生产安全事故应急条例", "行政法规"), record("安全生产法", "法律")]
    question = "生产经营单位未将应急救援预案报送备案，逾期未改正的罚款幅度是多少？"
    common = {"生产": 0.6, "经营": 0.6, "生产经营": 0.8, "单位": 0.6, "应急": 1.0, "救援": 1.0, "预案": 1.5}
    answer = _weighed(question, records, [regulation, law], common)
    assert [s.chunk.doc_id for s in answer.sources][:1] == ["生产安全事故应急条例"]
    assert "3万元以上5万元以下" in answer.text


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚的，予以关闭。", True),
        ("对3个月内2次或者2次以上发现有重大事故隐患仍然进行生产的，责令停产整顿。", True),
        ("生产经营单位应当每年至少组织一次应急救援预案演练。", True),
        ("生产经营单位应当制定本单位生产安全事故应急救援预案。", False),
        ("行业差别费率及行业内费率档次由国务院社会保险行政部门制定。", False),
    ],
)
def test_a_number_of_times_within_a_period_states_how_often(asks, text, states):
    ask = asks.asked("受行政处罚达到什么频次时，应当予以关闭？")
    assert ask.kind == "frequency" and ask.stated_in(text) is states


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("按日连续处罚从哪天开始计算？", "time"),  # the event it runs from (次日起)
        ("停工留薪期从哪一天开始计算？", "time"),
        ("安全生产法从哪天开始施行？", "date"),  # a day of the calendar
    ],
)
def test_from_which_day_a_count_starts_asks_its_starting_event(asks, question, kind):
    assert asks.asked(question).kind == kind


def test_a_clause_of_the_named_document_stating_what_is_asked_is_not_far_in_meaning():
    """Its text says 本法, not the name the question gives it: its vector sits further from the question."""
    own = _article("安全生产法", "法律", 119, "第一百一十九条 本法自2002年11月1日起施行。")
    other = _article("煤矿安全生产条例", "行政法规", 76, "第七十六条 本条例自2024年5月1日起施行。")
    records = [record("安全生产法", "法律"), record("煤矿安全生产条例", "行政法规")]
    question = "安全生产法自哪一天起施行？"
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in (question, own.text, other.text) for t in tokenizer.query_tokens(text)}
    composer = OfflineComposer(
        tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities), min_similarity=0.85
    )
    answer = composer.compose(question, _analyzer(*records).analyse(question), [_close(other, 0.9), _close(own, 0.8)])
    assert not answer.abstained and [s.chunk.doc_id for s in answer.sources] == ["安全生产法"]
    assert "2002年11月1日" in answer.text


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("广州本地的安全生产条例对小厂配安全员有什么特别要求？", []),  # every region's 安全生产条例: none of them
        ("我们市安全生产条例怎么规定的？", []),
        ("煤矿安全条例里罚款多少？", ["煤矿安全生产条例"]),  # its own word (煤矿) names it
    ],
)
def test_the_words_every_title_of_a_kind_shares_name_none_of_them(question, named):
    library = [
        record("煤矿安全生产条例", "行政法规"),
        record("北京市安全生产条例", "地方性法规", "北京市"),
        record("上海市安全生产条例", "地方性法规", "上海市"),
    ]
    assert _analyzer(*library).analyse(question).documents == named


@pytest.mark.parametrize(
    ("question", "terms", "not_terms"),
    [
        ("没办下安全生产许可证就开工生产的企业，罚款区间是多少？", {"未取得", "擅自进行生产"}, set()),
        ("过年想开个烟花爆竹零售点，许可证得找哪个部门办？", {"提出申请"}, set()),
        ("闻到很冲的气味，没等领导点头我能先跑出车间吗？", {"撤离作业场所"}, set()),
        ("项目经理想让工人先住进还没竣工的楼里，省得搭板房，可以吗？", {"尚未竣工的建筑物", "集体宿舍"}, set()),
        ("隔壁厂爆炸死了人，老板第二天就跑了，会怎么处理？", {"逃匿"}, set()),
        ("仓库的货被人偷跑了，怎么报案？", set(), {"逃匿"}),  # 跑了 of no accident
        ("厂里死了一个工人，老板会被判几年？", {"有期徒刑"}, {"追究刑事责任"}),
        ("应急预案在哪些情况下要修改？", {"修订"}, set()),
        ("出了事故老板想瞒着不报，被查出来公司要被罚多少钱？", {"瞒报"}, set()),
        ("工地老板让我们直接住在还没盖完的楼里面，这样行吗？", {"尚未竣工的建筑物"}, set()),
        ("厂长被判了刑，刑满出来以后还能当老总吗？", {"刑罚执行完毕", "主要负责人"}, set()),
        ("商场的安全出口被商户堆满了货，单位会被罚多少？", {"占用、堵塞、封闭"}, set()),
        ("仓库里堆满了油漆，要怎么存放？", set(), {"占用、堵塞、封闭"}),  # no exit or passage piled up
    ],
)
def test_everyday_words_are_the_terms_the_regulations_use(question, terms, not_terms):
    from test_thirtyfirst_round_answers import _word_analyzer

    found = set(_word_analyzer(record("安全生产法", "法律")).analyse(question).legal_terms)
    assert terms <= found and not (not_terms & found)


def test_the_place_asked_about_answers_the_number_the_question_states_with_its_own_range():
    """Beside the national rule whose range holds the question's number, the place's rule whose range holds it too
    (从业人员三百人以上的，至少配备…), not the place's fine for each person missing."""
    fine = _local(
        "上海市安全生产条例", "上海市", 64,
        "第六十四条 生产经营单位未按照本条例第二十条规定配备专职安全生产管理人员的，由安全生产监管部门责令限期改正；"
        "逾期未改正的，责令停产停业整顿，并可以依法处以罚款，罚款额按未配备安全生产管理人员人数计，每少配备一人罚款五千元。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 24,
        "第二十四条 前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产"
        "管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
    )  # fmt: skip
    staffing = _local(
        "上海市安全生产条例", "上海市", 20,
        "第二十条 较大危险行业的生产经营单位，从业人员三百人以上的，至少配备两名专职安全生产管理人员；从业人员一千人以上的，"
        "至少配备五名专职安全生产管理人员。",
    )  # fmt: skip
    records = [record("上海市安全生产条例", "地方性法规", "上海市"), record("安全生产法", "法律")]
    question = "我们在上海做码头装卸的，公司有350个人，按上海的规定最少得配几个专职安全员？"
    answer = _composed(question, records, [fine, law, staffing], "码头 装卸 公司 规定 最少 安全员 上海")
    cited = [s.chunk.id for s in answer.sources]
    assert "上海市安全生产条例-20" in cited and "上海市安全生产条例-64" not in cited, answer.text


@pytest.mark.parametrize(
    ("question", "kind", "words"),
    [
        ("判断题：叉车司机的特种设备作业人员证每4年复审一次，对吗？", "frequency", "每4年"),
        ("判断题：安全生产许可证的有效期为3年，对吗？", "time", "3年"),
        ("违反规定的罚款是5000元，这个说法正确吗？", "money", "5000元"),
        ("100人以上的企业应当设置安全生产管理机构，对吗？", None, ""),  # a threshold of the rule, not a figure claimed
        ("企业主要负责人对本单位安全生产全面负责，对吗？", None, ""),
        ("我们厂120个人，必须要设安全管理机构吗？", None, ""),  # a question, not a claim put to be judged
        ("商场里有几台大型游乐设施，每天开门营业前必须做哪些检查？", None, ""),  # 有几台 tells what there is
        ("我们厂有几个车间，每个车间要配几个安全员？", "count", "几个"),  # the second 几个 asks
    ],
)
def test_a_claim_of_a_figure_put_to_be_judged_asks_for_the_laws_figure(asks, question, kind, words):
    ask = asks.asked(question)
    assert (ask.kind if ask else None) == kind and (ask.words if ask else "") == words


def test_a_claimed_figure_no_provision_states_about_the_matter_is_not_confirmed_by_another():
    duty = _article(
        "特种设备安全法", "法律", 14,
        "第十四条 特种设备安全管理人员、检测人员和作业人员应当按照国家有关规定取得相应资格，方可从事相关工作。",
    )  # fmt: skip
    records = [record("特种设备安全法", "法律")]
    answer = _composed("判断题：叉车司机的特种设备作业人员证每4年复审一次，对吗？", records, [duty])
    assert answer.abstained or "未找到依据" in answer.text


def test_the_choices_of_a_multiple_choice_question_are_not_numbers_it_tells():
    from assistant.answer.ranges import stated

    assert stated("我们厂120个人，要设安全管理机构吗？")  # what the asker tells
    assert not stated("单选：从业人员超过（ ）人的应当设置机构。A、50人 B、100人 C、300人 D、1000人")
    assert not stated("公安部门可以对个人处（ ）罚款。A.50元以上200元以下 B.100元以上500元以下 C.200元以上1000元以下")


def test_a_fine_of_whoever_did_it_falls_on_a_person_too():
    """A fine naming no party, of an act anyone may do (在禁止燃放的时间、地点燃放烟花爆竹的), is an individual's too:
    the quiz asking what a person is fined is answered by it, not by a fine on a unit's 主要负责人 that holds one
    of the choices' sums."""
    from assistant.retrieval.provisions import PERSON, UNIT, parties_fined

    fireworks = _article(
        "烟花爆竹安全管理条例", "行政法规", 42,
        "第四十二条 对未经许可举办焰火晚会的，由公安部门责令停止燃放，对责任单位处1万元以上5万元以下的罚款。\n"
        "在禁止燃放烟花爆竹的时间、地点燃放烟花爆竹的，由公安部门责令停止燃放，处100元以上500元以下的罚款。",
    )  # fmt: skip
    lost = _article(
        "烟花爆竹安全管理条例", "行政法规", 39,
        "第三十九条 生产、经营、使用黑火药的企业，丢失黑火药未及时报告的，由公安部门对企业主要负责人处5000元以上2万元"
        "以下的罚款。",
    )  # fmt: skip
    assert parties_fined(fireworks.text) == {UNIT, PERSON}
    records = [record("烟花爆竹安全管理条例", "行政法规")]
    question = (
        "单选题：在政府规定禁放的时间或地点放鞭炮，公安部门可以对个人处（ ）罚款。A.50元以上200元以下 "
        "B.100元以上500元以下 C.200元以上1000元以下 D.1000元以上5000元以下"
    )
    answer = _composed(question, records, [fireworks, lost], "单选题 政府 鞭炮 个人 规定")
    assert [s.chunk.article_num for s in answer.sources][:1] == [42], answer.text


def test_a_negated_sector_names_no_sector():
    from ingest.legal_forms import default_forms

    forms = default_forms()
    assert forms.names_subject("煤矿", "煤矿没取得安全生产许可证就生产罚多少")
    assert not forms.names_subject("煤矿", "非煤矿山没取得安全生产许可证就生产罚多少")


def test_which_case_an_act_falls_under_is_one_provision_not_a_list():
    """属于什么情形 asks which case the act is (明知存在重大事故隐患…的, 属于…): the first-ranked provision saying so, not a
    later one listing cases."""
    first = _article(
        "危害生产安全刑事案件解释（二）", "司法解释", 1,
        "第一条 明知存在重大事故隐患，仍然违反有关安全管理的规定，不排除或者故意掩盖重大事故隐患，组织他人作业的，"
        "属于刑法第一百三十四条第二款规定的“强令他人违章冒险作业”。",
    )  # fmt: skip
    listing = _article(
        "危害生产安全刑事案件解释（二）", "司法解释", 3,
        "第三条 因存在重大事故隐患被依法责令停产停业，有下列情形之一的，属于拒不执行：\n（一）无正当理由继续作业的；\n"
        "（二）虚构重大事故隐患已经排除的事实的；\n（三）以其他方式拒不执行的。",
    )  # fmt: skip
    records = [record("危害生产安全刑事案件解释（二）", "司法解释")]
    question = "老板明知道车间有重大事故隐患，不整改还瞒着让工人接着干，这在刑法上属于什么情形？"
    answer = _composed(question, records, [first, listing], "老板 车间 瞒着 工人 刑法 情形 不整改")
    assert [s.chunk.article_num for s in answer.sources][:1] == [1], answer.text


def test_a_question_naming_a_document_is_not_answered_by_another_for_being_closer_in_meaning():
    """Asked what a named document says, its provision far in meaning gives way to none of another document's: the
    answer declines rather than quote another law closer to the question's wording."""
    own = _article(
        "安全生产法", "法律", 21,
        "第二十一条 生产经营单位的主要负责人组织制定并实施本单位安全生产规章制度和操作规程。",
    )  # fmt: skip
    other = _article(
        "消防法", "法律", 16,
        "第十六条 机关、团体、企业、事业等单位应当落实消防安全责任制，制定本单位的消防安全制度、消防安全操作规程。",
    )  # fmt: skip
    records = [record("安全生产法", "法律"), record("消防法", "法律")]
    question = "根据安全生产法，企业的安全操作规程和规章制度由谁来组织制定？"
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in (question, own.text, other.text) for t in tokenizer.query_tokens(text)}
    composer = OfflineComposer(
        tokenizer, idf, QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities), min_similarity=0.85
    )
    plan = _analyzer(*records).analyse(question)
    answer = composer.compose(question, plan, [_close(own, 0.8), _close(other, 0.9)])
    assert "消防法" not in [s.chunk.doc_id for s in answer.sources], answer.text
