"""Reconciliation of organisation names against the graph: the matching core (no Flask).

Spreadsheets name organisations loosely: "UAB Pakmarkas", "pakmarkas", "Pakmarkas JSC",
"Pakmraks". This module finds which ``ci:Organisation`` such a text means, and how sure
it is, for the reconciliation service (:mod:`crossinnov.web.reconcile`, W3C
Reconciliation API 0.2) and the accuracy benchmark (``benchmarks/reconcile_accuracy.py``).

- :func:`build_index` reads every organisation from the store (``reconcile_names.rq``,
  ``reconcile_facts.rq``) with its city, sectors and homepage, and the cities and sectors
  a query may name (``reconcile_concepts.rq``), into an :class:`Index` held in memory.
- :func:`fold` and :func:`strip_legal_forms` make names comparable whatever the case,
  accents (NFKD), punctuation and legal form ("GmbH", "Sp. z o.o.", "UAB"...).
- :meth:`Index.reconcile` scores every organisation 0–100 against a :class:`Query`: the
  name by edit distance (rapidfuzz), the properties given (city, sectors, homepage) as a
  boost where they agree and a penalty where they disagree; ``match`` only when the best
  candidate is high and clearly above the next.
- the web app keeps one index per data version (:class:`crossinnov.versioned.Versioned`),
  so a write is seen at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from crossinnov.namespaces import CI
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store

ORGANISATION_TYPE = {"id": CI.Organisation.value, "name": "Organisation"}
#: what a query's ``type`` may say to mean organisations (the IRI is the type's id)
TYPE_NAMES = frozenset({CI.Organisation.value, "ci:Organisation", "organisation", "organization"})
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class Property:
    """A property a query may give and a data extension may fetch."""

    id: str
    name: str
    description: str


PROPERTIES = {p.id: p for p in (
    Property("city", "City", "the city where the organisation has its seat (ci:basedIn): "
             "a short id, a name, the city's IRI or its Wikidata item"),
    Property("sectors", "Sectors", "the sectors it works in (ci:inSector): short ids, names "
             "or IRIs; a broader sector takes in its narrower ones"),
    Property("homepage", "Homepage", "its web site (foaf:homepage)"),
    Property("cityWikidata", "City (Wikidata)", "the Wikidata item of its city "
             "(foaf:focus of the city): a QID such as Q216, or its IRI"),
)}

#: score changes when a property agrees (True) or disagrees (False) with the organisation's;
#: an organisation that states nothing for the property is neither helped nor hurt
BOOSTS = {"city": (6.0, -12.0), "cityWikidata": (6.0, -12.0), "sectors": (4.0, -4.0),
          "homepage": (10.0, -5.0)}
#: a candidate is a ``match`` when its score is at least MATCH_SCORE and at least
#: MATCH_MARGIN above the next candidate's
MATCH_SCORE = 90.0
MATCH_MARGIN = 8.0
#: candidates below this score are not worth showing
MIN_SCORE = 50.0
#: names looked at closely per measure and query, beyond the candidates asked for
NEAREST = 50
#: weight of an alias taken from a name's parentheses ("AIM" in "... Motor (AIM)")
PAREN_WEIGHT = 0.9
#: labels of a city or sector that a query's value may miss by a typo
VALUE_SIMILARITY = 88.0
#: how near a word of a query must be to a word of a name to count as that word
WORD_SIMILARITY = 80.0


# --- normalisation -----------------------------------------------------------------------------

#: letters NFKD does not take apart
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                          "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "þ": "th", "Þ": "TH", "ı": "i", "&": " and "})
_APOSTROPHES = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Return ``text`` lower case, without accents (NFKD) or punctuation, single-spaced.

    "Plzeň 2015 – Sp. z o.o." becomes "plzen 2015 sp z o o".
    """
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_NOT_WORD.sub(" ", _APOSTROPHES.sub("", text)).split())


#: legal forms as people write them; each is matched folded, as a run of whole words
LEGAL_FORMS = (
    "GmbH", "gGmbH", "mbH", "GmbH & Co. KG", "AG", "KG", "e.V.", "eV", "UG",  # DE, AT
    "Ltd", "Ltd.", "Limited", "plc", "LLP", "Inc", "Inc.", "LLC", "Corp", "Co.",  # UK, US
    "JSC", "UAB", "AB", "VšĮ", "AS", "A/S", "OÜ", "MTÜ", "SA", "SIA", "Oy", "ApS",  # Nordic, Baltic
    "Sp. z o.o.", "Sp.z o.o.", "sp. zoo", "S.A.", "SA", "s.r.o.", "sro", "a.s.", "z.s.",
    "o.p.s.", "z.ú.",  # PL, CZ
    "BV", "B.V.", "NV", "N.V.", "VZW", "asbl",  # NL, BE
    "Lda", "Lda.", "S.p.A.", "SpA", "S.r.l.", "Srl", "SARL", "SAS", "S.L.", "SL",  # PT, IT, FR, ES
)
_FORMS = sorted({tuple(fold(f).split()) for f in LEGAL_FORMS}, key=len, reverse=True)


def strip_legal_forms(folded: str) -> str:
    """Return a folded name without the legal forms at its start or end ("uab x ab" -> "x").

    Only the ends are looked at, where legal forms stand, so a name's own words are
    never taken away; a name that is nothing but legal forms is kept whole.
    """
    words = folded.split()
    changed = True
    while changed:
        changed = False
        for form in _FORMS:
            n = len(form)
            if len(words) > n and tuple(words[-n:]) == form:
                words, changed = words[:-n], True
            elif len(words) > n and tuple(words[:n]) == form:
                words, changed = words[n:], True
    return " ".join(words)


def name_forms(name: str) -> list[tuple[str, float]]:
    """Return the texts a name may be looked up by, each with its weight.

    The whole name and the name without its parentheses weigh 1; what the parentheses
    hold ("AIM", "Loov Eesti"), each part between commas, weighs :data:`PAREN_WEIGHT`.
    """
    forms = [(name, 1.0)]
    inside = re.findall(r"\(([^()]*)\)", name)
    if inside:
        forms.append((re.sub(r"\s*\([^()]*\)", "", name), 1.0))
        forms.extend((part, PAREN_WEIGHT) for text in inside for part in re.split(r"[,;]", text))
    return [(text, weight) for text, weight in forms if fold(text)]


def contained(text: str, name: str) -> float:
    """Score a text whose every word is a word of a longer name (up to a typo each), else 0.

    "beepart" in "beepart creative workshop" scores 70 plus up to 25 for the share of the
    name it covers, times how near its words are: never enough alone for a match, but
    enough to be proposed.
    """
    words, name_words = text.split(), name.split()
    if len(text) < 3 or len(words) >= len(name_words):
        return 0.0
    near = [max(fuzz.ratio(word, other) for other in name_words) for word in words]
    if min(near) < WORD_SIMILARITY:
        return 0.0
    return (70.0 + 25.0 * len(text) / len(name)) * sum(near) / len(near) / 100.0


def normal_url(url: str) -> str:
    """Return a homepage without scheme, ``www.``, query or trailing slash, lower case."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower())
    text = re.sub(r"^www\.", "", text).split("#", 1)[0].split("?", 1)[0]
    return text.rstrip("/")


def qid_of(value: str) -> str | None:
    """Return the Wikidata QID a value names ("Q216" or its IRI), else None."""
    text = value.strip()
    for prefix in (WIKIDATA, "https://www.wikidata.org/entity/",
                   "https://www.wikidata.org/wiki/", "wd:"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.upper() if re.fullmatch(r"[Qq][1-9][0-9]*", text) else None


# --- the index ---------------------------------------------------------------------------------

@dataclass
class Concept:
    """A city or sector: its IRI, short id, name, and every folded text that names it."""

    iri: str
    id: str = ""
    name: str = ""
    labels: set[str] = field(default_factory=set)
    wikidata: str | None = None   # a city's QID
    broader: set[str] = field(default_factory=set)

    def named_by(self, value: str) -> bool:
        """Whether ``value`` (an id, IRI, QID or label, any case) names this concept."""
        text = value.strip()
        if text in (self.iri, self.id) or (self.wikidata and qid_of(text) == self.wikidata):
            return True
        folded = fold(text)
        if not folded:
            return False
        names = self.labels | {fold(self.id)}
        return folded in names or any(
            fuzz.ratio(folded, label) >= VALUE_SIMILARITY for label in names if len(label) > 3)


@dataclass
class Organisation:
    """What the index holds of one organisation."""

    id: str                       # the short id; the IRI is the identifier space + id
    iri: str
    name: str = ""
    names: list[str] = field(default_factory=list)
    city: Concept | None = None
    sectors: list[Concept] = field(default_factory=list)
    homepages: list[str] = field(default_factory=list)
    description: str = ""

    def summary(self) -> str:
        """A line telling namesakes apart: "Vilnius · design, packaging"."""
        parts = [self.city.name] if self.city else []
        if self.sectors:
            parts.append(", ".join(s.name for s in self.sectors))
        return " · ".join(parts)


@dataclass(frozen=True)
class Alias:
    """One text an organisation may be found by: folded, without legal forms, weighed."""

    org: str
    full: str
    core: str
    weight: float


@dataclass(frozen=True)
class Query:
    """One reconciliation query: a name, properties (id -> values), how many candidates."""

    text: str = ""
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()
    limit: int = 5
    types: tuple[str, ...] = ()


@dataclass
class Candidate:
    """An organisation proposed for a query, with its score and why."""

    organisation: Organisation
    score: float
    name_score: float
    agreement: dict[str, bool] = field(default_factory=dict)
    match: bool = False


@dataclass
class Index:
    """Every organisation, the texts they are found by, and the cities and sectors."""

    organisations: dict[str, Organisation]
    cities: dict[str, Concept]
    sectors: dict[str, Concept]
    prefix: str                   # the IRI of organisation "x" is prefix + "x"
    aliases: list[Alias] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_iri = {o.iri: o for o in self.organisations.values()}
        self._cores = [a.core for a in self.aliases]
        self._ancestors = {iri: self._up(iri) for iri in self.sectors}

    def _up(self, iri: str) -> set[str]:
        """Return a sector and every sector broader than it."""
        seen, todo = {iri}, [iri]
        while todo:
            concept = self.sectors.get(todo.pop())
            for broader in concept.broader if concept else ():
                if broader not in seen:
                    seen.add(broader)
                    todo.append(broader)
        return seen

    def __len__(self) -> int:
        return len(self.organisations)

    def get(self, ident: str) -> Organisation | None:
        """Return the organisation a short id or an IRI names, else None."""
        ident = ident.strip()
        return self.organisations.get(ident) or self._by_iri.get(ident)

    # --- reconciliation ---

    def reconcile(self, query: Query) -> list[Candidate]:
        """Return the best candidates for ``query``, best first (at most ``query.limit``)."""
        if query.types and not any(t.strip() in TYPE_NAMES or t.strip().lower() in TYPE_NAMES
                                   for t in query.types):
            return []  # the only type here is Organisation
        if query.text.strip():
            scores = self.name_scores(query.text, NEAREST + query.limit)
        elif query.properties:
            scores = dict.fromkeys(self.organisations, 0.0)
        else:
            return []
        wanted = [(pid, self.resolve(pid, values)) for pid, values in query.properties]
        candidates = []
        for org_id, name_score in scores.items():
            org = self.organisations[org_id]
            agreement = {pid: self.agrees(org, pid, named) for pid, named in wanted}
            known = {pid: agreed for pid, agreed in agreement.items() if agreed is not None}
            if query.text.strip():
                score = name_score + sum(BOOSTS[pid][0 if agreed else 1]
                                         for pid, agreed in known.items())
            elif any(known.values()):
                score = 100.0 * sum(known.values()) / len(query.properties)
            else:
                continue
            score = max(0.0, min(100.0, score))
            if score >= MIN_SCORE:
                candidates.append(Candidate(org, round(score, 1), round(name_score, 1), known))
        candidates.sort(key=lambda c: (-c.score, -c.name_score, c.organisation.name.casefold(),
                                       c.organisation.id))
        top = candidates[:query.limit]
        if top and top[0].score >= MATCH_SCORE and (
                len(candidates) == 1 or top[0].score - candidates[1].score >= MATCH_MARGIN):
            top[0].match = True
        return top

    def name_scores(self, text: str, limit: int = NEAREST) -> dict[str, float]:
        """Return organisation id -> how well ``text`` names it (0–100), for the likely ones
        (at most ``limit`` names by each measure).

        The name is compared without its legal forms (edit distance, the same with the
        words sorted, and :func:`contained` for a shorter name), and for a tenth of the
        score with them, so "X GmbH" prefers "X GmbH" to "X AB" but finds both. An
        organisation's id or IRI scores 100.
        """
        full = fold(text)
        core = strip_legal_forms(full) or full
        scores: dict[str, float] = {}
        found = self.get(text)
        if found:
            scores[found.id] = 100.0
        if not core:
            return scores
        # the likely names, found by rapidfuzz over every alias (in C), at most NEAREST by
        # each measure; then scored in full below. token_set_ratio finds the names that hold
        # every word of the text ("Beepart" in "Beepart creative workshop")
        near: set[int] = set()
        for scorer, cutoff in ((fuzz.ratio, MIN_SCORE - 10), (fuzz.token_sort_ratio,
                               MIN_SCORE - 10), (fuzz.token_set_ratio, WORD_SIMILARITY)):
            near.update(i for _, _, i in process.extract(
                core, self._cores, scorer=scorer, limit=limit, score_cutoff=cutoff))
        for i in near:
            alias = self.aliases[i]
            similar = max(fuzz.ratio(core, alias.core), fuzz.token_sort_ratio(core, alias.core),
                          contained(core, alias.core))
            score = alias.weight * (0.9 * similar + 0.1 * fuzz.ratio(full, alias.full))
            if score > scores.get(alias.org, 0.0):
                scores[alias.org] = score
        return scores

    def resolve(self, pid: str, values: Sequence[str]) -> set[str]:
        """Return what a query's values of property ``pid`` name, as the index keeps it:
        city or sector IRIs, the QIDs of cities, or homepages as :func:`normal_url` writes
        them. A value that names nothing known adds nothing (and so agrees with no one).
        """
        if pid == "city":
            return {c.iri for c in self.cities.values() if any(c.named_by(v) for v in values)}
        if pid == "cityWikidata":
            return {q for q in map(qid_of, values) if q}
        if pid == "sectors":
            return {c.iri for c in self.sectors.values() if any(c.named_by(v) for v in values)}
        if pid == "homepage":
            return {normal_url(v) for v in values}
        raise KeyError(pid)

    def agrees(self, org: Organisation, pid: str, named: set[str]) -> bool | None:
        """Whether the organisation has one of the values ``named`` (from :meth:`resolve`)
        for property ``pid``; None when it states nothing for it (no city, sector, homepage).
        A sector agrees when it is named or lies under one named.
        """
        if pid in ("city", "cityWikidata"):
            mine = org.city and (org.city.iri if pid == "city" else org.city.wikidata)
            return None if not mine else mine in named
        if pid == "sectors":
            if not org.sectors:
                return None
            return any(self._ancestors.get(s.iri, {s.iri}) & named for s in org.sectors)
        if pid == "homepage":
            if not org.homepages:
                return None
            return any(normal_url(h) in named for h in org.homepages)
        raise KeyError(pid)

    # --- suggest ---

    def suggest(self, prefix: str) -> list[Organisation]:
        """Return the organisations whose names start with ``prefix``, best first.

        First an id or IRI given whole, then names that start with the text, then names
        that do once their legal form is dropped, then names with a word that starts
        with it, then names that contain it; each group in name order.
        """
        text = fold(prefix)
        if not text:
            return []
        ranks: dict[str, int] = {}
        found = self.get(prefix)
        if found:
            ranks[found.id] = 0
        for alias in self.aliases:
            rank = (1 if alias.full.startswith(text) else 2 if alias.core.startswith(text)
                    else 3 if f" {text}" in f" {alias.full}" else 4 if text in alias.full
                    else None)
            if rank is not None and rank < ranks.get(alias.org, 9):
                ranks[alias.org] = rank
        return [self.organisations[i] for i in sorted(
            ranks, key=lambda i: (ranks[i], self.organisations[i].name.casefold(), i))]

    # --- data extension ---

    def values(self, org: Organisation, pid: str) -> list:
        """Return the organisation's values of property ``pid`` (Concepts, or texts)."""
        if pid == "city":
            return [org.city] if org.city else []
        if pid == "cityWikidata":
            return [org.city] if org.city and org.city.wikidata else []
        if pid == "sectors":
            return list(org.sectors)
        if pid == "homepage":
            return list(org.homepages)
        raise KeyError(pid)


def _text(term) -> str:
    return term.value


def _concepts(store: Store) -> tuple[dict[str, Concept], dict[str, Concept]]:
    found: dict[str, dict[str, Concept]] = {"city": {}, "sector": {}}
    preferred: dict[str, list[tuple[bool, str]]] = {}
    for row in store.select(QUERIES["reconcile_concepts"]):
        iri, what, value = row["concept"].value, row["what"].value, row["value"]
        concept = found[row["kind"].value].setdefault(iri, Concept(iri))
        if what == "id":
            concept.id = concept.id or value.value
        elif what in ("name", "label"):
            concept.labels.add(fold(value.value))
            if what == "name":
                english = getattr(value, "language", None) in (None, "", "en")
                preferred.setdefault(iri, []).append((not english, value.value))
        elif what == "focus" and value.value.startswith(WIKIDATA):
            concept.wikidata = qid_of(value.value)
        elif what == "broader":
            concept.broader.add(value.value)
    for concepts in found.values():
        for iri, concept in concepts.items():
            names = sorted(preferred.get(iri, []))
            concept.id = concept.id or iri.rsplit("/", 1)[-1]
            concept.name = names[0][1] if names else concept.id
            concept.labels.discard("")
    return found["city"], found["sector"]


def build_index(store: Store) -> Index:
    """Read every organisation, city and sector from the store into an :class:`Index`."""
    prefix = store.iris.base + "id/organisation/"
    cities, sectors = _concepts(store)
    orgs: dict[str, Organisation] = {}

    def org_of(iri: str) -> Organisation:
        slug = iri[len(prefix):] if iri.startswith(prefix) else iri
        return orgs.setdefault(slug, Organisation(slug, iri))

    shown: dict[str, list[str]] = {}
    for row in store.select(QUERIES["reconcile_names"]):
        org = org_of(row["org"].value)
        name = " ".join(row["name"].value.split())
        if name and name not in org.names:
            org.names.append(name)
        if row["property"].value == "https://schema.org/name":
            shown.setdefault(org.id, []).append(name)
    for row in store.select(QUERIES["reconcile_facts"]):
        org, what, value = org_of(row["org"].value), row["field"].value, row["value"].value
        if what == "city" and value in cities:  # one city (the first by IRI, should two be stated)
            org.city = org.city if org.city and org.city.iri < value else cities[value]
        elif what == "sector" and value in sectors and sectors[value] not in org.sectors:
            org.sectors.append(sectors[value])
        elif what == "homepage" and value not in org.homepages:
            org.homepages.append(value)
        elif what == "description" and not org.description:
            org.description = value
    aliases = []
    for org in orgs.values():
        org.names.sort()
        org.name = min(shown.get(org.id) or org.names or [org.id])
        org.sectors.sort(key=lambda s: s.name.casefold())
        aliases.extend(_aliases(org))
    return Index(orgs, cities, sectors, prefix, aliases)


def _aliases(org: Organisation) -> Iterable[Alias]:
    best: dict[str, Alias] = {}
    for name in org.names or [org.id]:
        for text, weight in name_forms(name):
            full = fold(text)
            alias = Alias(org.id, full, strip_legal_forms(full) or full, weight)
            if alias.full not in best or best[alias.full].weight < weight:
                best[alias.full] = alias
    return best.values()


__all__ = ["PROPERTIES", "Candidate", "Concept", "Index", "Organisation", "Query",
           "build_index", "fold", "name_forms", "strip_legal_forms"]
