"""The dumps (crossinnov.web.dumps): every format, compressed or not, is the store; ETags and
Last-Modified revalidate and change after a write; the list of dumps. Through the Flask
test client, read back with an independent parser.

What VoID and DCAT say of the dataset is in ``publish/test_describe.py``.
"""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from crossinnov.formats import RDF_FORMATS, to_rdflib
from crossinnov.ingest.profile import profile_to_unit
from crossinnov.writes.changes import Change, replace_units


def store_of(app):
    return app.extensions["crossinnov"].store


def union_graph(store) -> rdflib.Graph:
    return to_rdflib(store.quads())


def dataset_of(store) -> set[ox.Quad]:
    return set(store.quads())


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
@pytest.mark.parametrize("compressed", [False, True])
def test_dump_in_each_format_is_the_store(client, app, fmt, compressed):
    spec = RDF_FORMATS[fmt]
    name = f"crossinnov.{spec.extension}" + (".gz" if compressed else "")
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.mimetype == ("application/gzip" if compressed else spec.media_type)
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    data = response.get_data()
    if compressed:
        data = gzip.decompress(data)
    store = store_of(app)
    if spec.is_dataset:
        parsed = set(ox.parse(data, format=spec.oxformat))
        ground = {q for q in parsed if not isinstance(q.subject, ox.BlankNode)
                  and not isinstance(q.object, ox.BlankNode)}
        expected = {q for q in dataset_of(store) if not isinstance(q.subject, ox.BlankNode)
                    and not isinstance(q.object, ox.BlankNode)}
        assert ground == expected and len(parsed) == len(store)
    else:  # a real parser, independent of the writer
        graph = rdflib.Graph().parse(data=data, format=spec.rdflib_name)
        assert isomorphic(graph, union_graph(store))


def test_dump_revalidation_and_etag_change_after_a_write(make_app):
    app = make_app()
    client = app.test_client()
    first = client.get("/dumps/crossinnov.nt")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/dumps/crossinnov.nt", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/dumps/crossinnov.nt",
                      headers={"If-Modified-Since": modified}).status_code == 304
    listing = client.get("/dumps/").headers["ETag"]
    store = store_of(app)
    unit = profile_to_unit({"id": "etag-test", "name": "ETag Test", "city": "rome",
                            "sectors": ["music"]}, store.iris)
    replace_units(store, [unit], Change("create", store.iris.agent("test")))
    second = client.get("/dumps/crossinnov.nt", headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert b"ETag Test" in second.get_data()
    assert client.get("/dumps/").headers["ETag"] != listing
    # the etags of two formats differ
    assert client.get("/dumps/crossinnov.ttl").headers["ETag"] != second.headers["ETag"]


def test_head_on_a_dump_sends_headers_only(client):
    response = client.head("/dumps/crossinnov.ttl.gz")
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["ETag"]


@pytest.mark.parametrize("name", ["crossinnov.exe", "other.ttl", "crossinnov",
                                  "crossinnov.ttl.zip"])
def test_unknown_dump_is_404(client, name):
    assert client.get(f"/dumps/{name}").status_code == 404


def test_dump_list_html(client):
    response = client.get("/dumps/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    for spec in RDF_FORMATS.values():
        assert f"crossinnov.{spec.extension}.gz" in text
