"""HTML pages for resources (organisation, practice, city, sector, theme, event, ...).

Two layers, kept apart: ``gather_*`` functions read the store and return plain
values and :class:`Link` objects; :func:`render_resource` picks the template of
the resource's kind. Links to resources minted under the configured base go to
this app's own ``/id/...`` paths, so the site can be browsed on any host; the
canonical IRI is shown as the identifier.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import render_template, url_for

from crossinnov.formats import OFFERED_RDF, RDF_FORMATS, prefixes_for
from crossinnov.iris import SCHEMES
from crossinnov.namespaces import CI, DCTERMS, FOAF, RDFS, SCHEMA, SKOS, XSD
from crossinnov.sparql.queries import QUERIES, values
from crossinnov.stores.base import Store, truth
from crossinnov.web.state import current

#: label properties, best first
LABELS = (SKOS.prefLabel.value, SCHEMA.name.value, RDFS.label.value)
#: a resource's "also as" links: (label, suffix, media type) of each offered RDF format
TWINS = tuple((RDF_FORMATS[name].label, RDF_FORMATS[name].extension, RDF_FORMATS[name].media_type)
              for name in OFFERED_RDF)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
COUNTRIES = {"AT": "Austria", "CZ": "Czechia", "DE": "Germany", "EE": "Estonia", "GB": "United "
             "Kingdom", "IT": "Italy", "LT": "Lithuania", "NL": "Netherlands", "PL": "Poland",
             "PT": "Portugal", "SE": "Sweden"}  # the partner cities' countries; others show codes
THEME_LINKS = {"own": "works on it (own profile)", "operator": "runs one of its practices",
               "partner": "partner in one of its practices"}


# --- links and labels ----------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """Something to show as a link: its label, where it goes (None: shown as text), its IRI."""

    label: str
    href: str | None
    iri: str
    external: bool = False


def href_for(iri: str) -> tuple[str | None, bool]:
    """Return (href, external) for an IRI: a local path for what this app serves."""
    iris = current().store.iris
    parsed = iris.parse_resource(iri)
    if parsed:
        return url_for("resource.resource", kind=parsed[0], slug=parsed[1]), False
    scheme = iris.base + "scheme/"
    if iri.startswith(scheme) and iri[len(scheme):] in SCHEMES:
        return url_for("resource.scheme", name=iri[len(scheme):]), False
    if iri.startswith(CI._NS):
        return url_for("pages.ontology", _anchor=iri[len(CI._NS):]), False
    if iri.startswith(("http://", "https://")) and not iri.startswith(iris.base):
        return iri, True
    return None, False


def short_name(iri: str) -> str:
    """Return a prefixed name (``organisation:beepart``) or a readable name for known IRIs."""
    nace = re.search(r"/nace2/(\d{2})(\d*)$", iri)
    if nace:
        return "NACE Rev. 2 " + nace.group(1) + ("." + nace.group(2) if nace.group(2) else "")
    wikidata = re.match(r"^https?://www\.wikidata\.org/entity/(Q\d+)$", iri)
    if wikidata:
        return "Wikidata " + wikidata.group(1)
    best = ("", "")
    for prefix, ns in prefixes_for(current().store.iris).items():
        if iri.startswith(ns) and len(ns) > len(best[1]):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best[1] else iri


def make_link(iri: str, label: str | None = None) -> Link:
    href, external = href_for(iri)
    return Link(label or short_name(iri), href, iri, external)


def _lang_rank(term: ox.Literal) -> int:
    return {"en": 0, None: 1}.get(term.language, 2)


class Facts:
    """One resource's triples, read as facts: its values, what links to it, and labels."""

    def __init__(self, iri: ox.NamedNode, triples: Iterable[ox.Triple]) -> None:
        self.iri = iri
        self.out: dict[str, list] = defaultdict(list)
        self.inc: dict[str, list] = defaultdict(list)
        ranked: dict[str, tuple[tuple[int, int], str]] = {}
        for t in triples:
            if t.subject == iri:
                self.out[t.predicate.value].append(t.object)
            elif t.object == iri:
                self.inc[t.predicate.value].append(t.subject)
            if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
                rank = (LABELS.index(t.predicate.value), _lang_rank(t.object))
                if t.subject.value not in ranked or rank < ranked[t.subject.value][0]:
                    ranked[t.subject.value] = (rank, t.object.value)
        self.labels = {k: v for k, (_, v) in ranked.items()}

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)

    def link(self, term) -> Link:
        return make_link(term.value, self.label(term.value))

    def texts(self, prop: ox.NamedNode) -> list[str]:
        """Return the literal values of a property, English first, without repeats."""
        literals = sorted((o for o in self.out[prop.value] if isinstance(o, ox.Literal)),
                          key=lambda o: (_lang_rank(o), o.value))
        return list(dict.fromkeys(o.value for o in literals))

    def text(self, prop: ox.NamedNode) -> str | None:
        values = self.texts(prop)
        return values[0] if values else None

    def first(self, prop: ox.NamedNode):
        values = self.out[prop.value]
        return values[0] if values else None

    def links(self, prop: ox.NamedNode) -> list[Link]:
        nodes = {o.value: o for o in self.out[prop.value] if isinstance(o, ox.NamedNode)}
        return sorted((self.link(n) for n in nodes.values()), key=lambda x: x.label.casefold())

    def incoming(self, prop: ox.NamedNode) -> list[Link]:
        nodes = {s.value: s for s in self.inc[prop.value] if isinstance(s, ox.NamedNode)}
        return sorted((self.link(n) for n in nodes.values()), key=lambda x: x.label.casefold())

    def statements(self) -> list[tuple[Link, list]]:
        """Return every own statement as (property, values): links or literal texts."""
        rows = []
        for prop, objects in self.out.items():
            values = [self.link(o) if isinstance(o, ox.NamedNode) else
                      o.value if isinstance(o, ox.Literal) else "(blank node)" for o in objects]
            values.sort(key=lambda v: str(getattr(v, "label", v)))
            rows.append((make_link(prop), values))
        return sorted(rows, key=lambda r: r[0].label)


# --- words --------------------------------------------------------------------------------

def _date_parts(term) -> tuple[int, ...] | None:
    if not isinstance(term, ox.Literal):
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", term.value)
    if not match:
        return None
    parts = tuple(int(p) for p in match.groups() if p)
    if term.datatype == XSD.gYear:
        return parts[:1]
    if term.datatype == XSD.gYearMonth:
        return parts[:2]
    return parts


def _day(parts: tuple[int, ...], *, year: bool = True, month: bool = True) -> str:
    words = [str(parts[2])] if len(parts) > 2 else []
    if month and len(parts) > 1:
        words.append(MONTHS[parts[1] - 1])
    if year:
        words.append(str(parts[0]))
    return " ".join(words)


def date_in_words(start, end=None, *, precision: bool = True) -> str | None:
    """Say a date, a range of dates, or a year in words, and (``precision``) how precise it is."""
    a, b = _date_parts(start), _date_parts(end)
    if a is None and b is None:
        return (start or end).value if (start or end) is not None else None
    if a is None:
        return f"until {_day(b)}"
    note = {1: " (only the year is known)", 2: " (only the month is known)"}.get(len(a), "")
    note = note if precision else ""
    if b is None or b == a:
        return _day(a) + note
    if len(a) == 3 and len(b) == 3 and a[:2] == b[:2]:
        return f"{a[2]}–{_day(b)}"
    if len(a) == 3 and len(b) == 3 and a[0] == b[0]:
        return f"{_day(a, year=False)} – {_day(b)}"
    return f"{_day(a)} – {_day(b)}" + (" (only the years are known)" if note and len(b) == 1
                                       else "")


def with_article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


# --- gathering (store -> values) -------------------------------------------------------------

def _rows(store: Store, name: str, key: str, **bindings) -> list[dict]:
    """Run a page query; keep one row per value of ``key`` (several labels give repeats)."""
    seen: dict[str, dict] = {}
    for row in store.select(QUERIES[name], **bindings):
        seen.setdefault(row[key].value, row)
    return list(seen.values())


def _link(row: dict, key: str, label: str) -> Link | None:
    if key not in row:
        return None
    return make_link(row[key].value, row[label].value if label in row else None)


def sector_groups(store: Store, item: ox.NamedNode) -> list[dict]:
    """Return the item's sectors grouped by top concept (creative industries / growth sectors)."""
    groups: dict[str, dict] = {}
    for row in store.select(QUERIES["page_sectors_of"], item=item):
        top = _link(row, "top", "topLabel")
        group = groups.setdefault(top.iri if top else "", {"top": top, "sectors": {}})
        group["sectors"].setdefault(row["sector"].value, _link(row, "sector", "label"))
    ordered = sorted(groups.values(), key=lambda g: (g["top"] is None, g["top"] and g["top"].label))
    for group in ordered:
        group["sectors"] = sorted(group["sectors"].values(), key=lambda x: (
            group["top"] is not None and x.iri != group["top"].iri, x.label.casefold()))
    return ordered


def gather_organisation(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    kinds = f.links(CI.organisationKind)
    # "an other organisation" says nothing: the kind "other" reads as "organisation"
    kind_word = next((k.label for k in kinds if not k.iri.endswith("/other")), "organisation")
    doubts = {r["event"].value: truth(r["heldUncertain"])
              for r in store.select(QUERIES["page_org_event_doubts"], org=iri)}
    return {
        "city": f.links(CI.basedIn), "kinds": kinds, "roles": f.links(CI.projectRole),
        "kind_words": with_article(kind_word),
        "sectors": sector_groups(store, iri), "themes": f.links(CI.addressesTheme),
        "homepages": f.links(FOAF.homepage), "email": f.text(SCHEMA.email),
        "founded": date_in_words(f.first(SCHEMA.foundingDate), precision=False),
        "keywords": f.texts(SCHEMA.keywords), "projects": f.links(CI.partnerIn),
        "took_part": [p for p in f.links(CI.participatedInProject)
                      if p.iri not in {x.iri for x in f.links(CI.partnerIn)}],
        "leads": f.incoming(CI.leadPartner), "seeks": f.links(CI.seeksPartnersIn),
        "clusters": f.incoming(CI.hasMember),
        "suggestions": partner_suggestions(store, iri),
        "collaborators": collaborators(store, iri),
        "edit_url": url_for("forms.edit", slug=iri.value.rsplit("/", 1)[1]),
        "practices": [{"practice": _link(r, "practice", "name"), "role": r["role"].value,
                       "city": _link(r, "city", "cityName")}
                      for r in store.select(QUERIES["page_org_practices"], org=iri)],
        "events": [{"event": _link(r, "event", "name"), "city": _link(r, "city", "cityName"),
                    "when": date_in_words(r.get("start"), r.get("end")) or (
                        _doubt_words(doubts[r["event"].value]) if r["event"].value in doubts
                        else None)}
                   for r in _rows(store, "page_org_events", "event", org=iri)],
    }


def _doubt_words(held_uncertain: bool) -> str:
    return ("not confirmed to have taken place" if held_uncertain
            else "date uncertain (the sources disagree)")


def collaborators(store: Store, iri: ox.NamedNode) -> list[dict]:
    """The organisation's collaborators, each with who states the link and what implies it.

    ``stated``: "both", "this" (only this organisation says so; not confirmed by
    the partner), "partner" (only the partner says so; this organisation has not
    confirmed, and may confirm or decline it in its profile) or "none" (neither
    says so: the link is derived from a good practice). ``derived``: the good
    practices the link is derived from (ci:DerivedTie), whoever states it.
    """
    derived: dict[str, list[Link]] = defaultdict(list)
    for r in store.select(QUERIES["page_org_derived_ties"], org=iri):
        practice = _link(r, "practice", "practiceName")
        if practice not in derived[r["partner"].value]:
            derived[r["partner"].value].append(practice)
    out = []
    for r in _rows(store, "page_org_collaborators", "partner", org=iri):
        by_org = truth(r["statedByOrg"])
        by_partner = truth(r["statedByPartner"])
        stated = ("both" if by_org and by_partner else "this" if by_org else
                  "partner" if by_partner else "none")
        out.append({"org": _link(r, "partner", "name"), "city": _link(r, "city", "cityName"),
                    "stated": stated, "derived": derived.get(r["partner"].value, [])})
    return out


def partner_suggestions(store: Store, iri: ox.NamedNode, limit: int = 5) -> list[dict]:
    """The organisation's top partner suggestions, with reasons (see analysis.partners)."""
    parsed = store.iris.parse_resource(iri.value)
    if not parsed:
        return []
    found = current().suggestions(parsed[1], limit) or []
    return [{"org": make_link(s.iri, s.name), "score": s.score, "reasons": s.reasons}
            for s in found]


def gather_practice(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    return {
        "operators": f.links(CI.operatedBy), "partners": f.links(CI.hasPartner),
        "unidentified": f.texts(CI.unidentifiedPartner), "city": f.links(CI.basedIn),
        "themes": f.links(CI.addressesTheme), "sectors": sector_groups(store, iri),
        "started": date_in_words(f.first(SCHEMA.startDate), precision=False),
        "ended": date_in_words(f.first(SCHEMA.endDate), precision=False),
        "practice_type": f.text(CI.practiceType), "keywords": f.texts(SCHEMA.keywords),
        "projects": f.links(CI.partOfProject),
    }


def gather_city(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    groups: dict[str, dict] = {}
    for r in _rows(store, "page_city_practices", "practice", city=iri):
        theme = _link(r, "theme", "themeName")
        group = groups.setdefault(theme.iri if theme else "", {"theme": theme, "practices": []})
        group["practices"].append({"practice": _link(r, "practice", "name"),
                                   "operator": _link(r, "operator", "operatorName"),
                                   "type": r["type"].value if "type" in r else None})
    code = f.text(CI.countryCode)
    return {
        "country": COUNTRIES.get(code or "", code), "country_code": code,
        # the place itself (foaf:focus), and the editors' notes: never shown as facts
        "focus": f.links(FOAF.focus), "editorial_notes": f.texts(SKOS.editorialNote),
        "projects": f.incoming(CI.partnerCity),
        "organisations": [{"org": _link(r, "org", "name"),
                           "org_kind": _label(r, "kind", "kindLabel"),
                           "role": _label(r, "role", "roleLabel")}
                          for r in _rows(store, "page_city_organisations", "org", city=iri)],
        "practice_groups": sorted(groups.values(), key=lambda g: (g["theme"] is None,
                                                                  g["theme"] and g["theme"].label)),
        "practice_count": sum(len(g["practices"]) for g in groups.values()),
        "events": [{"event": _link(r, "event", "name"),
                    "when": date_in_words(r.get("start"), r.get("end")) or (
                        _doubt_words(truth(r["heldUncertain"]))
                        if truth(r["inDoubt"]) else None)}
                   for r in _rows(store, "page_city_events", "event", city=iri)],
    }


def _label(row: dict, key: str, label: str) -> str | None:
    """The label of a concept in a row, or (without one) its short id."""
    if label in row:
        return row[label].value
    return row[key].value.rsplit("/", 1)[-1] if key in row else None


def gather_sector(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    members: dict[str, list] = {"organisations": [], "practices": []}
    for r in _rows(store, "page_sector_members", "item", sector=iri):
        key = "organisations" if r["type"] == CI.Organisation else "practices"
        via = _link(r, "via", "viaName")
        members[key].append({"item": _link(r, "item", "name"), "city": _link(r, "city", "cityName"),
                             "via": via if via and via.iri != iri.value else None})
    narrower = {x.iri: x for x in [*f.links(SKOS.narrower), *f.incoming(SKOS.broader)]}
    return {
        "definition": f.text(SKOS.definition), "alt_labels": f.texts(SKOS.altLabel),
        "notation": f.text(SKOS.notation), "broader": f.links(SKOS.broader),
        "narrower": sorted(narrower.values(), key=lambda x: x.label.casefold()),
        "top_of": f.links(SKOS.topConceptOf), "schemes": f.links(SKOS.inScheme),
        "matches": [(m, "exact") for m in f.links(SKOS.exactMatch)] +
                   [(m, "close") for m in f.links(SKOS.closeMatch)] +
                   [(m, "broader: the NACE class covers more") for m in f.links(SKOS.broadMatch)]
                   + [(m, "narrower: the NACE class is a part of it")
                      for m in f.links(SKOS.narrowMatch)],
        **members,
    }


def gather_theme(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    orgs: dict[str, dict] = {}

    def order(o: dict) -> tuple:
        return (o["city"].label if o["city"] else "~", o["org"].label.casefold())

    for r in store.select(QUERIES["page_theme_organisations"], theme=iri):
        entry = orgs.setdefault(r["org"].value, {"org": _link(r, "org", "name"), "how": set(),
                                                  "city": _link(r, "city", "cityName")})
        entry["how"].add(THEME_LINKS.get(r["how"].value, r["how"].value))
    return {
        "definition": f.text(SKOS.definition), "notation": f.text(SKOS.notation),
        "schemes": f.links(SKOS.inScheme),
        "practices": [{"practice": _link(r, "practice", "name"),
                       "city": _link(r, "city", "cityName"),
                       "operator": _link(r, "operator", "operatorName")}
                      for r in _rows(store, "page_theme_practices", "practice", theme=iri)],
        "organisations": [{**o, "how": sorted(o["how"])}
                          for o in sorted(orgs.values(), key=order)],
    }


def gather_event(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    candidates = [{"when": date_in_words(r.get("start"), r.get("end")),
                   "source": _link(r, "source", "source") if "source" in r else None,
                   "note": r["note"].value if "note" in r else None,
                   "uncertain": "uncertain" in r and r["uncertain"].value == "true"}
                  for r in _rows(store, "page_event_dates", "candidate", event=iri)]
    return {
        "when": date_in_words(f.first(SCHEMA.startDate), f.first(SCHEMA.endDate)),
        "candidate_words": " or ".join(c["when"] for c in candidates if c["when"]) or None,
        "doubts": f.texts(CI.doubt), "candidates": candidates,
        "held_uncertain": f.text(CI.uncertain) == "true",
        "city": f.links(CI.heldIn), "projects": f.links(CI.partOfProject),
        "participants": [{"org": _link(r, "org", "name"), "city": _link(r, "city", "cityName")}
                         for r in _rows(store, "page_event_participants", "org", event=iri)],
    }


def gather_project(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    return {
        "full_name": f.text(SCHEMA.name), "alt_names": f.texts(SCHEMA.alternateName),
        "when": date_in_words(f.first(SCHEMA.startDate), f.first(SCHEMA.endDate)),
        "funding": f.texts(CI.fundingProgramme), "leads": f.links(CI.leadPartner),
        "cities": f.links(CI.partnerCity), "homepages": f.links(FOAF.homepage),
        "partners": f.incoming(CI.partnerIn), "parts": f.incoming(CI.partOfProject),
        # the sources say these took part, not that they were partners (ci:participatedInProject)
        "took_part": f.incoming(CI.participatedInProject),
    }


def gather_scheme(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    concepts = [{"concept": _link(r, "concept", "label"),
                 "notation": r["notation"].value if "notation" in r else None,
                 "definition": r["definition"].value if "definition" in r else None,
                 "broader": _link(r, "broader", "broaderLabel")}
                for r in _rows(store, "page_scheme_concepts", "concept", scheme=iri)]
    return {"concepts": concepts, "tops": f.links(SKOS.hasTopConcept)}


def existing_organisations(store: Store, orgs: list[ox.NamedNode]) -> set[str]:
    """Return the IRIs of those of ``orgs`` that still exist (typed ci:Organisation)."""
    alive: set[str] = set()
    unique = sorted({o.value: o for o in orgs}.items())
    for start in range(0, len(unique), 500):
        chunk = [o for _, o in unique[start:start + 500]]
        query = QUERIES.render("existing_organisations", orgs=values(chunk))
        alive |= {r["org"].value for r in store.select(query)}
    return alive


def gather_cluster(store: Store, iri: ox.NamedNode, f: Facts) -> dict:
    """A cluster's facts: its label's reason, counts with their bases by kind of tie, figure."""
    from crossinnov.report.data import cluster_facts
    from crossinnov.report.read import names

    # members as the run found them, less any organisation deleted since (left out at once)
    named = [*f.links(CI.hasMember), *f.links(CI.centralMember)]
    alive = existing_organisations(store, [ox.NamedNode(x.iri) for x in named])
    members = [x for x in f.links(CI.hasMember) if x.iri in alive]
    central = [x for x in f.links(CI.centralMember) if x.iri in alive]
    gone = {x.iri for x in named} - alive
    statements = [(prop, [v for v in vals if getattr(v, "iri", None) not in gone])
                  for prop, vals in f.statements()]
    slug = iri.value.rsplit("/", 1)[1]
    source = f.first(CI.labelSource)
    return {"size": f.text(CI.clusterSize), "members": members,
            "central": central, "density": f.text(CI.density),
            "reason": f.text(CI.labelReason),
            "source": make_link(source.value, f.label(source.value)
                                or names(store, [source.value]).get(source.value))
            if isinstance(source, ox.NamedNode) else None,
            "counts": cluster_facts(store, iri.value),
            "dominant_city": f.links(CI.dominantCity), "main_sectors": f.links(CI.mainSector),
            "main_themes": f.links(CI.mainTheme), "cluster_practices": f.links(CI.clusterPractice),
            "cluster_events": f.links(CI.clusterEvent),
            "figure_url": url_for("reports.figure", name=f"cluster-{slug}.svg"),
            "report_anchor": slug,
            "statements": [(p, vals) for p, vals in statements if vals]}


GATHER: dict[str, Callable[[Store, ox.NamedNode, Facts], dict]] = {
    "organisation": gather_organisation, "practice": gather_practice, "city": gather_city,
    "sector": gather_sector, "theme": gather_theme, "event": gather_event,
    "project": gather_project, "scheme": gather_scheme, "cluster": gather_cluster,
}


def twin_links(kind: str, iri: str) -> list[tuple[str, str, str]]:
    """Return (format name, local URL, media type) of the resource's RDF documents."""
    iris = current().store.iris
    if kind == "scheme":
        name = iri.rsplit("/", 1)[1]
        return [(label, url_for("resource.scheme", name=f"{name}.{ext}"), media)
                for label, ext, media in TWINS]
    parsed = iris.parse_resource(iri)
    if not parsed:
        return []
    return [(label, url_for("resource.resource", kind=parsed[0], slug=f"{parsed[1]}.{ext}"), media)
            for label, ext, media in TWINS]


def resource_context(kind: str, iri: ox.NamedNode, triples: list[ox.Triple]) -> dict:
    """Gather everything a resource page shows."""
    store = current().store
    f = Facts(iri, triples)
    gather = GATHER.get(kind, lambda *_: {})
    return {
        "kind": kind, "iri": iri.value, "title": f.label(iri.value) or short_name(iri.value),
        "description": f.text(DCTERMS.description), "sources": f.links(DCTERMS.source),
        "twins": twin_links(kind, iri.value), "statements": f.statements(),
        **gather(store, iri, f),
    }


def render_resource(kind: str, iri: ox.NamedNode, triples: list[ox.Triple]) -> str:
    """Render a resource page: the template of its kind, or the generic one."""
    context = resource_context(kind, iri, triples)
    template = f"resource_{kind}.html" if kind in GATHER else "resource.html"
    return render_template([template, "resource.html"], **context)


__all__ = ["Facts", "Link", "date_in_words", "make_link", "render_resource", "resource_context"]
