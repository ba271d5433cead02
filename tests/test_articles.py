"""Article numbers as users and regulations write them."""

import pytest

from ingest.articles import ArticleRef, match_article_start, parse_article
from ingest.numerals import cn_to_int, int_to_cn


@pytest.mark.parametrize("number", [1, 9, 10, 11, 20, 24, 99, 100, 101, 105, 110, 114, 119, 134, 1000, 1260])
def test_chinese_article_numbers_round_trip(number):
    assert cn_to_int(int_to_cn(number)) == number


def test_article_numbers_are_written_as_in_the_law():
    assert ArticleRef(24).label == "第二十四条"
    assert ArticleRef(105).label == "第一百零五条"
    assert ArticleRef(110).label == "第一百一十条"
    assert ArticleRef(134, 1).label == "第一百三十四条之一"


def test_an_article_starts_a_line_but_a_reference_does_not():
    ref, label, rest = match_article_start("第一百三十四条之一 在生产、作业中违反有关安全管理的规定")
    assert (ref, label) == (ArticleRef(134, 1), "第一百三十四条之一") and rest.startswith("在生产")
    assert match_article_start("第二十条规定的情形除外。") is None


@pytest.mark.parametrize("text", ["第二十四条", "第24条", "24", "二十四", "24条", "第 24 条"])
def test_user_input_forms_of_an_article_number(text):
    assert parse_article(text) == ArticleRef(24)


def test_a_chinese_numeral_with_wan_or_yi_multiplies_the_group_before_it():
    from ingest.numerals import cn_to_int, count

    assert cn_to_int("十万") == 100_000 and cn_to_int("十二万三千") == 123_000 and cn_to_int("一万零五") == 10_005
    assert cn_to_int("两千万") == 20_000_000 and cn_to_int("一亿二千万") == 120_000_000
    assert count("五十万") == 500_000 and cn_to_int("一百三十四") == 134 and cn_to_int("貳佰零壹") == 201
