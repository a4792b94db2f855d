"""The cluster report on policy good practice: HTML with figures, and the same numbers as JSON.

:func:`build_report` reads the latest analysis from the store (running one in
memory when the store holds none) and returns the page, its figures (drawn when
first asked for) and its data; :func:`write_report` writes them as a static
folder a person can open or publish without a server: ``index.html`` with the
site's look (its own copy of the stylesheets and script in ``static/``),
``report.json`` and ``figures/``. The web app serves the same report at
``/reports/clusters``, inside the site's pages (``report_site.html`` extends
``base.html``); both share ``report_body.html``. Neither page has inline script or
style, so the site's Content-Security-Policy needs no exception for it.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from crossinnov.config import Settings
from crossinnov.report.data import load_report
from crossinnov.stores.base import Store

#: the files of the site's static folder the report page uses, copied into a static report
ASSETS = ("style.css", "report.css", "report.js")
#: clusters that get a figure of their own in a static report (the web draws any on demand)
CLUSTER_FIGURES = 40


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def filters() -> dict[str, Callable[..., str]]:
    """The report templates' filters (the site's and the static page's)."""
    return {"pct": pct, "num": num}


@dataclass
class Figures:
    """The report's figures, drawn on first use and kept (drawing is serialised: pyplot holds
    process-wide state)."""

    data: dict[str, Any]
    store: Store
    settings: Settings
    _drawn: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def names(self, clusters: int | None = None) -> list[str]:
        shown = self.data["clusters"] if clusters is None else self.data["clusters"][:clusters]
        return ["ties.svg", "cities.svg", "practices.svg", "network.svg",
                *(f"cluster-{c['id']}.svg" for c in shown)]

    def get(self, name: str) -> str | None:
        with self._lock:
            if name not in self._drawn:
                svg = self._draw(name)
                if svg is None:
                    return None
                self._drawn[name] = svg
            return self._drawn[name]

    def _draw(self, name: str) -> str | None:
        from crossinnov.report import figures

        if name == "ties.svg":
            return figures.kinds_figure(self.data)
        if name == "cities.svg":
            return figures.city_figure(self.data)
        if name == "practices.svg":
            return figures.practices_figure(self.data)
        if name == "network.svg":
            if self.data["run"]["organisations"] > figures.NODE_LIMIT:
                return figures.cluster_map(self.data)
            from crossinnov.analysis.network import build_network

            net = build_network(self.store, self.settings)
            return figures.network_figure(net, self.data, membership(self.store))
        if name.startswith("cluster-") and name.endswith(".svg"):
            cluster = next((c for c in self.data["clusters"] if c["id"] == name[8:-4]), None)
            return figures.cluster_figure(cluster) if cluster else None
        return None


@dataclass
class Report:
    """A rendered report."""

    html: str
    figures: Figures
    data: dict[str, Any]

    def json(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("crossinnov.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters.update(filters())
    return env


def report_data(store: Store, settings: Settings) -> tuple[dict[str, Any], Store]:
    """Return (data, the store it was read from): the stored analysis, or a fresh one if none is."""
    data = load_report(store, settings)
    if data is not None:
        data["in_memory"] = False
        return data, store
    from crossinnov.analysis import check_memory, compute, gather
    from crossinnov.analysis.rdf import write_result
    from crossinnov.stores import open_store

    check_memory(store, settings)  # once, before the copy (which takes memory too)
    # nothing stored yet: analyse a copy in memory, so the report still says something true
    scratch = open_store(settings.replace(store=":memory:"))
    scratch.add_quads(store.quads())
    write_result(scratch, compute(gather(scratch, settings), settings))
    data = load_report(scratch, settings)
    assert data is not None
    data["in_memory"] = True
    return data, scratch


def build_report(store: Store, settings: Settings, *, link: Callable[[str], str],
                 figure_base: str, data_url: str | None = None,
                 render: Callable[..., str] | None = None,
                 cluster_figures: int | None = None) -> Report:
    """Read the report and render its page.

    :param link: maps an IRI to the URL the page links it to
    :param figure_base: where the figures are (``figure_base + name``)
    :param render: renders the page from the template context (the web app's, inside the
        site's layout); by default the standalone page of a static report
    :param cluster_figures: how many clusters (the largest) have a figure (None: all)
    """
    data, source = report_data(store, settings)
    context = {"data": data, "link": link, "figure_base": figure_base, "data_url": data_url,
               "cluster_figures": len(data["clusters"]) if cluster_figures is None
               else cluster_figures}
    if render is None:
        html = _environment().get_template("report.html").render(**context)
    else:
        html = render(**context)
    return Report(html, Figures(data, source, settings), data)


def membership(store: Store) -> dict[str, str]:
    """Every member of every cluster (for the network figure of a small network)."""
    from crossinnov.sparql.queries import QUERIES

    return {r["member"].value: r["cluster"].value
            for r in store.select(QUERIES["analysis_previous_clusters"],
                                  analysis=store.iris.analysis_graph)}


def write_report(store: Store, settings: Settings, folder: Path) -> Path:
    """Write the report as a static folder: index.html, report.json, figures/, static/."""
    report = build_report(store, settings, link=lambda iri: iri, figure_base="figures/",
                          data_url="report.json", cluster_figures=CLUSTER_FIGURES)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    for name in report.figures.names(CLUSTER_FIGURES):
        svg = report.figures.get(name)
        if svg is not None:
            (folder / "figures" / name).write_text(svg, encoding="utf-8")
    (folder / "static").mkdir(exist_ok=True)
    for asset in ASSETS:
        source = resources.files("crossinnov.web").joinpath("static", asset)
        with resources.as_file(source) as path:
            shutil.copyfile(path, folder / "static" / asset)
    (folder / "report.json").write_text(report.json(), encoding="utf-8")
    index = folder / "index.html"
    index.write_text(report.html, encoding="utf-8")
    return index
