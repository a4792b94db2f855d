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

# The lexical tokens that may contain a keyword's letters without being one (SPARQL 1.1
# Query 19.8): strings (STRING_LITERAL*), IRIs (IRIREF with UCHAR escapes), comments,
# variables (VAR1/VAR2), blank node labels and prefixed names (PNAME_NS, PNAME_LN, PLX).
# Unterminated strings end at the line's end (or the text's), and a name starts only at a
# word's start, so one pass over the text is linear in its length whatever it holds.
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:[\w.\-:]|{_PLX})*(?:[\w\-:]|{_PLX}))?"
_NOT_IRI = "|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)',
    r"'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)",
    r'"(?:[^"\\\n\r]|\\.)*(?:"|(?=[\n\r])|\Z)',
    r"'(?:[^'\\\n\r]|\\.)*(?:'|(?=[\n\r])|\Z)",
    r"#[^\n\r]*",
    r"[?$]\w+",
    r"_:\w(?:[\w.\-]*[\w\-])?",
    rf"(?:(?<![\w.\-])[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:{_PN_LOCAL})?",
])
# "<" opens an IRI or is the less-than operator; a quote may or may not be inside an IRI,
# so the text is read both ways where it matters (see uses_service)
_TOKENS = (re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>|{_NOT_IRI}"),
           re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20']|{_UCHAR})*>|{_NOT_IRI}"))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def strip_literals(text: str, reading: int = 0) -> str:
    """Return ``text`` with strings, IRIs, comments, variables and prefixed names blanked.

    Each token becomes as many spaces as it has characters, so a position in the
    result is the same position in ``text`` (:func:`inject_values` relies on it).
    """
    return _TOKENS[reading].sub(_blank, text)


def _has_keyword(text: str, *words: str) -> bool:
    code = strip_literals(text)
    return any(re.search(rf"(?<![\w:?$\-]){word}(?![\w:\-])", code, re.IGNORECASE)
               for word in words)


def has_dataset_clause(query: str) -> bool:
    """Return True if the query has a ``FROM`` or ``FROM NAMED`` clause."""
    return _has_keyword(query, "FROM")


def uses_service(query: str) -> bool:
    """Return True if the query may contain a federated ``SERVICE`` call.

    Careful rather than exact: once every token that may hold the letters is taken
    out, "service" anywhere in what is left (also glued to other tokens, as in
    ``?o.SERVICE``, which the parser reads as two tokens) is the keyword or a syntax
    error. The server must never be made to fetch a URL it was not meant to.
    """
    return any(re.search("service", strip_literals(query, reading), re.IGNORECASE)
               for reading in (0, 1))


_UPDATE_WORDS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING",
)


def looks_like_update(text: str) -> bool:
    """Return True if the text is (or contains) a SPARQL Update operation rather than a query.

    Query forms never contain these keywords outside strings and IRIs, so a
    request that does is an update, which a read-only endpoint refuses.
    """
    return _has_keyword(text, *_UPDATE_WORDS)


_FORM = re.compile(r"(?<![\w:?$\-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.IGNORECASE)


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
        where = re.search(r"(?<![\w:?$\-])WHERE(?![\w:\-])", code, re.IGNORECASE)
        if where:
            start = where.end()
    brace = code.find("{", start)
    if brace < 0:
        raise ValueError("the query has no group pattern to bind values in")
    names = " ".join("?" + name for name in bindings)
    terms = " ".join(bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    return query[:brace + 1] + block + query[brace + 1:]
