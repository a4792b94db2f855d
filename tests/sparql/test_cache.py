"""The answer cache (crossinnov.sparql.cache): bounded in bytes, keyed by everything that
shapes an answer and by the store's version."""

from __future__ import annotations

from crossinnov.sparql.answers import Answer, QuerySpec
from crossinnov.sparql.cache import AnswerCache, etag, key_of


def answer(data: bytes, *, cut: str | None = None) -> Answer:
    return Answer("solutions", "json", iter([data]), True, 1, {"rows": 1}, cut, len(data))


def test_an_answer_comes_back_whole_and_again():
    cache = AnswerCache(budget=1000, max_entry=500)
    sent = cache.put("k", "v1", answer(b"abc"))
    assert sent.read() == b"abc"  # what put returns is still readable
    again = cache.get("k", "v1")
    assert again is not None and again.read() == b"abc" and again.size == 3
    assert (again.kind, again.format, again.rows) == ("solutions", "json", 1)
    assert cache.get("k", "v1").read() == b"abc"  # each get is a fresh reader
    assert (cache.hits, cache.misses) == (2, 0)


def test_another_version_is_a_miss():
    cache = AnswerCache(budget=1000, max_entry=500)
    cache.put("k", "v1", answer(b"abc"))
    assert cache.get("k", "v2") is None and cache.misses == 1


def test_the_budget_holds_and_the_least_recently_used_goes_first():
    cache = AnswerCache(budget=10, max_entry=10)
    cache.put("a", "v", answer(b"1234"))
    cache.put("b", "v", answer(b"1234"))
    assert cache.get("a", "v") is not None  # a is now more recent than b
    cache.put("c", "v", answer(b"1234"))
    assert cache.size <= 10 and len(cache) == 2
    assert cache.get("b", "v") is None
    assert cache.get("a", "v") is not None and cache.get("c", "v") is not None


def test_big_answers_and_a_zero_budget_are_not_kept():
    cache = AnswerCache(budget=100, max_entry=5)
    sent = cache.put("k", "v", answer(b"123456"))
    assert sent.read() == b"123456" and cache.get("k", "v") is None
    off = AnswerCache(budget=0, max_entry=5)
    off.put("k", "v", answer(b"1"))
    assert off.get("k", "v") is None and off.size == 0


def test_a_cut_answer_is_kept_with_its_cut():
    cache = AnswerCache(budget=100, max_entry=100)
    cache.put("k", "v", answer(b"12", cut="rows"))
    again = cache.get("k", "v")
    assert again.cut == "rows" and again.truncated


def test_every_field_that_shapes_the_bytes_is_in_the_key():
    base = QuerySpec("SELECT * { ?s ?p ?o }")
    variants = [
        QuerySpec("SELECT * { ?s ?p ?o } LIMIT 1"),
        QuerySpec(base.sparql, default_graph=["http://example.org/g"]),
        QuerySpec(base.sparql, named_graphs=["http://example.org/g"]),
        QuerySpec(base.sparql, select_format="csv"),
        QuerySpec(base.sparql, graph_format="turtle"),
        QuerySpec(base.sparql, max_rows=5),
        QuerySpec(base.sparql, max_bytes=5),
        QuerySpec(base.sparql, prefixes={"ex": "http://example.org/"}),
        QuerySpec(base.sparql, base_iri="http://example.org/sparql"),
    ]
    keys = {key_of(v) for v in variants}
    assert len(keys) == len(variants) and key_of(base) not in keys
    assert key_of(QuerySpec(base.sparql)) == key_of(base)


def test_an_etag_names_the_answer_at_one_version():
    assert etag("k", "v1") == etag("k", "v1")
    assert etag("k", "v1") != etag("k", "v2") != etag("j", "v2")
