"""How `anquan check` shows a checklist and a gap report in the terminal (rich), and as one JSON object."""

from __future__ import annotations

import re

from rich.console import Console
from rich.panel import Panel

from assistant.selfcheck.checklist import Checklist, GapReport
from assistant.terminal import shown


def print_checklist(console: Console, checklist: Checklist, quote: bool = True) -> None:
    for field, value in checklist.profile_rows():
        console.print(f"[bold]{shown(field)}[/bold]：{shown(value)}")
    console.print(f"\n共 [bold]{len(checklist.items)}[/bold] 项适用义务，按主题分组：")
    for theme, items in checklist.themes.items():
        console.rule(f"[bold]{shown(theme)}[/bold]（{len(items)} 项）")
        for item in items:
            console.print(f"[bold cyan]□ {shown(item.title)}[/bold cyan]  [dim]{shown(item.id)}[/dim]")
            console.print(f"  自查：{shown(item.question)}")
            for q in item.basis:
                if q.found:
                    console.print(f"  依据：{shown(q.citation)}")
                    if quote:
                        for line in q.text.splitlines():
                            console.print(f"    [dim]> {shown(line)}[/dim]")
                else:
                    console.print(
                        f"  依据：{shown(q.cited)} [red]（知识库中未找到，无法引用原文；请先导入该法规）[/red]"
                    )
            for line in item.also_lines():
                console.print(f"  另见（同一义务）：{shown(line)}")
            console.print(f"  证据：{shown('；'.join(item.evidence))}")
            if item.penalty:
                console.print(f"  罚则：{shown('；'.join(q.citation or q.cited for q in item.penalty))}")
    missing = {q.cited for item in checklist.items for q in item.basis + item.penalty if not q.found}
    if missing:
        console.print(
            f"[yellow]有 {len(missing)} 处条文在知识库中找不到原文（如 {shown(sorted(missing)[0])}）："
            f"请先用 anquan ingest 导入相应法规[/yellow]"
        )


def print_gap_report(console: Console, report: GapReport) -> None:
    summary = (
        f"已回答 {report.answered}/{report.total} 项：已落实 {report.met} 项，"
        f"[red]未落实 {len(report.unmet)} 项[/red]，[yellow]待核实 {len(report.to_verify)} 项[/yellow]"
        + (f"，未回答 {len(report.unanswered)} 项" if report.unanswered else "")
    )
    console.print(Panel(summary, title="差距报告"))
    for gap in report.gaps:
        colour = "red" if gap.answer == "否" else "yellow"
        console.print(
            f"[{colour}]【{gap.status}】[/{colour}][bold]{shown(gap.title)}[/bold]  [dim]{shown(gap.id)}[/dim]"
        )
        console.print(f"  依据：{shown('；'.join(gap.basis))}")
        console.print(f"  罚则：{shown('；'.join(gap.penalty) or '—')}")
        console.print(f"  建议：{shown(gap.action)}")


def to_json(checklist: Checklist, report: GapReport | None = None) -> dict:
    """One object: the profile, the items grouped by theme, the gap report when answers were given."""
    profile = checklist.profile
    return {
        "profile": {
            "industries": sorted(profile.industries),
            "groups": sorted(profile.groups),
            "employees": profile.employees,
            "flags": sorted(profile.flags),
            "equipment": sorted(profile.equipment),
            "regions": sorted(profile.regions),
            "notes": profile.notes,
        },
        "count": len(checklist.items),
        "themes": [
            {"theme": theme, "items": [item.model_dump() for item in items]}
            for theme, items in checklist.themes.items()
        ],
        "gap_report": None
        if report is None
        else {**report.model_dump(), "unmet": len(report.unmet), "to_verify": len(report.to_verify)},
    }


def split_list(text: str) -> list[str]:
    """压力容器,叉车 / 压力容器、叉车 / 压力容器 叉车 → a list."""
    return [part for part in re.split(r"[,，、;；\s]+", text or "") if part]
