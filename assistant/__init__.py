"""Answers, drafts, checks and serves: retrieval, chains, CLI and web app."""
