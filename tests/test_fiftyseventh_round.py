"""Round 57.

- A batch of uploads holding a file whose name begins with “.” (a hidden file, which the command line skips) is
  refused whole by Gradio when its upload folder lies under the server's working directory (a server started from
  /tmp or /), with a message that named no file. The refusal now names the hidden files, before Gradio sees the call.
- Ranking reads a provision on a class of equipment (特种设备) as speaking of the member the question names (行车,
  叉车), as the answer already read it: the fine for letting an uncertified worker run a 行车 is the 特种设备 law's.
- Asked what a plan says, the figure asked is about what the question says in its own words, not in the law's terms
  for them: a plan writes its own (单位…发生的各类安全事故…2小时内上报团安办), and 那份季度计划里，单位出了事故要多长
  时间内报团安办 had been answered by the accident regulation's 每级上报的时间不得超过2小时.
- A public apology ordered of a unit responsible for an accident (责令其…主要新闻媒体公开道歉) is a sanction wherever a
  text places it (深圳's is among its 监督管理措施): 除了罚款以外，是不是还要登报道歉 is answered by it, not by the ban
  from heading a business in the 法律责任 chapter, and 以后还能当主要负责人吗 by that ban, not by the apology.
- A piece of a message that asks nothing, before 另外 (同时, 以及, 那么), tells what the next piece asks about: 商场仓库
  失火，烧死3个人，另外有十几个重伤。这算哪个等级的事故？ asks one thing, and 烧死3个人 had been answered on its own.
- The lexicon reads a death told by how (烧死3个人), pay cut (津贴砍了), a report put off (拖着没报, 才上报) or lied
  about (谎称), the head of a hospital or a shop (院长, 店长), the buildings 消防法 names as 人员密集场所 (门诊楼, 住院部,
  学生宿舍), where a fire is told, those on duty there (当班的护士, 服务员), and a job done on the side (兼着管, 兼着干:
  asking whether it must be a 专职 one) in the law's words.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from conftest import event_fn, isolated_settings, serving
from test_fifteenth_round import _article
from test_fiftyfirst_round import _ASKS
from test_retrieval_stages import record

from assistant.answer.compose import OfflineComposer
from assistant.pack import KnowledgePack
from assistant.retrieval.candidates import Candidates
from assistant.retrieval.features import candidate_values
from assistant.retrieval.figures import QuantityAsks
from assistant.retrieval.query import QueryPlan
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings
from ingest.store import StoredChunk
from ingest.tokenizer import Tokenizer


def _upload(client: httpx.Client, *names: str) -> list[dict]:
    files = [
        ("files", (name, f"# 青山市通知\n\n一、{name}各单位应当设置泄漏报警装置。\n".encode(), "text/markdown"))
        for name in names
    ]
    stored = client.post("/gradio_api/upload", files=files).json()
    return [
        {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        for path, name in zip(stored, names, strict=True)
    ]


def _join(client: httpx.Client, fn: int, data: list) -> httpx.Response:
    body = {"data": data, "fn_index": fn, "session_hash": uuid.uuid4().hex[:10], "event_data": None, "trigger_id": None}
    return client.post("/gradio_api/queue/join", json=body)


@pytest.fixture(scope="module")
def upload_folder_under_cwd(tmp_path_factory):
    """A served app whose upload folder lies under the working directory: (a client, the settings)."""
    from gradio.utils import get_upload_folder

    settings = isolated_settings(tmp_path_factory.mktemp("hidden") / "anquan_data")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(Path(get_upload_folder()).parent)
        with serving(settings) as url, httpx.Client(base_url=url, timeout=120) as client:
            yield client, settings


def test_a_batch_refused_for_hidden_files_names_them(upload_folder_under_cwd):
    client, settings = upload_folder_under_cwd
    fn = event_fn(client, "lib-ingest")
    batch = _upload(client, ".方案草稿.md", "青山市通知.md", "._青山市预案.md")
    refused = _join(client, fn, [batch])
    assert refused.status_code == 422, refused.text
    said = refused.json()["detail"]
    assert "“.方案草稿.md”、“._青山市预案.md”" in said and "青山市通知" not in said, said
    assert "这一批文件都没有导入" in said and "去掉开头的“.”" in said, said
    assert KnowledgeBase(settings).documents() == {}  # nothing of the batch was imported


def test_a_batch_without_hidden_files_is_taken(upload_folder_under_cwd):
    client, _ = upload_folder_under_cwd
    joined = _join(client, event_fn(client, "lib-ingest"), [_upload(client, "青山市通知.md")])
    assert joined.status_code == 200 and "event_id" in joined.json(), joined.text


# --- a provision on a class of equipment speaks of the member asked about --------------------------------------------

_ON_THE_CLASS = _article(
    "特种设备安全法", "法律", 86,
    "第八十六条 违反本法规定，特种设备生产、经营、使用单位有下列情形之一的，责令限期改正；逾期未改正的，处一万元以上五万"
    "元以下罚款：\n（二）使用未取得相应资格的人员从事特种设备安全管理、检测和作业的；",
)  # fmt: skip
_ON_ANOTHER_MATTER = _article(
    "安全生产法", "法律", 97,
    "第九十七条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：\n（七）特种作业人员未按照规定经专门的"
    "安全作业培训并取得相应资格，上岗作业的。",
)  # fmt: skip


def _coverage(question: str, kinds: dict[str, str]) -> dict[str, float]:
    found = Candidates()
    found.chunks = {c.id: c for c in (_ON_THE_CLASS, _ON_ANOTHER_MATTER)}
    found.ids = list(found.chunks)
    found.tokens = ["行车", "取得相应资格", "罚款"]
    plan = QueryPlan(question, question, kinds=kinds)
    figures = QuantityAsks(KnowledgePack(Settings().knowledge_dir).quantities)
    idf = {"行车": 4.0, "取得相应资格": 3.0, "罚款": 1.0}
    records = {c.doc_id: record(c.doc_id, "法律") for c in found.chunks.values()}
    values = candidate_values(found, plan, records, idf, figures, found.ids)
    return {chunk_id: v["coverage"] for chunk_id, v in values.items()}


def test_a_provision_on_the_class_holds_the_member_asked_about():
    question = "厂里让没有证的工人开行车，单位会被罚多少？"
    read = _coverage(question, {"行车": "特种设备"})
    assert read[_ON_THE_CLASS.id] == pytest.approx(1.0)
    # a provision that does not name the class holds no more than its own words
    assert read[_ON_ANOTHER_MATTER.id] == pytest.approx(0.5)
    # asked of no member of the class, the class holds nothing more
    assert _coverage(question, {})[_ON_THE_CLASS.id] == pytest.approx(0.5)


# --- everyday words read in the law's --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("商场仓库失火，烧死3个人，这算什么等级的事故？", "死亡"),
        ("工地塔吊倒了砸死一个工人，项目经理会不会坐牢？", "死亡"),
        ("我查出问题叫停了一条线，老板就把我岗位津贴砍了，这合法吗？", "降低其工资"),
        ("酒店出了伤亡事故，老板拖着没报，会怎么处罚？", "迟报"),
        ("养老院出事后第二天才上报，院长会怎么处罚？", "迟报"),
        ("出事以后老板谎称是工人自己摔的，会怎么处罚？", "谎报"),
        ("养老院出事后院长个人会受到什么处罚？", "主要负责人"),
        ("医院门诊楼要是着火了，要组织病人疏散吗？", "人员密集场所"),
        ("住院部着火了，当班的护士没组织病人撤离，要担什么责任？", "现场工作人员"),
        ("饭店着火了，服务员自己先跑了，要承担什么后果？", "现场工作人员"),
        ("我们医院有16部电梯，电梯安全管理员能不能让水电班的师傅兼着干？", "专职"),
        ("商场的特种设备一直是工程部兼着管，这样行吗？", "专职"),
    ],
)
def test_everyday_words_read_in_the_laws(analyzer, question, term):
    assert term in analyzer.analyse(question).legal_terms


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("厂里要砍掉一条生产线，要重新做安全评价吗？", "降低其工资"),  # nothing of pay
        ("医院的护士要不要做职业健康检查？", "现场工作人员"),  # no fire told
        ("工人被机器绞伤了手，已经送医院了，要多久内上报？", "人员密集场所"),  # 医院 where the injured was taken
    ],
)
def test_the_same_words_elsewhere_are_not_read_so(analyzer, question, term):
    assert term not in analyzer.analyse(question).legal_terms


# --- asked what a plan says, what a figure is about is read in the question's words ---------------------------------

_PLAN_PASSAGE = StoredChunk(
    "四团季度计划-3",
    "单位属地内发生的各类安全事故，不论事故性质大小，必须如实快报，2小时内上报团安办，24小时内报送书面材料。",
    {"doc_id": "四团季度安全生产工作计划", "title": "四团季度安全生产工作计划", "unit": "section", "kind": "计划",
     "region": "全国", "heading_path": "三、事故报告"},
)  # fmt: skip
_EACH_LEVEL = _article(
    "生产安全事故报告和调查处理条例", "行政法规", 11,
    "第十一条 安全生产监督管理部门和负有安全生产监督管理职责的有关部门逐级上报事故情况，每级上报的时间不得超过2小时。"
    "生产安全事故报告应当及时、准确。",
)  # fmt: skip


@pytest.mark.parametrize("plans", [True, False])
def test_a_figure_asked_of_a_plan_is_about_the_questions_own_words(monkeypatch, plans):
    """What the figure is asked about, as the check of each stating clause reads it: asked of a plan, the question's
    words (单位, 事故, 团安办); asked of the law, with the law's terms for them (生产安全事故)."""
    from assistant.answer import compose

    read: list[dict[str, float]] = []
    checked = compose._states_about

    def states_about(group, ask, subject, *args, **kwargs):
        read.append(subject)
        return checked(group, ask, subject, *args, **kwargs)

    monkeypatch.setattr(compose, "_states_about", states_about)
    question = (
        "那份四团安监办的季度计划里，单位出了事故要多长时间内报团安办？" if plans else "单位出了事故要多长时间内报？"
    )
    tokenizer = Tokenizer(["安全生产监督管理部门", "生产安全事故", "团安办"])
    texts = [_PLAN_PASSAGE.text, _EACH_LEVEL.text, question]
    idf = {t: 1.0 for text in texts for t in tokenizer.query_tokens(text)} | {"团安办": 6.0, "四团": 6.0}
    idf |= {"安全生产监督管理部门": 3.0, "生产安全事故": 3.0}
    plan = QueryPlan(
        question,
        question,
        plans=plans,
        legal_terms=["安全生产监督管理部门", "生产安全事故"],
        translations={"安监": "安全生产监督管理部门", "出了事": "生产安全事故"},
    )
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, [_PLAN_PASSAGE, _EACH_LEVEL])
    assert read and all(("生产安全事故" in subject) is not plans for subject in read), read
    assert "事故" in read[0]
    if plans:
        assert answer.text.startswith("依据《四团季度安全生产工作计划》") and "2小时内上报团安办" in answer.text


# --- a public apology ordered is a sanction, wherever the text places it ---------------------------------------------


def _shenzhen(number: int, text: str, heading: str) -> StoredChunk:
    """An article of the 深圳 regulation under its chapter heading."""
    meta = {"doc_id": "深圳条例", "title": "深圳条例", "unit": "article", "kind": "地方性法规", "region": "全国"}
    return StoredChunk(
        f"深圳条例-{number}",
        text,
        meta | {"article": text.split(" ")[0], "article_num": number, "heading_path": heading},
    )


_APOLOGY = _shenzhen(
    32,
    "第三十二条 生产经营单位对发生较大以上生产安全事故负有责任的,除依法承担相应法律责任之外，由负有安全生产监督管理职责"
    "的部门责令其在深圳经济特区范围内主要新闻媒体公开道歉，并承诺改进安全生产工作，公开整改措施，接受社会监督。",
    "第三章 监督管理措施",
)
_BAN = _shenzhen(
    60,
    "第六十条 生产经营单位主要负责人因对较大生产安全事故负有责任受刑事处罚或者撤职处分的，除依照《安全生产法》实行职业"
    "禁入等行政处罚外，终身不得在深圳经济特区范围内担任本行业生产经营单位主要负责人。",
    "第六章 法律责任",
)


def test_a_public_apology_ordered_is_a_sanction():
    from assistant.retrieval.provisions import PENALTY, provision_kind

    assert provision_kind(_APOLOGY) == PENALTY


@pytest.mark.parametrize(
    ("question", "chunks", "answering"),
    [
        ("公司对一起较大事故负有责任，除了罚款以外，是不是还要登报道歉？", [_APOLOGY, _BAN], "第三十二条"),
        ("老板对一起较大事故负有责任被撤职，以后还能当别的公司的主要负责人吗？", [_BAN, _APOLOGY], "第六十条"),
    ],
)
def test_the_apology_and_the_ban_each_answer_what_is_asked(question, chunks, answering):
    """Ranked first, each answers: the kind of provision asked (a penalty, 除了罚款以外…; or what may be done, 还能当…
    吗) no longer overrules the ranker, both being sanctions."""
    tokenizer = Tokenizer([])
    idf = {t: 2.0 for text in [c.text for c in chunks] + [question] for t in tokenizer.query_tokens(text)}
    plan = QueryPlan(question, question, legal_terms=["公开道歉"], translations={"登报道歉": "公开道歉"})
    answer = OfflineComposer(tokenizer, idf, _ASKS).compose(question, plan, chunks)
    assert answer.text.startswith(f"依据《深圳条例》{answering}"), answer.text


# --- a piece asking nothing before 另外 tells what the next asks about ----------------------------------------------


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("商场仓库失火，烧死3个人，另外有十几个重伤。这算哪个等级的生产安全事故？", 1),
        ("上海的厂，正式工250人，另外还用着80个劳务派遣工。我们要不要成立安全生产委员会？", 1),
        # a piece that asks, before 另外, is a question of its own
        ("申请烟花燃放许可要交哪些材料，另外审批要几天？", 2),
        ("动火作业要办什么手续，同时现场要不要有人监护？", 2),
    ],
)
def test_a_piece_asking_nothing_before_another_is_its_circumstance(question, parts):
    from assistant.retrieval.query import question_parts

    assert len(question_parts(question)) == parts, question_parts(question)
