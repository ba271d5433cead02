"""Cross-file checks of the knowledge pack: ids and aliases unique, rules using only the taxonomy's vocabulary,
plan templates referring to topics, calendar items and lunar dates that exist. (Whether every cited article
exists in a corpus is evals.pack_citations.)"""

from __future__ import annotations

from assistant.pack.loader import KnowledgePack
from assistant.pack.schema import PlanTemplates


def validate(pack: KnowledgePack) -> list[str]:
    """Cross-file problems (unique ids and aliases, rule vocabulary); empty when the pack is sound."""
    problems: list[str] = []
    tax = pack.taxonomy
    industry_names = {i.key for i in tax.industries} | set(tax.groups)
    condition_keys = {c.key for c in tax.conditions}
    for label, items in (
        ("obligations", [o.id for o in pack.obligations]),
        ("glossary", [g.id for g in pack.glossary]),
        ("calendar", [f.id for f in pack.plan_templates.calendar]),
        ("topics", [t.id for t in pack.plan_templates.topics]),
        ("industries", [i.key for i in tax.industries]),
        ("conditions", [c.key for c in tax.conditions]),
    ):
        dupes = sorted({x for x in items if items.count(x) > 1})
        if dupes:
            problems.append(f"{label}：id 重复 {dupes}")
    names = [n for entry in pack.glossary for n in entry.names]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.append(f"glossary.yaml：词条名或别名重复 {dupes}")
    aliases = [a for names in pack.document_aliases.values() for a in names]
    dupes = sorted({a for a in aliases if aliases.count(a) > 1})
    if dupes:
        problems.append(f"document_aliases.yaml：简称重复（一个简称只能指一部法规）{dupes}")
    everyday = [w for lex in pack.lexicon.entries for w in lex.everyday]
    dupes = sorted({w for w in everyday if everyday.count(w) > 1})
    if dupes:
        problems.append(f"lexicon.yaml：口语词重复（一个说法只能对应一个法律用语）{dupes}")
    for ob in pack.obligations:
        if ob.applies is None:
            continue
        for name in ob.applies.names("industry") - industry_names:
            problems.append(f"obligations:{ob.id}：未定义的行业或行业组“{name}”")
        for name in ob.applies.names("flag") - condition_keys:
            problems.append(f"obligations:{ob.id}：未定义的条件“{name}”")
        for name in ob.applies.names("equipment") - set(tax.equipment) - {"任意"}:
            problems.append(f"obligations:{ob.id}：未定义的特种设备类别“{name}”")
        for name in ob.applies.names("region") - set(tax.regions):
            problems.append(f"obligations:{ob.id}：未定义的地区“{name}”")
    industry_keys = {i.key for i in tax.industries}
    for industry in tax.industries:
        for group in set(industry.groups) - set(tax.groups):
            problems.append(f"taxonomy.yaml:{industry.key}：未定义的行业组“{group}”")
        for condition, target in industry.becomes.items():
            if condition not in condition_keys or target not in industry_keys:
                problems.append(f"taxonomy.yaml:{industry.key}：becomes 中未定义的条件或行业“{condition}: {target}”")
    for defined in tax.conditions:
        for name in set(defined.not_from_words_for) - industry_names:
            problems.append(f"taxonomy.yaml:{defined.key}：not_from_words_for 中未定义的行业或行业组“{name}”")
    for activity in tax.activities:
        for key in set(activity.roles) - industry_keys:
            problems.append(f"taxonomy.yaml:activities:{activity.sector}：未定义的行业“{key}”")
    for city, province in tax.region_parents.items():
        if city not in tax.regions or province not in tax.regions:
            problems.append(f"taxonomy.yaml:region_parents：未定义的地区“{city}: {province}”")
    kinds = {t.kind for t in pack.plan_templates.templates}
    if kinds != {"quarterly", "annual", "campaign", "holiday"}:
        problems.append(
            f"plan_templates.yaml：缺少模板 {sorted({'quarterly', 'annual', 'campaign', 'holiday'} - kinds)}"
        )
    problems += _plan_problems(pack.plan_templates)
    return problems


def _plan_problems(plans: PlanTemplates) -> list[str]:
    """Ids the plan templates refer to must exist; topic and holiday names must be unique."""
    problems: list[str] = []
    topic_ids = {t.id for t in plans.topics}
    focus_ids = {f.id for f in plans.calendar}
    for template in plans.templates:
        for topic in set(template.topics) - topic_ids:
            problems.append(f"plan_templates.yaml:{template.kind}：未定义的 topic“{topic}”")
        if sum(s.holds_tasks for s in template.sections) != 1 or sum(s.schedule for s in template.sections) != 1:
            problems.append(f"plan_templates.yaml:{template.kind}：须恰好有一节 holds_tasks 和一节 schedule")
    for holiday in plans.holidays:
        for focus in set(holiday.focus) - focus_ids:
            problems.append(f"plan_templates.yaml:{holiday.name}：未定义的 calendar id“{focus}”")
        for lunar in {holiday.lunar, holiday.also_lunar} - {None} - set(plans.lunar_dates):
            problems.append(f"plan_templates.yaml:{holiday.name}：lunar_dates 中没有“{lunar}”")
    for label, names in (
        ("topics", [n for t in plans.topics for n in t.names]),
        ("holidays", [n for h in plans.holidays for n in h.names]),
    ):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"plan_templates.yaml：{label} 名称或别名重复 {dupes}")
    return problems
