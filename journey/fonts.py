"""Fonts that exist on the machine, for files drawn on the server (PDF board packs).

Nothing is downloaded: the pack uses Liberation Sans or DejaVu Sans from the system font
folders (Debian packages fonts-liberation / fonts-dejavu-core), the same family the charts
ask vl-convert for.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
CANDIDATES = {
    False: ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf"),
    True: ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "Arial Bold.ttf"),
}


@lru_cache(maxsize=2)
def find_font(bold: bool = False) -> Path | None:
    """A regular (or bold) sans-serif TrueType file on this machine, or None when there is none."""
    for name in CANDIDATES[bold]:
        for folder in FONT_DIRS:
            if folder.is_dir():
                found = next(folder.rglob(name), None)
                if found:
                    return found
    return None
