"""The cluster report tells a policy officer the truth about the real (shipped) data.

Every fact the report states is checked against the shipped data, computed here
independently: from the source CSV files (``data/sources/``) or with SPARQL over
the loaded graph, never with the analysis code under test.
"""

from __future__ import annotations

import csv
import html
import json
import re
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from crossinnov.config import Settings

BASE = "https://w3id.org/crossinnov/"
CI = "https://w3id.org/crossinnov/ontology#"
SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology" / "crossinnov.ttl"
PREFIXES = f"""PREFIX ci: <{CI}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/> """
KIND_ORDER = ("mutual", "one-sided", "operator-partner", "co-partners", "event")


@pytest.fixture(scope="module")
def analysed(make_app):
    """An app over the shipped data with its analysis stored; its client, report and page."""
    app = make_app()
    app.extensions["crossinnov"].analysis.run_now()
    client = app.test_client()
    data = client.get("/reports/clusters.json").json
    page = client.get("/reports/clusters").get_data(as_text=True)
    return client, data, page


def sparql(client, query: str) -> list[dict[str, str]]:
    r = client.get("/sparql", query_string={"query": PREFIXES + query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [{k: v["value"] for k, v in row.items()} for row in r.json["results"]["bindings"]]


def text_of(page: str) -> str:
    """The page's text: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def rows(name: str) -> list[dict[str, str]]:
    with open(SOURCES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


# --- ties as the sources and the graph have them, computed here ----------------------------------

def source_ties(client) -> dict[str, set[tuple[str, str]]]:
    """The pairs of organisations (IRIs) tied in each way.

    Practices and events from the source CSV files; stated collaborations from the
    organisations' own graphs (SPARQL), mutual when both directions are stated there.
    """
    org = lambda slug: BASE + "id/organisation/" + slug  # noqa: E731
    by_name = {r["name"]: r["id"] for r in rows("organisations.csv")}
    by_name |= {r["alias"]: r["organisation"] for r in rows("organisation_aliases.csv")}
    ties: dict[str, set[tuple[str, str]]] = {k: set() for k in KIND_ORDER}
    for r in rows("good_practices.csv"):
        operator = org(by_name[r["operator"]])
        partners = sorted(org(by_name[n.strip()]) for n in r["partners"].split(";")
                          if n.strip() in by_name)
        ties["operator-partner"] |= {pair(operator, p) for p in partners if p != operator}
        ties["co-partners"] |= {pair(a, b) for a, b in combinations(partners, 2)}
    for r in rows("events.csv"):
        people = sorted(org(p.strip()) for p in r["participants"].split(";") if p.strip())
        ties["event"] |= {pair(a, b) for a, b in combinations(people, 2)}
    stated = {(r["a"], r["b"]) for r in sparql(client, f"""
        SELECT ?a ?b WHERE {{ GRAPH ?g {{ ?a ci:collaboratesWith ?b }}
          FILTER(STRSTARTS(STR(?g), "{BASE}graph/organisation/")) }}""")}
    for a, b in stated:
        ties["mutual" if (b, a) in stated else "one-sided"].add(pair(a, b))
    return ties


def strongest(ties: dict[str, set[tuple[str, str]]]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for kind in reversed(KIND_ORDER):  # stronger kinds overwrite weaker ones
        out.update(dict.fromkeys(ties[kind], kind))
    return out


def sides(client) -> dict[str, str]:
    """Each organisation's sector side: creative, growth or both (by the sector scheme)."""
    tops: dict[str, set[str]] = {}
    for r in sparql(client, """SELECT ?org ?top WHERE {
            ?org a ci:Organisation ; ci:inSector ?s . ?s skos:broader* ?top .
            ?top skos:topConceptOf ?scheme }"""):
        tops.setdefault(r["org"], set()).add(r["top"].rsplit("/", 1)[1])
    names = {"creative-industries": "creative", "other-growth-sectors": "growth"}
    return {o: "both" if len(t) > 1 else names[next(iter(t))] for o, t in tops.items()}


# --- the facts ---------------------------------------------------------------------------------

def test_ties_by_kind_are_counted_as_in_the_sources(analysed):
    client, data, page = analysed
    ties = source_ties(client)
    kinds = strongest(ties)
    reported = {k["id"]: k for k in data["headline"]["by_kind"]}
    assert data["headline"]["ties"] == len(kinds)
    for kind in KIND_ORDER:
        assert reported[kind]["ties"] == sum(1 for k in kinds.values() if k == kind), kind
        assert reported[kind]["ties_of_kind"] == len(ties[kind]), kind
    # a tie derived from a practice or inferred (the closure graph) is never counted as a
    # stated one: stated ties are only those the organisations' own graphs hold
    stated = len(ties["mutual"]) + len(ties["one-sided"])
    assert reported["mutual"]["ties_of_kind"] + reported["one-sided"]["ties_of_kind"] == stated
    # every kind appears, by name, in the page's table of kinds
    text = text_of(page)
    for kind in data["kinds"]:
        assert kind["label"] in text


def test_the_strict_creative_growth_share_is_computed_from_the_data(analysed):
    client, data, page = analysed
    side = sides(client)
    pairs = set(strongest(source_ties(client)))
    known = [(a, b) for a, b in pairs if a in side and b in side]
    crossing = [(a, b) for a, b in known if {side[a], side[b]} == {"creative", "growth"}]
    headline = data["headline"]["cross_sector"]
    assert (headline["count"], headline["base"]) == (len(crossing), len(known))
    # the page says the number with its base and its definition in words
    text = text_of(page)
    share = f"{100 * len(crossing) / len(known):.0f} %"
    assert f"{share} of ties join the creative industries with other growth sectors: " \
           f"{len(crossing)} of {len(known)}" in text
    assert "creative industries only with one of other growth sectors only" in text
    # not the loose definition, where a tie of an organisation in both sides would cross
    loose = sum(1 for a, b in known if side[a] != side[b])
    assert loose > len(crossing)


def test_the_cross_city_ties_say_what_forms_them(analysed):
    client, data, page = analysed
    city = {r["org"]: r["city"] for r in sparql(client, """
        SELECT ?org ?city WHERE { ?org a ci:Organisation ; ci:basedIn ?city }""")}
    kinds = strongest(source_ties(client))
    across = {p: k for p, k in kinds.items() if p[0] in city and p[1] in city
              and city[p[0]] != city[p[1]]}
    headline = data["headline"]["cross_city"]
    assert headline["count"] == len(across)
    by_kind = {k["id"]: k["cross_city"]["count"] for k in data["headline"]["by_kind"]}
    for kind in KIND_ORDER:
        assert by_kind[kind] == sum(1 for k in across.values() if k == kind)
    if across and set(across.values()) == {"event"}:
        assert "none is a stated collaboration or a shared good practice" in text_of(page)
    # the events section lists the events with the ties between cities they form
    events = {e["iri"]: e for e in data["events"]["entries"]}
    assert sum(e["cross_city"]["count"] for e in events.values()) >= len(across)


def test_every_good_practice_is_in_the_report(analysed):
    client, data, page = analysed
    practices = {r["p"]: r for r in sparql(client, """
        SELECT ?p ?name (SAMPLE(?t) AS ?theme) WHERE { ?p a ci:GoodPractice ; schema:name ?name
          OPTIONAL { ?p ci:addressesTheme ?t } } GROUP BY ?p ?name""")}
    entries = {p["iri"]: p for p in data["practices"]["entries"]}
    assert set(entries) == set(practices) and data["practices"]["total"] == len(practices)
    text = text_of(page)
    for iri, p in practices.items():
        assert p["name"] in text, p["name"]
        assert f'id="practice-{iri.rsplit("/", 1)[1]}"' in page
        assert bool(entries[iri]["themes"]) == ("theme" in p)
    unrecorded = sum(1 for p in practices.values() if "theme" not in p)
    if unrecorded:
        assert "sub-theme not recorded" in text
        by_theme = {g["label"]: g for g in data["practices"]["by_theme"]}
        assert by_theme["sub-theme not recorded"]["practices"] == unrecorded
    # practices whose operator has no tie are there too, saying so
    lonely = [e for e in entries.values() if not e["ties"]]
    assert all(e["operators"] for e in lonely)
    # the facts of each practice as the sources give them
    source = {r["id"]: r for r in rows("good_practices.csv")}
    for iri, e in entries.items():
        row = source.get(iri.rsplit("/", 1)[1])
        if row:
            assert e["types"] == [row["type"]]
            assert e["start"] == (row["start_year"] or None)
            assert len(e["partners"]) + len(e["unidentified"]) == len(
                [n for n in row["partners"].split(";") if n.strip()])


def test_no_city_below_the_minimum_is_ranked(analysed):
    client, data, page = analysed
    minimum = data["run"]["minimum"]
    assert minimum == {"organisations": Settings().rank_min_organisations,
                       "ties": Settings().rank_min_ties}
    counts = {r["city"]: int(r["n"]) for r in sparql(client, """
        SELECT ?city (COUNT(DISTINCT ?org) AS ?n) WHERE { ?org a ci:Organisation ;
          ci:basedIn ?city } GROUP BY ?city""")}
    ranked = [c for c in data["cities"] if c["score"] is not None]
    rest = [c for c in data["cities"] if c["score"] is None]
    assert data["cities"] == ranked + rest  # ranked ones first, highest first
    assert [c["score"] for c in ranked] == sorted((c["score"] for c in ranked), reverse=True)
    for c in data["cities"]:
        assert c["organisations"] == counts.get(c["iri"], 0)
        enough = c["organisations"] >= minimum["organisations"] and c["ties"] >= minimum["ties"]
        assert c["enough"] is enough and (c["score"] is not None) is enough, c["label"]
    assert rest, "the shipped data has cities with too few organisations"
    # on the page: a city without enough data has no score and no shares, never a 0.0
    for c in rest:
        row = re.search(rf'<tr class="not-enough"><td><a href="[^"]*/city/{c["id"]}">.*?</tr>',
                        page, re.DOTALL)
        assert row, c["label"]
        cells = text_of(row.group(0))
        assert "not enough data" in cells and "0.0" not in cells and " %" not in cells
    # and no share about a city is stored for it in the analysis graph either
    stored = {r["city"] for r in sparql(client, """SELECT DISTINCT ?city WHERE {
        ?city a ci:City ; ci:crossInnovationScore ?s }""")}
    assert stored == {c["iri"] for c in ranked}


def test_clusters_are_named_for_what_they_are_with_the_reason(analysed):
    client, data, page = analysed
    practices = {r["p"]: (r["name"], set(r["members"].split(" "))) for r in sparql(client, """
        SELECT ?p ?name (GROUP_CONCAT(STR(?o); separator=" ") AS ?members) WHERE {
          ?p a ci:GoodPractice ; schema:name ?name .
          { ?p ci:operatedBy ?o } UNION { ?p ci:hasPartner ?o } } GROUP BY ?p ?name""")}
    members = {}
    for r in sparql(client, "SELECT ?c ?m WHERE { ?c a ci:Cluster ; ci:hasMember ?m }"):
        members.setdefault(r["c"], set()).add(r["m"])
    text = text_of(page)
    for c in data["clusters"]:
        assert c["reason"] and c["reason"] in text
        mine = members[c["iri"]]
        if c["source"] and c["source"]["kind"] == "practice":
            name, people = practices[c["source"]["iri"]]
            assert c["label"].startswith(name)
            assert 2 * len(people & mine) >= len(mine)  # at least half its members
        for sector in c["main_sectors"]:  # never a sector few members have
            values = " ".join(f"<{m}>" for m in mine)
            held = sparql(client, f"""SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{
                VALUES ?m {{ {values} }} ?m ci:inSector <{sector["iri"]}> }}""")
            assert 2 * int(held[0]["n"]) >= len(mine)
    # the shipped Stockholm cluster is Telefonplan's, not "construction and real estate & crafts"
    stockholm = next((c for c in data["clusters"]
                      if any(m["iri"].endswith("/konstfack") for m in c["members"])), None)
    if stockholm:
        assert "Telefonplan" in stockholm["label"]
        assert "construction" not in stockholm["label"]


def test_brokers_say_which_ties_they_use(analysed):
    client, data, page = analysed
    brokers = data["brokers"]
    assert brokers["kinds"] == ["mutual", "one-sided", "operator-partner"]
    text = text_of(page)
    assert f"These measures use these kinds of tie: {brokers['kinds_text']}" in text
    assert "CROSSINNOV_BROKERAGE_EVENTS" in page
    # counting events too, the Berlin Senate department links partners in different cities
    with_events = {b["id"]: b for b in brokers["cross_city_with_events"]}
    senate = with_events.get("senate-department-economics-berlin")
    assert senate and senate["count"] > senate["cross_city"]
    assert all(b["betweenness"] > 0 for b in brokers["betweenness"])


def test_the_coverage_box_is_computed_from_the_data(analysed):
    client, data, page = analysed
    cities = sparql(client, """SELECT ?city (COUNT(DISTINCT ?o) AS ?n) WHERE {
        ?project ci:partnerCity ?city OPTIONAL { ?o a ci:Organisation ; ci:basedIn ?city } }
        GROUP BY ?city""")
    held = {r["city"]: int(r["n"]) for r in cities}
    shown = {c["iri"]: c for c in data["coverage"]["cities"]}
    assert {k: c["organisations"] for k, c in shown.items()} == held
    assert all(c["expected_organisations"] == 10 for c in shown.values())
    text = text_of(page)
    assert "What this can and cannot tell you" in text
    assert f"The graph holds {sum(held.values())} organisations in the project's " \
           f"{len(held)} partner cities" in text
    no_theme = sparql(client, """SELECT (COUNT(?p) AS ?n) WHERE { ?p a ci:GoodPractice
        FILTER NOT EXISTS { ?p ci:addressesTheme ?t } }""")[0]["n"]
    assert f"{no_theme} of the {data['practices']['total']} good practices have no recorded " \
           "sub-theme" in text


def test_every_measure_is_explained_in_plain_words(analysed):
    _, data, page = analysed
    text = text_of(page)
    for key in ("modularity", "density", "betweenness", "constraint", "coordinator",
                "itinerant", "gatekeeper", "representative", "liaison"):
        m = data["measures"][key]
        assert m["text"] in text and 40 <= len(m["text"]) <= 400, key


def test_the_page_is_one_of_the_site_and_needs_no_inline_code(analysed):
    client, _, page = analysed
    assert '<header class="site">' in page and '<nav aria-label="Site"' in page
    assert "/static/report.css" in page and "/static/report.js" in page
    assert "<style" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r'\sstyle="', page)
    response = client.get("/reports/clusters")
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    for name in ("report.css", "report.js"):
        with client.get(f"/static/{name}") as asset:
            assert asset.status_code == 200


def test_a_cluster_page_shows_its_own_figure_and_facts(analysed):
    client, data, _ = analysed
    cluster = max(data["clusters"], key=lambda c: c["ties"])
    page = client.get(f"/id/cluster/{cluster['id']}", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    figure = f"/reports/clusters/figures/cluster-{cluster['id']}.svg"
    assert figure in text and cluster["reason"] in html.unescape(text)
    svg = client.get(figure)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert f"{cluster['cross_sector']['count']} of {cluster['cross_sector']['base']}" in text
    for kind in cluster["by_kind"]:
        if kind["ties"]:
            assert kind["label"] in text


def test_the_static_report_is_the_same_report(analysed, runner, tmp_path, new_store_location,
                                             shipped_quads):
    from crossinnov.cli import main
    from crossinnov.stores import open_store

    _, data, _ = analysed
    store = new_store_location()
    with open_store(Settings(store=store)) as s:
        s.add_quads(shipped_quads)
    assert runner.invoke(main, ["analyse", "--store", store]).exit_code == 0
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "--store", store, "-o", str(out)])
    assert result.exit_code == 0, result.output
    static = json.loads((out / "report.json").read_text())
    for key in ("headline", "cities", "practices", "coverage", "brokers"):
        assert static[key] == data[key], key
    assert [c["label"] for c in static["clusters"]] == [c["label"] for c in data["clusters"]]
    page = (out / "index.html").read_text()
    # its own copy of the site's look, and links that work from the folder
    for name in ("style.css", "report.css", "report.js"):
        assert (out / "static" / name).is_file() and f'"static/{name}"' in page
    for src in re.findall(r'<img src="([^"]+)"', page):
        assert (out / src).is_file(), src
    assert '<header class="site">' in page and "<style" not in page


def test_the_analysis_graph_uses_terms_the_ontology_defines(analysed):
    """Every ci: term in the analysis graph is defined in the ontology."""
    client, _, _ = analysed
    used = {r["p"] for r in sparql(client, f"""SELECT DISTINCT ?p WHERE {{
        GRAPH <{BASE}graph/analysis> {{ {{ ?s ?p ?o }} UNION {{ ?s a ?p }} UNION
        {{ ?s ?q ?p FILTER(isIRI(?p)) }} }} }}""") if r["p"].startswith(CI)}
    graph = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    defined = {str(s)[len(CI):] for s in graph.subjects() if str(s).startswith(CI)}
    unknown = {u[len(CI):] for u in used} - defined
    assert not unknown, f"ci: terms not in the ontology: {sorted(unknown)}"


def test_the_report_reads_stored_numbers_not_the_network(loaded_store, monkeypatch):
    """At any size the web process reads the report from the analysis graph: building the
    network is left to the analysis (and to the small network's figure)."""
    import crossinnov.analysis.network as network
    from crossinnov.analysis import analyse
    from crossinnov.report import build_report, figures

    settings = Settings()
    analyse(loaded_store, settings)

    def refuse(*args, **kwargs):
        raise AssertionError("the report built the network")

    monkeypatch.setattr(network, "build_network", refuse)
    monkeypatch.setattr(figures, "NODE_LIMIT", 10)  # as if the network were large
    report = build_report(loaded_store, settings, link=str, figure_base="figures/")
    for name in report.figures.names():
        svg = report.figures.get(name)
        assert svg and svg.startswith("<?xml"), name
    assert report.data["headline"]["ties"] > 0


def test_a_larger_generated_network_keeps_lists_bounded(store, monkeypatch):
    """Past the listed number of practices, the comparisons still count them all."""
    import io

    from crossinnov.analysis import analyse
    from crossinnov.generate import Plan, generate
    from crossinnov.report import data as report_data
    from crossinnov.report import figures
    from crossinnov.report import practices as report_practices

    out = io.BytesIO()
    generate(Plan(400, 5), store.iris, out)
    store.add_quads(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
    settings = Settings()
    analyse(store, settings)
    monkeypatch.setattr(report_practices, "PRACTICES_LISTED", 5)
    data = report_data.load_report(store, settings)
    practices = data["practices"]
    assert practices["listed"] == 5 < practices["total"]
    assert sum(g["practices"] for g in practices["by_city"]) >= practices["total"]
    assert data["run"]["organisations"] > figures.NODE_LIMIT
    ranked = [c for c in data["cities"] if c["enough"]]
    assert ranked and all(c["score"] is not None for c in ranked)


def test_an_unanalysed_store_is_reported_from_a_copy_checked_once(loaded_store, monkeypatch):
    """With no analysis stored, the report analyses a copy in memory; the memory is checked
    on the store before the copy is made, and not again on the copy (the copy's own memory
    would then count against it)."""
    import crossinnov.analysis as analysis
    from crossinnov.report import report_data

    checked = []
    real = analysis.check_memory
    monkeypatch.setattr(analysis, "check_memory",
                        lambda store, settings: checked.append(store) or real(store, settings))
    data, read_from = report_data(loaded_store, Settings())
    assert data["in_memory"] is True and read_from is not loaded_store
    assert checked == [loaded_store]
    assert data["headline"]["ties"] > 0


@pytest.mark.embedded_only(reason="only the embedded store has query workers and a disk store")
def test_the_report_page_reads_the_disk_store_not_the_query_workers(make_app, monkeypatch):
    """The report's reads cross much of the store: through a forked query worker they copy
    the replica's pages into it (0.7-1 GB at 100 000 organisations), so the served store
    gives them its disk store (``Store.scans``) and the workers stay shared."""
    app = make_app()
    crossinnov = app.extensions["crossinnov"]
    crossinnov.analysis.run_now()
    store = crossinnov.store
    assert store.scans() is store.disk
    counts = {"workers": 0, "disk": 0}
    pool_query, disk_query = store.pool.query, store.disk.query

    def through_workers(*args, **kwargs):
        counts["workers"] += 1
        return pool_query(*args, **kwargs)

    def on_disk(*args, **kwargs):
        counts["disk"] += 1
        return disk_query(*args, **kwargs)

    monkeypatch.setattr(store.pool, "query", through_workers)
    monkeypatch.setattr(store.disk, "query", on_disk)
    response = app.test_client().get("/reports/clusters")
    assert response.status_code == 200
    assert "cluster" in response.get_data(as_text=True).lower()
    assert counts["disk"] >= 10  # the report's lists
    assert counts["workers"] <= 2  # which run is the latest: one small read
