"""The good practices and events of the report: every practice with its facts, compared by
sub-theme and by city, and the events with the ties (between cities above all) they form."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from crossinnov.report import read
from crossinnov.report.common import Namer, kind_rows, ratio, slug
from crossinnov.stores.base import Store

PRACTICES_LISTED = 200
EVENTS_LISTED = 30
NOT_RECORDED = "sub-theme not recorded"


def practices(store: Store, name: Namer, cluster_list: list[dict[str, Any]]) -> dict[str, Any]:
    """Every good practice (the first PRACTICES_LISTED in full), compared by sub-theme and city."""
    every = read.practices(store)
    name.fetch({p["iri"] for p in every} | {c for p in every for c in p["cities"]}
               | {t for p in every for t in p["themes"]})
    for p in every:
        p["name"] = p["name"] or name(p["iri"])
        p["city_labels"] = sorted(name(c) for c in p["cities"])
        p["theme_labels"] = sorted(name(t) for t in p["themes"])
    every.sort(key=lambda p: (p["city_labels"][:1] or ["~"], p["name"].lower()))
    listed = every[:PRACTICES_LISTED]
    facts = read.practice_facts(store, [p["iri"] for p in listed])
    by_kind = read.tallies_of(store, [p["iri"] for p in listed])
    in_clusters: dict[str, list[dict[str, str]]] = defaultdict(list)
    for c in cluster_list:
        for p in c["practices"]:
            in_clusters[p["iri"]].append({"id": c["id"], "iri": c["iri"], "label": c["label"]})
    name.fetch({o for f in facts.values() for role in ("operators", "partners") for o in f[role]})
    items = []
    for p in listed:
        f = facts.get(p["iri"], {"types": set(), "start": None, "operators": {}, "partners": {},
                                 "unidentified": set()})
        t = p["tally"] or {}
        items.append({
            "iri": p["iri"], "id": slug(p["iri"]), "name": p["name"],
            "cities": p["city_labels"], "themes": p["theme_labels"],
            "types": sorted(f["types"]), "start": f["start"][:4] if f["start"] else None,
            "operators": [{"iri": o, "id": slug(o), "name": n or name(o)}
                          for o, n in sorted(f["operators"].items())],
            "partners": [{"iri": o, "id": slug(o), "name": n or name(o)}
                         for o, n in sorted(f["partners"].items(),
                                            key=lambda x: (x[1] or x[0]).lower())],
            "unidentified": sorted(f["unidentified"]),
            "organisations": t.get("organisations", 0), "ties": t.get("ties", 0),
            "cross_sector": ratio(t.get("crossSector"), t.get("sectorKnown")),
            "cross_city": ratio(t.get("crossCity"), t.get("cityKnown")),
            "by_kind": kind_rows(by_kind.get(p["iri"]), compact=True),
            "clusters": in_clusters.get(p["iri"], []),
        })
    return {"total": len(every), "listed": len(items), "entries": items,
            "by_theme": _compare(every, "theme_labels", NOT_RECORDED),
            "by_city": _compare(every, "city_labels", "city not recorded")}


def _compare(every: list[dict[str, Any]], key: str, missing: str) -> list[dict[str, Any]]:
    """Practices grouped by sub-theme or city: how many, with how many ties and crossings."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in every:
        for label in p[key] or [missing]:
            groups[label].append(p)
    out = []
    for label, group in groups.items():
        t = [p["tally"] or {} for p in group]

        def total(key: str, tallies: list[dict[str, int]] = t) -> int:
            return sum(x.get(key, 0) for x in tallies)

        out.append({"label": label, "recorded": label != missing, "practices": len(group),
                    "with_ties": sum(1 for x in t if x.get("ties")),
                    "organisations": total("organisations"), "ties": total("ties"),
                    "cross_sector": ratio(total("crossSector"), total("sectorKnown")),
                    "cross_city": ratio(total("crossCity"), total("cityKnown"))})
    return sorted(out, key=lambda g: (not g["recorded"], -g["practices"], g["label"]))


def events(store: Store, name: Namer) -> dict[str, Any]:
    rows = read.events(store, EVENTS_LISTED)
    name.fetch({e["iri"] for e in rows} | {e["city"] for e in rows})
    by_kind = read.tallies_of(store, [e["iri"] for e in rows])
    items = []
    for e in rows:
        kinds = kind_rows(by_kind.get(e["iri"]), compact=True)
        only = next((k["ties"] for k in kinds if k["id"] == "event"), 0)
        items.append({"iri": e["iri"], "id": slug(e["iri"]), "name": e["name"] or name(e["iri"]),
                      "city": name(e["city"]), "start": e["start"], "end": e["end"],
                      "organisations": e["organisations"], "ties": e["ties"],
                      "only_event": only,
                      "cross_sector": ratio(e["crossSector"], e["sectorKnown"]),
                      "cross_city": ratio(e["crossCity"], e["cityKnown"]), "by_kind": kinds})
    return {"entries": items}
