"""Pieces the report's sections share: shares with their bases, counts by kind, names."""

from __future__ import annotations

from typing import Any

from crossinnov.analysis.kinds import KINDS
from crossinnov.report import read
from crossinnov.stores.base import Store


def slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def ratio(count: int | None, base: int | None) -> dict[str, Any]:
    """A share with what it rests on: ``{"count", "base", "share"}`` (share None: no base)."""
    count, base = count or 0, base or 0
    return {"count": count, "base": base, "share": count / base if base else None}


def kind_rows(tally: dict[str, Any] | None, *, compact: bool = False) -> list[dict[str, Any]]:
    """A tally's counts for each kind of tie, in the order of the kinds (strongest first).

    :param compact: leave out the kinds with no tie (for the long lists)
    """
    kinds = (tally or {}).get("kinds", {})
    rows = []
    for kind in KINDS:
        k = kinds.get(kind.term, {})
        if compact and not k.get("tieCount") and not k.get("tiesOfKind"):
            continue
        rows.append({"id": kind.id, "label": kind.label, "short": kind.short,
                     "ties": k.get("tieCount", 0), "ties_of_kind": k.get("tiesOfKind", 0),
                     "cross_sector": ratio(k.get("crossSectorTieCount"),
                                           k.get("sectorKnownTieCount")),
                     "cross_city": ratio(k.get("crossCityTieCount"), k.get("cityKnownTieCount"))})
    return rows


def summary(tally: dict[str, Any] | None) -> dict[str, Any]:
    """The overall counts of a tally: organisations, ties and the shares with their bases."""
    a = (tally or {}).get("all", {})
    return {
        "organisations": a.get("organisationCount", 0), "tied": a.get("tiedOrganisationCount", 0),
        "ties": a.get("tieCount", 0),
        "sides": {"creative": a.get("creativeOrganisationCount", 0),
                  "growth": a.get("growthOrganisationCount", 0),
                  "both": a.get("bothSidesOrganisationCount", 0)},
        "cross_sector": ratio(a.get("crossSectorTieCount"), a.get("sectorKnownTieCount")),
        "cross_city": ratio(a.get("crossCityTieCount"), a.get("cityKnownTieCount")),
        "bridging": ratio(a.get("bridgingOrganisationCount"),
                          a.get("sideKnownOrganisationCount")),
        "enough": a.get("enoughData"),
        "by_kind": kind_rows(tally),
    }


class Namer:
    """Names for IRIs: concepts from the schemes, everything else read in one go."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.concepts = read.concepts(store)
        self.names: dict[str, str] = {}

    def fetch(self, iris) -> None:
        missing = {i for i in iris if i and i not in self.names and i not in self.concepts}
        if missing:
            self.names.update(read.names(self.store, missing))

    def __call__(self, iri: str | None) -> str | None:
        if iri is None:
            return None
        if iri in self.concepts:
            return self.concepts[iri]["label"]
        return self.names.get(iri) or slug(iri)

    def ref(self, iri: str) -> dict[str, str]:
        return {"iri": iri, "id": slug(iri), "name": self(iri) or slug(iri)}
