"""The collaboration network (crossinnov.analysis.network) read from the store: each kind of tie
weighs what the settings say.
"""

from __future__ import annotations

import pytest

from crossinnov.config import Settings

BASE = "https://w3id.org/crossinnov/"


def test_kinds_of_tie_have_their_own_weights(loaded_store):
    """Operator-partner and co-partner ties of a practice, and events, weigh what the
    settings say; stated collaborations come from the organisations' own graphs only."""
    from crossinnov.analysis.network import build_network

    settings = Settings(weight_practice=0.7, weight_practice_copartners=0.2, weight_event=0.1)
    net = build_network(loaded_store, settings)
    org = BASE + "id/organisation/"
    esa, arts, tehnopol = org + "esa-tallinn", org + "estonian-academy-of-arts", org + "tehnopol"
    assert net.graph[esa][arts]["kinds"]["practice"] == pytest.approx(0.7)
    assert net.graph[arts][tehnopol]["kinds"] == {"copartner": pytest.approx(0.2)}
    vilnius, pakmarkas = org + "vilnius-city-municipality", org + "pakmarkas"
    assert net.graph[vilnius][pakmarkas]["kinds"] == {"event": pytest.approx(0.1)}
    # a kind weighted 0 ties nobody
    silent = build_network(loaded_store, Settings(weight_event=0.0))
    assert not silent.graph.has_edge(vilnius, pakmarkas)
