"""Group commit (crossinnov.stores.commit.GroupFlush): no writer is released before a flush
that began after its commit; writers that come together share one flush.

The flush here is a fake whose start and end the test controls, with a log of
commits: a flush makes durable what was committed when it began, as RocksDB's does.
Nothing is timed: the tests wait for states, never for durations.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from crossinnov.stores.base import StoreError
from crossinnov.stores.commit import GroupFlush

#: how long a test waits for a thread to reach a state before it fails (never reached
#: when the code is right)
PATIENCE = 30.0


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.001)


class FakeDisk:
    """Commits numbered in order; a flush makes durable every commit made before it began."""

    def __init__(self, *, gated: bool = False) -> None:
        self.lock = threading.Lock()
        self.committed = 0
        self.durable = 0
        self.flushes: list[int] = []  # what each flush covered, in order
        self.running = 0
        self.most_at_once = 0
        self.gated = gated
        self.gates: list[threading.Event] = []
        self.started = threading.Semaphore(0)

    def commit(self) -> int:
        with self.lock:
            self.committed += 1
            return self.committed

    def flush(self) -> None:
        with self.lock:
            covered = self.committed
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            gate = threading.Event()
            self.gates.append(gate)
        self.started.release()
        if self.gated:
            gate.wait(PATIENCE)
        with self.lock:
            self.running -= 1
            self.flushes.append(covered)
            self.durable = max(self.durable, covered)

    def open_gate(self, number: int) -> None:
        """Let flush ``number`` (1, 2, ...) end."""
        wait_until(lambda: len(self.gates) >= number, f"flush {number} began")
        self.gates[number - 1].set()


def start_writer(group: GroupFlush, disk: FakeDisk, done: dict[int, int]) -> threading.Thread:
    """A writer that commits, then syncs; ``done[commit]`` is what was durable at release."""

    def write() -> None:
        mine = disk.commit()
        group.sync()
        with disk.lock:
            done[mine] = disk.durable

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_writer_that_arrives_during_a_flush_waits_for_the_next_one():
    disk = FakeDisk(gated=True)
    group = GroupFlush(disk.flush)
    done: dict[int, int] = {}
    first = start_writer(group, disk, done)
    disk.started.acquire()  # flush 1 is running, covering commit 1 only
    second = start_writer(group, disk, done)  # commits 2 while flush 1 runs
    wait_until(lambda: group.waiting == 1, "the second writer waits")
    disk.open_gate(1)
    first.join(PATIENCE)
    assert done == {1: 1}
    # flush 1 began before commit 2: the second writer is not released by it
    disk.started.acquire()  # flush 2 is running, started by the second writer
    assert 2 not in done and second.is_alive()
    disk.open_gate(2)
    second.join(PATIENCE)
    assert done == {1: 1, 2: 2}
    assert disk.flushes == [1, 2]


def test_writers_that_arrive_together_share_one_flush():
    disk = FakeDisk(gated=True)
    group = GroupFlush(disk.flush)
    done: dict[int, int] = {}
    threads = [start_writer(group, disk, done)]
    disk.started.acquire()  # flush 1 runs for the first writer
    threads += [start_writer(group, disk, done) for _ in range(5)]
    wait_until(lambda: group.waiting == 5, "five writers wait")
    disk.open_gate(1)
    disk.open_gate(2)
    for thread in threads:
        thread.join(PATIENCE)
    assert sorted(done) == [1, 2, 3, 4, 5, 6]
    assert all(durable >= commit for commit, durable in done.items())
    assert disk.flushes == [1, 6]  # six writers, two flushes
    assert group.flushes == 2


def test_a_lone_writer_runs_its_own_flush_each_time():
    disk = FakeDisk()
    group = GroupFlush(disk.flush)
    for expected in range(1, 4):
        disk.commit()
        group.sync()
        assert disk.flushes[-1] == expected
    assert group.flushes == 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_under_load_no_writer_is_released_before_its_commit_is_durable(seed):
    """Many writers committing and syncing at random moments; flushes of random length."""
    rng = random.Random(seed)
    delays = [rng.random() / 1000 for _ in range(400)]
    disk = FakeDisk()

    def slow_flush() -> None:
        time.sleep(delays[len(disk.flushes) % len(delays)])
        disk.flush()

    group = GroupFlush(slow_flush)
    done: dict[int, int] = {}

    def writer(count: int, pause: float) -> None:
        for _ in range(count):
            time.sleep(pause)
            mine = disk.commit()
            group.sync()
            with disk.lock:
                done[mine] = disk.durable

    threads = [threading.Thread(target=writer, args=(25, rng.random() / 2000))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert len(done) == 200
    late = {commit: durable for commit, durable in done.items() if durable < commit}
    assert late == {}, "released before a flush that began after their commit"
    assert disk.most_at_once == 1  # one flush at a time
    assert group.flushes <= 200


def test_a_failed_flush_fails_every_writer_that_waited_for_it():
    disk = FakeDisk(gated=True)
    failing = threading.Event()

    def flush() -> None:
        disk.flush()
        if failing.is_set():
            raise OSError("disk full")

    group = GroupFlush(flush)
    outcomes: dict[str, BaseException | None] = {}

    def write(name: str) -> None:
        disk.commit()
        try:
            group.sync()
            outcomes[name] = None
        except BaseException as exc:  # noqa: BLE001 - the test looks at what it was
            outcomes[name] = exc

    first = threading.Thread(target=write, args=("first",))
    first.start()
    disk.started.acquire()
    waiters = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(3)]
    for thread in waiters:
        thread.start()
    wait_until(lambda: group.waiting == 3, "three writers wait")
    disk.open_gate(1)
    first.join(PATIENCE)
    assert outcomes["first"] is None
    failing.set()  # flush 2, for the three, fails
    disk.open_gate(2)
    for thread in waiters:
        thread.join(PATIENCE)
    errors = [outcomes[f"w{i}"] for i in range(3)]
    assert sum(isinstance(e, OSError) for e in errors) == 1  # the one that ran it
    assert sum(isinstance(e, StoreError) and "disk full" in str(e) for e in errors) == 2
    # the next write flushes again
    failing.clear()
    disk.gated = False
    disk.commit()
    group.sync()
    assert disk.flushes[-1] == disk.committed
