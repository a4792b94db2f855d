"""A write is durable once ``sync()`` returns (crossinnov.stores.embedded.OxigraphStore.sync).

The embedded store makes a committed write durable by syncing its write-ahead log, not by
writing its memory tables to files. These tests check what that rests on, with a power cut
played on the store's files: what the log held when it was last synced is kept, and
whatever was written after that (or to a log file never synced) is lost, as the operating
system may lose it. A profile write syncs before it is acknowledged.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crossinnov.config import Settings
from crossinnov.stores import embedded, open_store
from crossinnov.stores.commit import OncePaused

EX = "http://example.org/"

pytestmark = pytest.mark.embedded_only(reason="about the embedded store's own files")


def insert(n: int) -> str:
    return f'INSERT DATA {{ GRAPH <{EX}g{n}> {{ <{EX}s{n}> <{EX}p> "{n:06d}{"x" * 500}" }} }}'


def wal_sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in folder.glob(embedded.WAL_FILES)}


def test_a_committed_write_is_in_the_log_file_at_once(tmp_path):
    """What a sync rests on: RocksDB writes a transaction's log record to the file (the
    operating system's page cache) when it commits, not later from its own buffer. Were
    a new pyoxigraph to buffer it, syncing the file would not make the write durable."""
    store = open_store(Settings(store=str(tmp_path / "store")))
    try:
        store.flush()
        for n in range(3):
            before = sum(wal_sizes(tmp_path / "store").values())
            store.update(insert(n))
            assert sum(wal_sizes(tmp_path / "store").values()) > before + 500
    finally:
        store.close()


WRITER = """
import json, os, sys
from crossinnov.config import Settings
from crossinnov.stores import open_store

synced = open(sys.argv[2], "a")
real_fsync = os.fsync

def fsync(fd):
    # what a power cut keeps of this file: what it held when the sync began
    path, size = os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd).st_size
    real_fsync(fd)
    synced.write(json.dumps([path, size]) + "\\n")
    synced.flush()

os.fsync = fsync
store = open_store(Settings(store=sys.argv[1]))
for n in range(int(sys.argv[3])):
    store.update(%r.format(n=n))
    if sys.argv[4] == "sync":
        store.sync()
    print(n, flush=True)  # acknowledged
sys.stdin.read()  # killed here
"""


def power_cut(folder: Path, synced_file: Path, before: dict[str, int]) -> None:
    """Cut each log file back to what a sync (or the store before the writer) made sure
    of; a log file neither synced nor there before is lost whole."""
    synced: dict[str, int] = dict(before)
    for line in synced_file.read_text().splitlines():
        path, size = json.loads(line)
        if Path(path).parent == folder and path.endswith(".log"):
            synced[Path(path).name] = max(size, synced.get(Path(path).name, 0))
    for wal in folder.glob(embedded.WAL_FILES):
        if wal.name in synced:
            os.truncate(wal, synced[wal.name])
        else:
            wal.unlink()


def write_then_cut(tmp_path: Path, mode: str, writes: int = 12) -> tuple[int, set[int]]:
    folder = tmp_path / "store"
    store = open_store(Settings(store=str(folder)))
    store.update(insert(999))
    store.close()  # flushed: the writer starts from files on disk
    before = wal_sizes(folder)
    synced = tmp_path / "synced.jsonl"
    template = insert(0).replace("{", "{{").replace("}", "}}")
    template = template.replace("g0>", "g{n}>").replace("s0>", "s{n}>").replace(
        '"000000', '"{n:06d}')
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER % template, str(folder), str(synced), str(writes),
         mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    acknowledged = [writer.stdout.readline() for _ in range(writes)]
    assert all(acknowledged), "the writer ended early"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(30)
    writer.stdin.close()
    writer.stdout.close()
    power_cut(folder, synced, before)
    store = open_store(Settings(store=str(folder)), read_only=True)
    found = {int(row["g"].value.rsplit("g", 1)[1]) for row in store.select(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}")}
    return writes, found - {999}


def test_every_write_acknowledged_after_sync_survives_a_power_cut(tmp_path):
    writes, found = write_then_cut(tmp_path, "sync")
    assert found == set(range(writes))


def test_without_sync_the_power_cut_of_these_tests_loses_writes(tmp_path):
    """The model above can fail: the same writes acknowledged without a sync are lost."""
    writes, found = write_then_cut(tmp_path, "none")
    assert found != set(range(writes))


def test_the_memory_tables_are_written_once_writes_pause(tmp_path, monkeypatch):
    """After synced writes, the log is turned into the store's files once writes pause, so
    that it stays short (a restart, or a query worker reading the disk, replays it)."""
    monkeypatch.setattr(embedded, "TIDY_DELAY", 0.3)
    folder = tmp_path / "store"
    store = open_store(Settings(store=str(folder)))
    try:
        for n in range(20):
            store.update(insert(n))
            store.sync()
        assert sum(wal_sizes(folder).values()) > 20 * 500
        deadline = time.monotonic() + 30
        while store._tidy.runs == 0 and time.monotonic() < deadline:  # noqa: SLF001
            time.sleep(0.05)
        assert store._tidy.runs == 1  # noqa: SLF001 - one run for the burst
        logs = wal_sizes(folder)
        assert logs[max(logs)] < 500  # the log now written to is a fresh one
    finally:
        store.close()
    assert len(open_store(Settings(store=str(folder)), read_only=True)) == 20


def test_once_paused_runs_after_a_burst_not_during_it():
    runs: list[float] = []
    once = OncePaused(lambda: runs.append(time.monotonic()), delay=1.0, longest=60.0,
                      name="test-once-paused")
    try:
        for _ in range(20):  # 1 s of pokes, 0.05 s apart
            once.poke()
            time.sleep(0.05)
        assert runs == []
        ended = time.monotonic()
        deadline = ended + 30
        while not runs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(runs) == 1 and runs[0] >= ended
    finally:
        once.close()


def test_once_paused_runs_at_the_latest_after_longest_even_under_endless_pokes():
    ran = threading.Event()
    once = OncePaused(ran.set, delay=60.0, longest=0.3, name="test-once-paused")
    try:
        deadline = time.monotonic() + 30
        while not ran.is_set() and time.monotonic() < deadline:
            once.poke()
            time.sleep(0.02)
        assert ran.is_set()
    finally:
        once.close()
    once.poke()  # closed: nothing runs, nothing hangs
