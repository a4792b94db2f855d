"""The reconciliation service (crossinnov.web.reconcile, W3C Reconciliation API 0.2) for
OpenRefine.

Every answer of ``/reconcile`` is checked against the specification's JSON Schemas,
vendored in ``tests/vendor/reconciliation-0.2/schemas/`` (see the README there); the
matching is checked on the shipped data through the web; every bad request gets a 400
(413 past a size limit) that says why. The matching core is in ``test_reconcile.py``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from crossinnov.reconcile import fold

SCHEMAS = Path(__file__).resolve().parents[1] / "vendor" / "reconciliation-0.2" / "schemas"
ORGANISATION = "https://w3id.org/crossinnov/ontology#Organisation"
ADMIN = "admin-token-0123456789abcdef"


# --- the schemas -------------------------------------------------------------------------------

@functools.cache
def registry() -> Registry:
    """Every vendored schema under its ``$id``, so that ``type.json`` and the others resolve."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"].rstrip("#"), DRAFT7.create_resource(contents)))
    return Registry().with_resources(resources)


def validate(schema: str, document: object) -> None:
    """Fail the test unless ``document`` passes the vendored schema ``schema``.json."""
    contents = json.loads((SCHEMAS / f"{schema}.json").read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft7Validator(contents, registry=registry()).iter_errors(document)]
    assert not errors, f"not a valid {schema}: {errors}"


def test_the_vendored_schemas_are_real_checks():
    """The schemas refuse what the specification's invalid examples show (copied inline)."""
    with pytest.raises(AssertionError):
        validate("manifest", {"versions": ["0.1"], "name": "x", "identifierSpace": "x",
                              "schemaSpace": "x"})
    with pytest.raises(AssertionError):
        validate("reconciliation-result-batch", {"q0": {"result": [{"name": "x", "score": 1}]}})
    with pytest.raises(AssertionError):
        validate("data-extension-response", {"meta": [], "rows": {"a": {"p": [{"x": 1}]}}})


# --- helpers -----------------------------------------------------------------------------------

def reconcile(client, queries: dict, method: str = "GET"):
    data = {"queries": json.dumps(queries)}
    if method == "POST":
        return client.post("/reconcile", data=data)
    return client.get("/reconcile", query_string=data)


def results(client, queries: dict, method: str = "GET") -> dict:
    r = reconcile(client, queries, method)
    assert r.status_code == 200, r.get_data(as_text=True)
    validate("reconciliation-result-batch", r.json)
    return {key: answer["result"] for key, answer in r.json.items()}


def top(client, text: str, **fields) -> list[dict]:
    return results(client, {"q": {"query": text, **fields}})["q"]


def error(response, status: int = 400) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- the manifest ------------------------------------------------------------------------------

def test_the_manifest_passes_the_schema_and_names_working_routes(client):
    r = client.get("/reconcile")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    manifest = r.json
    validate("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/crossinnov/id/organisation/"
    assert manifest["schemaSpace"] == "https://w3id.org/crossinnov/ontology#"
    assert manifest["defaultTypes"] == [{"id": ORGANISATION, "name": "Organisation"}]
    assert manifest["batchSize"] == 100
    local = "http://localhost"
    assert client.get(manifest["view"]["url"].replace("{{id}}", "beepart")
                      .removeprefix(local)).status_code == 200
    assert client.get(manifest["preview"]["url"].replace("{{id}}", "beepart")
                      .removeprefix(local)).status_code == 200
    for kind, suggest in manifest["suggest"].items():
        url = (suggest["service_url"] + suggest["service_path"]).removeprefix(local)
        assert client.get(url, query_string={"prefix": "a"}).status_code == 200, kind
    proposals = manifest["extend"]["propose_properties"]
    url = (proposals["service_url"] + proposals["service_path"]).removeprefix(local)
    assert client.get(url, query_string={"type": ORGANISATION}).status_code == 200


# --- reconciliation queries --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("PakMarkas (JSC)", "pakmarkas"),
    ("JSC Pakmarkas", "pakmarkas"),
    ("UAB PAKMARKAS", "pakmarkas"),
    ("pakmarkas sp. z o.o.", "pakmarkas"),
    ("Kulturprojekte Berlin", "kulturprojekte-berlin"),
    ("Kulturprojekte Berlín gGmbH", "kulturprojekte-berlin"),
    ("Creative Region Linz and Upper Austria", "creative-region-linz"),
    ("Konstfak", "konstfack"),
    ("Birmingham City Univeristy", "birmingham-city-university"),
    ("Länsstyrelsen Stockholm", "lansstyrelsen-stockholm"),
    ("Plzeň 2015", "plzen-2015"),
    ("beepart", "beepart"),
    ("https://w3id.org/crossinnov/id/organisation/beepart", "beepart"),
])
def test_a_name_written_differently_finds_its_organisation(client, text, expected):
    found = top(client, text)
    assert found and found[0]["id"] == expected, found
    assert found[0]["type"] == [{"id": ORGANISATION, "name": "Organisation"}]
    assert 0 <= found[0]["score"] <= 100


def test_an_exact_name_is_a_match_and_a_near_miss_is_not_decided(client):
    exact = top(client, "Beepart creative workshop")
    assert exact[0]["id"] == "beepart" and exact[0]["score"] == 100 and exact[0]["match"]
    assert {"id": "name", "value": 100.0} in exact[0]["features"]
    vague = top(client, "Tallinn")
    assert vague and not any(c["match"] for c in vague)
    assert [c["score"] for c in vague] == sorted((c["score"] for c in vague), reverse=True)


def test_get_and_post_answer_the_same(client):
    queries = {"a": {"query": "Estonian Design Centre"}, "b": {"query": "Vasakronan AB"},
               "c": {"query": "Tallinn", "limit": 2}}
    assert results(client, queries, "GET") == results(client, queries, "POST")
    assert len(results(client, queries)["c"]) <= 2


@pytest.mark.parametrize("city", [
    "tallinn", "Tallinn", "https://w3id.org/crossinnov/id/city/tallinn", "Q1770",
    "http://www.wikidata.org/entity/Q1770", {"id": "Q1770", "name": "Tallinn"}])
def test_a_city_however_named_raises_the_organisations_of_that_city(client, city):
    plain = {c["id"]: c["score"] for c in top(client, "Tallinn")}
    boosted = top(client, "Tallinn", properties=[{"pid": "city", "v": city}])
    assert boosted and all(c["score"] > plain[c["id"]] for c in boosted if c["id"] in plain)
    assert {"id": "city", "value": True} in boosted[0]["features"]
    assert "Tallinn" in boosted[0]["description"]


def test_a_city_that_disagrees_lowers_the_score_and_undoes_the_match(client):
    found = top(client, "Beepart creative workshop", properties=[{"pid": "city", "v": "berlin"}])
    assert found[0]["id"] == "beepart" and found[0]["score"] < 100 and not found[0]["match"]
    assert {"id": "city", "value": False} in found[0]["features"]
    by_wikidata = top(client, "Beepart creative workshop",
                      properties=[{"pid": "cityWikidata", "v": "Q216"}])
    assert by_wikidata[0]["match"]


def test_properties_alone_find_the_organisations_that_have_them(client):
    found = results(client, {"q": {"properties": [{"pid": "city", "v": "vilnius"},
                                                  {"pid": "sectors", "v": ["packaging"]}]}})["q"]
    assert found[0]["id"] == "pakmarkas" and found[0]["score"] == 100 and found[0]["match"]
    assert all("Vilnius" in c["description"] for c in found)


def test_a_broader_sector_takes_in_its_narrower_ones(client):
    found = top(client, "Beepart", properties=[{"pid": "sectors", "v": "creative-industries"}])
    assert {"id": "sectors", "value": True} in found[0]["features"]


def test_types_limits_and_unknown_names(client):
    assert top(client, "Beepart", type="https://example.org/Person") == []
    assert top(client, "Beepart", type=[ORGANISATION])[0]["id"] == "beepart"
    assert top(client, "Beepart", type="Organisation", type_strict="should")[0]["id"] == "beepart"
    assert len(top(client, "a", limit=1000)) <= 25
    assert top(client, "Zyxwvut Qqqq") == []
    assert top(client, "   ") == []


# --- what is refused ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, says", [
    ("{", "queries is not JSON"),
    ("[]", "JSON object of queries"),
    ('{"q": "Beepart"}', "must be a JSON object"),
    # the specification's invalid examples (examples/reconciliation-query-batch/invalid/)
    ('{"q1": {"properties": []}}', "needs a query text or at least one property"),
    ('{"q1": {"limit": 1}}', "needs a query text or at least one property"),
    ('{"q0": {"query": "x", "props": []}}', "unknown field 'props'"),
    ('{"q": {"query": 5}}', "query must be a string"),
    ('{"q": {"query": "x", "limit": 0}}', "limit must be a whole number"),
    ('{"q": {"query": "x", "limit": 1.5}}', "limit must be a whole number"),
    ('{"q": {"query": "x", "limit": true}}', "limit must be a whole number"),
    ('{"q": {"query": "x", "type": 5}}', "type must be"),
    ('{"q": {"query": "x", "type_strict": "maybe"}}', "type_strict"),
    ('{"q": {"query": "x", "properties": {"pid": "city"}}}', "properties must be a list"),
    ('{"q": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}',
     "no property 'colour'"),
    ('{"q": {"query": "x", "properties": [{"pid": "city", "v": null}]}}', "a value must be"),
    ('{"q": {"query": "x", "properties": [{"pid": "city", "v": []}]}}', "from 1 to 50 values"),
    ('{"q": {"query": "x", "properties": [{"pid": "city"}]}}', "exactly pid and v"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_a_bad_batch_is_a_400_that_says_what_is_wrong(client, raw, says):
    for r in (client.get("/reconcile", query_string={"queries": raw}),
              client.post("/reconcile", data={"queries": raw})):
        assert says in error(r)


def test_the_limits_of_a_batch(client):
    too_many = {f"q{i}": {"query": "x"} for i in range(101)}
    assert "at most 100" in error(reconcile(client, too_many, "POST"), 413)
    assert len(results(client, {f"q{i}": {"query": "x"} for i in range(100)})) == 100
    assert "at most 300" in error(reconcile(client, {"q": {"query": "x" * 301}}))
    many = [{"pid": "city", "v": "rome"}] * 21
    assert "at most 20" in error(reconcile(client, {"q": {"query": "x", "properties": many}}))


def test_requests_that_are_neither_queries_nor_extension(client):
    assert "JSONP" in error(client.get("/reconcile", query_string={
        "queries": '{"q": {"query": "x"}}', "callback": "f"}))
    assert "either queries or extend" in error(client.get("/reconcile", query_string={
        "queries": "{}", "extend": "{}"}))
    assert "queries" in error(client.post("/reconcile", data={}))
    assert "queries" in error(client.post("/reconcile", json={"q": {"query": "x"}}))


# --- suggest -----------------------------------------------------------------------------------

def suggest(client, kind: str, schema: str, **args) -> list[dict]:
    r = client.get(f"/reconcile/suggest/{kind}", query_string=args)
    assert r.status_code == 200, r.get_data(as_text=True)
    validate(schema, r.json)
    return r.json["result"]


def test_suggest_entities_by_prefix_with_a_cursor(client):
    found = suggest(client, "entity", "suggest-entities-response", prefix="Tall")
    assert found and all("tallinn" in fold(e["name"]) for e in found)
    assert fold(found[0]["name"]).startswith("tall")
    assert found[0]["notable"] == [{"id": ORGANISATION, "name": "Organisation"}]
    assert suggest(client, "entity", "suggest-entities-response", prefix="Tall",
                   cursor="1") == found[1:]
    assert suggest(client, "entity", "suggest-entities-response", prefix="pakm")[0]["id"] == (
        "pakmarkas")
    assert suggest(client, "entity", "suggest-entities-response", prefix="beepart")[0]["id"] == (
        "beepart")
    assert len(suggest(client, "entity", "suggest-entities-response", prefix="e",
                       limit="1000")) <= 50
    assert suggest(client, "entity", "suggest-entities-response", prefix="") == []


def test_suggest_types_and_properties(client):
    types = suggest(client, "type", "suggest-types-response", prefix="org")
    assert [t["id"] for t in types] == [ORGANISATION]
    assert suggest(client, "type", "suggest-types-response", prefix="person") == []
    props = suggest(client, "property", "suggest-properties-response", prefix="ci")
    assert {p["id"] for p in props} == {"city", "cityWikidata"}
    assert {p["id"] for p in suggest(client, "property", "suggest-properties-response",
                                     prefix="")} == {"city", "sectors", "homepage",
                                                     "cityWikidata"}


@pytest.mark.parametrize("args, says", [
    ({}, "prefix is required"),
    ({"prefix": "a", "cursor": "-1"}, "cursor must be a whole number"),
    ({"prefix": "a", "cursor": "x"}, "cursor must be a whole number"),
    ({"prefix": "a", "cursor": "10001"}, "cursor must be a whole number from 0 to 10000"),
    ({"prefix": "a", "limit": "0"}, "limit must be a whole number"),
    ({"prefix": "a" * 201}, "at most 200"),
])
def test_a_bad_suggest_request_is_a_400(client, args, says):
    for kind in ("entity", "type", "property"):
        assert says in error(client.get(f"/reconcile/suggest/{kind}", query_string=args))


# --- data extension ----------------------------------------------------------------------------

def test_propose_properties(client):
    r = client.get("/reconcile/propose_properties", query_string={"type": ORGANISATION})
    assert r.status_code == 200
    validate("data-extension-property-proposal", r.json)
    assert [p["id"] for p in r.json["properties"]] == ["city", "sectors", "homepage",
                                                        "cityWikidata"]
    limited = client.get("/reconcile/propose_properties",
                         query_string={"type": ORGANISATION, "limit": "2"}).json
    validate("data-extension-property-proposal", limited)
    assert len(limited["properties"]) == 2 and limited["limit"] == 2
    assert "no type" in error(client.get("/reconcile/propose_properties",
                                         query_string={"type": "Person"}))
    assert "limit" in error(client.get("/reconcile/propose_properties",
                                       query_string={"type": ORGANISATION, "limit": "x"}))


def extend(client, query: dict, method: str = "GET"):
    data = {"extend": json.dumps(query)}
    if method == "POST":
        return client.post("/reconcile", data=data)
    return client.get("/reconcile", query_string=data)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_data_extension_fetches_city_wikidata_and_sectors(client, method):
    query = {"ids": ["pakmarkas", "beepart", "no-such-organisation"],
             "properties": [{"id": "city"}, {"id": "cityWikidata"},
                            {"id": "sectors", "settings": {"limit": "1"}}, {"id": "homepage"}]}
    validate("data-extension-query", query)
    r = extend(client, query, method)
    assert r.status_code == 200, r.get_data(as_text=True)
    validate("data-extension-response", r.json)
    meta = {m["id"]: m for m in r.json["meta"]}
    assert list(meta) == ["city", "cityWikidata", "sectors", "homepage"]
    assert meta["cityWikidata"]["service"].startswith("https://")
    rows = r.json["rows"]
    assert rows["pakmarkas"]["city"] == [{"str": "Vilnius"}]
    assert rows["pakmarkas"]["cityWikidata"] == [{"id": "Q216", "name": "Vilnius"}]
    assert len(rows["beepart"]["sectors"]) == 1
    assert rows["no-such-organisation"] == {"city": [], "cityWikidata": [], "sectors": [],
                                            "homepage": []}
    all_sectors = extend(client, {"ids": ["beepart"], "properties": [{"id": "sectors"}]}).json
    assert {v["str"] for v in all_sectors["rows"]["beepart"]["sectors"]} >= {"design"}


@pytest.mark.parametrize("query, says", [
    ("{", "extend is not JSON"),
    ({"ids": "pakmarkas", "properties": []}, "extend must be a JSON object"),
    ({"ids": [1], "properties": [{"id": "city"}]}, "every id must be a string"),
    ({"ids": ["x"], "properties": [{"id": "colour"}]}, "no property 'colour'"),
    ({"ids": ["x"], "properties": [{"id": "city", "settings": {"lang": "en"}}]},
     "one setting, limit"),
    ({"ids": ["x"], "properties": [{"id": "city", "settings": {"limit": -1}}]},
     "limit of city must be a whole number"),
    ({"ids": ["x"], "properties": [{"id": "city"}] * 5}, "at most 4 properties"),
])
def test_a_bad_extension_is_a_400(client, query, says):
    raw = query if isinstance(query, str) else json.dumps(query)
    assert says in error(client.get("/reconcile", query_string={"extend": raw}))


def test_too_many_ids_to_extend_is_a_413(client):
    query = {"ids": [f"x{i}" for i in range(501)], "properties": [{"id": "city"}]}
    assert "at most 500" in error(extend(client, query, "POST"), 413)


# --- preview -----------------------------------------------------------------------------------

def test_the_preview_is_small_html_without_inline_code_and_may_be_framed(client):
    r = client.get("/reconcile/preview", query_string={"id": "pakmarkas"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "PakMarkas (JSC)" in page and "Vilnius" in page
    assert "<script" not in page and "<style" not in page and " style=" not in page
    policy = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # the client shows it in an iframe of its own origin: framing is allowed here only
    assert "frame-ancestors *" in policy and "X-Frame-Options" not in r.headers
    assert "frame-ancestors 'none'" in client.get("/organisations").headers[
        "Content-Security-Policy"]
    assert client.get("/reconcile/preview", query_string={
        "id": "https://w3id.org/crossinnov/id/organisation/pakmarkas"}).status_code == 200
    assert "no organisation" in error(client.get("/reconcile/preview",
                                                 query_string={"id": "nobody"}), 404)
    assert "id is required" in error(client.get("/reconcile/preview"))


def test_every_route_answers_other_origins(client):
    for url in ("/reconcile", "/reconcile/suggest/entity?prefix=a",
                "/reconcile/propose_properties", "/reconcile/preview?id=beepart"):
        assert client.get(url).headers["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options("/reconcile")
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


# --- the index follows the writes --------------------------------------------------------------

def test_the_index_sees_a_new_renamed_and_deleted_profile(make_app):
    app = make_app(TOKEN=ADMIN, ANALYSIS_DEBOUNCE=3600)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {ADMIN}"}
    assert not any(c["id"] == "zebra-works" for c in top(client, "Zebra Works"))
    profile = {"id": "zebra-works", "name": "Zebra Works", "city": "linz",
               "sectors": ["design"], "homepage": "https://zebra.example.org/"}
    assert client.post("/api/profiles", json=profile, headers=auth).status_code == 201
    found = top(client, "Zebra Works GmbH", properties=[{"pid": "homepage",
                                                         "v": "http://www.zebra.example.org"}])
    assert found[0]["id"] == "zebra-works" and found[0]["match"]
    assert {"id": "homepage", "value": True} in found[0]["features"]
    renamed = {**profile, "name": "Quagga Studio"}
    assert client.put("/api/profiles/zebra-works", json=renamed, headers=auth).status_code == 200
    assert top(client, "Quagga Studio")[0]["id"] == "zebra-works"
    assert client.delete("/api/profiles/zebra-works", headers=auth).status_code in (200, 204)
    assert not any(c["id"] == "zebra-works" for c in top(client, "Quagga Studio"))
