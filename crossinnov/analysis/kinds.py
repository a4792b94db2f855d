"""The kinds of tie between two organisations, strongest first, with their weights and words.

Two organisations can be tied in several ways at once. Every count of ties
counts a pair once, under its *strongest* kind (the order of :data:`KINDS`),
so the counts by kind add up to the number of ties; ``ci:tiesOfKind`` also
counts the pairs that have a kind beside a stronger one.

- ``mutual``: both organisations state a ``ci:collaboratesWith`` in their own
  profiles (organisation graphs; links inferred or derived elsewhere never count);
- ``one-sided``: only one of them states it;
- ``operator-partner``: one runs a good practice (``ci:operatedBy``), the other is
  named as its partner (``ci:hasPartner``);
- ``co-partners``: both are named partners of the same good practice;
- ``event``: both took part in the same event (``ci:participatedIn``).

Brokerage (betweenness, constraint, brokerage roles) is measured on the kinds
that mean working together: stated collaborations and operator-partner ties;
co-partners and events only when the settings ``brokerage_copartners`` and
``brokerage_events`` say so. Clusters use every kind, weighted.
"""

from __future__ import annotations

from dataclasses import dataclass

from crossinnov.config import Settings


@dataclass(frozen=True)
class TieKind:
    """One kind of tie."""

    #: the key in a network edge's ``kinds`` (kept from earlier versions)
    key: str
    #: the public id: JSON, the tally IRIs
    id: str
    #: the local name of the ontology individual (``ci:...``) naming the kind
    term: str
    #: the setting holding its weight
    setting: str
    label: str
    short: str
    explanation: str

    def weight(self, settings: Settings) -> float:
        return float(getattr(settings, self.setting))


KINDS: tuple[TieKind, ...] = (
    TieKind("collaboration", "mutual", "MutualCollaboration", "weight_collaboration",
            "stated collaboration, both sides", "stated (both)",
            "Both organisations say in their own profiles that they work together."),
    TieKind("unconfirmed", "one-sided", "OneSidedCollaboration",
            "weight_unconfirmed_collaboration", "stated collaboration, one side only",
            "stated (one side)",
            "One organisation says it works with the other; the other has not confirmed it."),
    TieKind("practice", "operator-partner", "PracticeOperatorPartner", "weight_practice",
            "good practice: operator and partner", "practice: operator–partner",
            "One runs a good practice and the sources name the other as its partner."),
    TieKind("copartner", "co-partners", "PracticeCoPartners", "weight_practice_copartners",
            "good practice: partners of the same practice", "practice: co-partners",
            "The sources name both as partners of the same good practice; they do not say "
            "that the partners work with each other."),
    TieKind("event", "event", "EventCoAttendance", "weight_event",
            "same event", "event",
            "Both took part in the same event, such as a matchmaking day; co-attendance, not "
            "working together."),
)
BY_KEY = {k.key: k for k in KINDS}
ORDER = {k.key: i for i, k in enumerate(KINDS)}
#: the kinds that always count for brokerage: they mean working together
WORKING = ("collaboration", "unconfirmed", "practice")


def strongest(kinds: dict[str, float]) -> str:
    """Return the key of the strongest kind an edge has (one with a weight above 0)."""
    present = [k for k, w in kinds.items() if w > 0] or list(kinds)
    return min(present, key=lambda k: ORDER.get(k, len(ORDER)))


def brokerage_kinds(settings: Settings) -> tuple[str, ...]:
    """The keys of the kinds brokerage is measured on, in the order of :data:`KINDS`."""
    keys = set(WORKING)
    if settings.brokerage_copartners:
        keys.add("copartner")
    if settings.brokerage_events:
        keys.add("event")
    return tuple(k.key for k in KINDS if k.key in keys)
