"""The numbers of the cluster report, read back from the analysis graph with SPARQL.

The report shows what researchers find with SPARQL: every figure comes from
the stored analysis graph; the network is read only to name things and to draw.
The result is plain JSON data (the ``.json`` variant of the report).

An organisation deleted since the run is left out of every list at once (the
queries keep only organisations that still exist); the numbers of the run
(cluster sizes, counts, shares) stay those of the run until the next one, as
``run.counts_note`` says.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from crossinnov.analysis.brokerage import ROLES
from crossinnov.analysis.clusters import SCORE_EXPLANATION
from crossinnov.analysis.network import Network
from crossinnov.queries import QUERIES
from crossinnov.store import Store

MEMBERS_LISTED = 60
COUNTS_NOTE = ("Sizes, counts and shares are those of the analysis run; an organisation "
               "deleted since is left out of the lists at once, and out of the numbers at the "
               "next run.")


def _num(row: dict, key: str) -> float | None:
    return float(row[key].value) if key in row else None


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def load_report(store: Store, net: Network) -> dict[str, Any] | None:
    """Return the report's data, or None when the store holds no analysis yet."""
    graph = store.iris.analysis_graph
    runs = store.select(QUERIES["report_run"], analysis=graph)
    if not runs:
        return None
    run = runs[0]
    params = sorted(r["parameter"].value for r in store.select(QUERIES["report_parameters"],
                                                               analysis=graph))

    def org(iri: str) -> dict[str, Any]:
        o = net.organisations.get(iri)
        return {"iri": iri, "id": _slug(iri), "name": o.name if o else _slug(iri),
                "city": net.label(o.city) if o and o.city else None,
                "side": o.side if o else None}

    scores = {}
    for r in store.select(QUERIES["report_scores"], analysis=graph):
        scores[r["org"].value] = {
            "betweenness": _num(r, "betweenness"), "weighted_degree": _num(r, "degree"),
            "constraint": _num(r, "constraint"), "effective_size": _num(r, "effective"),
            "cross_sector": int(r["crossSector"].value), "cross_city": int(r["crossCity"].value),
            "cluster": r["cluster"].value if "cluster" in r else None,
            "roles": {"sector": dict.fromkeys(ROLES, 0), "city": dict.fromkeys(ROLES, 0)}}
    for r in store.select(QUERIES["report_roles"], analysis=graph):
        if r["org"].value in scores:
            name = r["property"].value.rsplit("#", 1)[1]  # e.g. sectorLiaison
            grouping = "sector" if name.startswith("sector") else "city"
            role = name[len(grouping):].lower()
            scores[r["org"].value]["roles"][grouping][role] = int(r["count"].value)

    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in store.select(QUERIES["report_cluster_links"], analysis=graph):
        links[r["cluster"].value][r["link"].value.rsplit("#", 1)[1]].append(r["value"].value)

    clusters = []
    for r in store.select(QUERIES["report_clusters"], analysis=graph):
        iri = r["cluster"].value
        lk = links[iri]
        members = sorted((m for m in lk["hasMember"] if m in net.organisations), key=lambda m: (
            -(scores.get(m, {}).get("weighted_degree") or 0), m))
        clusters.append({
            "iri": iri, "id": _slug(iri), "label": r["label"].value,
            "size": int(r["size"].value), "density": _num(r, "density"),
            "creative_share": _num(r, "creative"), "growth_share": _num(r, "growth"),
            "cross_sector_share": _num(r, "crossSector"), "cross_city_share": _num(r, "crossCity"),
            "dominant_city": ({"iri": r["city"].value, "label": net.label(r["city"].value)}
                              if "city" in r else None),
            "cities": _count_labels(net, [net.organisations[m].city for m in members
                                          if m in net.organisations]),
            "central": [org(m) for m in sorted((c for c in lk["centralMember"] if c in members),
                                               key=members.index)],
            "members": [org(m) for m in members[:MEMBERS_LISTED]],
            "more_members": max(0, len(members) - MEMBERS_LISTED),
            "sectors": [{"iri": s, "label": net.label(s)} for s in sorted(lk["mainSector"])],
            "themes": [{"iri": t, "label": net.label(t)} for t in sorted(lk["mainTheme"])],
            "practices": [practice(net, p) for p in sorted(
                lk["clusterPractice"], key=lambda p: net.label(p).lower())],
        })

    def brokers(key: str, limit: int = 10) -> list[dict[str, Any]]:
        ranked = sorted((i for i, s in scores.items() if s[key] > 0),
                        key=lambda i: (-scores[i][key], -(scores[i]["betweenness"] or 0), i))
        return [{**org(i), "count": scores[i][key], **{k: scores[i][k] for k in (
            "betweenness", "constraint", "effective_size")}, "roles": scores[i]["roles"]}
            for i in ranked[:limit]]

    central = sorted(scores, key=lambda i: (-(scores[i]["betweenness"] or 0), i))[:10]
    cities = [{"iri": r["city"].value, "id": _slug(r["city"].value),
               "label": net.label(r["city"].value), "score": _num(r, "score"),
               "cross_sector_share": _num(r, "crossSector"),
               "cross_city_share": _num(r, "crossCity"), "bridging_share": _num(r, "bridging"),
               "organisations": sum(1 for o in net.organisations.values()
                                    if o.city == r["city"].value)}
              for r in store.select(QUERIES["report_cities"], analysis=graph)]
    data = {
        "run": {"iri": run["run"].value, "started": run["started"].value,
                "ended": run["ended"].value, "modularity": _num(run, "modularity"),
                "organisations": int(run["nodes"].value), "ties": int(run["edges"].value),
                "software": run["software"].value,
                "input_modified": run["inputModified"].value if "inputModified" in run else None,
                "cross_sector_share": _num(run, "crossSector"),
                "cross_city_share": _num(run, "crossCity"),
                "parameters": dict(p.split("=", 1) for p in params),
                "counts_note": COUNTS_NOTE},
        "score_explanation": SCORE_EXPLANATION,
        "cities": cities,
        "clusters": clusters,
        "unconnected": [org(i) for i in sorted(i for i, s in scores.items()
                                               if s["cluster"] is None)],
        "brokers": {"cross_sector": brokers("cross_sector"), "cross_city": brokers("cross_city"),
                    "betweenness": [{**org(i), "betweenness": scores[i]["betweenness"]}
                                    for i in central]},
    }
    data["themes"] = themes(net, data, scores)
    return data


def practice(net: Network, iri: str) -> dict[str, Any]:
    p = net.practices.get(iri)
    return {"iri": iri, "id": _slug(iri), "name": net.label(iri),
            "city": net.label(p.city) if p and p.city else None,
            "theme": net.label(p.theme) if p and p.theme else None}


def _count_labels(net: Network, iris: list[str | None]) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for i in iris:
        if i:
            counts[i] += 1
    return [{"iri": i, "label": net.label(i), "members": n}
            for i, n in sorted(counts.items(), key=lambda x: (-x[1], net.label(x[0])))]


def themes(net: Network, data: dict[str, Any], scores: dict) -> list[dict[str, Any]]:
    """One section per sub-theme: its practices, their cities, the clusters and brokers."""
    out = []
    theme_iris = sorted((c.iri for c in net.concepts.values() if "/id/theme/" in c.iri),
                        key=lambda i: net.label(i))
    for theme in theme_iris:
        practices = [practice(net, p.iri) for p in sorted(net.practices.values(),
                                                          key=lambda p: p.name.lower())
                     if p.theme == theme]
        piris = {p["iri"] for p in practices}
        clusters = [{"iri": c["iri"], "id": c["id"], "label": c["label"]}
                    for c in data["clusters"]
                    if theme in {t["iri"] for t in c["themes"]}
                    or piris & {p["iri"] for p in c["practices"]}]
        members = [i for i, o in net.organisations.items() if theme in o.themes]
        brokers = sorted((i for i in members if i in scores and scores[i]["cross_sector"] > 0),
                         key=lambda i: (-scores[i]["cross_sector"], i))[:5]
        out.append({
            "iri": theme, "id": _slug(theme), "label": net.label(theme),
            "practices": practices,
            "cities": sorted({p["city"] for p in practices if p["city"]}),
            "clusters": clusters, "organisations": len(members),
            "brokers": [{"iri": i, "id": _slug(i), "name": net.label(i),
                         "count": scores[i]["cross_sector"]} for i in brokers],
        })
    return out
