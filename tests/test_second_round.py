"""Variants found by the second round of hostile testing: a named pipe in a folder is skipped with a reason
instead of hanging the import, and a question of invisible characters only is refused like an empty one;
citation numbers, quotations and article mentions in any written form are checked like the plain ones;
UTF-32, Japanese and mislabelled text files (ingested or as self-check answers) decode correctly or are refused,
never indexed as mojibake; input that is not UTF-8, an ASCII locale, a damaged index and a malformed option
value are told in Chinese."""

from __future__ import annotations

import codecs
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REGULATION_NEW
from typer.testing import CliRunner

from assistant.citations import citation_marks, normalise_citations
from assistant.cli import app, readable_input
from assistant.faults import explain
from assistant.llm.verification import MISQUOTE_MARK, UNKNOWN_ARTICLE_MARK, verify
from assistant.selfcheck import AnswerError, load_answers
from ingest.cleaning import is_blank
from ingest.encoding import decode_bytes
from ingest.errors import UnreadableFile, collecting_warnings
from ingest.knowledge_base import KnowledgeBase
from ingest.settings import Settings
from ingest.store import StoredChunk


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_in_a_folder_is_skipped_and_the_rest_is_ingested(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    os.mkfifo(folder / "管道.md")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert "不是普通文件" in result.output and "Traceback" not in result.output
    shown = CliRunner().invoke(app, ["show", REGULATION_NEW, "6"])
    assert shown.exit_code == 0 and "第六条" in shown.output


@pytest.mark.parametrize("question", ["\u200b\u200b\u200b", " \u3000 ", "\u2060\ufeff", "\u202e"])
def test_a_question_of_invisible_characters_is_refused(question):
    assert is_blank(question)
    result = CliRunner().invoke(app, ["ask", question])
    assert result.exit_code == 2 and "问题是空的" in result.output


def test_text_with_a_character_is_not_blank():
    assert not is_blank("\u200b问") and not is_blank("Ａ")


# --- LLM verification: every written form of a citation, quotation and article mention ----------------------


@pytest.mark.parametrize(
    ("written", "normalised", "removed"),
    [
        ("先通风[1]。另见[⑨]。", "先通风[1]。另见。", [9]),
        ("先通风[②]。", "先通风[2]。", []),
        ("先通风[❷]【⑴】。", "先通风[2][1]。", []),
        ("先通风[资料九十九]。", "先通风。", [99]),
        ("先通风【九十九】。", "先通风。", [99]),
        ("先通风【二】。", "先通风[2]。", []),
        ("先通风〔资料三〕。", "先通风[3]。", []),
        ("先通风[一至三]。", "先通风[1][2][3]。", []),
        ("先通风[1]⁹⁹。", "先通风[1]。", [99]),
        ("先通风¹²。", "先通风。", [12]),
        ("先通风²。", "先通风[2]。", []),
        ("先通风¹˒³。", "先通风[1][3]。", []),
        ("先通风⁽²⁾。", "先通风[2]。", []),
        ("先通风（文献99）。", "先通风。", [99]),
        ("先通风（参考文献2）。", "先通风[2]。", []),
        ("先通风[No.99]。", "先通风。", [99]),
        ("先通风[No. 2]。", "先通风[2]。", []),
        ("先通风[№ 3]。", "先通风[3]。", []),
        ("先通风[ref 2]。", "先通风[2]。", []),
        ("先通风[注99]。", "先通风。", [99]),
        ("见资料99，应当先通风。", "见，应当先通风。", [99]),
        ("根据资料2，应当先通风。", "根据[2]，应当先通风。", []),
        ("先通风[99](#src)。", "先通风。", [99]),
    ],
)
def test_a_citation_in_any_numeral_or_label_is_normalised_and_checked(written, normalised, removed):
    assert normalise_citations(written, {1, 2, 3}) == (normalised, removed)


@pytest.mark.parametrize(
    "text",
    [
        "面积 20m²，浓度 10⁻⁶",
        "①通风；②检测；③作业",
        "⑴通风",
        "安委办〔二〇二三〕5号",
        "见资料3份",
        "档案资料2023年",
        "[NO2]浓度",
        "（一）建立健全责任制",
        "第二十一条第（三）项",
        "【注意】作业前通风",
        "x² + y²",
    ],
)
def test_numbers_that_are_not_citations_are_left_alone(text):
    assert citation_marks(text) == []
    assert normalise_citations(text, {1}) == (text, [])


def _article(text: str, title: str, label: str, number: int, part: int = 1, parts: int = 1) -> StoredChunk:
    return StoredChunk(
        f"{title}{number}-{part}",
        text,
        {
            "doc_id": title,
            "title": title,
            "unit": "article",
            "article": label,
            "article_num": number,
            "article_sub": 0,
            "part": part,
            "parts": parts,
        },
    )


LAW = "中华人民共和国安全生产法"
SOURCES = [
    _article(
        "第二十四条 矿山、金属冶炼单位，应当设置安全生产管理机构或者配备专职安全生产管理人员。\n"
        "前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备专职安全生产管理人员；"
        "从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。",
        LAW,
        "第二十四条",
        24,
    ),
    _article(
        "第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：\n（一）建立健全并落实本单位全员安全生产责任制；\n"
        "（二）组织制定并实施本单位安全生产规章制度和操作规程；\n（三）组织制定并实施本单位安全生产教育和培训计划。",
        LAW,
        "第二十一条",
        21,
    ),
]
FORGED = "从业人员超过一百人的，可以不设置安全生产管理机构"


@pytest.mark.parametrize(
    "quote",
    [
        f"｢{FORGED}｣",
        f"〝{FORGED}〞",
        f"〝{FORGED}〟",
        f"«{FORGED}»",
        f"‹{FORGED}›",
        f"„{FORGED}“",
        f"﹁{FORGED}﹂",
        f"＇{FORGED}＇",
        f"“{FORGED[:11]}\n{FORGED[11:]}”",
        f"「{FORGED[:11]}\n  {FORGED[11:]}」",
    ],
)
def test_a_forged_quote_in_any_marks_or_over_a_line_break_is_flagged(quote):
    text, report, used = verify(f"法律规定{quote}[1]。", SOURCES)
    assert report.misquotes == [FORGED] and used == [1]
    assert f"{quote}{MISQUOTE_MARK}" in text


@pytest.mark.parametrize(
    "quote",
    [
        "｢从业人员超过一百人的，应当设置安全生产管理机构｣",
        "«从业人员超过一百人的，应当设置»",
        "“矿山、金属冶炼单位，应当设置安全生产管理机构或者配备专职安全生产管理人员。\n前款规定以外的其他生产经营单位”",
        "〝从业人员超过一百人的，\n应当设置安全生产管理机构〞",
    ],
)
def test_a_verbatim_quote_in_any_marks_over_lines_or_sentences_passes(quote):
    text, report, _ = verify(f"法律规定{quote}[1]。", SOURCES)
    assert report.misquotes == [] and "⚠" not in text


def test_a_blank_line_ends_an_unclosed_quotation():
    text, report, _ = verify("他说“先通风。\n\n后作业”[1]。", SOURCES)
    assert report.misquotes == [] and "⚠" not in text


@pytest.mark.parametrize(
    ("mention", "known"),
    [
        ("第二百零一條", False),
        ("《安全生產法》第二百零一條", False),
        ("《安全生產法》第二十四條", True),
        ("第２０１条", False),
        ("第二十四条第二款", True),
        ("第二十四条第五款", False),
        ("第二十四條第三款", False),
        ("第二十一条第三项", True),
        ("第二十一条第（三）项", True),
        ("第二十一条第四项", False),
        ("第二十一条第一款第三项", True),
        ("第二十一条第二款", False),
        ("第二十四条第二款第一项", False),
        ("第九十九条第一款", False),
    ],
)
def test_an_article_in_any_script_with_paragraph_and_item_must_be_given(mention, known):
    text, report, _ = verify(f"依据{mention}，应当设置机构[1]。", SOURCES)
    assert (report.unknown_articles == []) is known, report
    assert (f"{mention}{UNKNOWN_ARTICLE_MARK}" in text) is not known


def test_a_paragraph_of_an_article_given_only_in_a_later_part_is_flagged():
    later = [
        _article(
            "前款规定以外的其他生产经营单位，应当配备专职安全生产管理人员。", LAW, "第二十四条", 24, part=2, parts=2
        )
    ]
    _, report, _ = verify("依据第二十四条第二款，应当配备人员[1]。", later)
    assert report.unknown_articles == ["第二十四条第二款"]


# --- encodings: decoded correctly or refused, never mojibake ----------------------------------------------

PLAN = "青山区危险作业安全规定\n\n第一条 为了加强危险作业安全管理，制定本规定。\n第二条 有限空间作业应当先通风、再检测、后作业。\n"
JAPANESE = (
    "安全衛生規則\n\n第一条 この規則は労働者の安全を確保する。\n第二条 事業者は安全管理者を選任しなければならない。\n"
)


def _decode(data: bytes) -> tuple[str, list[str]]:
    warnings: list[str] = []
    with collecting_warnings(warnings):
        text = decode_bytes(data, Path("方案.txt"))
    return text, warnings


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_or_without_a_bom_decodes(encoding):
    data = PLAN.encode(encoding)
    if encoding == "utf-32-be":
        data = codecs.BOM_UTF32_BE + data
    assert _decode(data)[0] == PLAN
    assert _decode(PLAN.encode(encoding))[0] == PLAN  # without the BOM


def test_a_utf32_bom_over_bytes_that_are_not_utf32_is_refused_naming_the_file():
    with pytest.raises(UnreadableFile, match="UTF-32") as refused:
        decode_bytes(codecs.BOM_UTF32_LE + b"\xff\xff\xff\xff" * 20, Path("方案.txt"))
    assert refused.value.path.name == "方案.txt"


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932", "euc_jp"])
def test_japanese_text_is_read_as_japanese_never_as_gbk_mojibake(encoding):
    text, warnings = _decode(JAPANESE.encode(encoding))
    assert text == JAPANESE
    assert any("日文" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (PLAN, "gbk"),
        (PLAN, "gb18030"),
        ("说明：日文术语“カイゼン”指持续改进。\n" + PLAN * 3, "gbk"),
        ("第一條 為了加強安全生產工作，防止和減少生產安全事故，制定本條例。\n" * 3, "big5"),
    ],
)
def test_chinese_legacy_text_is_not_taken_for_japanese(text, encoding):
    decoded, warnings = _decode(text.encode(encoding))
    assert decoded == text and not any("日文" in w for w in warnings)


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_a_utf8_bom_before_a_legacy_body_reads_the_body_in_its_encoding(encoding):
    body = PLAN if encoding == "gbk" else "第一條 為了加強安全生產工作，防止和減少生產安全事故，制定本條例。\n" * 3
    text, warnings = _decode(codecs.BOM_UTF8 + body.encode(encoding))
    assert text == body and "\ufffd" not in text
    assert any("标明是 UTF-8" in w for w in warnings)


def test_a_utf8_bom_file_with_a_stray_byte_keeps_its_utf8():
    text, warnings = _decode(codecs.BOM_UTF8 + PLAN.encode() + b"\xff" + PLAN.encode())
    assert text.startswith(PLAN) and any("不是有效的 UTF-8" in w for w in warnings)


def test_japanese_and_utf32_files_ingest_beside_good_ones(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", folder)
    (folder / "日本語規則.txt").write_bytes(JAPANESE.encode("shift_jis"))
    (folder / "青山区危险作业安全规定.txt").write_bytes(PLAN.encode("utf-32-le"))
    (folder / "混合BOM.txt").write_bytes(codecs.BOM_UTF8 + PLAN.replace("规定", "办法").encode("gbk"))
    result = CliRunner().invoke(app, ["ingest", str(folder), "--no-vectors"])
    assert result.exit_code == 0 and "失败" not in result.output and "Traceback" not in result.output
    kb = KnowledgeBase(Settings())
    texts = {
        record.title: "".join(c.text for c in kb.store.document_chunks(doc_id))
        for doc_id, record in kb.documents().items()
    }
    assert "有限空间作业应当先通风" in texts["青山区危险作业安全规定"]
    assert "有限空间作业应当先通风" in texts["青山区危险作业安全办法"]
    assert "この規則は労働者の安全を確保する" in texts["安全衛生規則"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("answers.csv", "编号,回答\nA1,是\nA2,否\n".encode("utf-16")),
        ("answers.csv", "编号\t回答\nA1\t是\nA2\t否\n".encode("utf-16")),  # Excel's “Unicode text”
        ("answers.csv", "编号,回答\nA1,是\nA2,否\n".encode("utf-16-le")),
        ("answers.csv", "编号,回答\nA1,是\nA2,否\n".encode("utf-32")),
        ("answers.csv", codecs.BOM_UTF8 + "编号,回答\nA1,是\nA2,否\n".encode("gbk")),
        ("answers.yaml", "A1: 是\nA2: 否\n".encode("utf-16")),
        ("answers.yaml", "A1: 是\nA2: 否\n".encode("gbk")),
        ("answers.csv", "编号,回答\nA1,是\nA2,否\n".encode("gbk")),  # short enough to read as Big5 too
    ],
)
def test_an_answers_file_in_any_supported_encoding_reads(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert load_answers(path) == {"A1": "是", "A2": "否"}


def test_an_answers_file_that_is_not_text_is_refused_in_chinese(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(AnswerError, match="answers.csv：文件内容无法识别"):
        load_answers(path)


# --- the CLI: input that is not UTF-8, an ASCII locale, a damaged index, malformed option values ----------------


def test_an_argument_that_is_not_utf8_is_refused_in_chinese():
    result = CliRunner().invoke(app, ["ask", "\udcff\udcfe\udcc3安全"])
    assert result.exit_code == 2 and "不是有效的 UTF-8 编码" in result.output and "意外错误" not in result.output
    shown = CliRunner().invoke(app, ["show", "\udcff安全生产法", "24"])
    assert shown.exit_code == 2 and "不是有效的 UTF-8 编码" in shown.output


def test_an_argument_typed_in_a_gbk_terminal_is_read_as_gbk(tmp_path):
    assert readable_input(os.fsdecode("安全生产".encode("gbk"))) == "安全生产"
    existing = tmp_path / os.fsdecode("方案".encode("gbk"))
    existing.write_text("x", encoding="utf-8")
    assert readable_input(str(existing), may_be_path=True) == str(existing)  # a file's own name stays as it is


def test_a_chat_line_that_is_not_utf8_is_refused_and_the_chat_goes_on(tmp_path):
    shutil.copy(FIXTURES / f"{REGULATION_NEW}.md", tmp_path)
    CliRunner().invoke(app, ["ingest", str(tmp_path / f"{REGULATION_NEW}.md"), "--no-vectors"])
    result = CliRunner().invoke(app, ["chat"], input=b"\xff\xfe\xc3abc\n\n")
    assert "不是有效的 UTF-8 编码" in result.output and "意外错误" not in result.output


def test_an_ascii_locale_works(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C", "ANQUAN_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "stats"],
        capture_output=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    out = (done.stdout + done.stderr).decode("utf-8")
    assert done.returncode == 0 and "知识库为空" in out and "意外错误" not in out, out


@pytest.mark.parametrize("damage", [b"", b"garbage" * 500, b"SQLite format 3\x00" + b"\x00" * 84 + b"\xff" * 4000])
def test_a_damaged_index_says_what_to_do(damage):
    chroma = Settings().data_dir / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(damage or b"\x00" * 4096)
    result = CliRunner().invoke(app, ["stats"])
    out = result.output.replace("\n", "")
    assert result.exit_code == 1 and "索引已损坏" in out and f"请删除文件夹 {chroma}" in out and "anquan ingest" in out
    assert "意外错误" not in out


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.DatabaseError("database disk image is malformed"),
        sqlite3.DatabaseError("file is not a database"),
        RuntimeError("error returned from database: (code: 11) database disk image is malformed"),
    ],
)
def test_every_word_for_a_damaged_database_is_recognised(exc):
    assert "索引已损坏" in explain(exc, Settings(), "检索")


def test_a_locked_database_is_not_called_damaged():
    assert "索引已损坏" not in (explain(sqlite3.OperationalError("database is locked"), Settings()) or "")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check", "--industry", "餐饮", "--employees", "abc"], "从业人员人数“abc”无法识别"),
        (["check", "--industry", "餐饮", "--employees", "1e9"], "从业人员人数“1e9”无法识别"),
        (["search", "--k", "x", "动火"], "--k 的值“x”无效：须为整数"),
        (["show", "--bogus"], "没有选项 --bogus"),
        (["check", "--employees", "12"], "缺少选项 --industry"),
        (["check", "--industry"], "选项 --industry 的用法不对"),
        (["ask", "有限", "空间"], "多余的参数 空间"),
        (["nonsense"], "没有命令 nonsense"),
    ],
)
def test_a_usage_error_is_told_in_chinese(args, said):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and said in result.output.replace("\n", ""), result.output
    assert "Invalid value" not in result.output and "Usage:" not in result.output


def test_a_headcount_written_with_a_unit_works():
    result = CliRunner().invoke(app, ["check", "--industry", "餐饮", "--employees", "120人"])
    assert result.exit_code == 0 and "从业人员：120 人" in result.output
