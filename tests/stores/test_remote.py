"""What only an external SPARQL store (crossinnov.stores.remote) does: endpoints, network
failures, answers that break off, reads on a clock.

Always run against real Oxigraph servers (``servers.py``), whatever the run's backend;
what both backends do alike is in ``test_store.py``.
"""

from __future__ import annotations

import pytest
from servers import Servers

from crossinnov.cli import main
from crossinnov.config import Settings
from crossinnov.sparql.answers import QueryRejected, QuerySpec, QueryTimeout
from crossinnov.stores import open_store
from crossinnov.stores.base import StoreError
from crossinnov.stores.remote import RemoteStore, derive_endpoints

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def servers(tmp_path):
    started = Servers(tmp_path)
    yield started
    started.close()


@pytest.fixture
def stopping_server(servers, shipped_quads):
    """A server with the shipped data that stops any query after one second, by itself."""
    server = servers.start("--timeout-s", "1")
    open_store(Settings(store=server.query_url)).add_quads(shipped_quads)
    return server


@pytest.mark.parametrize("query_url,update,gsp,server", [
    ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
     "http://127.0.0.1:7878/store", "oxigraph"),
    ("http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data", None),
    ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data", None),
    ("http://h:7200/repositories/ci", "http://h:7200/repositories/ci/statements",
     "http://h:7200/repositories/ci/rdf-graphs/service", None),
    ("https://h/sparql-endpoint", "https://h/sparql-endpoint", None, None),
    ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud",
     "virtuoso"),
])
def test_endpoints_are_derived_for_well_known_servers(query_url, update, gsp, server):
    assert derive_endpoints(query_url) == (update, gsp, server)


def test_given_endpoints_win():
    store = open_store(Settings(store="http://h:3030/ds/sparql", update_url="http://h/u",
                                gsp_url="http://h/g"))
    assert isinstance(store, RemoteStore)
    assert (store.update_url, store.gsp_url) == ("http://h/u", "http://h/g")


@pytest.mark.parametrize("url", ["http://", "https:///query", "http://:7878/query"])
def test_a_url_without_a_host_is_a_clear_error(url):
    with pytest.raises(StoreError, match="not the URL of a SPARQL query endpoint"):
        open_store(Settings(store=url))


def test_an_unreachable_server_is_one_line_and_changes_nothing(runner, servers):
    server = servers.start()
    url = server.query_url
    server.stop()
    result = runner.invoke(main, ["query", "--store", url, "ASK { ?s ?p ?o }"])
    assert result.exit_code == 1
    assert "cannot reach the SPARQL server" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(StoreError, match="nothing was changed"):
        open_store(Settings(store=url)).update("CLEAR ALL")


def test_an_answer_the_server_breaks_off_is_an_error_not_a_short_answer(stopping_server):
    """Oxigraph server sends 200, part of the answer, then its error (here: its own time limit)."""
    store = open_store(Settings(store=stopping_server.query_url))
    with pytest.raises(StoreError, match="broke off.*cancelled"):
        store.query(RUNAWAY)
    with pytest.raises(QueryRejected, match="broke off.*cancelled"):
        store.answer(QuerySpec(RUNAWAY))
    assert store.ask("ASK { ?s ?p ?o }")  # and the store answers on


def test_reads_stop_at_the_time_limit(stopping_server):
    store = open_store(Settings(store=stopping_server.query_url)).limited(0.3)
    for read in (lambda: store.answer(QuerySpec(RUNAWAY)), lambda: store.query(RUNAWAY)):
        # the runaway never ends by itself, and the server's own limit (1 s) ends it with
        # another error ("broke off"): QueryTimeout says the client's limit stopped it
        with pytest.raises(QueryTimeout, match="time limit"):
            read()
    assert store.ask("ASK { ?s ?p ?o }")


def test_a_syntax_error_names_its_position(stopping_server):
    store = open_store(Settings(store=stopping_server.query_url))
    with pytest.raises(SyntaxError, match=r"2:\d+"):
        store.query("SELECT ?s\nWHERE { ?s ?p }")
    with pytest.raises(QueryRejected, match=r"2:\d+") as caught:
        store.answer(QuerySpec("SELECT ?s\nWHERE { ?s ?p }"))
    assert caught.value.kind == "syntax"


def test_a_refused_update_says_it_changed_nothing(stopping_server):
    store = open_store(Settings(store=stopping_server.query_url))
    before = len(store)
    with pytest.raises(StoreError, match="changed nothing"):
        store.update("CLEAR GRAPH <http://example.org/none> ; INSERT DATA { GRAPH "
                     "<http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }"
                     " ; DROP GRAPH <http://example.org/never-made>")
    assert len(store) == before
