#!/usr/bin/env python
"""How often the reconciliation matcher finds the right organisation when its name is
written differently: the real organisations' names, varied, through ``crossinnov.reconcile``.

    python benchmarks/reconcile_accuracy.py                # the shipped data, seed 1
    python benchmarks/reconcile_accuracy.py --seed 7 --repeats 10
    python benchmarks/reconcile_accuracy.py --store PATH   # the organisations of a store

For every organisation's name (``schema:name``) it writes variants of six kinds:

- ``exact``: the name as stored;
- ``lower-case``: the name in lower case;
- ``accents``: accents stripped where the name has some, else added to a few letters
  ("Lansstyrelsen" -> "Länsstyrelsen"): either way the query's accents differ;
- ``legal form dropped``: a legal form the name holds taken away (only names with one);
- ``legal form added``: one of the legal forms of the city's country added, before or
  after the name as that country writes it ("UAB ...", "... GmbH");
- ``one typo``: one letter deleted, inserted, replaced or swapped with the next.

The random kinds (accents added, legal form added, typo) are drawn ``--repeats`` times per
name from a seeded random generator, so a run is repeatable. Each variant is reconciled
alone (no city, no type) and counted correct when the first candidate is the organisation
it came from; the table also says how often the service would have auto-matched
(``match: true``) the right one, and a wrong one. Targets: at least 95 % top-1 on exact,
lower-case and accents; at least 85 % on the others. ``tests/test_reconcile.py`` runs the
same evaluation on the shipped data and asserts those targets.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crossinnov.reconcile import LEGAL_FORMS, Index, Organisation, Query, build_index  # noqa: E402

KINDS = ("exact", "lower-case", "accents", "legal form dropped", "legal form added", "one typo")
TARGETS = {"exact": 95.0, "lower-case": 95.0, "accents": 95.0, "legal form dropped": 85.0,
           "legal form added": 85.0, "one typo": 85.0}
#: the legal forms each partner city's country uses, and whether they come first
FORMS_BY_CITY = {
    "amsterdam": (["B.V.", "N.V.", "BV"], False), "berlin": (["GmbH", "e.V.", "gGmbH"], False),
    "birmingham": (["Ltd", "Limited", "plc"], False), "linz": (["GmbH"], False),
    "lisbon": (["Lda", "S.A."], False), "plzen": (["s.r.o.", "a.s.", "z.s."], False),
    "rome": (["S.r.l.", "S.p.A.", "SpA"], False), "stockholm": (["AB"], False),
    "tallinn": (["OÜ", "AS", "MTÜ"], False), "vilnius": (["UAB", "JSC", "VšĮ"], True),
    "warsaw": (["Sp. z o.o.", "S.A."], False),
}
ANY_FORMS = sorted({f for forms, _ in FORMS_BY_CITY.values() for f in forms})
#: accented letters a name may gain, as the partner cities' languages write them
ACCENTED = {"a": "äáàå", "e": "éèë", "i": "íï", "o": "öóø", "u": "üúů", "c": "čç",
            "s": "š", "z": "žż", "n": "ñń", "r": "ř", "l": "ł"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class Tally:
    """The outcome of one kind of variant."""

    n: int = 0
    top1: int = 0
    matched: int = 0        # match: true on the right organisation
    wrong_match: int = 0    # match: true on another one

    def percent(self, count: int) -> float:
        return 100.0 * count / self.n if self.n else float("nan")


# --- variants ----------------------------------------------------------------------------------

def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if not unicodedata.combining(c)))


def add_accents(text: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(text) if c.lower() in ACCENTED]
    chars = list(text)
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        accented = rng.choice(ACCENTED[chars[i].lower()])
        chars[i] = accented.upper() if chars[i].isupper() else accented
    return "".join(chars)


def drop_legal_form(name: str) -> str | None:
    """The name without the legal form it holds at its start or end, or None."""
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        f = re.escape(form)
        for pattern in (rf"\s*\({f}\)\s*$", rf"\s+{f}(?=\)?\s*$)", rf"^{f}\s+"):
            shorter = re.sub(pattern, "", name, count=1, flags=re.IGNORECASE)
            if shorter != name and shorter.strip():
                return shorter.strip()
    return None


def add_legal_form(org: Organisation, rng: random.Random) -> str:
    forms, first = FORMS_BY_CITY.get(org.city.id if org.city else "", (ANY_FORMS, False))
    form = rng.choice(forms)
    return f"{form} {org.name}" if first else f"{org.name} {form}"


def typo(text: str, rng: random.Random) -> str:
    """One edit at a letter: deleted, a letter inserted, replaced, or swapped with the next."""
    spots = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(spots)
    edit = rng.choice(("delete", "insert", "replace", "swap"))
    if edit == "swap" and i + 1 < len(text) and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if edit == "delete" and len(spots) > 1:
        return text[:i] + text[i + 1:]
    if edit == "insert":
        return text[:i] + rng.choice(LETTERS) + text[i:]
    other = rng.choice([c for c in LETTERS if c != text[i].lower()])
    return text[:i] + other + text[i + 1:]


def variants(org: Organisation, rng: random.Random, repeats: int) -> Iterator[tuple[str, str]]:
    """Yield (kind, text) for every variant of one organisation's name."""
    name = org.name
    yield "exact", name
    yield "lower-case", name.lower()
    if strip_accents(name) != name:
        yield "accents", strip_accents(name)
    else:
        for _ in range(repeats):
            yield "accents", add_accents(name, rng)
    dropped = drop_legal_form(name)
    if dropped:
        yield "legal form dropped", dropped
    for _ in range(repeats):
        yield "legal form added", add_legal_form(org, rng)
    for _ in range(repeats):
        yield "one typo", typo(name, rng)


# --- evaluation --------------------------------------------------------------------------------

def evaluate(index: Index, *, seed: int = 1, repeats: int = 5,
             misses: list | None = None) -> dict[str, Tally]:
    """Reconcile every variant of every organisation's name; tally the outcomes per kind."""
    rng = random.Random(seed)
    tallies = {kind: Tally() for kind in KINDS}
    for org in sorted(index.organisations.values(), key=lambda o: o.id):
        for kind, text in variants(org, rng, repeats):
            found = index.reconcile(Query(text, limit=3))
            tally = tallies[kind]
            tally.n += 1
            right = bool(found) and found[0].organisation.id == org.id
            tally.top1 += right
            if found and found[0].match:
                tally.matched += right
                tally.wrong_match += not right
            if not right and misses is not None:
                misses.append((kind, text, org.id, found[0].organisation.id if found else None))
    return tallies


def shortfalls(tallies: dict[str, Tally]) -> list[str]:
    """The kinds whose top-1 rate is below its target (with a variant at least)."""
    return [f"{kind}: {t.percent(t.top1):.1f} % < {TARGETS[kind]:g} %"
            for kind, t in tallies.items() if t.n and t.percent(t.top1) < TARGETS[kind]]


def table(tallies: dict[str, Tally]) -> str:
    lines = ["| variant | n | top-1 correct | target | auto-matched right | auto-matched wrong |",
             "|---|---:|---:|---:|---:|---:|"]
    for kind, t in tallies.items():
        lines.append(f"| {kind} | {t.n} | {t.percent(t.top1):.1f} % | ≥ {TARGETS[kind]:g} % | "
                     f"{t.percent(t.matched):.1f} % | {t.percent(t.wrong_match):.1f} % |")
    return "\n".join(lines)


def shipped_store():
    """An in-memory store with the shipped data, loaded and validated as `crossinnov load` does."""
    from crossinnov.config import Settings
    from crossinnov.stores import open_store
    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.changes import Change
    from crossinnov.writes.load import load_units, shipped_units

    store = open_store(Settings(store=":memory:"))
    units, _ = shipped_units(store)
    load_units(store, units, Validator(), Change("load", store.iris.agent("benchmark")))
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="variants per name of each random kind (default 5)")
    parser.add_argument("--store", help="read the organisations of this store (a folder or a "
                                        "SPARQL URL) instead of the shipped data")
    parser.add_argument("--misses", action="store_true", help="list every variant missed")
    args = parser.parse_args(argv)
    if args.store:
        from crossinnov.config import Settings
        from crossinnov.stores import open_store

        store = open_store(Settings(store=args.store), read_only=True)
        source = args.store
    else:
        store, source = shipped_store(), "the shipped data"
    index = build_index(store)
    misses: list = []
    tallies = evaluate(index, seed=args.seed, repeats=args.repeats, misses=misses)
    print(f"Reconciliation accuracy: {len(index)} organisations of {source}, seed {args.seed}, "
          f"{args.repeats} draws per name of each random kind\n")
    print(table(tallies))
    if args.misses:
        print("\nMissed (kind, query, expected, first candidate):")
        for miss in misses:
            print("  " + " | ".join(str(part) for part in miss))
    short = shortfalls(tallies)
    if short:
        print("\nBelow target: " + "; ".join(short))
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
