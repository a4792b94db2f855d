"""HTML pages for resources (organisations, practices, cities, ...)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import render_template


def render_resource(kind: str, iri: ox.NamedNode, triples: list[ox.Triple]):
    own = [t for t in triples if t.subject == iri]
    return render_template("resource.html", kind=kind, iri=iri.value, triples=own)
