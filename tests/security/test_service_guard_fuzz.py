"""Fuzz the SERVICE guard (crossinnov.sparql.text.uses_service) against two real parsers.

A seeded, grammar-driven generator writes SPARQL SELECT queries full of what tokenizers
get wrong: prefixed names with U+00B7, combining marks, U+203F/U+2040 and non-ASCII
letters, PLX escapes (``\\#``, ``\\.``, ``%41``), ``#`` inside IRIs, strings and names,
strings of all four forms with escapes, comments, nested groups, OPTIONAL/UNION/MINUS,
FILTERs with ``<`` comparisons written with and without spaces, and SERVICE in real
positions (also glued: ``SERVICE:a``, ``}SERVICE<...>{``, ``trueSERVICE``) or only as text.

Oracles:

a. rdflib's parser and algebra: whenever it finds a SERVICE, ``uses_service`` says True;
b. Oxigraph, the engine the endpoint runs: every SERVICE IRI and prefix points at a local
   HTTP listener, and whenever the listener is called, ``uses_service`` said True;
c. queries that hold "service" only as text (strings, variable names, comments, IRIs and
   local names, by construction) and that both parsers accept: ``uses_service`` says False.

A failure is reported with the smallest query (pieces dropped while it still fails).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
from conftest import SparqlListener
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from crossinnov.sparql.text import uses_service

#: about the text of queries, not a store: once per run is enough
pytestmark = pytest.mark.embedded_only(reason="about query text; no store involved")

SEED = 20261201
QUERIES = 3000
XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"


# --- the listener every SERVICE and prefix IRI points at --------------------------------------

# --- the generator ----------------------------------------------------------------------------

# prefix names (PN_PREFIX) and local names (PN_LOCAL) with the characters \w gets wrong
_PREFIXES = ["ex", "e\u00b7x", "a\u0301b", "x\u203fy", "\u00e9t\u00e9", "sch.ema", "\u03a9", "p-q"]
_LOCALS = ["a", "a\u00b7b", "b\u0300c", "c\u2040d", "\u00fcber", "a.b", "1st", "_u", "a\\#b",
           "a\\.b", "%41b", "a\\'b", "a\\(b\\)", "a:b", "a-b", "x\u00b7"]
_LOCALS_WITH_HASH = ["a\u00b7b\\#", "b\u0300\\#c", "x\u203f\\#", "\\#"]
_VARS = ["s", "o", "x", "v\u00b7w", "n\u0300", "t\u203fu", "1a", "_z", "\u00e4"]
_ESCAPES = ["\\n", "\\t", "\\u0041", "\\U0001F600", "\\\\", "\\'", '\\"']
_TEXTS = ["SERVICE <{base}t> { }", "service", "# not a comment", "<", ">", "{", "}", "(", "#",
          "'", '"', "a", "SERVICE:a", "} SERVICE <{base}> {", "\\u0023"]


class Query:
    """A generated query, kept as pieces so that a failing one can be made smaller."""

    def __init__(self, pieces: list[str], text_only: bool) -> None:
        self.pieces = pieces
        self.text_only = text_only

    @property
    def text(self) -> str:
        return "".join(self.pieces)


class _Maker:
    """One query at a time from a seeded random source.

    ``text_only``: write "service" only where no parser reads code (strings, variable
    names, comments, IRIs in triples, local names of plain prefixes), never as a keyword.
    """

    def __init__(self, rng: random.Random, base: str) -> None:
        self.rng = rng
        self.base = base
        self.text_only = False
        self.prefixes: set[str] = set()  # the prefixes the query uses, to declare
        self.values = 0  # VALUES blocks so far (each binds variables of its own)

    def query(self, text_only: bool) -> Query:
        self.text_only = text_only
        self.prefixes = {"", "x", "Type", "ex"}
        self.values = 0
        body = ["SELECT * WHERE", self.space(), *self.group(3)]
        # every prefix its own IRI: rdflib forgets a prefix when another gets the same IRI
        pieces = [f"PREFIX {name}: <{self.base}{index}{'/#'[index % 2]}>\n"
                  if name else f"PREFIX : <{self.base}>\n"
                  for index, name in enumerate(sorted(self.prefixes))]
        pieces.insert(0, f"BASE <{self.base}>\n")
        if not text_only and self.rng.random() < 0.2:
            # Oxigraph reads f:x as f: then code when <http://[::1]> + x is no IRI
            pieces.append("PREFIX f: <http://[::1]>\n")
        return Query(pieces + body, text_only)

    # whitespace and comments

    def space(self, none: bool = True) -> str:
        choices = [" ", " ", "\n", "\t", self.comment() + "\n"] + ([""] * 2 if none else [])
        return self.rng.choice(choices)

    def comment(self) -> str:
        return "#" + self.rng.choice(["", " service", " SERVICE <" + self.base + "c> { }",
                                      " '", ' "', " <", " }", " no service here"])

    # terms

    def var(self) -> str:
        name = self.rng.choice(_VARS + ["service", "serviceX", "SERVICE", "Service1"])
        return self.rng.choice("?$") + name

    def iri(self, service_text: bool = True) -> str:
        tails = ["p", "a#b", "it's", "a#'", "x?y=1", "#", "q#frag", "%41", "(a)", "a#(", "y'z",
                 "#'"]
        if service_text:  # a triple's term: "<" opens an IRI
            tails += ["service", "a#service", "x?service=1", "SERVICE/a", "s#'SERVICE",
                      "?b)SERVICE:a#"]
        elif not self.text_only:  # after an operand in an expression, "<" may be less-than
            tails.append("?b)SERVICE:a#")
        # relative IRIs (BASE is the listener) read as code when "<" is taken for less-than
        base = self.rng.choice([self.base, ""])
        return f"<{base}{self.rng.choice(tails)}>"

    def pname(self) -> str:
        prefix = self.rng.choice(["", "ex", "x", *_PREFIXES])
        self.prefixes.add(prefix)
        local = self.rng.choice(_LOCALS + ["serviceType", "a.service", "SERVICE1",
                                           "s\u00b7service"])
        return f"{prefix}:{local}"

    def string(self) -> str:
        rng = self.rng
        texts = [text.replace("{base}", self.base) for text in _TEXTS]
        escapes = _ESCAPES if self.text_only else _ESCAPES + ["\\u0027", "\\u0022", "\\u003E"]
        inner = "".join(rng.choice([rng.choice(escapes), rng.choice(texts), " ", "x"])
                        for _ in range(rng.randint(0, 4)))
        quote = rng.choice(["'", '"', "'''", '"""'])
        if len(quote) == 3:
            inner = inner.replace(quote[0] * 3, quote[0] * 2 + "\\" + quote[0])
            inner += rng.choice(["", "\n", quote[0], quote[0] * 2 + "x"])
            if inner.endswith(quote[0]):
                inner += "x"
        else:
            inner = inner.replace(quote, "\\" + quote)
        text = quote + inner + quote
        return text + rng.choice(["", "", "@en", "@en-GB", "^^" + XSD_INTEGER])

    def literal(self) -> str:
        return self.rng.choice([self.string(), self.string(), "1", "-2", "3.5", "1e3", ".5",
                                "true", "false"])

    def term(self, position: str) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return [self.var()]
        if roll < 0.45:
            return [self.iri(service_text=position != "in-parentheses")]
        if roll < 0.65:
            return [self.pname()]
        if position == "object" and roll < 0.9:
            return [self.literal()]
        if position == "object" and roll < 0.95:
            return ["(", self.literal(), " ", self.var(), ")"]
        if position != "in-parentheses" and roll < 0.98:
            return ["[", self.space(), self.var(), " ", self.var(), self.space(), "]"]
        return ["_:b" + str(rng.randint(0, 9))]

    def predicate(self) -> list[str]:
        rng = self.rng
        return rng.choice([
            [self.var()], [self.iri()], [self.pname()], ["a"],
            ["(", self.iri(False), "/", self.pname(), ")"], ["^", self.iri(False)],
            ["!", self.iri(False)], [self.pname(), rng.choice("?*+")],
        ])

    def triple(self) -> list[str]:
        return [*self.term("subject"), " ", *self.predicate(), " ", *self.term("object")]

    # expressions

    def operand(self) -> list[str]:
        return [self.rng.choice([self.var(), self.var(), self.literal(), self.iri(False),
                                 self.pname()])]

    def expression(self, depth: int) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if depth <= 0 or roll < 0.3:
            return self.operand()
        if roll < 0.65:
            op = rng.choice(["<", "<", ">", "<=", ">=", "=", "!=", "&&", "||", "+", "-", "*"])
            space = rng.choice(["", " "])
            return [*self.expression(depth - 1), space + op + space, *self.expression(depth - 1)]
        if roll < 0.72:
            return [rng.choice(["!", "-", "+"]), *self.expression(depth - 1)]
        if roll < 0.8:
            return ["(", *self.expression(depth - 1), ")"]
        if roll < 0.88:
            return [rng.choice(["STR", "BOUND", "isIRI", "LCASE"]), "(",
                    self.var() if rng.random() < 0.5 else self.operand()[0], ")"]
        if roll < 0.93:
            return ["REGEX(STR(", self.var(), "),", self.space(), self.string(), ")"]
        if roll < 0.97:
            return [self.var(), " IN (", self.iri(False), ", 1)"]
        return [rng.choice(["EXISTS", "NOT EXISTS"]), self.space(), *self.group(0)]

    # patterns

    def group(self, depth: int) -> list[str]:
        pieces = ["{", self.space()]
        for _ in range(self.rng.randint(0, 3)):
            pieces += self.element(depth)
            pieces.append(self.rng.choice(["", " ", " .", ".", "\n", " . ", " . ", " .\n",
                                           self.space()]))
        return pieces + [self.space(), "}"]

    def element(self, depth: int) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3 or depth <= 0 and roll < 0.6:
            return self.triple()
        if roll < 0.4:
            return ["FILTER", rng.choice(["", " "]), "(", *self.expression(3), ")"]
        if roll < 0.45:
            name = "?b" + str(rng.randint(0, 99))
            return ["BIND(", *self.expression(2), " AS ", name, ")"]
        if roll < 0.5:
            return self.values_block()
        if roll < 0.6 and not self.text_only:
            return self.service(depth)
        if roll < 0.65 and not self.text_only:
            return self.trick()
        if depth <= 0:
            return self.triple()
        if roll < 0.75:
            return [rng.choice(["OPTIONAL", "MINUS", "optional"]), self.space(),
                    *self.group(depth - 1)]
        if roll < 0.85:
            return [*self.group(depth - 1), self.space(), "UNION", self.space(),
                    *self.group(depth - 1)]
        return self.group(depth - 1)

    def values_block(self) -> list[str]:
        self.values += 1
        a, b = f"?va{self.values}", f"?vb{self.values}"
        rows = []
        for _ in range(self.rng.randint(1, 2)):
            rows += ["(", self.rng.choice(["1", self.iri(False), "UNDEF"]), " ",
                     self.rng.choice(["2", self.iri(False), self.string()]), ")"]
        return ["VALUES (", a, " ", b, ") {", *rows, "}"]

    def service(self, depth: int) -> list[str]:
        rng = self.rng
        # SPARQL 1.1 engines (rdflib) replace codepoint escapes before reading the text
        keyword = rng.choice(["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERVI\\u0043E"])
        silent = rng.choice(["", "", "SILENT" + self.space(none=False), "silent "])
        target = rng.choice([f"<{self.base}s>", ":a", "x:a", "?sv", f"<{self.base}s#x>", ":",
                             "ex:a\u00b7b"])
        inner = self.group(max(depth - 1, 0))
        if rng.random() < 0.3:  # glued: SERVICE:a, SERVICE<...>, serviceType:foo, SERVICEx:a
            return [rng.choice([keyword + ":a", keyword + "<" + self.base + "g>",
                                "serviceType:foo", "SERVICEx:a", keyword + silent.strip() + ":a"]),
                    *inner]
        return [keyword, self.space(), silent, target, self.space(), *inner]

    def trick(self) -> list[str]:
        """SERVICE where a tokenizer that is not Oxigraph's may miss it."""
        rng = self.rng
        base = self.base
        return rng.choice([
            # a local name with a character \w lacks, then \#: the rest of the line is code
            ["?s ?p ex:", rng.choice(_LOCALS_WITH_HASH), " SERVICE <", base, "h> { }"],
            # "<" as less-than, with a "#" (or a quote) before a ">" later on the line
            ["FILTER(1<2)SERVICE:a#>\n{ }"],
            ["VALUES (?ta ?tb) { (1 2) (<", base, "x> <", base, "y'z>) } FILTER(?ta<?tb)SERVICE:a"
             "#'>\n{ }"],
            # glued after punctuation, a boolean, a number
            ["?s ?p ?o.SERVICE<", base, "d>{}"], ["{}SERVICE<", base, "d>{}"],
            ["?s ?p trueSERVICE<", base, "d>{}"], ["?s ?p 1SERVICE<", base, "d>{}"],
            ["?s ?p true.SERVICE:a{}"],
            # Oxigraph's PN_LOCAL takes one "."-group: ex:a.b.SERVICE is ex:a.b . SERVICE
            ["?s ?p ex:a.b.SERVICE<", base, "d>{}"],
            # a prefix whose IRI a local name cannot extend: f:SERVICE is f: SERVICE
            ["?s ?p f:SERVICE<", base, "d>{}"],
        ])


def _queries(base: str) -> Iterator[Query]:
    rng = random.Random(SEED)
    maker = _Maker(rng, base)
    for number in range(QUERIES):
        yield maker.query(text_only=number % 3 == 0)


# --- the parsers ------------------------------------------------------------------------------

def _rdflib_services(text: str) -> bool | None:
    """Whether rdflib finds a SERVICE in the query's algebra; None if it rejects the query."""
    try:
        algebra = translateQuery(parseQuery(text)).algebra
    except Exception:  # any rejection (also RecursionError): no opinion
        return None
    stack: list[object] = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return False


def _oxigraph_calls(store: ox.Store, server: SparqlListener, text: str) -> int | None:
    """How many times running the query called the listener; None if Oxigraph rejects it."""
    before = server.calls
    try:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    except SyntaxError:
        return None
    except (OSError, RuntimeError, ValueError):
        pass  # an evaluation error: the listener may still have been called
    return server.calls - before


def _shrink(query: Query, fails: Callable[[str], bool]) -> str:
    """The smallest text, made by dropping pieces (and runs of pieces), that still fails."""
    pieces = list(query.pieces)
    size = max(len(pieces) // 2, 1)
    while size >= 1:
        start = 0
        while start < len(pieces):
            candidate = pieces[:start] + pieces[start + size:]
            if candidate and fails("".join(candidate)):
                pieces = candidate
            else:
                start += size
        size //= 2
    return "".join(pieces)


# --- the test ---------------------------------------------------------------------------------

def test_uses_service_agrees_with_rdflib_and_oxigraph(listener):
    """Oracles a and b can only fail where uses_service says False, c where it says True,
    so each parser runs only where it can tell something (rdflib is slow)."""
    store = ox.Store()
    failures: list[str] = []

    def rdflib_sees_service(text: str) -> bool:
        return not uses_service(text) and _rdflib_services(text) is True

    def oxigraph_calls_out(text: str) -> bool:
        return not uses_service(text) and bool(_oxigraph_calls(store, listener, text))

    def refused_text_only(text: str) -> bool:
        return (uses_service(text) and _rdflib_services(text) is not None
                and _oxigraph_calls(store, listener, text) is not None)

    for query in _queries(listener.base):
        text = query.text
        if not uses_service(text):
            if oxigraph_calls_out(text):
                failures.append("Oxigraph called out but uses_service said False:\n"
                                + _shrink(query, oxigraph_calls_out))
            if rdflib_sees_service(text):
                failures.append("rdflib finds a SERVICE but uses_service said False:\n"
                                + _shrink(query, rdflib_sees_service))
        elif query.text_only and refused_text_only(text):
            failures.append("only text mentions service, both parsers accept the query, and "
                            "uses_service said True:\n" + _shrink(query, refused_text_only))
        if len(failures) >= 3:
            break
    assert not failures, "\n\n".join(failures)
