"""The report's figures, drawn with matplotlib (SVG, text kept as text).

Every figure but one is drawn from the report's data, that is from numbers the
analysis run stored, so it costs the same at 47 or 100 000 organisations:

- ties by kind: all ties, those between cities and those across the creative/growth
  divide, each split by kind of tie (colour);
- the cities: the score of the cities with enough data, and the others named as
  "not enough data" with their organisations and ties;
- the good practices by sub-theme and by city;
- each cluster: its ties by kind and its members by sector side;
- the clusters as a map (size: members; x: ties across the divide; y: across cities).

The exception is the network of organisations itself, drawn only when the run had
at most ``NODE_LIMIT`` organisations (the caller then builds the network): its
ties are coloured and dashed by kind, its organisations coloured by cluster and
shaped by sector side.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from crossinnov.analysis.kinds import BY_KEY, KINDS, strongest  # noqa: E402
from crossinnov.analysis.network import Network  # noqa: E402

NODE_LIMIT = 200
SHAPES = {"creative": "o", "growth": "s", "both": "D", None: "^"}
SIDE_NAMES = {"creative": "creative industries only", "growth": "other growth sectors only",
              "both": "both", None: "sector unknown"}
SIDE_COLOURS = {"creative": "#7b2cbf", "growth": "#00796b", "both": "#8d6e63", None: "#c8ccd4"}
PALETTE = plt.get_cmap("tab20").colors
#: kind id -> (colour, line style): stated solid blue, practices dashed amber, events dotted grey
KIND_STYLE = {"mutual": ("#1d4ed8", "solid"), "one-sided": ("#7aa7f7", "solid"),
              "operator-partner": ("#b45309", "dashed"), "co-partners": ("#f2a93b", "dashed"),
              "event": ("#8a8f98", "dotted")}
INK, MUTED = "#1d2433", "#5b6478"


def _svg(fig) -> str:
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crossinnov"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _colours(clusters: list[dict[str, Any]]) -> dict[str, Any]:
    return {c["iri"]: PALETTE[i % len(PALETTE)] for i, c in enumerate(clusters)}


def _kind_legend(ax, *, lines: bool = False, **kwargs) -> None:
    if lines:
        handles = [Line2D([], [], color=KIND_STYLE[k.id][0], linestyle=KIND_STYLE[k.id][1],
                          linewidth=2, label=k.short) for k in KINDS]
    else:
        handles = [Patch(color=KIND_STYLE[k.id][0], label=k.short) for k in KINDS]
    ax.legend(handles=handles, frameon=False, fontsize=8, **kwargs)


def _stacked(ax, rows: list[tuple[str, dict[str, int]]]) -> None:
    """Horizontal bars, one per row, split by kind of tie, with each bar's total."""
    labels = [r[0] for r in rows][::-1]
    left = [0] * len(rows)
    for kind in KINDS:
        widths = [r[1].get(kind.id, 0) for r in rows][::-1]
        ax.barh(labels, widths, left=left, color=KIND_STYLE[kind.id][0], height=0.6)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total}", va="center", fontsize=9, color=INK)
    ax.set_xlim(0, max(left + [1]) * 1.15)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def kinds_figure(data: dict[str, Any]) -> str:
    """All ties, ties between cities and ties across the divide, by kind of tie."""
    h = data["headline"]
    rows = [
        (f"all ties ({h['ties']})", {k["id"]: k["ties"] for k in h["by_kind"]}),
        (f"between cities\n({h['cross_city']['count']} of {h['cross_city']['base']} with "
         "known cities)", {k["id"]: k["cross_city"]["count"] for k in h["by_kind"]}),
        (f"creative ↔ growth\n({h['cross_sector']['count']} of {h['cross_sector']['base']} "
         "with known sides)", {k["id"]: k["cross_sector"]["count"] for k in h["by_kind"]}),
    ]
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    _stacked(ax, rows)
    ax.set_xlabel("ties (pairs of organisations), each under its strongest kind")
    _kind_legend(ax, loc="upper center", bbox_to_anchor=(0.45, -0.35), ncol=3)
    return _svg(fig)


def city_figure(data: dict[str, Any]) -> str:
    """The cities with enough data by score; the others named, without a bar."""
    cities = data["cities"]
    fig, ax = plt.subplots(figsize=(7.2, 0.36 * max(3, len(cities)) + 0.9))
    labels = [f"{c['label']} ({c['organisations']} org., {c['ties']} ties)" for c in cities]
    scores = [c["score"] if c["score"] is not None else 0 for c in cities]
    bars = ax.barh(labels[::-1], scores[::-1], color="#b3261e", height=0.6)
    for bar, c in zip(bars, cities[::-1], strict=True):
        y = bar.get_y() + bar.get_height() / 2
        if c["score"] is None:
            ax.text(1, y, "not enough data", va="center", fontsize=8.5, color=MUTED,
                    style="italic")
        else:
            ax.text(c["score"] + 1, y, f"{c['score']:.0f}", va="center", fontsize=8.5)
    ax.set_xlim(0, 105)
    ax.set_xlabel("cross-innovation score (0–100), only for cities with at least "
                  f"{data['run']['minimum']['organisations']} organisations and "
                  f"{data['run']['minimum']['ties']} ties")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def practices_figure(data: dict[str, Any]) -> str:
    """Good practices by sub-theme and by city, split into those with and without ties."""
    groups = [("sub-theme", data["practices"]["by_theme"]),
              ("city", data["practices"]["by_city"])]
    heights = [max(2, len(g)) for _, g in groups]
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 0.3 * sum(heights) + 2.2),
                             gridspec_kw={"height_ratios": heights})
    top = max([r["practices"] for _, rows in groups for r in rows] + [1])
    for ax, (what, rows) in zip(axes, groups, strict=True):
        labels = [r["label"] for r in rows][::-1]
        tied = [r["with_ties"] for r in rows][::-1]
        alone = [r["practices"] - r["with_ties"] for r in rows][::-1]
        ax.barh(labels, tied, color="#b45309", height=0.6)
        ax.barh(labels, alone, left=tied, color="#e5d3b3", height=0.6)
        for y, (a, b) in enumerate(zip(tied, alone, strict=True)):
            ax.text(a + b, y, f" {a + b}", va="center", fontsize=8.5)
        ax.set_title(f"good practices by {what}", fontsize=10, loc="left")
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
    fig.legend(handles=[Patch(color="#b45309", label="names a partner organisation: has ties"),
                        Patch(color="#e5d3b3", label="no partner organisation in the data")],
               frameon=False, fontsize=8, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return _svg(fig)


def cluster_figure(cluster: dict[str, Any]) -> str:
    """One cluster from its stored numbers: ties inside by kind, members by sector side."""
    sides = cluster["sides"]
    unknown = max(0, cluster["size"] - sides["creative"] - sides["growth"] - sides["both"])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(4.6, 2.6))
    _stacked(top, [("ties inside", {k["id"]: k["ties"] for k in cluster["by_kind"]})])
    left = 0
    for side, n in (("creative", sides["creative"]), ("growth", sides["growth"]),
                    ("both", sides["both"]), (None, unknown)):
        bottom.barh(["members"], [n], left=left, color=SIDE_COLOURS[side], height=0.6,
                    label=SIDE_NAMES[side])
        left += n
    bottom.text(left, 0, f" {left}", va="center", fontsize=9)
    bottom.set_xlim(0, max(left, 1) * 1.15)
    for ax in (top, bottom):
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
    present = [k for k in KINDS if any(r["ties"] for r in cluster["by_kind"] if r["id"] == k.id)]
    top.legend(handles=[Patch(color=KIND_STYLE[k.id][0], label=k.short) for k in present],
               frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0.05),
               ncol=2)
    bottom.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0.05),
                  ncol=2)
    fig.subplots_adjust(hspace=1.2)
    return _svg(fig)


def cluster_map(data: dict[str, Any], limit: int = 150) -> str:
    """The clusters as points: ties across the divide (x) and across cities (y), size members."""
    shown = [c for c in data["clusters"][:limit] if c["enough"]]
    fig, ax = plt.subplots(figsize=(7.2, 5))
    if shown:
        ax.scatter([c["cross_sector"]["share"] or 0 for c in shown],
                   [c["cross_city"]["share"] or 0 for c in shown],
                   s=[20 + 4 * c["size"] ** 0.8 for c in shown], alpha=0.6, color="#1a4fa0",
                   edgecolors=INK, linewidths=0.4)
        for c in shown[:12]:
            ax.annotate(c["label"][:30], (c["cross_sector"]["share"] or 0,
                                          c["cross_city"]["share"] or 0), fontsize=7)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("share of its ties between creative-only and growth-only organisations")
    ax.set_ylabel("share of its ties between cities")
    left = len(data["clusters"]) - len(shown)
    ax.set_title(f"{len(shown)} clusters with enough data (size: members)"
                 + (f"; {left} others not shown" if left else ""), fontsize=10)
    return _svg(fig)


def _component_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Each connected part laid out on its own, the parts in a grid, largest first (one
    spring layout of many separate parts piles them up)."""
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c))
    columns = max(1, math.ceil(math.sqrt(len(parts))))
    pos: dict[str, tuple[float, float]] = {}
    for i, part in enumerate(parts):
        row, col = divmod(i, columns)
        sub = graph.subgraph(part)
        local = nx.spring_layout(sub, seed=7, weight="weight") if len(part) > 2 else \
            {n: (j - (len(part) - 1) / 2, 0.0) for j, n in enumerate(part)}
        scale = 0.42 * min(1.0, 0.35 + len(part) / 12)
        for n, (x, y) in local.items():
            pos[n] = (col + scale * x, -row + scale * y)
    return pos


def network_figure(net: Network, data: dict[str, Any], membership: dict[str, str]) -> str:
    """The organisations with at least one tie; ties coloured and dashed by kind."""
    nodes = [n for n in net.graph if net.graph.degree(n) > 0]
    graph = net.graph.subgraph(nodes)
    pos = _component_layout(graph)
    colours = _colours(data["clusters"])
    fig, ax = plt.subplots(figsize=(9, 7.5))
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for a, b, d in graph.edges(data=True):
        by_kind.setdefault(BY_KEY[strongest(d["kinds"])].id, []).append((a, b))
    for kind in reversed(KINDS):  # the weakest first, so stated ties are drawn on top
        edges = by_kind.get(kind.id, [])
        if edges:
            colour, style = KIND_STYLE[kind.id]
            nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color=colour,
                                   style=style, width=1.6 if kind.id != "event" else 1.0,
                                   alpha=0.85)
    for side, marker in SHAPES.items():
        group = [n for n in nodes if net.organisations[n].side == side]
        if group:
            nx.draw_networkx_nodes(
                graph, pos, nodelist=group, ax=ax, node_shape=marker, node_size=120,
                node_color=[colours.get(membership.get(n), "#cccccc") for n in group],
                edgecolors=INK, linewidths=0.6)
    labels = {m["iri"]: net.organisations[m["iri"]].name[:28] for c in data["clusters"]
              for m in c["central"][:1] if m["iri"] in pos}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=8)
    handles = [Line2D([], [], color=KIND_STYLE[k.id][0], linestyle=KIND_STYLE[k.id][1],
                      linewidth=2, label=k.short) for k in KINDS]
    handles += [Line2D([], [], marker=m, linestyle="", markerfacecolor="white",
                       markeredgecolor=INK, markersize=7, label=SIDE_NAMES[s])
                for s, m in SHAPES.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3,
              fontsize=8, frameon=False, title="line: kind of tie · shape: sector side · "
                                               "colour: cluster", title_fontsize=8)
    ax.set_axis_off()
    ax.set_title(f"{len(nodes)} organisations with ties, {graph.number_of_edges()} ties, "
                 f"{len(data['clusters'])} clusters", fontsize=11)
    return _svg(fig)
