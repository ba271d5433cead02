"""The web UI (Gradio): `anquan serve`."""
