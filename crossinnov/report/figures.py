"""The report's figures, drawn with matplotlib (SVG, text kept as text).

- the network: organisations coloured by cluster and shaped by sector side
  (creative, growth, both, unknown) when there are at most 200 tied
  organisations; above that, the cluster-level graph (one node per cluster,
  sized by members, coloured by creative share, edges by ties between them);
- one small figure per cluster: its members and ties, or its sector mix when large;
- the cities' cross-innovation scores.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from crossinnov.analysis.network import Network  # noqa: E402

NODE_LIMIT = 200
SHAPES = {"creative": "o", "growth": "s", "both": "D", None: "^"}
SIDE_NAMES = {"creative": "creative industries", "growth": "other growth sectors",
              "both": "both", None: "sector unknown"}
PALETTE = plt.get_cmap("tab20").colors


def _svg(fig) -> str:
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crossinnov"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _colours(clusters: list[dict[str, Any]]) -> dict[str, Any]:
    return {c["iri"]: PALETTE[i % len(PALETTE)] for i, c in enumerate(clusters)}


def network_figure(net: Network, data: dict[str, Any], membership: dict[str, str]) -> str:
    """The whole network, or its cluster-level summary when large."""
    tied = [n for n in net.graph if net.graph.degree(n) > 0]
    if len(tied) <= NODE_LIMIT:
        return _organisation_network(net, data, membership, tied)
    return _cluster_network(net, data, membership)


def _organisation_network(net, data, membership, nodes) -> str:
    graph = net.graph.subgraph(nodes)
    pos = nx.spring_layout(graph, seed=7, k=1.6 / max(1, len(nodes)) ** 0.5, weight="weight")
    colours = _colours(data["clusters"])
    fig, ax = plt.subplots(figsize=(11, 8.5))
    widths = [0.4 + 0.8 * min(d["weight"], 3) for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#b8bcc6", alpha=0.8)
    for side, marker in SHAPES.items():
        group = [n for n in nodes if net.organisations[n].side == side]
        if not group:
            continue
        nx.draw_networkx_nodes(
            graph, pos, nodelist=group, ax=ax, node_shape=marker, node_size=140,
            node_color=[colours.get(membership.get(n), "#cccccc") for n in group],
            edgecolors="#1d2433", linewidths=0.6)
    central = {m["iri"] for c in data["clusters"] for m in c["central"][:1]}
    labels = {n: net.organisations[n].name[:28] for n in central if n in pos}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=8)
    handles = [Line2D([], [], marker=m, linestyle="", markerfacecolor="white",
                      markeredgecolor="#1d2433", markersize=8, label=SIDE_NAMES[s])
               for s, m in SHAPES.items()]
    handles += [Line2D([], [], marker="o", linestyle="", color=colours[c["iri"]],
                       markersize=8, label=c["label"][:48]) for c in data["clusters"][:10]]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              frameon=False, title="shape: sector side · colour: cluster")
    ax.set_axis_off()
    ax.set_title(f"{len(nodes)} connected organisations, {graph.number_of_edges()} ties, "
                 f"{len(data['clusters'])} clusters", fontsize=11)
    return _svg(fig)


def _cluster_network(net, data, membership, limit: int = 150) -> str:
    shown = data["clusters"][:limit]
    keep = {c["iri"] for c in shown}
    weight: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, d in net.graph.edges(data=True):
        ca, cb = membership.get(a), membership.get(b)
        if ca and cb and ca != cb and ca in keep and cb in keep:
            weight[(ca, cb) if ca < cb else (cb, ca)] += d["weight"]
    graph = nx.Graph()
    graph.add_nodes_from(c["iri"] for c in shown)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weight.items()))
    pos = nx.spring_layout(graph, seed=7, weight="weight")
    fig, ax = plt.subplots(figsize=(11, 8.5))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#b8bcc6",
                           width=[0.3 + min(d["weight"], 20) / 5 for *_, d in
                                  graph.edges(data=True)])
    sizes = [40 + 6 * c["size"] ** 0.8 for c in shown]
    drawn = nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, cmap="coolwarm_r",
                                   node_color=[c["creative_share"] or 0 for c in shown],
                                   vmin=0, vmax=1, edgecolors="#1d2433", linewidths=0.5)
    labels = {c["iri"]: c["label"][:30] for c in shown[:12]}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=7)
    fig.colorbar(drawn, ax=ax, shrink=0.6, label="share of members in the creative industries")
    ax.set_axis_off()
    ax.set_title(f"The {len(shown)} largest of {len(data['clusters'])} clusters "
                 f"({data['run']['organisations']} organisations): size = members, "
                 "edges = ties between clusters", fontsize=11)
    return _svg(fig)


def cluster_figure(net: Network, cluster: dict[str, Any], colour) -> str:
    """A small figure for one cluster: its network when small, its sector mix otherwise."""
    members = [m["iri"] for m in cluster["members"]]
    if len(members) <= 40 and cluster["more_members"] == 0:
        graph = net.graph.subgraph(members)
        pos = nx.spring_layout(graph, seed=7, weight="weight")
        fig, ax = plt.subplots(figsize=(4.2, 3.2))
        nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#b8bcc6")
        for side, marker in SHAPES.items():
            group = [n for n in members if net.organisations[n].side == side]
            if group:
                nx.draw_networkx_nodes(graph, pos, nodelist=group, ax=ax, node_shape=marker,
                                       node_size=90, node_color=[colour], edgecolors="#1d2433",
                                       linewidths=0.5)
        nx.draw_networkx_labels(graph, pos, ax=ax, font_size=6, labels={
            n: net.organisations[n].name[:22] for n in members[:8]})
        ax.set_axis_off()
    else:
        fig, ax = plt.subplots(figsize=(4.2, 1.6))
        shares = [cluster["creative_share"] or 0, cluster["growth_share"] or 0]
        ax.barh(["creative industries", "other growth sectors"], shares,
                color=["#7b2cbf", "#00796b"])
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of members")
    return _svg(fig)


def city_figure(data: dict[str, Any]) -> str:
    """The cities' cross-innovation scores as a bar chart."""
    cities = [c for c in data["cities"] if c["score"] is not None]
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(3, len(cities)) + 0.8))
    ax.barh([f"{c['label']} ({c['organisations']})" for c in cities][::-1],
            [c["score"] for c in cities][::-1], color="#b3261e")
    ax.set_xlim(0, 100)
    ax.set_xlabel("cross-innovation score (0-100); in brackets: organisations")
    return _svg(fig)
