"""Look at SPARQL text without evaluating it: keywords outside strings, IRIs and comments.

pyoxigraph does not expose its parser, and two decisions must be taken before a
query runs: whether the query names its own dataset (``FROM``/``FROM NAMED``,
which must then replace the union default graph) and whether it would make the
server fetch URLs (``SERVICE``, or ``LOAD`` in an update). A small tokenizer is
enough for that: the SPARQL 1.1 grammar uses these keywords nowhere else
(https://www.w3.org/TR/sparql11-query/#rDatasetClause).
"""

from __future__ import annotations

import re

# Strings (long and short, both quotes), IRIs, comments. An IRIREF may not contain
# spaces (https://www.w3.org/TR/sparql11-query/#rIRIREF), so '?a < ?b' is not one.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
# A bare keyword: not part of a prefixed name, variable or longer word.
_WORD = r"(?<![\w:?$\-.]){}(?![\w:\-])"


def strip_literals(text: str) -> str:
    """Return ``text`` with strings, IRIs and comments replaced by spaces."""
    return _SKIP.sub(" ", text)


def _has_keyword(text: str, *words: str) -> bool:
    code = strip_literals(text)
    return any(re.search(_WORD.format(word), code, re.IGNORECASE) for word in words)


def has_dataset_clause(query: str) -> bool:
    """Return True if the query has a ``FROM`` or ``FROM NAMED`` clause."""
    return _has_keyword(query, "FROM")


def uses_service(query: str) -> bool:
    """Return True if the query contains a federated ``SERVICE`` call."""
    return _has_keyword(query, "SERVICE")


_UPDATE_WORDS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING",
)


def looks_like_update(text: str) -> bool:
    """Return True if the text is (or contains) a SPARQL Update operation rather than a query.

    Query forms never contain these keywords outside strings and IRIs, so a
    request that does is an update, which a read-only endpoint refuses.
    """
    return _has_keyword(text, *_UPDATE_WORDS)


_FORM = re.compile(r"(?<![\w:?$\-.])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.IGNORECASE)


def query_form(query: str) -> str | None:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword, or None."""
    match = _FORM.search(strip_literals(query))
    return match.group(1).upper() if match else None


def inject_values(query: str, bindings: dict[str, str]) -> str:
    """Return the query with ``VALUES (?a ?b) { (t1 t2) }`` at the start of its WHERE group.

    This is how bound values reach a remote SPARQL server (which knows nothing of
    pyoxigraph's substitutions); ``bindings`` maps variable names to terms already
    written in SPARQL syntax by pyoxigraph. Placed first in the group pattern, the
    values are joined before anything else, so the engine starts from them.
    """
    if not bindings:
        return query
    code = strip_literals(query)
    start = 0
    if query_form(query) == "CONSTRUCT":
        where = re.search(_WORD.format("WHERE"), code, re.IGNORECASE)
        if where:
            start = where.end()
    brace = code.find("{", start)
    if brace < 0:
        raise ValueError("the query has no group pattern to bind values in")
    names = " ".join("?" + name for name in bindings)
    terms = " ".join(bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return query[:brace + 1] + block + query[brace + 1:]
