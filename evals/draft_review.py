"""A drafted plan laid out for review item by item: every task with each source it cites (依据 or 参考), the
cited article's text head, and how much of the task's subject the source holds (the fit the drafter tests,
assistant/draft/config.py subject_min). A reviewer judges whether each citation is on the task's subject.

    python -m evals.draft_review                          # a Q2 district plan over ../shared/corpus
    python -m evals.draft_review --period 2025Q3 --focus 危险化学品 --region 山东
    python -m evals.draft_review --verdicts evals/draft_review_2025Q2.yaml   # with a recorded review: the share

The index is built with the built-in embedder in a temporary data directory (about a minute), or reused from
--data-dir when that directory already holds one. A verdicts file maps "task text" -> {"citation": on|off};
the command prints the share of judged citations on the task's subject, and lists those not judged yet (the
draft changed since the review).

The recorded review (evals/draft_review_2025Q2.yaml, issue 18): the Q2 district plan cites 29 sources (18 articles
as 依据, 11 plan phrases as 参考), all 29 judged on the task's subject; 7 of its 25 tasks say the knowledge base has
no article on them. tests/test_draft.py keeps the share at 0.9 or more.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from assistant.draft import NO_BASIS, PlanDraft, draft_plan
from ingest.articles import parse_article
from ingest.knowledge_base import KnowledgeBase
from ingest.pipeline import ingest
from ingest.settings import Settings

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
HEAD_CHARS = 90  # how much of a cited article is shown (the reviewer reads its subject, not the whole text)
_PAREN = re.compile(r"。（(?:依据|知识库中暂无).*$")  # the citation parenthesis the drafter appends


def knowledge_base(data_dir: Path | None, corpus: Path = CORPUS) -> tuple[KnowledgeBase, Path | None]:
    """The corpus index (regulations and plans, built-in embedder); the temporary directory to remove, if any."""
    temporary = None
    if data_dir is None:
        data_dir = temporary = Path(tempfile.mkdtemp(prefix="anquan-draft-review-"))
    settings = Settings(data_dir=data_dir, embedder="builtin", vector_cache=data_dir / "vectors.sqlite")
    kb = KnowledgeBase(settings)
    if not kb.documents():
        ingest([corpus / "regulations", corpus / "plans"], settings)
        kb = KnowledgeBase(settings)
    return kb, temporary


def task_text(text: str) -> str:
    """The task without its citation parenthesis."""
    return _PAREN.sub("", text)


def rows(kb: KnowledgeBase, draft: PlanDraft) -> list[dict]:
    """One row per task item: its group, text, and each cited source with its role, text head and fit."""
    from assistant.draft.sources import ProvisionFinder

    finder = ProvisionFinder(kb, draft.region)
    out = []
    for section in draft.walk():
        for item in section.items:
            if not item.task:
                continue
            task = task_text(item.text)
            subject = finder.subject_weights(task)
            cited = []
            for number in dict.fromkeys(item.citations):
                source, provision = draft.source(number), draft.provisions[number]
                head = provision.chunk.text
                if source.is_article:
                    hit = kb.get_article(source.doc_id, parse_article(source.article))
                    head = hit.text if hit is not None else head
                cited.append(
                    {
                        "number": number,
                        "role": source.role,
                        "citation": source.citation,
                        "head": re.sub(r"\s+", " ", head)[:HEAD_CHARS],
                        "quote": source.quote,
                        "fit": round(finder.fit(provision.chunk, subject), 2),
                    }
                )
            out.append({"group": section.title, "task": task, "no_basis": item.no_basis, "cited": cited})
    return out


def citation_key(citation: str) -> str:
    """A citation without its chapter: 《中华人民共和国消防法》第三十一条."""
    return re.sub(r"（[^）]*）$", "", citation).strip()


def verdict_of(value) -> str | None:
    """on | off | None (not judged); YAML reads a bare on/off as a boolean."""
    if value in (True, "on", "切题"):
        return "on"
    if value in (False, "off", "离题"):
        return "off"
    return None


def judge(table: list[dict], verdicts: dict) -> dict:
    """The share of judged citations on the task's subject, and what is not judged yet."""
    judged = on = 0
    missing = []
    for row in table:
        marks = verdicts.get(row["task"], {}) or {}
        for c in row["cited"]:
            verdict = verdict_of(marks.get(citation_key(c["citation"])))
            c["verdict"] = verdict
            if verdict is None:
                missing.append(f"{row['task']} → {citation_key(c['citation'])}")
                continue
            judged += 1
            on += verdict == "on"
    return {
        "judged": judged,
        "on_subject": on,
        "share": round(on / judged, 3) if judged else None,
        "not_judged": missing,
    }


def show(draft: PlanDraft, table: list[dict], result: dict | None) -> None:
    print(f"# {draft.title}\n")
    group = None
    for n, row in enumerate(table, start=1):
        if row["group"] != group:
            group = row["group"]
            print(f"\n## {group}")
        print(f"\n{n}. {row['task']}")
        if row["no_basis"]:
            print(f"   依据：（{NO_BASIS}）")
        for c in row["cited"]:
            verdict = {"on": "  ✓", "off": "  ✗"}.get(c.get("verdict") or "", "")
            print(f"   [{c['number']}] {c['role']}  fit={c['fit']:.2f}  {citation_key(c['citation'])}{verdict}")
            if c["role"] == "依据":
                print(f"        原文：{c['head']}…")
            print(f"        引文：“{c['quote']}”")
    tasks = len(table)
    cited = sum(len(r["cited"]) for r in table)
    basis = sum(c["role"] == "依据" for r in table for c in r["cited"])
    print(
        f"\n任务 {tasks} 项；引用 {cited} 处（依据 {basis}，参考 {cited - basis}）；"
        f"注明暂无条文的任务 {sum(r['no_basis'] for r in table)} 项。"
    )
    if result is not None:
        print(f"已评审 {result['judged']} 处，切题 {result['on_subject']} 处，切题率 {result['share']}。")
        if result["not_judged"]:
            print(f"未评审 {len(result['not_judged'])} 处（草稿已变化）：")
            for line in result["not_judged"]:
                print(f"  - {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", default="quarterly")
    parser.add_argument("--period", default="2025Q2")
    parser.add_argument("--level", default="区")
    parser.add_argument("--focus", nargs="*", default=[])
    parser.add_argument("--region")
    parser.add_argument("--data-dir", type=Path, help="reuse (or build once) the index here")
    parser.add_argument("--verdicts", type=Path, help="a recorded review: task -> {citation: on|off}")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (CORPUS / "regulations").is_dir():
        print(f"找不到语料目录 {CORPUS}", file=sys.stderr)
        return 2
    kb, temporary = knowledge_base(args.data_dir)
    try:
        draft = draft_plan(kb, args.kind, args.period, args.level, focus=args.focus, region=args.region)
        table = rows(kb, draft)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    result = None
    if args.verdicts:
        result = judge(table, yaml.safe_load(args.verdicts.read_text(encoding="utf-8")) or {})
    if args.json:
        print(json.dumps({"title": draft.title, "tasks": table, "review": result}, ensure_ascii=False, indent=1))
    else:
        show(draft, table, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
