"""Reads and writes never wait for each other (issue 12, "no convoy"): a long read block, such as
the check of a large upload, does not hold up another session's import, and a waiting or running
write does not hold up readers. Each read block still sees one state of the store."""

from __future__ import annotations

import threading
import time

from journey.importing.plan import commit, prepare
from tests.fixtures import template_csv

ROW = "Herefordshire,referrals,2025-26,{value},,Local scorecard,"


def _referrals(store) -> list[float]:
    rows = store.query(
        "SELECT value FROM observations WHERE measure = 'referrals' AND source = 'Local scorecard' AND replaced_by IS NULL"
    )
    return rows["value"].tolist()


def _import(store, value: int) -> int:
    plan = prepare(store, [("scorecard.csv", template_csv([ROW.format(value=value)]))])
    assert plan.ok, plan.problems.frame().to_string()
    return commit(store, plan)


def test_a_write_commits_while_a_long_read_block_is_open_and_the_block_keeps_its_state(fresh_store):
    s = fresh_store
    inside, written, finished = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def long_reader() -> None:
        with s.reading():
            seen["version_before"] = s.data_version
            seen["before"] = _referrals(s)
            inside.set()
            # The write below must commit while this block is still open (no lock between them).
            seen["write_finished_inside"] = written.wait(timeout=60)
            seen["after_in_block"] = _referrals(s)
            seen["version_in_block"] = s.data_version
        finished.set()

    reader = threading.Thread(target=long_reader)
    reader.start()
    assert inside.wait(timeout=60)
    import_id = _import(s, 321)
    written.set()
    reader.join(timeout=60)
    assert finished.is_set()
    assert import_id is not None
    assert seen["write_finished_inside"] is True
    # The open block saw one state throughout: no figure and no version from after its start.
    assert seen["before"] == [] and seen["after_in_block"] == []
    assert seen["version_in_block"] == seen["version_before"]
    # Outside any block, and in a new block, the commit is visible with the new version.
    assert _referrals(s) == [321.0]
    with s.reading():
        assert _referrals(s) == [321.0]
        assert s.data_version == seen["version_before"] + 1


def test_a_reader_starts_and_finishes_while_a_write_transaction_is_open(fresh_store):
    s = fresh_store
    in_write, read_done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def reader() -> None:
        assert in_write.wait(timeout=60)
        with s.reading():
            seen["rows"] = _referrals(s)
        read_done.set()

    t = threading.Thread(target=reader)
    t.start()
    with s.transaction() as con:
        con.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        in_write.set()
        # The reader is not queued behind this open write: it finishes before the write commits.
        seen["reader_finished_during_write"] = read_done.wait(timeout=60)
    t.join(timeout=60)
    assert seen["reader_finished_during_write"] is True
    assert seen["rows"] == []


def test_memo_never_files_an_older_state_over_a_newer_one(fresh_store):
    s = fresh_store
    calls: list[int] = []

    def compute() -> list[float]:
        calls.append(s.data_version)
        return _referrals(s)

    old_block_open, new_value_filed = threading.Event(), threading.Event()
    result: dict[str, object] = {}

    def old_reader() -> None:
        with s.reading():
            old_block_open.set()
            assert new_value_filed.wait(timeout=60)
            result["old"] = s.memo("referrals", compute)

    t = threading.Thread(target=old_reader)
    t.start()
    assert old_block_open.wait(timeout=60)
    _import(s, 400)
    assert s.memo("referrals", compute) == [400.0]
    new_value_filed.set()
    t.join(timeout=60)
    assert result["old"] == []  # the old block computes from its own state...
    assert s.memo("referrals", compute) == [400.0]  # ...and does not replace the newer result
    assert len(calls) == 2


def test_undo_checks_the_committed_state_not_the_callers_older_read_block(fresh_store):
    """A page whose read block began before another session undid an import cannot undo it again."""
    import pytest

    from journey.errors import JourneyError
    from journey.importing.plan import undo

    s = fresh_store
    import_id = _import(s, 512)
    with s.reading():
        assert _referrals(s) == [512.0]  # this block still sees the import as committed...
        done = threading.Thread(target=undo, args=(s, import_id))
        done.start()
        done.join(timeout=60)
        with pytest.raises(JourneyError, match=f"Import {import_id} is undone"):
            undo(s, import_id)  # ...but the undo is checked against what is committed
    assert _referrals(s) == []
    statuses = s.query("SELECT status FROM imports WHERE import_id = ?", [import_id])["status"].tolist()
    assert statuses == ["undone"]


def test_sessions_missing_the_same_result_compute_it_once(fresh_store):
    """After a commit every session misses at once: one computes, the others wait for it."""
    s = fresh_store
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> list[float]:
        calls.append(1)
        started.set()
        assert release.wait(timeout=60)
        return _referrals(s)

    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(s.memo("slow", compute)))
    first.start()
    assert started.wait(timeout=60)
    others = [threading.Thread(target=lambda: results.append(s.memo("slow", compute))) for _ in range(3)]
    for t in others:
        t.start()
    time.sleep(0.5)  # let the others reach memo while the first is still computing
    release.set()
    for t in [first, *others]:
        t.join(timeout=60)
    assert len(calls) == 1 and results == [[], [], [], []]


def test_read_transactions_are_reused_within_a_version_and_dropped_by_a_commit(fresh_store):
    """An idle read transaction serves the next block of the same version (no new one opened);
    after a commit the next block sees the new state, never the old one's."""
    s = fresh_store
    with s.reading():
        first = s._snapshot()
    with s.reading():
        assert s._snapshot() is first  # reused: the same open transaction
        assert _referrals(s) == []
    _import(s, 77)
    with s.reading():
        assert s._snapshot() is not first
        assert _referrals(s) == [77.0] and s.data_version == first.version + 1
