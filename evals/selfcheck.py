"""Score the self-check on a set of enterprise profiles (../shared/evals/FORMAT.md, "Self-check profiles").

    python -m evals.selfcheck --set ../shared/evals/selfcheck_dev.jsonl [--json] [--no-merge]

Each profile goes through the same code path as `anquan check`: read_profile (structured fields and the
description) then build_checklist. A checklist covers a (doc, article) pair when one of its items cites
it as legal basis. Coverage needs no article texts, so no index is built. duplicate_pairs counts pairs of
items stating one duty (assistant.selfcheck.same_duty); --no-merge shows the checklist before merging.
A profile the form would refuse (no headcount) counts as an empty checklist, with its reason.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.pack import KnowledgePack
from assistant.selfcheck import (
    Checklist,
    ProfileError,
    SameDuty,
    build_checklist,
    duplicate_pairs,
    read_profile,
)
from evals.metrics import canon
from evals.run import load_set
from ingest.settings import Settings


def doc_key(doc: str) -> str:
    """安全生产法(2021-06-10), 《中华人民共和国安全生产法》 and 安全生产法 all give 安全生产法."""
    text = canon(doc).strip("《》")
    text = re.sub(r"[(（]\d{4}-\d{2}-\d{2}[)）]$", "", text)
    return re.sub(r"^中华人民共和国", "", text)


MERGE = SameDuty()  # obligations stating one duty are one item, as in `anquan check`


def checklist_for(pack: KnowledgePack, profile: dict, merge: SameDuty | None = MERGE) -> Checklist:
    """The checklist `anquan check` gives for a set item's profile (no index: citations only)."""
    read = read_profile(
        pack,
        industry=profile.get("industry") or "",
        employees=profile.get("employees"),
        major_hazard=bool(profile.get("major_hazard_source")),
        special_equipment=list(profile.get("special_equipment") or []),
        occupational_hazards=bool(profile.get("occupational_hazards")),
        labor_dispatch=bool(profile.get("labor_dispatch")),
        region=profile.get("region"),
        description=profile.get("description") or "",
    )
    return build_checklist(None, pack, read, merge)


def score(items: list[dict], pack: KnowledgePack, merge: SameDuty | None = MERGE) -> dict:
    rows = []
    for item in items:
        try:
            checklist = checklist_for(pack, item["profile"], merge)
            refused = ""
        except ProfileError as exc:
            checklist, refused = None, str(exc)
        cited = {(doc_key(d), a) for d, a in checklist.cited_pairs()} if checklist else set()
        duplicates = duplicate_pairs(pack, checklist) if checklist else []

        missed = [p for p in item.get("must_include", []) if (doc_key(p["doc"]), p["article"]) not in cited]
        violations = [p for p in item.get("must_exclude", []) if (doc_key(p["doc"]), p["article"]) in cited]
        rows.append(
            {
                "id": item["id"],
                "items": len(checklist.items) if checklist else 0,
                "refused": refused,
                "duplicate_pairs": len(duplicates),
                "duplicates": [f"{a} = {b}" for a, b in duplicates],
                "must_include": len(item.get("must_include", [])),
                "included": len(item.get("must_include", [])) - len(missed),
                "must_exclude": len(item.get("must_exclude", [])),
                "violations": len(violations),
                "missed": [f"{p['doc']} {p['article']}" for p in missed],
                "violated": [f"{p['doc']} {p['article']}" for p in violations],
            }
        )
    include = sum(r["must_include"] for r in rows)
    exclude = sum(r["must_exclude"] for r in rows)
    return {
        "profiles": len(rows),
        "must_include_recall": round(sum(r["included"] for r in rows) / include, 4) if include else None,
        "must_exclude_violation_rate": round(sum(r["violations"] for r in rows) / exclude, 4) if exclude else None,
        "must_include_pairs": include,
        "must_exclude_pairs": exclude,
        "duplicate_pairs": sum(r["duplicate_pairs"] for r in rows),
        "per_profile": rows,
    }


def print_table(result: dict, console: Console) -> None:
    table = Table(title="义务自查评测")
    for column in ("画像", "清单条目", "重复义务", "应含覆盖", "召回", "应排除误列", "遗漏", "误列"):
        table.add_column(column)
    for r in result["per_profile"]:
        recall = f"{r['included'] / r['must_include']:.2f}" if r["must_include"] else "—"
        table.add_row(
            r["id"],
            str(r["items"]) if not r["refused"] else f"拒绝：{r['refused']}",
            str(r["duplicate_pairs"]),
            f"{r['included']}/{r['must_include']}",
            recall,
            f"{r['violations']}/{r['must_exclude']}",
            "；".join(r["missed"]),
            "；".join(r["violated"]),
        )
    console.print(table)
    recall, rate = result["must_include_recall"], result["must_exclude_violation_rate"]
    console.print(
        f"共 {result['profiles']} 个画像：must_include_recall "
        f"{'—' if recall is None else f'{recall:.3f}'}（{result['must_include_pairs']} 对），"
        f"must_exclude_violation_rate {'—' if rate is None else f'{rate:.3f}'}（{result['must_exclude_pairs']} 对），"
        f"重复义务 {result['duplicate_pairs']} 对"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="义务自查评测：应含条文召回率与应排除条文误列率")
    parser.add_argument("--set", dest="set_path", type=Path, required=True)
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    parser.add_argument("--knowledge", type=Path, default=None, help="知识包目录（默认为项目的 knowledge/）")
    parser.add_argument("--no-merge", action="store_true", help="不合并同一义务（对照合并前的清单）")
    args = parser.parse_args(argv)
    if not args.set_path.is_file():
        raise SystemExit(f"{args.set_path}：评测集文件不存在")
    pack = KnowledgePack(args.knowledge or Settings().knowledge_dir)
    result = score(load_set(args.set_path), pack, None if args.no_merge else MERGE)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result, Console(soft_wrap=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
