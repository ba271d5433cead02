"""Loading the knowledge pack: KnowledgePack reads each part of knowledge/ when it is first used and parses it
into its schema (assistant.pack.schema); a file that does not fit raises PackError naming the file and the field."""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assistant.pack.schema import (
    AccidentLevels,
    Citation,
    CitedVersions,
    DocumentAliases,
    FollowUp,
    GlossaryEntry,
    InstructionWords,
    Lexicon,
    Obligation,
    OutsideSource,
    OutsideSources,
    PlanRef,
    PlanTemplates,
    Quantities,
    Remediation,
    Taxonomy,
    Terms,
)
from ingest.vocabulary import PackError, read_yaml

if TYPE_CHECKING:
    from ingest.knowledge_base import KnowledgeBase


def _parse(path: Path, model, data):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in exc.errors()[:10])
        raise PackError(f"{path}：{problems}") from None


def _files(directory: Path) -> list[Path]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PackError(f"{directory}：知识包目录中没有 YAML 文件")
    return files


class KnowledgePack:
    """The pack in one folder: each part read, validated and kept when first used."""

    def __init__(self, directory: Path, cache: Path | None = None):
        self.directory = directory
        self.cache = cache  # where read_yaml keeps the files' parsed data (ingest.vocabulary)

    def _one(self, filename: str, model):
        path = self.directory / filename
        return _parse(path, model, read_yaml(path, self.cache))

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """taxonomy/*.yaml merged: each file may add groups, industries, conditions, equipment, regions, words."""
        merged: dict = {
            "groups": {},
            "industries": [],
            "conditions": [],
            "equipment": {},
            "equipment_class": None,  # one name: the last file naming it decides (the schema's default otherwise)
            "regions": {},
            "region_parents": {},
            "negation": {},
            "activities": [],
            "trade_words": [],
        }
        for path in _files(self.directory / "taxonomy"):
            data = read_yaml(path, self.cache) or {}
            unknown = set(data) - set(merged)
            if unknown:
                raise PackError(f"{path}：未知的键 {sorted(unknown)}")
            for key, value in data.items():
                if key == "negation":  # word lists: each file may add words
                    for name, words in (value or {}).items():
                        merged[key].setdefault(name, []).extend(words or [])
                elif merged[key] is None or isinstance(merged[key], str):
                    merged[key] = value
                elif isinstance(merged[key], dict):
                    merged[key].update(value or {})
                else:
                    merged[key].extend(value or [])
        return _parse(self.directory / "taxonomy", Taxonomy, {k: v for k, v in merged.items() if v is not None})

    @cached_property
    def obligations(self) -> list[Obligation]:
        """obligations/*.yaml, each a file with an `obligations:` list."""
        found: list[Obligation] = []
        for path in _files(self.directory / "obligations"):
            data = read_yaml(path, self.cache) or {}
            found += [_parse(path, Obligation, item) for item in data.get("obligations", [])]
        return found

    @cached_property
    def glossary(self) -> list[GlossaryEntry]:
        path = self.directory / "glossary.yaml"
        return [_parse(path, GlossaryEntry, item) for item in (read_yaml(path, self.cache) or {}).get("entries", [])]

    @cached_property
    def lexicon(self) -> Lexicon:
        return self._one("lexicon.yaml", Lexicon)

    @cached_property
    def accident_levels(self) -> AccidentLevels:
        return self._one("accident_levels.yaml", AccidentLevels)

    @cached_property
    def plan_templates(self) -> PlanTemplates:
        return self._one("plan_templates.yaml", PlanTemplates)

    @cached_property
    def document_aliases(self) -> dict[str, list[str]]:
        return self._one("document_aliases.yaml", DocumentAliases).aliases

    @cached_property
    def cited_versions(self) -> dict[str, str]:
        """Document name -> the ISO date of the version the pack's article numbers are written against (none when
        the file is absent: a pack of one's own may leave it out)."""
        path = self.directory / "cited_versions.yaml"
        if not path.is_file():
            return {}
        return {doc: day.isoformat() for doc, day in self._one("cited_versions.yaml", CitedVersions).versions.items()}

    @cached_property
    def outside_sources(self) -> list[OutsideSource]:
        return self._one("outside_sources.yaml", OutsideSources).sources

    @cached_property
    def quantities(self) -> Quantities:
        return self._one("quantities.yaml", Quantities)

    @cached_property
    def follow_up(self) -> FollowUp:
        return self._one("follow_up.yaml", FollowUp)

    @cached_property
    def instructions(self) -> InstructionWords:
        return self._one("instructions.yaml", InstructionWords)

    @cached_property
    def remediation(self) -> Remediation:
        return self._one("remediation.yaml", Remediation)

    @cached_property
    def terms(self) -> list[str]:
        return self._one("terms.yaml", Terms).terms

    def glossary_entry(self, name: str) -> GlossaryEntry | None:
        wanted = name.strip()
        for entry in self.glossary:
            if wanted in entry.names:
                return entry
        return None

    def citations(self) -> list[tuple[str, Citation]]:
        """Every article the pack cites, with where it is cited."""
        found: list[tuple[str, Citation]] = []
        for ob in self.obligations:
            found += [(f"obligations:{ob.id}", c) for c in ob.basis + ob.penalty]
        for entry in self.glossary:
            found += [(f"glossary.yaml:{entry.id}", c) for c in entry.basis]
        found += [("accident_levels.yaml", c) for c in self.accident_levels.basis]
        for focus in self.plan_templates.calendar:
            found += [(f"plan_templates.yaml:{focus.id}", c) for c in focus.basis]
        for topic in self.plan_templates.topics:
            found += [(f"plan_templates.yaml:{topic.id}", c) for c in topic.basis]
        return found

    def plan_refs(self) -> list[tuple[str, PlanRef]]:
        found: list[tuple[str, PlanRef]] = []
        for entry in self.glossary:
            found += [(f"glossary.yaml:{entry.id}", r) for r in entry.plan_refs]
        for template in self.plan_templates.templates:
            found += [(f"plan_templates.yaml:{template.kind}", r) for r in template.plan_refs]
        for focus in self.plan_templates.calendar:
            found += [(f"plan_templates.yaml:{focus.id}", r) for r in focus.plan_refs]
        for topic in self.plan_templates.topics:
            found += [(f"plan_templates.yaml:{topic.id}", r) for r in topic.plan_refs]
        return found


@lru_cache(maxsize=8)
def load_pack(directory: Path, cache: Path | None = None) -> KnowledgePack:
    """The knowledge pack of a folder, opened once per process (each part is read when first used); cache: where
    the files' parsed data is kept (ingest.vocabulary.read_yaml)."""
    return KnowledgePack(directory, cache)


def pack_of(kb: KnowledgeBase) -> KnowledgePack:
    """The knowledge pack of a knowledge base's settings (its knowledge_dir), opened once per process, its files'
    parsed data kept in the knowledge base's data directory."""
    return load_pack(kb.settings.knowledge_dir, getattr(kb, "pack_cache", None))
