"""The cluster report on policy good practice: HTML with figures, and the same numbers as JSON.

:func:`build_report` reads the latest analysis from the store (running one in
memory when the store holds none) and returns the page, its figures and its
data; :func:`write_report` writes them as a static folder a person can open or
publish. The web app serves the same page at ``/reports/clusters``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from crossinnov.analysis.network import build_network
from crossinnov.config import Settings
from crossinnov.report.data import load_report
from crossinnov.report.figures import _colours, city_figure, cluster_figure, network_figure
from crossinnov.store import Store


@dataclass
class Report:
    """A rendered report."""

    html: str
    figures: dict[str, str]  # file name -> SVG
    data: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("crossinnov.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.0f} %"
    env.filters["num"] = lambda v, d=2: "–" if v is None else f"{v:.{d}f}"
    return env


def report_data(store: Store, settings: Settings):
    """Return (data, network, source store): the stored analysis, or a fresh one if none is."""
    net = build_network(store, settings)
    data = load_report(store, net)
    if data is not None:
        data["in_memory"] = False
        return data, net, store
    from crossinnov.analysis import run_analysis
    from crossinnov.store import open_store

    # nothing stored yet: analyse a copy in memory, so the report still says something true
    scratch = open_store(settings.replace(store=":memory:"))
    scratch.add_quads(store.quads())
    from crossinnov.analysis.rdf import write_result

    write_result(scratch, run_analysis(scratch, settings))
    net = build_network(scratch, settings)
    data = load_report(scratch, net)
    data["in_memory"] = True
    return data, net, scratch


def build_report(store: Store, settings: Settings, *, link: Callable[[str], str],
                 figure_base: str, data_url: str | None = None) -> Report:
    """Render the report: ``link`` maps an IRI to a URL; figures are at ``figure_base + name``."""
    data, net, source = report_data(store, settings)
    membership = net_membership(source)
    colours = _colours(data["clusters"])
    figures = {"network.svg": network_figure(net, data, membership),
               "cities.svg": city_figure(data)}
    for cluster in data["clusters"][:40]:
        figures[f"cluster-{cluster['id']}.svg"] = cluster_figure(net, cluster,
                                                                 colours[cluster["iri"]])
    html = _environment().get_template("report.html").render(
        data=data, link=link, figure_base=figure_base, figures=figures, data_url=data_url)
    return Report(html, figures, data)


def net_membership(store: Store) -> dict[str, str]:
    """Every member of every cluster (the data lists only the first members of big ones)."""
    from crossinnov.queries import QUERIES

    return {r["member"].value: r["cluster"].value
            for r in store.select(QUERIES["analysis_previous_clusters"],
                                  analysis=store.iris.analysis_graph)}


def write_report(store: Store, settings: Settings, folder: Path) -> Path:
    """Write the report as a static folder: index.html, report.json and figures/*.svg."""
    report = build_report(store, settings, link=lambda iri: iri, figure_base="figures/",
                          data_url="report.json")
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    for name, svg in report.figures.items():
        (folder / "figures" / name).write_text(svg, encoding="utf-8")
    (folder / "report.json").write_text(report.json(), encoding="utf-8")
    index = folder / "index.html"
    index.write_text(report.html, encoding="utf-8")
    return index
