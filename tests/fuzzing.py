"""Seeded fuzzing of the importer: broken CSV, XLSX and ZIP files made from valid ones.

Every case starts from a valid seed file whose figures are known (a template CSV or workbook,
or an EES "Download all data" ZIP), then applies one mutation. Each mutation says what a correct
importer does with the result:

- ``same``: the meaning is unchanged (a BOM, CRLF, padding): it loads exactly the seed's figures;
- ``refuse``: a cell is wrong: the plan has errors, one naming the row and column when known;
- ``either``: refused with a clear message, or loaded as one of the listed readings (some of
  which must come with a warning naming the row, such as a decimal comma);
- ``any``: damage with no single right reading: refused cleanly or loaded, but never a
  traceback, and the store invariants hold.

For every case, whatever the expectation: no exception but ``JourneyError`` escapes ``prepare``,
``commit`` or ``undo``; every problem names the file, has a message and fits on a line; a
refusal leaves the store's fingerprint unchanged; a load is undone back to the same
fingerprint; loaded symbols are ones in data/symbols.csv; loaded text can be exported to Excel;
and the case's peak resident memory grows less than ``BUDGET_MB``.

Cases run in a worker process (``Worker``) that the parent watches: a case that takes the
worker over the memory budget, or runs longer than the hang guard, is killed and reported.
``case(seed, index)`` rebuilds any case from its seed and number alone, so a failure reproduces
with ``python -m bench.fuzz --seed S --case N``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BUDGET_MB = 500  # peak resident memory one import may add (the budget per import)
HANG_GUARD_S = 60.0  # a case still running after this is reported as a hang and killed

# A figure as the store holds it: (area_code, measure, period_start, period_end, value, symbol).
Figure = tuple[str, str, str, str, float | None, str | None]

# ---- the valid seeds --------------------------------------------------------------------------

# (text a user might write, GSS code the store holds)
AREAS = [
    ("Worcestershire", "E10000034"),
    ("E10000034", "E10000034"),
    ("885", "E10000034"),
    ("Herefordshire", "E06000019"),
    ("E06000019", "E06000019"),
    ("Shropshire", "E06000051"),
    ("England", "E92000001"),
    ("West Midlands", "E12000005"),
]
# measure id -> (kind, snapshot): counts are whole numbers, pct one decimal 0-100
MEASURES = {
    "referrals": ("count", False),
    "assessments_completed": ("count", False),
    "s47_enquiries": ("count", False),
    "cp_plans": ("count", True),
    "cla_count": ("count", True),
    "re_referrals_within_12m_pct": ("pct", False),
    "assessments_within_45_days_pct": ("pct", False),
}
# period text -> (start, end)
PERIODS = {
    "Apr-25": ("2025-04-01", "2025-04-30"),
    "Feb-24": ("2024-02-01", "2024-02-29"),
    "February 2020": ("2020-02-01", "2020-02-29"),
    "Jan-23": ("2023-01-01", "2023-01-31"),
    "2024-12": ("2024-12-01", "2024-12-31"),
    "2024-25": ("2024-04-01", "2025-03-31"),
    "2023/24": ("2023-04-01", "2024-03-31"),
    "2022": ("2021-04-01", "2022-03-31"),
    "Q1 2024-25": ("2024-04-01", "2024-06-30"),
    "Q4 2023-24": ("2024-01-01", "2024-03-31"),
    "Oct-26": ("2026-10-01", "2026-10-31"),
}
TEMPLATE_HEADER = ["area", "measure", "period", "value", "symbol", "source", "notes"]
EES_HEADER = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "category",
    "At31_episodes",
    "Started_episodes",
]
EES_PLACES = [  # geographic_level, region_code, region_name, old_la_code, new_la_code, la_name; stored code
    (("National", "", "", "", "", ""), "E92000001"),
    (("Regional", "E12000005", "West Midlands", "", "", ""), "E12000005"),
    (("Local authority", "E12000005", "West Midlands", "885", "E10000034", "Worcestershire"), "E10000034"),
    (("Local authority", "E12000005", "West Midlands", "884", "E06000019", "Herefordshire, County of"), "E06000019"),
    (("Local authority", "E12000005", "West Midlands", "893", "E06000051", "Shropshire"), "E06000051"),
]


@dataclass
class Seed:
    """A valid file before mutation: ``rows`` of text cells under ``header``; ``figures[i]`` is
    what row i means (one figure, or two for an EES row), ``None`` for a row that holds none."""

    kind: str  # template_csv, template_xlsx, ees_zip, sn_model_csv
    header: list[str]
    rows: list[list[str]]
    figures: list[list[Figure]]
    sn: frozenset[tuple] | None = None  # an SN model's rows: (model, old_la_code, rank, neighbour, closeness)

    def all_figures(self, skip: int | None = None, replace: dict[int, list[Figure]] | None = None) -> frozenset[Figure]:
        out: set[Figure] = set()
        for i, figs in enumerate(self.figures):
            if i == skip:
                continue
            out.update((replace or {}).get(i, figs))
        return frozenset(out)


def _template_seed(rng: random.Random, kind: str) -> Seed:
    rows, figures, keys = [], [], set()
    for _ in range(rng.randint(3, 8)):
        area, code = rng.choice(AREAS)
        measure = rng.choice(sorted(MEASURES))
        period = rng.choice(sorted(PERIODS))
        unit, snapshot = MEASURES[measure]
        start, end = PERIODS[period]
        if snapshot:  # a count at a point in time is read at the end of the period
            start = end
        if (code, measure, start, end) in keys:
            continue
        keys.add((code, measure, start, end))
        if rng.random() < 0.15:
            symbol = rng.choice(["c", "x"])
            rows.append([area, measure, period, "", symbol, "", ""])
            figures.append([(code, measure, start, end, None, symbol)])
            continue
        value = float(rng.randint(0, 5000)) if unit == "count" else rng.randint(0, 1000) / 10
        text = f"{value:.0f}" if unit == "count" else f"{value:.1f}"
        rows.append(
            [area, measure, period, text, "", rng.choice(["", "Monthly return", "Fuzz source"]), rng.choice(["", "provisional"])]
        )
        figures.append([(code, measure, start, end, value, None)])
    return Seed(kind, list(TEMPLATE_HEADER), rows, figures)


def _ees_seed(rng: random.Random) -> Seed:
    rows, figures = [], []
    for year in sorted(rng.sample([2022, 2023, 2024, 2025], rng.randint(1, 3))):
        for place, code in EES_PLACES:
            if rng.random() < 0.2:
                continue
            level, region_code, region_name, old, new, name = place
            cells, figs = [], []
            for measure in ("cin_count", "cin_started"):
                start = f"{year}-03-31" if measure == "cin_count" else f"{year - 1}-04-01"
                if level == "Local authority" and rng.random() < 0.15:
                    symbol = rng.choice(["c", "x"])
                    cells.append(symbol)
                    figs.append((code, measure, start, f"{year}-03-31", None, symbol))
                else:
                    value = rng.randint(100, 9000) if level == "Local authority" else rng.randint(40_000, 450_000)
                    cells.append(str(value))
                    figs.append((code, measure, start, f"{year}-03-31", float(value), None))
            rows.append(
                [
                    str(year),
                    "Reporting year",
                    level,
                    "E92000001",
                    "England",
                    region_code,
                    region_name,
                    old,
                    new,
                    name,
                    "Children in Need",
                    *cells,
                ]
            )
            figures.append(figs)
    if not rows:
        return _ees_seed(rng)
    return Seed("ees_zip", list(EES_HEADER), rows, figures)


@lru_cache(maxsize=1)
def _sn_2021() -> dict[str, list[tuple[str, str]]]:
    """DfE's 2021 model from data/: old LA code -> ten (neighbour, closeness) by rank."""
    import csv

    out: dict[str, list[tuple[int, str, str]]] = {}
    with (PROJECT / "data" / "statistical_neighbours.csv").open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["model"] == "2021":
                out.setdefault(r["old_la_code"], []).append((int(r["rank"]), r["neighbour_old_la_code"], r["closeness"]))
    return {la: [(nb, c) for _, nb, c in sorted(v)] for la, v in out.items() if len(v) == 10}


SN_HEADER = ["old_la_code"] + [h for k in range(1, 11) for h in (f"SN{k}", f"SN{k} closeness")]


def _sn_seed(rng: random.Random) -> Seed:
    """Two to four LAs of the 2021 model with their first two neighbours swapped (so it is a change)."""
    model = _sn_2021()
    rows, sn = [], set()
    for la in rng.sample(sorted(model), rng.randint(2, 4)):
        nbs = list(model[la])
        nbs[0], nbs[1] = nbs[1], nbs[0]
        rows.append([la] + [x for nb in nbs for x in nb])
        sn.update((2021, la, rank, nb, c or None) for rank, (nb, c) in enumerate(nbs, start=1))
    return Seed("sn_model_csv", list(SN_HEADER), rows, [[] for _ in rows], frozenset(sn))


def seed_file(rng: random.Random, kind: str) -> Seed:
    if kind == "sn_model_csv":
        return _sn_seed(rng)
    return _ees_seed(rng) if kind == "ees_zip" else _template_seed(rng, kind)


def _csv_line(cells: list[object]) -> str:
    out = []
    for c in cells:
        t = "" if c is None else str(c)
        out.append('"' + t.replace('"', '""') + '"' if any(ch in t for ch in ',"\n\r') else t)
    return ",".join(out)


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    return ("\n".join(_csv_line(r) for r in [header, *rows]) + "\n").encode()


def xlsx_bytes(header: list[str], rows: list[list[object]], title: str = "Data") -> bytes:
    """A workbook written by openpyxl: numbers that read as numbers are stored as numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append([_as_cell(v, i == 3) for i, v in enumerate(row)])
    for line in ws.iter_rows():
        for cell in line:
            if cell.data_type == "f":  # text that starts with "=" is text here, as a user typing '=... keeps it
                cell.data_type = "s"
    return _saved(wb)


def _saved(wb) -> bytes:
    """An openpyxl workbook's bytes, the same on every run (fixed document and member dates)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    import re

    with zipfile.ZipFile(buffer) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    # openpyxl stamps the save time into docProps/core.xml whatever the properties say
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")
    return zip_bytes(
        [(n, stamp.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", d) if n == "docProps/core.xml" else d) for n, d in members]
    )


def _as_cell(v: object, numeric: bool) -> object:
    """A text cell as a workbook holds it: a number where it reads as one (in the value column),
    control characters a worksheet cannot hold shown as U+FFFD."""
    if isinstance(v, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        v = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
    if isinstance(v, str) and numeric:
        try:
            f = float(v)
        except ValueError:
            return v or None
        if f != f or f in (float("inf"), float("-inf")):
            return v  # openpyxl would write an empty <v/>: keep the text, as a user typing it would
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() and abs(f) < 1e15 else f
    return None if v == "" else v


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add a member with a fixed date, so that a case's bytes are the same on every run."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zf.compression
    zf.writestr(info, data, compresslevel=zf.compresslevel)


def zip_bytes(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as zf:
        warnings.simplefilter("ignore")  # a repeated member name is one of the mutations
        for name, data in members:
            _write(zf, name, data)
    return buffer.getvalue()


def ees_members(csv: bytes) -> list[tuple[str, bytes]]:
    return [
        ("data/b1_children_in_need.csv", csv),
        ("data/b1_children_in_need.meta.csv", b"col_name,col_type,label\nAt31_episodes,Indicator,Episodes at 31 March\n"),
        ("supporting-files/readme.txt", b"About this release"),
    ]


def serialise(seed: Seed, header: list[str] | None = None, rows: list[list[object]] | None = None) -> tuple[str, bytes]:
    """(file extension, bytes) of the seed's kind with the given header and rows."""
    header = seed.header if header is None else header
    rows = seed.rows if rows is None else rows
    if seed.kind == "template_xlsx":
        return ".xlsx", xlsx_bytes(header, rows)
    if seed.kind == "ees_zip":
        return ".zip", zip_bytes(ees_members(csv_bytes(header, rows)))
    return ".csv", csv_bytes(header, rows)


# ---- cases ------------------------------------------------------------------------------------


@dataclass
class Case:
    """One fuzz input and what a correct importer does with it (see the module docstring)."""

    seed: int
    index: int
    mutation: str
    kind: str
    name: str
    data: bytes
    expect: str  # same, refuse, either, any
    # Readings that count as a correct load: (figures of the new import, row a warning must name
    # or 0 for any warning, None for no warning needed).
    readings: list[tuple[frozenset[Figure], int | None]] = field(default_factory=list)
    where: tuple[int | None, str | None] | None = None  # (row, column) an error must name on refusal
    preload: bytes | None = None  # a file committed first (so the case replaces its figures)
    detail: str = ""  # the mutation's parameters, for the report
    options: dict = field(default_factory=dict)  # journey.importing.formats.Options fields the user chose
    sn: frozenset[tuple] | None = None  # the SN model rows a correct load holds

    def label(self) -> str:
        return f"seed {self.seed} case {self.index}: {self.mutation} on {self.kind} ({self.name}) {self.detail}".rstrip()


# A mutation takes (rng, seed) and returns the Case fields it decides:
# dict(expect=..., data=..., ext=..., readings=..., where=..., preload=..., detail=...)
Mutation = Callable[[random.Random, Seed], dict]
MUTATIONS: dict[str, tuple[tuple[str, ...], Mutation]] = {}
TEMPLATE = ("template_csv", "template_xlsx")
CSV_KINDS = ("template_csv", "ees_zip")
ALL = ("template_csv", "template_xlsx", "ees_zip")


def mutation(name: str, kinds: tuple[str, ...]) -> Callable[[Mutation], Mutation]:
    def register(fn: Mutation) -> Mutation:
        MUTATIONS[name] = (kinds, fn)
        return fn

    return register


def _same(seed: Seed, data: bytes, ext: str | None = None, detail: str = "") -> dict:
    return {"expect": "same", "data": data, "ext": ext, "readings": [(seed.all_figures(), None)], "detail": detail}


def _any(data: bytes, ext: str | None = None, detail: str = "") -> dict:
    return {"expect": "any", "data": data, "ext": ext, "detail": detail}


def _seed_bytes(seed: Seed) -> bytes:
    return serialise(seed)[1]


def _csv_text(seed: Seed) -> bytes:
    """The seed's CSV (for an EES seed, the data CSV inside the ZIP)."""
    return csv_bytes(seed.header, seed.rows)


def _wrap(seed: Seed, csv: bytes) -> bytes:
    """Put a changed CSV back where the seed keeps it (inside the ZIP for an EES seed)."""
    return zip_bytes(ees_members(csv)) if seed.kind == "ees_zip" else csv


# -- text-level mutations that keep the meaning ---------------------------------------------------


@mutation("bom", (*CSV_KINDS, "sn_model_csv"))
def _bom(rng, seed):
    return _same(seed, _wrap(seed, b"\xef\xbb\xbf" + _csv_text(seed)))


@mutation("crlf", (*CSV_KINDS, "sn_model_csv"))
def _crlf(rng, seed):
    return _same(seed, _wrap(seed, _csv_text(seed).replace(b"\n", b"\r\n")))


@mutation("trailing_blank_lines", (*CSV_KINDS, "sn_model_csv"))
def _blank(rng, seed):
    return _same(seed, _wrap(seed, _csv_text(seed) + b"\n" * rng.randint(1, 5) + b",,,\n" * rng.randint(0, 2)))


@mutation("padded_cells", TEMPLATE)
def _padded(rng, seed):
    rows = [[f" {c}  " if c else c for c in r] for r in seed.rows]
    return _same(seed, serialise(seed, rows=rows)[1])


@mutation("quoted_everything", (*CSV_KINDS, "sn_model_csv"))
def _quoted(rng, seed):
    lines = [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in [seed.header, *seed.rows]]
    return _same(seed, _wrap(seed, ("\n".join(lines) + "\n").encode()))


@mutation("header_case", TEMPLATE)
def _header_case(rng, seed):
    header = [rng.choice([h.upper(), h.title(), h]) for h in seed.header]
    return _same(seed, serialise(seed, header=header)[1], detail=",".join(header))


@mutation("duplicate_row", ALL)
def _dup_row(rng, seed):
    i = rng.randrange(len(seed.rows))
    rows = seed.rows[: i + 1] + [list(seed.rows[i])] + seed.rows[i + 1 :]
    return _same(seed, serialise(seed, rows=rows)[1], detail=f"row {i + 2} twice")


@mutation("cp1252_note", ("template_csv",))
def _cp1252(rng, seed):
    rows = [list(r) for r in seed.rows]
    rows[rng.randrange(len(rows))][6] = "Révisé: données provisoires – voir note"
    return _same(seed, csv_bytes(seed.header, rows).decode().encode("cp1252"))


@mutation("utf16", ("template_csv",))
def _utf16(rng, seed):
    enc = rng.choice(["utf-16", "utf-16-le", "utf-32"])
    return {
        "expect": "either",
        "data": _csv_text(seed).decode().encode(enc),
        "readings": [(seed.all_figures(), None)],
        "detail": enc,
    }


@mutation("other_delimiter", ("template_csv",))
def _delimiter(rng, seed):
    sep = rng.choice(["\t", ";", "|"])
    text = "\n".join(sep.join(r) for r in [seed.header, *seed.rows]) + "\n"
    return {"expect": "either", "data": text.encode(), "readings": [(seed.all_figures(), None)], "detail": repr(sep)}


# -- byte damage ----------------------------------------------------------------------------------


def _flip(rng: random.Random, data: bytes, n: int, lo: int = 0) -> tuple[bytes, str]:
    b = bytearray(data)
    where = []
    for _ in range(n):
        i = rng.randrange(lo, len(b))
        b[i] = rng.randrange(256)
        where.append(i)
    return bytes(b), f"bytes {where}"


@mutation("byte_flips", (*ALL, "sn_model_csv"))
def _byte_flips(rng, seed):
    data, detail = _flip(rng, _seed_bytes(seed), rng.randint(1, 6))
    return _any(data, detail=detail)


@mutation("csv_byte_flips", CSV_KINDS)
def _csv_flips(rng, seed):
    data, detail = _flip(rng, _csv_text(seed), rng.randint(1, 4))
    return _any(_wrap(seed, data), detail=detail)


@mutation("truncated", (*ALL, "sn_model_csv"))
def _truncated(rng, seed):
    data = _seed_bytes(seed)
    cut = rng.randrange(1, len(data))
    return _any(data[:cut], detail=f"at byte {cut} of {len(data)}")


@mutation("csv_truncated", CSV_KINDS)
def _csv_truncated(rng, seed):
    data = _csv_text(seed)
    cut = rng.randrange(1, len(data))
    return _any(_wrap(seed, data[:cut]), detail=f"at byte {cut} of {len(data)}")


@mutation("inserted_controls", CSV_KINDS)
def _controls(rng, seed):
    b = bytearray(_csv_text(seed))
    chars = [b"\x00", b"\x0b", b"\x0c", b"\x1b", b"\x7f", b"\xef\xbb\xbf", b"\xc2\xa0", b"\xe2\x80\xae", b"\x1a", b"\r"]
    picked = []
    for _ in range(rng.randint(1, 4)):
        c = rng.choice(chars)
        i = rng.randrange(len(b))
        b[i:i] = c
        picked.append((i, c))
    return _any(_wrap(seed, bytes(b)), detail=repr(picked))


# -- one cell changed -----------------------------------------------------------------------------


class NoRow(Exception):
    """The seed has no row the mutation can change: ``case`` draws another seed."""


def _row_where(rng: random.Random, seed: Seed, want: Callable[[list[str]], bool] | None = None) -> int:
    rows = [i for i, r in enumerate(seed.rows) if want is None or want(r)]
    if not rows:
        raise NoRow
    return rng.choice(rows)


def _is_count(r: list[str]) -> bool:
    return r[3] != "" and MEASURES[r[1]][0] == "count"


def _set(seed: Seed, i: int, col: int, text: str) -> bytes:
    rows = [list(r) for r in seed.rows]
    rows[i][col] = text
    return serialise(seed, rows=rows)[1]


def _refuse(seed: Seed, i: int, col: int, text: str, name: str | None = None) -> dict:
    column = name or seed.header[col]
    return {
        "expect": "refuse",
        "data": _set(seed, i, col, text),
        "where": (i + 2, column),
        "detail": f"row {i + 2} {column}={text[:60]!r}",
    }


def _reading(seed: Seed, i: int, value: float | None, symbol: str | None = None) -> frozenset[Figure]:
    ((code, measure, start, end, _, _),) = seed.figures[i]
    return seed.all_figures(replace={i: [(code, measure, start, end, value, symbol)]})


@mutation("bad_number", TEMPLATE)
def _bad_number(rng, seed):
    i = _row_where(rng, seed, lambda r: r[3] != "")
    text = rng.choice(
        [
            "1e309",
            "-inf",
            "inf",
            "Infinity",
            "nan",
            "NaN",
            "1e15",
            "0x2A",
            "--5",
            "5-",
            "1.2.3",
            "12 345 678 901",
            "#REF!",
            "#DIV/0!",
            "=1+1",
            "TRUE",
            "5 children",
            "\u221e",
        ]
    )
    return _refuse(seed, i, 3, text)


@mutation("negative", TEMPLATE)
def _negative(rng, seed):
    i = _row_where(rng, seed, lambda r: r[3] not in ("", "0", "0.0"))
    return _refuse(seed, i, 3, "-" + seed.rows[i][3])


@mutation("thousands_comma", TEMPLATE)
def _thousands(rng, seed):
    i = _row_where(rng, seed, _is_count)
    value = rng.randint(1000, 99_999)
    text = f"{value:,}"
    return {
        "expect": "either",
        "data": _set(seed, i, 3, text),
        "readings": [(_reading(seed, i, float(value)), None)],
        "detail": f"row {i + 2} value={text!r}",
    }


@mutation("decimal_comma", TEMPLATE)
def _decimal_comma(rng, seed):
    i = _row_where(rng, seed, _is_count)
    whole, tenth = rng.randint(1, 999), rng.randint(1, 9)
    text = f"{whole},{tenth}"
    # 345,6 is 345.6 written the continental way, or 3,456 mistyped: either reading needs a warning
    return {
        "expect": "either",
        "data": _set(seed, i, 3, text),
        "readings": [(_reading(seed, i, whole + tenth / 10), i + 2), (_reading(seed, i, float(f"{whole}{tenth}")), i + 2)],
        "detail": f"row {i + 2} value={text!r}",
    }


@mutation("fraction_count", TEMPLATE)
def _fraction(rng, seed):
    i = _row_where(rng, seed, _is_count)
    value = rng.randint(1, 999) + rng.choice([0.5, 0.25, 0.7])
    return {
        "expect": "either",
        "data": _set(seed, i, 3, str(value)),
        "readings": [(_reading(seed, i, value), i + 2)],
        "detail": f"row {i + 2} value={value}",
    }


@mutation("odd_number_forms", TEMPLATE)
def _odd_forms(rng, seed):
    i = _row_where(rng, seed, _is_count)
    value = rng.randint(1, 999)
    text = rng.choice(
        [
            f"+{value}",
            f"{value}.0",
            f"{value / 10}e1",
            f"{value:_}",
            f"  {value}  ",
            "".join(chr(0x660 + int(d)) for d in str(value)),
            f"{value}\u00a0",
        ]
    )
    return {
        "expect": "either",
        "data": _set(seed, i, 3, text),
        "readings": [(_reading(seed, i, float(value)), None)],
        "detail": f"row {i + 2} value={text!r}",
    }


@mutation("blank_value_no_symbol", TEMPLATE)
def _blank_value(rng, seed):
    i = _row_where(rng, seed, lambda r: r[3] != "")
    # A missing figure is never 0: refused, or the row left out (with a warning)
    return {
        "expect": "either",
        "data": _set(seed, i, 3, ""),
        "readings": [(seed.all_figures(skip=i), i + 2)],
        "detail": f"row {i + 2} value blank",
    }


BAD_PERIODS = [
    "0000-04",
    "000001",
    "999900",
    "199899",
    "190001",
    "29/02/2023",
    "31/04/2024",
    "2024-13",
    "2024-00",
    "Q0 2024-25",
    "Q5 2024-25",
    "Feb-1899",
    "1998-99",
    "1899/00",
    "2024/26",
    "Apr-99x",
    "0",
    "-2024",
    "20245",
    "9999-12",
    "2099",
    "Apr-",
    "2024-02-30",
    "1900-01-01",
    "Jan-1999",
]


@mutation("bad_period", TEMPLATE)
def _bad_period(rng, seed):
    i = _row_where(rng, seed)
    return _refuse(seed, i, 2, rng.choice(BAD_PERIODS))


@mutation("leap_day", TEMPLATE)
def _leap_day(rng, seed):
    i = _row_where(rng, seed, lambda r: r[3] != "" and not MEASURES[r[1]][1])
    text, start, end = rng.choice(
        [
            ("Feb-24", "2024-02-01", "2024-02-29"),
            ("February 2020", "2020-02-01", "2020-02-29"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("Feb 2024", "2024-02-01", "2024-02-29"),
        ]
    )
    ((code, measure, _, _, value, symbol),) = seed.figures[i]
    readings = seed.all_figures(replace={i: [(code, measure, start, end, value, symbol)]})
    rows = [list(r) for r in seed.rows]
    rows[i][2] = text
    # another row may already hold this key: keep the case unambiguous by dropping such rows
    keep = [j for j, r in enumerate(rows) if j == i or seed.figures[j][0][:4] != (code, measure, start, end)]
    seed2 = Seed(
        seed.kind,
        seed.header,
        [rows[j] for j in keep],
        [seed.figures[j] if j != i else [(code, measure, start, end, value, symbol)] for j in keep],
    )
    return (
        {
            "expect": "same",
            "data": serialise(seed2)[1],
            "readings": [(seed2.all_figures(), None)],
            "detail": f"row {keep.index(i) + 2} period={text!r}",
        }
        if readings
        else {}
    )


@mutation("leap_day_date", TEMPLATE)
def _leap_date(rng, seed):
    i = _row_where(rng, seed, lambda r: r[3] != "")
    ((code, measure, _, _, value, symbol),) = seed.figures[i]
    day = seed.all_figures(replace={i: [(code, measure, "2024-02-29", "2024-02-29", value, symbol)]})
    month = seed.all_figures(replace={i: [(code, measure, "2024-02-01", "2024-02-29", value, symbol)]})
    return {
        "expect": "either",
        "data": _set(seed, i, 2, "29/02/2024"),
        "readings": [(day, None), (month, None)],
        "detail": f"row {i + 2} period='29/02/2024'",
    }


@mutation("unknown_area", TEMPLATE)
def _unknown_area(rng, seed):
    i = _row_where(rng, seed)
    text = rng.choice(
        [
            "Atlantis",
            "E99999999",
            "999",
            "885.9",
            "8855",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x.example","y")',
            "![x](http://h.example/a.png)",
            "Worcestershire; DROP TABLE areas",
            "x" * 100_000,  # under the csv module's 131,072 field limit: the cell itself is named
        ]
    )
    return _refuse(seed, i, 0, text)


@mutation("unknown_measure", TEMPLATE)
def _unknown_measure(rng, seed):
    i = _row_where(rng, seed)
    text = rng.choice(
        [
            "number of dragons",
            '=HYPERLINK("http://x.example","click")',
            "![x](http://h.example/a.png)",
            "<img src=x onerror=alert(1)>",
            "y" * 100_000,
        ]
    )
    return _refuse(seed, i, 1, text)


@mutation("markup_in_symbol", TEMPLATE)
def _markup_symbol(rng, seed):
    i = _row_where(rng, seed)
    text = rng.choice(
        ["x` ![s](http://h.example/a.png) `", "<b>c</b>", "=1+1", "suppressed for now", "[c](http://h.example)", "cc", "0"]
    )
    return _refuse(seed, i, 4, text)


@mutation("markup_in_text", TEMPLATE)
def _markup_text(rng, seed):
    i = _row_where(rng, seed)
    col = rng.choice([5, 6])
    text = rng.choice(
        [
            "![x](http://h.example/a.png)",
            '=HYPERLINK("http://x.example","click")',
            "<img src=x onerror=alert(1)>",
            "http://tracker.example/p?id=1",
            "**bold** _it_ `code`",
            "@SUM(A1:A9)",
            "+cmd|' /C calc'!A0",
            "-2+3",
        ]
    )
    return {
        "expect": "either",
        "data": _set(seed, i, col, text),
        "readings": [(seed.all_figures(), None)],
        "detail": f"row {i + 2} {seed.header[col]}={text!r}",
    }


@mutation("control_in_text", ("template_csv",))
def _control_text(rng, seed):
    i = _row_where(rng, seed)
    col = rng.choice([5, 6])
    text = "Mosaic" + rng.choice(["\x0b", "\x0c", "\x1b[31m", "\x07", "\x08", "\x1f", "\x7f", "\ufffe"]) + "return"
    return {
        "expect": "either",
        "data": _set(seed, i, col, text),
        "readings": [(seed.all_figures(), None)],
        "detail": f"row {i + 2} {seed.header[col]}={text!r}",
    }


@mutation("very_long_cell", TEMPLATE)
def _long_cell(rng, seed):
    i = _row_where(rng, seed)
    n = rng.choice([40_000, 150_000, 1_000_000])
    return {
        "expect": "either",
        "data": _set(seed, i, 6, "note " * (n // 5)),
        "readings": [(seed.all_figures(), None)],
        "detail": f"row {i + 2} notes of {n:,} characters",
    }


@mutation("duplicate_header", TEMPLATE)
def _duplicate_header(rng, seed):
    col = rng.choice([0, 1, 2, 3])
    header = seed.header + [seed.header[col]]
    if col == 3:
        rows = [r + [str(int(float(r[3])) + 1) if r[3] else ""] for r in seed.rows]
    else:
        rows = [r + [r[col]] for r in seed.rows]
    # the repeated column holds the same text, or (value) different figures: ambiguous, so refused
    readings = [(seed.all_figures(), 0)] if col != 3 else []
    return {
        "expect": "either" if readings else "refuse",
        "data": serialise(seed, header=header, rows=rows)[1],
        "readings": readings,
        "where": (1, None),
        "detail": f"two {seed.header[col]!r} columns",
    }


@mutation("many_columns", ALL)
def _many_columns(rng, seed):
    n = rng.choice([300, 5_000, 16_000 if seed.kind == "template_xlsx" else 20_000])  # a worksheet ends at XFD
    header = seed.header + [f"extra_{k}" for k in range(n)]
    rows = [r + [""] * n for r in seed.rows]
    return {
        "expect": "either",
        "data": serialise(seed, header=header, rows=rows)[1],
        "readings": [(seed.all_figures(), None)],
        "detail": f"{n:,} extra columns",
    }


@mutation("ragged_rows", ("template_csv",))
def _ragged(rng, seed):
    rows = [list(r) for r in seed.rows]
    i = rng.randrange(len(rows))
    rows[i] = rows[i] + ["spill"] * rng.randint(1, 30) if rng.random() < 0.5 else rows[i][: rng.randint(1, 3)]
    return _any(csv_bytes(seed.header, rows), detail=f"row {i + 2} has {len(rows[i])} cells")


# -- CSV size ---------------------------------------------------------------------------------------


@mutation("one_huge_line", ("template_csv",))
def _huge_line(rng, seed):
    mb = rng.choice([2, 5])
    filler = rng.choice([b"1,", b"a", b'"x",', b","])
    return _any(
        csv_bytes(seed.header, seed.rows) + filler * (mb * 1_000_000 // len(filler)) + b"\n", detail=f"{mb} MB line of {filler!r}"
    )


@mutation("many_rows", ("template_csv",))
def _many_rows(rng, seed):
    n = rng.choice([30_000, 80_000])
    row = ",".join(seed.rows[0]).encode() + b"\n"
    return _any(csv_bytes(seed.header, seed.rows) + row * n, detail=f"{n:,} copies of row 2")


# -- workbook damage ----------------------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _repack(members: dict[str, bytes]) -> bytes:
    return zip_bytes(list(members.items()))


SHEET = "xl/worksheets/sheet1.xml"


@mutation("xlsx_xml_damage", ("template_xlsx",))
def _xml_damage(rng, seed):
    m = _members(_seed_bytes(seed))
    part = rng.choice(
        [SHEET, "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]
    )
    part = part if part in m else SHEET
    how = rng.choice(["truncate", "flip", "garbage", "entity"])
    if how == "truncate":
        m[part] = m[part][: rng.randrange(1, len(m[part]))]
    elif how == "flip":
        m[part] = _flip(rng, m[part], rng.randint(1, 5))[0]
    elif how == "garbage":
        m[part] = m[part].replace(b">", b">\x00<<&", 1)
    else:  # an entity-expansion header: must not be expanded
        m[part] = (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
            + b"A" * 100
            + b'">'
            + b"".join(
                b'<!ENTITY %s "%s">' % (f"b{k}".encode(), (f"&{'a' if k == 0 else f'b{k - 1}'};" * 10).encode()) for k in range(6)
            )
            + b"]>"
            + m[part].split(b"?>", 1)[-1].replace(b"<v>", b"<v>&b5;", 1)
        )
    return _any(_repack(m), detail=f"{how} {part}")


@mutation("xlsx_missing_part", ("template_xlsx",))
def _missing_part(rng, seed):
    m = _members(_seed_bytes(seed))
    part = rng.choice(sorted(m))
    del m[part]
    return _any(_repack(m), detail=f"without {part}")


def _sheet_xml(body: bytes, dimension: bytes = b"", merges: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">'
        + (b'<dimension ref="' + dimension + b'"/>' if dimension else b"")
        + b"<sheetData>"
        + body
        + b"</sheetData>"
        + merges
        + b"</worksheet>"
    )


def _inline_row(r: int, cells: list[tuple[str, object]]) -> bytes:
    out = []
    for ref, v in cells:
        if isinstance(v, (int, float)):
            out.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            t = str(v).replace("&", "&amp;").replace("<", "&lt;")
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{t}</t></is></c>')
    return f'<row r="{r}">{"".join(out)}</row>'.encode()


def minimal_xlsx(
    sheets: list[bytes], names: list[str] | None = None, extra: dict[str, bytes] | None = None, compresslevel: int = 6
) -> bytes:
    """A workbook written by hand: one worksheet part per ``sheets`` entry (raw sheet XML)."""
    names = names or [f"S{k + 1}" for k in range(len(sheets))]
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + b"".join(
            b'<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.worksheet+xml"/>' % (k + 1)
            for k in range(len(sheets))
        )
        + b"</Types>"
    )
    root_rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        b'<?xml version="1.0"?><workbook '
        + ns
        + b" "
        + rel
        + b"><sheets>"
        + b"".join(b'<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n.encode(), k + 1, k + 1) for k, n in enumerate(names))
        + b"</sheets></workbook>"
    )
    wb_rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + b"".join(
            b'<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet%d.xml"/>' % (k + 1, k + 1)
            for k in range(len(sheets))
        )
        + b"</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        _write(zf, "[Content_Types].xml", types)
        _write(zf, "_rels/.rels", root_rels)
        _write(zf, "xl/workbook.xml", workbook)
        _write(zf, "xl/_rels/workbook.xml.rels", wb_rels)
        for k, xml in enumerate(sheets):
            _write(zf, f"xl/worksheets/sheet{k + 1}.xml", xml)
        for name, data in (extra or {}).items():
            _write(zf, name, data)
    return buffer.getvalue()


def _seed_sheet_body(seed: Seed) -> bytes:
    from openpyxl.utils import get_column_letter

    rows = [seed.header, *seed.rows]
    return b"".join(
        _inline_row(
            r + 1,
            [
                (f"{get_column_letter(c + 1)}{r + 1}", _as_cell(v, c == 3 and r > 0))
                for c, v in enumerate(row)
                if v not in ("", None)
            ],
        )
        for r, row in enumerate(rows)
    )


@mutation("xlsx_hand_written", ("template_xlsx",))
def _hand_written(rng, seed):
    """The same workbook written without openpyxl (inline strings, no styles): a valid file."""
    return {
        "expect": "same",
        "data": minimal_xlsx([_sheet_xml(_seed_sheet_body(seed))], ["Data"]),
        "readings": [(seed.all_figures(), None)],
    }


@mutation("xlsx_huge_dimension", ("template_xlsx",))
def _huge_dimension(rng, seed):
    ref = rng.choice([b"A1:XFD1048576", b"A1:ZZ900000", b"A1:G1048576"])
    data = minimal_xlsx([_sheet_xml(_seed_sheet_body(seed), dimension=ref)], ["Data"])
    return {"expect": "either", "data": data, "readings": [(seed.all_figures(), None)], "detail": ref.decode()}


@mutation("xlsx_merge_bomb", ("template_xlsx",))
def _merge_bomb(rng, seed):
    ref = rng.choice([b"A1:XFD1048576", b"H1:XFD1048576", b"A20:Z400000", b"H1:CV60000"])
    merges = b'<mergeCells count="1"><mergeCell ref="' + ref + b'"/></mergeCells>'
    return _any(minimal_xlsx([_sheet_xml(_seed_sheet_body(seed), merges=merges)], ["Data"]), detail=ref.decode())


@mutation("xlsx_many_merges", ("template_xlsx",))
def _many_merges(rng, seed):
    n = rng.choice([20_000, 100_000])
    merges = (
        b'<mergeCells count="%d">' % n
        + b"".join(b'<mergeCell ref="H%d:Z%d"/>' % (k + 1, k + 1) for k in range(n))
        + b"</mergeCells>"
    )
    return _any(minimal_xlsx([_sheet_xml(_seed_sheet_body(seed), merges=merges)], ["Data"]), detail=f"{n:,} merged ranges")


@mutation("xlsx_sparse_sheets", ("template_xlsx",))
def _sparse_sheets(rng, seed):
    n = rng.choice([60, 250])
    far = rng.choice(["CV49999", "XFD1", "A1048576", "ALL4000"])
    sheet = _sheet_xml(_inline_row(1, [("A1", "x")]) + _inline_row(int("".join(ch for ch in far if ch.isdigit())), [(far, 1)]))
    sheets = [_sheet_xml(_seed_sheet_body(seed))] + [sheet] * (n - 1)
    return _any(minimal_xlsx(sheets, ["Data"] + [f"S{k}" for k in range(1, n)]), detail=f"{n} sheets reaching {far}")


def _bomb_part(mb: int, unit: bytes) -> bytes:
    return unit * (mb * 1_000_000 // len(unit))


@mutation("xlsx_part_bomb", ("template_xlsx",))
def _part_bomb(rng, seed):
    mb = rng.choice([120, 320])
    where = rng.choice(["sheet", "shared strings", "styles"])
    if where == "sheet":
        unit = b'<row><c t="inlineStr"><is><t>a</t></is></c></row>'
        xml = _sheet_xml(_seed_sheet_body(seed) + _bomb_part(mb, unit))
        return _any(minimal_xlsx([xml], ["Data"], compresslevel=9), detail=f"{mb} MB of sheet XML")
    if where == "shared strings":
        sst = (
            b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + _bomb_part(mb, b"<si><t>aaaaaaaa</t></si>")
            + b"</sst>"
        )
        return _any(
            minimal_xlsx([_sheet_xml(_seed_sheet_body(seed))], ["Data"], {"xl/sharedStrings.xml": sst}, 9),
            detail=f"{mb} MB of shared strings",
        )
    return _any(
        minimal_xlsx([_sheet_xml(_seed_sheet_body(seed))], ["Data"], {"xl/media/image1.png": _bomb_part(mb, b"\x00")}, 9),
        detail=f"{mb} MB unused member",
    )


@mutation("xlsx_large_but_legal", ("template_xlsx",))
def _large_legal(rng, seed):
    """Many real rows (varied digits, so it does not compress like a bomb)."""
    n = rng.choice([10_000, 25_000])
    first = seed.rows[0]
    body = _seed_sheet_body(seed) + b"".join(
        _inline_row(r, [(f"A{r}", "Nowhere"), (f"B{r}", first[1]), (f"C{r}", first[2]), (f"D{r}", rng.randint(0, 99999))])
        for r in range(len(seed.rows) + 2, len(seed.rows) + 2 + n)
    )
    return _any(minimal_xlsx([_sheet_xml(body)], ["Data"]), detail=f"{n:,} rows")


@mutation("xlsx_period_as_old_date", ("template_xlsx",))
def _old_date(rng, seed):
    i = _row_where(rng, seed)
    from openpyxl.utils import get_column_letter  # noqa: F401  (kept beside the other sheet writers)

    rows = [[_as_cell(v, c == 3) for c, v in enumerate(r)] for r in seed.rows]
    when = rng.choice([dt.datetime(1900, 1, 1), dt.datetime(1899, 12, 31), dt.datetime(1900, 2, 28), dt.datetime(1999, 4, 1)])
    rows[i][2] = when

    def build(ws):
        ws.append(seed.header)
        for r in rows:
            ws.append(r)

    from openpyxl import Workbook

    wb = Workbook()
    build(wb.active)
    return {
        "expect": "refuse",
        "data": _saved(wb),
        "where": (i + 2, "period"),
        "detail": f"row {i + 2} period={when:%Y-%m-%d}",
    }


@mutation("xlsx_sixty_sheets_of_data", ("template_xlsx",))
def _sixty(rng, seed):
    """The seed's sheet and 59 copies of it under other names: the same figures 60 times."""
    xml = _sheet_xml(_seed_sheet_body(seed))
    return {
        "expect": "either",
        "data": minimal_xlsx([xml] * 60, ["Data"] + [f"Copy {k}" for k in range(1, 60)]),
        "readings": [(seed.all_figures(), None)],
        "detail": "60 identical sheets",
    }


# -- ZIP damage ---------------------------------------------------------------------------------------


def _entry(data: bytes, name: str) -> tuple[int, int]:
    """Offsets of the local header and the central directory entry of member ``name``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(name).header_offset
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode() + b"", 0) + 1)
    i = data.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if data[i + 46 : i + 46 + n] == name.encode():
            central = i
            break
        i = data.find(b"PK\x01\x02", i + 4)
    return local, central


def _patch(data: bytes, name: str, local: dict[int, tuple[str, int]], central: dict[int, tuple[str, int]]) -> bytes:
    b = bytearray(data)
    lo, ce = _entry(data, name)
    for off, (fmt, v) in local.items():
        struct.pack_into(fmt, b, lo + off, v)
    for off, (fmt, v) in central.items():
        struct.pack_into(fmt, b, ce + off, v)
    return bytes(b)


DATA_MEMBER = "data/b1_children_in_need.csv"


def _ees_zip(seed: Seed, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    return zip_bytes(ees_members(_csv_text(seed)), method)


def _damaged(data: bytes, detail: str) -> dict:
    # Every member that holds data must be read in full and checked, or the archive refused
    return {"expect": "refuse", "data": data, "where": (None, None), "detail": detail}


@mutation("zip_bad_crc", ("ees_zip",))
def _bad_crc(rng, seed):
    data = _ees_zip(seed, zipfile.ZIP_STORED)
    lo, _ = _entry(data, DATA_MEMBER)
    start = lo + 30 + len(DATA_MEMBER) + struct.unpack_from("<H", data, lo + 28)[0]
    b = bytearray(data)
    i = start + rng.randrange(len(seed.header[0]) + 5, len(_csv_text(seed)))
    b[i] = ord("7") if b[i] != ord("7") else ord("8")
    return _damaged(bytes(b), f"byte {i} changed, CRC kept")


@mutation("zip_encrypted_flag", ("ees_zip",))
def _encrypted(rng, seed):
    data = _ees_zip(seed)
    return _damaged(_patch(data, DATA_MEMBER, {6: ("<H", 1)}, {8: ("<H", 1)}), "encrypted flag set")


@mutation("zip_compression_method", ("ees_zip",))
def _method(rng, seed):
    method = rng.choice([9, 14, 12, 99, 6, 97])  # Deflate64, LZMA, bzip2, AES, imploded, WavPack
    data = _ees_zip(seed)
    return _damaged(_patch(data, DATA_MEMBER, {8: ("<H", method)}, {10: ("<H", method)}), f"compression type {method}")


@mutation("zip_lying_size", ("ees_zip",))
def _lying(rng, seed):
    data = _ees_zip(seed)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        real = zf.getinfo(DATA_MEMBER).file_size
    size = rng.choice([1, real // 2, real + 10, real * 50, 0xFFFFFFFE])
    which = rng.choice(["uncompressed", "compressed", "both"])
    local, central = {}, {}
    if which in ("uncompressed", "both"):
        local[22], central[24] = ("<I", size), ("<I", size)
    if which in ("compressed", "both"):
        local[18], central[20] = ("<I", size), ("<I", size)
    return _any(_patch(data, DATA_MEMBER, local, central), detail=f"{which} size {size:,} (really {real:,})")


@mutation("zip_name_mismatch", ("ees_zip",))
def _name_mismatch(rng, seed):
    data = bytearray(_ees_zip(seed))
    lo, _ = _entry(bytes(data), DATA_MEMBER)
    data[lo + 30 + 5] = ord("X")  # data/... becomes data/X... in the local header only
    return _damaged(bytes(data), "local header names another file")


@mutation("zip_corrupt_deflate", ("ees_zip",))
def _corrupt_deflate(rng, seed):
    data = _ees_zip(seed)
    lo, _ = _entry(data, DATA_MEMBER)
    start = lo + 30 + len(DATA_MEMBER) + struct.unpack_from("<H", data, lo + 28)[0]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        size = zf.getinfo(DATA_MEMBER).compress_size
    flipped, detail = _flip(rng, data[start : start + size], rng.randint(1, 4))
    return _damaged(data[:start] + flipped + data[start + size :], f"deflate data: {detail}")


@mutation("zip_nested", ("ees_zip",))
def _nested(rng, seed):
    inner = _ees_zip(seed)
    name = rng.choice(["data/inner.csv", "data/inner.zip", "data/b1.csv.zip"])
    data = zip_bytes([(name, inner), ("data/b1.meta.csv", b"col_name\n")])
    return _any(data, detail=f"the EES ZIP as {name}")


@mutation("zip_member_names", ("ees_zip",))
def _member_names(rng, seed):
    name = rng.choice(
        [
            "../../../../tmp/b1.csv",
            "/etc/b1.csv",
            "C:\\Windows\\b1.csv",
            "data/" + "n" * 400 + ".csv",
            "data/b1\u202ecsv.exe.csv",
            "data/<script>.csv",
            "data/![x](http:h).csv",
        ]
    )
    members = ees_members(_csv_text(seed))
    members[0] = (name, members[0][1])
    return {"expect": "either", "data": zip_bytes(members), "readings": [(seed.all_figures(), None)], "detail": repr(name)}


@mutation("zip_duplicate_members", ("ees_zip",))
def _dup_members(rng, seed):
    csv = _csv_text(seed)
    return _any(zip_bytes(ees_members(csv) + [(DATA_MEMBER, csv.replace(b",", b";"))]), detail="the data CSV twice")


@mutation("zip_member_bomb", ("ees_zip",))
def _member_bomb(rng, seed):
    # zeros past the limit; real-looking rows (slower to compress) just under it
    mb, unit = rng.choice([(320, b"0"), (60, b"2025,Reporting year,National,E92000001,England,,,,,,Children in Need,1,2\n")])
    members = ees_members(_csv_text(seed) + _bomb_part(mb, unit))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members:
            _write(zf, name, data)
    return _any(buffer.getvalue(), detail=f"{mb} MB data member of {unit[:12]!r}")


@mutation("zip_many_members", ("ees_zip",))
def _many_members(rng, seed):
    n = rng.choice([499, 501, 3000])
    members = [(f"data/f{k}.meta.csv", b"x\n") for k in range(n)] + ees_members(_csv_text(seed))
    return _any(zip_bytes(members), detail=f"{n + 3} members")


@mutation("zip_not_zip", ("ees_zip",))
def _not_zip(rng, seed):
    data = _ees_zip(seed)
    how = rng.choice(["eocd cut", "prefix junk", "only local header", "empty zip"])
    if how == "eocd cut":
        data = data[: -rng.randint(1, 22)]
    elif how == "prefix junk":
        data = b"PK\x03\x04junk" + data
    elif how == "only local header":
        data = data[:40]
    else:
        data = zip_bytes([])
    return _any(data, detail=how)


@mutation("forced_format", (*ALL, "sn_model_csv"))
def _forced_format(rng, seed):
    """The user chooses a format, maybe the wrong one: refused in one clear message, or read."""
    fmt = rng.choice(["template", "ees", "lait", "sn_model", "board", "scorecard"])
    right = {"template_csv": "template", "template_xlsx": "template", "ees_zip": "ees", "sn_model_csv": "sn_model"}[seed.kind]
    if fmt == right:
        return {
            "expect": "same",
            "data": _seed_bytes(seed),
            "readings": [(seed.all_figures(), None)],
            "options": {"format": fmt},
            "detail": f"--format {fmt}",
        }
    return {"expect": "any", "data": _seed_bytes(seed), "options": {"format": fmt}, "detail": f"--format {fmt}"}


@mutation("vintage_column", TEMPLATE)
def _vintage(rng, seed):
    """A vintage column: a real release month loads; anything else is refused at its cell."""
    i = _row_where(rng, seed)
    header = seed.header + ["vintage"]
    good = rng.random() < 0.3
    text = (
        rng.choice(["2026-11", "2026-12", "2026"])
        if good
        else rng.choice(["9999-99", "2026-13", "1999", "2099-01", "next year", "2025-00", "0000", "<b>2025</b>", "2025-99-01"])
    )
    rows = [r + ([text] if j == i else ["2026-11"]) for j, r in enumerate(seed.rows)]
    data = serialise(seed, header=header, rows=rows)[1]
    if good:
        return {
            "expect": "same",
            "data": data,
            "readings": [(seed.all_figures(), None)],
            "detail": f"row {i + 2} vintage={text!r}",
        }
    return {"expect": "refuse", "data": data, "where": (i + 2, "vintage"), "detail": f"row {i + 2} vintage={text!r}"}


@mutation("sn_model_damage", ("sn_model_csv",))
def _sn_damage(rng, seed):
    """An SN model with a code that is not an LA, an LA as its own neighbour, a neighbour twice,
    nine neighbours or markup as a closeness: refused at the row."""
    i = rng.randrange(len(seed.rows))
    rows = [list(r) for r in seed.rows]
    k = rng.randrange(10)
    how = rng.choice(["unknown code", "self", "twice", "nine", "closeness"])
    if how == "unknown code":
        rows[i][1 + 2 * k] = rng.choice(["000", "<script>", "999", "885.9", "x", "E10000034", "8850", "-885"])
    elif how == "self":
        rows[i][1 + 2 * k] = rows[i][0]
    elif how == "twice":
        rows[i][1 + 2 * k] = rows[i][1 + 2 * ((k + 1) % 10)]
    elif how == "nine":
        rows[i][1 + 2 * 9] = rows[i][2 + 2 * 9] = ""
    else:
        rows[i][2 + 2 * k] = rng.choice(
            ['=HYPERLINK("http://x.example","close")', "<b>Close</b>", "![c](http://h.example/a.png)"]
        )
    return {
        "expect": "refuse",
        "data": csv_bytes(seed.header, rows),
        "where": (i + 2, None),
        "detail": f"row {i + 2}: {how} (SN{k + 1})",
    }


@mutation("ees_cell", ("ees_zip",))
def _ees_cell(rng, seed):
    """One cell of an EES file: odd but readable forms load as meant; impossible ones are refused at the row."""
    i = _row_where(rng, seed, lambda r: r[2] == "Local authority" and r[11].isdigit())
    rows = [list(r) for r in seed.rows]
    how = rng.choice(["thousands", "symbol", "bad symbol", "negative", "period", "text"])
    (code, measure, start, end, value, _), second = seed.figures[i]
    if how == "thousands":
        v = rng.randint(1000, 99_999)
        rows[i][11] = f"{v:,}"
        readings = [(seed.all_figures(replace={i: [(code, measure, start, end, float(v), None), second]}), None)]
    elif how == "symbol":
        sym = rng.choice(["z", "u", "low", "c", "x"])
        rows[i][11] = sym
        readings = [(seed.all_figures(replace={i: [(code, measure, start, end, None, sym), second]}), None)]
    else:
        rows[i][11 if how != "period" else 0] = {
            "bad symbol": rng.choice(["<b>c</b>", "suppressed", "x` ![s](http://h.example/a.png) `", "cc"]),
            "negative": "-" + rows[i][11],
            "period": rng.choice(["0000", "199899", "999900", "2024/26", "2099", "20x5"]),
            "text": rng.choice(["lots", "1e309", "-inf", "nan", "#REF!"]),
        }[how]
        return {
            "expect": "refuse",
            "data": _wrap(seed, csv_bytes(seed.header, rows)),
            "where": (i + 2, None),
            "detail": f"row {i + 2}: {how} {rows[i][11 if how != 'period' else 0]!r}",
        }
    return {
        "expect": "either",
        "data": _wrap(seed, csv_bytes(seed.header, rows)),
        "readings": readings,
        "detail": f"row {i + 2}: {how} {rows[i][11]!r}",
    }


@mutation("semicolon_decimal_comma", ("template_csv",))
def _semicolon_decimal(rng, seed):
    """Excel's CSV in a continental locale: semicolons, and 345,6 for 345.6 (or a mistyped 3,456)."""
    i = _row_where(rng, seed, _is_count)
    whole, tenth = rng.randint(1, 999), rng.randint(1, 9)
    rows = [list(r) for r in seed.rows]
    rows[i][3] = f"{whole},{tenth}"
    text = "\n".join(";".join(r) for r in [seed.header, *rows]) + "\n"
    return {
        "expect": "either",
        "data": text.encode(),
        "readings": [(_reading(seed, i, whole + tenth / 10), i + 2), (_reading(seed, i, float(f"{whole}{tenth}")), i + 2)],
        "detail": f"row {i + 2} value={rows[i][3]!r}",
    }


@mutation("population_month", TEMPLATE)
def _population_month(rng, seed):
    """A population (mid-year) given for a month or quarter: refused, or read; never a traceback."""
    i = _row_where(rng, seed)
    rows = [list(r) for r in seed.rows]
    rows[i][1], rows[i][2], rows[i][3], rows[i][4] = (
        "population_0_17",
        rng.choice(["Apr-25", "Q1 2024-25", "2024-12", "2024"]),
        "120000",
        "",
    )
    return _any(serialise(seed, rows=rows)[1], detail=f"row {i + 2} population for {rows[i][2]}")


@mutation("value_falls", ("template_csv", "ees_zip"))
def _value_falls(rng, seed):
    """The seed is committed first; then the same file with one figure a hundredth (or fifty
    times) of the one it replaces: refused, or loaded with that figure to confirm."""
    col = 11 if seed.kind == "ees_zip" else 3
    i = _row_where(
        rng, seed, lambda r: r[col].isdigit() and int(r[col]) >= 500 and (seed.kind == "ees_zip" or MEASURES[r[1]][0] == "count")
    )
    old = int(seed.rows[i][col])
    new = old // 100 if rng.random() < 0.6 else old * 50
    rows = [list(r) for r in seed.rows]
    rows[i][col] = str(new)
    code, measure, start, end, _, _ = seed.figures[i][0]
    return {
        "expect": "either",
        "data": serialise(seed, rows=rows)[1],
        "preload": _seed_bytes(seed),
        "readings": [(frozenset({(code, measure, start, end, float(new), None)}), i + 2)],
        "detail": f"row {i + 2} {seed.header[col]} {old} -> {new}",
    }


# -- figures that replace earlier ones ----------------------------------------------------------------


@mutation("truncated_replacement", ("ees_zip", "template_csv"))
def _truncated_replacement(rng, seed):
    """The seed is committed first; then the same file cut short inside the last figure (3,638 -> 3):
    refused, or the shrunken figure is flagged in a warning naming its row."""
    last = len(seed.rows) - 1
    col = len(seed.header) - 1 if seed.kind == "ees_zip" else 3
    text = seed.rows[last][col]
    if len(text) < 3 or not text.isdigit() or any(seed.rows[last][col + 1 :]):
        return {}  # (a template row's source must not be cut off too: that would be another source's figure)
    keep = rng.randint(1, len(text) - 2)
    rows = [list(r) for r in seed.rows]
    rows[last] = rows[last][: col + 1]
    rows[last][col] = text[:keep]
    csv = ("\n".join(_csv_line(r) for r in [seed.header, *seed.rows[:-1]]) + "\n" + _csv_line(rows[last])).encode()
    code, measure, start, end, _, _ = seed.figures[last][-1]
    new = frozenset({(code, measure, start, end, float(text[:keep]), None)})
    return {
        "expect": "either",
        "data": _wrap(seed, csv),
        "preload": _seed_bytes(seed),
        "readings": [(new, len(seed.rows) + 1)],
        "detail": f"row {last + 2} {seed.header[col]} {text} cut to {text[:keep]}",
    }


# ---- the generator ------------------------------------------------------------------------------------


def case(seed: int, index: int, only: str | None = None) -> Case:
    """Case ``index`` of the run seeded ``seed``: mutations in turn (so every kind is tried in
    any run of len(MUTATIONS) cases), each with random parameters from its own generator."""
    names = sorted(MUTATIONS) if only is None else [only]
    name = names[index % len(names)]
    kinds, fn = MUTATIONS[name]
    rng = random.Random(f"{seed}:{index}")
    for _ in range(20):
        kind = rng.choice(kinds)
        s = seed_file(rng, kind)
        try:
            fields = fn(rng, s)
        except NoRow:
            continue
        if fields:
            break
    ext = (
        fields.pop("ext", None)
        or {"template_csv": ".csv", "template_xlsx": ".xlsx", "ees_zip": ".zip", "sn_model_csv": ".csv"}[kind]
    )
    if kind == "sn_model_csv":  # the model year, as the user gives it (a file name need not say it)
        fields["options"] = {"sn_model_year": 2021, **fields.get("options", {})}
        fields.setdefault("sn", s.sn if fields["expect"] in ("same", "either") else None)
    return Case(seed, index, name, kind, f"fuzz-{index:05d}{ext}", **fields)


def cases(seed: int, count: int, only: str | None = None) -> Iterator[Case]:
    for i in range(count):
        yield case(seed, i, only)


# ---- running one case against a store --------------------------------------------------------------------

DATA_TABLES = ["observations", "sn_models", "targets", "areas", "label_mappings"]


def fingerprint(store, tables: list[str] | None = None) -> str:
    """Hash of every row of the given tables (default: the data tables plus imports and meta)."""
    h = hashlib.sha256()
    for t in tables or [*DATA_TABLES, "imports", "meta", "board_sets", "board_items"]:
        rows = store.query(f"SELECT count(*) AS n, coalesce(sum(hash(t)::HUGEINT), 0) AS s FROM {t} t")
        h.update(f"{t}:{int(rows['n'][0])}:{rows['s'][0]};".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def known_symbols() -> frozenset[str]:
    import csv

    with (PROJECT / "data" / "symbols.csv").open(newline="", encoding="utf-8") as f:
        return frozenset(r["symbol"] for r in csv.DictReader(f))


def _figures_of(store, import_id: int | None) -> tuple[frozenset[Figure], list[tuple]]:
    if import_id is None:
        return frozenset(), []
    rows = store.query(
        """SELECT area_code, measure, strftime(period_start, '%Y-%m-%d') AS s, strftime(period_end, '%Y-%m-%d') AS e,
                                 value, symbol, source, note FROM observations WHERE import_id = ?""",
        [import_id],
    )
    figs, texts = set(), []
    for a, m, s, e, v, sy, src, note in rows.itertuples(index=False):
        v = None if v is None or v != v else round(float(v), 6)
        sy = None if sy is None or sy != sy else sy
        figs.add((a, m, s, e, v, sy))
        texts.append((a, m, s, e, v, sy, src, note))
    return frozenset(figs), texts


def _short(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(tb) if "/journey/" in f.filename), tb[-1] if tb else None)
    place = f" at {Path(where.filename).name}:{where.lineno} {where.name}" if where else ""
    return f"{type(exc).__name__}: {str(exc)[:200]}{place}"


def check(store, c: Case) -> tuple[str, list[str]]:
    """Run one case: (outcome, failures). Outcomes: refused, loaded, no-op, crashed."""
    from journey.errors import JourneyError
    from journey.exports import workbook_bytes
    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare, undo

    failures: list[str] = []
    start_data = fingerprint(store, DATA_TABLES)
    preload_id = None
    if c.preload is not None:
        try:
            pre = prepare(store, [(c.name, c.preload)])  # same name: a template without a source takes it from the name
            preload_id = commit(store, pre, acknowledged=True) if pre.ok else None  # setup: its own oddities confirmed
        except Exception as exc:  # noqa: BLE001 (the valid seed itself failing is a finding)
            return "crashed", [f"the valid seed (committed first) raised {_short(exc)}"]
        if preload_id is None:
            return "refused", [
                "the valid seed (committed first) was refused: " + "; ".join(str(p) for p in pre.problems.errors[:3])
            ]
    before, before_data = fingerprint(store), fingerprint(store, DATA_TABLES)

    def finish(outcome: str) -> tuple[str, list[str]]:
        if preload_id is not None:
            try:
                undo(store, preload_id)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"undo of the committed seed raised {_short(exc)}")
            if fingerprint(store, DATA_TABLES) != start_data:
                failures.append("undoing the seed did not restore the store")
        return outcome, failures

    try:
        plan = prepare(store, [(c.name, c.data)], Options(**c.options))
    except JourneyError as exc:
        if not str(exc).strip():
            failures.append("JourneyError with no message")
        if not c_may_refuse(c):
            failures.append(f"refused (JourneyError) a file that should load: {str(exc)[:200]}")
        if fingerprint(store) != before:
            failures.append("a refusal changed the store")
        return finish("refused")
    except Exception as exc:  # noqa: BLE001 (any other exception is the finding this harness is for)
        failures.append(f"prepare raised {_short(exc)}")
        return finish("crashed")
    for p in [*plan.problems.items, *(getattr(plan, "attention", None) or [])]:
        text = str(p)
        if not p.message or not p.message.strip():
            failures.append(f"a problem without a message: {p!r}"[:300])
        if not text.startswith(c.name):
            failures.append(f"a problem does not name the file: {text[:200]!r}")
        if len(text) > 2000:
            failures.append(f"a problem line of {len(text):,} characters: {text[:120]!r}...")
        if "Traceback" in text:
            failures.append("a problem holds a traceback")
    if fingerprint(store) != before:
        failures.append("prepare changed the store")
    if not plan.ok:
        errors = plan.problems.errors
        if not c_may_refuse(c):
            failures.append("refused a file that should load: " + " | ".join(str(p)[:160] for p in errors[:3]))
        if (
            c.where
            and c.where[0] is not None
            and not any(p.row == c.where[0] and (c.where[1] is None or p.column == c.where[1]) for p in errors)
        ):
            failures.append(
                f"no error names row {c.where[0]}"
                + (f", column {c.where[1]}" if c.where[1] else "")
                + ": "
                + " | ".join(str(p)[:160] for p in errors[:3])
            )
        try:
            commit(store, plan)
            failures.append("commit of a plan with errors did not raise")
        except JourneyError:
            pass
        except Exception as exc:  # noqa: BLE001
            failures.append(f"commit of a refused plan raised {_short(exc)}")
        if fingerprint(store) != before:
            failures.append("a refusal changed the store")
        return finish("refused")
    if c.expect == "refuse":
        failures.append(
            "loaded a file that should be refused"
            + (f" (row {c.where[0]}, column {c.where[1]})" if c.where and c.where[0] else "")
        )
    attention = list(getattr(plan, "attention", None) or [])
    try:
        if attention:  # figures to confirm: refused until the user confirms them, then committed
            try:
                import_id = commit(store, plan)
                failures.append("a plan with figures to confirm was committed without confirmation")
            except JourneyError:
                if fingerprint(store) != before:
                    failures.append("a commit waiting for confirmation changed the store")
                import_id = commit(store, plan, acknowledged=True)
        else:
            import_id = commit(store, plan)
    except JourneyError as exc:
        if not c_may_refuse(c):
            failures.append(f"commit refused a file that should load: {str(exc)[:200]}")
        if fingerprint(store) != before:
            failures.append("a refused commit changed the store")
        return finish("refused")
    except Exception as exc:  # noqa: BLE001
        failures.append(f"commit raised {_short(exc)}")
        return finish("crashed")
    loaded, texts = _figures_of(store, import_id)
    match: list = []
    if c.readings:
        rounded = [
            (frozenset((a, m, s, e, None if v is None else round(v, 6), sy) for a, m, s, e, v, sy in figs), w)
            for figs, w in c.readings
        ]
        match = [w for figs, w in rounded if figs == loaded]
        if not match:
            want = rounded[0][0]
            failures.append(
                f"loaded wrongly: missing {sorted(want - loaded, key=str)[:3]}, unexpected {sorted(loaded - want, key=str)[:3]}"
            )
        elif all(w is not None for w in match):
            w = match[0]
            named = [p for p in [*plan.problems.items, *attention] if w == 0 or p.row == w]
            if not named:
                failures.append(
                    "loaded a doubtful reading without a warning"
                    + (f" naming row {w}" if w else "")
                    + f": {sorted(loaded - rounded[0][0] if len(rounded) > 1 else loaded, key=str)[:2]}"
                )
    if c.sn is not None and (not c.readings or match):
        got = store.query(
            "SELECT model, old_la_code, rank, neighbour_old_la_code, closeness FROM sn_models WHERE import_id = ?",
            [import_id if import_id is not None else -1],
        )
        rows = frozenset(
            (int(m), la, int(k), nb, None if cl is None or cl != cl else cl) for m, la, k, nb, cl in got.itertuples(index=False)
        )
        if rows != c.sn:
            failures.append(
                f"loaded the SN model wrongly: missing {sorted(c.sn - rows)[:2]}, unexpected {sorted(rows - c.sn)[:2]}"
            )
    for *_, sy, _src, _note in texts:
        if sy is not None and sy not in known_symbols():
            failures.append(f"stored symbol {sy[:60]!r}, not one of data/symbols.csv")
            break
    if texts:
        try:
            workbook_bytes(
                [("Data", ["area", "measure", "start", "end", "value", "symbol", "source", "note"], [list(t) for t in texts])]
            )
        except Exception as exc:  # noqa: BLE001
            failures.append(f"the loaded figures cannot be exported to Excel: {_short(exc)}")
    if import_id is not None:
        try:
            undo(store, import_id)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"undo raised {_short(exc)}")
        if fingerprint(store, DATA_TABLES) != before_data:
            failures.append("undo did not restore the store")
    return finish("loaded" if import_id is not None else "no-op")


def c_may_refuse(c: Case) -> bool:
    return c.expect != "same"


# ---- the worker process and the parent that watches it ---------------------------------------------------


def _status_kb(field_name: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux 4.0+); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def worker(folder: str, default_data: bool = False) -> None:
    """Worker loop: reads {"seed", "index", "only"} lines on stdin, answers one JSON line per
    stage on the original stdout ("ready", "started" with the RSS after generating the case,
    then the result). Its own store (reference data only, or with the default dataset so that
    uploads replace and are compared with DfE's figures) lives in ``folder``."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything the project prints goes to the log, not the protocol
    sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]
    import warnings

    warnings.simplefilter("ignore")
    from journey.build import open_store

    store = open_store(Path(folder) / "fuzz.duckdb", load_default=default_data)
    import openpyxl  # noqa: F401

    import journey.exports  # noqa: F401  (imported before any case so its cost is not a case's memory)
    import journey.importing.plan  # noqa: F401

    out.write(json.dumps({"stage": "ready", "rss_kb": _status_kb("VmRSS")}) + "\n")
    for line in sys.stdin:
        req = json.loads(line)
        t0 = time.perf_counter()
        try:
            c = case(req["seed"], req["index"], req.get("only"))
        except Exception as exc:  # noqa: BLE001 (a generator bug is reported as the case's failure)
            out.write(json.dumps({"stage": "started", "rss_kb": _status_kb("VmRSS")}) + "\n")
            out.write(
                json.dumps(
                    {
                        "stage": "done",
                        "seed": req["seed"],
                        "index": req["index"],
                        "mutation": "?",
                        "kind": "?",
                        "name": "?",
                        "detail": "",
                        "expect": "?",
                        "bytes": 0,
                        "outcome": "crashed",
                        "seconds": 0,
                        "peak_growth_mb": 0,
                        "failures": [f"harness: the generator raised {_short(exc)}"],
                    }
                )
                + "\n"
            )
            continue
        result = {
            "seed": c.seed,
            "index": c.index,
            "mutation": c.mutation,
            "kind": c.kind,
            "name": c.name,
            "detail": c.detail,
            "expect": c.expect,
            "bytes": len(c.data),
            "generate_s": round(time.perf_counter() - t0, 3),
        }
        rss = _status_kb("VmRSS")
        exact = _reset_peak()
        out.write(json.dumps({"stage": "started", "rss_kb": rss}) + "\n")
        t1 = time.perf_counter()
        try:
            outcome, failures = check(store, c)
        except Exception as exc:  # noqa: BLE001 (the harness's own checks failing are reported, not fatal)
            outcome, failures = "crashed", [f"harness: {_short(exc)}"]
        peak = _status_kb("VmHWM") if exact else 0
        result.update(
            outcome=outcome,
            failures=failures,
            seconds=round(time.perf_counter() - t1, 3),
            peak_growth_mb=round(max(peak - rss, 0) / 1024, 1) if exact else None,
        )
        del c
        out.write(json.dumps({"stage": "done", **result}) + "\n")


class Worker:
    """A worker process the parent watches for memory and hangs, restarted after a kill."""

    def __init__(self, budget_mb: float = BUDGET_MB, hang_guard_s: float = HANG_GUARD_S, default_data: bool = False):
        self.budget_mb, self.hang_guard_s, self.default_data = budget_mb, hang_guard_s, default_data
        self.proc: subprocess.Popen | None = None
        self.folder: str | None = None
        self.restarts = 0

    def _start(self) -> None:
        self._buf = b""
        self.folder = tempfile.mkdtemp(prefix="journey-fuzz-")
        code = f"import sys; sys.path[:0] = [{str(PROJECT / 'tests')!r}, {str(PROJECT)!r}]; import fuzzing; fuzzing.worker({self.folder!r}, {self.default_data!r})"
        env = {k: v for k, v in os.environ.items() if k not in ("JOURNEY_DB", "JOURNEY_NO_DEFAULT")}
        env["PYTHONPATH"] = str(PROJECT)
        self.log = open(Path(self.folder) / "worker.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=self.folder
        )
        msg = self._read(120.0, None)
        if msg is None or msg.get("stage") != "ready":
            raise RuntimeError(f"the fuzz worker did not start: {msg}; log: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return (Path(self.folder) / "worker.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def _read(self, timeout: float, watch_from_kb: int | None) -> dict | None:
        """The next protocol line; None on timeout or death. Kills the worker when its RSS grows
        more than the budget (x1.2, so the peak can be reported) over ``watch_from_kb``."""
        self.peak_kb = 0
        end = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            if b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                return json.loads(line)
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._buf += chunk
                continue
            rss = _status_kb("VmRSS", self.proc.pid)
            self.peak_kb = max(self.peak_kb, rss)
            if watch_from_kb is not None and rss - watch_from_kb > self.budget_mb * 1.2 * 1024:
                self.kill()
                return {"stage": "killed", "why": f"memory grew by more than {self.budget_mb * 1.2:.0f} MB (killed)"}
            if time.monotonic() > end:
                self.kill()
                return {"stage": "killed", "why": f"still running after {timeout:.0f} s (hang guard; killed)"}
            if self.proc.poll() is not None:
                return None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.restarts += 1

    def run(self, seed: int, index: int, only: str | None = None) -> dict:
        if self.proc is None:
            self._start()
        self.proc.stdin.write((json.dumps({"seed": seed, "index": index, "only": only}) + "\n").encode())
        self.proc.stdin.flush()
        started = self._read(120.0, None)  # generating a bomb takes a few seconds
        if started is None or started.get("stage") != "started":
            return self._lost(seed, index, only, started, "while generating the case")
        done = self._read(self.hang_guard_s, started["rss_kb"])
        if done is None or done.get("stage") != "done":
            return self._lost(seed, index, only, done, "")
        watched = round(max(self.peak_kb - started["rss_kb"], 0) / 1024, 1)
        done["peak_growth_mb"] = max(done.get("peak_growth_mb") or 0, watched)
        if done["peak_growth_mb"] > self.budget_mb:
            done["failures"].append(
                f"peak memory grew by {done['peak_growth_mb']:,.0f} MB, over the {self.budget_mb:,.0f} MB budget"
            )
        return done

    def _lost(self, seed: int, index: int, only: str | None, msg: dict | None, when: str) -> dict:
        why = (msg or {}).get("why") or f"the worker died {when}".strip() + f"; log: {self.log_tail()[-600:]}"
        self.kill()
        self.cleanup()
        try:
            c = case(seed, index, only)  # rebuilt here for the report
        except Exception:  # noqa: BLE001
            c = Case(seed, index, "?", "?", "?", b"", "?")
        return {
            "stage": "done",
            "seed": seed,
            "index": index,
            "mutation": c.mutation,
            "kind": c.kind,
            "name": c.name,
            "detail": c.detail,
            "expect": c.expect,
            "bytes": len(c.data),
            "outcome": "killed",
            "failures": [why],
            "seconds": None,
            "peak_growth_mb": round(max(self.peak_kb - 0, 0) / 1024, 1) if "memory" in why else None,
        }

    def cleanup(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def save_failure(result: dict, folder: Path, only: str | None = None) -> Path:
    """Write the failing input and what went wrong, for reproduction."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        c = case(result["seed"], result["index"], only)
    except Exception:  # noqa: BLE001 (the generator's own failure is in the .txt)
        c = Case(result["seed"], result["index"], "generator", "?", "case.bin", b"", "?")
    stem = f"seed{c.seed}-case{c.index:05d}-{c.mutation}"
    path = folder / (stem + Path(c.name).suffix)
    path.write_bytes(c.data)
    if c.preload is not None:
        (folder / (stem + "-committed-first" + Path(c.name).suffix)).write_bytes(c.preload)
    (folder / (stem + ".txt")).write_text(
        c.label()
        + "\n"
        + "\n".join(result["failures"])
        + "\n"
        + f"reproduce: python -m bench.fuzz --seed {c.seed} --case {c.index}"
        + (f" --only {only}" if only else "")
        + "\n"
    )
    return path


def run(
    seed: int,
    count: int,
    *,
    only: str | None = None,
    minutes: float | None = None,
    budget_mb: float = BUDGET_MB,
    hang_guard_s: float = HANG_GUARD_S,
    save_to: Path | None = None,
    report: Callable[[dict], None] | None = None,
    default_data: bool = False,
) -> list[dict]:
    """Run cases 0..count-1 of ``seed`` (stopping early after ``minutes``); one result per case.
    ``default_data``: run against a store holding the default dataset, not reference data only."""
    w = Worker(budget_mb, hang_guard_s, default_data)
    results = []
    end = time.monotonic() + minutes * 60 if minutes else None
    try:
        for i in range(count):
            if end and time.monotonic() > end:
                break
            r = w.run(seed, i, only)
            if r["failures"] and save_to is not None:
                r["saved"] = str(save_failure(r, save_to, only))
            results.append(r)
            if report:
                report(r)
    finally:
        w.cleanup()
    return results


def failure_classes(results: list[dict]) -> dict[str, list[dict]]:
    """Failures grouped by mutation and the failure's first words (numbers and quotes left out)."""
    import re

    groups: dict[str, list[dict]] = {}
    for r in results:
        for f in r["failures"]:
            key = re.sub(r"fuzz-\S+|'[^']*'|\"[^\"]*\"|\d[\d,.]*", "…", f)[:64]
            groups.setdefault(f"{r['mutation']}: {key}", []).append(r)
    return groups


def summary(results: list[dict]) -> str:
    from collections import Counter

    outcomes = Counter(r["outcome"] for r in results)
    lines = [
        f"{len(results)} cases: " + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())),
        f"largest peak memory growth {max((r.get('peak_growth_mb') or 0) for r in results):,.0f} MB" if results else "",
    ]
    timed = sorted((r for r in results if r.get("seconds") is not None), key=lambda r: -r["seconds"])[:3]
    lines.append("slowest: " + "; ".join(f"{r['mutation']} ({r['detail'][:40]}) {r['seconds']:.1f} s" for r in timed))
    for key, rs in sorted(failure_classes(results).items()):
        r = rs[0]
        lines.append(
            f"FAIL x{len(rs)} {key}\n    e.g. seed {r['seed']} case {r['index']} ({r['kind']}, {r['detail'][:100]}): "
            f"{next(f for f in r['failures'])[:300]}"
        )
    return "\n".join(lines)
