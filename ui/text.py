"""Showing text that came from a user's file: never as HTML, and with Markdown made literal."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def literal(text: object) -> str:
    """``text`` with every Markdown character escaped, so a file name or row label such as
    ``[click](http://x)`` or ``<script>`` is shown exactly as typed, never as a link or markup."""
    return _MARKDOWN.sub(r"\\\1", str(text))
