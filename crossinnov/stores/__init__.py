"""Stores: one interface (:mod:`.base`), three backends, one factory (:func:`open_store`).

- :mod:`.embedded`: pyoxigraph on disk or in memory;
- :mod:`.remote` (with its HTTP client :mod:`.http`): any SPARQL 1.1 server;
- :mod:`.served` (with its process pool :mod:`.workers`): the embedded store behind
  the web app, every query in a worker that can be stopped.
"""

from __future__ import annotations

import os
from pathlib import Path

from crossinnov.config import MEMORY_STORE, Settings
from crossinnov.iris import IRIs
from crossinnov.stores.base import Store, StoreError
from crossinnov.stores.embedded import OxigraphStore
from crossinnov.stores.http import Credentials
from crossinnov.stores.remote import RemoteStore

__all__ = ["credentials", "is_remote", "open_store"]


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def credentials(settings: Settings) -> Credentials | None:
    """The external store's HTTP authentication, from the settings (None: none).

    :raises StoreError: a user without a password, or the other way round
    """
    user, password = settings.store_user or None, settings.store_password or None
    if user is None and password is None:
        return None
    if user is None or password is None:
        given, missing = ("STORE_USER", "STORE_PASSWORD") if user else ("STORE_PASSWORD",
                                                                        "STORE_USER")
        raise StoreError(f"{given} is set but {missing} is not: the external store's HTTP "
                         f"authentication needs both (CROSSINNOV_{missing})")
    return Credentials(user, password, settings.store_auth)


def open_store(settings: Settings | None = None, *, read_only: bool = False) -> Store:
    """Open the store that ``settings.store`` names.

    A folder opens (or creates) the embedded on-disk store; ``:memory:`` an
    empty in-memory store; an ``http(s)://`` URL an external SPARQL server.
    """
    settings = settings or Settings.from_env()
    iris = IRIs(settings.base)
    location = settings.store
    if is_remote(location):
        return RemoteStore(location, iris, update_url=settings.update_url,
                           gsp_url=settings.gsp_url, read_only=read_only,
                           credentials=credentials(settings))
    if location == MEMORY_STORE:
        return OxigraphStore(None, iris)
    path = os.path.expanduser(location)
    if read_only and not Path(path, "CURRENT").exists():
        # nothing stored there yet: an empty read-only view
        empty = OxigraphStore(None, iris, read_only=True)
        empty.location = path
        return empty
    return OxigraphStore(path, iris, read_only=read_only)
