"""The command line, run in process; effects checked through the library."""

from __future__ import annotations

import csv
import gzip
import json
from html import unescape

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from crossinnov.cli import main
from crossinnov.config import Settings
from crossinnov.formats import RDF_FORMATS
from crossinnov.resources import data_dir
from crossinnov.stores import open_store

#: every command of ``crossinnov``, read from the command group itself
COMMANDS = sorted(main.commands)

PRACTICES = """
PREFIX ci: <https://w3id.org/crossinnov/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?practice ?name WHERE { ?practice a ci:GoodPractice ; schema:name ?name } ORDER BY ?practice
"""
CITIES = """
PREFIX ci: <https://w3id.org/crossinnov/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city WHERE { ?c a ci:City ; skos:notation ?city } ORDER BY ?city
"""


@pytest.fixture
def store_path(new_store_location):
    """A new, empty store: a folder, or a server's URL (``--store`` takes either)."""
    return new_store_location()


@pytest.fixture
def loaded(runner, store_path):
    result = runner.invoke(main, ["load", "--store", store_path])
    assert result.exit_code == 0, result.output
    return store_path


def invoke(runner, *args):
    return runner.invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_on_every_command(runner, command):
    result = invoke(runner, *command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command:
        assert "Example:" in result.output


def data_quads(store) -> tuple[set[ox.Quad], int]:
    """Quads without blank nodes, and the count of all, except the changelog's (it grows)."""
    quads = [q for q in store.quads() if q.graph_name != store.iris.changelog_graph]
    ground = {q for q in quads
              if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
    return ground, len(quads)


def test_load_without_paths_loads_the_shipped_data(runner, store_path):
    result = invoke(runner, "load", "--store", store_path)
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output
    with open_store(Settings(store=store_path)) as store:
        assert store.ask("ASK { ?p a <https://w3id.org/crossinnov/ontology#GoodPractice> }")
        assert store.iris.ontology_graph.value in store.named_graphs()
        first = data_quads(store)
    # loading again replaces the same graphs: nothing is duplicated or lost
    assert invoke(runner, "load", "--store", store_path).exit_code == 0
    with open_store(Settings(store=store_path)) as store:
        assert data_quads(store) == first


def test_newcomer_finds_cities_and_every_good_practice(runner, loaded):
    result = invoke(runner, "query", "--store", loaded, "--format", "csv", CITIES)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.strip().splitlines()))
    assert [r["city"] for r in rows] == ["amsterdam", "berlin", "birmingham", "linz", "lisbon",
                                         "plzen", "rome", "stockholm", "tallinn", "vilnius",
                                         "warsaw"]
    result = invoke(runner, "query", "--store", loaded, "--format", "json", PRACTICES)
    found = {b["practice"]["value"].rsplit("/", 1)[1]
             for b in json.loads(result.output)["results"]["bindings"]}
    with open(data_dir() / "sources" / "good_practices.csv", newline="") as fh:
        expected = {row["id"] for row in csv.DictReader(fh)}
    assert found == expected


def test_query_table_shortens_iris(runner, loaded):
    result = invoke(runner, "query", "--store", loaded, PRACTICES)
    assert "practice:fab-lab-lx" in result.output
    assert result.output.rstrip().endswith("(12 rows)")


def test_query_ask_and_construct(runner, loaded):
    ask = invoke(runner, "query", "--store", loaded,
                 "ASK { ?s a <https://w3id.org/crossinnov/ontology#City> }")
    assert ask.output.strip() == "true"
    result = invoke(runner, "query", "--store", loaded, "--format", "ntriples",
                    "CONSTRUCT { ?c ?p ?o } WHERE { ?c a <https://w3id.org/crossinnov/ontology#City>"
                    " ; ?p ?o }")
    graph = rdflib.Graph().parse(data=result.output, format="nt")
    assert len(set(graph.subjects())) == 11


def test_query_refuses_updates_and_shows_syntax_errors_with_a_caret(runner, loaded):
    before = len(open_store(Settings(store=loaded), read_only=True))
    result = invoke(runner, "query", "--store", loaded, "DROP ALL")
    assert result.exit_code != 0 and "update" in result.output
    result = invoke(runner, "query", "--store", loaded, "SELECT * WHERE {\n  ?s ci:name ?o }")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    message, line, caret = result.output.rstrip("\n").splitlines()
    assert message.startswith("Error: SPARQL syntax error at line 2, column 6:")
    assert "PREFIX ci: <https://w3id.org/crossinnov/ontology#>" in message
    assert line == "    ?s ci:name ?o }" and caret == "  " + " " * 5 + "^"
    assert len(open_store(Settings(store=loaded), read_only=True)) == before


def test_validate_exit_codes(runner, tmp_path, store_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"name": "Example Studio", "city": "tallinn",
                                "sectors": ["design"], "collaboratesWith": ["beepart"]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "Example Studio", "city": "paris", "sectors": []}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x",')
    # an empty store: the shipped data stands in for the references
    assert invoke(runner, "validate", "--store", store_path, good).exit_code == 0
    result = invoke(runner, "validate", "--store", store_path, bad)
    assert result.exit_code == 1
    assert "city" in result.output and "paris" in result.output
    assert "at least one sector" in result.output
    result = invoke(runner, "validate", "--store", store_path, broken)
    assert result.exit_code == 2 and "line 1 column" in result.output
    missing = invoke(runner, "validate", "--store", store_path, tmp_path / "missing.json")
    assert missing.exit_code == 2
    report = json.loads(invoke(runner, "validate", "--store", store_path, "--format", "json",
                               bad).output)
    assert report["conforms"] is False
    fields = {e["field"] for e in report["rejected"][0]["errors"]}
    assert {"city", "sectors"} <= fields


def test_validate_turtle_is_pyshacls_own_results_graph(runner, tmp_path):
    """Regression: ``validate --format turtle`` wrote its own graph, with ``sh:focusNode`` as a
    literal (the file's label) and no shape; it now writes the results pySHACL found."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "bad-org", "name": "Bad Org", "city": "atlantis",
                               "sectors": ["design"]}))
    result = invoke(runner, "validate", "--store", tmp_path / "store", "--format", "turtle", bad)
    assert result.exit_code == 1
    g = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (report,) = g.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert g.value(report, sh.conforms) == rdflib.Literal(False)
    results = list(g.objects(report, sh.result))
    assert results and all((r, rdflib.RDF.type, sh.ValidationResult) in g for r in results)
    (city,) = [r for r in results if g.value(r, sh.resultPath).endswith("#basedIn")]
    assert g.value(city, sh.focusNode) == rdflib.URIRef(
        "https://w3id.org/crossinnov/id/organisation/bad-org")
    assert g.value(city, sh.sourceConstraintComponent) == sh.ClassConstraintComponent
    assert isinstance(g.value(city, sh.sourceShape), rdflib.URIRef)
    assert g.value(city, sh.value) == rdflib.URIRef("https://w3id.org/crossinnov/id/city/atlantis")
    assert "city" in result.stderr  # every rejection is also said in words


def test_validate_turtle_of_good_data_is_a_conforming_report(runner, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"id": "good-org", "name": "Good Org", "city": "berlin",
                                "sectors": ["design"]}))
    result = invoke(runner, "validate", "--store", tmp_path / "store", "--format", "turtle", good)
    assert result.exit_code == 0
    g = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (report,) = g.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert g.value(report, sh.conforms) == rdflib.Literal(True)
    assert list(g.objects(report, sh.result)) == []


def test_load_reports_bad_profiles_and_keeps_good_ones(runner, loaded, tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_text(
        "id,name,city,sectors,collaboratesWith\n"
        "good-one,Good One,berlin,design;ict,beepart\n"
        "bad-one,Bad One,atlantis,design,\n"
        "good-two,Good Two,rome,music,good-one\n"
    )
    result = invoke(runner, "load", "--store", loaded, path)
    assert result.exit_code == 1
    assert "profiles.csv line 3 (bad-one)" in result.output and "atlantis" in result.output
    with open_store(Settings(store=loaded)) as store:
        names = {r["n"].value for r in store.select(
            "SELECT ?n WHERE { ?o a <https://w3id.org/crossinnov/ontology#ProfiledOrganisation> ;"
            " <https://schema.org/name> ?n }")}
    assert names == {"Good One", "Good Two"}


def test_strict_load_writes_nothing(runner, loaded, tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps([
        {"id": "good-one", "name": "Good One", "city": "berlin", "sectors": ["design"]},
        {"id": "bad-one", "name": "Bad One", "city": "berlin", "sectors": ["underwater-basketry"]},
    ]))
    before = sorted(str(q) for q in open_store(Settings(store=loaded), read_only=True).quads())
    result = invoke(runner, "load", "--strict", "--store", loaded, path)
    assert result.exit_code == 1 and "nothing was loaded" in result.output
    after = sorted(str(q) for q in open_store(Settings(store=loaded), read_only=True).quads())
    assert after == before


def test_unreadable_files_are_one_clear_line_and_exit_2(runner, store_path, tmp_path):
    """Regression: load exited 1 for unreadable input as for rejected data (issue 14); a
    script must tell "fix the file" (2) from "fix the data" (1), as validate already does."""
    bad_ttl = tmp_path / "bad.ttl"
    bad_ttl.write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    result = invoke(runner, "load", "--store", store_path, bad_ttl)
    assert result.exit_code == 2
    assert "bad.ttl: invalid turtle" in result.output and "Traceback" not in result.output
    result = invoke(runner, "load", "--store", store_path, tmp_path / "x.docx")
    assert result.exit_code == 2 and "unknown file type" in result.output
    result = invoke(runner, "load", "--store", store_path, tmp_path / "missing.ttl")
    assert result.exit_code == 2 and "missing.ttl" in result.output
    with open_store(Settings(store=store_path)) as store:
        assert len(store) == 0  # nothing was loaded


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_dump_reloads_to_the_same_graph(runner, loaded, tmp_path, new_store_location, fmt):
    spec = RDF_FORMATS[fmt]
    out = tmp_path / f"dump.{spec.extension}.gz"
    result = invoke(runner, "dump", "--store", loaded, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    data = gzip.decompress(out.read_bytes())
    original = open_store(Settings(store=loaded), read_only=True)
    # parsed by a real parser (rdflib), independent of the writer (pyoxigraph)
    parsed = rdflib.Dataset() if spec.is_dataset else rdflib.Graph()
    parsed.parse(data=data, format=spec.rdflib_name)
    assert len(parsed) > 0 if not spec.is_dataset else sum(len(g) for g in parsed.graphs()) > 0
    # and loaded back through crossinnov into a fresh store
    fresh = new_store_location()
    result = invoke(runner, "load", "--store", fresh, out)
    assert result.exit_code == 0, result.output
    reloaded = open_store(Settings(store=fresh), read_only=True)
    if spec.is_dataset:
        assert data_quads(reloaded) == data_quads(original)
    else:
        def union(store):
            triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                                  "FILTER(?g != <https://w3id.org/crossinnov/graph/changelog>) }")
            return _to_rdflib(triples)

        assert isomorphic(union(reloaded), union(original))


def _to_rdflib(triples) -> rdflib.Graph:
    g = rdflib.Graph()
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    g.parse(data=data.decode(), format="nt")
    return g


def test_dump_to_stdout(runner, loaded):
    result = invoke(runner, "dump", "--store", loaded, "--format", "turtle")
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.output, format="turtle")
    assert len(graph) == len(open_store(Settings(store=loaded), read_only=True))


def test_cli_analyse_report_partners(runner, tmp_path, new_store_location):
    store = new_store_location()
    assert runner.invoke(main, ["load", "--store", store]).exit_code == 0
    result = runner.invoke(main, ["analyse", "--store", store])
    assert result.exit_code == 0, result.output
    assert "clusters of 47 organisations" in result.output
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "--store", store, "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    data = json.loads((out / "report.json").read_text())
    assert (out / "figures" / "network.svg").read_text().startswith("<?xml")
    assert len(data["clusters"]) >= 5 and data["cities"]
    text = unescape(html)
    for cluster in data["clusters"]:
        assert cluster["label"] in text and cluster["reason"] in text
    assert "Design Transfer Bonus" in html
    assert (out / "static" / "report.css").is_file() and 'href="static/style.css"' in html
    result = runner.invoke(main, ["partners", "--store", store, "pakmarkas", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)
    result = runner.invoke(main, ["partners", "--store", store, "nobody"])
    assert result.exit_code == 1 and "no organisation" in result.output


def test_cli_analyse_refuses_what_would_not_fit_in_memory(runner, new_store_location,
                                                           monkeypatch):
    """An analysis estimated past CROSSINNOV_ANALYSIS_MEMORY_SHARE of the memory available
    exits 1 with the figures and the setting, and writes nothing."""
    store = new_store_location()
    assert runner.invoke(main, ["load", "--store", store]).exit_code == 0
    monkeypatch.setenv("CROSSINNOV_ANALYSIS_MEMORY_SHARE", "0.000000001")
    result = runner.invoke(main, ["analyse", "--store", store])
    assert result.exit_code == 1
    assert "would need about" in result.output and "it was not run" in result.output
    assert "CROSSINNOV_ANALYSIS_MEMORY_SHARE" in result.output
    written = open_store(Settings(store=store), read_only=True)
    try:
        assert not list(written.quads(written.iris.analysis_graph.value))
    finally:
        written.close()
