"""Round 18 (issue 15): what a question asks, read more truly.

- A-not-A questions (能不能, 需不需要, 有没有) ask yes or no: the 不能 or 没有 the segmenter finds in them is no word of
  what is asked, and a clause holding it by chance (…不能有效控制事故的) answered.
- A figure asked in a unit of measure the quantities did not know (多少度, 多少伏, 多少分贝) was no figure asked, so
  a clause stating another figure on a shared word (停工留薪期…12个月 for 多少度要停工) answered.
- A special law or a national sector rule (特种设备安全法, 煤矿安全生产条例) applies to its subject: a question naming
  no such subject (发生较大事故的单位罚款多少) is asked under the general law, so the ranker has a feature for it
  (``unasked_subject``, its weight fitted on the knowledge pack like the others). Asked about the sector, the
  sector's rule is the specific one: the general law does not displace it (煤矿发生较大事故罚多少 → 煤矿安全生产条例).
- Asked where the law states a term of art, or how it states it (“一岗双责”是怎么要求的, …的依据是什么), the articles
  the knowledge pack names as the term's basis answer: those binding where the question asks come first, not
  local texts that merely write the word.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_fifteenth_round import _article
from test_retrieval_stages import record
from test_twelfth_round_injection import _compose

from assistant.ask import Assistant
from assistant.pack import KnowledgePack
from assistant.retrieval.config import RankingConfig
from assistant.retrieval.features import FEATURES, priors
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.provisions import asks_basis
from assistant.retrieval.query import QueryPlan
from assistant.retrieval.rank import linear_scores
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings
from ingest.tokenizer import Tokenizer


@pytest.mark.parametrize(
    ("question", "kept", "gone"),
    [
        ("企业能不能用吊车吊人？", {"吊车", "企业"}, {"不能"}),
        ("需不需要审批？", {"需要", "审批"}, {"不需要"}),
        ("有没有相关规定？", {"规定"}, {"没有"}),
        ("事后会不会被扣工资？", {"工资"}, {"不会"}),
        ("是不是必须持证？", {"必须", "持证"}, {"不是"}),
    ],
)
def test_an_a_not_a_question_is_searched_by_what_it_asks_about(question, kept, gone):
    tokens = set(Tokenizer([]).query_tokens(question))
    assert kept <= tokens and not gone & tokens, tokens


def test_a_negation_the_question_states_is_kept():
    assert "不能" in Tokenizer([]).query_tokens("哪些情况下不能上岗作业？")


def test_a_clause_holding_only_the_not_of_an_a_not_a_question_does_not_answer_it():
    unrelated = _article(
        "应急条例", "行政法规", 18, "第十八条 有关地方人民政府不能有效控制生产安全事故的，应当及时向上级人民政府报告。"
    )
    answer = _compose("企业能不能用微信群代替班前会？", [unrelated])
    assert answer.abstained, answer.text


@pytest.fixture(scope="module")
def figures() -> QuantityAsks:
    return QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("高温天气气温超过多少度要停止室外作业？", "temperature"),
        ("安全电压是多少伏？", "electricity"),
        ("作业场所噪声不得超过多少分贝？", "sound"),
        ("压力容器的设计压力超过多少兆帕要登记？", "pressure"),
    ],
)
def test_a_unit_of_measure_asks_for_a_figure_of_its_kind(figures, question, kind):
    asked = figures.asked(question)
    assert asked is not None and asked.kind == kind, asked


def test_a_figure_of_another_kind_does_not_answer_a_temperature_asked():
    pay = _article(
        "工伤保险条例", "行政法规", 33,
        "第三十三条 职工因工作遭受事故伤害需要暂停工作接受工伤医疗的，在停工留薪期内，原工资福利待遇不变。"
        "停工留薪期一般不超过12个月。",
    )  # fmt: skip
    answer = _compose("高温天气气温超过多少度要停工？", [pay])
    assert answer.abstained and "未找到依据" in answer.text, answer.text
    heat = _article("防暑规定", "部门规章", 8, "第八条 日最高气温达到40℃以上，应当停止当日室外露天作业。")
    answer = _compose("日最高气温达到多少度要停止室外露天作业？", [pay, heat])
    assert not answer.abstained and "40℃" in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    ["“一岗双责”是怎么要求的？", "四不放过原则的依据是什么？", "这个说法出自哪一条？", "法律上是如何规定的？"],
)
def test_asking_where_or_how_the_law_states_a_term_asks_its_basis(question):
    assert asks_basis(question)


@pytest.mark.parametrize("question", ["专项预案有什么要求？", "动火作业要办哪些手续？"])
def test_asking_what_is_required_of_a_thing_is_no_question_of_basis(question):
    assert not asks_basis(question)


LAW = [
    "# 中华人民共和国安全生产法\n\n中华人民共和国主席令公布\n\n<!-- INFO END -->",
    "第三条 安全生产工作坚持人民至上、生命至上。安全生产工作实行管行业必须管安全、管业务必须管安全、"
    "管生产经营必须管安全。",
    "第五条 生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。"
    "其他负责人对职责范围内的安全生产工作负责。",
    "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：组织制定安全生产规章制度。",
]


def _local(title: str, articles: list[str]) -> str:
    return "\n\n".join([f"# {title}\n\n人民代表大会常务委员会公告\n\n<!-- INFO END -->", *articles])


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("terms")
    (folder / "安全生产法(2021-06-10).md").write_text("\n\n".join(LAW), encoding="utf-8")
    locals_ = {
        "山东省安全生产条例(2021-12-01)": _local(
            "山东省安全生产条例",
            [
                "第一条 为了加强安全生产工作，制定本条例。",
                "第十七条 生产经营单位是安全生产的责任主体。",
                "第十八条 生产经营单位的其他负责人实行一岗双责，在履行岗位业务职责的同时履行安全生产职责。",
            ],
        ),
        "深圳经济特区安全生产监督管理条例(2022-06-30)": _local(
            "深圳经济特区安全生产监督管理条例",
            [
                "第一条 为了加强安全生产监督管理，制定本条例。",
                "第三十六条 生产经营单位应当落实一岗双责，设置安全总监，安全总监协助主要负责人履行职责。",
                "第五十三条 未按照规定设置安全总监落实一岗双责的，责令限期改正，处五万元以上十万元以下的罚款。",
            ],
        ),
    }
    for name, text in locals_.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    ingest([folder], settings, vectors=False)
    return KnowledgeBase(settings)


def test_asked_how_the_law_states_a_term_its_national_basis_answers(library):
    result = Assistant(library).ask("分管副总说安全是安全总监的事。按法律规定，“一岗双责”是怎么要求的？").to_format()
    top = [(r["doc"].split("(")[0], r["article"]) for r in result["retrieved"][:2]]
    assert set(top) == {("安全生产法", "第五条"), ("安全生产法", "第三条")}, top
    assert {c["doc"].split("(")[0] for c in result["citations"]} == {"安全生产法"}, result["answer"]


def test_asked_in_a_region_its_basis_there_stands_beside_the_national(library):
    result = Assistant(library).ask("一岗双责在山东是怎么要求的？").to_format()
    top = [(r["doc"].split("(")[0], r["article"]) for r in result["retrieved"][:3]]
    assert ("山东省安全生产条例", "第十八条") in top, top


def test_the_basis_of_a_penalty_is_not_the_terms_basis(library):
    result = Assistant(library).ask("深圳不落实一岗双责的处罚依据是什么？").to_format()
    assert result["retrieved"][0]["article"] == "第五十三条", result["retrieved"][:3]


def _subject(title: str, kind: str, question: str, region: str = "全国") -> float:
    plan = QueryPlan(question=question, expanded=question)
    return priors(dataclasses.replace(record(title, kind, region), title=title), plan)["unasked_subject"]


@pytest.mark.parametrize(
    ("title", "kind", "question", "unasked"),
    [
        ("中华人民共和国特种设备安全法", "法律", "发生较大事故的单位罚款多少？", 1.0),
        ("中华人民共和国特种设备安全法", "法律", "电梯出了较大事故，单位罚款多少？", 0.0),  # 电梯 is a 特种设备
        ("特种设备安全监察条例", "行政法规", "发生较大事故的单位罚款多少？", 1.0),
        ("煤矿安全生产条例", "行政法规", "煤矿发生较大事故罚多少？", 0.0),
        ("煤矿安全生产条例", "行政法规", "井下作业要注意什么？", 0.0),  # 井下: a 煤矿's
        ("中华人民共和国消防法", "法律", "安全出口能不能上锁？", 0.0),
        ("中华人民共和国刑法", "法律", "重大责任事故罪判几年？", 0.0),
        ("中华人民共和国刑法", "法律", "企业要不要设安全管理机构？", 1.0),
        ("中华人民共和国安全生产法", "法律", "发生较大事故的单位罚款多少？", 0.0),  # the general law: every matter
        ("生产安全事故报告和调查处理条例", "行政法规", "发生较大事故的单位罚款多少？", 0.0),
        ("工伤保险条例", "行政法规", "工伤停工留薪期多长？", 0.0),
    ],
)
def test_a_national_text_on_one_subject_is_marked_when_the_question_names_no_such_subject(
    title, kind, question, unasked
):
    assert _subject(title, kind, question) == unasked


def test_local_texts_and_plans_are_judged_by_their_place_not_their_subject():
    assert _subject("上海市烟花爆竹安全管理条例", "地方性法规", "罚款多少？", "上海市") == 0.0
    assert _subject("高新区特种设备安全工作方案", "计划方案", "罚款多少？", "高新区") == 0.0


@pytest.mark.parametrize("family", ["e5", "builtin"])
def test_the_fitted_ranker_puts_the_general_law_before_a_special_law_on_a_subject_not_asked(family):
    config = RankingConfig.load(family)
    rows = np.zeros((2, len(FEATURES)), dtype=np.float32)
    rows[:, FEATURES.index("law")] = 1.0
    rows[:, FEATURES.index("coverage")] = 0.6
    rows[1, FEATURES.index("unasked_subject")] = 1.0  # 特种设备安全法, asked about no 特种设备
    general, special = linear_scores(rows, config)
    assert general > special


COAL_FINE = (
    "第六十七条 发生煤矿生产安全事故，对负有责任的煤矿企业除要求其依法承担相应的赔偿等责任外，依照下列规定处以罚款：\n"
    "（一）发生一般事故的，处50万元以上100万元以下的罚款；\n（二）发生较大事故的，处150万元以上200万元以下的罚款；"
)
GENERAL_FINE = (
    "第一百一十四条 发生生产安全事故，对负有责任的生产经营单位除要求其依法承担相应的赔偿等责任外，由应急管理部门"
    "依照下列规定处以罚款：\n（一）发生一般事故的，处三十万元以上一百万元以下的罚款；\n（二）发生较大事故的，处一百万元"
    "以上二百万元以下的罚款；"
)


def test_asked_about_its_sector_the_sector_rule_is_not_displaced_by_the_general_law():
    coal = _article("煤矿安全生产条例", "行政法规", 67, COAL_FINE)
    law = _article("安全生产法", "法律", 114, GENERAL_FINE, "中华人民共和国安全生产法")
    answer = _compose("煤矿发生较大事故，对煤矿企业罚多少钱？", [coal, law])
    assert answer.citations[0] == {"doc": "煤矿安全生产条例", "article": "第六十七条"}, answer.text
    assert "150万元以上200万元以下" in answer.text


def test_asked_about_no_sector_the_general_law_decides_over_the_sector_rule():
    coal = _article("煤矿安全生产条例", "行政法规", 67, COAL_FINE.replace("煤矿生产安全事故", "生产安全事故"))
    law = _article("安全生产法", "法律", 114, GENERAL_FINE, "中华人民共和国安全生产法")
    answer = _compose("发生较大事故，对负有责任的企业罚多少钱？", [coal, law])
    assert answer.citations[0] == {"doc": "安全生产法", "article": "第一百一十四条"}, answer.text


def test_the_fit_keeps_the_direction_of_the_laws_order_and_of_what_is_named():
    """The pack's few questions naming a document would give naming it a negative weight (the scope list already
    ranks inside it): the fit leaves such a feature out rather than make naming a document count against it (and
    gives it the size of naming a region, none here: tests/test_fiftysecond_round.py)."""
    from evals.fit_ranker import fit

    rng = np.random.default_rng(7)
    rows, labels = [], []
    for _ in range(200):
        x = np.zeros((10, len(FEATURES)), dtype=np.float32)
        x[:, FEATURES.index("coverage")] = rng.random(10)
        x[:, FEATURES.index("named_document")] = rng.random(10) < 0.5
        y = np.zeros(10, dtype=np.int8)
        best = int(np.argmax(x[:, FEATURES.index("coverage")]))
        y[best] = 1
        x[best, FEATURES.index("named_document")] = 0.0  # the gold is never in the named document here
        rows.append(x)
        labels.append(y)
    weights = fit(rows, labels).weights
    assert weights["named_document"] == 0.0 and weights["coverage"] > 0, weights


@pytest.mark.parametrize(
    ("title", "sector"),
    [
        ("公路安全保护条例", "公路"),
        ("中华人民共和国矿山安全法实施条例", "矿山"),
        ("农业机械安全监督管理条例", "农业机械"),
        ("放射性同位素与射线装置安全和防护条例", "放射性同位素与射线装置"),
        ("特种设备安全监督检查办法", "特种设备"),
        ("生产安全事故应急条例", ""),  # every matter's
        ("深圳经济特区安全生产监督管理条例", ""),
    ],
)
def test_a_rule_titled_for_one_things_safety_governs_that_thing(title, sector):
    from ingest.legal_forms import default_forms

    assert default_forms().sector(title) == sector


def test_in_a_national_collection_a_rule_on_another_things_safety_is_a_subject_not_asked():
    assert _subject("公路安全保护条例", "行政法规", "工地上能不能让工人住进没完工的楼里？") == 1.0
    assert _subject("公路安全保护条例", "行政法规", "公路边上能不能堆放物品？") == 0.0


def test_a_term_named_in_a_question_asking_something_else_is_explained_after_the_answer():
    """The first sentence answers what was asked (the departments a 重大危险源 is reported to); the term's meaning
    follows it. Asked what the term means, its meaning leads."""
    entry = next(e for e in KnowledgePack(Settings().knowledge_dir).glossary if e.term == "重大危险源")
    law = _article(
        "安全生产法", "法律", 40,
        "第四十条 生产经营单位对重大危险源应当登记建档，进行定期检测、评估、监控，并制定应急预案。\n"
        "生产经营单位应当按照国家有关规定将本单位重大危险源及有关安全措施、应急措施报有关地方人民政府应急管理部门"
        "和有关部门备案。",
        "中华人民共和国安全生产法",
    )  # fmt: skip
    asked = "重大危险源的安全措施要报哪些部门备案？"
    answer = _compose(asked, [law], plan=QueryPlan(asked, asked, glossary=[entry]))
    first, second = answer.text.splitlines()[:2]
    assert first.startswith("依据《中华人民共和国安全生产法》第四十条") and "备案" in first, answer.text
    assert second.startswith("重大危险源："), answer.text
    meaning = "重大危险源是什么？"
    answer = _compose(meaning, [law], plan=QueryPlan(meaning, meaning, glossary=[entry]))
    assert answer.text.startswith("重大危险源："), answer.text


def test_a_question_opening_with_the_law_it_is_asked_under_is_no_question_of_a_terms_basis(library):
    """依据《安全生产法》，… (how quiz questions open) names the law asked under: it does not ask where a term it names
    rests, so the term's basis (主要负责人 → 第五条) is not pinned over the article answering the question."""
    assert not asks_basis("依据《安全生产法》，主要负责人负有哪些职责？")
    question = "依据《安全生产法》，生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？"
    result = Assistant(library).ask(question).to_format()
    assert result["retrieved"][0]["article"] == "第二十一条", result["retrieved"][:3]
