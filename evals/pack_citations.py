"""Check every (document, article) and plan passage the knowledge pack cites against a corpus.

    python -m evals.pack_citations [--corpus ../shared/corpus] [--knowledge knowledge]

Documents are resolved by short title (the title without 中华人民共和国) among corpus/regulations,
then corpus/scale (newest version); articles through the ingest's own parser and chunker.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.pack import Citation, KnowledgePack, PlanRef, validate
from ingest.chunk_regulation import chunk_regulation
from ingest.cleaning import clean_text, to_simplified
from ingest.loaders import load_file
from ingest.metadata import describe
from ingest.preparation import chunk_document
from ingest.settings import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"


@dataclass
class ParsedDocument:
    doc_id: str
    date: str
    articles: set[tuple[int, int]] = field(default_factory=set)


def _short_title(title: str) -> str:
    return re.sub(r"^中华人民共和国", "", to_simplified(title))


@lru_cache(maxsize=4096)
def _parse_regulation(path: Path) -> tuple[str, ParsedDocument]:
    clean = clean_text(load_file(path))
    chunks = chunk_regulation(clean, 100000)
    meta = describe(path, clean, has_articles=True)
    parsed = ParsedDocument(meta.doc_id, meta.date, {(c.article_num, c.article_sub) for c in chunks if c.article})
    return _short_title(meta.title), parsed


class CorpusIndex:
    def __init__(self, corpus: Path):
        self.corpus = corpus
        self.regulations = dict(_parse_regulation(p) for p in sorted((corpus / "regulations").glob("*.md")))

    def document(self, short_title: str) -> ParsedDocument | None:
        if short_title in self.regulations:
            return self.regulations[short_title]
        scale = self.corpus / "scale"
        candidates = [
            p
            for p in scale.rglob(f"{short_title}*.md")
            if re.fullmatch(rf"{re.escape(short_title)}(\(\d{{4}}-\d{{2}}-\d{{2}}\))?", p.stem)
        ]
        parsed = [_parse_regulation(p)[1] for p in candidates]
        return max(parsed, key=lambda d: d.date) if parsed else None

    def check_citation(self, citation: Citation) -> str | None:
        document = self.document(citation.doc)
        if document is None:
            return f"语料中没有《{citation.doc}》"
        ref = citation.ref
        if (ref.number, ref.sub) not in document.articles:
            return f"《{citation.doc}》（{document.doc_id}）中没有{citation.article}"
        return None

    @lru_cache(maxsize=16)  # noqa: B019 - one index per run
    def _plan(self, doc_id: str) -> tuple[str, set[str]] | None:
        matches = list((self.corpus / "plans").glob(f"{doc_id}.*"))
        if not matches:
            return None
        clean, chunks = chunk_document(load_file(matches[0]), 480)
        headings = {h for c in chunks for h in [*c.heading_path, *c.locations]}
        return re.sub(r"\s+", "", to_simplified(clean)), {to_simplified(h) for h in headings}

    def check_plan_ref(self, ref: PlanRef) -> str | None:
        plan = self._plan(ref.doc)
        if plan is None:
            return f"语料中没有方案 {ref.doc}"
        text, headings = plan
        if not any(to_simplified(ref.heading) in h for h in headings):
            return f"方案 {ref.doc} 中没有标题“{ref.heading}”"
        if re.sub(r"\s+", "", to_simplified(ref.quote)) not in text:
            return f"方案 {ref.doc} 中找不到引文“{ref.quote}”"
        return None


def check_pack(pack: KnowledgePack, corpus: Path) -> list[str]:
    index = CorpusIndex(corpus)
    problems = []
    for where, citation in pack.citations():
        problem = index.check_citation(citation)
        if problem:
            problems.append(f"{where}：{citation} → {problem}")
    for where, ref in pack.plan_refs():
        problem = index.check_plan_ref(ref)
        if problem:
            problems.append(f"{where}：{problem}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description="核对知识包引用的条文和方案段落是否都存在于语料中")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--knowledge", type=Path, default=PROJECT_ROOT / "knowledge")
    args = parser.parse_args()
    pack = KnowledgePack(args.knowledge)
    problems = validate(pack) + check_pack(pack, args.corpus)
    for problem in problems:
        print(problem)
    print(f"{len(pack.citations())} 处条文引用、{len(pack.plan_refs())} 处方案引用；问题 {len(problems)} 个")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
