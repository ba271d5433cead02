"""The anquan command: what a user sees when ingesting, looking at stats and showing an article."""

from __future__ import annotations

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


def test_ingest_prints_the_active_parts_a_per_file_table_and_a_summary(user_files):
    result = runner.invoke(app, ["ingest", str(user_files)])
    assert result.exit_code == 1  # two files failed; the others were ingested
    out = result.output
    assert "向量：内置字符 n-gram TF-IDF+SVD" in out and "ANQUAN_EMBEDDER=builtin" in out
    assert "存储：本地 Chroma" in out
    assert "空文件.txt" in out and "文件为空" in out
    assert "图片改名.txt" in out and "二进制" in out
    assert "新增 6" in out and "失败 2" in out
    again = runner.invoke(app, ["ingest", str(user_files)])
    assert "未变 6" in again.output and "写入 0 个切块" in again.output


def test_stats_lists_documents_by_kind_and_superseded_versions(user_files_index, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(user_files_index[0].data_dir))  # the user files, ingested
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0
    assert "计划方案" in result.output and "地方性法规" in result.output
    assert "文档 6 个" in result.output


def test_show_accepts_numbers_in_several_forms(user_files_index, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(user_files_index[0].data_dir))
    for form in ("6", "第六条", "六"):
        result = runner.invoke(app, ["show", "危险作业安全管理条例", form])
        assert result.exit_code == 0, result.output
        assert "《青山市危险作业安全管理条例》第六条（第二章 作业管理 / 第二节 现场管理）" in result.output
        assert "先通风、再检测、后作业" in result.output
    suffixed = runner.invoke(app, ["show", "危险作业安全管理条例", "5之一"])
    assert "第五条之一" in suffixed.output


def test_show_explains_what_is_missing(user_files_index, monkeypatch):
    monkeypatch.setenv("ANQUAN_DATA_DIR", str(user_files_index[0].data_dir))
    unknown = runner.invoke(app, ["show", "不存在的法", "1"])
    assert unknown.exit_code == 1 and "没有名称包含“不存在的法”的文档" in unknown.output
    no_article = runner.invoke(app, ["show", "危险作业安全管理条例", "99"])
    assert no_article.exit_code == 1 and "中没有第九十九条" in no_article.output
    bad_number = runner.invoke(app, ["show", "危险作业安全管理条例", "abc"])
    assert bad_number.exit_code == 2 and "无法识别条号" in bad_number.output
