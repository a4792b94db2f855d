"""Content negotiation: the Accept parser and the chooser, on real browser and tool headers."""

from __future__ import annotations

import pytest

from crossinnov.formats import negotiate, parse_accept

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
          "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
CURL = "*/*"
RDFLIB = "application/rdf+xml, text/turtle;q=0.9, application/n-triples;q=0.8"
RESOURCE = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
            "application/rdf+xml"]


@pytest.mark.parametrize("header,expected", [
    (None, "text/html"),
    ("", "text/html"),
    (CURL, "text/html"),
    (FIREFOX, "text/html"),
    (CHROME, "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    (RDFLIB, "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("text/*", "text/html"),
    ("text/*;q=0.5, text/turtle", "text/turtle"),
    ("application/*", "application/ld+json"),
    ("image/png", None),
    ("text/turtle;q=0", None),
    ("*/*;q=0.1, text/turtle;q=0", "text/html"),
])
def test_negotiate_for_a_resource(header, expected):
    assert negotiate(header, RESOURCE) == expected


def test_parse_accept_orders_by_quality_then_specificity():
    ranges = parse_accept("*/*;q=0.8, text/*;q=0.8, text/html;q=0.8, application/json")
    assert [r.type for r in ranges] == ["application/json", "text/html", "text/*", "*/*"]


def test_malformed_quality_is_ignored_not_fatal():
    assert [r.q for r in parse_accept("text/turtle;q=abc, bogus")] == [1.0]
    assert negotiate("text/turtle;q=2", RESOURCE) == "text/turtle"
