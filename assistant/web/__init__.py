"""The web UI (Gradio), `anquan serve`: app (layout, header, launch with login), one module per tab (ask_tab,
plan_tab, selfcheck_tab, library_tab), context (the shared knowledge base, background vectors, import workers),
sources (the [n] sources an answer shows), uploads and login checks."""
