"""Showing text that came from a user's file: never as HTML, and with Markdown made literal."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^\"'])")
# GitHub-flavoured Markdown turns bare web and e-mail addresses into links even when their
# punctuation is escaped; a zero-width space after "www", after the "//" of a scheme and after
# "@" stops that, and is invisible on screen.
_AUTOLINK = re.compile(r"(?i)(www|(?:https?|ftp|mailto)\\:|//|@)")
_ZWSP = "\u200b"


def literal(text: object) -> str:
    """``text`` as Markdown that shows it exactly as typed: every Markdown character escaped
    (``[click](http://x)``, ``![x](http://host/a.png)``, ``<script>``, ``:red[x]``, ``$x$``) and
    bare addresses kept from becoming links, so nothing from a file is ever a link, an image or
    markup."""
    escaped = _MARKDOWN.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: m.group(1) + _ZWSP, escaped)
