"""The query page: an editor, example queries, and answers as tables.

``GET /sparql`` from a browser without a query shows :func:`query_page`; with a
query and ``Accept: text/html`` the endpoint runs it and hands the answer to
:func:`render_answer`, which shows it as a table under the editor. The example
queries are the ``.rq`` files of ``crossinnov/queries/examples/``, each opening
with a ``# title:`` and a ``# question:`` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import render_template, url_for

from crossinnov import queries
from crossinnov.namespaces import XSD
from crossinnov.queries import QUERIES, values
from crossinnov.served import parse_answer
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
    return {"form": form, "columns": columns, "rows": rows, "total": len(raw)}


def downloads(query: str, form: str, dataset: dict | None = None) -> list[tuple[str, str]]:
    """Return (label, URL) of the same query's answer (over the same dataset) as files."""
    names = ([("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld")]
             if form == "graph" else [("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv")])
    return [(label, url_for("sparql.endpoint", query=query, format=fmt, **(dataset or {})))
            for label, fmt in names]


def _page(query: str, **context) -> str:
    return render_template("query.html", query=query, examples=load_examples(),
                           endpoint=url_for("sparql.endpoint", _external=True), **context)


def query_page() -> str:
    """The query page with an empty answer: the editor holds the first example."""
    examples = load_examples()
    return _page(examples[0].text if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                 result=None)


def render_answer(query: str, answer, dataset: dict | None = None, *, max_bytes: int = 0
                  ) -> str:
    """The query page with the query kept in the editor and its answer as a table.

    :param dataset: the request's ``default-graph-uri``/``named-graph-uri``, kept in the
        download links
    :param max_bytes: the size limit the answer was read with (said when it cut it)
    """
    result = answer_table(parse_answer(answer))
    limits = {"rows": current().settings.max_result_rows, "bytes": max_bytes}
    return _page(query, result=result, cut=answer.cut, limits=limits,
                 downloads=downloads(query, result["form"], dataset)
                 if result["form"] != "boolean" else [])


def render_error(query: str, message: str) -> str:
    """The query page with the query kept in the editor and why it could not be answered."""
    return _page(query, result=None, error=message)


__all__ = ["Example", "answer_table", "load_examples", "query_page", "render_answer",
           "render_error"]
