"""Answers, drafts, checks and serves, on top of ingest. Packages by job: pack (the knowledge pack), retrieval,
answer, llm, draft, selfcheck; core modules shared by them: ask (the ask chain), citations (how a source is cited,
[n] markers), faults (machine faults told in Chinese). The surfaces use all of it: cli (`anquan`) and web."""
