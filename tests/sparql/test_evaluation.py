"""Evaluation on pyoxigraph (crossinnov.sparql.evaluate): the rewrite of NOT EXISTS is used,
and never costs an answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.sparql import evaluate
from crossinnov.sparql.answers import Done, Failed, Head, QuerySpec

EX = "http://example.org/"
#: organisations none of whose partners is in another city (the workload's q5, small)
LOCAL_ONLY = f"""
SELECT ?org WHERE {{
  ?org <{EX}in> ?c .
  FILTER NOT EXISTS {{ ?org <{EX}with> ?p . ?p <{EX}in> ?pc . FILTER(?pc != ?c) }}
}} ORDER BY ?org
"""


@pytest.fixture
def store():
    s = ox.Store()
    g = ox.NamedNode(EX + "g")
    for org, city in (("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")):
        s.add(ox.Quad(ox.NamedNode(EX + org), ox.NamedNode(EX + "in"), ox.NamedNode(EX + city), g))
    for org, partner in (("a", "b"), ("b", "c"), ("d", "c")):
        s.add(ox.Quad(ox.NamedNode(EX + org), ox.NamedNode(EX + "with"),
                      ox.NamedNode(EX + partner), g))
    return s


def orgs(result) -> list[str]:
    return [row["org"].value.removeprefix(EX) for row in result]


def test_the_query_runs_rewritten_and_answers_as_written(store, monkeypatch):
    seen = []
    real = store.query

    class Spy:
        def query(self, text, **kwargs):
            seen.append(text)
            return real(text, **kwargs)

    answer = orgs(evaluate.query(Spy(), LOCAL_ONLY, use_default_graph_as_union=True))
    assert "MINUS" in seen[0] and "NOT EXISTS" not in seen[0]
    as_written = orgs(store.query(LOCAL_ONLY, use_default_graph_as_union=True))
    assert answer == as_written == ["a", "c", "d"]


def test_a_rewrite_oxigraph_refuses_falls_back_to_the_text_as_written(store, monkeypatch):
    monkeypatch.setattr(evaluate, "optimise", lambda text: text + " this is not SPARQL")
    assert orgs(evaluate.query(store, LOCAL_ONLY, use_default_graph_as_union=True)) == [
        "a", "c", "d"]


def test_a_syntax_error_is_the_one_of_the_text_as_written(store):
    bad = "SELECT ?x WHERE { ?x ?y }"
    messages = []
    evaluate.answer(store, QuerySpec(bad), messages.append)
    assert isinstance(messages[-1], Failed) and messages[-1].kind == "syntax"


def test_an_answer_of_a_rewritten_query_keeps_the_columns_of_the_text_as_written(store):
    star = f"""SELECT * WHERE {{ ?org <{EX}in> ?c .
      FILTER NOT EXISTS {{ ?org <{EX}with> ?p }} ?c <{EX}x> ?z }}"""
    messages = []
    evaluate.answer(store, QuerySpec(star, select_format="csv"), messages.append)
    assert isinstance(messages[0], Head) and isinstance(messages[-1], Done)
    header = b"".join(m.data for m in messages[1:-1]).split(b"\r\n")[0]
    assert header == b"org,c,z"
