"""Analysis results as linked data: one named graph, replaced whole by every run.

The graph holds the run (a ``ci:AnalysisRun``, a PROV activity with its
parameters, times, software and the data's modification time), the clusters
(``ci:Cluster`` with members, label, the reason for the label, and metrics),
every organisation's scores, every city's cross-innovation score (only for a
city with enough data), and the counts behind every figure: ``ci:Tally`` nodes
(``{base}analysis/tally/...``) for the network, each cluster, city, good
practice and event, overall and for each kind of tie (``ci:tieKind``), with the
bases of their shares. The report reads nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from crossinnov.analysis.brokerage import GROUPINGS, ROLES, WITH_EVENTS_LIMIT, top_brokers
from crossinnov.analysis.kinds import BY_KEY, KINDS
from crossinnov.analysis.result import AnalysisResult
from crossinnov.analysis.tallies import KindCount, Tally
from crossinnov.ingest import Unit
from crossinnov.iris import check_slug, slugify
from crossinnov.namespaces import CI, PROV, RDF, RDFS, XSD
from crossinnov.stores.base import Store
from crossinnov.writes.changes import Change, datetime_literal, replace_big_graph, replace_units

#: above this many triples the analysis graph is written by difference (see replace_big_graph)
BIG_GRAPH_MIN = 50_000

# The graph is written as N-Triples text, term by term, exactly as Oxigraph writes it (so a
# line read back from the store equals the line written: the graph is replaced by the
# difference of the two sets of lines), without an RDF term object per value.

#: how Oxigraph's N-Triples writer escapes a character of a literal
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r",
                 0x22: '\\"', 0x5C: "\\\\"})
_DECIMAL = f"^^<{XSD.decimal.value}>"
_INTEGER = f"^^<{XSD.integer.value}>"
_BOOLEAN = f"^^<{XSD.boolean.value}>"


def quoted(text: str) -> str:
    """A string in N-Triples quotes, escaped as Oxigraph escapes it."""
    return '"' + text.translate(_ESCAPES) + '"'


def iri(value: str) -> str:
    """An IRI in N-Triples (the IRIs written here are the store's own or minted: valid)."""
    return f"<{value}>"


def _text(text: str) -> str:
    return quoted(text)


def _english(text: str) -> str:
    return quoted(text) + "@en"


def decimal_text(value: float) -> str:
    """Six decimals, written the way Oxigraph stores them ("6", "0.5"), so that a value
    read back equals the value computed again (the graph is written by difference)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _decimal(value: float) -> str:
    return f'"{decimal_text(value)}"{_DECIMAL}'


def _integer(value: int) -> str:
    return f'"{int(value)}"{_INTEGER}'


def _boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"{_BOOLEAN}'


def _datetime(moment) -> str:
    return str(datetime_literal(moment))


def _part(iri: str) -> str:
    """An IRI's last segment as a slug (for the IRIs of tally nodes)."""
    last = iri.rstrip("/").rsplit("/", 1)[-1]
    try:
        return check_slug(last)
    except ValueError:
        return slugify(last)[:90] or "x"


class _Terms:
    """The vocabulary's terms as N-Triples (``T.betweenness`` for ``ci:betweenness``)."""

    def __init__(self, **namespaces) -> None:
        self._namespaces = namespaces

    def __getattr__(self, name: str) -> str:
        prefix, _, local = name.partition("_")
        value = str(getattr(self._namespaces[prefix], local))
        setattr(self, name, value)
        return value


T = _Terms(ci=CI, rdf=RDF, rdfs=RDFS, prov=PROV)


class Lines(list):
    """N-Triples lines (without their line ends)."""

    def add(self, s: str, p: str, o: str | None) -> None:
        if o is not None:
            self.append(f"{s} {p} {o} .")


def _node(store: Store, *parts: str) -> str:
    return iri(store.iris.analysis_node(*parts).value)


def tally_lines(store: Store, about: str, parts: tuple[str, ...], tally: Tally,
                out: Lines, *, pairs: bool = False) -> None:
    """The ``ci:Tally`` node of a thing (and one per kind of tie), as N-Triples lines.

    :param parts: the node's path below ``analysis/tally/``
    :param pairs: a practice's or an event's (the pairs of its organisations): only the
        organisations and ties with their bases, and a node for each kind it has ties of
        (there are many practices and events: this keeps the graph small)
    """
    node, of = _node(store, "tally", *parts), iri(about)
    add = out.add
    add(node, T.rdf_type, T.ci_Tally)
    add(node, T.ci_tallyOf, of)
    add(node, T.ci_organisationCount, _integer(tally.organisations))
    _counts(node, tally.all, out)
    if not pairs:
        add(node, T.ci_tiedOrganisationCount, _integer(tally.tied))
        add(node, T.ci_creativeOrganisationCount, _integer(tally.sides["creative"]))
        add(node, T.ci_growthOrganisationCount, _integer(tally.sides["growth"]))
        add(node, T.ci_bothSidesOrganisationCount, _integer(tally.sides["both"]))
        add(node, T.ci_sideKnownOrganisationCount, _integer(tally.side_known))
        add(node, T.ci_bridgingOrganisationCount, _integer(tally.bridging))
    if tally.enough is not None:
        add(node, T.ci_enoughData, _boolean(tally.enough))
    for kind in KINDS:
        count, having = tally.by_kind[kind.key], tally.with_kind[kind.key]
        if pairs and not count.ties:
            continue
        sub = _node(store, "tally", *parts, kind.id)
        add(sub, T.rdf_type, T.ci_Tally)
        add(sub, T.ci_tallyOf, of)
        add(sub, T.ci_tieKind, getattr(T, "ci_" + kind.term))
        if pairs:
            add(sub, T.ci_tieCount, _integer(count.ties))
            add(sub, T.ci_crossCityTieCount, _integer(count.cross_city))
        else:
            add(sub, T.ci_tiesOfKind, _integer(having))
            _counts(sub, count, out)


def _counts(node: str, count: KindCount, out: Lines) -> None:
    out.add(node, T.ci_tieCount, _integer(count.ties))
    out.add(node, T.ci_crossSectorTieCount, _integer(count.cross_sector))
    out.add(node, T.ci_sectorKnownTieCount, _integer(count.sector_known))
    out.add(node, T.ci_crossCityTieCount, _integer(count.cross_city))
    out.add(node, T.ci_cityKnownTieCount, _integer(count.city_known))


def tally_triples(store: Store, about: str, parts: tuple[str, ...], tally: Tally, *,
                  pairs: bool = False) -> list[ox.Triple]:
    """The ``ci:Tally`` node of a thing (see :func:`tally_lines`), as triples."""
    out = Lines()
    tally_lines(store, about, parts, tally, out, pairs=pairs)
    return parse_lines(out)


def result_lines(store: Store, result: AnalysisResult) -> Lines:
    """Return the analysis graph for a result, as N-Triples lines."""
    t = Lines()
    add = t.add

    run = iri(result.run)
    add(run, T.rdf_type, T.ci_AnalysisRun)
    add(run, T.rdf_type, T.prov_Activity)
    add(run, T.rdfs_label, _english(
        f"Collaboration-network analysis of {result.started:%Y-%m-%d %H:%M} UTC"))
    add(run, T.prov_startedAtTime, _datetime(result.started))
    add(run, T.prov_endedAtTime, _datetime(result.ended))
    add(run, T.prov_used, str(store.iris.dataset))
    if result.input_modified:
        add(run, T.ci_inputModified, _datetime(result.input_modified))
    add(run, T.ci_softwareVersion, _text(result.software))
    for name, value in result.parameters.items():
        add(run, T.ci_parameter, _text(f"{name}={value}"))
    add(run, T.ci_modularity, _decimal(result.modularity))
    add(run, T.ci_nodeCount, _integer(result.nodes))
    add(run, T.ci_edgeCount, _integer(result.edges))
    if result.cross_sector_share is not None:
        add(run, T.ci_crossSectorShare, _decimal(result.cross_sector_share))
    if result.cross_city_share is not None:
        add(run, T.ci_crossCityShare, _decimal(result.cross_city_share))
    for key in result.brokerage_kinds:
        add(run, T.ci_brokerageTieKind, getattr(T, "ci_" + BY_KEY[key].term))
    add(run, T.ci_minimumOrganisations, _integer(result.min_organisations))
    add(run, T.ci_minimumTies, _integer(result.min_ties))
    if result.tally is not None:
        tally_lines(store, result.run, ("network",), result.tally, t)

    for cluster in result.clusters:
        c = iri(cluster.iri)
        add(c, T.rdf_type, T.ci_Cluster)
        add(c, T.rdf_type, T.prov_Entity)
        add(c, T.rdfs_label, _english(cluster.label))
        add(c, T.ci_labelReason, _english(cluster.label_reason))
        if cluster.label_source:
            add(c, T.ci_labelSource, iri(cluster.label_source))
        add(c, T.prov_wasGeneratedBy, run)
        add(c, T.ci_clusterSize, _integer(cluster.size))
        add(c, T.ci_density, _decimal(cluster.density))
        add(c, T.ci_creativeShare, _decimal(cluster.creative_share))
        add(c, T.ci_growthShare, _decimal(cluster.growth_share))
        enough = cluster.tally is None or cluster.tally.enough
        # shares only with enough data behind them (the tally keeps the counts either way)
        if cluster.cross_sector_share is not None and enough:
            add(c, T.ci_crossSectorShare, _decimal(cluster.cross_sector_share))
        if cluster.cross_city_share is not None and enough:
            add(c, T.ci_crossCityShare, _decimal(cluster.cross_city_share))
        if cluster.dominant_city:
            add(c, T.ci_dominantCity, iri(cluster.dominant_city))
        for sector in cluster.main_sectors:
            add(c, T.ci_mainSector, iri(sector))
        if cluster.main_theme:
            add(c, T.ci_mainTheme, iri(cluster.main_theme))
        for event, _ in cluster.events[:5]:
            add(c, T.ci_clusterEvent, iri(event))
        slug = _part(cluster.iri)
        if cluster.tally is not None:
            tally_lines(store, cluster.iri, ("cluster", slug), cluster.tally, t)
        for kind, counts in (("city", cluster.cities[:3]), ("sector", cluster.sectors[:3])):
            for value, n in counts:
                node = _node(store, "tally", "cluster", slug, kind, _part(value))
                add(node, T.rdf_type, T.ci_Tally)
                add(node, T.ci_tallyOf, c)
                add(node, T.ci_restrictedTo, iri(value))
                add(node, T.ci_organisationCount, _integer(n))
        member = T.ci_hasMember  # ci:inCluster, its inverse, is left to queries
        t.extend([f"{c} {member} <{m}> ." for m in cluster.members])
        for m in cluster.central:
            add(c, T.ci_centralMember, iri(m))
        for practice in cluster.practices:
            add(c, T.ci_clusterPractice, iri(practice))

    # role counts for the strongest brokers only: for every organisation they would be
    # most of the graph (8 of 10 counts are non-zero), and a big graph is slow to replace
    detail = int(result.parameters.get("role_detail", len(result.brokers)))
    ranked = sorted(result.brokers.values(),
                    key=lambda b: (-(b.cross_sector + b.cross_city), b.iri))
    with_roles = {b.iri for b in ranked[:detail]}
    roles = {(g, r): getattr(T, "ci_" + g + r.capitalize()) for g in GROUPINGS for r in ROLES}
    betweenness, degree = T.ci_betweenness, T.ci_weightedDegree
    constraint, effective = T.ci_constraint, T.ci_effectiveSize
    sector, city = T.ci_crossSectorBrokerage, T.ci_crossCityBrokerage
    append = t.append
    for broker in result.brokers.values():
        org = f"<{broker.iri}>"
        append(f"{org} {betweenness} {_decimal(broker.betweenness)} .")
        append(f"{org} {degree} {_decimal(broker.weighted_degree)} .")
        if broker.constraint is not None:
            append(f"{org} {constraint} {_decimal(broker.constraint)} .")
        if broker.effective_size is not None:
            append(f"{org} {effective} {_decimal(broker.effective_size)} .")
        append(f"{org} {sector} {_integer(broker.cross_sector)} .")
        append(f"{org} {city} {_integer(broker.cross_city)} .")
        for grouping in GROUPINGS if broker.iri in with_roles else ():
            for role in ROLES:
                n = broker.roles[grouping][role]
                if n:
                    append(f"{org} {roles[grouping, role]} {_integer(n)} .")
    for key, prop in (("cross_sector_with_events", T.ci_crossSectorBrokerageWithEvents),
                      ("cross_city_with_events", T.ci_crossCityBrokerageWithEvents)):
        for broker in top_brokers(result.brokers, key, WITH_EVENTS_LIMIT):
            add(iri(broker.iri), prop, _integer(getattr(broker, key)))

    for score in result.cities:
        city_node = iri(score.city)
        tally = score.tally
        tally_lines(store, score.city, ("city", _part(score.city)), tally, t)
        if score.score is None:  # not enough data: no score, no shares (the tally has counts)
            continue
        add(city_node, T.ci_crossInnovationScore, _decimal(score.score))
        for prop, part, base in ((T.ci_crossSectorShare, tally.all.cross_sector,
                                  tally.all.sector_known),
                                 (T.ci_crossCityShare, tally.all.cross_city,
                                  tally.all.city_known),
                                 (T.ci_bridgingShare, tally.bridging, tally.side_known)):
            if base:
                add(city_node, prop, _decimal(part / base))
    for things, kind in ((result.practices, "practice"), (result.events, "event")):
        for thing, tally in things.items():
            tally_lines(store, thing, (kind, _part(thing)), tally, t, pairs=True)
    return t


def parse_lines(lines: list[str]) -> list[ox.Triple]:
    """N-Triples lines as triples."""
    data = "\n".join(lines).encode("utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def result_triples(store: Store, result: AnalysisResult) -> list[ox.Triple]:
    """Return the analysis graph's triples for a result."""
    return parse_lines(result_lines(store, result))


def write_result(store: Store, result: AnalysisResult,
                 proceed: Callable[[], bool] | None = None) -> None:
    """Replace the analysis graph with a result, in one transaction, and log the run.

    ``proceed``: for a big graph written in steps, asked before each step (see
    :func:`~crossinnov.writes.changes.replace_big_graph`)."""
    graph = store.iris.analysis_graph
    lines = result_lines(store, result)
    change = Change("analysis", store.iris.agent("analysis"),
                    label=f"network analysis ({len(result.clusters)} clusters)")
    if len(lines) > BIG_GRAPH_MIN:
        replace_big_graph(store, graph, lines, change, proceed=proceed)
    else:
        replace_units(store, [Unit(graph, parse_lines(lines))], change)
    store.flush()
