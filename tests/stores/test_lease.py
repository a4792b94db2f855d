"""The analysis lease kept in the store (crossinnov.analysis.lease), on every backend: taken by
one holder at a time, even by takers that come at the same moment; renewed, given back, and
taken over once it has ended (its holder crashed).

Runs on the embedded store and Oxigraph server in every run, and on Virtuoso in a Virtuoso
run: the concurrent takers are what matters on Virtuoso, which commits each operation of an
update request on its own.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import BACKENDS

from crossinnov.analysis.lease import Lease


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_one_holder_at_a_time_then_the_other_after_release(store):
    first, second = Lease(store, 60, holder="first"), Lease(store, 60, holder="second")
    assert first.acquire() is None
    met = second.acquire()
    assert met is not None and met.id == "first"
    assert [h.id for h in second.holders()] == ["first"]
    assert first.renew()
    first.release()
    assert second.holders() == []
    assert second.acquire() is None
    assert [h.id for h in first.holders()] == ["second"]
    second.release()


def test_the_take_adds_nothing_beside_a_live_lease(store):
    """The update's own condition keeps a second holder out (the read-back is for takers at
    the same moment only). Regression: written with FILTER NOT EXISTS, Virtuoso 7.2.5 added
    the second holder all the same (it ignores FILTER NOT EXISTS and MINUS in an update's
    WHERE), so every taker had to give way after reading back."""
    from datetime import timedelta

    import pyoxigraph as ox

    from crossinnov.sparql.queries import QUERIES, term
    from crossinnov.writes.changes import datetime_literal

    first, second = Lease(store, 60, holder="first"), Lease(store, 60, holder="second")
    assert first.acquire() is None
    now = datetime.now(UTC)
    store.update(QUERIES.render(
        "lease_take", graph=term(second.graph), node=term(second.node),
        holder=term(ox.Literal("second")), now=term(datetime_literal(now)),
        until=term(datetime_literal(now + timedelta(seconds=60)))))
    assert [h.id for h in second.holders()] == ["first"]
    first.release()
    store.update(QUERIES.render(
        "lease_take", graph=term(second.graph), node=term(second.node),
        holder=term(ox.Literal("second")), now=term(datetime_literal(now)),
        until=term(datetime_literal(now + timedelta(seconds=60)))))
    assert [h.id for h in second.holders()] == ["second"]


def test_a_lease_left_behind_ends_and_is_taken(store):
    clock = Clock()
    crashed = Lease(store, 5, holder="crashed", clock=clock)
    later = Lease(store, 5, holder="later", clock=clock)
    assert crashed.acquire() is None  # and then never renewed nor given back
    clock.now += timedelta(seconds=4)
    assert later.acquire().id == "crashed"
    clock.now += timedelta(seconds=2)  # past its end
    assert later.acquire() is None
    assert [h.id for h in later.holders()] == ["later"]
    assert not crashed.renew()  # what it left was removed: it holds nothing now
    # the ended lease was removed, not only outlived: one lease node in the graph
    rows = store.select("SELECT DISTINCT ?g ?n WHERE { GRAPH ?g { ?n ?p ?o } }",
                        g=store.iris.lease_graph)
    assert len(rows) == 1


def test_renewal_moves_the_end_on(store):
    clock = Clock()
    lease = Lease(store, 5, holder="runner", clock=clock)
    assert lease.acquire() is None
    clock.now += timedelta(seconds=4)
    assert lease.renew()
    clock.now += timedelta(seconds=4)  # 8 s after taking it: alive only because renewed
    assert [h.id for h in lease.holders()] == ["runner"]
    assert Lease(store, 5, holder="other", clock=clock).acquire().id == "runner"


def take_together(takers: list[Lease]) -> list[str]:
    """Let every taker try at the same moment; return the ids of those that got the lease."""
    barrier = threading.Barrier(len(takers))
    won: list[str] = []
    errors: list[BaseException] = []

    def take(lease: Lease) -> None:
        try:
            barrier.wait()
            if lease.acquire() is None:
                won.append(lease.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(t,)) for t in takers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return won


def test_takers_at_the_same_moment_never_both_hold_it(store):
    """Eight takers at once, ten rounds: never two holders; someone holds it in most rounds."""
    held_rounds = 0
    for round_number in range(10):
        takers = [Lease(store, 60, holder=f"r{round_number}-t{i}") for i in range(8)]
        won = take_together(takers)
        assert len(won) <= 1, won
        live = [h.id for h in takers[0].holders()]
        assert live == won, (live, won)
        held_rounds += len(won)
        for lease in takers:
            lease.release()
    assert held_rounds >= 8
