"""What the report's sections share (crossinnov.report.common): every share comes with the count
and the base it rests on (and no share without a base), counts by kind follow the kinds'
order, strongest first, and a tally's summary reads the stored counts as they are.
"""

from __future__ import annotations

import pytest

from crossinnov.analysis.kinds import KINDS
from crossinnov.report.common import kind_rows, ratio, slug, summary


@pytest.mark.parametrize("count,base,expected", [
    (3, 12, {"count": 3, "base": 12, "share": 0.25}),
    (0, 5, {"count": 0, "base": 5, "share": 0.0}),
    (4, 0, {"count": 4, "base": 0, "share": None}),  # no base: no share, never a division
    (None, None, {"count": 0, "base": 0, "share": None}),
])
def test_a_share_keeps_its_count_and_base(count, base, expected):
    assert ratio(count, base) == expected


def tally() -> dict:
    """A tally as the report reads it from the store: overall counts and counts per kind."""
    return {
        "all": {"organisationCount": 47, "tiedOrganisationCount": 40, "tieCount": 60,
                "creativeOrganisationCount": 20, "growthOrganisationCount": 15,
                "bothSidesOrganisationCount": 5, "crossSectorTieCount": 9,
                "sectorKnownTieCount": 36, "crossCityTieCount": 12, "cityKnownTieCount": 0,
                "bridgingOrganisationCount": 6, "sideKnownOrganisationCount": 40,
                "enoughData": True},
        "kinds": {
            "PracticeOperatorPartner": {"tieCount": 21, "tiesOfKind": 25,
                                        "crossSectorTieCount": 4, "sectorKnownTieCount": 20,
                                        "crossCityTieCount": 1, "cityKnownTieCount": 21},
            "EventCoAttendance": {"tieCount": 39, "tiesOfKind": 41},
        },
    }


def test_kind_rows_follow_the_kinds_strongest_first():
    rows = kind_rows(tally())
    assert [r["id"] for r in rows] == [k.id for k in KINDS]
    practice = rows[[k.id for k in KINDS].index("operator-partner")]
    assert (practice["ties"], practice["ties_of_kind"]) == (21, 25)
    assert practice["cross_sector"] == {"count": 4, "base": 20, "share": 0.2}
    mutual = rows[0]
    assert mutual["ties"] == 0 and mutual["cross_city"]["share"] is None


def test_compact_kind_rows_leave_out_the_kinds_without_ties():
    assert [r["id"] for r in kind_rows(tally(), compact=True)] == ["operator-partner", "event"]
    assert kind_rows(None, compact=True) == []


def test_summary_reads_the_stored_counts():
    s = summary(tally())
    assert (s["organisations"], s["tied"], s["ties"]) == (47, 40, 60)
    assert s["sides"] == {"creative": 20, "growth": 15, "both": 5}
    assert s["cross_sector"] == {"count": 9, "base": 36, "share": 0.25}
    assert s["cross_city"] == {"count": 12, "base": 0, "share": None}
    assert s["bridging"]["share"] == pytest.approx(6 / 40)
    assert s["enough"] is True
    # the counts by kind add up to the ties (each pair under its strongest kind)
    assert sum(r["ties"] for r in s["by_kind"]) == s["ties"]


def test_an_empty_tally_is_all_zeros_not_an_error():
    s = summary(None)
    assert s["organisations"] == 0 and s["cross_sector"]["share"] is None
    assert s["enough"] is None and len(s["by_kind"]) == len(KINDS)


def test_slug_is_the_last_segment_of_an_iri():
    assert slug("https://w3id.org/crossinnov/id/cluster/fab-lab-lx-partners") == \
        "fab-lab-lx-partners"
