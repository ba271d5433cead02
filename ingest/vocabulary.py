"""What the index needs from the knowledge pack in knowledge/: the words the segmenter keeps whole (terms.yaml,
the glossary's terms and aliases, the lexicon's words) and the names documents are known by
(document_aliases.yaml: 446号令). The ingest reads them itself, so that it does not depend on the assistant's
knowledge pack (assistant.pack, which validates these files and reads the rest); the YAML reading both share
is here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import yaml


class PackError(Exception):
    """A knowledge-pack file is invalid; the message names the file and the field."""


# libyaml's loader when PyYAML was built with it: the pack is read by every process that answers
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML folds a long line into the next with a space; between Chinese characters it is noise
FOLDED_SPACE = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)


def read_yaml(path: Path):
    """A knowledge-pack file's data; PackError naming the file when it is missing or not YAML."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise PackError(f"{path}：知识包文件不存在") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{path}：YAML 格式错误：{exc}") from None


def segmenter_terms(words: Iterable[str]) -> list[str]:
    """The words the segmenter must keep whole, of the lengths it keeps (2 to 16 characters), sorted."""
    return sorted(w for w in set(words) if 2 <= len(w) <= 16)


class Vocabulary:
    """The segmenter terms and document aliases of one knowledge folder, each read when first used."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _section(self, filename: str, key: str, kind: type, default=None):
        path = self.directory / filename
        data = read_yaml(path)
        if default is not None and data is None:
            return default
        value = data.get(key, default) if isinstance(data, dict) else None
        if not isinstance(value, kind):
            raise PackError(f"{path}：{key}：须为{'列表' if kind is list else '映射'}")
        return value

    @cached_property
    def segmenter_terms(self) -> list[str]:
        """Listed terms, glossary terms and aliases, lexicon words (as KnowledgePack.segmenter_terms reads them)."""
        words = list(self._section("terms.yaml", "terms", list))
        for entry in self._section("glossary.yaml", "entries", list, default=[]):
            words += [FOLDED_SPACE.sub("", entry["term"]), *(entry.get("aliases") or [])]
        for entries in self._section("lexicon.yaml", "themes", dict).values():
            for lex in entries:
                words += [FOLDED_SPACE.sub("", lex["legal"]), *lex["everyday"]]
        return segmenter_terms(words)

    @cached_property
    def document_aliases(self) -> dict[str, list[str]]:
        """Document name (no 中华人民共和国, no date) -> what people call it."""
        return self._section("document_aliases.yaml", "aliases", dict)
