"""Read the report's numbers and lists from the store with SPARQL (never the whole network).

Each function runs one or two named queries (``crossinnov/sparql/queries/report_*.rq``)
and returns plain Python values. Lists are bounded (``LIMIT``, ``VALUES`` of the
items shown), so the cost does not grow with the number of organisations beyond
what the stored aggregates hold; the analysis run stores those aggregates
(``ci:Tally`` nodes, see :mod:`crossinnov.analysis.rdf`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from crossinnov.sparql.queries import QUERIES, number, term, values
from crossinnov.stores.base import Store

CHUNK = 500
NAME_RANK = ("https://schema.org/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
             "http://www.w3.org/2000/01/rdf-schema#label")
CI = "https://w3id.org/crossinnov/ontology#"


def local(iri: str) -> str:
    """The local name of a ci: term (``tieCount``), or the last segment of an IRI."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def _chunks(items: Iterable[str]) -> Iterable[list[ox.NamedNode]]:
    unique = sorted(set(items))
    for start in range(0, len(unique), CHUNK):
        yield [ox.NamedNode(i) for i in unique[start:start + CHUNK]]


def _value(term_: ox.Literal) -> Any:
    text = term_.value
    kind = term_.datatype.value.rsplit("#", 1)[-1] if term_.datatype else ""
    if kind == "boolean":
        return text == "true"
    if kind in ("integer", "int", "long", "nonNegativeInteger"):
        return int(text)
    if kind in ("decimal", "double", "float"):
        return float(text)
    return text


def run(store: Store) -> dict | None:
    rows = store.select(QUERIES["report_run"], analysis=store.iris.analysis_graph)
    return rows[0] if rows else None


def parameters(store: Store) -> dict[str, str]:
    rows = store.select(QUERIES["report_parameters"], analysis=store.iris.analysis_graph)
    return dict(sorted(r["parameter"].value.split("=", 1) for r in rows
                       if "=" in r["parameter"].value))


def brokerage_kinds(store: Store) -> list[str]:
    """Local names of the ``ci:TieKind`` individuals brokerage was measured on."""
    return [local(r["kind"].value) for r in store.select(
        QUERIES["report_brokerage_kinds"], analysis=store.iris.analysis_graph)]


def _tallies(rows) -> dict[str, dict[str, Any]]:
    """Rows of tally counts -> about -> {"all": counts, "kinds": {kind: counts},
    "restricted": {iri: counts}}."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        about = out.setdefault(r["about"].value, {"all": {}, "kinds": {}, "restricted": {}})
        if "kind" in r:
            target = about["kinds"].setdefault(local(r["kind"].value), {})
        elif "restricted" in r:
            target = about["restricted"].setdefault(r["restricted"].value, {})
        else:
            target = about["all"]
        target[local(r["property"].value)] = _value(r["value"])
    return out


def tallies(store: Store, *path: str) -> dict[str, dict[str, Any]]:
    """The tallies at and below ``analysis/tally/{path}`` (e.g. ``cluster``), by what they are
    about (the first segments, network, cluster, city, practice and event, prefix no other)."""
    prefix = store.iris.analysis_node("tally", *path).value
    query = QUERIES.render("report_tallies", prefix=term(ox.Literal(prefix)))
    return _tallies(store.select(query, analysis=store.iris.analysis_graph))


def tallies_of(store: Store, abouts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The tallies about some things (a cluster, the listed practices and events)."""
    rows = []
    for chunk in _chunks(abouts):
        query = QUERIES.render("report_tallies_of", abouts=values(chunk))
        rows += store.select(query, analysis=store.iris.analysis_graph)
    return _tallies(rows)


def names(store: Store, items: Iterable[str]) -> dict[str, str]:
    """Names of things: schema:name, else an English skos:prefLabel, else rdfs:label."""
    best: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(items):
        query = QUERIES.render("report_names", items=values(chunk))
        for r in store.select(query):
            rank = NAME_RANK.index(r["property"].value)
            key = r["item"].value
            if key not in best or (rank, r["name"].value) < best[key]:
                best[key] = (rank, r["name"].value)
    return {k: v for k, (_, v) in best.items()}


def concepts(store: Store) -> dict[str, dict[str, str]]:
    """Cities, sectors and sub-themes: IRI -> notation, label, broader."""
    out: dict[str, dict[str, str]] = {}
    for r in store.select(QUERIES["analysis_concepts"]):
        c = out.setdefault(r["concept"].value, {"notation": r["notation"].value,
                                                "label": r["label"].value})
        if "broader" in r:
            c["broader"] = r["broader"].value
    return out


def clusters(store: Store) -> list[dict[str, Any]]:
    return store.select(QUERIES["report_clusters"], analysis=store.iris.analysis_graph)


def cluster_links(store: Store) -> dict[str, dict[str, list[str]]]:
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in store.select(QUERIES["report_cluster_links"], analysis=store.iris.analysis_graph):
        links[r["cluster"].value][local(r["link"].value)].append(r["value"].value)
    return links


def cluster_members(store: Store, limit: int) -> dict[str, list[dict[str, str | None]]]:
    """The members (that still exist) of the clusters of at most ``limit`` organisations."""
    query = QUERIES.render("report_cluster_members", limit=number(limit))
    out: dict[str, dict[str, dict[str, str | None]]] = defaultdict(dict)
    for r in store.select(query, analysis=store.iris.analysis_graph):
        out[r["cluster"].value].setdefault(r["org"].value, {
            "iri": r["org"].value, "name": r["name"].value if "name" in r else None,
            "city": r["city"].value if "city" in r else None})
    return {c: list(m.values()) for c, m in out.items()}


def top(store: Store, prop: str, limit: int) -> list[tuple[str, float]]:
    """The organisations with the highest values (above 0) of one of their scores, highest
    first, equal values by IRI; up to three times ``limit`` (the caller keeps those that
    still exist, then ``limit``)."""
    query = QUERIES.render("report_top", limit=number(3 * limit))
    rows = [(r["org"].value, float(r["value"].value)) for r in store.select(
        query, analysis=store.iris.analysis_graph, property=ox.NamedNode(CI + prop))]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def scores(store: Store, orgs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Scores, roles, name, city and cluster of some organisations (those that still exist)."""
    out: dict[str, dict[str, Any]] = {}
    graph = store.iris.analysis_graph

    def num(r, key):
        return _value(r[key]) if key in r else None

    orgs = list(orgs)
    for chunk in _chunks(orgs):
        query = QUERIES.render("report_scores", orgs=values(chunk))
        for r in store.select(query, analysis=graph):
            out[r["org"].value] = {
                "iri": r["org"].value, "name": r["name"].value if "name" in r else None,
                "city": r["city"].value if "city" in r else None,
                "betweenness": num(r, "betweenness"), "weighted_degree": num(r, "degree"),
                "constraint": num(r, "constraint"), "effective_size": num(r, "effective"),
                "cross_sector": num(r, "crossSector"), "cross_city": num(r, "crossCity"),
                "cross_sector_with_events": num(r, "crossSectorEvents"),
                "cross_city_with_events": num(r, "crossCityEvents"),
                "cluster": r["cluster"].value if "cluster" in r else None,
                "roles": {"sector": {}, "city": {}}}
        query = QUERIES.render("report_roles", orgs=values(chunk))
        for r in store.select(query, analysis=graph):
            if r["org"].value in out:
                name = local(r["property"].value)  # e.g. sectorLiaison
                grouping = "sector" if name.startswith("sector") else "city"
                out[r["org"].value]["roles"][grouping][name[len(grouping):].lower()] = \
                    int(r["count"].value)
    return out


def unconnected(store: Store, limit: int) -> list[dict[str, str | None]]:
    query = QUERIES.render("report_unconnected", limit=number(limit))
    return [{"iri": r["org"].value, "name": r["name"].value if "name" in r else None,
             "city": r["city"].value if "city" in r else None}
            for r in store.select(query, analysis=store.iris.analysis_graph)]


def practices(store: Store) -> list[dict[str, Any]]:
    """Every good practice with sub-themes, cities and its tally's counts (one dict each)."""
    out: dict[str, dict[str, Any]] = {}
    for r in store.select(QUERIES["report_practices"], analysis=store.iris.analysis_graph):
        p = out.setdefault(r["practice"].value, {
            "iri": r["practice"].value, "name": r["name"].value if "name" in r else None,
            "themes": set(), "cities": set(), "tally": None})
        if "theme" in r:
            p["themes"].add(r["theme"].value)
        if "city" in r:
            p["cities"].add(r["city"].value)
        if "ties" in r:
            p["tally"] = {k: int(r[k].value) for k in (
                "organisations", "ties", "crossSector", "sectorKnown", "crossCity", "cityKnown")}
    return sorted(out.values(), key=lambda p: p["iri"])


def practice_facts(store: Store, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Kind of instrument, start, operators and partners of some practices."""
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(iris):
        query = QUERIES.render("report_practice_facts", practices=values(chunk))
        for r in store.select(query):
            p = out.setdefault(r["practice"].value, {"types": set(), "start": None,
                                                     "operators": {}, "partners": {},
                                                     "unidentified": set()})
            if "type" in r:
                p["types"].add(r["type"].value)
            if "start" in r:
                p["start"] = r["start"].value
            if "org" in r:
                p[r["role"].value + "s"][r["org"].value] = (
                    r["orgName"].value if "orgName" in r else None)
            if "text" in r:
                p["unidentified"].add(r["text"].value)
    return out


def events(store: Store, limit: int) -> list[dict[str, Any]]:
    query = QUERIES.render("report_events", limit=number(limit))
    out: dict[str, dict[str, Any]] = {}
    for r in store.select(query, analysis=store.iris.analysis_graph):
        out.setdefault(r["event"].value, {
            "iri": r["event"].value, "name": r["name"].value if "name" in r else None,
            "city": r["city"].value if "city" in r else None,
            "start": r["start"].value if "start" in r else None,
            "end": r["end"].value if "end" in r else None,
            **{k: int(r[k].value) for k in ("organisations", "ties", "crossSector",
                                            "sectorKnown", "crossCity", "cityKnown")}})
    return list(out.values())


def coverage(store: Store) -> dict[str, int]:
    rows = store.select(QUERIES["report_coverage"])
    return {k: int(v.value) for k, v in rows[0].items()} if rows else {}


def coverage_cities(store: Store) -> list[dict[str, Any]]:
    """The project's partner cities with the organisations and practices the graph holds."""
    cities = [r["city"] for r in store.select(QUERIES["report_partner_cities"])]
    if not cities:
        return []
    query = QUERIES.render("report_coverage_cities", cities=values(cities))
    return [{"iri": r["city"].value,
             "organisations": int(r["organisations"].value) if "organisations" in r else 0,
             "practices": int(r["practices"].value) if "practices" in r else 0}
            for r in store.select(query)]
