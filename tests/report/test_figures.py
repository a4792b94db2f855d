"""The report's figures (crossinnov.report.figures), drawn from numbers and read back as SVG:
well-formed, with their words kept as text, saying what the numbers say; a city without
enough data is named as such and given no score.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from crossinnov.report.common import summary
from crossinnov.report.figures import city_figure, cluster_figure, kinds_figure

SVG = "{http://www.w3.org/2000/svg}"


def words(svg: str) -> str:
    """Every text of an SVG document (matplotlib writes text as text here), in one string."""
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == SVG + "svg"
    return " ".join(" ".join(e.itertext()) for e in root.iter(SVG + "text"))


def test_the_cities_figure_scores_only_the_cities_with_enough_data():
    data = {"cities": [{"label": "Tallinn", "organisations": 9, "ties": 14, "score": 73.4},
                       {"label": "Birmingham", "organisations": 1, "ties": 0, "score": None}],
            "run": {"minimum": {"organisations": 5, "ties": 3}}}
    text = words(city_figure(data))
    assert "Tallinn (9 org., 14 ties)" in text and "73" in text
    assert "Birmingham (1 org., 0 ties)" in text
    assert text.count("not enough data") == 1
    assert "at least 5 organisations and 3 ties" in text


def test_the_kinds_figure_states_each_count_with_its_base():
    tally = {"all": {"tieCount": 60, "crossCityTieCount": 12, "cityKnownTieCount": 58,
                     "crossSectorTieCount": 9, "sectorKnownTieCount": 36},
             "kinds": {"EventCoAttendance": {"tieCount": 39, "crossCityTieCount": 12,
                                             "crossSectorTieCount": 9}}}
    text = words(kinds_figure({"headline": summary(tally)}))
    assert "all ties (60)" in text
    assert "(12 of 58 with" in text and "(9 of 36 with" in text


def test_a_cluster_figure_counts_its_members_by_side():
    cluster = {"size": 7, "sides": {"creative": 3, "growth": 2, "both": 1},
               "by_kind": [{"id": "operator-partner", "ties": 4}, {"id": "event", "ties": 0}]}
    text = words(cluster_figure(cluster))
    assert "7" in text.split()  # all the members, one of them of an unknown side
    assert "sector unknown" in text and "creative industries only" in text
    # the legend names the kinds the cluster has ties of, and only those
    assert "practice: operator–partner" in text and "event" not in text.split()
