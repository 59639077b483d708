"""Fuzzed imports (tests/fuzzing.py): broken CSV, XLSX and ZIP files made from valid ones, each
refused with a clear message that leaves the store unchanged, or loaded as the file means;
never a traceback, and never more than the memory budget per import.

The run is seeded and has a fixed number of cases (every mutation three times), so a failure
reproduces with ``python -m bench.fuzz --seed 20261203 --case N``; the failing inputs are saved
under the test's temporary folder, named in the failure message. Longer runs: bench/fuzz.py.
"""

from __future__ import annotations

import fuzzing
from fuzzing import MUTATIONS, Case, case, check, run, summary

SEED = 20261203
CASES = 3 * len(MUTATIONS)


def test_cases_are_reproducible_and_small():
    for i in (0, 7, len(MUTATIONS) + 3):
        a, b = case(SEED, i), case(SEED, i)
        assert (a.mutation, a.name, a.data, a.expect, a.readings) == (b.mutation, b.name, b.data, b.expect, b.readings)
    sizes = {c.mutation: len(c.data) for c in (case(SEED, i) for i in range(len(MUTATIONS)))}
    assert len(sizes) == len(MUTATIONS)  # one round tries every mutation
    assert max(sizes.values()) < 6_000_000, max(sizes.items(), key=lambda kv: kv[1])


def test_the_harness_catches_a_wrong_load_and_a_wrongly_refused_file(empty_store):
    good = next(c for c in (case(SEED, i, only="bom") for i in range(50)) if c.kind == "template_csv")
    assert good.expect == "same" and good.data.startswith(b"\xef\xbb\xbfarea,")
    outcome, failures = check(empty_store, good)
    assert (outcome, failures) == ("loaded", [])
    ((figs, warn),) = good.readings
    wrong = Case(
        **{**good.__dict__, "readings": [(frozenset({(*f[:4], 1.0 if f[4] is None else f[4] + 1, f[5]) for f in figs}), warn)]}
    )
    outcome, failures = check(empty_store, wrong)
    assert outcome == "loaded" and failures and failures[0].startswith("loaded wrongly"), failures
    refused = Case(**{**good.__dict__, "data": good.data.replace(b"area", b"aera", 1)})
    outcome, failures = check(empty_store, refused)
    assert outcome == "refused" and failures[0].startswith("refused a file that should load"), failures
    assert empty_store.scalar("SELECT count(*) FROM observations") == 0


def test_fuzzed_files_are_refused_cleanly_or_loaded_correctly(tmp_path):
    saved = tmp_path / "failures"
    results = run(SEED, CASES, save_to=saved)
    assert len(results) == CASES
    assert {r["mutation"] for r in results} == set(MUTATIONS)
    outcomes = {r["outcome"] for r in results}
    assert {"loaded", "refused"} <= outcomes, outcomes  # the seeds load; the damage is seen
    assert max(r["peak_growth_mb"] or 0 for r in results) > 1  # memory is measured (a 4 MB CSV takes more than 1 MB)
    failed = [r for r in results if r["failures"]]
    assert not failed, (
        f"{len(failed)} of {CASES} fuzz cases failed (inputs saved in {saved}; budget {fuzzing.BUDGET_MB} MB):\n"
        + summary(results)
    )
