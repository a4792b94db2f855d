"""Rewrite ``FILTER NOT EXISTS { P }`` into ``MINUS { P }`` where the two are equivalent.

Oxigraph evaluates ``FILTER NOT EXISTS { P }`` by evaluating P again for every solution of
the group, while it evaluates ``MINUS { P }`` once and compares: on the workload's q5 the
difference is two orders of magnitude. :func:`not_exists_to_minus` rewrites a query only
where the answer cannot change, and returns every other query unchanged, character for
character.

The two are not the same operator (SPARQL 1.1 Query, https://www.w3.org/TR/sparql11-query/,
8.3 "Relationship and differences between NOT EXISTS and MINUS"; 18.2.2 for how a group
becomes algebra, 18.5 for ``Filter``, ``Join``, ``LeftJoin`` and ``Minus``, 18.6 for
``exists`` and ``substitute``). For a solution μ of the group:

- ``FILTER NOT EXISTS { P }`` drops μ if P, with each of its variables in dom(μ) replaced by
  its value in μ, has a solution;
- ``MINUS { P }`` drops μ if a solution μ' of P alone is compatible with μ *and* shares a
  variable with it (dom(μ) ∩ dom(μ') ≠ ∅).

The rule implemented (every part is needed; each is checked on the parsed query):

1. Where. The filter is a whole constraint of its own, ``FILTER NOT EXISTS {P}`` (or
   ``FILTER(NOT EXISTS {P})``, ``FILTER(!EXISTS {P})``), not a part of a larger expression
   (``FILTER(?x > 1 || NOT EXISTS {P})`` stays). Its group G is not the body of an
   OPTIONAL (whose filters become the LeftJoin's condition and see the left side's
   variables, 18.2.2) nor anywhere inside an EXISTS. The query has no SERVICE and no
   blank-node label (``[]`` is fine).
2. Shared variables are certain. Let S be the variables of P that a solution of G may
   bind: by the specification those G's patterns may bind (not those merely named in its
   filters or MINUS); but Oxigraph evaluates a nested group with the bindings of the
   patterns around it (``{ ?a :p ?b { ?b :q ?d FILTER NOT EXISTS { ?d :r ?a } } }`` sees
   the outer ?a), so S is taken as the variables of P that any pattern of the query may
   bind outside EXISTS, or that a trailing VALUES names. Every variable in S must be
   bound in every solution of G: by a triple or path pattern of G or of a
   group joined into it, by every branch of a UNION, by ``GRAPH ?g``, by a VALUES column
   without UNDEF, or by a BIND of a constant or of a certain variable. Variables bound
   only in an OPTIONAL, in some UNION branches, by a subquery or by a BIND of an
   expression that may fail are not certain. Then dom(μ) ∩ vars(P) = S for every μ, so
   "replace S by μ's values" is "keep the solutions of P compatible with μ" as long as P
   uses S only where a join sees it, which rule 3 makes sure of.
3. P is evaluated alone under MINUS, so nothing in P may need μ except through a join:
   P has no subquery, no SERVICE and no MINUS (Oxigraph evaluates P under EXISTS with μ's
   bindings in every part of it, the right side of an inner MINUS too, where 18.6's
   substitution leaves that side as it is: ``NOT EXISTS { ?a :p :b MINUS { :c :d ?x } }``
   answers differently from the specification there, so no MINUS form can match it);
   an OPTIONAL or VALUES inside P names no variable of S; ``GRAPH ?g`` inside P does not
   use a variable of S as ``?g``; a BIND inside P does not bind a variable of S; and each
   FILTER or BIND expression inside P (with the EXISTS it may nest) names only variables
   of S that its own group has bound with certainty (for a BIND: before it).
   One extension: a FILTER or BIND of P's own group (not of a group inside P) that needs
   a variable of S that P does not bind is accepted when a triple pattern of G's own
   triples (plain terms, no path, no blank node) binds it. That triple is copied to the
   start of the MINUS: it holds in every μ, and compatibility makes its variables equal
   to μ's, so ``MINUS { T . P }`` drops exactly the μ that ``NOT EXISTS { P }`` drops.
   This is how the workload's q5 (``FILTER(?pc != ?c)``, ``?c`` from the outer group)
   becomes a MINUS; ``MINUS { P }`` alone would see ``?c`` unbound and drop nothing.
4. The domains meet. At least one variable of S (or of a copied triple) is certain in P,
   so every solution of P shares a variable with μ; otherwise MINUS would remove nothing
   where NOT EXISTS may remove everything.
5. Place. A FILTER applies to the whole group (18.2.2: ``{ A FILTER(f) B }`` is
   Filter(f, A ⋈ B)) while ``{ A MINUS {P} B }`` is (A − P) ⋈ B, so the MINUS goes last in
   G: in place of the filter when only filters follow it, otherwise the filter is taken
   out (leaving a ``.`` between two triples blocks, or taking the ``.`` after it away
   where it would follow another) and the MINUS is
   added before G's closing brace. The certain variables of rule 2 are those of the
   whole group. For ``SELECT *`` a MINUS is moved only if the order in which the
   answer's variables first appear in the text stays the same.

The query is read with the tokenizer of :mod:`crossinnov.sparql.text` and a small parser
of group graph patterns over its tokens, which knows where each element starts and ends,
so the rewrite edits the original text at those places. rdflib must read both the
original and the rewritten query (parse and translate to the algebra); whatever this
module cannot read (rdflib's gaps, RDF-star, ``\\u`` escapes, very deep nesting, text over
20 000 characters, groups too long for rdflib's recursive parser, anything unexpected)
leaves the query as it is. The function never raises.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field

from crossinnov.sparql.text import nesting_depth, star_order, tokens, uses_service

__all__ = ["not_exists_to_minus"]

#: deeper than this (brackets and prefix operators) the query is left alone: rdflib's parser
#: recurses once per level
_MAX_DEPTH = 60
#: longer than this (characters) the query is left alone: rdflib takes about a second to
#: read 10 000 characters, and its parser recurses once per element of a group
_MAX_LENGTH = 20_000
#: the keywords that start an element of a group other than triples
_ELEMENT_WORDS = frozenset({"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES"})
#: the words that may stand inside triples (a language tag follows "@")
_TRIPLE_WORDS = frozenset({"A", "TRUE", "FALSE"})
_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
_CLOSING = {"(": ")", "[": "]", "{": "}"}
#: keywords that P may not hold (rule 3), at any depth: a subquery, and a MINUS, which
#: Oxigraph evaluates inside an EXISTS with the outer solution's bindings on both sides
_OUT_OF_P = frozenset({"SELECT", "MINUS", "SERVICE"})
#: a prefixed name that reads the same in every SPARQL parser (copied into a MINUS)
_PLAIN_PNAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_-]*)?:(?:[A-Za-z0-9_][A-Za-z0-9_-]*)?")


class _Unsupported(Exception):
    """The text holds something this module does not read: the query is left as it is."""


@dataclass(eq=False)
class _Group:
    """A group graph pattern ``{ ... }`` (or a subquery, ``opaque``), by code-token index."""

    open: int
    close: int
    kind: str  # where, group, optional, minus, graph, exists
    in_exists: bool
    opaque: bool = False  # a subquery: what it binds for certain is not analysed
    names: set[str] = field(default_factory=set)  # the variables named anywhere in it
    elements: list[_Element] = field(default_factory=list)
    where: _Group | None = None  # a subquery's WHERE clause
    head: set[str] = field(default_factory=set)  # a subquery's variables outside its WHERE


@dataclass(eq=False)
class _Element:
    """One element of a group: kind in triples, dot, group (a group or a UNION of groups:
    ``groups``), optional, minus, graph, filter, bind, values."""

    kind: str
    start: int
    end: int  # the code token after its last one
    names: set[str] = field(default_factory=set)  # every variable named in its text
    groups: list[_Group] = field(default_factory=list)
    target: str | None = None  # BIND's variable, GRAPH's variable
    #: BIND: binds its variable in every solution that binds ``needs``; VALUES: no UNDEF
    certain: bool = False
    needs: set[str] = field(default_factory=set)
    not_exists: _Group | None = None  # FILTER: P, if the constraint is exactly NOT EXISTS {P}
    triples: list[tuple[int, int, int]] = field(default_factory=list)  # plain triples


class _Reader:
    """The code tokens of a query and the groups found in them."""

    def __init__(self, text: str) -> None:
        self.text = text
        code = [t for t in tokens(text) if t[0] not in ("space", "comment")]
        self.kinds = [kind for kind, _, _ in code]
        self.starts = [start for _, start, _ in code]
        self.ends = [end for _, _, end in code]
        self.toks = [text[start:end] for _, start, end in code]
        self.words = [tok.upper() if kind == "word" else "" for kind, tok in
                      zip(self.kinds, self.toks, strict=True)]
        self.vars = [tok[1:] if kind == "var" else "" for kind, tok in
                     zip(self.kinds, self.toks, strict=True)]
        self.match = self._brackets()
        self.groups: list[_Group] = []
        self.where: _Group | None = None

    def _brackets(self) -> dict[int, int]:
        stack: list[int] = []
        match: dict[int, int] = {}
        for i, kind in enumerate(self.kinds):
            if kind in ("open_triple", "close_triple", "bnode"):
                raise _Unsupported(kind)
            if kind == "open":
                stack.append(i)
            elif kind == "close":
                if not stack or _CLOSING[self.toks[stack[-1]]] != self.toks[i]:
                    raise _Unsupported("brackets")
                j = stack.pop()
                match[i], match[j] = j, i
        if stack:
            raise _Unsupported("brackets")
        return match

    def tok(self, i: int) -> str:
        return self.toks[i] if i < len(self.toks) else ""

    def names(self, start: int, end: int) -> set[str]:
        return {name for name in self.vars[start:end] if name}

    def closing(self, i: int, bracket: str = "{") -> int:
        """The index of the bracket closing the one at ``i`` (which must be ``bracket``)."""
        if self.tok(i) != bracket:
            raise _Unsupported(f"expected {bracket}")
        return self.match[i]

    # --- the query --------------------------------------------------------------------------

    def query(self) -> None:
        i, n = 0, len(self.toks)
        while i < n and self.words[i] in ("PREFIX", "BASE"):
            i += 3 if self.words[i] == "PREFIX" else 2
        if i >= n or self.words[i] not in _FORMS:
            raise _Unsupported("query form")
        form = self.words[i]
        i += 1
        if form == "CONSTRUCT" and self.tok(i) == "{":
            i = self.closing(i) + 1  # the template
        i = self._where_brace(i, n)
        if i is not None:
            self.where = self.group(i, "where", in_exists=False)

    def _where_brace(self, i: int, end: int) -> int | None:
        """The first ``{`` from ``i`` on outside parentheses (the WHERE clause's)."""
        while i < end:
            tok = self.tok(i)
            if tok == "{":
                return i
            if tok in ("(", "["):
                i = self.match[i]
            elif tok in (")", "]", "}"):
                raise _Unsupported("unexpected bracket")
            i += 1
        return None

    # --- groups -----------------------------------------------------------------------------

    def group(self, i: int, kind: str, in_exists: bool) -> _Group:
        """The group (or subquery) whose ``{`` is at ``i``."""
        close = self.closing(i)
        group = _Group(i, close, kind, in_exists, names=self.names(i, close + 1))
        if self.words[i + 1] == "SELECT":
            group.opaque = True
            where = self._where_brace(i + 2, close)
            if where is None:
                raise _Unsupported("subquery without a group")
            group.where = self.group(where, "where", in_exists)
            group.head = self.names(i, where) | self.names(group.where.close, close)
            return group
        self.groups.append(group)
        j = i + 1
        while j < close:
            element = self.element(j, close, in_exists)
            group.elements.append(element)
            j = element.end
        if j != close:
            raise _Unsupported("group")
        return group

    def element(self, j: int, close: int, in_exists: bool) -> _Element:
        tok, word = self.toks[j], self.words[j]
        if tok == "{":
            branches = [self.group(j, "group", in_exists)]
            k = branches[-1].close + 1
            while k < close and self.words[k] == "UNION":
                branches.append(self.group(k + 1, "group", in_exists))
                k = branches[-1].close + 1
            return self._made("group", j, k, groups=branches)
        if tok == ".":
            return self._made("dot", j, j + 1)
        if word in ("OPTIONAL", "MINUS"):
            body = self.group(j + 1, word.lower(), in_exists)
            return self._made(word.lower(), j, body.close + 1, groups=[body])
        if word == "GRAPH":
            if self.kinds[j + 1] not in ("var", "iri", "pname"):
                raise _Unsupported("GRAPH")
            body = self.group(j + 2, "graph", in_exists)
            return self._made("graph", j, body.close + 1, groups=[body],
                              target=self.vars[j + 1] or None)
        if word == "FILTER":
            return self.filter(j, in_exists)
        if word == "BIND":
            return self.bind(j)
        if word == "VALUES":
            return self.values(j)
        if word == "SERVICE":
            raise _Unsupported("SERVICE")
        return self.triples(j, close)

    def _made(self, kind: str, start: int, end: int, **fields) -> _Element:
        return _Element(kind, start, end, names=self.names(start, end), **fields)

    def filter(self, j: int, in_exists: bool) -> _Element:
        c = j + 1
        if self.tok(c) == "(":
            end = self.match[c] + 1
        elif self.words[c] == "NOT" and self.words[c + 1] == "EXISTS":
            end = self.closing(c + 2) + 1
        elif self.words[c] == "EXISTS":
            end = self.closing(c + 1) + 1
        elif self.kinds[c] in ("word", "iri", "pname"):
            end = self.closing(c + 1, "(") + 1
        else:
            raise _Unsupported("FILTER")
        element = self._made("filter", j, end)
        a, b = c, end  # strip the parentheses around the whole constraint
        while self.tok(a) == "(" and self.match[a] == b - 1:
            a, b = a + 1, b - 1
        exact = b - a >= 3 and self.words[a + 1] == "EXISTS" and self.tok(a + 2) == "{" \
            and self.match[a + 2] == b - 1 and (self.words[a] == "NOT" or self.toks[a] == "!")
        if exact:
            element.not_exists = self.group(a + 2, "exists", in_exists=True)
        return element

    def bind(self, j: int) -> _Element:
        end = self.closing(j + 1, "(") + 1
        if self.kinds[end - 2] != "var" or self.words[end - 3] != "AS" or end - 3 <= j + 2:
            raise _Unsupported("BIND")
        element = self._made("bind", j, end, target=self.vars[end - 2])
        expression = range(j + 2, end - 3)
        if len(expression) == 1:  # a constant or a variable: binds whenever that is bound
            k = expression[0]
            kind = self.kinds[k]
            if kind in ("iri", "pname", "string", "number") or self.words[k] in ("TRUE", "FALSE"):
                element.certain = True
            elif kind == "var":
                element.certain, element.needs = True, {self.vars[k]}
        return element

    def values(self, j: int) -> _Element:
        k = j + 1
        if self.kinds[k] == "var":
            width, k = None, k + 1
        else:
            width, k = len(self.names(k, self.closing(k, "("))), self.closing(k, "(") + 1
        end = self.closing(k) + 1
        element = self._made("values", j, end)
        element.certain = "UNDEF" not in self.words[k:end]
        if width is not None:  # rows as wide as the variables: Oxigraph checks, rdflib not
            row = k + 1
            while row < end - 1:
                close = self.closing(row, "(")
                if self._cells(row + 1, close) != width:
                    raise _Unsupported("VALUES row")
                row = close + 1
        return element

    def _cells(self, start: int, end: int) -> int:
        """How many data values (IRI, literal, number, boolean, UNDEF) stand in [start, end)."""
        count = 0
        for k in range(start, end):
            kind, before = self.kinds[k], self.toks[k - 1]
            if before in ("@", "^^") or (kind == "prefix_op" and self.toks[k] in "+-"):
                continue  # a language tag or datatype goes with its string, a sign with its number
            count += kind in ("iri", "pname", "string", "number", "word")
        return count

    def triples(self, j: int, close: int) -> _Element:
        k = j
        while k < close:
            tok, word = self.toks[k], self.words[k]
            if tok == "{" or word in _ELEMENT_WORDS:
                break
            if tok in ("(", "["):
                self._check_words(k + 1, self.match[k])
                k = self.match[k] + 1
                continue
            self._check_words(k, k + 1)
            k += 1
        if k == j:
            raise _Unsupported("triples")
        end = k - 1 if self.toks[k - 1] == "." and k - 1 > j else k
        element = self._made("triples", j, end)
        element.triples = self._plain_triples(j, end)
        return element

    def _check_words(self, start: int, end: int) -> None:
        for k in range(start, end):
            if self.words[k] and self.words[k] not in _TRIPLE_WORDS and self.toks[k - 1] != "@":
                raise _Unsupported(f"word {self.toks[k]} in triples")

    def _split(self, items: list[int], separator: str) -> list[list[int]]:
        parts: list[list[int]] = [[]]
        for k in items:
            if k >= 0 and self.toks[k] == separator:
                parts.append([])
            else:
                parts[-1].append(k)
        return [part for part in parts if part]

    def _plain_triples(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The triples of a block written with plain terms only (``-1``: a bracketed part)."""
        items: list[int] = []
        k = start
        while k < end:
            if self.toks[k] in ("(", "["):
                items.append(-1)
                k = self.match[k] + 1
            else:
                items.append(k)
                k += 1
        found = []
        for statement in self._split(items, "."):
            subject = statement[0]
            if not self._plain(subject):
                continue
            for part in self._split(statement[1:], ";"):
                verb = part[0]
                if not (self._plain(verb) or (verb >= 0 and self.words[verb] == "A")):
                    continue
                for obj in self._split(part[1:], ","):
                    if len(obj) == 1 and self._plain(obj[0]):
                        found.append((subject, verb, obj[0]))
        return found

    def _plain(self, k: int) -> bool:
        if k < 0:
            return False
        kind = self.kinds[k]
        return kind in ("var", "iri") or (
            kind == "pname" and _PLAIN_PNAME.fullmatch(self.toks[k]) is not None)


# --- what groups bind --------------------------------------------------------------------------

def _possible(group: _Group) -> set[str]:
    """The variables a solution of the group may bind (filters and MINUS bind none)."""
    if group.opaque:
        return group.head | _possible(group.where)
    found: set[str] = set()
    for element in group.elements:
        if element.kind in ("triples", "values"):
            found |= element.names
        elif element.kind == "bind":
            found.add(element.target)
        elif element.kind in ("group", "optional", "graph"):
            for branch in element.groups:
                found |= _possible(branch)
            if element.target:
                found.add(element.target)
    return found


def _certain(group: _Group) -> set[str]:
    """The variables bound in every solution of the group."""
    if group.opaque:
        return set()
    bound: set[str] = set()
    for element in group.elements:
        bound |= _binds(element, bound)
    return bound


def _binds(element: _Element, bound: set[str]) -> set[str]:
    """The variables an element binds in every solution, after ``bound``."""
    kind = element.kind
    if kind == "triples":
        return element.names
    if kind == "group":
        return set.intersection(*(_certain(branch) for branch in element.groups))
    if kind == "graph":
        return _certain(element.groups[0]) | ({element.target} if element.target else set())
    if kind == "bind" and element.certain and element.needs <= bound:
        return {element.target}
    if kind == "values" and element.certain:
        return element.names
    return set()


def _joinable(group: _Group, shared: set[str], bound: set[str], top: bool
              ) -> tuple[bool, set[str], set[str]]:
    """Whether P (or a group inside it) uses the shared variables only where a join sees
    them (rule 3): (ok, the shared variables its own filters and binds need but it does not
    bind (asked of P's own group only: ``top``), the variables it binds for certain).
    ``bound``: what is bound before its first element (the copied triples)."""
    fail = (False, set(), set())
    if group.opaque:
        return fail
    bound = set(bound)
    missing: set[str] = set()
    filters = []
    for element in group.elements:
        kind = element.kind
        if kind in ("group", "graph"):
            if element.target in shared:
                return fail
            for branch in element.groups:
                if not _joinable(branch, shared, set(), False)[0]:
                    return fail
        elif kind in ("optional", "minus", "values"):
            if element.names & shared:
                return fail
        elif kind == "filter":
            filters.append(element)
        elif kind == "bind":
            if element.target in shared:
                return fail
            used = (element.names - {element.target}) & shared
            if not used <= bound:
                if not top:
                    return fail
                missing |= used - bound
        bound |= _binds(element, bound)
    for element in filters:
        used = element.names & shared
        if not used <= bound:
            if not top:
                return fail
            missing |= used - bound
    return True, missing, bound


# --- the rewrite -------------------------------------------------------------------------------

def _minus_text(reader: _Reader, group: _Group, element: _Element, outer: set[str],
                certain: set[str]) -> str | None:
    """``MINUS {...}`` equivalent to the FILTER NOT EXISTS ``element`` of ``group``, or None.
    ``outer``: what any pattern of the query may bind; ``certain``: what the group binds
    in every solution."""
    p = element.not_exists
    if p is None or p.opaque or not _OUT_OF_P.isdisjoint(reader.words[p.open:p.close]):
        return None
    shared = p.names & outer
    if not shared or not shared <= certain:
        return None
    ok, missing, bound = _joinable(p, shared, set(), True)
    if not ok:
        return None
    copied: list[tuple[int, int, int]] = []
    if missing:
        copied = _copied_triples(reader, group, p, missing)
        if copied is None:
            return None
        copied_names = {reader.vars[k] for t in copied for k in t if reader.vars[k]}
        shared |= copied_names
        ok, missing, bound = _joinable(p, shared, copied_names, True)
        if not ok or missing:
            return None
    if not bound & shared:
        return None
    text = reader.text
    body_start, close = reader.ends[p.open], reader.ends[p.close]
    extra = "".join(" " + " ".join(reader.toks[k] for k in t) + " ." for t in copied)
    return "MINUS {" + extra + text[body_start:close]


def _copied_triples(reader: _Reader, group: _Group, p: _Group, missing: set[str]
                    ) -> list[tuple[int, int, int]] | None:
    """Plain triples of the group's own triples that bind the ``missing`` variables."""
    candidates = [t for element in group.elements if element.kind == "triples"
                  for t in element.triples]
    chosen: list[tuple[int, int, int]] = []
    covered = set(p.names)
    for name in sorted(missing):
        if name in {reader.vars[k] for t in chosen for k in t}:
            continue
        options = [t for t in candidates if name in {reader.vars[k] for k in t}]
        if not options:
            return None
        best = min(options, key=lambda t: len({reader.vars[k] for k in t if reader.vars[k]}
                                              - covered))
        chosen.append(best)
        covered |= {reader.vars[k] for k in best if reader.vars[k]}
    return chosen


def _bound_anywhere(reader: _Reader) -> set[str]:
    """The variables any pattern of the query may bind (outside EXISTS), and those named
    after its WHERE clause (a trailing VALUES): Oxigraph may evaluate a group with bindings
    from around it, so each of them may be in the solution a nested group's filter sees."""
    found: set[str] = set()
    for group in reader.groups:
        if not group.in_exists:
            found |= _possible(group)
    if reader.where is not None:
        found |= reader.names(reader.where.close, len(reader.toks))
    return found


def _edits(reader: _Reader, allow_moves: bool) -> list[tuple[int, int, str]]:
    edits: list[tuple[int, int, str]] = []
    outer = _bound_anywhere(reader)
    for group in reader.groups:
        if group.in_exists or group.kind == "optional":
            continue
        # the kinds of the group's elements as the edits leave them (None: taken out)
        kinds: list[str | None] = [element.kind for element in group.elements]
        moved: list[str] = []
        certain = None
        for index, element in enumerate(group.elements):
            if element.kind != "filter" or element.not_exists is None:
                continue
            if certain is None:
                certain = _certain(group)
            minus = _minus_text(reader, group, element, outer, certain)
            if minus is None:
                continue
            start, end = reader.starts[element.start], reader.ends[element.end - 1]
            if all(e.kind in ("filter", "dot") for e in group.elements[index + 1:]):
                edits.append((start, end, minus))  # last already: MINUS in the filter's place
                kinds[index] = "minus"
                continue
            if not allow_moves:
                continue
            before = next((k for k in reversed(kinds[:index]) if k), None)
            after = next((k for k in kinds[index + 1:] if k), None)
            replacement, kinds[index] = "", None
            if before == "triples" and after == "triples":
                replacement, kinds[index] = ".", "dot"
            elif before in (None, "dot") and after == "dot":  # the dot after it goes too
                kinds[index + 1] = None
                end = reader.ends[group.elements[index + 1].start]
            if not replacement:
                start, end = _whole_lines(reader.text, start, end)
            edits.append((start, end, _spaced(reader.text, start, end, replacement)))
            moved.append(minus)
        if moved:
            edits.append(_appended(reader.text, reader.starts[group.close], moved))
    return edits


def _spaced(text: str, start: int, end: int, replacement: str) -> str:
    """``replacement`` with a space on each side where ``text[start:end]`` has no space
    around it, so no two tokens run into each other."""
    left = start > 0 and not text[start - 1].isspace()
    right = end < len(text) and not text[end].isspace()
    if not replacement:
        return " " if left and right else ""
    return " " * left + replacement + " " * right


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` widened to the whole lines they cover if nothing else is on them."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0 or text[line_start:start].strip() or text[end:line_end].strip():
        return start, end
    return line_start, line_end + 1


def _appended(text: str, close: int, moved: list[str]) -> tuple[int, int, str]:
    """The edit that adds the moved MINUS before a group's closing brace (at ``close``): on
    lines of their own, indented one step more than the brace, if the brace starts a line."""
    line_start = text.rfind("\n", 0, close) + 1
    indent = text[line_start:close]
    if line_start and not indent.strip():
        step = "\t" if indent.startswith("\t") else "  "
        return line_start, line_start, "".join(f"{indent}{step}{m}\n" for m in moved)
    return close, close, _spaced(text, close, close, " ".join(moved)).rstrip() + " "


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    edits = sorted(edits, key=lambda e: (e[0], e[1]))
    out, last = [], 0
    for start, end, replacement in edits:
        if start < last:
            raise _Unsupported("overlapping edits")
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _rdflib_reads(query: str) -> bool:
    """Whether rdflib reads ``query`` into its algebra, asked in a thread of its own.

    rdflib's parser (pyparsing) leaves exceptions in reference cycles, and their
    tracebacks hold the frames of the stack they were raised in, callers included: in
    the caller's stack they kept its locals alive (a pyoxigraph answer, which may only be
    dropped in the thread that made it) until another thread's garbage collection
    dropped them (logged as "unsendable, but is being dropped on another thread"). A
    fresh thread's stack holds nothing of the caller's. Once per query text (optimise
    remembers), beside a read of tens of milliseconds.
    """
    read: list[bool] = []
    thread = threading.Thread(target=lambda: read.append(_rdflib_reads_here(query)),
                              name="crossinnov-rewrite-check", daemon=True)
    thread.start()
    thread.join()
    return bool(read and read[0])


def _rdflib_reads_here(query: str) -> bool:
    try:
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        translateQuery(parseQuery(query))
    except Exception:  # noqa: BLE001 - any failure means: do not touch the query
        return False
    return True


def _columns(query: str, keep: set[str]) -> list[str] | None:
    order = star_order(query)
    return None if order is None else [name for name in order if name in keep]


def _rewrite(query: str) -> str:
    if len(query) > _MAX_LENGTH or "exists" not in query.lower():
        return query
    if "\\u" in query or "\\U" in query:
        return query
    if nesting_depth(query) > _MAX_DEPTH or uses_service(query):
        return query
    reader = _Reader(query)
    reader.query()
    if reader.where is None:
        return query
    in_scope = _possible(reader.where)
    for allow_moves in (True, False):
        edits = _edits(reader, allow_moves)
        if not edits:
            return query
        rewritten = _apply(query, edits)
        if _columns(rewritten, in_scope) == _columns(query, in_scope):
            break
    else:
        return query
    if not (_rdflib_reads(query) and _rdflib_reads(rewritten)):
        return query
    return rewritten


def not_exists_to_minus(query: str) -> str:
    """Return ``query`` with each ``FILTER NOT EXISTS { P }`` that is equivalent to
    ``MINUS { P }`` (see the module's docstring for the rule, after SPARQL 1.1 Query
    8.3 and 18.5) turned into one, placed last in its group; any other query, and any
    text this module cannot read, comes back unchanged. Never raises."""
    try:
        if not isinstance(query, str):
            return query
        return _rewrite(query)
    except Exception:  # noqa: BLE001 - never raise: an unreadable query stays as it is
        return query


@functools.lru_cache(maxsize=512)
def optimise(query: str) -> str:
    """:func:`not_exists_to_minus`, remembered for the last 512 query texts (a rewrite reads
    the query with rdflib: tens of milliseconds, paid once per text)."""
    return not_exists_to_minus(query)
