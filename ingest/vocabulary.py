"""What the index needs from the knowledge pack in knowledge/: the words the segmenter keeps whole (terms.yaml,
the glossary's terms and aliases, the lexicon's words) and the names documents are known by
(document_aliases.yaml: 446号令). The ingest reads them itself, so that it does not depend on the assistant's
knowledge pack (assistant.pack, which validates these files and reads the rest); the YAML reading both share
is here."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import uuid
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import yaml

from ingest.errors import os_reason


class PackError(Exception):
    """A knowledge-pack file is invalid; the message names the file and the field."""


# libyaml's loader when PyYAML was built with it: the pack is read by every process that answers
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML folds a long line into the next with a space; between Chinese characters it is noise
FOLDED_SPACE = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)


# What a cached copy of a file's data was made by (see read_yaml): the file's bytes are hashed with it.
_CACHE_MAKER = f"anquan-pack-cache:1|PyYAML {yaml.__version__}|{_LOADER.__name__}\n".encode()
_ABSENT = object()


def read_yaml(path: Path, cache: Path | None = None):
    """A knowledge-pack file's data; PackError naming the file when it is missing or not YAML.

    cache: a folder (in the data directory) keeping a JSON copy of each file's data, used while the file's bytes
    are the ones it was made from (their hash is stored with it; an edited file is parsed again and its copy
    replaced). Parsing the YAML was most of the time the pack took to load in every new process. Data JSON cannot
    hold exactly (dates, non-string keys) is parsed every time; a folder that cannot be written is only read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PackError(f"{path}：知识包文件不存在") from None
    except OSError as exc:  # no permission, a folder in its place …: said in Chinese, not the system's English
        raise PackError(f"{path}：无法读取知识包文件（{os_reason(exc)}）") from None
    key = entry = None
    if cache is not None:
        key = hashlib.sha1(_CACHE_MAKER + raw).hexdigest()
        entry = _cache_entry(cache, path)
        data = _cached(entry, key) if entry is not None else _ABSENT
        if data is not _ABSENT:
            return data
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise PackError(f"{path}：YAML 格式错误：{exc}") from None
    if entry is not None and key is not None:
        _keep(entry, key, data)
    return data


def _cache_entry(cache: Path, path: Path) -> Path | None:
    """The cached copy's file for a pack file: one per file (by its absolute path), replaced when it changes."""
    try:
        where = str(path.resolve())
    except (OSError, RuntimeError):
        return None
    return cache / f"{hashlib.sha1(where.encode('utf-8', 'surrogateescape')).hexdigest()[:20]}.json"


def _cached(entry: Path, key: str):
    """The data kept in entry when it was made from the same bytes, else _ABSENT."""
    try:
        with entry.open(encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return _ABSENT
    if not isinstance(stored, dict) or stored.get("key") != key or "data" not in stored:
        return _ABSENT
    return stored["data"]


def _json_exact(value) -> bool:
    """Whether JSON gives this data back exactly: the same types (no dates, tuples, non-string keys), finite
    numbers."""
    kind = type(value)
    if value is None or kind in (str, bool, int):
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is list:
        return all(_json_exact(item) for item in value)
    if kind is dict:
        return all(type(name) is str and _json_exact(item) for name, item in value.items())
    return False


def _keep(entry: Path, key: str, data) -> None:
    """Write the data's copy (whole, or not at all: a new file moved into place); nothing when it cannot be."""
    try:
        if not _json_exact(data):
            return
        text = json.dumps({"key": key, "data": data}, ensure_ascii=True)
    except (RecursionError, ValueError):  # a self-referencing YAML alias
        return
    temporary = entry.with_name(f".{entry.stem}-{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, entry)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def segmenter_terms(words: Iterable[str]) -> list[str]:
    """The words the segmenter must keep whole, of the lengths it keeps (2 to 16 characters), sorted."""
    return sorted(w for w in set(words) if 2 <= len(w) <= 16)


class Vocabulary:
    """The segmenter terms and document aliases of one knowledge folder, each read when first used."""

    def __init__(self, directory: Path, cache: Path | None = None):
        self.directory = directory
        self.cache = cache  # where read_yaml keeps the files' parsed data

    def _section(self, filename: str, key: str, kind: type, default=None):
        path = self.directory / filename
        data = read_yaml(path, self.cache)
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
