"""Text from outside the program (file names, documents' titles and text, what a user typed) as the terminal
shows it: the one place every console output (anquan's commands, the self-check report) takes it from."""

from __future__ import annotations

from rich.markup import escape

from ingest.encoding import escape_controls


def shown(text: object) -> str:
    """The text to put inside Rich markup (an f-string printed by console.print, a table cell): a name such as
    “[bold red]伪造[link=https:evil.example]点击这里.md” is shown as written, never read as markup (a name that does
    not exist, blinking text, a hyperlink); control and bidirectional-control characters are shown as \\x1b and
    \\u202e (ingest.encoding.escape_controls), line feeds and tabs kept."""
    return escape(escape_controls(str(text), keep_lines=True))


def plain(text: str) -> str:
    """The text to print with markup=False (a document's text, an answer, a plan): control and
    bidirectional-control characters shown as \\x1b and \\u202e, line feeds and tabs kept."""
    return escape_controls(text, keep_lines=True)
