"""The report's words: each measure explained for a non-specialist, and the definitions
printed next to the headline numbers."""

from __future__ import annotations

#: key -> (name, explanation, the ties it uses: "all" (weighted), "brokerage" or "")
MEASURES: dict[str, tuple[str, str, str]] = {
    "modularity": (
        "Modularity",
        "How clearly the network falls apart into groups: 0 means the ties run as much "
        "between groups as inside them, values above about 0.4 mean clear groups. A network "
        "made of small groups with no ties between them scores high by default.", "all"),
    "density": (
        "Density",
        "The share of all possible pairs in a group that are tied: 1 means everyone is tied "
        "to everyone (as the partners of one practice or the guests of one event are).", "all"),
    "betweenness": (
        "Betweenness",
        "How often an organisation lies on the shortest path between two others. High "
        "betweenness: remove it and others lose their only short way to each other. It is "
        "0 for an organisation whose partners are all tied to each other.", "brokerage"),
    "constraint": (
        "Constraint",
        "How much an organisation's partners are tied to each other (Burt). Low constraint: "
        "its partners do not know each other, so it can bring them together; high (near 1): "
        "it sits inside one closed group.", "brokerage"),
    "pairs": (
        "Pairs bridged",
        "Pairs of an organisation's partners that have no tie to each other and sit on "
        "different sides: one in the creative industries only and one in other growth sectors "
        "only, or in different cities. The organisation is the link between them.", "brokerage"),
    "coordinator": (
        "Coordinator", "Links two partners of its own group (sector side or city).", "brokerage"),
    "itinerant": (
        "Itinerant", "Links two partners of one group it does not belong to itself.",
        "brokerage"),
    "gatekeeper": (
        "Gatekeeper", "Links an outsider to a partner of its own group (lets others in).",
        "brokerage"),
    "representative": (
        "Representative", "Links a partner of its own group to an outsider (speaks for its "
                          "group outside).", "brokerage"),
    "liaison": (
        "Liaison", "Links two partners of two groups, neither its own.", "brokerage"),
}

CROSS_SECTOR = (
    "Out of the ties whose two organisations both have a known sector side, those that join an "
    "organisation of the creative industries only with one of other growth sectors only. An "
    "organisation classed in both sides never counts as crossing (its ties stay in the base).")
CROSS_CITY = (
    "Out of the ties whose two organisations both have a known city, those that join two "
    "organisations based in different cities.")
TIE = ("A tie is a pair of organisations tied in at least one way; a pair tied in several ways "
       "counts once, under its strongest kind (the order of the table).")

#: the Cross Innovation project worked with about this many organisations per partner city:
#: the Internationalisation Case Study Report counts 102 companies from the 11 cities (only its
#: first page is stored, see data/sources/SOURCES.md)
PROJECT_ORGANISATIONS_PER_CITY = 10
#: the project's online knowledge base held about this many good practices per city (40+ in
#: all, data/sources/SOURCES.md)
PROJECT_PRACTICES_PER_CITY = 4

CAN = [
    "which organisations the sources name together — as operator and partners of a good "
    "practice, or as participants of an event — and whether those pairs cross the creative/"
    "growth divide or a city border;",
    "which good practices and events hold the groups together;",
    "which organisations are the only link between partners of different sides or cities, "
    "on the ties the data records.",
]
CANNOT = [
    "how strong or lasting a tie is, or whether two partners of one practice work with each "
    "other;",
    "anything about organisations the sources do not name (most firms at the matchmaking days, "
    "most of the project's knowledge-base practices);",
    "how one city compares with another where the data holds only a few organisations: such "
    "cities are shown as \u201cnot enough data\u201d, never ranked.",
]
