"""The numbers and lists of the cluster report, read back from the analysis graph with SPARQL.

The report shows what researchers find with SPARQL: every figure comes from the
stored analysis graph (its ``ci:Tally`` nodes hold each figure's base, by kind of
tie) or from a bounded query of the data (names, the facts of the practices
shown). Nothing here builds the network, so the cost stays that of the stored
aggregates however many organisations there are. The result is plain JSON data
(the ``.json`` twin of the report).

An organisation deleted since the run is left out of every list at once (the
queries keep only organisations that still exist); the numbers of the run
(cluster sizes, counts, shares) stay those of the run until the next one, as
``run.counts_note`` says.
"""

from __future__ import annotations

from typing import Any

from crossinnov.analysis.kinds import KINDS
from crossinnov.analysis.tallies import SCORE_EXPLANATION
from crossinnov.config import Settings
from crossinnov.report import read, words
from crossinnov.report.common import Namer, slug, summary
from crossinnov.report.practices import events, practices
from crossinnov.stores.base import Store

MEMBERS_LISTED = 60
BROKERS_LISTED = 10
UNCONNECTED_LISTED = 100
COUNTS_NOTE = ("Sizes, counts and shares are those of the analysis run; an organisation "
               "deleted since is left out of the lists at once, and out of the numbers at the "
               "next run.")


def load_report(store: Store, settings: Settings) -> dict[str, Any] | None:
    """Return the report's data, or None when the store holds no analysis yet."""
    run = read.run(store)
    if run is None:
        return None
    name = Namer(store)
    params = read.parameters(store)
    minimum = {"organisations": int(run["minOrganisations"].value) if "minOrganisations" in run
               else settings.rank_min_organisations,
               "ties": int(run["minTies"].value) if "minTies" in run else settings.rank_min_ties}
    in_brokerage = set(read.brokerage_kinds(store))
    kinds = [{"id": k.id, "label": k.label, "short": k.short, "explanation": k.explanation,
              "weight": params.get(k.setting, str(k.weight(settings))),
              "in_brokerage": k.term in in_brokerage} for k in KINDS]
    network = next(iter(read.tallies(store, "network").values()), None)
    data: dict[str, Any] = {
        "run": {"iri": run["run"].value, "started": run["started"].value,
                "ended": run["ended"].value, "modularity": float(run["modularity"].value),
                "organisations": int(run["nodes"].value), "ties": int(run["edges"].value),
                "software": run["software"].value,
                "input_modified": run["inputModified"].value if "inputModified" in run else None,
                "parameters": params, "counts_note": COUNTS_NOTE, "minimum": minimum},
        "kinds": kinds,
        "score_explanation": SCORE_EXPLANATION,
        "measures": {k: {"name": n, "text": t, "uses": u}
                     for k, (n, t, u) in words.MEASURES.items()},
        "definitions": {"cross_sector": words.CROSS_SECTOR, "cross_city": words.CROSS_CITY,
                        "tie": words.TIE},
    }
    data["headline"] = headline(data, network)
    data["clusters"] = clusters(store, name)
    data["cities"] = cities(store, name, minimum)
    data["brokers"] = brokers(store, name, kinds)
    data["practices"] = practices(store, name, data["clusters"])
    data["events"] = events(store, name)
    unconnected = read.unconnected(store, UNCONNECTED_LISTED + 1)
    data["unconnected"] = [{**o, "id": slug(o["iri"]), "name": o["name"] or slug(o["iri"]),
                            "city": name(o["city"])} for o in unconnected[:UNCONNECTED_LISTED]]
    data["unconnected_count"] = data["headline"]["unconnected"]
    data["coverage"] = coverage(store, name, data)
    return data


def headline(data: dict[str, Any], network: dict[str, Any] | None) -> dict[str, Any]:
    s = summary(network)
    by_kind = s["by_kind"]
    cross_city = s["cross_city"]["count"]
    formed = [(k["short"], k["cross_city"]["count"]) for k in by_kind if k["cross_city"]["count"]]
    if not cross_city:
        how = "No tie joins two cities."
    elif len(formed) == 1:
        kind = next(k for k in by_kind if k["cross_city"]["count"])
        how = (f"All {cross_city} ties between cities are of one kind: {kind['label']}"
               + ("; none is a stated collaboration or a shared good practice."
                  if kind["id"] == "event" else "."))
    else:
        how = "Ties between cities by kind: " + ", ".join(f"{n} {k}" for k, n in formed) + "."
    return {**s, "organisations": data["run"]["organisations"],
            "unconnected": data["run"]["organisations"] - s["tied"],
            "cross_city_how": how, "modularity": data["run"]["modularity"]}


def clusters(store: Store, name: Namer) -> list[dict[str, Any]]:
    rows = read.clusters(store)
    links = read.cluster_links(store)
    tallies = read.tallies(store, "cluster")
    members = read.cluster_members(store, MEMBERS_LISTED)
    name.fetch({r["source"].value for r in rows if "source" in r}
               | {v for lk in links.values() for k in ("centralMember", "clusterPractice",
                                                       "clusterEvent") for v in lk.get(k, [])}
               | {r for t in tallies.values() for r in t["restricted"]})
    out = []
    for r in rows:
        iri = r["cluster"].value
        lk, tally = links.get(iri, {}), tallies.get(iri)
        source = r["source"].value if "source" in r else None
        parsed = store.iris.parse_resource(source) if source else None
        restricted = sorted((tally or {}).get("restricted", {}).items(),
                            key=lambda x: (-x[1].get("organisationCount", 0), name(x[0])))
        listed = sorted(members.get(iri, []), key=lambda m: ((m["name"] or "").lower(),
                                                             m["iri"]))
        counts = summary(tally)
        size = int(r["size"].value)
        out.append({
            "iri": iri, "id": slug(iri), "label": r["label"].value,
            "reason": r["reason"].value if "reason" in r else None,
            "source": {**name.ref(source), "kind": parsed[0] if parsed else None}
            if source else None,
            "size": size, "density": float(r["density"].value),
            "creative_share": float(r["creative"].value), "growth_share": float(r["growth"].value),
            **counts,
            "dominant_city": name.ref(r["city"].value) if "city" in r else None,
            "cities": [{**name.ref(c), "members": t.get("organisationCount", 0)}
                       for c, t in restricted if "/id/city/" in c],
            "sectors": [{**name.ref(c), "members": t.get("organisationCount", 0)}
                        for c, t in restricted if "/id/sector/" in c],
            "main_sectors": [name.ref(s) for s in sorted(lk.get("mainSector", []))],
            "themes": [name.ref(t) for t in sorted(lk.get("mainTheme", []))],
            "practices": sorted((name.ref(p) for p in lk.get("clusterPractice", [])),
                                key=lambda p: p["name"].lower()),
            "events": sorted((name.ref(e) for e in lk.get("clusterEvent", [])),
                             key=lambda e: e["name"].lower()),
            "central": [name.ref(m) for m in lk.get("centralMember", [])],
            "members": [{"iri": m["iri"], "id": slug(m["iri"]),
                         "name": m["name"] or slug(m["iri"]), "city": name(m["city"])}
                        for m in listed],
            "more_members": max(0, size - len(listed)) if size > MEMBERS_LISTED else 0,
        })
    return out


def cities(store: Store, name: Namer, minimum: dict[str, int]) -> list[dict[str, Any]]:
    tallies = read.tallies(store, "city")
    scores = {r["city"]: r["score"] for r in _city_scores(store)}
    out = []
    for iri, tally in tallies.items():
        s = summary(tally)
        enough = bool(s["enough"])
        out.append({**name.ref(iri), "label": name(iri), **s, "enough": enough,
                    "score": scores.get(iri) if enough else None,
                    "why_not": None if enough else
                    f"{s['organisations']} organisation{'s' * (s['organisations'] != 1)} and "
                    f"{s['ties']} tie{'s' * (s['ties'] != 1)}; a city needs at least "
                    f"{minimum['organisations']} and {minimum['ties']}"})
    return sorted(out, key=lambda c: (not c["enough"], -(c["score"] or 0), c["label"]))


def _city_scores(store: Store) -> list[dict[str, Any]]:
    from crossinnov.sparql.queries import QUERIES

    query = QUERIES["report_city_scores"]
    return [{"city": r["city"].value, "score": float(r["score"].value)}
            for r in store.select(query, analysis=store.iris.analysis_graph)]


def brokers(store: Store, name: Namer, kinds: list[dict[str, Any]]) -> dict[str, Any]:
    lists = {"cross_sector": read.top(store, "crossSectorBrokerage", BROKERS_LISTED),
             "cross_city": read.top(store, "crossCityBrokerage", BROKERS_LISTED),
             "betweenness": read.top(store, "betweenness", BROKERS_LISTED)}
    events_in = any(k["id"] == "event" and k["in_brokerage"] for k in kinds)
    if not events_in:
        lists["cross_sector_with_events"] = read.top(store, "crossSectorBrokerageWithEvents",
                                                     BROKERS_LISTED)
        lists["cross_city_with_events"] = read.top(store, "crossCityBrokerageWithEvents",
                                                   BROKERS_LISTED)
    scores = read.scores(store, {o for rows in lists.values() for o, _ in rows})
    name.fetch({s["city"] for s in scores.values()} | {s["cluster"] for s in scores.values()})

    def row(iri: str, count: float) -> dict[str, Any]:
        s = scores[iri]
        return {"iri": iri, "id": slug(iri), "name": s["name"] or slug(iri),
                "city": name(s["city"]), "count": count,
                **{k: s[k] for k in ("betweenness", "constraint", "effective_size",
                                     "cross_sector", "cross_city", "cross_sector_with_events",
                                     "cross_city_with_events", "roles")}}

    used = [k for k in kinds if k["in_brokerage"]]
    out: dict[str, Any] = {
        "kinds": [k["id"] for k in used],
        "kinds_text": _and([k["short"] for k in used]),
        "left_out": _and([k["short"] for k in kinds if not k["in_brokerage"]]),
        "events_included": events_in,
    }
    for key, rows in lists.items():
        out[key] = [row(o, int(v) if key != "betweenness" else v) for o, v in rows
                    if o in scores][:BROKERS_LISTED]
    return out


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def coverage(store: Store, name: Namer, data: dict[str, Any]) -> dict[str, Any]:
    """What this report can and cannot tell you, computed from the data."""
    counts = read.coverage(store)
    partner_cities = read.coverage_cities(store)
    name.fetch({c["iri"] for c in partner_cities})
    rows = sorted(({**c, "label": name(c["iri"]),
                    "expected_organisations": words.PROJECT_ORGANISATIONS_PER_CITY,
                    "expected_practices": words.PROJECT_PRACTICES_PER_CITY}
                   for c in partner_cities), key=lambda c: c["label"])
    facts = []
    h = data["headline"]
    if rows:
        held = sum(c["organisations"] for c in rows)
        facts.append(
            f"The graph holds {held} organisations in the project's {len(rows)} partner cities, "
            f"against about {words.PROJECT_ORGANISATIONS_PER_CITY} per city "
            f"({words.PROJECT_ORGANISATIONS_PER_CITY * len(rows)} in all) the project worked "
            f"with; {sum(c['practices'] for c in rows)} good practices against about "
            f"{words.PROJECT_PRACTICES_PER_CITY} per city in its knowledge base.")
        none = [c["label"] for c in rows if not c["practices"]]
        if none:
            facts.append("No good practice is recorded for " + _and(none) + ".")
    n = counts.get("practices", 0)
    if n:
        facts.append(f"{counts.get('noTheme', 0)} of the {n} good practices have no recorded "
                     f"sub-theme, {counts.get('noPartner', 0)} no partner organisation the graph "
                     f"knows, {counts.get('noStart', 0)} no start year; "
                     f"{counts.get('unidentified', 0)} partner"
                     f"{'s are' if counts.get('unidentified', 0) != 1 else ' is'} known only by "
                     "name.")
    located = sum(c["organisations"] for c in data["cities"])
    sided = sum(h["sides"].values())
    facts.append(f"{h['organisations'] - located} of the {h['organisations']} organisations of "
                 f"the analysis have no known city and {h['organisations'] - sided} no sector "
                 f"of the scheme; {h['unconnected']} have no tie at all.")
    stated = {k["id"]: k["ties_of_kind"] for k in h["by_kind"]}
    if not stated["mutual"] and not stated["one-sided"]:
        facts.append("No organisation states a collaboration in its own profile: every tie comes "
                     "from the sources' good practices and events.")
    else:
        facts.append(f"Organisations state collaborations in their own profiles for "
                     f"{stated['mutual'] + stated['one-sided']} pairs: {stated['mutual']} by both "
                     f"sides, {stated['one-sided']} by one side only.")
    if counts.get("yearOnly"):
        facts.append(f"{counts['yearOnly']} of the {counts.get('events', 0)} events are known "
                     "only by their year.")
    formed = [c for c in data["clusters"] if c["source"] and c["source"]["kind"] in
              ("practice", "event")]
    if data["clusters"]:
        share = ("All" if len(formed) == len(data["clusters"]) else
                 f"{len(formed)} of the")
        facts.append(f"{share} {len(data['clusters'])} clusters are formed by a single good "
                     "practice or event: they show what the sources already group together "
                     "rather than groups found in the data.")
    return {"cities": rows, "facts": facts, "counts": counts, "can": words.CAN,
            "cannot": words.CANNOT}


def cluster_facts(store: Store, iri: str) -> dict[str, Any]:
    """One cluster's counts with their bases, by kind of tie (for the cluster's own page)."""
    tally = read.tallies_of(store, [iri]).get(iri)
    name = Namer(store)
    restricted = sorted((tally or {}).get("restricted", {}).items(),
                        key=lambda x: -x[1].get("organisationCount", 0))
    name.fetch(r for r, _ in restricted)
    run = read.run(store)
    return {**summary(tally),
            "minimum": {"organisations": int(run["minOrganisations"].value),
                        "ties": int(run["minTies"].value)}
            if run and "minOrganisations" in run and "minTies" in run else None,
            "cities": [{**name.ref(c), "members": t.get("organisationCount", 0)}
                       for c, t in restricted if "/id/city/" in c],
            "sectors": [{**name.ref(c), "members": t.get("organisationCount", 0)}
                        for c, t in restricted if "/id/sector/" in c]}
