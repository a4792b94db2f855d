"""Validate units against the shapes, then write the good ones: the one path every write takes.

The CLI's ``load`` and ``validate``, and the web API, all call
:func:`check_units`, so a file the CLI accepts is accepted by the API and the
other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from crossinnov.ingest import FieldError, IngestError, Unit
from crossinnov.ingest.files import Rejected, read_path
from crossinnov.ingest.profile import FIELD_OF_PROPERTY
from crossinnov.iris import IRIs
from crossinnov.ingest.shipped import build_shipped, ontology_unit
from crossinnov.namespaces import CI, RDF
from crossinnov.store import Store
from crossinnov.validate import Validator, Violation, context_triples, referenced_iris
from crossinnov.writes import (
    Change,
    created_of,
    profile_record,
    rebuild_closure,
    record,
    replace_units,
)

#: above this many triples a load goes through the bulk loader instead of one transaction
BULK_THRESHOLD = 200_000
#: units validated together in one pySHACL call
CHECK_CHUNK = 2_000

Progress = Callable[[int], None]


@dataclass
class LoadReport:
    """What a load or a validation did."""

    accepted: list[Unit] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def triples(self) -> int:
        return sum(len(u.triples) for u in self.accepted)

    @property
    def conforms(self) -> bool:
        return not self.rejected


def violation_errors(violations: Iterable[Violation], iris: IRIs) -> list[FieldError]:
    """Turn SHACL violations into field errors named and valued like the profile JSON.

    The path becomes the JSON field (``ci:basedIn`` -> ``city``); a value that is
    a minted IRI becomes the short id the user typed (``.../id/city/paris`` -> ``paris``).
    """
    out = []
    for v in violations:
        name = FIELD_OF_PROPERTY.get(v.path or "", None)
        if name is None and v.path:
            name = v.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        value: object = v.value
        parsed = iris.parse_resource(v.value) if v.value else None
        if parsed:
            value = parsed[1]
        out.append(FieldError(name or "(profile)", value, v.message))
    return out


def check_units(
    store: Store,
    units: list[Unit],
    validator: Validator,
    *,
    progress: Progress | None = None,
) -> tuple[list[Unit], list[Rejected]]:
    """Validate units (each with what it references) and split them into accepted and rejected.

    Referenced resources are known from the batch itself or from the store. A
    unit that points at a rejected one is checked again without it, until
    nothing changes.
    """
    batch_types: dict[ox.NamedNode, list[ox.Triple]] = {}
    for unit in units:
        for t in unit.triples:
            if t.predicate == RDF.type and isinstance(t.subject, ox.NamedNode):
                batch_types.setdefault(t.subject, []).append(t)
    wanted = set()
    for unit in units:
        wanted |= referenced_iris(unit.triples)
    from_store = context_triples(store, [n for n in wanted if n not in batch_types])

    # units whose JSON already failed are out of the context from the start
    rejected: dict[int, list[Violation]] = {i: [] for i, u in enumerate(units) if u.problems}
    candidates = list(range(len(units)))
    while candidates:
        excluded = {f for i in rejected for f in units[i].focus}
        context = [t for node, ts in batch_types.items() if node not in excluded for t in ts]
        context += from_store
        newly = _check(units, candidates, context, validator, progress)
        fresh = {i for i in newly if i not in rejected}
        for i, violations in newly.items():
            rejected.setdefault(i, []).extend(violations)
        if not fresh:
            break
        # re-check units that reference what was just rejected
        gone = {f for i in fresh for f in units[i].focus}
        candidates = [i for i in range(len(units))
                      if i not in rejected and referenced_iris(units[i].triples) & gone]
        progress = None
    accepted = [u for i, u in enumerate(units) if i not in rejected]
    failed = [Rejected(units[i].label, units[i].problems + violation_errors(v, store.iris))
              for i, v in sorted(rejected.items())]
    return accepted, failed


def _check(units, indexes, context, validator, progress) -> dict[int, list[Violation]]:
    out: dict[int, list[Violation]] = {}
    for start in range(0, len(indexes), CHECK_CHUNK):
        chunk = indexes[start:start + CHECK_CHUNK]
        triples = [t for i in chunk for t in units[i].triples] + context
        focus = [f for i in chunk for f in units[i].focus]
        owner = {f.value: i for i in chunk for f in units[i].focus}
        report = validator.validate(triples, focus=focus)
        for v in report.violations:
            # pySHACL reports only the focus nodes it was given, each owned by one unit
            out.setdefault(owner[v.focus], []).append(v)
        if progress:
            progress(len(chunk))
    return out


def with_profile_record(store: Store, unit: Unit, change: Change) -> Unit:
    """Add the profile record (created, modified, by whom) to a profile unit; others unchanged."""
    if not unit.focus or ox.Triple(unit.focus[0], RDF.type, CI.ProfiledOrganisation) \
            not in unit.triples:
        return unit
    created = created_of(store, unit.graph) or change.at
    record = profile_record(unit.graph, unit.focus[0], change.agent, created, change.at)
    return Unit(unit.graph, unit.triples + record, unit.focus, unit.label)


def write_units(store: Store, units: list[Unit], change: Change) -> None:
    """Write accepted units: one transaction, or the bulk loader for big loads."""
    if not units:
        return
    if sum(len(u.triples) for u in units) <= BULK_THRESHOLD:
        replace_units(store, units, change)
        return
    existing = set(store.named_graphs())
    stale = [u for u in units if u.graph.value in existing]
    if stale:  # the bulk loader only adds: clear the graphs that are being replaced
        from crossinnov.queries import QUERIES, term

        for start in range(0, len(stale), 1000):
            store.update(" ;\n".join(QUERIES.render("drop_graph", graph=term(u.graph))
                                     for u in stale[start:start + 1000]))
    store.add_quads((q for u in units for q in u.quads()), bulk=True)
    rebuild_closure(store)
    change.graphs = []
    record(store, change)


def load_units(
    store: Store,
    units: list[Unit],
    validator: Validator,
    change: Change,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Validate then write units; with ``strict``, one rejection writes nothing."""
    accepted, rejected = check_units(store, units, validator, progress=progress)
    report = LoadReport(accepted, rejected)
    if rejected and strict:
        return report
    write_units(store, [with_profile_record(store, u, change) for u in accepted], change)
    report.written = bool(accepted)
    return report


def read_paths(paths: Iterable[Path], iris) -> tuple[list[Unit], list[Rejected]]:
    """Read files into units; an unreadable file raises IngestError."""
    units: list[Unit] = []
    rejected: list[Rejected] = []
    for path in paths:
        u, r = read_path(Path(path), iris)
        units += u
        rejected += r
    graphs = [u.graph.value for u in units]
    if len(set(graphs)) != len(graphs):
        seen: set[str] = set()
        dupes = sorted({g for g in graphs if g in seen or seen.add(g)})
        raise IngestError(f"the same graph is given twice in this load: {', '.join(dupes[:5])}")
    return units, rejected


def shipped_units(store: Store) -> tuple[list[Unit], list[str]]:
    """Return the shipped data (and ontology) under the store's base, with build warnings."""
    units, warnings = build_shipped(store.iris)
    return [ontology_unit(store.iris), *units], warnings
