"""Analysis results as linked data: one named graph, replaced whole by every run.

The graph holds the run (a ``ci:AnalysisRun``, a PROV activity with its
parameters, times, software and the data's modification time), the clusters
(``ci:Cluster`` with members, label and metrics), every organisation's
scores, and every city's cross-innovation score.
"""

from __future__ import annotations

import pyoxigraph as ox

from crossinnov.analysis import AnalysisResult
from crossinnov.analysis.brokerage import GROUPINGS, ROLES
from crossinnov.ingest import Unit
from crossinnov.namespaces import CI, PROV, RDF, RDFS, XSD
from crossinnov.store import Store
from crossinnov.writes import Change, datetime_literal, replace_big_graph, replace_units

#: above this many triples the analysis graph is written by difference (see replace_big_graph)
BIG_GRAPH_MIN = 50_000


def _decimal(value: float) -> ox.Literal:
    """Six decimals, written the way Oxigraph stores them ("6", "0.5"), so that a value
    read back equals the value computed again (the graph is written by difference)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return ox.Literal("0" if text in ("-0", "") else text, datatype=XSD.decimal)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=XSD.integer)


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

    for cluster in result.clusters:
        c = ox.NamedNode(cluster.iri)
        add(c, RDF.type, CI.Cluster)
        add(c, RDF.type, PROV.Entity)
        add(c, RDFS.label, ox.Literal(cluster.label, language="en"))
        add(c, PROV.wasGeneratedBy, run)
        add(c, CI.clusterSize, _integer(cluster.size))
        add(c, CI.density, _decimal(cluster.density))
        add(c, CI.creativeShare, _decimal(cluster.creative_share))
        add(c, CI.growthShare, _decimal(cluster.growth_share))
        if cluster.cross_sector_share is not None:
            add(c, CI.crossSectorShare, _decimal(cluster.cross_sector_share))
        if cluster.cross_city_share is not None:
            add(c, CI.crossCityShare, _decimal(cluster.cross_city_share))
        if cluster.dominant_city:
            add(c, CI.dominantCity, ox.NamedNode(cluster.dominant_city))
        for sector, _ in cluster.sectors[:2]:
            add(c, CI.mainSector, ox.NamedNode(sector))
        if cluster.themes:
            add(c, CI.mainTheme, ox.NamedNode(cluster.themes[0][0]))
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

    for score in result.cities:
        city = ox.NamedNode(score.city)
        if score.score is not None:
            add(city, CI.crossInnovationScore, _decimal(score.score))
        if score.cross_sector_share is not None:
            add(city, CI.crossSectorShare, _decimal(score.cross_sector_share))
        if score.cross_city_share is not None:
            add(city, CI.crossCityShare, _decimal(score.cross_city_share))
        if score.bridging_share is not None:
            add(city, CI.bridgingShare, _decimal(score.bridging_share))
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
    flush = getattr(store, "flush", None)
    if flush is not None:
        flush()
