"""SPARQL syntax errors a person understands: what is wrong, where, and what to write instead.

Oxigraph's parser says where it stopped and what it expected, in the words of its own
grammar ("expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' ...]"), in an
order that changes between runs, often at the end of the query rather than at the
token at fault. :func:`explain` reads the query itself first and recognises the
mistakes people make most — an undeclared prefix, a misspelt query form, a string or
a bracket left open, a variable that GROUP BY leaves unbound, a malformed IRI — and
names the token's line and column; otherwise it rewrites the parser's list of
expected tokens into a stable, sorted, readable one. :func:`with_caret` shows the line
with a caret under the column, as the command line prints it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from crossinnov.formats import WELL_KNOWN_PREFIXES
from crossinnov.sparql.text import tokens

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
#: the words of SPARQL 1.1 Query (keywords and built-in functions); any other bare word in
#: code is a mistake
KEYWORDS = frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS
    FILTER UNION NOT IN EXISTS A TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
    SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND
    CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
    YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384
    SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
    SUBSTR REPLACE TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LOAD CLEAR DROP CREATE ADD MOVE
    COPY INSERT DELETE DATA WITH USING DEFAULT ALL TO INTO
""".split())
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
_PROLOGUE = ("PREFIX", "BASE")
#: most expected tokens named in a message
MAX_EXPECTED = 8


@dataclass
class Explained:
    """A syntax error in words, with the 1-based line and column of the token at fault."""

    message: str
    line: int | None = None
    column: int | None = None
    #: text to add to the query to mend it (the PREFIX lines of undeclared prefixes)
    fix: str | None = None
    #: the undeclared prefixes and the namespaces the fix declares for them
    prefixes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"message": self.message, "line": self.line, "column": self.column}
        if self.fix:
            out["fix"] = self.fix
        return out

    def text(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"{self.message}{where}"


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def declared_prefixes(query: str) -> dict[str, tuple[str, int]]:
    """The prefixes the query declares: name -> (namespace IRI, offset of the declaration)."""
    out: dict[str, tuple[str, int]] = {}
    code = [t for t in tokens(query) if t[0] not in ("space", "comment")]
    for i, (kind, start, end) in enumerate(code):
        if kind == "word" and query[start:end].upper() == "PREFIX" and i + 2 < len(code):
            name, iri = code[i + 1], code[i + 2]
            if name[0] == "pname" and iri[0] == "iri":
                out[query[name[1]:name[2]].rstrip(":")] = (query[iri[1] + 1:iri[2] - 1], start)
    return out


def undeclared_prefixes(query: str) -> list[tuple[str, int]]:
    """The prefixed names whose prefix is not declared: (prefix, offset of the first use)."""
    declared = declared_prefixes(query)
    seen: dict[str, int] = {}
    code = [t for t in tokens(query) if t[0] not in ("space", "comment")]
    for i, (kind, start, end) in enumerate(code):
        if kind != "pname" or (i and code[i - 1][0] == "lt"):
            continue  # not a name, or the scheme of an IRI that is not well formed
        if i and code[i - 1][0] == "word" and query[code[i - 1][1]:code[i - 1][2]].upper() \
                == "PREFIX":
            continue  # the declaration itself
        prefix = query[start:end].split(":", 1)[0]
        if prefix not in declared and prefix not in seen:
            seen[prefix] = start
    return sorted(seen.items(), key=lambda item: item[1])


def prefix_lines(prefixes: dict[str, str]) -> str:
    return "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items())


def explain(query: str, raw: str, known: dict[str, str] | None = None) -> Explained:
    """Turn the parser's message about ``query`` into words (see the module's docstring).

    :param known: prefixes whose declaration an error may offer (the well-known ones and,
        on a server, its resource kinds)
    """
    match = _POSITION.match(raw.strip())
    line, column, expected = (int(match[1]), int(match[2]), match[3]) if match else (
        None, None, raw)
    known = WELL_KNOWN_PREFIXES if known is None else known
    for diagnose in (_malformed_iri, lambda q: _undeclared_prefix(q, known), _query_form,
                     _open_string, _brackets, _unknown_word):
        found = diagnose(query)
        if found is not None:
            return found
    return _from_parser(query, line, column, expected)


def _undeclared_prefix(query: str, well_known: dict[str, str]) -> Explained | None:
    missing = undeclared_prefixes(query)
    if not missing:
        return None
    known = {name: well_known[name] for name, _ in missing if name in well_known}
    names = ", ".join(f"{name}:" for name, _ in missing)
    line, column = _line_column(query, missing[0][1])
    if len(known) == len(missing):
        lines = prefix_lines(known)
        many = len(missing) > 1
        return Explained(f"the prefix{'es' if many else ''} {names} {'are' if many else 'is'} "
                         f"not declared; add {'these lines' if many else 'this line'} at the "
                         f"top of the query: {lines.replace(chr(10), '  ')}", line, column,
                         lines, known)
    return Explained(f"the prefix {missing[0][0]}: is not declared; declare it at the top of "
                     f"the query with PREFIX {missing[0][0]}: <namespace IRI>", line, column,
                     prefix_lines(known) or None, known)


def _code(query: str) -> list[tuple[str, int, int]]:
    return [t for t in tokens(query) if t[0] not in ("space", "comment")]


_IRI_START = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:")


def _malformed_iri(query: str) -> Explained | None:
    """A ``<`` that starts what looks like an IRI but is none (a space, a quote, a brace)."""
    for kind, start, _end in _code(query):
        if kind == "lt" and _IRI_START.match(query, start):
            bad = re.match(r"<[^>\s]*([\s\"{}|^`\\<])", query[start:])
            why = (f": IRIs have no {'spaces' if bad[1].isspace() else repr(bad[1])}" if bad
                   else ": it is not closed with '>'")
            line, column = _line_column(query, start)
            return Explained(f"this IRI is not valid{why}", line, column)
    return None


def _unknown_word(query: str) -> Explained | None:
    for kind, start, end in _code(query):
        word = query[start:end]
        if kind == "word" and word.upper() not in KEYWORDS:
            line, column = _line_column(query, start)
            close = difflib.get_close_matches(word.upper(), sorted(KEYWORDS), n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else (
                " (a variable starts with ?, a prefixed name has a ':')")
            return Explained(f"{word[:40]!r} is not a word of SPARQL{hint}", line, column)
    return None


def _query_form(query: str) -> Explained | None:
    code = [t for t in tokens(query) if t[0] not in ("space", "comment")]
    i = 0
    while i < len(code) and code[i][0] == "word" and query[code[i][1]:code[i][2]].upper() \
            in _PROLOGUE:
        i += 3 if query[code[i][1]:code[i][2]].upper() == "PREFIX" else 2
    if i >= len(code):
        return Explained("the query is empty: write SELECT, CONSTRUCT, ASK or DESCRIBE after "
                         "any PREFIX lines")
    kind, start, end = code[i]
    word = query[start:end]
    if kind == "word" and word.upper() in _FORMS:
        return None
    line, column = _line_column(query, start)
    close = difflib.get_close_matches(word.upper(), _FORMS + _PROLOGUE, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return Explained(f"a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE (after any PREFIX "
                     f"and BASE lines), not {word[:40]!r}{hint}", line, column)


def _open_string(query: str) -> Explained | None:
    for kind, start, end in tokens(query):
        if kind != "string":
            continue
        text = query[start:end]
        quote = text[:3] if text[:3] in ('"""', "'''") else text[0]
        if len(text) < 2 * len(quote) or not text.endswith(quote) or text.endswith(
                "\\" + quote):
            line, column = _line_column(query, start)
            return Explained(f"the string that starts here is not closed: end it with {quote}",
                             line, column)
    return None


_PAIRS = {"(": ")", "{": "}", "[": "]"}
_FUNCTIONS = KEYWORDS - frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS
    FILTER UNION NOT IN A TRUE FALSE SEPARATOR LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT
    DELETE DATA WITH USING DEFAULT ALL TO INTO""".split())


def _brackets(query: str) -> Explained | None:
    stack: list[tuple[str, int]] = []
    for kind, start, _end in tokens(query):
        if kind == "open":
            stack.append((query[start], start))
        elif kind == "close":
            char = query[start]
            if not stack or _PAIRS[stack[-1][0]] != char:
                line, column = _line_column(query, start)
                opened = (f" (the last one open is {stack[-1][0]!r} at line "
                          f"{_line_column(query, stack[-1][1])[0]})") if stack else ""
                return Explained(f"this {char!r} closes nothing{opened}", line, column)
            stack.pop()
    if stack:
        char, start = stack[-1]
        line, column = _line_column(query, start)
        return Explained(f"this {char!r} is never closed: add {_PAIRS[char]!r} where it ends",
                         line, column)
    return None


#: words the parser uses for what it expected, and what a person calls them
_MEANINGS = {
    "Prefix not found": None,  # handled by _undeclared_prefix
    "The SELECT contains a variable that is unbound": (
        "with GROUP BY, every variable SELECT shows must be grouped (in GROUP BY) or "
        "aggregated (COUNT, SAMPLE, GROUP_CONCAT, ...)"),
    "IRI parsing failed": "this IRI is not valid: IRIs have no spaces and must be absolute "
                          "(or BASE must be given)",
}


def _from_parser(query: str, line: int | None, column: int | None, expected: str) -> Explained:
    """The parser's own message, with its expected tokens listed in a stable, readable way."""
    for words, meaning in _MEANINGS.items():
        if words in expected and meaning:
            return Explained(meaning, line, column)
    items = _expected_items(expected.removeprefix("expected").strip())
    found = _found_at(query, line, column)
    listed = ", ".join(items[:MAX_EXPECTED]) + (", …" if len(items) > MAX_EXPECTED else "")
    message = "the query cannot be read here"
    if found:
        message += f": found {found!r}"
    if items:
        message += f"; expected {'one of ' if len(items) > 1 else ''}{listed}"
    return Explained(message, line, column)


_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)"|\[[^\]]*\]|[A-Za-z][A-Za-z0-9_]*(?: [a-z][a-z ]*)?')


def _expected_items(text: str) -> list[str]:
    text = text.removeprefix("one of").strip()
    out: set[str] = set()
    for match in _ITEM.finditer(text):
        item = match.group(0)
        if match.group(1) is not None:
            token = match.group(1).encode().decode("unicode_escape")
            if token and token not in ("{|", "~"):  # RDF 1.2 annotations: not for people
                out.add(token)
        elif item.startswith("["):
            if "A' ..= 'Z" in item or "'a' ..= 'z'" in item:
                out.add("a name")
            elif "'0' ..= '9'" in item and "A'" not in item:
                out.add("a digit")
        elif item[0].isupper() and " " not in item:
            out.add(item)
    functions = {t for t in out if t.upper() in _FUNCTIONS}
    if len(functions) >= 3:  # the parser lists the functions an expression may start with
        out = (out - functions) | {"an expression (a value, a ?variable, or a function such "
                                   "as STR(...))"}
    kinds = ("a name", "a digit")
    punctuation = sorted(t for t in out if not t[0].isalnum() and t not in kinds)
    words = sorted(t for t in out if t[0].isalnum() and t not in kinds)
    return punctuation + words + [t for t in kinds if t in out]


def _found_at(query: str, line: int | None, column: int | None) -> str | None:
    if not line or not column:
        return None
    lines = query.split("\n")
    if line > len(lines):
        return "the end of the query"
    rest = lines[line - 1][column - 1:]
    word = re.match(r"\S+", rest)
    if word is None:
        return "the end of the query" if line == len(lines) else "the end of the line"
    return word.group(0)[:30]


def with_caret(query: str, explained: Explained) -> str:
    """The message, then the query's line at fault with a caret under the column."""
    if not explained.line:
        return explained.message
    lines = query.split("\n")
    text = lines[explained.line - 1] if explained.line <= len(lines) else ""
    column = max(1, explained.column or 1)
    return (f"line {explained.line}, column {column}: {explained.message}\n"
            f"  {text}\n  {' ' * (column - 1)}^")
