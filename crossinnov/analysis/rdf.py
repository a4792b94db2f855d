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


def _decimal(value: float) -> ox.Literal:
    """Six decimals, written the way Oxigraph stores them ("6", "0.5"), so that a value
    read back equals the value computed again (the graph is written by difference)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return ox.Literal("0" if text in ("-0", "") else text, datatype=XSD.decimal)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=XSD.integer)




def _part(iri: str) -> str:
    """An IRI's last segment as a slug (for the IRIs of tally nodes)."""
    last = iri.rstrip("/").rsplit("/", 1)[-1]
    try:
        return check_slug(last)
    except ValueError:
        return slugify(last)[:90] or "x"


def _boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=XSD.boolean)


def tally_triples(store: Store, about: str, parts: tuple[str, ...], tally: Tally, *,
                  pairs: bool = False) -> list[ox.Triple]:
    """The ``ci:Tally`` node of a thing (and one per kind of tie), as triples.

    :param parts: the node's path below ``analysis/tally/``
    :param pairs: a practice's or an event's (the pairs of its organisations): only the
        organisations and ties with their bases, and a node for each kind it has ties of
        (there are many practices and events: this keeps the graph small)
    """
    iris = store.iris
    node = iris.analysis_node("tally", *parts)
    out = [ox.Triple(node, RDF.type, CI.Tally), ox.Triple(node, CI.tallyOf, ox.NamedNode(about)),
           ox.Triple(node, CI.organisationCount, _integer(tally.organisations))]
    out += _counts(node, tally.all)
    if not pairs:
        out += [ox.Triple(node, CI.tiedOrganisationCount, _integer(tally.tied)),
                ox.Triple(node, CI.creativeOrganisationCount, _integer(tally.sides["creative"])),
                ox.Triple(node, CI.growthOrganisationCount, _integer(tally.sides["growth"])),
                ox.Triple(node, CI.bothSidesOrganisationCount, _integer(tally.sides["both"])),
                ox.Triple(node, CI.sideKnownOrganisationCount, _integer(tally.side_known)),
                ox.Triple(node, CI.bridgingOrganisationCount, _integer(tally.bridging))]
    if tally.enough is not None:
        out.append(ox.Triple(node, CI.enoughData, _boolean(tally.enough)))
    for kind in KINDS:
        count, having = tally.by_kind[kind.key], tally.with_kind[kind.key]
        if pairs and not count.ties:
            continue
        sub = iris.analysis_node("tally", *parts, kind.id)
        out += [ox.Triple(sub, RDF.type, CI.Tally), ox.Triple(sub, CI.tallyOf, ox.NamedNode(about)),
                ox.Triple(sub, CI.tieKind, getattr(CI, kind.term))]
        if pairs:
            out += [ox.Triple(sub, CI.tieCount, _integer(count.ties)),
                    ox.Triple(sub, CI.crossCityTieCount, _integer(count.cross_city))]
        else:
            out.append(ox.Triple(sub, CI.tiesOfKind, _integer(having)))
            out += _counts(sub, count)
    return out


def _counts(node: ox.NamedNode, count: KindCount) -> list[ox.Triple]:
    return [ox.Triple(node, CI.tieCount, _integer(count.ties)),
            ox.Triple(node, CI.crossSectorTieCount, _integer(count.cross_sector)),
            ox.Triple(node, CI.sectorKnownTieCount, _integer(count.sector_known)),
            ox.Triple(node, CI.crossCityTieCount, _integer(count.cross_city)),
            ox.Triple(node, CI.cityKnownTieCount, _integer(count.city_known))]


def result_triples(store: Store, result: AnalysisResult) -> list[ox.Triple]:
    """Return the analysis graph's triples for a result."""
    iris = store.iris
    t: list[ox.Triple] = []

    def add(s, p, o):
        if o is not None:
            t.append(ox.Triple(s, p, o))

    run = ox.NamedNode(result.run)
    add(run, RDF.type, CI.AnalysisRun)
    add(run, RDF.type, PROV.Activity)
    add(run, RDFS.label, ox.Literal(
        f"Collaboration-network analysis of {result.started:%Y-%m-%d %H:%M} UTC", language="en"))
    add(run, PROV.startedAtTime, datetime_literal(result.started))
    add(run, PROV.endedAtTime, datetime_literal(result.ended))
    add(run, PROV.used, iris.dataset)
    if result.input_modified:
        add(run, CI.inputModified, datetime_literal(result.input_modified))
    add(run, CI.softwareVersion, ox.Literal(result.software))
    for name, value in result.parameters.items():
        add(run, CI.parameter, ox.Literal(f"{name}={value}"))
    add(run, CI.modularity, _decimal(result.modularity))
    add(run, CI.nodeCount, _integer(result.nodes))
    add(run, CI.edgeCount, _integer(result.edges))
    if result.cross_sector_share is not None:
        add(run, CI.crossSectorShare, _decimal(result.cross_sector_share))
    if result.cross_city_share is not None:
        add(run, CI.crossCityShare, _decimal(result.cross_city_share))
    for key in result.brokerage_kinds:
        add(run, CI.brokerageTieKind, getattr(CI, BY_KEY[key].term))
    add(run, CI.minimumOrganisations, _integer(result.min_organisations))
    add(run, CI.minimumTies, _integer(result.min_ties))
    if result.tally is not None:
        t += tally_triples(store, result.run, ("network",), result.tally)

    for cluster in result.clusters:
        c = ox.NamedNode(cluster.iri)
        add(c, RDF.type, CI.Cluster)
        add(c, RDF.type, PROV.Entity)
        add(c, RDFS.label, ox.Literal(cluster.label, language="en"))
        add(c, CI.labelReason, ox.Literal(cluster.label_reason, language="en"))
        if cluster.label_source:
            add(c, CI.labelSource, ox.NamedNode(cluster.label_source))
        add(c, PROV.wasGeneratedBy, run)
        add(c, CI.clusterSize, _integer(cluster.size))
        add(c, CI.density, _decimal(cluster.density))
        add(c, CI.creativeShare, _decimal(cluster.creative_share))
        add(c, CI.growthShare, _decimal(cluster.growth_share))
        enough = cluster.tally is None or cluster.tally.enough
        # shares only with enough data behind them (the tally keeps the counts either way)
        if cluster.cross_sector_share is not None and enough:
            add(c, CI.crossSectorShare, _decimal(cluster.cross_sector_share))
        if cluster.cross_city_share is not None and enough:
            add(c, CI.crossCityShare, _decimal(cluster.cross_city_share))
        if cluster.dominant_city:
            add(c, CI.dominantCity, ox.NamedNode(cluster.dominant_city))
        for sector in cluster.main_sectors:
            add(c, CI.mainSector, ox.NamedNode(sector))
        if cluster.main_theme:
            add(c, CI.mainTheme, ox.NamedNode(cluster.main_theme))
        for event, _ in cluster.events[:5]:
            add(c, CI.clusterEvent, ox.NamedNode(event))
        slug = _part(cluster.iri)
        if cluster.tally is not None:
            t += tally_triples(store, cluster.iri, ("cluster", slug), cluster.tally)
        for kind, counts in (("city", cluster.cities[:3]), ("sector", cluster.sectors[:3])):
            for iri, n in counts:
                node = store.iris.analysis_node("tally", "cluster", slug, kind, _part(iri))
                t += [ox.Triple(node, RDF.type, CI.Tally), ox.Triple(node, CI.tallyOf, c),
                      ox.Triple(node, CI.restrictedTo, ox.NamedNode(iri)),
                      ox.Triple(node, CI.organisationCount, _integer(n))]
        for member in cluster.members:  # ci:inCluster, its inverse, is left to queries
            add(c, CI.hasMember, ox.NamedNode(member))
        for member in cluster.central:
            add(c, CI.centralMember, ox.NamedNode(member))
        for practice in cluster.practices:
            add(c, CI.clusterPractice, ox.NamedNode(practice))

    # role counts for the strongest brokers only: for every organisation they would be
    # most of the graph (8 of 10 counts are non-zero), and a big graph is slow to replace
    detail = int(result.parameters.get("role_detail", len(result.brokers)))
    ranked = sorted(result.brokers.values(),
                    key=lambda b: (-(b.cross_sector + b.cross_city), b.iri))
    with_roles = {b.iri for b in ranked[:detail]}
    for broker in result.brokers.values():
        org = ox.NamedNode(broker.iri)
        add(org, CI.betweenness, _decimal(broker.betweenness))
        add(org, CI.weightedDegree, _decimal(broker.weighted_degree))
        if broker.constraint is not None:
            add(org, CI.constraint, _decimal(broker.constraint))
        if broker.effective_size is not None:
            add(org, CI.effectiveSize, _decimal(broker.effective_size))
        add(org, CI.crossSectorBrokerage, _integer(broker.cross_sector))
        add(org, CI.crossCityBrokerage, _integer(broker.cross_city))
        for grouping in GROUPINGS if broker.iri in with_roles else ():
            for role in ROLES:
                n = broker.roles[grouping][role]
                if n:
                    add(org, getattr(CI, grouping + role.capitalize()), _integer(n))
    for key, prop in (("cross_sector_with_events", CI.crossSectorBrokerageWithEvents),
                      ("cross_city_with_events", CI.crossCityBrokerageWithEvents)):
        for broker in top_brokers(result.brokers, key, WITH_EVENTS_LIMIT):
            add(ox.NamedNode(broker.iri), prop, _integer(getattr(broker, key)))

    for score in result.cities:
        city = ox.NamedNode(score.city)
        tally = score.tally
        t += tally_triples(store, score.city, ("city", _part(score.city)), tally)
        if score.score is None:  # not enough data: no score, no shares (the tally has counts)
            continue
        add(city, CI.crossInnovationScore, _decimal(score.score))
        for prop, part, base in ((CI.crossSectorShare, tally.all.cross_sector,
                                  tally.all.sector_known),
                                 (CI.crossCityShare, tally.all.cross_city, tally.all.city_known),
                                 (CI.bridgingShare, tally.bridging, tally.side_known)):
            if base:
                add(city, prop, _decimal(part / base))
    for things, kind in ((result.practices, "practice"), (result.events, "event")):
        for iri, tally in things.items():
            t += tally_triples(store, iri, (kind, _part(iri)), tally, pairs=True)
    return t


def write_result(store: Store, result: AnalysisResult) -> None:
    """Replace the analysis graph with a result, in one transaction, and log the run."""
    unit = Unit(store.iris.analysis_graph, result_triples(store, result))
    change = Change("analysis", store.iris.agent("analysis"),
                    label=f"network analysis ({len(result.clusters)} clusters)")
    if len(unit.triples) > BIG_GRAPH_MIN:
        replace_big_graph(store, unit, change)
    else:
        replace_units(store, [unit], change)
    store.flush()
