"""Organisations' own profiles: read a body, check it, write it whole, keep who did what.

One code path for every writer (API, form, CLI): a body becomes a unit
(:func:`read_body`), the unit is checked against the shapes with what it
references (:func:`crossinnov.writes.load.check_units`), and written as its own named
graph in one transaction with its provenance record (:class:`Profiles`).
A rejected write changes nothing.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyoxigraph as ox

from crossinnov.formats import BY_MEDIA_TYPE, STANDARD_PREFIXES
from crossinnov.ingest import FieldError, Unit
from crossinnov.ingest.profile import (
    FIELD_OF_PROPERTY,
    FIELDS,
    PROVISIONAL_ID,
    ProfileError,
    profile_to_unit,
    unit_to_profile,
)
from crossinnov.iris import InvalidSlug, IRIs, check_slug
from crossinnov.namespaces import CI, DCTERMS, RDF, RDFS, XSD
from crossinnov.stores.base import Store
from crossinnov.validation.shacl import Validator
from crossinnov.writes.changes import (
    Change,
    Deletion,
    delete_organisation,
    deletion_of,
    recorded_time,
    replace_units,
    with_profile_record,
)
from crossinnov.writes.load import check_units
from crossinnov.writes.tokens import AuthError, Holder

#: the profile JSON of the interface
JSON_TYPE = "application/json"
#: the RDF formats a profile may also be sent in (names of crossinnov.formats.RDF_FORMATS)
PROFILE_RDF = ("jsonld", "turtle", "xml")
#: media type -> RDF format of a profile body (plain JSON is the profile JSON, not JSON-LD)
RDF_BODY_TYPES = {media: spec for media, spec in BY_MEDIA_TYPE.items()
                  if spec.name in PROFILE_RDF and media != JSON_TYPE}
ACCEPTED_TYPES = (JSON_TYPE, *RDF_BODY_TYPES)
CONTEXT_PATH = "context.jsonld"


class BodyError(Exception):
    """A body that cannot be read (400) or has an unsupported type (415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Rejected(Exception):
    """A readable profile that breaks the schema or the shapes (422), or another refusal
    (409 taken, 404 unknown, 410 deleted, 412 changed since read)."""

    def __init__(self, status: int, errors: list[FieldError], message: str = "") -> None:
        super().__init__(message or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.status = status
        self.errors = errors


# --- JSON-LD context --------------------------------------------------------------------------

def jsonld_context(iris: IRIs) -> dict[str, Any]:
    """The crossinnov JSON-LD context: profile JSON becomes JSON-LD by adding ``@context``."""
    ctx: dict[str, Any] = {
        "@version": 1.1,
        "@base": f"{iris.base}id/organisation/",
        **{name: STANDARD_PREFIXES[name] for name in ("ci", "schema", "dcterms", "foaf", "xsd")},
        "id": "@id",
        "type": "@type",
        "Organisation": "ci:Organisation",
    }
    for name, (prop, kind, is_list) in FIELDS.items():
        term: dict[str, Any] = {"@id": prop.value}
        if kind is not None:
            term["@type"] = "@vocab"
            term["@context"] = {"@vocab": f"{iris.base}id/{kind}/"}
        elif name == "homepage":
            term["@type"] = "@id"
        elif name == "founded":
            term["@type"] = XSD.gYear.value
        if is_list:
            term["@container"] = "@set"
        ctx[name] = term
    return {"@context": ctx}


def context_iris(iris: IRIs) -> set[str]:
    """The IRIs by which a JSON-LD body may name the crossinnov context."""
    return {iris.base + CONTEXT_PATH, "https://w3id.org/crossinnov/" + CONTEXT_PATH}


def _inline_contexts(node: Any, iris: IRIs) -> Any:
    """Replace references to our context by its content; refuse every other remote context."""
    if isinstance(node, list):
        return [_inline_contexts(n, iris) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _context_value(value, iris)
        elif key == "@import":
            raise BodyError(400, "@import of remote contexts is not allowed")
        else:
            out[key] = _inline_contexts(value, iris)
    return out


def _context_value(value: Any, iris: IRIs) -> Any:
    if isinstance(value, list):
        return [_context_value(v, iris) for v in value]
    if isinstance(value, str):
        if value in context_iris(iris):
            return jsonld_context(iris)["@context"]
        raise BodyError(400, f"remote JSON-LD contexts are never fetched: use the crossinnov "
                             f"context <{iris.base}{CONTEXT_PATH}> or an inline one, not {value!r}")
    if isinstance(value, dict):
        return _inline_contexts(value, iris)
    return value


# --- bodies -----------------------------------------------------------------------------------

def _parse_json(body: bytes) -> Any:
    try:
        data = json.loads(body.decode("utf-8"))
        # JSON may escape half of a surrogate pair (\ud800), which no text may hold
        json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data
    except UnicodeEncodeError as exc:
        raise BodyError(400, "invalid JSON: a \\u escape names half of a UTF-16 surrogate pair "
                             f"({exc.object[exc.start:exc.end]!a}), which is not a character"
                             ) from None
    except UnicodeDecodeError as exc:
        raise BodyError(400, f"the body is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BodyError(400, f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                             f"{exc.msg}") from None
    except RecursionError:
        raise BodyError(400, "invalid JSON: nested too deeply") from None


def _parse_rdf(body: bytes, fmt: ox.RdfFormat, name: str) -> list[ox.Triple]:
    try:
        quads = list(ox.parse(body, format=fmt, without_named_graphs=True))
    except SyntaxError as exc:
        raise BodyError(400, f"invalid {name}: {exc}") from None
    except (ValueError, OSError) as exc:
        raise BodyError(400, f"cannot read the {name} body: {exc}") from None
    return [q.triple for q in quads]


def read_body(body: bytes, content_type: str, iris: IRIs, *, slug: str | None = None,
              label: str = "profile") -> Unit:
    """Turn a request body (profile JSON, JSON-LD, Turtle or RDF/XML) into a profile unit.

    A readable profile with wrong fields still gives a unit: the fields that could
    be read as triples, every error in ``unit.problems`` (with no usable id, under
    the provisional id of :data:`~crossinnov.ingest.profile.PROVISIONAL_ID`), so
    that :meth:`Profiles.create` reports them together with the shapes' findings.
    Such a unit is never written.

    :raises BodyError: unreadable (400) or unsupported type (415)
    :raises Rejected: readable but not a profile at all (422: not an object, or RDF
        about several resources)
    """
    media = content_type.split(";", 1)[0].strip().lower()
    errors: list[FieldError] = []
    spec = RDF_BODY_TYPES.get(media)
    if media == JSON_TYPE:
        data = _parse_json(body)
    elif spec is not None:
        if spec.name == "jsonld":
            body = json.dumps(_inline_contexts(_parse_json(body), iris)).encode()
        elif spec.name == "xml" and re.search(rb"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
            raise BodyError(400, "RDF/XML with a DOCTYPE or entity declarations is refused "
                                 "(no external entities, no entity expansion)")
        triples = _parse_rdf(body, spec.oxformat, spec.label)
        data, errors = read_rdf_profile(triples, iris)
    else:
        raise BodyError(415, f"unsupported content type {media or '(none)'}; send one of "
                             f"{', '.join(ACCEPTED_TYPES)}")
    try:
        unit = profile_to_unit(data, iris, label=label, slug=slug)
    except ProfileError as exc:
        if exc.unit is None:
            raise Rejected(422, errors + exc.errors) from None
        unit = exc.unit
    if errors:
        unit.problems[:0] = errors
    return unit


def rdf_to_profile(triples: list[ox.Triple], iris: IRIs) -> dict[str, Any]:
    """Read an RDF description of one organisation back into profile JSON (strictly).

    Every triple must be about the one organisation, with a property of the
    profile; single-valued fields may have one value only.

    :raises Rejected: (422) with every triple that breaks these rules
    """
    data, errors = read_rdf_profile(triples, iris)
    if errors:
        raise Rejected(422, errors)
    return data


def read_rdf_profile(triples: list[ox.Triple], iris: IRIs
                     ) -> tuple[dict[str, Any], list[FieldError]]:
    """Read an RDF description of one organisation into profile JSON and the triples'
    errors (what :func:`rdf_to_profile` refuses), so that the rest can still be checked.

    :raises Rejected: (422) when the triples are not about one organisation of crossinnov
    """
    errors: list[FieldError] = []
    subjects = {t.subject for t in triples}
    if len(subjects) != 1:
        raise Rejected(422, [FieldError("(profile)", len(subjects),
                                        "a profile describes exactly one organisation; "
                                        "these triples describe "
                                        f"{len(subjects)} resources")])
    (node,) = subjects
    parsed = iris.parse_resource(node.value) if isinstance(node, ox.NamedNode) else None
    if not parsed or parsed[0] != "organisation":
        raise Rejected(422, [FieldError("id", str(node), "the organisation's IRI must be "
                                        f"{iris.base}id/organisation/<id>")])
    data: dict[str, Any] = {"id": parsed[1]}
    types = {t.object for t in triples if t.predicate == RDF.type}
    for extra in types - {CI.Organisation, CI.ProfiledOrganisation}:
        errors.append(FieldError("type", str(extra), "is not a type a profile may have"))
    for t in triples:
        if t.predicate in (RDF.type, RDFS.label):
            continue
        name = FIELD_OF_PROPERTY.get(t.predicate.value)
        if name is None:
            errors.append(FieldError(t.predicate.value, str(t.object),
                                     "is not a property of a profile"))
            continue
        _, kind, is_list = FIELDS[name]
        value: Any = t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else None
        if kind is not None and not isinstance(t.object, ox.NamedNode):
            errors.append(FieldError(name, value, "must be an IRI"))
            continue
        if name == "founded":
            digits = isinstance(value, str) and value.isascii() and value.isdigit()
            value = int(value) if digits else value
        if is_list:
            data.setdefault(name, []).append(value)
        elif name in data:
            errors.append(FieldError(name, value, "has more than one value"))
        else:
            data[name] = value
    return data, errors


# --- the service ------------------------------------------------------------------------------

@dataclass
class Stored:
    """A profile as stored: its JSON, triples, and record."""

    slug: str
    iri: ox.NamedNode
    profile: dict[str, Any]
    triples: list[ox.Triple]
    created: datetime | None
    modified: datetime | None
    etag: str


class Profiles:
    """Create, read, replace and delete profiles in a store, one at a time."""

    def __init__(self, store: Store, validator: Validator) -> None:
        self.store = store
        self.validator = validator
        #: called after every acknowledged write (the analysis and caches follow from there)
        self.listeners: list[Callable[[], None]] = []
        # one write at a time: the existence check, validation and write of one
        # request see no other request's half-done work. The flush that makes a write
        # durable comes after the lock, so writers that arrive together share one
        # (group commit, in the store's flush); none is acknowledged before it.
        self.lock = threading.Lock()

    def agent(self, holder: Holder) -> ox.NamedNode:
        iris = self.store.iris
        return iris.agent(holder.name) if holder.is_admin else iris.organisation(holder.name)

    def get(self, slug: str) -> Stored | None:
        try:
            check_slug(slug)
        except InvalidSlug:
            return None
        iris = self.store.iris
        graph = iris.graph("organisation", slug)
        return self._stored(slug, [q.triple for q in self.store.quads(graph.value)])

    def _stored(self, slug: str, triples: list[ox.Triple]) -> Stored | None:
        """The profile ``slug`` whose graph holds ``triples`` (None: it has no profile)."""
        iris = self.store.iris
        graph = iris.graph("organisation", slug)
        org = iris.organisation(slug)
        if not any(t.subject == org for t in triples):
            return None
        own = [t for t in triples if t.subject == org]
        etag = _etag(triples)
        return Stored(slug, org, unit_to_profile(own, org, iris), triples,
                      recorded_time(triples, graph, DCTERMS.created),
                      recorded_time(triples, graph, DCTERMS.modified), etag)

    def deleted(self, slug: str) -> Deletion | None:
        """Return the tombstone of a deleted profile (None if it was never deleted)."""
        try:
            check_slug(slug)
        except InvalidSlug:
            return None
        iris = self.store.iris
        return deletion_of(self.store, iris.organisation(slug), iris.graph("organisation", slug))

    def missing(self, slug: str, hint: str = "") -> Rejected:
        """The error for a profile that is not there: 410 Gone once deleted, else 404."""
        gone = self.deleted(slug)
        if gone is not None:
            when = gone.at.isoformat(timespec="seconds").replace("+00:00", "Z")
            return Rejected(410, [], f"the profile {slug!r} was deleted at {when} "
                                     f"({gone.activity.value}){hint}")
        return Rejected(404, [], f"there is no profile {slug!r}{hint}")

    def problems(self, unit: Unit) -> list[FieldError]:
        """Every error of a unit: its JSON's and what the shapes find, merged (nothing written).

        A unit without a usable id (its IRI provisional) is checked all the same,
        so one answer lists every field that needs fixing.
        """
        # the checks' reads (declined links, the types of what the unit references) are
        # small and bounded by the unit: the store of record answers them in this process
        _, rejected = check_units(self.store.of_record(), [unit], self.validator)
        return rejected[0].errors if rejected else []

    def _check(self, unit: Unit, taken: FieldError | None = None) -> None:
        """Refuse the unit (422) with every error at once; ``taken``: also say the id is taken.

        Only a unit whose one error is a taken id gets 409.
        """
        errors = self.problems(unit)
        if errors:
            raise Rejected(422, errors + ([taken] if taken else []))
        if taken is not None:
            raise Rejected(409, [taken])

    def _writable(self, unit: Unit, holder: Holder, slug: str) -> None:
        """403 when the token may not write ``slug``; a profile with no usable id (never
        written) gets its 422 with every error instead, whoever sends it."""
        if slug == PROVISIONAL_ID:
            self._check(unit)
            raise Rejected(422, unit.problems)  # not reached: such a unit has problems
        if not holder.may_write(slug):
            raise AuthError(403, f"this token may only write the profile {holder.name!r}")

    def create(self, unit: Unit, holder: Holder) -> Stored:
        slug = unit.graph.value.rsplit("/", 1)[1]
        self._writable(unit, holder, slug)
        with self.lock:
            taken = None
            if slug != PROVISIONAL_ID and self.get(slug) is not None:
                taken = FieldError("id", slug, "is taken: this organisation already has a "
                                   "profile (use PUT to replace it)")
            self._check(unit, taken)
            stored = self._write(unit, holder, None, "create")
        self._sync()
        return stored

    def replace(self, slug: str, unit: Unit, holder: Holder, *, if_match: str | None = None
                ) -> Stored:
        self._writable(unit, holder, slug)
        with self.lock:
            old = self.get(slug)
            if old is None:
                raise self.missing(slug, " (create it with POST)")
            if if_match is not None and if_match.strip('"') != old.etag and if_match != "*":
                raise Rejected(412, [], "the profile changed since you read it (ETag differs)")
            self._check(unit)
            stored = self._write(unit, holder, old, "replace")
        self._sync()
        return stored

    def delete(self, slug: str, holder: Holder, *, if_match: str | None = None) -> None:
        if not holder.may_write(slug):
            raise AuthError(403, f"this token may only write the profile {holder.name!r}")
        with self.lock:
            old = self.get(slug)
            if old is None:
                raise self.missing(slug)
            if if_match is not None and if_match.strip('"') != old.etag and if_match != "*":
                raise Rejected(412, [], "the profile changed since you read it (ETag differs)")
            iris = self.store.iris
            delete_organisation(self.store, old.iri, iris.graph("organisation", slug),
                                Change("delete", self.agent(holder), label=f"delete {slug}"))
        self._sync()

    def _write(self, unit: Unit, holder: Holder, old: Stored | None, action: str) -> Stored:
        """Write a checked unit (call :meth:`_check` first, under the lock; then
        :meth:`_sync`, after it)."""
        slug = unit.graph.value.rsplit("/", 1)[1]
        agent = self.agent(holder)
        change = Change(action, agent, label=f"{action} {slug}")
        stored_unit = with_profile_record(unit, change, old.created if old else None)
        old_links = [t.object for t in (old.triples if old else [])
                     if t.predicate in (CI.collaboratesWith, CI.declinesCollaborationWith)
                     and isinstance(t.object, ox.NamedNode)]
        # once written, the graph holds exactly the unit's triples (the write replaces it
        # whole, and no other write runs under the lock): no need to read it back. Made
        # before the write: right after it the query workers apply it, and this would
        # wait for the processor beside them
        stored = self._stored(slug, as_stored(stored_unit))
        assert stored is not None
        replace_units(self.store, [stored_unit], change,
                      old_organisations=old_links)
        return stored

    def on_write(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every write this service makes durable."""
        self.listeners.append(listener)

    def _sync(self) -> None:
        """Make the write durable before it is acknowledged, then tell the listeners.

        Called after the write's transaction has committed, outside the lock: the
        store's sync returns once a sync (of the embedded store's write-ahead log) that
        began after this call has ended.
        """
        self.store.sync()
        for listener in self.listeners:
            listener()


def as_stored(unit: Unit) -> list[ox.Triple]:
    """The unit's triples as the store gives them back once written: each term as
    Oxigraph keeps it (``"01"^^xsd:integer`` is read back as ``"1"``, language tags in
    lower case) and each triple once, so the answer to a write says what a read would.

    An in-memory Oxigraph store encodes terms as the disk store does; writing the unit to
    one and reading it back takes some 40 µs.
    """
    scratch = ox.Store()
    scratch.extend(unit.quads())
    return [q.triple for q in scratch.quads_for_pattern(None, None, None, unit.graph)]


def _etag(triples: list[ox.Triple]) -> str:
    import hashlib

    text = "\n".join(sorted(str(t) for t in triples))
    return hashlib.sha1(text.encode()).hexdigest()[:20]
