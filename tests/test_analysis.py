"""The network analysis: planted clusters recovered, brokerage roles, partner order, write-back."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from html import unescape

import networkx as nx
import pytest

from crossinnov.analysis import analyse, compute, gather
from crossinnov.analysis.brokerage import gould_fernandez, measure
from crossinnov.analysis.network import Network, Organisation
from crossinnov.analysis.partners import suggest
from crossinnov.cli import main
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
        SELECT ?run ?mod ?started ?ended ?software (COUNT(DISTINCT ?c) AS ?clusters) WHERE {{
          ?run a ci:AnalysisRun ; ci:modularity ?mod ; prov:startedAtTime ?started ;
               prov:endedAtTime ?ended ; ci:softwareVersion ?software .
          ?c prov:wasGeneratedBy ?run ; ci:clusterSize ?size ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
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
    import crossinnov.writes as writes

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


def test_the_stored_analysis_graph_reads_back_as_written(loaded_store):
    """Values are written in the store's own canonical form, so a re-run on the same data
    finds nothing to change but the run itself (the graph is written by difference)."""
    from crossinnov.analysis.rdf import result_triples, write_result

    settings = Settings()
    result = compute(gather(loaded_store, settings), settings)
    write_result(loaded_store, result)
    stored = {q.triple for q in loaded_store.quads(loaded_store.iris.analysis_graph.value)}
    assert stored == set(result_triples(loaded_store, result))


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


# --- brokerage on a hand-made network -----------------------------------------------------

def hand_network() -> Network:
    """A hand-made network whose brokerage answers are worked out below.

          A(creative, berlin)   C(creative, rome)
                    \\          /
                     B(growth, berlin) --- D(growth, rome)
                    /          \\
          E(both, rome)        F(growth, berlin) --- D
    """
    sides = {"A": {"creative-industries"}, "B": {"other-growth-sectors"},
             "C": {"creative-industries"}, "D": {"other-growth-sectors"},
             "E": {"creative-industries", "other-growth-sectors"}, "F": {"other-growth-sectors"}}
    cities = {"A": "berlin", "B": "berlin", "C": "rome", "D": "rome", "E": "rome", "F": "berlin"}
    graph = nx.Graph()
    graph.add_nodes_from("ABCDEF")
    for a, b in [("A", "B"), ("B", "C"), ("B", "D"), ("B", "E"), ("B", "F"), ("D", "F")]:
        graph.add_edge(a, b, weight=1.0, kinds={"collaboration": 1.0})
    orgs = {n: Organisation(n, n.lower(), n, cities[n], set(), sides[n]) for n in graph}
    return Network(graph, orgs, {}, {})


def test_gould_fernandez_roles_by_sector():
    net = hand_network()
    roles = gould_fernandez(net.graph, lambda n: net.organisations[n].side)
    # B (growth) brokers the unconnected pairs among A, C, D, E, F (D-F are tied):
    # A-C creative/creative -> itinerant x2; A-D, C-D, A-F, C-F: one side is growth like B
    # -> representative + gatekeeper each (4 pairs); A-E, C-E: creative/both -> liaison x2 each;
    # D-E, E-F: growth/both, B shares D's/F's group -> representative + gatekeeper (2 pairs)
    assert roles["B"] == {"coordinator": 0, "itinerant": 2, "gatekeeper": 6,
                          "representative": 6, "liaison": 4}
    # D brokers B-F? they are tied; so D brokers nothing; A has one partner
    assert roles["D"] == dict.fromkeys(roles["D"], 0)
    assert roles["A"] == dict.fromkeys(roles["A"], 0)


def test_gould_fernandez_roles_by_city():
    net = hand_network()
    roles = gould_fernandez(net.graph, lambda n: net.organisations[n].city)
    # B in berlin. Pairs not tied: A-C(b,r) A-D(b,r) A-E(b,r) C-E(r,r) C-F(r,b) A-F(b,b)
    # C-D(r,r) D-E(r,r) E-F(r,b)
    # berlin-berlin with B berlin: A-F -> coordinator x2
    # rome-rome: C-E, C-D, D-E -> itinerant x2 each = 6
    # berlin-rome: A-C, A-D, A-E, C-F, E-F -> representative+gatekeeper each = 5
    assert roles["B"] == {"coordinator": 2, "itinerant": 6, "gatekeeper": 5,
                          "representative": 5, "liaison": 0}


def test_betweenness_and_cross_brokerage():
    net = hand_network()
    brokers = measure(net, exact_limit=100, samples=10, seed=1)
    assert max(brokers, key=lambda n: brokers[n].betweenness) == "B"
    assert brokers["A"].betweenness == 0.0
    # cross-sector pairs bridged by B, strictly: one creative only, the other growth only,
    # among untied partner pairs: A-D A-F C-D C-F (E, in both sides, never crosses) = 4
    assert brokers["B"].cross_sector == 4
    assert brokers["B"].cross_sector_with_events == 4  # no event ties here
    # cross-city: A-C A-D A-E C-F E-F = 5
    assert brokers["B"].cross_city == 5
    assert brokers["B"].constraint is not None and brokers["B"].constraint < \
        brokers["D"].constraint


# --- partner suggestions on a small known network --------------------------------------------

def test_partner_suggestions_order_and_reasons():
    sector = {"design": "https://x/id/sector/design", "ict": "https://x/id/sector/ict",
              "energy": "https://x/id/sector/energy-and-environment"}
    theme = "https://x/id/theme/brokerage"
    orgs = {
        "X": Organisation("X", "x", "X", "tallinn", {sector["design"]}, {"creative-industries"},
                          {theme}),
        "Y1": Organisation("Y1", "y1", "Y1", "vilnius", {sector["ict"]}, {"other-growth-sectors"},
                           {theme}),
        "Y2": Organisation("Y2", "y2", "Y2", "tallinn", {sector["energy"]},
                           {"other-growth-sectors"}),
        "Y3": Organisation("Y3", "y3", "Y3", "rome", {sector["design"]}, {"creative-industries"}),
        "Y4": Organisation("Y4", "y4", "Y4", "rome", {sector["ict"]}, {"other-growth-sectors"}),
        "Y5": Organisation("Y5", "y5", "Y5", "tallinn", {sector["design"]},
                           {"creative-industries"}),
    }
    graph = nx.Graph()
    graph.add_nodes_from(sorted(orgs))
    graph.add_edge("X", "Y4", weight=1.0)  # current collaborator: never suggested
    graph.add_edge("Y4", "Y3", weight=1.0)  # Y3 is a partner of a partner
    net = Network(graph, orgs, {}, {})
    out = suggest(net, "X", seeks={sector["ict"]}, settings=Settings(), limit=10)
    order = [s.iri for s in out]
    # default weights: complementary .05, seeks .15, themes .10, proximity .55, same city .15
    # Y3: proximity 1 (resource allocation through Y4, the top candidate) -> .55
    # Y1: complementary 1, seeks 1, themes 1, another city -> .05+.15+.10 = .30
    # Y2: complementary 1, same city -> .20 ; Y5: same side, same city -> .15
    assert order == ["Y3", "Y1", "Y2", "Y5"]
    assert [s.score for s in out] == pytest.approx([0.55, 0.30, 0.20, 0.15])
    assert "1 partner in common: Y4" in out[0].reasons
    assert any("where you seek partners" in r for r in out[1].reasons)
    assert any("brokerage like you" in r for r in out[1].reasons)
    assert any(r.startswith("also in tallinn") for r in out[3].reasons)
    assert "Y4" not in order and "X" not in order


def test_partner_api_and_cli(planted, runner):
    _, client, truth = planted
    r = client.get("/api/organisations/planted-0-00/partners?limit=5")
    assert r.status_code == 200
    suggestions = r.json["suggestions"]
    assert 0 < len(suggestions) <= 5
    current = {b["p"]["value"].rsplit("/", 1)[1] for b in sparql(
        client, f"SELECT ?p WHERE {{ <{BASE}id/organisation/planted-0-00> <{CI}collaboratesWith> ?p }}")}
    assert not current & {s["id"] for s in suggestions}
    assert all(s["reasons"] and 0 < s["score"] <= 1 for s in suggestions)
    assert [s["score"] for s in suggestions] == sorted((s["score"] for s in suggestions),
                                                       reverse=True)
    assert client.get("/api/organisations/nobody-here/partners").status_code == 404
    assert client.get("/api/organisations/planted-0-00/partners?limit=x").status_code == 400


def test_cli_analyse_report_partners(runner, tmp_path, new_store_location):
    store = new_store_location()
    assert runner.invoke(main, ["load", "--store", store]).exit_code == 0
    result = runner.invoke(main, ["analyse", "--store", store])
    assert result.exit_code == 0, result.output
    assert "clusters of 47 organisations" in result.output
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "--store", store, "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    data = json.loads((out / "report.json").read_text())
    assert (out / "figures" / "network.svg").read_text().startswith("<?xml")
    assert len(data["clusters"]) >= 5 and data["cities"]
    text = unescape(html)
    for cluster in data["clusters"]:
        assert cluster["label"] in text and cluster["reason"] in text
    assert "Design Transfer Bonus" in html
    assert (out / "static" / "report.css").is_file() and 'href="static/style.css"' in html
    result = runner.invoke(main, ["partners", "--store", store, "pakmarkas", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)
    result = runner.invoke(main, ["partners", "--store", store, "nobody"])
    assert result.exit_code == 1 and "no organisation" in result.output


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


def test_structural_holes_match_networkx():
    """Our one-pass constraint and effective size equal networkx's (which is far slower)."""
    from crossinnov.analysis.brokerage import structural_holes

    rng = random.Random(1)
    graph = nx.relabel_nodes(nx.gnm_random_graph(60, 200, seed=3), str)
    for a, b in graph.edges():
        graph[a][b]["weight"] = rng.choice([0.25, 0.5, 1.0, 1.5])
    graph.add_node("isolated")
    constraint, effective = structural_holes(graph)
    expected_c = nx.constraint(graph, weight="weight")
    expected_e = nx.effective_size(graph, weight="weight")
    assert "isolated" not in constraint and math.isnan(expected_c["isolated"])
    for node in constraint:
        assert constraint[node] == pytest.approx(expected_c[node])
        assert effective[node] == pytest.approx(expected_e[node])


def brute_force_roles(graph, group):
    """Gould-Fernandez roles by enumerating every brokered pair (the definition, slowly)."""
    out = {}
    for b in graph:
        role = dict.fromkeys(["coordinator", "itinerant", "gatekeeper", "representative",
                              "liaison"], 0)
        partners = sorted(graph[b])
        for i, a in enumerate(partners):
            for c in partners[i + 1:]:
                if graph.has_edge(a, c) or None in (group[a], group[b], group[c]):
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                if ga == gc:
                    role["coordinator" if ga == gb else "itinerant"] += 2
                elif gb in (ga, gc):
                    role["representative"] += 1
                    role["gatekeeper"] += 1
                else:
                    role["liaison"] += 2
        out[b] = role
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counted_roles_equal_the_enumerated_ones(seed):
    from crossinnov.analysis.brokerage import triads

    rng = random.Random(seed)
    graph = nx.relabel_nodes(nx.gnm_random_graph(80, 300, seed=seed), str)
    group = {n: rng.choice(["creative", "growth", "both", None]) for n in graph}
    roles, differ = triads(graph, {"sector": group})
    expected = brute_force_roles(graph, group)
    for node in graph:
        assert roles[node]["sector"] == expected[node], node
        pairs = [(a, c) for a in graph[node] for c in graph[node] if a < c
                 and not graph.has_edge(a, c) and None not in (group[a], group[c])
                 and group[a] != group[c]]
        assert differ[node]["sector"] == len(pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_bridges_are_the_exact_counts_of_the_strongest(seed):
    """The bounded search finds every node whose count is at least the limit-th best, with
    the count the full triad count gives."""
    from crossinnov.analysis.brokerage import top_bridges, triads

    rng = random.Random(seed)
    graph = nx.relabel_nodes(nx.gnm_random_graph(120, 500, seed=seed), str)
    group = {n: rng.choice(["berlin", "rome", "tallinn", None]) for n in graph}
    _, differ = triads(graph, {"city": group})
    full = {n: d["city"] for n, d in differ.items() if d["city"] > 0}
    found = top_bridges({n: set(graph[n]) - {n} for n in graph}, group, 10)
    kth = sorted(full.values(), reverse=True)[9]
    assert {n for n, c in full.items() if c >= kth} <= set(found)
    assert all(full[n] == c for n, c in found.items())


def test_settle_waits_for_a_scheduled_run_and_the_run(loaded_store):
    """A write schedules a run after the debounce; settle() returns once it is written."""
    from crossinnov.analysis.service import AnalysisService

    service = AnalysisService(loaded_store, Settings(analysis_debounce=0.2),
                              separate_process=False)
    try:
        assert service.settle(1)  # nothing going on
        service.schedule()
        assert service.status() == {"running": False, "pending": False}  # not yet started
        assert service.settle(120)
        assert service.status() == {"running": False, "pending": False}
        assert service.last is not None and service.last_error is None
    finally:
        service.close()
