"""Round 58.

- A figure no text in force states, which a repealed text did (煤矿举报查实了奖励多少: the 2013 special regulation's
  1000元至1万元, repealed in 2024 by 煤矿安全生产条例, which says only 依法依规给予奖励), is answered from the repealed
  text, told as repealed: stated nowhere in force, what the repealed text said (cited （已废止）) with who repealed it
  and from when, and the related texts in force. A figure stated in force is answered from it alone; one stated
  nowhere is declined as before.
- A penalty on a government or a department's own breach (有关地方人民政府、负有安全生产监督管理职责的部门，对生产
  安全事故隐瞒不报…的，对直接负责的主管人员…依法给予处分) disciplines officials: it answers no question about an
  enterprise's 主要负责人, as the provisions naming the officials' staff already did not.
- An injury or a death told by how it was done (压断了手指, 被机器绞伤, 撞死, 没救过来) tells of harm: the penalties
  for a breach that caused an accident speak to it.
- A special law's penalty for a breach within its subject, as its own text says (特种设备安全法第八十九条: 发生特种设备
  事故…对特种设备事故迟报、谎报或者瞒报的), answers no question about a breach elsewhere (企业瞒报一起死亡事故, 单位
  想瞒着不报): a penalty answering well that is no such provision does.
- Words naming a sector rule's subject: 大型活动 and 活动现场 an event's (大型群众性活动安全管理条例), 项目负责人 (the
  项目经理) a construction project's (建设工程安全生产管理条例), 职业卫生 occupational disease's (职业病防治法).
"""

from __future__ import annotations

import pytest
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS
from test_repeal import NEW, OLD
from test_repeal import NEW_TEXT as _REPEALING_TEXT
from test_repeal import OLD_TEXT as _REPEALED_TEXT

from assistant.answer.compose import OfflineComposer
from assistant.ask import Assistant
from assistant.retrieval.provisions import disciplines_officials, punishes_whom_asked, tells_of_harm
from assistant.retrieval.query import QueryPlan
from ingest.knowledge_base import KnowledgeBase
from ingest.legal_forms import default_forms
from ingest.pipeline import ingest
from ingest.tokenizer import Tokenizer

# --- a figure stated only before a repeal --------------------------------------------------------------------------

# the repeal fixture's two rules (tests/test_repeal.py), their articles here: the old one's reward, repealed
OLD_TEXT = _REPEALED_TEXT.split("第二条")[0] + (
    "第二条 任何单位和个人发现矿山企业超层越界开采的，有权向应急管理部门举报。举报经调查属实的，应急管理部门应当给予"
    "最先举报人1000元至1万元的奖励。\n\n第三条 矿山企业应当每月组织一次井下透水事故应急演练。\n"
)
NEW_TEXT = _REPEALING_TEXT.split("## 第一章")[0] + (
    "第一条 为了防止和减少矿山生产安全事故，制定本条例。\n\n"
    "第二条 任何单位和个人发现矿山企业超层越界开采的，有权向应急管理部门举报。举报事项经核查属实的，依法依规给予奖励。"
    "\n\n第三条 矿山企业应当每季度组织一次井下透水事故应急演练。\n\n"
    "第三十条 本条例自2024年5月1日起施行。2015年3月1日青山市人民代表大会常务委员会通过的《青山市矿山安全管理规定》"
    "同时废止。\n"
)


@pytest.fixture(scope="module")
def repealed(tmp_path_factory) -> Assistant:
    """The old rule ingested first, then the one repealing it (the repeal of a text in force confirmed)."""
    from conftest import isolated_settings

    root = tmp_path_factory.mktemp("repealed")
    settings = isolated_settings(root / "data")
    folder = root / "regs"
    folder.mkdir()
    (folder / f"{OLD}.md").write_text(OLD_TEXT, encoding="utf-8")
    ingest([folder], settings)
    (folder / f"{NEW}.md").write_text(NEW_TEXT, encoding="utf-8")
    ingest([folder], settings, confirm_supersede=True)
    kb = KnowledgeBase(settings)
    assert kb.documents()[OLD].repealed
    return Assistant(kb)


def test_a_figure_stated_only_before_the_repeal_is_told_as_repealed(repealed):
    answer = repealed.ask("矿山企业超层越界开采，举报查实了，举报人能拿多少奖励？").answer
    assert not answer.abstained, answer.text
    assert answer.citations == [{"doc": OLD, "article": "第二条"}], answer.text
    text = answer.text
    assert text.startswith("现行有效的条文中没有"), text
    assert "1000元至1万元" in text
    # who repealed it and from when; every citation of it flagged; the rule in force that is related listed
    assert "自2024年5月1日起由《青山市矿山安全条例》第三十条废止" in text
    assert "第二条（已废止）" in text.split("依据：")[-1]
    assert "现行条文中可能相关" in text and "《青山市矿山安全条例》第二条" in text


def test_a_figure_stated_in_force_is_answered_from_the_text_in_force(repealed):
    answer = repealed.ask("矿山企业井下透水事故应急演练多久组织一次？").answer
    assert not answer.abstained, answer.text
    assert answer.citations[0] == {"doc": NEW, "article": "第三条"}, answer.text
    assert "每季度" in answer.text and "已废止" not in answer.text and "每月" not in answer.text


def test_a_figure_stated_nowhere_is_still_declined(repealed):
    answer = repealed.ask("矿山企业超层越界开采的举报奖励，查实后多少天内发放？").answer
    assert answer.abstained, answer.text
    assert "已废止" not in answer.text


def test_without_the_repeal_the_old_rule_answers_as_the_text_in_force(tmp_path):
    """The repealed text is consulted only for what the texts in force leave unstated: held alone (in force), the old
    rule answers as any rule does, with no word of a repeal."""
    from conftest import isolated_settings

    settings = isolated_settings(tmp_path / "data")
    folder = tmp_path / "regs"
    folder.mkdir()
    (folder / f"{OLD}.md").write_text(OLD_TEXT, encoding="utf-8")
    ingest([folder], settings)
    answer = Assistant(KnowledgeBase(settings)).ask("矿山企业超层越界开采，举报查实了，举报人能拿多少奖励？").answer
    assert not answer.abstained and "已废止" not in answer.text and "1000元至1万元" in answer.text, answer.text


# --- a government's own breach is disciplined on its officials -----------------------------------------------------

_GOVERNMENT = (
    "第一百一十一条 有关地方人民政府、负有安全生产监督管理职责的部门，对生产安全事故隐瞒不报、谎报或者迟报的，"
    "对直接负责的主管人员和其他直接责任人员依法给予处分；构成犯罪的，依照刑事法律的规定追究刑事责任。"
)
_DEPARTMENTS = (
    "第三十九条 有关地方人民政府、安全生产监督管理部门和负有安全生产监督管理职责的有关部门有下列行为之一的，"
    "对直接负责的主管人员和其他直接责任人员依法给予处分：\n（一）不立即组织事故抢救的；"
)
_HEAD = (
    "第一百一十条 生产经营单位的主要负责人在本单位发生生产安全事故时，不立即组织抢救或者在事故调查处理期间擅离"
    "职守或者逃匿的，给予降级、撤职的处分，并由应急管理部门处上一年年收入百分之六十至百分之一百的罚款。\n"
    "生产经营单位的主要负责人对生产安全事故隐瞒不报、谎报或者迟报的，依照前款规定处罚。"
)


@pytest.mark.parametrize("text", [_GOVERNMENT, _DEPARTMENTS])
def test_a_penalty_on_a_governments_own_breach_disciplines_officials(text):
    assert disciplines_officials(text)
    assert not punishes_whom_asked(text, "老板想压着不报。法律对主要负责人瞒报、迟报是怎么罚的？")
    assert punishes_whom_asked(text, "县政府对事故瞒报，有关官员会受什么处分？")


def test_a_penalty_on_an_enterprises_head_disciplines_no_official():
    """降级、撤职的处分 of a 主要负责人 (an enterprise's) is no discipline of officials."""
    assert not disciplines_officials(_HEAD)
    assert punishes_whom_asked(_HEAD, "老板想压着不报。法律对主要负责人瞒报、迟报是怎么罚的？")


def test_the_heads_penalty_answers_a_question_about_the_head_hiding_an_injury():
    """Asked how the 主要负责人 is punished for hiding an injury told by how it was done (压断了手指), the penalty on
    the head answers, not the government's: the government's disciplines officials, and the injury tells of the
    accident the head's penalty is for."""
    question = "车间冲床压断了一个工人的手指，老板怕影响评优想压着不报。法律对主要负责人瞒报、迟报是怎么罚的？"
    chunks = [
        _article("安全生产法", "法律", 111, _GOVERNMENT, "中华人民共和国安全生产法"),
        _article("安全生产法", "法律", 110, _HEAD, "中华人民共和国安全生产法"),
    ]
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in [c.text for c in chunks] + [question] for t in tokenizer.query_tokens(text)}
    plan = QueryPlan(question, question, legal_terms=["主要负责人"], translations={"老板": "主要负责人"})
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert answer.citations[0] == {"doc": "安全生产法", "article": "第一百一十条"}, answer.text
    assert "百分之六十至百分之一百" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "车间冲床压断了一个工人的手指，老板想压着不报",
        "店里员工被和面机绞伤了手，要不要报",
        "叉车在仓库里撞死了一个搬运工",
        "送到医院没救过来",
        "轧断了两根手指，医生说要截肢",
    ],
)
def test_an_injury_told_by_how_it_was_done_tells_of_harm(question):
    assert tells_of_harm(question)


@pytest.mark.parametrize(
    "question",
    ["发现燃气泄漏，要先切断气源吗？", "叉车压坏了货架，要赔吗？", "没有证就让他上岗，单位会怎么罚？"],
)
def test_what_harms_no_one_tells_of_no_harm(question):
    assert not tells_of_harm(question)


# --- words naming a sector rule's subject --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "question"),
    [
        ("大型群众性活动", "活动现场发生了拥挤踩踏，安全责任人没及时报警，会怎么处罚？"),
        ("大型群众性活动", "酒店承办一场汽车展销会，大型活动安全工作方案要写哪些内容？"),
        ("建设工程", "项目经理没履行职责出了事故（项目负责人）还能接着当吗"),
        ("职业病", "职业卫生技术服务机构出具虚假证明文件，会怎么处罚？"),
    ],
)
def test_words_naming_a_sector_rules_subject(subject, question):
    assert default_forms().names_subject(subject, question)


def test_a_sector_rule_asked_about_its_sector_stands_for_its_penalty():
    """A sector rule's penalty (大型群众性活动安全管理条例第二十二条) asked about an event told as 活动现场 is the specific
    rule: the general law's penalty on a like duty (未组织应急救援) does not step over it."""
    question = "活动现场发生了拥挤踩踏，安全责任人慌了神，既没马上启动应急预案也没及时报警，会怎么处罚？"
    rule = _article(
        "大型群众性活动安全管理条例", "行政法规", 22,
        "第二十二条 在大型群众性活动举办过程中发生公共安全事故，安全责任人不立即启动应急救援预案或者不立即向公安机关"
        "报告的，由公安机关对安全责任人和其他直接责任人员处5000元以上5万元以下罚款。",
    )  # fmt: skip
    law = _article(
        "安全生产法", "法律", 101,
        "第一百零一条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：\n"
        "（一）发生安全事故，安全责任人不立即启动应急救援预案或者不立即报告的；",
        "中华人民共和国安全生产法",
    )  # fmt: skip
    tokenizer = Tokenizer([])
    chunks = [rule, law]
    idf = {t: 2.0 for text in [c.text for c in chunks] + [question] for t in tokenizer.query_tokens(text)}
    plan = QueryPlan(question, question)
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert answer.citations[0] == {"doc": "大型群众性活动安全管理条例", "article": "第二十二条"}, answer.text


# --- a special law's penalty within its subject ----------------------------------------------------------------------

_EQUIPMENT = _article(
    "特种设备安全法", "法律", 89,
    "第八十九条 发生特种设备事故，有下列情形之一的，对单位处五万元以上二十万元以下罚款；对主要负责人处一万元以上五万元"
    "以下罚款；主要负责人属于国家工作人员的，并依法给予处分：\n（一）发生特种设备事故时，不立即组织抢救或者在事故调查"
    "处理期间擅离职守或者逃匿的；\n（二）对特种设备事故迟报、谎报或者瞒报的。",
    "中华人民共和国特种设备安全法",
)  # fmt: skip
_CONCEALED = _article(
    "事故条例", "行政法规", 36,
    "第三十六条 事故发生单位及其有关人员有下列行为之一的，对事故发生单位处100万元以上500万元以下的罚款；对主要负责人、"
    "直接负责的主管人员和其他直接责任人员处上一年年收入60%至100%的罚款：\n（一）谎报或者瞒报事故的；",
)  # fmt: skip


@pytest.mark.parametrize(
    ("question", "answering"),
    [
        (
            "企业瞒报一起死亡事故，被查实后，对企业本身和主要负责人分别怎么罚？",
            {"doc": "事故条例", "article": "第三十六条"},
        ),
        # the subject named (电梯, a 特种设备), its law's penalty answers
        (
            "小区电梯出了事故，物业瞒报了，对物业和主要负责人分别怎么罚？",
            {"doc": "特种设备安全法", "article": "第八十九条"},
        ),
    ],
)
def test_a_special_laws_penalty_within_its_subject_answers_only_there(question, answering):
    chunks = [_EQUIPMENT, _CONCEALED]
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in [c.text for c in chunks] + [question] for t in tokenizer.query_tokens(text)}
    plan = QueryPlan(question, question, legal_terms=["瞒报"])
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert answer.citations[0] == answering, answer.text


def test_a_question_searched_again_reuses_its_vector():
    """The repealed texts are searched with the question's vector already computed, not a second one; a refit in
    place (the built-in embedder's) or another question computes it afresh."""
    from assistant.retrieval import candidates

    calls: list[str] = []

    class Embeddings:
        fit_id = 1

        def embed_query(self, question: str) -> list[float]:
            calls.append(question)
            return [float(len(calls))]

    embeddings = Embeddings()
    first = candidates._question_vector(embeddings, "应急演练多久一次").result()
    assert candidates._question_vector(embeddings, "应急演练多久一次").result() == first
    assert calls == ["应急演练多久一次"]
    embeddings.fit_id = 2
    candidates._question_vector(embeddings, "应急演练多久一次").result()
    candidates._question_vector(embeddings, "举报奖励多少").result()
    assert calls == ["应急演练多久一次", "应急演练多久一次", "举报奖励多少"]
