"""Settings of crossinnov: every default in one place, and one way to read them.

:func:`load_settings` reads them for the command line and the web app alike, in
four layers, later ones winning:

1. the defaults of :class:`Settings`;
2. an instance file: the file ``CROSSINNOV_CONFIG`` (or ``crossinnov serve
   --config``) names, else ``crossinnov.cfg`` in the web app's instance folder
   when there is one. It holds Python ``KEY = value`` lines, read as Flask's
   ``Config.from_pyfile`` reads them; a setting's key is its name in upper case
   (``QUERY_TIMEOUT = 10``), other upper-case keys (``SECRET_KEY`` ...) are
   handed to Flask as they are;
3. ``CROSSINNOV_*`` environment variables (``CROSSINNOV_QUERY_TIMEOUT=10``; an
   empty variable counts as unset);
4. explicit overrides: command-line options, ``create_app(test_config)``.

Whatever its layer, every value goes through :func:`coerce`, by the type of its
field, then through the field's rule in :data:`RULES`: a value that does not fit
raises :class:`SettingsError` naming the setting and where the value came from,
so a bad setting stops the program when it starts, never later.
"""

from __future__ import annotations

import difflib
import logging
import math
import os
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger("crossinnov.config")

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
    #: user name of the external store's HTTP authentication (with ``store_password``)
    store_user: str | None = None
    #: its password: ``CROSSINNOV_STORE_PASSWORD`` or the instance file, never an option
    #: (a command line is seen by every user of the machine); never shown
    store_password: str | None = field(default=None, repr=False)
    #: how they are sent: ``basic`` (RFC 7617: in every request, so over https or a private
    #: network) or ``digest`` (RFC 7616: answers the server's challenge)
    store_auth: str = "basic"
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
    #: most bytes a query answer may have (it is cut, and says so, before a row passes it)
    max_result_bytes: int = 100_000_000
    #: deepest nesting of brackets (and chains of ! or ^) a query may have
    max_query_depth: int = 64
    #: memory for answers of /sparql kept to be sent again until the next write, in MB
    #: (0: no cache)
    answer_cache_mb: int = 64
    #: the largest answer kept in that cache, in MB
    answer_cache_entry_mb: int = 4
    #: query worker processes kept for pages, the API and writes (never used by /sparql)
    internal_workers: int = 1
    #: where the query workers of ``crossinnov serve`` read: "memory" (an in-memory replica,
    #: loaded once and shared by the forked workers), "disk" (the on-disk store, opened
    #: read-only by each worker), or "auto": memory when the replica's estimated size fits in
    #: ``replica_memory_share`` of the memory available when the server starts, else disk
    replicas: str = "auto"
    #: share of the available memory an in-memory replica may take under ``replicas = auto``
    replica_memory_share: float = 0.5
    #: from this many quads, serve answers from the disk store while the in-memory replica
    #: loads, then from memory
    replica_warm_quads: int = 500_000
    #: memory one query may add to its worker, in MB (0: no limit); past it: 503
    worker_memory_mb: int = 1024
    #: private memory a query worker may hold (not shared with the replica's template), in
    #: MB, before it is replaced by a fresh fork after its answer (0: never)
    worker_recycle_mb: int = 256
    #: seconds a query worker over WORKER_RECYCLE_MB must have been idle before it is
    #: replaced (a fresh fork copies again what its queries read; 0: right after its answer)
    worker_recycle_idle: float = 10.0
    #: /sparql queries one client may have running or waiting at once (429 beyond)
    sparql_per_client: int = 2
    #: /sparql queries that may wait for a free worker (503 with Retry-After beyond)
    sparql_queue: int = 4
    #: seconds a /sparql query may wait for a free worker before it gets 503
    sparql_queue_wait: float = 10.0
    #: seconds an organisation token must wait between two analysis runs it asks for
    analysis_min_interval: float = 300.0
    #: the admin write token (``CROSSINNOV_TOKEN``)
    token: str | None = field(default=None, repr=False)
    #: a file mapping tokens to organisation ids, one ``TOKEN ORGANISATION-ID`` per line
    token_file: str | None = None
    #: seconds the background analysis waits after a write before it re-runs
    analysis_debounce: float = 5.0
    #: seconds each read of the web app's background analysis may take (QUERY_TIMEOUT is for
    #: the queries people send; the analysis reads every tie: minutes at 1 000 000)
    analysis_query_timeout: float = 600.0
    #: seconds the analysis lease lasts unless renewed (servers sharing an external store
    #: run the analysis once: whoever holds the lease runs it, and renews it every third of
    #: this while the run lasts; a crashed holder's lease ends after this long)
    analysis_lease_seconds: float = 120.0
    #: "auto" (igraph when installed, else networkx), "igraph" or "networkx"
    analysis_engine: str = "auto"
    #: share of the memory available that an analysis may be expected to take (estimated
    #: from the store's size); a bigger one is refused with a message; 0: never refused
    analysis_memory_share: float = 0.8
    #: Louvain resolution (higher: more, smaller clusters)
    analysis_resolution: float = 1.0
    #: random seed of the community detection and of betweenness sampling
    analysis_seed: int = 42
    #: tie weight of a stated ci:collaboratesWith
    weight_collaboration: float = 1.0
    #: tie weight of a ci:collaboratesWith that only one side states
    weight_unconfirmed_collaboration: float = 0.5
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
    #: tie weight of being partners of the same good practice, per practice (the tie between
    #: a practice's operator and each partner weighs ``weight_practice``)
    weight_practice_copartners: float = 0.25
    #: whether co-attending an event counts as a tie for brokerage (betweenness, constraint,
    #: brokerage roles); events always count for clusters
    brokerage_events: bool = False
    #: whether being partners of the same good practice counts as a tie for brokerage (the
    #: sources name partners with the operator, not with each other)
    brokerage_copartners: bool = False
    #: fewest organisations a city or cluster needs for its shares and score to be shown and
    #: ranked (below: "not enough data")
    rank_min_organisations: int = 3
    #: fewest ties a city or cluster needs for its shares and score to be shown and ranked
    rank_min_ties: int = 5
    #: partner suggestions: weight of complementary sectors (creative <-> growth)
    partner_weight_complementary: float = 0.05
    #: partner suggestions: weight of a match with what the organisation seeks partners in
    partner_weight_seeks: float = 0.15
    #: partner suggestions: weight of shared sub-themes
    partner_weight_themes: float = 0.10
    #: partner suggestions: weight of network proximity (resource allocation, same cluster)
    partner_weight_proximity: float = 0.55
    #: partner suggestions: weight of being based in the same city
    partner_weight_same_city: float = 0.15
    #: failed token attempts one client may make within ``token_failure_window``
    #: before every further attempt is answered 429 (0: no limit)
    token_failures_allowed: int = 10
    #: seconds over which failed token attempts are counted
    token_failure_window: float = 300.0
    #: reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
    #: (0: none, the headers are ignored)
    trusted_proxies: int = 0

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a plain dict."""
        return asdict(self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings as :func:`load_settings` does, with ``overrides`` last.

        Overrides whose value is ``None`` are ignored, so CLI options that were
        not given do not hide the environment.
        """
        return load_settings(environ=environ, overrides=overrides).settings


# --- reading -----------------------------------------------------------------------------------

ENV_PREFIX = "CROSSINNOV_"
#: names the instance file (else ``crossinnov.cfg`` in the instance folder, when there)
CONFIG_VARIABLE = "CROSSINNOV_CONFIG"
INSTANCE_FILE = "crossinnov.cfg"
#: ``CROSSINNOV_*`` variables that are not settings, so never warned about
OTHER_VARIABLES = frozenset({CONFIG_VARIABLE, "CROSSINNOV_TEST_STORE",
                             "CROSSINNOV_REQUIRE_BROWSER"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
BOOLEAN_WORDS = "1/0, true/false, yes/no, on/off"


class SettingsError(ValueError):
    """A setting value that cannot be used; the message names the setting and its source."""


def _more_than_zero(value: float) -> str | None:
    return None if value > 0 else "must be more than 0"


def _at_least_zero(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _share(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be more than 0 and at most 1"


def _share_or_zero(value: float) -> str | None:
    return None if 0 <= value <= 1 else "must be 0 (no check) or more than 0 and at most 1"


def _ends_with_slash(value: str) -> str | None:
    return None if value.endswith("/") else "a base IRI must end with '/'"


def _long_token(value: str) -> str | None:
    if value == "" or len(value) >= 16:  # empty: no token, as if unset
        return None
    return "a token must have at least 16 characters"


def _one_of(*choices: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else f"expected one of {', '.join(choices)}"

    return check


#: the rule of each setting beyond its type; a number without one must be 0 or more
RULES: Mapping[str, Callable[[Any], str | None]] = types.MappingProxyType({
    "base": _ends_with_slash,
    "query_timeout": _more_than_zero,
    "analysis_query_timeout": _more_than_zero,
    "max_result_rows": _more_than_zero,
    "max_query_length": _more_than_zero,
    "max_body_bytes": _more_than_zero,
    "max_result_bytes": _more_than_zero,
    "max_query_depth": _more_than_zero,
    "token": _long_token,
    "analysis_engine": _one_of("auto", "igraph", "networkx"),
    "replicas": _one_of("auto", "memory", "disk"),
    "store_auth": _one_of("basic", "digest"),
    "replica_memory_share": _share,
    "analysis_memory_share": _share_or_zero,
    "analysis_resolution": _more_than_zero,
    "analysis_lease_seconds": _more_than_zero,
    "betweenness_samples": _more_than_zero,
    "token_failure_window": _more_than_zero,
})


def field_types() -> dict[str, tuple[type, bool]]:
    """Return each setting's value type (bool, int, float or str) and whether it may be None."""
    hints = typing.get_type_hints(Settings)
    out = {}
    for f in fields(Settings):
        hint = hints[f.name]
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        kinds = [a for a in args if a is not type(None)]
        out[f.name] = (kinds[0], len(kinds) < len(args))
    return out


def coerce(name: str, value: Any, kind: type, *, optional: bool = False,
           label: str | None = None) -> Any:
    """Return ``value`` as the setting ``name`` needs it, or raise :class:`SettingsError`.

    Booleans accept ``1/0``, ``true/false``, ``yes/no``, ``on/off`` (any case,
    surrounding spaces) or a Python bool; numbers must be finite; strings stay
    strings whatever they look like (a number given where a string is expected,
    as a Python file may, becomes its text). ``label`` names the setting in the
    message (default: ``CROSSINNOV_`` + the name in upper case).
    """
    label = label or ENV_PREFIX + name.upper()
    if value is None:
        if optional:
            return None
        raise SettingsError(f"{label}: a value is required")
    if kind is bool:
        result = _to_bool(value)
        if result is None:
            raise SettingsError(f"{label}: expected one of {BOOLEAN_WORDS}, got {value!r}")
    elif kind is int or kind is float:
        result = _to_number(value, kind)
        if result is None:
            what = "a whole number" if kind is int else "a number"
            raise SettingsError(f"{label}: expected {what}, got {value!r}")
    elif kind is str:
        if isinstance(value, str):
            result = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result = str(value)
        else:
            raise SettingsError(f"{label}: expected a string, got {value!r}")
    else:  # pragma: no cover - a new field of another type needs a line above
        raise SettingsError(f"{label}: settings of type {kind.__name__} cannot be read")
    rule = RULES.get(name, _at_least_zero if kind in (int, float) else None)
    problem = rule(result) if rule is not None else None
    if problem:
        raise SettingsError(f"{label}: {problem}, got {value!r}")
    return result


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _to_number(value: Any, kind: type) -> int | float | None:
    if isinstance(value, bool):
        return None
    number: int | float
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip()) if kind is int else float(value.strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(number):
        return None
    if kind is int:
        if isinstance(number, float) and not number.is_integer():
            return None
        return int(number)
    return float(number)


@dataclass(frozen=True)
class LoadedSettings:
    """What :func:`load_settings` read."""

    settings: Settings
    #: the instance file's other upper-case keys (``SECRET_KEY`` ...), for Flask
    extra: Mapping[str, Any]
    #: the instance file read, if any
    file: Path | None


def default_instance_path() -> str:
    """Return the web app's instance folder, as Flask finds it for ``crossinnov.web``."""
    from flask import Flask

    return Flask("crossinnov.web", instance_relative_config=True).instance_path


def load_settings(*, environ: Mapping[str, str] | None = None,
                  config_file: str | os.PathLike[str] | None = None,
                  instance_path: str | os.PathLike[str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> LoadedSettings:
    """Read the settings: defaults < instance file < ``CROSSINNOV_*`` < ``overrides``.

    :param environ: the environment (default ``os.environ``)
    :param config_file: the instance file; default ``$CROSSINNOV_CONFIG``, else
        ``crossinnov.cfg`` in ``instance_path`` if it exists (a named file must exist)
    :param instance_path: the instance folder (default: the web app's, as Flask finds it)
    :param overrides: setting names (lower case) to values; ``None`` values are ignored
    :raises SettingsError: for the first value that does not fit, naming it and its source
    """
    env = os.environ if environ is None else environ
    kinds = field_types()
    values: dict[str, Any] = {}
    path = config_file or env.get(CONFIG_VARIABLE) or None
    if path is None:
        default = Path(instance_path or default_instance_path()) / INSTANCE_FILE
        path = default if default.is_file() else None
    extra: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        for key, value in read_instance_file(path).items():
            name = key.lower()
            if name in kinds:
                kind, optional = kinds[name]
                values[name] = coerce(name, value, kind, optional=optional,
                                      label=f"{path}: {key}")
            else:
                _warn_if_typo(key, f"{path}: {key}", kinds, upper=True)
                extra[key] = value
    for variable, raw in env.items():
        if not variable.startswith(ENV_PREFIX) or variable in OTHER_VARIABLES:
            continue
        name = variable[len(ENV_PREFIX):].lower()
        if name not in kinds:
            _warn_if_typo(name, variable, kinds)
        elif raw != "":
            kind, optional = kinds[name]
            values[name] = coerce(name, raw, kind, optional=optional, label=variable)
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        if name not in kinds:
            raise SettingsError(f"{name.upper()}: there is no such setting")
        kind, optional = kinds[name]
        values[name] = coerce(name, value, kind, optional=optional, label=name.upper())
    return LoadedSettings(Settings(**values), types.MappingProxyType(extra), path)


def read_instance_file(path: Path) -> dict[str, Any]:
    """Return the upper-case keys of a Python config file, as Flask's ``from_pyfile`` reads it."""
    from flask import Config

    config = Config(str(path.parent))
    try:
        config.from_pyfile(path.name)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file: "
                            f"{exc.strerror or exc}") from None
    except Exception as exc:  # the file is Python: any error in it stops the start, named
        raise SettingsError(f"{path}: cannot read the settings file: "
                            f"{type(exc).__name__}: {exc}") from None
    return dict(config)


def _warn_if_typo(name: str, label: str, kinds: Mapping[str, Any], *, upper: bool = False) -> None:
    """Log a warning when an unknown key looks like a setting's name misspelt."""
    candidates = [k.upper() for k in kinds] if upper else list(kinds)
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.85)
    if close:
        shown = close[0] if upper else ENV_PREFIX + close[0].upper()
        log.warning("%s is not a setting; did you mean %s?", label, shown)
