"""Settings of crossinnov: every default in one place.

Three layers, later ones winning: the defaults below, an optional instance
file (for the web app), and ``CROSSINNOV_*`` environment variables.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_BASE = "https://w3id.org/crossinnov/"
MEMORY_STORE = ":memory:"


def default_store_path() -> str:
    """Return the default folder of the embedded store (``$XDG_DATA_HOME/crossinnov/store``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "crossinnov" / "store")


@dataclass(frozen=True)
class Settings:
    """All settings of a crossinnov installation."""

    #: base of every minted IRI (``{base}id/{kind}/{slug}``)
    base: str = DEFAULT_BASE
    #: a folder (embedded Oxigraph), ``:memory:``, or an http(s) SPARQL query endpoint
    store: str = field(default_factory=default_store_path)
    #: SPARQL Update endpoint of an external store (derived for well-known servers)
    update_url: str | None = None
    #: Graph Store Protocol endpoint of an external store (derived for well-known servers)
    gsp_url: str | None = None
    #: seconds after which a query is stopped and answered with 503
    query_timeout: float = 30.0
    #: most rows (or triples) a query answer may hold
    max_result_rows: int = 100_000
    #: longest query text accepted, in characters
    max_query_length: int = 100_000
    #: whether SPARQL SERVICE (federated queries) may fetch remote endpoints
    allow_service: bool = False
    #: query worker processes of ``crossinnov serve`` (0: one per CPU core)
    query_workers: int = 0
    #: largest request body accepted, in bytes
    max_body_bytes: int = 1_000_000
    #: the admin write token (``CROSSINNOV_TOKEN``)
    token: str | None = None
    #: a file mapping tokens to organisation ids, one ``TOKEN ORGANISATION-ID`` per line
    token_file: str | None = None
    #: seconds the background analysis waits after a write before it re-runs
    analysis_debounce: float = 5.0
    #: "auto" (igraph when installed, else networkx), "igraph" or "networkx"
    analysis_engine: str = "auto"
    #: Louvain resolution (higher: more, smaller clusters)
    analysis_resolution: float = 1.0
    #: random seed of the community detection and of betweenness sampling
    analysis_seed: int = 42
    #: tie weight of a stated ci:collaboratesWith
    weight_collaboration: float = 1.0
    #: tie weight of operating or partnering the same good practice
    weight_practice: float = 0.5
    #: tie weight of taking part in the same event
    weight_event: float = 0.25
    #: above this many organisations, betweenness is estimated from a sample of sources
    betweenness_exact_limit: int = 2_000
    #: number of sampled sources for estimated betweenness
    betweenness_samples: int = 100
    #: organisations whose Gould-Fernandez role counts are written to the analysis graph
    #: (the strongest brokers; every organisation keeps its other scores)
    role_detail_organisations: int = 2_000
    #: partner suggestions: weight of complementary sectors (creative <-> growth)
    partner_weight_complementary: float = 0.30
    #: partner suggestions: weight of a match with what the organisation seeks partners in
    partner_weight_seeks: float = 0.20
    #: partner suggestions: weight of shared sub-themes
    partner_weight_themes: float = 0.15
    #: partner suggestions: weight of network proximity (Adamic-Adar, same cluster)
    partner_weight_proximity: float = 0.20
    #: partner suggestions: weight of being based in another city
    partner_weight_other_city: float = 0.15

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a plain dict."""
        return asdict(self)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, ``CROSSINNOV_*`` variables, then explicit overrides.

        Overrides whose value is ``None`` are ignored, so CLI options that were
        not given do not hide the environment.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("CROSSINNOV_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if not settings.base.endswith("/"):
            raise ValueError(f"base IRI must end with '/': {settings.base!r}")
        return settings


def _coerce(name: str, type_name: Any, raw: str) -> Any:
    text = str(type_name)
    try:
        if "bool" in text:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if "float" in text:
            return float(raw)
        if "int" in text:
            return int(raw)
    except ValueError as exc:
        raise ValueError(f"CROSSINNOV_{name.upper()}: not a number: {raw!r}") from exc
    return raw
