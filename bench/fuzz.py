"""Long fuzz runs of the importer, outside the test suite (tests/fuzzing.py has the cases):

    python -m bench.fuzz --seed 7 --cases 5000 --minutes 30 [--only MUTATION] [--out DIR]
    python -m bench.fuzz --seed 20261203 --case 41        # one case again, with its details
    python -m bench.fuzz --list                           # the mutations

Each case runs in a watched worker process; a case whose resident memory grows more than
``--budget-mb`` (default the import budget, 500 MB) or that runs past ``--hang-guard`` seconds
is killed and reported. Failing inputs are written to ``--out`` (default ./fuzz-failures) with
a .txt beside each saying what went wrong. Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402  (lives in tests/, put on the path above)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cases", type=int, default=1000, help="cases to run (numbered from 0)")
    p.add_argument("--minutes", type=float, default=None, help="stop after this long, whatever --cases says")
    p.add_argument("--case", type=int, default=None, help="run only case N of the seed")
    p.add_argument("--only", choices=sorted(fuzzing.MUTATIONS), default=None, help="run only this mutation")
    p.add_argument("--budget-mb", type=float, default=fuzzing.BUDGET_MB)
    p.add_argument("--hang-guard", type=float, default=fuzzing.HANG_GUARD_S, help="seconds before a case is killed")
    p.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    p.add_argument("--default-data", action="store_true", help="run against the default dataset (uploads replace DfE figures)")
    p.add_argument("--list", action="store_true", help="list the mutations and exit")
    p.add_argument("--quiet", action="store_true", help="print failures only")
    args = p.parse_args(argv)
    if args.list:
        for name, (kinds, fn) in sorted(fuzzing.MUTATIONS.items()):
            print(f"{name:28} {', '.join(kinds):40} {(fn.__doc__ or '').strip().splitlines()[0] if fn.__doc__ else ''}")
        return 0
    if args.case is not None:
        c = fuzzing.case(args.seed, args.case, args.only)
        print(c.label(), f"expect={c.expect}", f"{len(c.data):,} bytes", sep="\n  ")
    t0 = time.monotonic()

    def report(r: dict) -> None:
        if r["failures"] or not args.quiet:
            mark = "FAIL" if r["failures"] else "ok  "
            print(
                f"{mark} {r['index']:6} {r['mutation']:26} {r['kind']:14} {r['outcome']:8} "
                f"{r['seconds'] if r['seconds'] is not None else '-':>7} s {r.get('peak_growth_mb') or 0:8.1f} MB  {r['detail'][:70]}",
                flush=True,
            )
            for f in r["failures"]:
                print(f"       {f[:400]}", flush=True)

    if args.case is not None:
        w = fuzzing.Worker(args.budget_mb, args.hang_guard, args.default_data)
        try:
            r = w.run(args.seed, args.case, args.only)
        finally:
            w.cleanup()
        if r["failures"]:
            r["saved"] = str(fuzzing.save_failure(r, args.out, args.only))
            print(f"input saved as {r['saved']}")
        report(r)
        return 1 if r["failures"] else 0
    results = fuzzing.run(
        args.seed,
        args.cases,
        only=args.only,
        minutes=args.minutes,
        budget_mb=args.budget_mb,
        hang_guard_s=args.hang_guard,
        save_to=args.out,
        report=report,
        default_data=args.default_data,
    )
    print(f"\n{time.monotonic() - t0:,.0f} s")
    print(fuzzing.summary(results))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
