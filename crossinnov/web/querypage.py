"""The query page: an editor, example queries, and answers as a table, a chart, a map or a
network.

``GET /sparql`` from a browser without a query shows :func:`query_page`; with a
query and ``Accept: text/html`` the endpoint runs it and hands the answer to
:func:`render_answer` (or the failure to :func:`render_error`). The page works
without JavaScript: the editor is a textarea, the answer a table. With it
(``static/query.js``), the textarea becomes a CodeMirror editor that completes the
graph's prefixes, the ontology's classes and properties and, after a resource
kind's prefix, resource ids (:func:`complete`); an error is marked at its line and
column; and the answer can also be seen as a chart, a map or a network, from the
data the page carries as JSON (:func:`answer_data`). The example queries are the
``.rq`` files of ``crossinnov/sparql/queries/examples/``, each opening with a ``# title:``
and a ``# question:`` line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import render_template, url_for

from crossinnov.formats import WELL_KNOWN_PREFIXES, prefixes_for
from crossinnov.iris import KINDS
from crossinnov.namespaces import XSD
from crossinnov.sparql import queries
from crossinnov.sparql.errors import KEYWORDS
from crossinnov.sparql.queries import QUERIES, number, term, values
from crossinnov.stores.served import parse_answer
from crossinnov.web.state import current
from crossinnov.web.views import LABELS, Link, make_link, short_name

EXAMPLES_DIR = Path(queries.__file__).resolve().parent / "examples"
#: rows shown on the page; the downloads hold them all
SHOWN_ROWS = 1000
#: characters of one value shown on the page; the downloads hold them all
SHOWN_CHARACTERS = 2000
#: datatypes that need no note beside their values
PLAIN = {XSD.string.value, XSD.integer.value, XSD.decimal.value, XSD.double.value,
         XSD.boolean.value}


@dataclass(frozen=True)
class Example:
    """A ready-made query answering one research question."""

    name: str
    title: str
    question: str
    text: str


def load_examples(folder: Path = EXAMPLES_DIR) -> list[Example]:
    """Read the example queries, in file-name order."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        head = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            key, _, value = line.lstrip("# ").partition(":")
            head[key.strip().lower()] = value.strip()
        examples.append(Example(path.stem, head.get("title", path.stem),
                                head.get("question", ""), text))
    return examples


@dataclass(frozen=True)
class Cell:
    """One value of an answer: a link (IRI), a text (literal) or a blank node."""

    link: Link | None = None
    text: str = ""
    note: str = ""  # datatype of a literal; prefixed name of a labelled IRI
    title: str = ""  # shown on hover: the full IRI, datatype or language
    more: int = 0  # characters of the text left out


def _labels(terms: list) -> dict[str, str]:
    """Return labels of the resources among ``terms`` (one query for all)."""
    iris = current().store.iris
    nodes = {t.value: t for t in terms if isinstance(t, ox.NamedNode)
             and t.value.startswith(iris.base)}
    if not nodes:
        return {}
    text = QUERIES.render("page_labels", resources=values(nodes[k] for k in sorted(nodes)))
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for row in current().store.select(text):
        label = row["label"]
        rank = (LABELS.index(row["property"].value), 0 if label.language in ("en", None) else 1)
        key = row["resource"].value
        if key not in best or rank < best[key][0]:
            best[key] = (rank, label.value)
    return {k: v for k, (_, v) in best.items()}


def to_cell(term, labels: dict[str, str]) -> Cell:
    """Show one term: IRIs as links (local for resources), literals as text."""
    if term is None:
        return Cell()
    if isinstance(term, ox.NamedNode):
        label = labels.get(term.value)
        return Cell(make_link(term.value, label), note=short_name(term.value) if label else "",
                    title=term.value)
    if isinstance(term, ox.Literal):
        datatype = short_name(term.datatype.value)
        text, more = term.value[:SHOWN_CHARACTERS], max(0, len(term.value) - SHOWN_CHARACTERS)
        if term.language:
            return Cell(text=text, title="language: " + term.language, more=more)
        note = "" if term.datatype.value in PLAIN else datatype
        return Cell(text=text, note=note, title=datatype, more=more)
    if isinstance(term, ox.BlankNode):
        return Cell(text="_:" + term.value, note="blank node")
    return Cell(text=str(term))


def answer_table(result) -> dict:
    """Turn a parsed answer into what the page shows: a yes/no, or columns and rows of cells."""
    if isinstance(result, ox.QueryBoolean):
        return {"form": "boolean", "boolean": bool(result)}
    if isinstance(result, list):
        columns = ["subject", "predicate", "object"]
        raw = [[t.subject, t.predicate, t.object] for t in result]
        form = "graph"
    else:
        columns = [v.value for v in result.variables]
        raw = [[solution[name] for name in columns] for solution in result]
        form = "solutions"
    shown = raw[:SHOWN_ROWS]
    labels = _labels([term for row in shown for term in row])
    rows = [[to_cell(term, labels) for term in row] for row in shown]
    return {"form": form, "columns": columns, "rows": rows, "total": len(raw), "raw": shown,
            "labels": labels}


def downloads(query: str, form: str, dataset: dict | None = None) -> list[tuple[str, str]]:
    """Return (label, URL) of the same query's answer (over the same dataset) as files."""
    names = ([("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld")]
             if form == "graph" else [("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv")])
    return [(label, url_for("sparql.endpoint", query=query, format=fmt, **(dataset or {})))
            for label, fmt in names]


def _page(query: str, **context) -> str:
    return render_template("query.html", query=query, examples=load_examples(),
                           endpoint=url_for("sparql.endpoint", _external=True),
                           editor=editor_data(), **context)


def query_page() -> str:
    """The query page with an empty answer: the editor holds the first example."""
    examples = load_examples()
    return _page(examples[0].text if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                 result=None)


def render_answer(query: str, answer, dataset: dict | None = None, *, max_bytes: int = 0,
                  seconds: float | None = None) -> str:
    """The query page with the query kept in the editor and its answer.

    :param dataset: the request's ``default-graph-uri``/``named-graph-uri``, kept in the
        download links
    :param max_bytes: the size limit the answer was read with (said when it cut it)
    :param seconds: how long the answer took (shown beside the row count)
    """
    result = answer_table(parse_answer(answer))
    limits = {"rows": current().settings.max_result_rows, "bytes": max_bytes}
    return _page(query, result=result, cut=answer.cut, limits=limits, seconds=seconds,
                 data=answer_data(result),
                 downloads=downloads(query, result["form"], dataset)
                 if result["form"] != "boolean" else [])


def render_error(query: str, failure) -> str:
    """The query page with the query kept in the editor and why it could not be answered.

    :param failure: a :class:`crossinnov.web.errors.Failure`; a syntax error's line,
        column and fix are shown (and marked in the editor)
    """
    details = failure.details or {}
    fix_link = None
    if details.get("fix"):
        fix_link = url_for("sparql.endpoint", query=details["fix"] + "\n" + query)
    return _page(query, result=None, error=failure.message, error_at=details,
                 fix_link=fix_link)


# --- what the page's script gets ----------------------------------------------------------------

@functools.cache
def _vocabulary() -> tuple[tuple[str, str, str], ...]:
    """The ontology's classes and properties, and the common terms of other vocabularies, as
    (prefixed name, kind, label) for completion."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS

    from crossinnov.resources import ontology_path

    graph = rdflib.Graph().parse(ontology_path(), format="turtle")
    kinds = {OWL.Class: "class", OWL.ObjectProperty: "property",
             OWL.DatatypeProperty: "property", OWL.AnnotationProperty: "property"}
    ns = str(WELL_KNOWN_PREFIXES["ci"])
    out = []
    for kind, name in kinds.items():
        for subject in graph.subjects(RDF.type, kind):
            if isinstance(subject, rdflib.URIRef) and str(subject).startswith(ns):
                label = graph.value(subject, RDFS.label)
                out.append((f"ci:{str(subject)[len(ns):]}", name, str(label or "")))
    out += [(name, "property", "") for name in COMMON_TERMS]
    return tuple(sorted(set(out)))


#: terms of other vocabularies the graph uses most, offered by the editor's completion
COMMON_TERMS = ("rdf:type", "rdfs:label", "rdfs:comment", "skos:prefLabel", "skos:notation",
                "skos:broader", "skos:narrower", "skos:inScheme", "skos:exactMatch",
                "skos:closeMatch", "skos:editorialNote", "schema:name", "schema:email",
                "schema:foundingDate", "schema:startDate", "schema:endDate", "schema:keywords",
                "dcterms:description", "dcterms:source", "dcterms:created", "dcterms:modified",
                "foaf:homepage", "foaf:focus", "prov:wasDerivedFrom", "prov:wasAssociatedWith",
                "org:hasMember")


def editor_data() -> dict:
    """What the editor's completion offers: prefixes, vocabulary terms, SPARQL's keywords, and
    where to ask for resource ids."""
    prefixes = {**WELL_KNOWN_PREFIXES, **prefixes_for(current().store.iris)}
    return {"prefixes": prefixes,
            "terms": [{"label": n, "type": k, "detail": d} for n, k, d in _vocabulary()],
            "keywords": sorted(KEYWORDS),
            "complete": url_for("sparql.complete"),
            "resourcePrefixes": sorted(KINDS)}


def _value(term, labels: dict[str, str]) -> dict:
    """One value for the page's script: its text, its kind, and for an IRI a label and link."""
    if term is None:
        return {}
    if isinstance(term, ox.NamedNode):
        link = make_link(term.value, labels.get(term.value))
        return {"v": term.value, "t": "iri", "l": link.label, "h": link.href}
    if isinstance(term, ox.Literal):
        numeric = term.datatype.value in NUMERIC
        return {"v": term.value[:SHOWN_CHARACTERS], "t": "number" if numeric else "literal"}
    return {"v": str(term), "t": "bnode"}


#: datatypes whose values a chart can draw
NUMERIC = {XSD.integer.value, XSD.decimal.value, XSD.double.value, XSD.float.value,
           XSD.int.value, XSD.long.value, XSD.nonNegativeInteger.value}


def answer_data(table: dict) -> dict:
    """The shown rows as data for the chart, map and network views (the table stays HTML)."""
    if table["form"] == "boolean":
        return {"form": "boolean"}
    raw, labels = table["raw"], table["labels"]
    rows = [[_value(t, labels) for t in row] for row in raw]
    return {"form": table["form"], "columns": table["columns"], "rows": rows,
            "places": places([t for row in raw for t in row])}


def places(terms: list) -> dict[str, list]:
    """Where the cities among ``terms`` are: IRI -> [latitude, longitude, label]."""
    iris = current().store.iris
    prefix = iris.base + "id/city/"
    cities = sorted({t.value for t in terms if isinstance(t, ox.NamedNode)
                     and t.value.startswith(prefix)})
    if not cities:
        return {}
    rows = current().store.select(QUERIES.render(
        "page_city_points", cities=values(ox.NamedNode(c) for c in cities)))
    return {r["city"].value: [float(r["lat"].value), float(r["long"].value),
                              r["label"].value if "label" in r else r["city"].value]
            for r in rows}


def complete(prefix: str, text: str, limit: int = 20) -> list[dict]:
    """Resource ids after a resource kind's prefix (``organisation:bee``), with their labels."""
    if prefix not in KINDS:
        return []
    iris = current().store.iris
    start = f"{iris.base}id/{prefix}/{text.lower()}"
    rows = current().store.select(QUERIES.render("complete_resources", limit=number(limit),
                                                 start=term(ox.Literal(start))))
    out = []
    for r in rows:
        slug = r["r"].value.rsplit("/", 1)[1]
        out.append({"label": f"{prefix}:{slug}", "type": "variable",
                    "detail": r["label"].value if "label" in r else ""})
    return out


__all__ = ["Example", "answer_table", "complete", "load_examples", "query_page",
           "render_answer", "render_error"]
