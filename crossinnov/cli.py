"""The ``crossinnov`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and prints the
result; library errors become one line on stderr and a non-zero exit code,
never a traceback.
"""

from __future__ import annotations

import functools
import gc
import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox

from crossinnov import __version__
from crossinnov.config import Settings, field_types, load_settings
from crossinnov.formats import RDF_FORMATS, prefixes_for
from crossinnov.ingest import IngestError
from crossinnov.sparql.text import looks_like_update, nesting_depth
from crossinnov.stores import open_store
from crossinnov.stores.base import Store, StoreError

EXIT_VIOLATIONS = 1
EXIT_UNREADABLE = 2


def store_options(func: Callable) -> Callable:
    """Add ``--store`` and ``--base`` (also ``CROSSINNOV_STORE``/``CROSSINNOV_BASE``).

    The command gets ``settings`` read by :func:`crossinnov.config.load_settings`:
    defaults, the instance file (``config_file`` when the command has that option,
    else ``CROSSINNOV_CONFIG`` or ``crossinnov.cfg`` in the instance folder),
    ``CROSSINNOV_*``, then the options given. The command's other options named
    after a setting (``query_timeout`` ...) are taken as settings too.
    """

    @click.option("--store", "store", metavar="PATH|URL", default=None,
                  help="Store folder (embedded Oxigraph), ':memory:', or the http(s) URL of a "
                       "SPARQL query endpoint. Default: $CROSSINNOV_STORE, else "
                       "~/.local/share/crossinnov/store.")
    @click.option("--base", metavar="IRI", default=None,
                  help="Base of minted IRIs (default: $CROSSINNOV_BASE, else "
                       "https://w3id.org/crossinnov/).")
    @click.option("--update-url", metavar="URL", default=None,
                  help="SPARQL Update endpoint of an external store (derived when omitted).")
    @click.option("--gsp-url", metavar="URL", default=None,
                  help="Graph Store Protocol endpoint of an external store (derived when omitted).")
    @functools.wraps(func)
    def wrapper(*args: Any, store: str | None, base: str | None, update_url: str | None,
                gsp_url: str | None, **kwargs: Any) -> Any:
        names = field_types()
        overrides = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
        overrides.update(store=store, base=base, update_url=update_url, gsp_url=gsp_url)
        try:
            settings = load_settings(config_file=kwargs.get("config_file"),
                                     overrides=overrides).settings
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        return func(*args, settings=settings, **kwargs)

    return wrapper


def handle_errors(func: Callable) -> Callable:
    """Turn library errors into one clear line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (StoreError, IngestError, OSError, ValueError) as exc:
            raise click.ClickException(str(exc).strip().splitlines()[0]) from exc
        except SyntaxError as exc:
            raise click.ClickException(f"SPARQL syntax error: {exc}") from exc

    return wrapper


def progress_bar(total: int, desc: str, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=total < 200 or None,
                file=sys.stderr, leave=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crossinnov")
def main() -> None:
    """crossinnov: the Cross Innovation knowledge graph as linked open data.

    Organisations, good practices, events, cities, sectors and sub-themes of the
    INTERREG IVC Cross Innovation project (2012-2014), validated with SHACL,
    queryable with SPARQL, published as linked data.

    \b
    Example:
        crossinnov load
        crossinnov query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        crossinnov serve
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="Write nothing if any profile or graph is rejected.")
@store_options
@handle_errors
def load(paths: tuple[Path, ...], strict: bool, settings: Settings) -> None:
    """Load RDF files or profile files (JSON/CSV) into the store, validated.

    Without PATH, loads the shipped data: the ontology, the reference data
    (cities, sectors, sub-themes, the project) and the Cross Innovation
    organisations, good practices and events. Each profile or graph is checked
    against the SHACL shapes first; a bad one is reported with its row or id
    and the field at fault, and the good ones are loaded (unless --strict).
    Loading the same file again replaces its graphs. It writes to the store: stop
    crossinnov serve first, or load into another folder with --store. Exit status:
    0 loaded, 1 something was rejected (or the store cannot be opened), 2 a file
    cannot be read or parsed (nothing is loaded).

    \b
    Example:
        crossinnov load
        crossinnov load profiles.csv my-organisation.json
        crossinnov load --strict dump.nq.gz
    """
    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.changes import Change
    from crossinnov.writes.load import (
        collector_paused,
        load_units,
        prefill,
        read_paths,
        shipped_units,
    )

    with open_store(settings) as store, collector_paused():
        # one big dataset file into an empty store: read, checked and written graph by graph
        report = _stream_load(store, list(paths), strict)
        rejected, what, warnings = [], ", ".join(p.name for p in paths), []
        # else a big dataset file into an empty store: the bulk loader starts on it at once
        # (undone unless it holds just what the checks accept)
        early = prefill(store, list(paths)) if report is None else None
        try:
            if report is not None:
                pass
            elif paths:
                try:
                    units, rejected = read_paths(paths, store.iris,
                                                 early.placement if early else None)
                except (IngestError, OSError) as exc:  # unreadable input: 2, as validate says
                    click.echo(f"Error: {str(exc).strip().splitlines()[0]}", err=True)
                    sys.exit(EXIT_UNREADABLE)
                what, warnings = ", ".join(p.name for p in paths), []
            else:
                (units, warnings), rejected, what = shipped_units(store), [], "the shipped data"
            for warning in warnings:
                click.echo(f"warning: {warning}", err=True)
            if report is None:
                change = Change("load", store.iris.agent("cli"), label=f"crossinnov load {what}")
                with progress_bar(len(units), "validating", "graph") as bar:
                    report = load_units(store, units, Validator(), change, strict=strict,
                                        progress=bar.update, early=early)
        finally:
            if early is not None:
                early.undo()
        report.rejected = rejected + report.rejected
        for item in report.rejected:
            click.echo(f"rejected: {item.as_text()}", err=True)
        if report.rejected and (strict or not report.graphs):
            raise click.ClickException(
                f"{len(report.rejected)} rejected; nothing was loaded"
                + (" (--strict)" if strict and report.graphs else ""))
        click.echo(f"Loaded {report.graphs} graphs ({report.triples} triples) from "
                   f"{what} into {store.location}; the store holds {len(store)} quads.")
        if report.rejected:
            sys.exit(EXIT_VIOLATIONS)


def _stream_load(store, paths: list[Path], strict: bool):
    """Load one big dataset file into an empty store in bounded memory
    (:mod:`crossinnov.writes.stream`); None when it is not such a file, or when its graphs
    cannot be read one by one (then said, and the store left empty for the usual load)."""
    from tqdm import tqdm

    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.changes import Change
    from crossinnov.writes.stream import NotStreamable, stream_load, stream_source

    source = stream_source(store, paths)
    if source is None:
        return None
    path, fmt = source
    change = Change("load", store.iris.agent("cli"), label=f"crossinnov load {path.name}")
    try:
        with tqdm(desc="validating", unit="graph", file=sys.stderr, leave=False,
                  disable=None) as bar:
            return stream_load(store, path, fmt, Validator(), change, strict=strict,
                               progress=bar.update)
    except NotStreamable as exc:
        click.echo(f"warning: {path.name} is loaded as a whole, not graph by graph: {exc}",
                   err=True)
        return None
    except (IngestError, OSError) as exc:  # unreadable input: 2, as validate says
        click.echo(f"Error: {str(exc).strip().splitlines()[0]}", err=True)
        sys.exit(EXIT_UNREADABLE)


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="Report as text, as JSON, or as a SHACL results graph.")
@store_options
def validate(files: tuple[Path, ...], fmt: str, settings: Settings) -> None:
    """Check files against the SHACL shapes without loading them.

    Referenced resources (cities, sectors, partners, ...) are looked up in the
    store; an empty store is stood in for by the shipped data. Exit status: 0
    the files conform, 1 they do not (the report says where and why), 2 a file
    cannot be read.

    \b
    Example:
        crossinnov validate my-organisation.json
        crossinnov validate --format turtle data.ttl > report.ttl
    """
    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.load import check_units, read_paths, shacl_report

    validator = Validator()
    try:
        with _context_store(settings) as store:
            units, rejected = read_paths(files, store.iris)
            accepted, failed = check_units(store, units, validator)
            if fmt == "turtle":
                report = shacl_report(store, units, {r.label for r in failed}, validator,
                                      conforms=not (rejected or failed))
    except (IngestError, StoreError, OSError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    rejected += failed
    if fmt == "json":
        click.echo(json.dumps({
            "conforms": not rejected,
            "checked": len(units) + len(rejected) - len(failed),
            "rejected": [{"label": r.label, "errors": [e.as_dict() for e in r.errors]}
                         for r in rejected],
        }, indent=2))
    elif fmt == "turtle":
        # pySHACL's own results graph on stdout; every rejection in words on stderr (some,
        # such as an unreadable field, are not SHACL findings)
        click.echo(report.serialize(format="turtle"))
        for item in rejected:
            click.echo(f"Rejected: {item.as_text()}", err=True)
    elif rejected:
        checked = len(units) + len(rejected) - len(failed)
        click.echo(f"Does not conform: {len(rejected)} of {checked} checked are rejected.")
        for item in rejected:
            click.echo(f"- {item.as_text()}")
    else:
        click.echo(f"Conforms: {len(accepted)} graph(s) satisfy every shape.")
    sys.exit(EXIT_VIOLATIONS if rejected else 0)


def _context_store(settings: Settings) -> Store:
    """Open the store read-only; if it is empty, use the shipped data in memory instead."""
    store = open_store(settings, read_only=True)
    if store.is_empty():
        from crossinnov.writes.changes import Change, replace_units
        from crossinnov.writes.load import shipped_units

        store.close()
        store = open_store(settings.replace(store=":memory:"))
        units, _ = shipped_units(store)
        replace_units(store, units, Change("load", store.iris.agent("cli")))
    return store


@main.command()
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.File("r"), help="Read the query from a file "
              "('-' for stdin).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "xml", *RDF_FORMATS]),
              help="table, csv, tsv, json or xml for SELECT/ASK; for CONSTRUCT/DESCRIBE "
                   "table means Turtle, json JSON-LD, or name an RDF format.")
@store_options
@handle_errors
def query(sparql: str | None, query_file, fmt: str, settings: Settings) -> None:
    """Run a read-only SPARQL query and print the answer.

    The default graph is the union of all named graphs (FROM and FROM NAMED in
    the query replace it). Updates are refused. Reading only, it works beside a
    running crossinnov serve.

    \b
    Example:
        crossinnov query 'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
          SELECT ?city WHERE { ?c a <https://w3id.org/crossinnov/ontology#City> ;
          skos:notation ?city } ORDER BY ?city'
        crossinnov query --file question.rq --format csv > answer.csv
    """
    text = query_file.read() if query_file else sparql
    if not text:
        raise click.UsageError("give a query, or --file")
    depth = nesting_depth(text)
    if depth > settings.max_query_depth:
        raise click.ClickException(f"the query is nested {depth} levels deep; the limit is "
                                   f"{settings.max_query_depth} (CROSSINNOV_MAX_QUERY_DEPTH)")
    if looks_like_update(text):
        raise click.ClickException("this is an update; crossinnov query only runs read queries "
                                   "(use crossinnov load to change data)")
    with open_store(settings, read_only=True) as store:
        try:
            result = store.query(text)
        except SyntaxError as exc:
            from crossinnov.formats import WELL_KNOWN_PREFIXES
            from crossinnov.sparql.errors import explain, with_caret

            known = {**WELL_KNOWN_PREFIXES, **prefixes_for(store.iris)}
            raise click.ClickException("SPARQL syntax error at " + with_caret(
                text, explain(text, str(exc), known))) from None
        out = sys.stdout.buffer
        # a graph answer: pyoxigraph's QueryTriples, or a list of triples from a SPARQL server
        if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            name = {"table": "turtle", "json": "jsonld", "csv": "ntriples", "tsv": "ntriples",
                    "xml": "xml"}.get(fmt, fmt)
            ox.serialize(result, out, RDF_FORMATS[name].oxformat, prefixes=prefixes_for(store.iris)
                         if name in ("turtle", "trig") else None)
        elif fmt == "table":
            click.echo(render_table(result, prefixes_for(store.iris), text))
        elif fmt in ("csv", "tsv", "json", "xml"):
            from crossinnov.sparql.results import (
                Capped,
                ChunkWriter,
                write_boolean,
                write_solutions,
            )

            writer = ChunkWriter(out.write)
            if isinstance(result, ox.QueryBoolean):
                write_boolean(bool(result), fmt, writer)
            else:
                write_solutions(result, fmt, Capped(sys.maxsize), writer, text)
            out.write(b"\n")
        else:
            raise click.ClickException(f"--format {fmt} is for CONSTRUCT/DESCRIBE queries")
        out.flush()


def short(term: Any, prefixes: dict[str, str]) -> str:
    """Return a term as a person reads it: prefixed IRI, plain literal value."""
    if isinstance(term, ox.NamedNode):
        for name, ns in prefixes.items():
            if term.value.startswith(ns) and term.value != ns:
                return f"{name}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    return "" if term is None else str(term)


def render_table(result: ox.QuerySolutions | ox.QueryBoolean, prefixes: dict[str, str],
                 query: str = "") -> str:
    """Return SELECT results as an aligned text table (or ASK as true/false)."""
    from crossinnov.sparql.results import column_order

    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    names = column_order([v.value for v in result.variables], query)
    rows = [[short(solution[n], prefixes).replace("\n", " ") for n in names]
            for solution in result]
    widths = [min(60, max([len(n), *(len(r[i]) for r in rows)])) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w)
                          for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@main.command()
@click.option("--format", "fmt", required=True, type=click.Choice(list(RDF_FORMATS)),
              help="RDF syntax; turtle, ntriples and xml hold the union graph, "
                   "nquads, trig and jsonld every named graph.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (gzip-compressed if it ends in .gz); default stdout.")
@store_options
@handle_errors
def dump(fmt: str, output: Path | None, settings: Settings) -> None:
    """Write the whole graph in one RDF syntax, streamed.

    Every dump loads back (crossinnov load) to the same graph. Reading only, it works
    beside a running crossinnov serve.

    \b
    Example:
        crossinnov dump --format nquads -o crossinnov.nq.gz
        crossinnov dump --format turtle > crossinnov.ttl
    """
    spec = RDF_FORMATS[fmt]
    with open_store(settings, read_only=True) as store:
        prefixes = prefixes_for(store.iris)
        if output is None:
            store.dump(sys.stdout.buffer, spec.oxformat, prefixes=prefixes)
            sys.stdout.buffer.flush()
            return
        tmp = output.with_name(output.name + ".part")
        opener = gzip.open if output.suffix == ".gz" else open
        with opener(tmp, "wb") as fh:
            store.dump(fh, spec.oxformat, prefixes=prefixes)
        tmp.replace(output)
        click.echo(f"Wrote {output} ({spec.name}, {output.stat().st_size} bytes).", err=True)


@main.command()
@click.option("--resolution", type=float, default=None,
              help="Louvain resolution (default: $CROSSINNOV_ANALYSIS_RESOLUTION, else 1.0); "
                   "higher finds more, smaller clusters.")
@click.option("--seed", type=int, default=None, help="Random seed (default 42).")
@store_options
@handle_errors
def analyse(resolution: float | None, seed: int | None, settings: Settings) -> None:
    """Rebuild the collaboration-network analysis into the store.

    Reads the organisations and their ties with SPARQL — stated collaborations
    (both sides, or one), good practices (operator and partner, co-partners) and
    shared events, each kind with its weight —, finds clusters (Louvain) and names
    them with a reason, measures brokerage on the ties that mean working together,
    scores the cities with enough data, counts every figure's base by kind of tie,
    and replaces the analysis graph with the results and a PROV record of the run.
    It writes to the store: stop crossinnov serve first (a running server re-runs
    the analysis itself after each write, or on POST /api/analysis). Over an external
    store it takes the analysis lease the servers take: while one of them runs the
    analysis, it stops and says so.

    \b
    Example:
        crossinnov analyse
        crossinnov analyse --resolution 1.5
        crossinnov query 'PREFIX ci: <https://w3id.org/crossinnov/ontology#>
          PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
          SELECT ?c ?label ?size WHERE { ?c a ci:Cluster ; rdfs:label ?label ;
          ci:clusterSize ?size } ORDER BY DESC(?size)'
    """
    from crossinnov.analysis import AnalysisTooBig
    from crossinnov.analysis import analyse as run
    from crossinnov.analysis.lease import LeaseHeld

    if resolution is not None:
        settings = settings.replace(analysis_resolution=resolution)
    if seed is not None:
        settings = settings.replace(analysis_seed=seed)
    with open_store(settings) as store:
        try:
            result = run(store, settings)
        except (AnalysisTooBig, LeaseHeld) as exc:
            raise click.ClickException(str(exc)) from None
        # the run's millions of objects live until the command ends: the collection made
        # when the store closes need not walk them (seconds at 100 000 organisations)
        gc.freeze()
    try:
        click.echo(f"{len(result.clusters)} clusters of {result.nodes} organisations "
                   f"({result.edges} ties, modularity {result.modularity:.3f}); "
                   f"{len(result.unconnected)} organisations without ties.")
        for cluster in result.clusters[:10]:
            click.echo(f"  {cluster.size:>5}  {cluster.label}")
        if len(result.clusters) > 10:
            click.echo(f"  ... and {len(result.clusters) - 10} more")
    finally:
        gc.unfreeze()


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("report"), show_default=True,
              help="Folder to write index.html, report.json and figures/ into.")
@store_options
@handle_errors
def report(output: Path, settings: Settings) -> None:
    """Write the cluster report as a static folder a person can open or publish.

    The report shows the latest analysis stored (run crossinnov analyse first;
    without one, the report is computed for the occasion and says so). The folder
    needs no server: index.html, report.json, figures/ and static/ (the site's
    stylesheets and the report's script); open report/index.html in a browser.

    \b
    Example:
        crossinnov analyse && crossinnov report -o report
        crossinnov report -o public/clusters
    """
    from crossinnov.analysis import AnalysisTooBig
    from crossinnov.report import write_report

    with open_store(settings, read_only=True) as store:
        try:
            index = write_report(store, settings, output)
        except AnalysisTooBig as exc:  # no analysis stored, and none fits here
            raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {index} (and report.json, figures/, static/).")


@main.command()
@click.argument("organisation")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@store_options
@handle_errors
def partners(organisation: str, limit: int, fmt: str, settings: Settings) -> None:
    """Suggest partners for an organisation (its id), with a score and the reasons.

    The id is the last part of the organisation's IRI (.../id/organisation/ID); the
    web app shows the same suggestions at /partners.

    \b
    Example:
        crossinnov partners pakmarkas --limit 5
        crossinnov partners --format json beepart
    """
    from crossinnov.analysis.partners import suggest_for

    with open_store(settings, read_only=True) as store:
        suggestions = suggest_for(store, settings, organisation, limit=limit)
    if suggestions is None:
        raise click.ClickException(f"there is no organisation {organisation!r}")
    if fmt == "json":
        click.echo(json.dumps([s.as_dict() for s in suggestions], indent=2, ensure_ascii=False))
        return
    if not suggestions:
        click.echo("No suggestions: no other organisation has anything in common with this one.")
    for s in suggestions:
        click.echo(f"{s.score:.2f}  {s.name} ({s.slug})")
        click.echo(f"      {'; '.join(s.reasons)}")


@main.command()
@click.option("--organisations", "-n", type=click.IntRange(1), required=True,
              help="How many organisations to generate.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="N-Quads file to write (.nq, or .nq.gz compressed).")
@click.option("--base", default=None, metavar="IRI", help="Base of minted IRIs.")
@handle_errors
def generate(organisations: int, seed: int, output: Path, base: str | None) -> None:
    """Write a synthetic graph for tests and benchmarks (never loaded by default).

    Deterministic for a seed; uses the real cities, sectors and sub-themes;
    groups of about 50 organisations, about 8 partners each, 10 % of ties
    across groups, good practices and events.

    \b
    Example:
        crossinnov generate --organisations 1000 --seed 1 -o synthetic-1k.nq
        crossinnov load --store bench-store synthetic-1k.nq
    """
    from crossinnov.generate import Plan, generate_file
    from crossinnov.iris import IRIs

    settings = Settings.from_env(base=base)
    count = generate_file(Plan(organisations, seed), IRIs(settings.base), output)
    click.echo(f"Wrote {output}: {count} quads for {organisations} generated organisations.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int,
              help="Port to listen on (0: any free port; the URL is printed).")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(2, 1000),
              help="Request threads of the WSGI server (the public SPARQL queries may hold "
                   "at most one per query worker plus CROSSINNOV_SPARQL_QUEUE of them).")
@click.option("--query-workers", type=int, default=None,
              help="Query worker processes (default: $CROSSINNOV_QUERY_WORKERS, else one per "
                   "CPU core).")
@click.option("--timeout", "query_timeout", type=float, default=None,
              help="Seconds a query may run before it is stopped with 503 (default 30).")
@click.option("--get", "get_path", metavar="PATH",
              help="Do not serve: run one GET request through the app, print it and exit.")
@click.option("--config", "config_file", metavar="FILE", default=None,
              type=click.Path(dir_okay=False),
              help="Settings file (Python KEY = value lines, e.g. QUERY_TIMEOUT = 10). Default: "
                   "$CROSSINNOV_CONFIG, else crossinnov.cfg in the instance folder if there.")
@store_options
@handle_errors
def serve(host: str, port: int, threads: int, get_path: str | None, config_file: str | None,
          settings: Settings) -> None:
    """Serve the knowledge graph on the web (SPARQL endpoint, dumps, linked data, pages).

    Runs the production WSGI server waitress with several threads; queries run
    in worker processes under a time limit. An empty store is first filled
    with the shipped data. One line is logged per request; Ctrl-C or SIGTERM
    stops the server cleanly. Settings come from the settings file, then
    CROSSINNOV_* variables, then the options; a bad one stops it at start.

    The store folder is held by the server while it runs: crossinnov load and
    crossinnov analyse wait until it stops (or use --store with another folder);
    query, validate, dump, report and partners read beside it.

    \b
    Example:
        crossinnov serve
        crossinnov serve --host 0.0.0.0 --port 8080 --timeout 10
        crossinnov serve --get /healthz
        crossinnov serve --get '/organisations.json?city=vilnius&sector=design'
        crossinnov serve --config /etc/crossinnov.cfg
    """
    from crossinnov.web.server import run, run_get

    if get_path:
        sys.exit(run_get(settings, get_path, config_file=config_file))
    run(settings, host=host, port=port, threads=threads, config_file=config_file)


if __name__ == "__main__":  # pragma: no cover
    main()
