"""One value per version of what it is computed from: the cache every reader shares.

Counts, reports, the partner network, the reconciliation index and the
ontology's renderings are computed from the data (or a file) and kept until
their version changes — for the data, the tag of
:func:`crossinnov.publish.describe.data_version`, which every write changes.
So a write is seen at once, and nothing is recomputed while nothing changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Versioned(Generic[T]):
    """Holds one value and the version it was computed for.

    Safe to share between threads: one computes, the others wait for it and
    then read the same value.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: Hashable = None
        self._value: T | None = None
        self._held = False

    def get(self, version: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``version``: the kept one, or ``compute()`` when the version differs."""
        with self._lock:
            if not self._held or self._version != version:
                self._value = compute()
                self._version, self._held = version, True
            return self._value  # type: ignore[return-value]
