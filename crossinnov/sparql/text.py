"""Look at SPARQL text without evaluating it: keywords in code, nesting depth, dataset clauses.

pyoxigraph does not expose its parser, yet some decisions must be taken before a query
runs: whether it names its own dataset (``FROM``, which must then replace the union
default graph), whether it could make the server fetch a URL (``SERVICE``), whether it is
an update, and whether it nests so deeply that the parser would overflow its stack.

The approach is a tokenizer that follows the lexical classes of the SPARQL 1.1 grammar
(https://www.w3.org/TR/sparql11-query/#grammar, 19.8: IRIREF, PNAME_NS/PNAME_LN with
PN_PREFIX, PN_LOCAL, PLX, PERCENT and PN_LOCAL_ESC, BLANK_NODE_LABEL, VAR1/VAR2 with
VARNAME, the four STRING_LITERAL forms with ECHAR and UCHAR, numbers, comments) with the
character classes written out from the grammar's code-point ranges (PN_CHARS_BASE,
PN_CHARS_U, PN_CHARS), never Python's ``\\w``. Every pattern is possessive, so a token is
read in time linear in its length and the whole text in time linear in its length.

The engine we protect is Oxigraph, whose parser is a scannerless PEG. It reads the same
text differently from a longest-match tokenizer in a few places, and the scanner follows
each of them as another *reading* of the text:

- ``<`` opens an IRI or is the less-than operator. Where it may be the operator (it
  follows an operand inside an expression's parentheses: not a collection's, a VALUES
  row's or a path's, see ``_DATA``), both readings are followed, unless the IRI starts
  with ``scheme://``, which cannot follow less-than (``//`` after the name ``http:``).
- Oxigraph's PN_LOCAL accepts one ``.``-group only (``ex:a.b.c`` is ``ex:a.b`` then
  ``.c``), the grammar's any number: both are followed.
- When a prefix IRI joined with a local name is not a valid IRI, Oxigraph falls back to
  PNAME_NS and reads the local name as code (``PREFIX ex: <http://[::1]>`` makes
  ``ex:SERVICE<...>{}`` a SERVICE call). Where that can happen (see ``_may_fall_back``)
  the reading after the ``:`` is followed too.
- Keywords are matched at a token's start without a word-boundary check, so ``SERVICE:a``
  is ``SERVICE :a``, ``serviceType:x`` is ``service Type:x``, and ``trueSERVICE`` is
  ``true SERVICE``. :func:`uses_service` therefore looks for "service" at the start of
  every code word (and of its ``.``-separated parts, and after a leading true/false).

A query may also reach SPARQL 1.1 engines that replace ``\\u``/``\\U`` escapes anywhere in
the text before reading it (19.2; rdflib does, Oxigraph only in strings and IRIs), so
:func:`uses_service` and :func:`nesting_depth` read such a text that way too.

Readings are followed together, one token at a time in text order, and merged whenever
they reach the same position in the same state, so there are few of them; should more
than ``_MAX_READINGS`` be alive at once (only contrived text does that), the answers
become the careful ones (SERVICE: yes; depth: an upper bound).

Comments follow the grammar exactly: ``#`` in code starts a comment that ends at the line's
end, in every reading, as in Oxigraph; text inside a comment is not code, so
``# no service here`` does not make a query federated. (The fuzz test,
tests/security/test_service_guard_fuzz.py, finds rdflib and Oxigraph agreeing with this.)
"""

from __future__ import annotations

import bisect
import functools
import heapq
import re

# --- the grammar's lexical classes (SPARQL 1.1 Query, 19.8) ------------------------------------

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")                               # PN_CHARS_BASE
_U = _BASE + "_"                                                # PN_CHARS_U
_VARCHARS = _U + "0-9\u00b7\u0300-\u036f\u203f-\u2040"          # VARNAME after its first
_CHARS = _VARCHARS + r"\-"                                      # PN_CHARS
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ESCAPE = rf"""\\[tbnrf"'\\]|{_UCHAR}"""                         # ECHAR | UCHAR
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"             # PERCENT | PN_LOCAL_ESC
_NAME = rf"[{_BASE}][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+"          # PN_PREFIX
_LOCAL_CHAR = rf"[{_CHARS}:]|{_PLX}"                            # PN_LOCAL, not first
# "<http://" cannot be less-than: "//" cannot follow the name "http:" in an expression
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_IRIREF = re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>")

# One code token at a position (``<`` and prefixed names are finished in _Scanner._either).
# A string that is not closed (or holds a bad escape) ends where it stops being one.
_TOKEN = re.compile("|".join([
    r"(?P<space>[ \t\r\n]++)",
    r"(?P<comment>#[^\r\n]*+)",
    rf"(?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ESCAPE}))*+(?:''')?"
    rf'|"""(?:(?:""|")?(?:[^"\\]|{_ESCAPE}))*+(?:""")?'
    rf"|'(?:[^'\\\r\n]|{_ESCAPE})*+'?"
    rf'|"(?:[^"\\\r\n]|{_ESCAPE})*+"?)',
    rf"(?P<var>[?$][{_U}0-9][{_VARCHARS}]*+)",
    rf"(?P<bnode>_:[{_U}0-9][{_CHARS}]*+(?:\.++[{_CHARS}]++)*+)",
    rf"(?P<pname>(?:{_NAME})?:)",
    rf"(?P<word>{_NAME})",
    r"(?P<number>(?:[0-9]++\.[0-9]*+|\.[0-9]++|[0-9]++)[eE][+-]?[0-9]++"
    r"|[0-9]*+\.[0-9]++|[0-9]++)",
    r"(?P<lt><)",
    r"(?P<close_triple>>>)",
    r"(?P<prefix_op>\^\^|!=|[!^+\-])",
    r"(?P<open>[(\[{])",
    r"(?P<close>[)\]}])",
    r"(?P<other>[\s\S])",
]))

# tokens a reading does not see as code
_HIDDEN = frozenset({"comment", "string", "var", "bnode", "iri", "pname"})
_OPERANDS = frozenset({"string", "var", "bnode", "iri", "pname", "number"})

# "service" where Oxigraph may take it for the keyword: at a code word's start, after a "."
# inside it (``true.SERVICE:a``) or after a true/false it starts with (``trueSERVICE``)
_SERVICE = re.compile(r"(?:^|\.)(?:true|false)?service", re.IGNORECASE)

# A namespace IRI that ends in its authority: a local name extends the host or port
# (``<http://[::1]>`` + ``x``, ``<http://a:1>`` + ``x``) into an invalid IRI
_AUTHORITY_ONLY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/?#]*")
# local-name text that may make any namespace + local an invalid IRI: "#" (a second
# fragment), a bare "%", "//" (an authority), code points outside RFC 3987's ucschar
_FRAGILE_LOCAL = re.compile(
    r"\\[#%/]|[\ufff0-\uffff\U000e0000-\U000e0fff"
    + "".join(f"\\U{plane:04x}fffe-\\U{plane:04x}ffff" for plane in range(1, 15)) + "]")

_MAX_READINGS = 16
#: the longest text whose readings are remembered (the scans of a query are asked for a few
#: times per request, in the web process and the worker; repeated texts are the common case)
MEMO_MAX_CHARS = 16_384
MEMO_ENTRIES = 512


def _remembered(fn):
    """Remember ``fn(text)`` for the last :data:`MEMO_ENTRIES` texts up to
    :data:`MEMO_MAX_CHARS` characters (the result must be immutable); longer texts are
    scanned every time, so the memory this holds stays small."""
    cached = functools.lru_cache(maxsize=MEMO_ENTRIES)(fn)

    @functools.wraps(fn)
    def wrapper(text: str):
        return cached(text) if len(text) <= MEMO_MAX_CHARS else fn(text)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper

_CAREFUL, _IRI_FIRST, _LESS_THAN_FIRST = "careful", "iri", "less-than"
_NAME_CHAR = re.compile(rf"[{_CHARS}.]")
# PN_LOCAL is a first character, then local-name characters and "."s, not ending with "."
# (Oxigraph: a run of local-name characters, then at most one group of "."s and a run)
_LOCAL_FIRST = re.compile(rf"[{_U}:0-9]|{_PLX}")
_LOCAL_RUN = re.compile(rf"(?:{_LOCAL_CHAR})++")
_DOTTED_LOCAL_RUN = re.compile(rf"(?:{_LOCAL_CHAR}|\.)++")
_DOTS = re.compile(r"\.++")


class _Runs:
    """The runs of one pattern in a text, found once: where the run holding a position ends.

    A local name's end depends only on the run of local-name characters it starts in, so
    readings that start a local name inside another one (after a ``:`` in it) look the end
    up instead of reading the run again, which keeps the scan linear.
    """

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for match in pattern.finditer(text):
            self.starts.append(match.start())
            self.ends.append(match.end())

    def end(self, pos: int) -> int:
        """The end of the run holding ``pos``, or ``pos`` if none does."""
        index = bisect.bisect_right(self.starts, pos) - 1
        return self.ends[index] if index >= 0 and self.ends[index] > pos else pos


class _Locals:
    """Where a PN_LOCAL starting at a position ends, as the grammar and as Oxigraph read it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = _Runs(_LOCAL_RUN, text)
        self.dotted_runs = _Runs(_DOTTED_LOCAL_RUN, text)
        self.fragile = [match.start() for match in _FRAGILE_LOCAL.finditer(text)]
        self._trimmed: dict[int, int] = {}  # a dotted run's end -> the local name's end
        self._one_group: dict[int, int] = {}  # a run's end -> the end after one "."-group

    def grammar_end(self, pos: int) -> int:
        if not _LOCAL_FIRST.match(self.text, pos):
            return pos
        end = self.dotted_runs.end(pos)
        if end not in self._trimmed:
            trimmed = end
            # PN_LOCAL does not end with "." (it may with an escaped one, "\\.")
            while self.text[trimmed - 1] == "." and self.text[trimmed - 2] != "\\":
                trimmed -= 1
            self._trimmed[end] = trimmed
        return self._trimmed[end]

    def oxigraph_end(self, pos: int) -> int:
        if not _LOCAL_FIRST.match(self.text, pos):
            return pos
        end = self.runs.end(pos)
        if end not in self._one_group:
            dots = _DOTS.match(self.text, end)
            after = self.runs.end(dots.end()) if dots else end
            self._one_group[end] = after if dots and after > dots.end() else end
        return self._one_group[end]

    def is_fragile(self, start: int, end: int) -> bool:
        """Whether text in [start, end) may make a namespace + local name an invalid IRI."""
        index = bisect.bisect_left(self.fragile, start)
        return index < len(self.fragile) and self.fragile[index] < end


_OPERAND = 1  # the last code token may end an operand: "<" may be less-than after it
_DATA = 2  # "(" here opens a collection, a VALUES row or a path, never an expression


class _Scanner:
    """The readings of one text. A reading's state: (after, stack, unary run).

    ``after``: what the last code token allows (_OPERAND, _DATA); ``stack``: the open
    brackets, a number naming the stack (readings with equal stacks have equal numbers),
    where "(" is an expression's parenthesis and "c" any other; ``unary``: how many prefix
    operators in a row end the text read.
    """

    def __init__(self, text: str, policy: str) -> None:
        self.text = text
        self.policy = policy
        # stack number -> (its parent's number, its top bracket, its depth)
        self.stacks: list[tuple[int, str, int]] = [(0, "", 0)]
        self._stack_numbers: dict[tuple[int, str, int], int] = {}
        self._locals: _Locals | None = None
        self._fragile_prefixes: list[str] | None | bool = False  # False: not looked for

    def _push(self, stack: int, bracket: str, levels: int) -> int:
        key = (stack, bracket, levels)
        number = self._stack_numbers.get(key)
        if number is None:
            number = self._stack_numbers[key] = len(self.stacks)
            self.stacks.append((stack, bracket, self.stacks[stack][2] + levels))
        return number

    def _alternatives(self, pos: int, after: int, stack: int) -> list[tuple[str, int, int]]:
        """The tokens (kind, end, end of the code part) a reading may read at ``pos``."""
        match = _TOKEN.match(self.text, pos)
        kind, end = match.lastgroup, match.end()
        if kind == "pname" or kind == "lt":
            return self._either(kind, pos, end, after, stack)
        return [(kind, end, end)]

    def _either(self, kind: str, pos: int, end: int, after: int, stack: int
                ) -> list[tuple[str, int, int]]:
        """The readings of a prefixed name or of a ``<`` (see the module's docstring)."""
        text = self.text
        if kind == "pname":
            if self._locals is None:
                self._locals = _Locals(text)
            ends = {self._locals.grammar_end(end)}
            if self.policy == _CAREFUL:
                oxigraph_end = self._locals.oxigraph_end(end)
                ends.add(oxigraph_end)
                if oxigraph_end > end and self._may_fall_back(text[pos:end - 1], end,
                                                               oxigraph_end):
                    ends.add(end)
            return [("pname", local_end, end - 1) for local_end in ends]
        iri = _IRIREF.match(text, pos)
        may_compare = after & _OPERAND and self.stacks[stack][1] == "("
        if iri and may_compare and not _AUTHORITY.match(text, pos + 1):
            if self.policy == _CAREFUL:
                return [("iri", iri.end(), pos), ("lt", pos + 1, pos + 1)]
            if self.policy == _LESS_THAN_FIRST:
                return [("lt", pos + 1, pos + 1)]
        if iri:
            return [("iri", iri.end(), pos)]
        if text.startswith("<<", pos) and not may_compare:
            return [("open_triple", pos + 2, pos + 2)]
        return [("lt", pos + 1, pos + 1)]

    def _may_fall_back(self, prefix: str, start: int, end: int) -> bool:
        """Whether Oxigraph may reject this PNAME_LN's IRI and read PNAME_NS, then code."""
        if self._fragile_prefixes is False:
            self._fragile_prefixes = _fragile_prefixes(self.text)
        fragile = self._fragile_prefixes
        if fragile is None or self._locals.is_fragile(start, end):
            return True
        # PNAME_NS ends a name run; the empty one only one that is empty or ends a keyword
        return any(name.endswith(prefix) and (prefix or not name or name.lower().endswith(
            "prefix")) for name in fragile)

    def _advance(self, state: tuple[int, int, int], kind: str, pos: int, end: int
                 ) -> tuple[int, int, int]:
        """The state after reading a token (kind, pos, end) in ``state``."""
        if kind in _OPERANDS:
            return _OPERAND, state[1], 0
        if kind == "word":  # of the words, only true and false end an operand
            return int(self.text.endswith(("true", "false"), pos, end)), state[1], 0
        after, stack, unary = state
        if kind == "open":
            bracket = self.text[pos]
            if bracket != "(":
                return _DATA, self._push(stack, bracket, 1 + unary), 0
            if after & _DATA:
                return _DATA, self._push(stack, "c", 1 + unary), 0
            return 0, self._push(stack, "(", 1 + unary), 0
        if kind == "close":
            parent, top, _ = self.stacks[stack]
            return _OPERAND | _DATA if top == "c" else _OPERAND, parent, 0
        if kind == "prefix_op":
            # "!" and "^" are prefix operators (a path's "^^" two of them, a literal's its
            # datatype); "-" and "+" after an operand are binary, "!=" always is
            token = self.text[pos:end]
            if token == "!=" or (after & _OPERAND and token in ("^^", "-", "+")):
                return 0, stack, 0
            return 0, stack, unary + len(token)
        if kind == "open_triple":
            return _DATA, self._push(stack, "<", 1 + unary), 0
        if kind == "close_triple" and self.stacks[stack][1] == "<":
            return _OPERAND, self.stacks[stack][0], 0
        if kind == "other" and self.text[pos] in ".;":  # triples go on
            return _DATA, stack, 0
        return 0, stack, 0

    def tokens(self):
        """The tokens (kind, start, end) of the one reading a policy other than careful picks."""
        text, text_len = self.text, len(self.text)
        state, pos = (0, 0, 0), 0
        while pos < text_len:
            match = _TOKEN.match(text, pos)
            kind, end = match.lastgroup, match.end()
            if kind == "pname" or kind == "lt":
                kind, end, _ = self._either(kind, pos, end, state[0], state[1])[0]
            yield kind, pos, end
            if kind != "space" and kind != "comment":
                state = self._advance(state, kind, pos, end)
            pos = end

    def explore(self, stop_at_service: bool) -> tuple[bool, int]:
        """Follow every reading: (whether any may call SERVICE, the deepest nesting).

        Readings are taken in text order (a heap of positions); those that reach the same
        position in the same state become one. A reading alone is followed directly.
        """
        text, stacks, text_len = self.text, self.stacks, len(self.text)
        service, deepest = False, 0
        pending: dict[int, set[tuple[int, int, int]]] = {}
        queue: list[int] = []
        pos, states = 0, [(0, 0, 0)]
        while True:
            if len(states) == 1 and not queue:
                state = states[0]
                while pos < text_len:
                    match = _TOKEN.match(text, pos)
                    kind, end = match.lastgroup, match.end()
                    code_end = end
                    if kind == "pname" or kind == "lt":
                        alternatives = self._either(kind, pos, end, state[0], state[1])
                        if len(alternatives) > 1:
                            break
                        kind, end, code_end = alternatives[0]
                    if kind == "word" or kind == "pname":
                        if _SERVICE.search(text[pos:code_end]):
                            if stop_at_service:
                                return True, deepest
                            service = True
                        state = self._advance(state, kind, pos, end)
                    elif kind in _OPERANDS:
                        state = (_OPERAND, state[1], 0)
                    elif kind != "space" and kind != "comment":
                        state = self._advance(state, kind, pos, end)
                        depth = stacks[state[1]][2] + state[2]
                        if depth > deepest:
                            deepest = depth
                    pos = end
                else:
                    return service, deepest
                states = [state]
            for state in states:
                for kind, end, code_end in self._alternatives(pos, state[0], state[1]):
                    new = state
                    if kind != "space" and kind != "comment":
                        if (kind == "word" or kind == "pname") and _SERVICE.search(
                                text[pos:code_end]):
                            if stop_at_service:
                                return True, deepest
                            service = True
                        new = self._advance(state, kind, pos, end)
                        deepest = max(deepest, stacks[new[1]][2] + new[2])
                    if end not in pending:
                        pending[end] = set()
                        heapq.heappush(queue, end)
                    pending[end].add(new)
            if sum(map(len, pending.values())) > _MAX_READINGS:
                return True, deepest + _upper_bound(text, pos)
            pos = text_len
            while pos >= text_len:
                if not queue:
                    return service, deepest
                pos = heapq.heappop(queue)
                states = list(pending.pop(pos))


def _upper_bound(text: str, pos: int) -> int:
    """At most this many levels can still be opened after ``pos``."""
    return sum(text.count(char, pos) for char in "([{<!^+-")


def _fragile_prefixes(text: str) -> list[str] | None:
    """The prefixes a PREFIX declaration may give a namespace a local name cannot extend.

    Every IRIREF Oxigraph accepts is a ``<...>`` without ``<`` or ``>`` inside, and a
    declaration's IRI follows its PNAME_NS, or a line break (a comment between them). The
    answer is a list of the name runs before such a ``:`` (a prefix is fragile if one of
    them ends with it), or None when any prefix may be.
    """
    names: list[str] = []
    for iri in re.finditer(r"<([^<>]*)>", text):
        namespace = iri.group(1)
        # empty: the base IRI, which may be an authority only; escaped: unknown
        if namespace and "\\" not in namespace and not _AUTHORITY_ONLY.fullmatch(namespace):
            continue
        before = iri.start()
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if before == 0 or text[before - 1] in "\r\n":
            return None
        if text[before - 1] == ":":
            start = before - 1
            while start > 0 and _NAME_CHAR.match(text, start - 1):
                start -= 1
            names.append(text[start:before - 1])
            if len(names) > _MAX_READINGS:  # contrived: any prefix may be
                return None
    return names


# SPARQL 1.1 (19.2) replaces \u and \U escapes anywhere in the text before reading it, so
# for SPARQL 1.1 engines "\u0053ERVICE" is SERVICE (Oxigraph reads them in strings and IRIs
# only); rdflib also takes \u with 8 digits and \U with 4
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_GREEDY_CODEPOINT = re.compile(r"\\[uU]([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})")


def _codepoint_readings(text: str) -> set[str]:
    """The text, and the text as engines that replace codepoint escapes first read it."""
    readings = {text}
    if "\\u" in text or "\\U" in text:
        readings.add(_CODEPOINT.sub(_codepoint, text))
        readings.add(_GREEDY_CODEPOINT.sub(_codepoint, text))
    return readings


def _codepoint(match: re.Match[str]) -> str:
    point = int(match.group(match.lastindex), 16)
    return chr(point) if point <= 0x10FFFF else match.group()


# --- nesting ------------------------------------------------------------------------------------

class QueryTooDeep(ValueError):
    """The query nests deeper than the parser may safely recurse."""

    def __init__(self, depth: int, limit: int) -> None:
        super().__init__(f"the query nests {depth} levels deep (brackets and prefix operators); "
                         f"at most {limit} are allowed")
        self.depth = depth
        self.limit = limit


@_remembered
def nesting_depth(text: str) -> int:
    """Return how deep the query nests: ``(``, ``{``, ``[`` (and ``<<``) in code, plus runs of
    prefix operators (``!``, ``^``, unary ``-``/``+``), each a level of recursion in a
    recursive-descent parser. Brackets in strings, IRIs and comments do not count; where
    the text reads more than one way (see the module's docstring) the deepest reading
    counts. Linear in the text's length, without recursion: it is meant to be asked before
    any parser sees the text.
    """
    return max(_Scanner(reading, _CAREFUL).explore(stop_at_service=False)[1]
               for reading in _codepoint_readings(text))


def check_depth(text: str, limit: int) -> int:
    """Return the query's nesting depth, or raise :class:`QueryTooDeep` if over ``limit``."""
    depth = nesting_depth(text)
    if depth > limit:
        raise QueryTooDeep(depth, limit)
    return depth


# --- keywords -----------------------------------------------------------------------------------

def tokens(text: str) -> list[tuple[str, int, int]]:
    """The tokens of the text as (kind, start, end), read the grammar's way (a ``<`` that may
    open an IRI opens one). Kinds: space, comment, string, var, bnode, iri, pname, word,
    number, lt, open, close, open_triple, close_triple, prefix_op, other."""
    return list(_Scanner(text, _IRI_FIRST).tokens())


def star_order(query: str) -> list[str] | None:
    """For ``SELECT *`` (also ``SELECT DISTINCT *``): the variables in the order they first
    appear in the query, which is the order a reader expects the columns in (Oxigraph sorts
    them by name); None for any other query."""
    order = _star_order(query)
    return None if order is None else list(order)


@_remembered
def _star_order(query: str) -> tuple[str, ...] | None:
    code = [(kind, query[start:end]) for kind, start, end in tokens(query)
            if kind not in ("space", "comment")]
    words = [text.upper() if kind == "word" else text for kind, text in code]
    i = 0
    while i < len(words) and words[i] in ("PREFIX", "BASE"):
        i += 3 if words[i] == "PREFIX" else 2
    if i >= len(words) or words[i] != "SELECT":
        return None
    i += 1
    if i < len(words) and words[i] in ("DISTINCT", "REDUCED"):
        i += 1
    if i >= len(words) or words[i] != "*":
        return None
    order: dict[str, None] = {}
    for kind, text in code[i + 1:]:
        if kind == "var":
            order.setdefault(text[1:], None)
    return tuple(order)


def strip_literals(text: str, reading: int = 0) -> str:
    """Return ``text`` with strings, IRIs, comments, variables, blank nodes and prefixed names
    blanked.

    Each token becomes as many spaces as it has characters, so a position in the result is
    the same position in ``text`` (:func:`inject_values` relies on it). Reading 0 takes a
    ``<`` that may open an IRI as an IRI; reading 1 takes one that may be less-than (it
    follows an operand inside an expression's parentheses) as less-than. Local names are
    the grammar's in both.
    """
    policy = _LESS_THAN_FIRST if reading else _IRI_FIRST
    parts = []
    for kind, start, end in _Scanner(text, policy).tokens():
        parts.append(" " * (end - start) if kind in _HIDDEN else text[start:end])
    return "".join(parts)


@_remembered
def _words(text: str) -> tuple[str, ...]:
    """The code words (keywords, function names, ...) of the IRI-first reading, upper-cased."""
    return tuple(text[start:end].upper()
                 for kind, start, end in _Scanner(text, _IRI_FIRST).tokens() if kind == "word")


def has_dataset_clause(query: str) -> bool:
    """Return True if the query has a ``FROM`` or ``FROM NAMED`` clause."""
    return "FROM" in _words(query)


@_remembered
def uses_service(query: str) -> bool:
    """Return True if the query may contain a federated ``SERVICE`` call.

    Careful rather than exact, in the PEG's sense: "service" at the start of any code word
    in any reading of the text counts (see the module's docstring); in strings, IRIs,
    variables, blank-node labels, comments and local names (``schema:serviceType``) it does
    not. The server must never be made to fetch a URL it was not meant to.
    """
    return any(_Scanner(reading, _CAREFUL).explore(stop_at_service=True)[0]
               for reading in _codepoint_readings(query))


_UPDATE_WORDS = frozenset({
    "INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING",
})


def looks_like_update(text: str) -> bool:
    """Return True if the text is (or contains) a SPARQL Update operation rather than a query.

    Query forms never contain these keywords outside strings and IRIs, so a
    request that does is an update, which a read-only endpoint refuses.
    """
    return not _UPDATE_WORDS.isdisjoint(_words(text))


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str | None:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword, or None."""
    return next((word for word in _words(query) if word in _FORMS), None)


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
