"""The network analysis end to end (crossinnov.analysis): planted clusters recovered through the
API, results as linked data, re-runs that keep cluster IRIs and leave nothing stale, the
graph written back as read, and what the analysis finds on the shipped data; the partner
API, the report pages and the organisation and cluster pages that show it.

Brokerage on hand-made networks is in ``test_brokerage.py``; partner scoring in
``test_partners.py``; the network's ties in ``test_network.py``.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter

import pytest

from crossinnov.analysis import analyse, compute, gather
from crossinnov.config import Settings

ADMIN = "analysis-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
BASE = "https://w3id.org/crossinnov/"
CI = BASE.replace("crossinnov/", "crossinnov/ontology#")
CITIES = ["amsterdam", "berlin", "birmingham", "linz", "lisbon", "plzen", "rome", "stockholm",
          "tallinn", "vilnius", "warsaw"]


def nmi(a: list[str], b: list[str]) -> float:
    """Normalised mutual information (arithmetic mean normalisation) of two labelings."""
    n = len(a)
    ca, cb, joint = Counter(a), Counter(b), Counter(zip(a, b, strict=True))
    mi = sum(c / n * math.log((c / n) / ((ca[x] / n) * (cb[y] / n))) for (x, y), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in ca.values())
    hb = -sum(c / n * math.log(c / n) for c in cb.values())
    return 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)


def sparql(client, query: str) -> list[dict]:
    r = client.get("/sparql", query_string={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["results"]["bindings"]


@pytest.fixture(scope="module")
def planted(make_app):
    """Six planted groups of 14 organisations, dense inside and sparse across, via the API."""
    app = make_app(TOKEN=ADMIN)
    client = app.test_client()
    rng = random.Random(3)
    groups = {g: [f"planted-{g}-{i:02d}" for i in range(14)] for g in range(6)}
    truth = {slug: g for g, members in groups.items() for slug in members}
    sectors = ["design", "music", "ict", "manufacturing", "games", "tourism"]
    links: dict[str, set[str]] = {slug: set() for slug in truth}
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if rng.random() < 0.55:
                    links[a].add(b)
    slugs = sorted(truth)
    for _ in range(8):  # sparse ties across groups
        a, b = rng.sample(slugs, 2)
        if truth[a] != truth[b]:
            links[a].add(b)
    # write each organisation before those that name it
    for slug in slugs:
        g = truth[slug]
        earlier = sorted(x for x in links[slug] if x < slug)
        body = {"id": slug, "name": f"Planted {slug}", "city": CITIES[g],
                "sectors": [sectors[g], sectors[(g + 1) % 6]], "collaboratesWith": earlier}
        r = client.post("/api/profiles", json=body, headers=AUTH)
        assert r.status_code == 201, r.json
    later = {s: sorted(x for x in links[s] if x > s) for s in slugs}
    for slug in slugs:
        if later[slug]:
            g = truth[slug]
            body = {"id": slug, "name": f"Planted {slug}", "city": CITIES[g],
                    "sectors": [sectors[g], sectors[(g + 1) % 6]],
                    "collaboratesWith": sorted(links[slug])}
            assert client.put(f"/api/profiles/{slug}", json=body, headers=AUTH).status_code == 200
    r = client.post("/api/analysis", headers=AUTH)
    assert r.status_code == 200 and r.json["status"] == "done", r.json
    return app, client, truth


def found_clusters(client) -> dict[str, str]:
    rows = sparql(client, f"SELECT ?org ?c WHERE {{ ?c a <{CI}Cluster> ; <{CI}hasMember> ?org }}")
    return {r["org"]["value"].rsplit("/", 1)[1]: r["c"]["value"] for r in rows}


def test_planted_partition_is_recovered(planted):
    _, client, truth = planted
    found = found_clusters(client)
    slugs = sorted(truth)
    assert all(s in found for s in slugs)
    score = nmi([str(truth[s]) for s in slugs], [found[s] for s in slugs])
    assert score >= 0.9, score


def test_results_are_linked_data_researchers_can_query(planted):
    _, client, truth = planted
    rows = sparql(client, f"""
        PREFIX ci: <{CI}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?run ?mod ?started ?ended ?software (COUNT(DISTINCT ?c) AS ?clusters) WHERE {{
          ?run a ci:AnalysisRun ; ci:modularity ?mod ; prov:startedAtTime ?started ;
               prov:endedAtTime ?ended ; ci:softwareVersion ?software .
          ?c prov:wasGeneratedBy ?run ; ci:clusterSize ?size ; rdfs:label ?label .
        }} GROUP BY ?run ?mod ?started ?ended ?software""")
    assert len(rows) == 1
    assert float(rows[0]["mod"]["value"]) > 0.3 and int(rows[0]["clusters"]["value"]) >= 6
    assert "networkx" in rows[0]["software"]["value"]
    params = {r["p"]["value"].split("=")[0] for r in sparql(
        client, f"SELECT ?p WHERE {{ ?run <{CI}parameter> ?p }}")}
    assert {"algorithm", "resolution", "seed", "weight_collaboration", "weight_practice",
            "weight_event"} <= params
    scores = sparql(client, f"SELECT ?b WHERE {{ <{BASE}id/organisation/planted-0-00> "
                            f"<{CI}betweenness> ?b }}")
    assert len(scores) == 1
    # the dumps carry the analysis graph
    nq = client.get("/dumps/crossinnov.nq").get_data(as_text=True)
    assert f"<{BASE}graph/analysis>" in nq and f"{CI}hasMember" in nq


def test_rerun_keeps_cluster_iris_and_replaces_the_graph(planted):
    app, client, truth = planted
    before = found_clusters(client)
    r = client.post("/api/analysis", headers=AUTH)
    assert r.status_code == 200
    after = found_clusters(client)
    assert after == before  # same data, same clusters, same IRIs
    runs = sparql(client, f"SELECT ?run WHERE {{ ?run a <{CI}AnalysisRun> }}")
    assert len(runs) == 1  # the old run is gone with the old graph


def test_no_stale_clusters_after_the_network_changes(make_app):
    app = make_app(TOKEN=ADMIN)
    client = app.test_client()
    for slug, partners in [("tri-a", []), ("tri-b", ["tri-a"]), ("tri-c", ["tri-a", "tri-b"])]:
        assert client.post("/api/profiles", headers=AUTH, json={
            "id": slug, "name": slug, "city": "rome", "sectors": ["music"],
            "collaboratesWith": partners}).status_code == 201
    client.post("/api/analysis", headers=AUTH)
    old = found_clusters(client)["tri-a"]
    for slug in ("tri-a", "tri-b", "tri-c"):
        assert client.delete(f"/api/profiles/{slug}", headers=AUTH).status_code == 204
    client.post("/api/analysis", headers=AUTH)
    assert old not in set(found_clusters(client).values())
    r = client.get("/sparql", query_string={"query": f"ASK {{ {{ <{old}> ?p ?o }} UNION "
                                                     f"{{ ?s ?q <{old}> }} }}"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.json["boolean"] is False


@pytest.mark.parametrize("difference", [200_000, 0], ids=["by-difference", "in-steps"])
def test_a_big_analysis_graph_is_replaced_without_a_big_update(make_app, monkeypatch, difference):
    """Past BIG_GRAPH_MIN triples: added as quads, then changed by difference (or in steps).

    Through the served store, so the query workers must receive every change too;
    the second run drops an organisation, so its cluster membership must go.
    """
    import crossinnov.analysis.rdf as analysis_rdf
    import crossinnov.writes.changes as writes

    monkeypatch.setattr(analysis_rdf, "BIG_GRAPH_MIN", 0)
    monkeypatch.setattr(writes, "MAX_DIFFERENCE", difference)
    app = make_app(TOKEN=ADMIN)
    client = app.test_client()
    for slug, partners in [("big-a", []), ("big-b", ["big-a"]), ("big-c", ["big-a", "big-b"])]:
        assert client.post("/api/profiles", headers=AUTH, json={
            "id": slug, "name": slug, "city": "linz", "sectors": ["games"],
            "collaboratesWith": partners}).status_code == 201
    assert client.post("/api/analysis", headers=AUTH).json["status"] == "done"
    first = found_clusters(client)
    assert "big-c" in first, "the workers answer with the added analysis graph"
    assert client.delete("/api/profiles/big-c", headers=AUTH).status_code == 204
    assert client.post("/api/analysis", headers=AUTH).json["status"] == "done"
    second = found_clusters(client)
    assert "big-c" not in second and second["big-a"] == second["big-b"]
    assert {k: v for k, v in first.items() if k != "big-c"}.keys() == second.keys()
    runs = sparql(client, f"SELECT ?run WHERE {{ ?run a <{CI}AnalysisRun> }}")
    assert len(runs) == 1
    store = app.extensions["crossinnov"].store
    on_disk = {q.triple for q in store.quads(f"{BASE}graph/analysis")}
    served = sparql(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/analysis> "
                            "{ ?s ?p ?o } }")
    assert int(served[0]["n"]["value"]) == len(on_disk) > 0
    changes = client.get("/api/changes").json
    assert sum(1 for c in (changes if isinstance(changes, list) else changes["changes"])
               if "analysis" in json.dumps(c)) >= 2


def test_a_big_analysis_graph_is_added_in_transactions_the_run_last(loaded_store, monkeypatch):
    """A graph added whole is added ADD_CHUNK triples per transaction (one transaction of
    millions of quads is held in memory whole), from its last lines to its first: the run's
    own triples, the first lines, are added last, once all its results are there."""
    import crossinnov.analysis.rdf as analysis_rdf
    import crossinnov.writes.changes as writes
    from crossinnov.analysis.rdf import result_lines, write_result

    monkeypatch.setattr(analysis_rdf, "BIG_GRAPH_MIN", 0)
    monkeypatch.setattr(writes, "ADD_CHUNK", 7)
    settings = Settings()
    result = compute(gather(loaded_store, settings), settings)
    added = []

    def add_quads(quads, real=loaded_store.add_quads, **options):
        added.append(list(quads))
        return real(added[-1], **options)

    monkeypatch.setattr(loaded_store, "add_quads", add_quads)
    write_result(loaded_store, result)
    graph = loaded_store.iris.analysis_graph.value
    stored = set(loaded_store.graph_ntriples(graph).decode("utf-8").split("\n")) - {""}
    lines = result_lines(loaded_store, result)
    assert stored == set(lines)
    assert len(added) == math.ceil(len(lines) / 7) and all(len(q) <= 7 for q in added)
    assert sum(map(len, added)) == len(lines)
    is_run = lambda q: q.subject.value == result.run and q.object.value == CI + "AnalysisRun"  # noqa: E731
    assert any(map(is_run, added[-1]))
    assert not any(is_run(q) for chunk in added[:-1] for q in chunk)


def test_the_stored_analysis_graph_reads_back_as_written(loaded_store):
    """Regression: analysis values were written as six-decimal text ("0.500000") that the
    store keeps in its canonical form ("0.5"), so a re-run found every value changed. Values
    are written in the store's own canonical form, so a re-run on the same data finds
    nothing to change but the run itself (the graph is written by difference)."""
    from crossinnov.analysis.rdf import result_triples, write_result

    settings = Settings()
    result = compute(gather(loaded_store, settings), settings)
    write_result(loaded_store, result)
    stored = {q.triple for q in loaded_store.quads(loaded_store.iris.analysis_graph.value)}
    assert stored == set(result_triples(loaded_store, result))


def test_the_analysis_graph_is_written_as_the_store_writes_it(loaded_store, monkeypatch):
    """The graph is compared with what is stored as N-Triples text, line by line: every line
    written must be the very line the store gives back, else a re-run rewrites it. A re-run
    on the same data changes only the run's own triples."""
    import crossinnov.analysis.rdf as analysis_rdf
    from crossinnov.analysis.rdf import result_lines, write_result

    monkeypatch.setattr(analysis_rdf, "BIG_GRAPH_MIN", 0)  # by difference, even this small
    settings = Settings()
    first = compute(gather(loaded_store, settings), settings)
    write_result(loaded_store, first)
    graph = loaded_store.iris.analysis_graph.value
    stored = set(loaded_store.graph_ntriples(graph).decode("utf-8").split("\n")) - {""}
    assert stored == set(result_lines(loaded_store, first))
    updates = []
    monkeypatch.setattr(loaded_store, "update", lambda text, real=loaded_store.update: (
        updates.append(text), real(text))[1])
    second = compute(gather(loaded_store, settings), settings)
    write_result(loaded_store, second)
    blocks = [block for text in updates
              for block in re.findall(r"GRAPH <" + re.escape(graph) + r"> \{\n(.*?)\} \}",
                                      text, re.S)]
    changed = [line for block in blocks for line in block.splitlines() if line]
    assert len(blocks) == 2 and changed  # removed, added
    assert all(first.run in line or second.run in line for line in changed)


@pytest.mark.parametrize("text", [
    "plain", "", 'quote " and backslash \\', "tab\tline\nreturn\rbell\x07\x7f\x00",
    "nel\x85 ls\u2028 ps\u2029 \ufeff \ufffe\uffff é 漢字 🎉", "\b\f\v",
])
def test_literals_are_written_as_pyoxigraph_writes_them(text):
    import pyoxigraph as ox

    from crossinnov.analysis.rdf import quoted

    assert quoted(text) == str(ox.Literal(text))
    everything = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF)
    assert quoted(everything) == str(ox.Literal(everything))


def test_analysis_is_reproducible(loaded_store):
    settings = Settings()
    first = compute(gather(loaded_store, settings), settings)
    second = compute(gather(loaded_store, settings), settings)
    assert [(c.iri, c.members) for c in first.clusters] == \
        [(c.iri, c.members) for c in second.clusters]
    assert first.modularity == second.modularity


def test_shipped_clusters_make_sense(loaded_store):
    result = analyse(loaded_store, Settings())
    tallinn = next(c for c in result.clusters
                   if BASE + "id/organisation/esa-tallinn" in c.members)
    practice = BASE + "id/practice/tallinn-creative-incubator"
    assert practice in tallinn.practices
    # named after the good practice that forms it, with the reason
    assert tallinn.label == "Tallinn Creative Incubator (ESA)"
    assert tallinn.label_source == practice
    assert "partners of the good practice Tallinn Creative Incubator" in tallinn.label_reason
    assert all(c.label and c.label_reason for c in result.clusters)
    assert len({c.label for c in result.clusters}) == len(result.clusters)
    # a sector names a cluster only when at least half its members have it
    for c in result.clusters:
        for sector in c.main_sectors:
            have = sum(sector in result.network.organisations[m].sectors for m in c.members)
            assert 2 * have >= c.size


def test_events_count_for_brokerage_only_when_asked(loaded_store):
    senate = BASE + "id/organisation/senate-department-economics-berlin"
    default = analyse(loaded_store, Settings())
    assert default.brokerage_kinds == ("collaboration", "unconfirmed", "practice")
    assert default.brokers[senate].cross_city == 0
    assert default.brokers[senate].cross_city_with_events > 0
    with_events = analyse(loaded_store, Settings(brokerage_events=True))
    assert "event" in with_events.brokerage_kinds
    assert with_events.brokers[senate].cross_city == default.brokers[senate].cross_city_with_events
    assert with_events.brokers[senate].cross_city_with_events is None
    assert "event" in with_events.parameters["brokerage_ties"]


def test_cities_below_the_minimum_base_get_no_score(loaded_store):
    strict = analyse(loaded_store, Settings())
    scored = {s.city.rsplit("/", 1)[1]: s for s in strict.cities}
    assert scored["birmingham"].score is None and not scored["birmingham"].tally.enough
    assert scored["birmingham"].tally.organisations == 1
    lenient = analyse(loaded_store, Settings(rank_min_organisations=1, rank_min_ties=1))
    assert {s.city.rsplit("/", 1)[1]: s for s in lenient.cities}["birmingham"].score is not None
    # the ranked ones come first, highest score first
    scores = [s.score for s in strict.cities]
    ranked = [x for x in scores if x is not None]
    assert scores[:len(ranked)] == sorted(ranked, reverse=True)




def test_partner_api_and_cli(planted, runner):
    _, client, truth = planted
    r = client.get("/api/organisations/planted-0-00/partners?limit=5")
    assert r.status_code == 200
    suggestions = r.json["suggestions"]
    assert 0 < len(suggestions) <= 5
    current = {b["p"]["value"].rsplit("/", 1)[1] for b in sparql(
        client, f"SELECT ?p WHERE {{ <{BASE}id/organisation/planted-0-00> "
                f"<{CI}collaboratesWith> ?p }}")}
    assert not current & {s["id"] for s in suggestions}
    assert all(s["reasons"] and 0 < s["score"] <= 1 for s in suggestions)
    assert [s["score"] for s in suggestions] == sorted((s["score"] for s in suggestions),
                                                       reverse=True)
    assert client.get("/api/organisations/nobody-here/partners").status_code == 404
    assert client.get("/api/organisations/planted-0-00/partners?limit=x").status_code == 400


def test_report_pages(planted):
    _, client, truth = planted
    html = client.get("/reports/clusters")
    assert html.status_code == 200 and html.mimetype == "text/html"
    data = client.get("/reports/clusters.json").json
    text = html.get_data(as_text=True)
    for cluster in data["clusters"]:
        assert f'id="{cluster["id"]}"' in text
    for practice in data["practices"]["entries"]:
        assert f'id="practice-{practice["id"]}"' in text
    assert data["run"]["parameters"]["seed"] == "42"
    assert client.get("/reports/clusters/figures/network.svg").mimetype == "image/svg+xml"
    assert client.get("/reports/clusters/figures/nope.svg").status_code == 404


def test_organisation_and_cluster_pages_show_the_analysis(planted):
    _, client, truth = planted
    page = client.get("/id/organisation/planted-2-03", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert "Partners to talk to" in text and "/api/organisations/planted-2-03/partners" in text
    api = client.get("/api/organisations/planted-2-03/partners?limit=5").json["suggestions"]
    assert api[0]["name"] in text
    cluster = found_clusters(client)["planted-2-03"]
    assert cluster.replace(BASE, "/") in text
    page = client.get(cluster.replace(BASE, "/"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Planted planted-2-03" in page.get_data(as_text=True)
