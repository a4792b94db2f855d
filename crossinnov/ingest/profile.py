"""The profile JSON of the interface, to and from RDF.

A profile is one organisation's own description::

    {"id": "pakmarkas", "name": "JSC Pakmarkas", "city": "vilnius",
     "sectors": ["packaging", "design"], "themes": ["culture-based-innovation"],
     "description": "...", "homepage": "https://example.org/", "email": "info@example.org",
     "founded": 1993, "collaboratesWith": ["beepart"], "seeksPartnersIn": ["ict"],
     "events": ["innovation-interface-berlin-2014"], "declinesCollaborationWith": ["acme"]}

``declinesCollaborationWith`` names organisations whose statement that they work
with this one it refuses: the tie is then removed and shown nowhere.

:func:`profile_to_unit` checks the JSON's shape (types, lengths, characters,
ids); whether the referenced city, sectors, ... exist is left to the SHACL
shapes, so every rule lives in one place. A profile with wrong fields still
becomes a unit (the wrong fields left out, the errors in ``unit.problems``), so
that one answer can list the shapes' findings too; when not even an id can be
made, :class:`ProfileError` carries such a unit under a provisional IRI.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from crossinnov.ingest import FieldError, TripleBuilder, Unit
from crossinnov.iris import InvalidSlug, IRIs, check_slug, slugify
from crossinnov.namespaces import CI, DCTERMS, FOAF, RDF, RDFS, SCHEMA, XSD

#: JSON field -> (property, kind of the referenced resource or None, is a list)
FIELDS: dict[str, tuple[ox.NamedNode, str | None, bool]] = {
    "name": (SCHEMA.name, None, False),
    "city": (CI.basedIn, "city", False),
    "sectors": (CI.inSector, "sector", True),
    "themes": (CI.addressesTheme, "theme", True),
    "description": (DCTERMS.description, None, False),
    "homepage": (FOAF.homepage, None, False),
    "email": (SCHEMA.email, None, False),
    "founded": (SCHEMA.foundingDate, None, False),
    "collaboratesWith": (CI.collaboratesWith, "organisation", True),
    # organisations whose stated collaboration with this one it refuses (see writes.changes)
    "declinesCollaborationWith": (CI.declinesCollaborationWith, "organisation", True),
    "seeksPartnersIn": (CI.seeksPartnersIn, "sector", True),
    "events": (CI.participatedIn, "event", True),
}
FIELD_OF_PROPERTY = {prop.value: name for name, (prop, _, _) in FIELDS.items()}
FIELD_OF_PROPERTY[RDF.type.value] = "type"
MAX_TEXT = {"name": 300, "description": 5000, "email": 254, "homepage": 2000}
MAX_LIST = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


#: the id under which a profile without a usable id is still checked against the shapes
#: (not a valid slug, so it never names a real organisation; such a unit is never written)
PROVISIONAL_ID = "-provisional-"


class ProfileError(ValueError):
    """A profile whose JSON is not the interface's schema; carries every field error.

    ``unit``: when the profile was an object, its unit under the provisional id
    :data:`PROVISIONAL_ID` (with ``errors`` as its problems), for the shape checks
    to report the other fields in the same answer; None otherwise.
    """

    def __init__(self, errors: list[FieldError], label: str = "",
                 unit: Unit | None = None) -> None:
        self.errors = errors
        self.label = label
        self.unit = unit
        text = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{label}: {text}" if label else text)


def _text(errors: list[FieldError], name: str, value: Any, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        errors.append(FieldError(name, value, "must be a string"))
        return ""
    limit = MAX_TEXT.get(name, 300)
    if len(value) > limit:
        errors.append(FieldError(name, value[:80] + "...", f"is longer than {limit} characters"))
    bad = _CONTROL.search(value) or (not multiline and re.search(r"[\r\n\t]", value))
    if bad:
        errors.append(FieldError(name, value[:80], "contains a control character "
                                 f"(U+{ord(bad.group(0)):04X}); remove it"))
    return value.strip()


def resolve(iris: IRIs, kind: str, value: Any, field: str, errors: list[FieldError]):
    """Return the IRI for a short id or a full IRI of ``kind``; record an error otherwise."""
    if not isinstance(value, str) or not value:
        errors.append(FieldError(field, value, f"must be a {kind} id (a string)"))
        return None
    prefix = f"{iris.base}id/{kind}/"
    slug = value[len(prefix):] if value.startswith(prefix) else value
    if re.match(r"^[a-z][a-z0-9+.-]*:", slug):
        errors.append(FieldError(field, value, f"is not a {kind} of crossinnov "
                                 f"(IRIs must start with {prefix})"))
        return None
    try:
        return iris.resource(kind, check_slug(slug))
    except InvalidSlug:
        errors.append(FieldError(field, value, f"is not a valid {kind} id: use lower-case "
                                 "letters, digits and hyphens"))
        return None


def profile_slug(data: dict[str, Any]) -> str:
    """Return the profile's id: its ``id`` or the slug of its name."""
    if data.get("id") not in (None, ""):
        return check_slug(data["id"])
    name = data.get("name")
    return check_slug(slugify(name if isinstance(name, str) else ""))


def profile_to_unit(data: Any, iris: IRIs, *, label: str = "", slug: str | None = None) -> Unit:
    """Turn a profile (parsed JSON) into the unit of its named graph.

    Fields with a wrong type, length or character are left out of the triples
    and listed in ``unit.problems`` (so SHACL still reports the other fields).

    :param slug: the id the profile must have (from the URL of a PUT)
    :raises ProfileError: when no unit can be made (not an object, no usable id)
    """
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise ProfileError([FieldError("(profile)", None, "a profile must be a JSON object")],
                           label)
    for key in data:
        if key != "id" and key not in FIELDS:
            errors.append(FieldError(key, data[key], "is not a field of a profile"))
    if not isinstance(data.get("name"), str) or not data.get("name", "").strip():
        errors.append(FieldError("name", data.get("name"), "is required (a non-empty string)"))
    given = data.get("id")
    try:
        own = profile_slug(data) if isinstance(given, str | None) else None
        if own is None:
            errors.append(FieldError("id", given, "must be a string"))
    except InvalidSlug:
        own = None
        if given not in (None, ""):
            errors.append(FieldError("id", given, "is not a valid id: use 1-100 lower-case "
                                     "letters, digits and hyphens"))
        elif data.get("name"):
            errors.append(FieldError("name", data.get("name"), "gives no usable id; add an id"))
    if slug is not None and own is not None and given not in (None, "") and own != slug:
        errors.append(FieldError("id", given, f"does not match the profile's id {slug!r}"))
    own = slug or own
    if own is None:
        # no id: still build the unit, under an IRI no organisation can have, so that the
        # shapes can report the other fields; the caller decides whether to use it
        node = ox.NamedNode(f"{iris.base}id/organisation/{PROVISIONAL_ID}")
        unit = _build(data, iris, node,
                      ox.NamedNode(f"{iris.base}graph/organisation/{PROVISIONAL_ID}"),
                      label or "profile", errors)
        raise ProfileError(unit.problems, label, unit)
    label = f"{label} ({own})" if label else f"profile {own}"
    return _build(data, iris, iris.organisation(own), iris.graph("organisation", own), label,
                  errors)


def _build(data: dict[str, Any], iris: IRIs, node: ox.NamedNode, graph: ox.NamedNode,
           label: str, errors: list[FieldError]) -> Unit:
    """Make the unit of a profile object; fields that cannot be read go to ``errors``."""
    b = TripleBuilder()
    b.add(node, RDF.type, CI.Organisation)
    b.add(node, RDF.type, CI.ProfiledOrganisation)
    if isinstance(data.get("name"), str) and data["name"].strip():
        name = _text(errors, "name", data["name"])
        b.add(node, SCHEMA.name, name)
        b.add(node, RDFS.label, name)
    for field, (prop, kind, is_list) in FIELDS.items():
        if field == "name" or field not in data or data[field] is None:
            continue
        value = data[field]
        if kind is None:
            b.add(node, prop, _literal(errors, field, value))
            continue
        items = value if is_list else [value]
        if is_list and not isinstance(value, list):
            errors.append(FieldError(field, value, "must be a list of ids"))
            continue
        if not is_list and isinstance(value, list):
            errors.append(FieldError(field, value, "must be one id, not a list"))
            continue
        if len(items) > MAX_LIST:
            errors.append(FieldError(field, len(items), f"has more than {MAX_LIST} entries"))
            continue
        for item in items:
            iri = resolve(iris, kind, item, field, errors)
            if iri is not None:
                b.add(node, prop, iri)
    triples = list(dict.fromkeys(b.triples))  # duplicates in a list are harmless; keep one
    return Unit(graph, triples, [node], label, errors)


def _literal(errors: list[FieldError], field: str, value: Any) -> ox.Literal | ox.NamedNode | None:
    if field == "founded":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(FieldError(field, value, "must be a year as a whole number, like 1993"))
            return None
        if not 1000 <= value <= 2099:
            errors.append(FieldError(field, value, "must be a year between 1000 and this year"))
            return None
        return ox.Literal(str(value), datatype=XSD.gYear)
    text = _text(errors, field, value, multiline=(field == "description"))
    if not text:
        return None
    if field == "homepage":
        if not re.match(r"^https?://[^\s/?#]+", text):
            errors.append(FieldError(field, value, "must be an http:// or https:// address"))
            return None
        try:
            return ox.NamedNode(text)
        except ValueError as exc:
            errors.append(FieldError(field, value, f"is not a valid web address ({exc})"))
            return None
    return ox.Literal(text)


def unit_to_profile(triples: list[ox.Triple], node: ox.NamedNode, iris: IRIs) -> dict[str, Any]:
    """Return the profile JSON of an organisation from the triples of its graph."""
    out: dict[str, Any] = {"id": node.value.rsplit("/", 1)[1]}
    for field, (prop, kind, is_list) in FIELDS.items():
        objects = sorted(
            (t.object for t in triples if t.subject == node and t.predicate == prop),
            key=lambda o: o.value,
        )
        if not objects:
            continue
        if kind is not None:
            ids = [_short(iris, kind, o) for o in objects]
            out[field] = ids if is_list else ids[0]
        elif field == "founded":
            out[field] = int(objects[0].value)
        else:
            out[field] = objects[0].value
    return out


def _short(iris: IRIs, kind: str, term: ox.NamedNode) -> str:
    prefix = f"{iris.base}id/{kind}/"
    return term.value[len(prefix):] if term.value.startswith(prefix) else term.value
