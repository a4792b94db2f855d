"""Search and browse for people: ``/organisations``, ``/practices``, ``/partners`` (and twins).

Every list is one search of the index (:mod:`crossinnov.search`: ranked full text, facets,
kept in step with every write) read in three steps:

- :func:`parse_query` reads the URL into a :class:`~crossinnov.search.SearchQuery` (the
  only place that reads the parameters): ``q`` (words in a name, other names,
  description or keywords, whatever their case or accents), the filters of the list
  (``city``, ``sector``, ``theme``, and for organisations ``seeks`` and ``kind``: short ids
  or IRIs, repeatable; OR within a field, AND across fields; a top sector takes in its
  narrower ones), ``limit`` and ``cursor``;
- the index answers it: one page, the total, and the facet counts of every filter;
- the views render the answer as a page (no JavaScript needed), as JSON with the same
  rows, or as CSV with every row.

``/partners`` is the organisation search for anyone looking for partners, with the
"seeks partners in" and "kind" filters first; beside it, the partner suggestions
(:mod:`crossinnov.analysis.partners`) of the signed-in organisation, or of the one named
by ``organisation=``. ``/api/partners`` is its JSON twin (``format=csv``: CSV).

This module also gives every page the header's sign-in state (:func:`site_context`).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)

from crossinnov.namespaces import CI
from crossinnov.search import SearchIndex, SearchQuery, SearchResult
from crossinnov.sparql.queries import QUERIES, values
from crossinnov.stores.base import Store
from crossinnov.web.access import COOKIE, signed_in_organisation
from crossinnov.web.errors import HttpError
from crossinnov.web.state import current

bp = Blueprint("lists", __name__)

#: what a filter is called in messages, and as a heading of the page
FIELD_NAMES = {"city": "city", "sector": "sector", "theme": "sub-theme",
               "seeks": "sector sought", "kind": "kind of organisation"}
FIELD_TITLES = {"city": "City", "sector": "Sector", "theme": "Sub-theme",
                "seeks": "Seeks partners in", "kind": "Kind of organisation"}
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_Q = 200
#: at most this many values of one filter in one query
MAX_VALUES = 50
#: a CSV download holds at most this many rows (the first, in the list's order)
MAX_CSV_ROWS = 100_000
#: how many suggestions /partners shows beside the search
SUGGESTIONS = 10
CSV_COLUMNS = ("id", "name", "city", "sectors", "themes", "seeks", "kind", "iri", "url")


@dataclass(frozen=True)
class Kind:
    """One list: what it lists, by which filters, and how it speaks of it."""

    name: str          # the endpoint of its page
    cls: ox.NamedNode
    resource: str      # the kind in /id/{kind}/{slug}
    search_kind: str   # the kind in the search index
    fields: tuple[str, ...]
    title: str
    one: str
    many: str

    @property
    def json_endpoint(self) -> str:
        return f"lists.{self.name}_json"

    @property
    def csv_endpoint(self) -> str:
        return f"lists.{self.name}_csv"


ORGANISATION_FIELDS = ("city", "sector", "theme", "seeks", "kind")
KINDS = {
    "organisations": Kind("organisations", CI.Organisation, "organisation", "organisation",
                          ORGANISATION_FIELDS, "Organisations", "organisation",
                          "organisations"),
    "practices": Kind("practices", CI.GoodPractice, "practice", "practice",
                      ("city", "sector", "theme"), "Good practices", "good practice",
                      "good practices"),
    "partners": Kind("partners", CI.Organisation, "organisation", "organisation",
                     ("seeks", "sector", "city", "theme", "kind"), "Find partners",
                     "organisation", "organisations"),
}


@dataclass
class Choices:
    """The values a list can be filtered by: IRI -> (short id, label), and back."""

    by_iri: dict[str, dict] = field(default_factory=dict)
    by_field: dict[str, list[dict]] = field(default_factory=dict)

    def id_of(self, iri: str) -> str:
        known = self.by_iri.get(iri)
        return known["id"] if known else iri

    def label_of(self, iri: str) -> str:
        known = self.by_iri.get(iri)
        return known["label"] if known else iri.rsplit("/", 1)[-1]

    def resolve(self, name: str, value: str) -> str:
        """Return the IRI of a filter value given as a short id or an IRI; 400 if unknown."""
        for choice in self.by_field.get(name, []):
            if value in (choice["id"], choice["iri"]):
                return choice["iri"]
        known = ", ".join(c["id"] for c in self.by_field.get(name, []))
        raise HttpError(400, f"there is no {FIELD_NAMES[name]} {value[:100]!r}; "
                             f"the {FIELD_NAMES[name]} ids are: {known}")


def load_choices(store: Store) -> Choices:
    """Every filter value with its id and English label (sectors sought are sectors)."""
    choices = Choices(by_field={name: [] for name in FIELD_NAMES})
    for r in store.select(QUERIES["list_choices"]):
        iri = r["value"].value
        if iri in choices.by_iri:
            continue
        item = {"iri": iri, "id": r["id"].value,
                "label": r["label"].value if "label" in r else r["id"].value,
                "broader": r["broader"].value if "broader" in r else None}
        choices.by_iri[iri] = item
        choices.by_field[r["field"].value].append(item)
    choices.by_field["seeks"] = choices.by_field["sector"]
    return choices


def _whole_number(name: str, text: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise HttpError(400, f"{name} must be a whole number from {low} to {high}, "
                             f"not {text[:40]!r}")
    return int(text)


def encode_cursor(after: tuple[float, str, str]) -> str:
    raw = json.dumps(list(after), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[float, str, str]:
    try:
        rank, key, iri = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if isinstance(rank, int | float) and not isinstance(rank, bool) \
                and math.isfinite(rank) and isinstance(key, str) and isinstance(iri, str):
            return float(rank), key, iri
    except (ValueError, TypeError, binascii.Error):
        pass
    raise HttpError(400, "the cursor is not one this site gave out; start again from the "
                         "first page")


def parse_query(args, choices: Choices, kind: Kind) -> SearchQuery:
    """Read a list's URL parameters (the only place that does); 400 on a bad one."""
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_Q:
        raise HttpError(400, f"q may have at most {MAX_Q} characters")
    filters = {}
    for name in FIELD_NAMES:
        given = [v.strip() for v in args.getlist(name) if v.strip()]
        if given and name not in kind.fields:
            raise HttpError(400, f"{kind.many} cannot be filtered by {name}; the filters "
                                 f"are: {', '.join(kind.fields)}")
        if len(given) > MAX_VALUES:
            raise HttpError(400, f"at most {MAX_VALUES} values of {name} at once")
        if given:
            filters[name] = tuple(dict.fromkeys(choices.resolve(name, v) for v in given))
    limit = _whole_number("limit", args.get("limit", str(DEFAULT_LIMIT)), 1, MAX_LIMIT)
    cursor = args.get("cursor")
    return SearchQuery(kind=kind.search_kind, q=q, filters=filters, limit=limit,
                       after=decode_cursor(cursor) if cursor else None)


def query_params(query: SearchQuery, choices: Choices, **changes) -> dict:
    """The URL parameters that ask for ``query`` again (``changes`` replace some)."""
    out: dict = {"q": query.q or None}
    for name, chosen in query.filters.items():
        out[name] = [choices.id_of(v) for v in chosen] or None
    out["limit"] = query.limit if query.limit != DEFAULT_LIMIT else None
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def index() -> SearchIndex:
    """The app's search index (made at first use, then kept in step by the changelog)."""
    return current().search


# --- views -------------------------------------------------------------------------------------

def row_dict(hit, kind: Kind, choices: Choices) -> dict:
    """A hit as JSON: short ids for its city, sectors, sub-themes (and seeks, kind)."""
    def ids(name: str) -> list[str]:
        return sorted(choices.id_of(v) for v in hit.values.get(name, []))

    slug = hit.iri.rsplit("/", 1)[-1]
    cities = ids("city")
    row = {"id": slug, "iri": hit.iri, "name": hit.name,
           "url": url_for("resource.resource", kind=kind.resource, slug=slug),
           "city": cities[0] if cities else None, "sectors": ids("sector"),
           "themes": ids("theme")}
    if "seeks" in kind.fields:
        kinds = ids("kind")
        row.update(seeks=ids("seeks"), kind=kinds[0] if kinds else None)
    return row


def _answer(kind: Kind) -> tuple[SearchQuery, SearchResult, Choices]:
    choices = load_choices(current().store)
    query = parse_query(request.args, choices, kind)
    return query, index().search(query), choices


def _facets(kind: Kind, result: SearchResult, choices: Choices) -> dict:
    return {name: {choices.id_of(v): n for v, n in result.facets[name].items()}
            for name in kind.fields}


def _json(kind: Kind) -> Response:
    query, result, choices = _answer(kind)
    next_url = (url_for(kind.json_endpoint, **query_params(
        query, choices, cursor=encode_cursor(result.next))) if result.next else None)
    return jsonify({
        "results": [row_dict(h, kind, choices) for h in result.hits],
        "total": result.total, "facets": _facets(kind, result, choices),
        "next": encode_cursor(result.next) if result.next else None, "nextUrl": next_url,
        "query": {"q": query.q, **{name: [choices.id_of(v) for v in
                                          query.filters.get(name, ())] for name in kind.fields},
                  "limit": query.limit}})


def _csv(kind: Kind) -> Response:
    """The rows of the query (from its cursor on; all of them, up to :data:`MAX_CSV_ROWS`,
    unless ``limit`` is given), in the list's order, as CSV; lists are ids joined by spaces."""
    choices = load_choices(current().store)
    first = parse_query(request.args, choices, kind)
    search = index()

    # every row, unless a limit is asked for
    cap = first.limit if "limit" in request.args else MAX_CSV_ROWS

    def rows() -> Iterator[dict]:
        query, sent = SearchQuery(first.kind, first.q, first.filters, MAX_LIMIT,
                                  first.after), 0
        while sent < cap:
            result = search.search(query)
            for hit in result.hits[:cap - sent]:
                yield row_dict(hit, kind, choices)
                sent += 1
            if result.next is None:
                return
            query = SearchQuery(first.kind, first.q, first.filters, MAX_LIMIT, result.next)

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c for c in CSV_COLUMNS if c not in (
        ("seeks", "kind") if "seeks" not in kind.fields else ())], extrasaction="ignore",
        lineterminator="\r\n")
    writer.writeheader()
    for row in rows():
        writer.writerow({k: " ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{kind.name}.csv"'
    return response


def _page(kind: Kind, template: str = "list_items.html", **extra) -> Response:
    query, result, choices = _answer(kind)
    endpoint = f"lists.{kind.name}"
    rows = [row_dict(h, kind, choices) for h in result.hits]
    names = {name: {c["id"]: c["label"] for c in choices.by_field[name]} for name in FIELD_NAMES}
    active = [{"field": name, "id": choices.id_of(v),
               "label": f"{FIELD_TITLES[name]}: {choices.label_of(v)}"
               if name in ("seeks", "kind") else choices.label_of(v),
               "remove": url_for(endpoint, **query_params(query, choices, **{name: [
                   choices.id_of(x) for x in query.filters[name] if x != v] or None}))}
              for name in kind.fields for v in query.filters.get(name, ())]
    here = query_params(query, choices, cursor=encode_cursor(query.after)
                        if query.after else None)
    return make_response(render_template(
        template, kind=kind, query=query, rows=rows, total=result.total,
        facets=result.facets, choices=choices, names=names, active=active,
        titles=FIELD_TITLES,
        next_url=url_for(endpoint, **query_params(query, choices, cursor=encode_cursor(
            result.next))) if result.next else None,
        first_url=url_for(endpoint, **query_params(query, choices)) if query.after else None,
        json_url=url_for(kind.json_endpoint, **here),
        csv_url=url_for(kind.csv_endpoint, **query_params(query, choices)),
        clear_url=url_for(endpoint), **extra))


@bp.get("/organisations")
def organisations() -> Response:
    return _page(KINDS["organisations"])


@bp.get("/organisations.json")
def organisations_json() -> Response:
    return _json(KINDS["organisations"])


@bp.get("/organisations.csv")
def organisations_csv() -> Response:
    return _csv(KINDS["organisations"])


@bp.get("/practices")
def practices() -> Response:
    return _page(KINDS["practices"])


@bp.get("/practices.json")
def practices_json() -> Response:
    return _json(KINDS["practices"])


@bp.get("/practices.csv")
def practices_csv() -> Response:
    return _csv(KINDS["practices"])


def suggestions_for(slug: str) -> dict | None:
    """The partner suggestions of ``slug`` for the page; None when there is no such one."""
    crossinnov = current()
    found = crossinnov.suggestions(slug, SUGGESTIONS)
    if found is None:
        return None
    labels = {r["property"].value: r["label"].value for r in crossinnov.store.select(
        QUERIES.render("page_labels", resources=values([crossinnov.store.iris.organisation(
            slug)])))}
    return {"id": slug, "name": labels.get("https://schema.org/name", slug),
            "items": [{**s.as_dict(), "url": url_for("resource.resource", kind="organisation",
                                                     slug=s.slug)} for s in found]}


@bp.get("/partners")
def partners() -> Response:
    """Search organisations to work with; beside it, the suggestions for one organisation."""
    signed_in = signed_in_organisation()
    chosen = request.args.get("organisation", "").strip()[:200] or signed_in
    suggestions = suggestions_for(chosen) if chosen else None
    response = _page(KINDS["partners"], "partners.html", suggestions=suggestions,
                     chosen=chosen, signed_in_as=signed_in)
    if chosen and suggestions is None:
        response.status_code = 404
    return response


@bp.get("/api/partners")
def partners_json() -> Response:
    wants_csv = request.args.get("format") == "csv" or (
        request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv")
    return _csv(KINDS["partners"]) if wants_csv else _json(KINDS["partners"])


@bp.get("/partners.csv")
def partners_csv() -> Response:
    return _csv(KINDS["partners"])


@bp.app_context_processor
def site_context() -> dict:
    """What the header of every page needs: whether the visitor holds the sign-in cookie."""
    return {"signed_in": has_request_context() and bool(request.cookies.get(COOKIE))}
