"""The replay baseline's page (see bench/replay.py): draws the captured scene. A file page, as
the dashboard's pages are, so the baseline's navigation runs a page the same way."""

from bench import replay

replay.draw(replay.SCENE)
