"""Turn sources (CSV, profile JSON, RDF files) into units of triples ready to validate and store.

A :class:`Unit` is what is validated and written as a whole: the triples of one
named graph (one profile, one practice, one city, ...), the nodes that SHACL
checks, and a label that tells a person where it came from ("row 4",
"id pakmarkas").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox


class IngestError(ValueError):
    """A source that cannot be read; the message names the file, line or field."""


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of a profile (or one property of a resource), in plain words."""

    field: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "message": self.message}


@dataclass
class Unit:
    """The triples of one named graph, validated and written together."""

    graph: ox.NamedNode
    triples: list[ox.Triple]
    focus: list[ox.NamedNode] = field(default_factory=list)
    label: str = ""
    #: problems found before SHACL (JSON types, lengths, characters); such a unit is rejected
    problems: list[FieldError] = field(default_factory=list)

    def quads(self) -> list[ox.Quad]:
        """Return the triples placed in the unit's graph."""
        return [ox.Quad(t.subject, t.predicate, t.object, self.graph) for t in self.triples]


class TripleBuilder:
    """Collect triples about resources, skipping empty values (a gap stays a gap)."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: object) -> None:
        """Add ``s p o``; None and empty strings are left out."""
        if o is None or o == "":
            return
        if isinstance(o, str):
            o = ox.Literal(o)
        self.triples.append(ox.Triple(s, p, o))  # type: ignore[arg-type]

    def add_all(self, s: ox.NamedNode, p: ox.NamedNode, objects: object) -> None:
        for o in objects:  # type: ignore[attr-defined]
            self.add(s, p, o)


__all__ = ["FieldError", "IngestError", "TripleBuilder", "Unit"]
