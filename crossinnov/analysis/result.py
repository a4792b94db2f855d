"""What one analysis run found (written by :mod:`.rdf`, read back by the report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crossinnov.analysis.brokerage import Broker, top_brokers
from crossinnov.analysis.clusters import CityScore, Cluster
from crossinnov.analysis.network import Network
from crossinnov.analysis.tallies import Tally


@dataclass
class AnalysisResult:
    """Everything one run found."""

    run: str
    started: datetime
    ended: datetime
    parameters: dict[str, str]
    software: str
    input_modified: datetime | None
    nodes: int
    edges: int
    modularity: float
    cross_sector_share: float | None
    cross_city_share: float | None
    clusters: list[Cluster]
    unconnected: list[str]
    brokers: dict[str, Broker]
    cities: list[CityScore]
    network: Network = field(repr=False)
    #: the keys of the tie kinds brokerage was measured on
    brokerage_kinds: tuple[str, ...] = ()
    tally: Tally | None = None
    practices: dict[str, Tally] = field(default_factory=dict)
    events: dict[str, Tally] = field(default_factory=dict)
    min_organisations: int = 0
    min_ties: int = 0

    @property
    def membership(self) -> dict[str, str]:
        return {m: c.iri for c in self.clusters for m in c.members}

    def top_brokers(self, key: str, limit: int = 10) -> list[Broker]:
        return top_brokers(self.brokers, key, limit)
