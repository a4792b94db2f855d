"""Who may write: bearer tokens, compared in constant time, never logged.

Two sources of tokens:

- ``CROSSINNOV_TOKEN``: one admin token, which may write every profile;
- a token file (``CROSSINNOV_TOKEN_FILE``), one ``TOKEN ORGANISATION-ID`` per
  line (``#`` starts a comment): that token may write only that organisation's
  profile. A malformed line is skipped with a warning naming the file and the
  line (never the token); the other lines keep working.

With no token configured, every write is refused. Failed attempts are counted
per client (:class:`FailureThrottle`): past ``failures_allowed`` within
``failure_window`` seconds, every further attempt of that client is refused
with 429 until the window frees (RFC 6585 section 4).
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crossinnov.iris import InvalidSlug, check_slug

if TYPE_CHECKING:
    from crossinnov.config import Settings

log = logging.getLogger("crossinnov.writes.tokens")

ADMIN = "admin"
MIN_TOKEN_LENGTH = 16


class AuthError(Exception):
    """A write without a valid token (401), outside the token's rights (403), or from a
    client with too many failed attempts (429, with ``retry_after`` seconds)."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Holder:
    """Who a token belongs to: the admin, or one organisation (by id)."""

    organisation: str | None  # None for the admin

    @property
    def is_admin(self) -> bool:
        return self.organisation is None

    @property
    def name(self) -> str:
        return ADMIN if self.is_admin else self.organisation  # type: ignore[return-value]

    def may_write(self, slug: str) -> bool:
        return self.is_admin or self.organisation == slug


def parse_token_file(text: str, path: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the (token, organisation id) pairs of a token file's text, and its problems.

    Each problem names the file and the line, never the token (a line may hold a
    token in the wrong place); the line it concerns is left out.
    """
    pairs, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        parts = content.split()
        where = f"{path} line {number}"
        if len(parts) != 2:
            problems.append(f"{where}: expected 'TOKEN ORGANISATION-ID' (2 fields, found "
                            f"{len(parts)}); line skipped")
            continue
        token, org = parts
        if len(token) < MIN_TOKEN_LENGTH:
            problems.append(f"{where}: a token must have at least {MIN_TOKEN_LENGTH} "
                            "characters; line skipped")
            continue
        try:
            check_slug(org)
        except InvalidSlug:
            problems.append(f"{where}: the organisation id is not a valid id (1-100 lower-case "
                            "letters, digits and hyphens); line skipped")
            continue
        pairs.append((token, org))
    return pairs, problems


def read_token_file(path: str) -> list[tuple[str, str]]:
    """Return the (token, organisation id) pairs of a token file; log and skip bad lines."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("token file %s cannot be read (%s): no organisation token works",
                    path, type(exc).__name__)
        return []
    pairs, problems = parse_token_file(text, path)
    for problem in problems:
        log.warning("token file %s", problem)
    return pairs


class FailureThrottle:
    """Failed attempts per client within a sliding window; thread-safe, bounded in size.

    Only failures are counted, and a success resets nothing (a client holding one
    organisation's token cannot use it to go on guessing the others). Beyond
    ``max_clients`` clients, those whose last failure is oldest are forgotten.
    ``allowed`` = 0 turns the throttle off.
    """

    def __init__(self, allowed: int, window: float, *, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allowed = allowed
        self.window = window
        self.max_clients = max_clients
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or None when it may try now."""
        if self.allowed <= 0:
            return None
        now = self._clock()
        with self._lock:
            times = self._failures.get(client)
            if times is None:
                return None
            while times and times[0] <= now - self.window:
                times.popleft()
            if not times:
                del self._failures[client]
                return None
            if len(times) < self.allowed:
                return None
            # the window frees when the oldest failure counted leaves it
            return max(1, math.ceil(times[0] + self.window - now))

    def failed(self, client: str) -> None:
        """Count one failed attempt of ``client``."""
        if self.allowed <= 0:
            return
        with self._lock:
            times = self._failures.pop(client, None)
            if times is None:
                times = deque(maxlen=self.allowed)
            times.append(self._clock())
            self._failures[client] = times  # last: most recent failure
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)


class Tokens:
    """The configured tokens; the token file is re-read when it changes.

    :param failures_allowed: failed attempts one client may make within
        ``failure_window`` seconds before it gets 429 (0: no limit)
    """

    def __init__(self, admin: str | None, token_file: str | None, *,
                 failures_allowed: int = 10, failure_window: float = 300.0,
                 max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if admin is not None and not isinstance(admin, str):
            admin = str(admin)  # a token made of digits is still a token, never a number
        self._admin = admin or None
        self._file = str(token_file) if token_file else None
        self._pairs: list[tuple[str, str]] = []
        self._stamp: float | None = None
        self._lock = threading.Lock()
        self.throttle = FailureThrottle(failures_allowed, failure_window,
                                        max_clients=max_clients, clock=clock)
        if self._admin is not None and len(self._admin) < MIN_TOKEN_LENGTH:
            raise ValueError(f"CROSSINNOV_TOKEN must have at least {MIN_TOKEN_LENGTH} characters")
        self._reload()

    @classmethod
    def from_settings(cls, settings: Settings) -> Tokens:
        """Return the tokens and the failure throttle the settings describe."""
        return cls(settings.token, settings.token_file,
                   failures_allowed=settings.token_failures_allowed,
                   failure_window=settings.token_failure_window)

    @property
    def configured(self) -> bool:
        self._reload()
        return self._admin is not None or bool(self._pairs)

    def _reload(self) -> None:
        if self._file is None:
            return
        try:
            stamp = os.stat(self._file).st_mtime
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._pairs = read_token_file(self._file) if stamp is not None else []
                self._stamp = stamp

    def holder(self, authorization: str | None, *, client: str | None = None) -> Holder:
        """Return who the ``Authorization`` header's bearer token belongs to.

        :param client: who is asking (its address); its failed attempts are counted,
            and past the limit every attempt raises 429. ``None``: not counted.
        :raises AuthError: 401 without a valid token, 429 after too many failures
        """
        if not self.configured:
            raise AuthError(401, "writing is disabled: no write token is configured on this "
                                 "server (CROSSINNOV_TOKEN or a token file)")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "a write needs 'Authorization: Bearer <token>'")
        if client is not None:
            wait = self.throttle.retry_after(client)
            if wait is not None:
                raise AuthError(429, f"too many failed token attempts from your address; try "
                                     f"again in {wait} seconds", retry_after=wait)
        presented = token.strip().encode()
        found: Holder | None = None
        # compare with every token, in constant time each, without stopping early
        if self._admin is not None and hmac.compare_digest(presented, self._admin.encode()):
            found = Holder(None)
        for candidate, org in self._pairs:
            if hmac.compare_digest(presented, candidate.encode()) and found is None:
                found = Holder(org)
        if found is None:
            if client is not None:
                self.throttle.failed(client)
            raise AuthError(401, "the token is not valid")
        return found
