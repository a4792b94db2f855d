"""Build the shipped knowledge graph from the human-editable CSV files in ``data/sources/``.

Facts come from the Cross Innovation dataset (``organisations.csv``,
``good_practices.csv``, ``events.csv``, ``cities.csv``, each row with its
source URLs); the editorial tables (``sectors.csv``, ``themes.csv``,
``sector_terms.csv``, ``organisation_aliases.csv``, ``project.csv``,
``organisation_kinds.csv``, ``project_roles.csv``, ``project_participation.csv``,
``event_doubts.csv``, ``event_dates.csv``) hold the schemes, the mappings from the
sources' wording to them, and what the editors read in the sources about how
certain a fact is. A gap in the sources stays a gap: no value is guessed.

The graph says no more than the sources (ontology 2.0.0):

- ``ci:partnerIn`` only where a source calls an organisation a partner
  (``project_participation.csv``); ``ci:participatedInProject`` where it only took part;
- a collaboration that a good practice implies (operator and partner) is not put
  in the organisations' graphs as if they had stated it: the store derives it
  (``ci:DerivedTie``, see :mod:`crossinnov.writes.changes`);
- an event whose date or occurrence the sources leave in doubt has no date of its
  own, but a ``ci:DateCandidate`` per date a source gives, marked ``ci:uncertain``,
  and a ``ci:doubt`` people can read (``event_doubts.csv``, ``event_dates.csv``);
- the sources' notes on cities are the editors' notes (``skos:editorialNote``), and
  a city concept points at its place on Wikidata with ``foaf:focus``, not ``owl:sameAs``.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from crossinnov.formats import prefixes_for
from crossinnov.ingest import IngestError, TripleBuilder, Unit
from crossinnov.iris import IRIs, check_slug
from crossinnov.namespaces import CI, DCTERMS, FOAF, GEO, RDF, RDFS, SCHEMA, SKOS, XSD
from crossinnov.resources import data_dir

NACE = "http://data.europa.eu/ux2/nace2/"
WIKIDATA = "http://www.wikidata.org/entity/"
TOP_SECTORS = ("creative-industries", "other-growth-sectors")
#: the roles of organisations.csv that claim a place in the project's partnership: each
#: such organisation needs a row in project_participation.csv saying what the sources say
PARTNER_ROLES = {"lead-partner", "project-partner"}
#: the role an organisation gets when the sources say it took part but not that it was a partner
PARTICIPANT_ROLE = "project-participant"
#: the certainty of an event in event_doubts.csv: held (date unsure) or not confirmed at all
EVENT_HELD = {"confirmed": False, "unconfirmed": True}


def en(text: str) -> ox.Literal | None:
    return ox.Literal(text, language="en") if text else None


@dataclass
class Row:
    """One CSV row with where it came from."""

    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return (self.values.get(key) or "").strip()

    def where(self) -> str:
        return f"{self.file} line {self.line}"

    def list(self, key: str, sep: str = ";") -> list[str]:
        return [part.strip() for part in self[key].split(sep) if part.strip()]

    def iris(self, key: str) -> list[ox.NamedNode]:
        out = []
        for url in self[key].split():
            try:
                out.append(ox.NamedNode(url))
            except ValueError as exc:
                raise IngestError(f"{self.where()}: {key}: not an IRI: {url!r} ({exc})") from exc
        return out


def read_csv(path: Path) -> list[Row]:
    """Read a CSV file into rows that remember their line numbers."""
    if not path.exists():
        raise IngestError(f"{path}: file not found")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = []
        for values in reader:
            rows.append(Row(path.name, reader.line_num, values))
    return rows


def parse_date(text: str, where: str, *, months: bool = False
               ) -> tuple[ox.Literal | None, ox.Literal | None]:
    """Return (start, end) of a source date: a day, a year, or ``start/end``.

    A bare year becomes an ``xsd:gYear`` start; a range a start and an end; an
    empty value nothing. With ``months``, a year and month (``YYYY-MM``, only for
    a candidate date) becomes an ``xsd:gYearMonth``.
    """
    if not text:
        return None, None
    if "/" in text:
        start, _, end = text.partition("/")
        return parse_date(start, where)[0], parse_date(end, where)[0]
    if re.fullmatch(r"\d{4}", text):
        return ox.Literal(text, datatype=XSD.gYear), None
    if months and re.fullmatch(r"\d{4}-\d{2}", text):
        return ox.Literal(text, datatype=XSD.gYearMonth), None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return ox.Literal(text, datatype=XSD.date), None
    raise IngestError(f"{where}: date {text!r} is not YYYY, YYYY-MM-DD or a start/end range")


@dataclass
class Lookups:
    """Resolve the sources' wording to IRIs."""

    iris: IRIs
    cities: dict[str, str] = field(default_factory=dict)  # lower-case name or id -> id
    sector_terms: dict[str, list[str]] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)  # name or alias -> id
    organisation_ids: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    concepts: dict[str, set[str]] = field(default_factory=dict)  # kind -> slugs of its scheme
    warnings: list[str] = field(default_factory=list)

    def city(self, name: str, where: str) -> ox.NamedNode | None:
        if not name:
            return None
        key = self.cities.get(name.lower())
        if key is None:
            raise IngestError(f"{where}: city {name!r} is not in cities.csv")
        return self.iris.resource("city", key)

    def sectors(self, terms: list[str], where: str) -> list[ox.NamedNode]:
        out: list[ox.NamedNode] = []
        for term in terms:
            if term.lower() not in self.sector_terms:
                raise IngestError(
                    f"{where}: sector term {term!r} is not in sector_terms.csv "
                    "(add it, with the sectors it means or none)"
                )
            for sector in self.sector_terms[term.lower()]:
                node = self.iris.resource("sector", sector)
                if node not in out:
                    out.append(node)
        return out

    def organisation(self, name: str) -> ox.NamedNode | None:
        slug = self.organisations.get(name)
        return self.iris.organisation(slug) if slug else None


class ShippedBuilder:
    """Build every unit of the shipped data under one base."""

    def __init__(self, iris: IRIs, sources: Path | None = None) -> None:
        self.iris = iris
        self.sources = sources or data_dir() / "sources"
        self.lookups = Lookups(iris)
        self.project = iris.resource("project", "cross-innovation")
        self.org_triples: dict[str, TripleBuilder] = {}
        self.org_rows: dict[str, Row] = {}

    def rows(self, name: str) -> list[Row]:
        return read_csv(self.sources / name)

    def build(self) -> list[Unit]:
        """Return all units, sorted by graph IRI."""
        units = [*self.schemes(), *self.cities(), *self.sectors(), *self.themes(),
                 *self.concepts("organisation-kind", "organisation-kinds",
                                "organisation_kinds.csv", CI.OrganisationKind),
                 *self.concepts("project-role", "project-roles", "project_roles.csv",
                                CI.ProjectRole)]
        self.read_organisations()
        units += [*self.practices(), *self.events(), self.project_unit()]
        units += self.organisation_units()
        return sorted(units, key=lambda u: u.graph.value)

    # reference data ------------------------------------------------------------
    def schemes(self) -> Iterator[Unit]:
        titles = {
            "cities": "Partner cities of the Cross Innovation project",
            "sectors": "Sectors: the creative industries and other growth sectors",
            "themes": "Policy sub-themes of the Cross Innovation project",
            "organisation-kinds": "Kinds of organisation",
            "project-roles": "Roles of organisations in the Cross Innovation project",
        }
        for name, title in titles.items():
            node = self.iris.scheme(name)
            b = TripleBuilder()
            b.add(node, RDF.type, SKOS.ConceptScheme)
            b.add(node, SKOS.prefLabel, en(title))
            b.add(node, DCTERMS.title, en(title))
            yield Unit(self.iris.scheme_graph(name), b.triples, [node], f"scheme {name}")

    def cities(self) -> Iterator[Unit]:
        scheme = self.iris.scheme("cities")
        points = {row["id"]: row for row in self.rows("city_coordinates.csv")}
        for row in self.rows("cities.csv"):
            slug = check_slug(row["id"])
            self.lookups.cities[slug] = slug
            self.lookups.cities[row["name"].lower()] = slug
            node = self.iris.resource("city", slug)
            b = TripleBuilder()
            b.add_all(node, RDF.type, [CI.City, SKOS.Concept])
            b.add(node, SKOS.inScheme, scheme)
            b.add(node, SKOS.topConceptOf, scheme)
            b.add(node, SKOS.notation, slug)
            b.add(node, SKOS.prefLabel, en(row["name"]))
            b.add(node, RDFS.label, en(row["name"]))
            b.add(node, CI.countryCode, row["country_code"])
            if row["wikidata_qid"]:
                # the concept's focus is the place Wikidata describes; a concept is not
                # the place, so never owl:sameAs (ontology 2.0.0, ci:City)
                b.add(node, FOAF.focus, ox.NamedNode(WIKIDATA + row["wikidata_qid"]))
            # cities.csv has no sources: its notes are the editors' own (how a QID or a
            # partner body was found), never facts of the graph
            b.add(node, SKOS.editorialNote, en(row["notes"]))
            if slug in points:
                # where the city is, as a WGS84 point of its own (the concept is not a
                # place), with the GeoNames record it comes from
                point, where = ox.NamedNode(node.value + "#point"), points[slug]
                b.add(node, GEO.location, point)
                b.add(point, RDF.type, GEO.Point)
                b.add(point, GEO.lat, ox.Literal(where["latitude"], datatype=XSD.decimal))
                b.add(point, GEO.long, ox.Literal(where["longitude"], datatype=XSD.decimal))
                b.add(point, DCTERMS.source, ox.NamedNode(where["source_url"]))
                b.add(point, SKOS.note, en(where["note"]))
            yield Unit(self.iris.graph("city", slug), b.triples, [node], row.where())
        yield self._top_concepts_unit("cities", [self.iris.resource("city", c) for c in
                                                 sorted(set(self.lookups.cities.values()))])

    def _top_concepts_unit(self, scheme_name: str, tops: list[ox.NamedNode]) -> Unit:
        # hasTopConcept has the scheme as subject, so it lives in the scheme's graph;
        # kept apart from schemes() so each is written once. Merged by graph below.
        scheme = self.iris.scheme(scheme_name)
        triples = [ox.Triple(scheme, SKOS.hasTopConcept, t) for t in tops]
        return Unit(self.iris.scheme_graph(scheme_name), triples, [], f"scheme {scheme_name}")

    def sectors(self) -> Iterator[Unit]:
        scheme = self.iris.scheme("sectors")
        rows = self.rows("sectors.csv")
        narrower: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            if row["top"]:
                narrower[row["top"]].append(row["id"])
        for term_row in self.rows("sector_terms.csv"):
            targets = term_row.list("sectors")
            known = {r["id"] for r in rows}
            for target in targets:
                if target not in known:
                    raise IngestError(f"{term_row.where()}: unknown sector id {target!r}")
            self.lookups.sector_terms[term_row["term"].lower()] = targets
        alt_labels: dict[str, list[str]] = defaultdict(list)
        labels = {r["label"].lower() for r in rows}
        for term, targets in self.lookups.sector_terms.items():
            if len(targets) == 1 and term not in labels and targets[0] not in TOP_SECTORS:
                alt_labels[targets[0]].append(term)
        for row in rows:
            slug = check_slug(row["id"])
            node = self.iris.resource("sector", slug)
            b = TripleBuilder()
            b.add_all(node, RDF.type, [CI.Sector, SKOS.Concept])
            b.add(node, SKOS.inScheme, scheme)
            b.add(node, SKOS.notation, slug)
            b.add(node, SKOS.prefLabel, en(row["label"]))
            b.add(node, RDFS.label, en(row["label"]))
            b.add_all(node, SKOS.altLabel, [en(t) for t in sorted(alt_labels[slug])])
            b.add(node, SKOS.definition, en(row["definition"]))
            if row["top"]:
                if row["top"] not in TOP_SECTORS:
                    raise IngestError(f"{row.where()}: top must be one of {TOP_SECTORS}")
                b.add(node, SKOS.broader, self.iris.resource("sector", row["top"]))
            else:
                if slug not in TOP_SECTORS:
                    raise IngestError(f"{row.where()}: only {TOP_SECTORS} may have no top")
                b.add(node, SKOS.topConceptOf, scheme)
                b.add_all(node, SKOS.narrower,
                          [self.iris.resource("sector", n) for n in sorted(narrower[slug])])
            # exact only where the NACE class means the same activity, no more, no less;
            # broad: the NACE class covers more than the sector; narrow: it is a part of it
            for column, match in (("nace_exact", SKOS.exactMatch), ("nace_close", SKOS.closeMatch),
                                  ("nace_broad", SKOS.broadMatch),
                                  ("nace_narrow", SKOS.narrowMatch)):
                for code in row[column].split():
                    b.add(node, match, ox.NamedNode(NACE + code.replace(".", "")))
            yield Unit(self.iris.graph("sector", slug), b.triples, [node], row.where())
        yield self._top_concepts_unit(
            "sectors", [self.iris.resource("sector", t) for t in TOP_SECTORS])

    def concepts(self, kind: str, scheme_name: str, table: str,
                 cls: ox.NamedNode) -> Iterator[Unit]:
        """The concepts of a flat editorial scheme (organisation kinds, project roles)."""
        scheme = self.iris.scheme(scheme_name)
        slugs = []
        for row in self.rows(table):
            slug = check_slug(row["id"])
            slugs.append(slug)
            node = self.iris.resource(kind, slug)
            b = TripleBuilder()
            b.add_all(node, RDF.type, [cls, SKOS.Concept])
            b.add(node, SKOS.inScheme, scheme)
            b.add(node, SKOS.topConceptOf, scheme)
            b.add(node, SKOS.notation, slug)
            b.add(node, SKOS.prefLabel, en(row["label"]))
            b.add(node, RDFS.label, en(row["label"]))
            b.add(node, SKOS.definition, en(row["definition"]))
            yield Unit(self.iris.graph(kind, slug), b.triples, [node], row.where())
        self.lookups.concepts[kind] = set(slugs)
        yield self._top_concepts_unit(scheme_name, [self.iris.resource(kind, s) for s in slugs])

    def concept(self, kind: str, slug: str, where: str) -> ox.NamedNode | None:
        """The concept of an editorial scheme that a source's word names (None for none)."""
        if not slug:
            return None
        if slug not in self.lookups.concepts.get(kind, ()):
            raise IngestError(f"{where}: {slug!r} is not a {kind} of the editorial tables")
        return self.iris.resource(kind, slug)

    def themes(self) -> Iterator[Unit]:
        scheme = self.iris.scheme("themes")
        slugs = []
        for row in self.rows("themes.csv"):
            slug = check_slug(row["id"])
            slugs.append(slug)
            node = self.iris.resource("theme", slug)
            b = TripleBuilder()
            b.add_all(node, RDF.type, [CI.SubTheme, SKOS.Concept])
            b.add(node, SKOS.inScheme, scheme)
            b.add(node, SKOS.topConceptOf, scheme)
            b.add(node, SKOS.notation, slug)
            b.add(node, SKOS.prefLabel, en(row["label"]))
            b.add(node, RDFS.label, en(row["label"]))
            b.add(node, SKOS.definition, en(row["definition"]))
            b.add_all(node, DCTERMS.source, row.iris("source_urls"))
            yield Unit(self.iris.graph("theme", slug), b.triples, [node], row.where())
        yield self._top_concepts_unit("themes", [self.iris.resource("theme", s) for s in slugs])

    # the project's own data ---------------------------------------------------
    def read_participation(self) -> dict[str, Row]:
        """What the sources say of each organisation whose role claims a partnership."""
        out: dict[str, Row] = {}
        for row in self.rows("project_participation.csv"):
            if row["relation"] not in ("partner", "participant"):
                raise IngestError(f"{row.where()}: relation must be partner or participant")
            if not row["basis"]:
                raise IngestError(f"{row.where()}: say what in the sources is the basis")
            out[row["organisation"]] = row
        return out

    def read_organisations(self) -> None:
        participation = self.read_participation()
        for row in self.rows("organisations.csv"):
            slug = check_slug(row["id"])
            if slug in self.org_rows:
                raise IngestError(f"{row.where()}: duplicate organisation id {slug!r}")
            self.org_rows[slug] = row
            self.lookups.organisations[row["name"]] = slug
            self.lookups.organisation_ids.add(slug)
            node = self.iris.organisation(slug)
            b = TripleBuilder()
            b.add(node, RDF.type, CI.Organisation)
            b.add(node, SCHEMA.name, row["name"])
            b.add(node, RDFS.label, row["name"])
            b.add(node, CI.basedIn, self.lookups.city(row["city"], row.where()))
            b.add_all(node, CI.inSector, self.lookups.sectors(row.list("sectors"), row.where()))
            b.add_all(node, SCHEMA.keywords, row.list("sectors"))
            b.add(node, CI.organisationKind,
                  self.concept("organisation-kind", row["kind"], row.where()))
            role = row["role"]
            if role in PARTNER_ROLES:
                said = participation.pop(slug, None)
                if said is None:
                    raise IngestError(f"{row.where()}: role {role!r}: add {slug} to "
                                      "project_participation.csv with what the sources say")
                if said["relation"] == "partner":
                    b.add(node, CI.partnerIn, self.project)
                elif role == "lead-partner":
                    raise IngestError(f"{said.where()}: a lead partner is a partner")
                else:  # the sources say it took part, not that it was a partner
                    b.add(node, CI.participatedInProject, self.project)
                    role = PARTICIPANT_ROLE
            b.add(node, CI.projectRole, self.concept("project-role", role, row.where()))
            b.add(node, DCTERMS.description, en(row["summary"]))
            b.add_all(node, DCTERMS.source, row.iris("source_urls"))
            self.org_triples[slug] = b
        for left in participation.values():
            raise IngestError(f"{left.where()}: {left['organisation']!r} is not an organisation "
                              "of organisations.csv whose role is lead-partner or project-partner")
        for row in self.rows("organisation_aliases.csv"):
            if row["organisation"] not in self.org_rows:
                raise IngestError(f"{row.where()}: unknown organisation {row['organisation']!r}")
            self.lookups.organisations[row["alias"]] = row["organisation"]

    def practices(self) -> Iterator[Unit]:
        for row in self.rows("good_practices.csv"):
            slug = check_slug(row["id"])
            node = self.iris.resource("practice", slug)
            operator = self.lookups.organisation(row["operator"])
            if operator is None:
                raise IngestError(
                    f"{row.where()}: operator {row['operator']!r} is neither the name of an "
                    "organisation nor an alias in organisation_aliases.csv"
                )
            b = TripleBuilder()
            b.add(node, RDF.type, CI.GoodPractice)
            b.add(node, SCHEMA.name, row["name"])
            b.add(node, RDFS.label, row["name"])
            b.add(node, CI.basedIn, self.lookups.city(row["city"], row.where()))
            if row["sub_theme"]:
                b.add(node, CI.addressesTheme, self.iris.resource("theme", row["sub_theme"]))
            b.add(node, CI.practiceType, row["type"])
            b.add(node, CI.operatedBy, operator)
            for name in row.list("partners"):
                partner = self.lookups.organisation(name)
                if partner is None:
                    b.add(node, CI.unidentifiedPartner, name)
                    self.lookups.warnings.append(
                        f"{row.where()}: partner {name!r} is not an organisation of the "
                        "dataset; kept as text (ci:unidentifiedPartner)"
                    )
                    continue
                # no ci:collaboratesWith in the organisations' graphs: neither said so; the
                # store derives the tie from the practice (ci:DerivedTie, writes.py)
                b.add(node, CI.hasPartner, partner)
            if row["start_year"]:
                b.add(node, SCHEMA.startDate, parse_date(row["start_year"], row.where())[0])
            b.add_all(node, CI.inSector, self.lookups.sectors(row.list("sectors"), row.where()))
            b.add_all(node, SCHEMA.keywords, row.list("sectors"))
            b.add(node, DCTERMS.description, en(row["summary"]))
            b.add_all(node, DCTERMS.source, row.iris("source_urls"))
            b.add(node, CI.partOfProject, self.project)
            yield Unit(self.iris.graph("practice", slug), b.triples, [node], row.where())

    def read_doubts(self) -> tuple[dict[str, Row], dict[str, list[Row]]]:
        """The events the editors found in doubt, and the dates each source gives them."""
        doubts = {}
        for row in self.rows("event_doubts.csv"):
            if row["held"] not in EVENT_HELD or not row["doubt"]:
                raise IngestError(f"{row.where()}: held must be one of {sorted(EVENT_HELD)}, "
                                  "and doubt must say what is in doubt")
            doubts[row["event"]] = row
        dates: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows("event_dates.csv"):
            if row["event"] not in doubts:
                raise IngestError(f"{row.where()}: {row['event']!r} has candidate dates but no "
                                  "row in event_doubts.csv")
            dates[row["event"]].append(row)
        return doubts, dates

    def _doubted_date(self, b: TripleBuilder, node: ox.NamedNode, row: Row, doubt: Row,
                      dates: list[Row]) -> None:
        """An event in doubt: no date of its own, a candidate per date a source gives."""
        b.add(node, CI.doubt, en(doubt["doubt"]))
        if EVENT_HELD[doubt["held"]]:
            b.add(node, CI.uncertain, ox.Literal("true", datatype=XSD.boolean))
        sources = {s.value for s in row.iris("source_urls")}
        if row["date"] not in {d["date"] for d in dates}:
            raise IngestError(f"{doubt.where()}: the date of events.csv, {row['date']!r}, must be "
                              "one of the event's candidates in event_dates.csv")
        for date in dates:
            (source,) = date.iris("source") or [None]
            if source is None or source.value not in sources:
                raise IngestError(f"{date.where()}: source must be one of the event's "
                                  "source_urls in events.csv")
            start, end = parse_date(date["date"], date.where(), months=True)
            candidate = ox.NamedNode(f"{node.value}#date-{date['date'].replace('/', '--')}")
            b.add(node, CI.dateCandidate, candidate)
            b.add(candidate, RDF.type, CI.DateCandidate)
            b.add(candidate, SCHEMA.startDate, start)
            b.add(candidate, SCHEMA.endDate, end)
            b.add(candidate, DCTERMS.source, source)
            b.add(candidate, CI.uncertain, ox.Literal("true", datatype=XSD.boolean))
            b.add(candidate, SKOS.note, en(date["note"]))

    def events(self) -> Iterator[Unit]:
        doubts, dates = self.read_doubts()
        for row in self.rows("events.csv"):
            slug = check_slug(row["id"])
            node = self.iris.resource("event", slug)
            b = TripleBuilder()
            b.add(node, RDF.type, CI.Event)
            b.add(node, SCHEMA.name, row["name"])
            b.add(node, RDFS.label, row["name"])
            b.add(node, CI.heldIn, self.lookups.city(row["city"], row.where()))
            doubt = doubts.pop(slug, None)
            if doubt is None:
                start, end = parse_date(row["date"], row.where())
                b.add(node, SCHEMA.startDate, start)
                b.add(node, SCHEMA.endDate, end)
            else:
                self._doubted_date(b, node, row, doubt, dates[slug])
            b.add(node, DCTERMS.description, en(row["summary"]))
            b.add_all(node, DCTERMS.source, row.iris("source_urls"))
            for participant in row.list("participants"):
                if participant not in self.org_triples:
                    raise IngestError(f"{row.where()}: participant {participant!r} is not an "
                                      "organisation id of organisations.csv")
                self.org_triples[participant].add(
                    self.iris.organisation(participant), CI.participatedIn, node)
            yield Unit(self.iris.graph("event", slug), b.triples, [node], row.where())
        for left in doubts.values():
            raise IngestError(f"{left.where()}: {left['event']!r} is not an event of events.csv")

    def project_unit(self) -> Unit:
        (row,) = self.rows("project.csv")
        node = self.project
        b = TripleBuilder()
        b.add(node, RDF.type, CI.Project)
        b.add(node, SCHEMA.name, en(row["name"]))
        b.add(node, RDFS.label, en(row["short_name"]))
        b.add(node, SCHEMA.alternateName, en(row["short_name"]))
        b.add(node, CI.fundingProgramme, row["programme"])
        b.add(node, SCHEMA.startDate, parse_date(row["start_date"], row.where())[0])
        b.add(node, SCHEMA.endDate, parse_date(row["end_date"], row.where())[0])
        if row["lead_partner"] not in self.org_rows:
            raise IngestError(f"{row.where()}: lead_partner {row['lead_partner']!r} is unknown")
        b.add(node, CI.leadPartner, self.iris.organisation(row["lead_partner"]))
        for city in sorted(set(self.lookups.cities.values())):
            b.add(node, CI.partnerCity, self.iris.resource("city", city))
        if row["homepage"]:
            b.add(node, FOAF.homepage, ox.NamedNode(row["homepage"]))
        b.add(node, DCTERMS.description, en(row["summary"]))
        b.add_all(node, DCTERMS.source, row.iris("source_urls"))
        return Unit(self.iris.graph("project", row["id"]), b.triples, [node], row.where())

    def organisation_units(self) -> list[Unit]:
        return [
            Unit(self.iris.graph("organisation", slug), b.triples,
                 [self.iris.organisation(slug)], f"{self.org_rows[slug].where()} ({slug})")
            for slug, b in self.org_triples.items()
        ]


def merge_units(units: list[Unit]) -> list[Unit]:
    """Merge units that share a graph, keeping the first label and all focus nodes."""
    merged: dict[str, Unit] = {}
    for unit in units:
        existing = merged.get(unit.graph.value)
        if existing is None:
            merged[unit.graph.value] = Unit(unit.graph, list(unit.triples), list(unit.focus),
                                            unit.label)
        else:
            existing.triples += [t for t in unit.triples if t not in existing.triples]
            existing.focus += [f for f in unit.focus if f not in existing.focus]
    return [merged[k] for k in sorted(merged)]


def build_shipped(iris: IRIs, sources: Path | None = None) -> tuple[list[Unit], list[str]]:
    """Return the shipped data as units (one per graph) and the build's warnings."""
    builder = ShippedBuilder(iris, sources)
    units = merge_units(builder.build())
    return units, builder.lookups.warnings


def ontology_unit(iris: IRIs) -> Unit:
    """Return the ontology as a unit for its own named graph."""
    from crossinnov.resources import ontology_path

    triples = [q.triple for q in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)]
    return Unit(iris.ontology_graph, triples, [], "ontology/crossinnov.ttl")


REFERENCE_KINDS = ("city", "sector", "theme", "project", "organisation-kind", "project-role")


def shipped_files(iris: IRIs) -> dict[str, bytes]:
    """Return the generated TriG files of ``data/``: file name -> content."""
    units, _ = build_shipped(iris)
    prefixes = prefixes_for(iris)
    groups: dict[str, list[ox.Quad]] = {"reference.trig": [], "cross-innovation.trig": []}
    for unit in units:
        parsed = iris.resource_of_graph(unit.graph.value)
        is_reference = parsed is None or parsed[0] in REFERENCE_KINDS
        target = "reference.trig" if is_reference else "cross-innovation.trig"
        groups[target] += sorted(unit.quads(), key=lambda q: (str(q.subject), str(q.predicate),
                                                              str(q.object)))
    header = (b"# GENERATED from data/sources/*.csv by `python -m crossinnov.devtools data`;\n"
              b"# edit the CSV files, not this file.\n")
    return {name: header + ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
            for name, quads in groups.items()}


def write_shipped_data() -> list[Path]:
    """Regenerate ``data/*.trig`` from the CSV sources (default base)."""
    from crossinnov.config import DEFAULT_BASE

    paths = []
    for name, content in shipped_files(IRIs(DEFAULT_BASE)).items():
        path = data_dir() / name
        path.write_bytes(content)
        paths.append(path)
    return paths
