"""Who may write: bearer tokens, compared in constant time, never logged.

Two sources of tokens:

- ``CROSSINNOV_TOKEN``: one admin token, which may write every profile;
- a token file (``CROSSINNOV_TOKEN_FILE``), one ``TOKEN ORGANISATION-ID`` per
  line (``#`` starts a comment): that token may write only that organisation's
  profile.

With no token configured, every write is refused.
"""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from crossinnov.iris import InvalidSlug, check_slug

ADMIN = "admin"


class AuthError(Exception):
    """A write without a valid token (401) or outside the token's rights (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


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


def read_token_file(path: str) -> list[tuple[str, str]]:
    """Return (token, organisation id) pairs of a token file; raise ValueError naming the line."""
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2:
            raise ValueError(f"{path} line {number}: expected 'TOKEN ORGANISATION-ID'")
        token, org = parts
        if len(token) < 16:
            raise ValueError(f"{path} line {number}: a token must have at least 16 characters")
        try:
            check_slug(org)
        except InvalidSlug as exc:
            raise ValueError(f"{path} line {number}: {exc}") from None
        pairs.append((token, org))
    return pairs


class Tokens:
    """The configured tokens; the token file is re-read when it changes."""

    def __init__(self, admin: str | None, token_file: str | None) -> None:
        self._admin = admin or None
        self._file = token_file or None
        self._pairs: list[tuple[str, str]] = []
        self._stamp: float | None = None
        self._lock = threading.Lock()
        if self._admin is not None and len(self._admin) < 16:
            raise ValueError("CROSSINNOV_TOKEN must have at least 16 characters")
        self._reload()

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

    def holder(self, authorization: str | None) -> Holder:
        """Return who the ``Authorization`` header's bearer token belongs to, or raise 401."""
        if not self.configured:
            raise AuthError(401, "writing is disabled: no write token is configured on this "
                                 "server (CROSSINNOV_TOKEN or a token file)")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(401, "a write needs 'Authorization: Bearer <token>'")
        token = token.strip().encode()
        found: Holder | None = None
        # compare with every token, in constant time each, without stopping early
        if self._admin is not None and hmac.compare_digest(token, self._admin.encode()):
            found = Holder(None)
        for candidate, org in self._pairs:
            if hmac.compare_digest(token, candidate.encode()) and found is None:
                found = Holder(org)
        if found is None:
            raise AuthError(401, "the token is not valid")
        return found
