"""LAIT import speed: 200,000 rows of LAIT's whole dataset (``bds_long_0.parquet``, the
indicators the dashboard holds) as the CSV download, as an .xlsx of the same rows, and the
parquet file itself, each prepared and committed into a fresh store (no default data).

Targets (issue 13): the CSV under 5 s; the workbook under 3 times the CSV.

    python -m bench.lait [--rows 200000] [--only csv,xlsx,parquet]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "lait" / "bds_long_0.parquet"


def lait_files(rows: int) -> dict[str, bytes]:
    """The benchmark's files, made from the parquet sample (never copied into the project)."""
    import openpyxl

    from journey.importing.lait import lait_codes, lait_csv_bytes

    data = SAMPLE.read_bytes()
    csv_bytes = lait_csv_bytes(data, sorted(lait_codes()), rows)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("LAIT")
    import csv

    for i, row in enumerate(csv.reader(io.StringIO(csv_bytes.decode()))):
        sheet.append(row[:5] + [int(row[5]) if i and row[5] else row[5], row[6]])  # LA Number a number, as Excel keeps it
    buffer = io.BytesIO()
    book.save(buffer)
    return {"lait_200k.csv": csv_bytes, "lait_200k.xlsx": buffer.getvalue(), "bds_long_0.parquet": data}


def timed(name: str, data: bytes) -> dict:
    """prepare + commit of one file into a fresh store: seconds for each, figures added."""
    from journey.build import open_store
    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare

    store = open_store(Path(tempfile.mkdtemp()) / "bench.duckdb", load_default=False)
    try:
        started = time.perf_counter()
        plan = prepare(store, [(name, data)], Options(vintage="2026-04"))
        prepared = time.perf_counter()
        assert plan.ok, [str(p) for p in plan.problems.errors[:3]]
        commit(store, plan, acknowledged=True)
        done = time.perf_counter()
        return {"file": name, "bytes": len(data), "figures": len(plan.add), "prepare_s": round(prepared - started, 2),
                "commit_s": round(done - prepared, 2), "total_s": round(done - started, 2)}  # fmt: skip
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--only", default="csv,xlsx,parquet")
    args = parser.parse_args(argv)
    if not SAMPLE.is_file():
        print(f"no LAIT sample at {SAMPLE}", file=sys.stderr)
        return 1
    files = lait_files(args.rows)
    wanted = set(args.only.split(","))
    results = [timed(n, d) for n, d in files.items() if n.rsplit(".", 1)[1] in wanted]
    for r in results:
        print(f"{r['file']:<22} {r['bytes'] / 1e6:6.1f} MB  {r['figures']:>8,} figures  "
              f"prepare {r['prepare_s']:5.2f} s  commit {r['commit_s']:5.2f} s  total {r['total_s']:5.2f} s")  # fmt: skip
    by = {r["file"].rsplit(".", 1)[1]: r["total_s"] for r in results}
    if "csv" in by and "xlsx" in by:
        print(f"xlsx / csv: {by['xlsx'] / by['csv']:.2f} (target under 3); csv target under 5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
