"""Who is asking: the bearer token of an API request, or the sign-in cookie of a page.

Both ask :class:`crossinnov.writes.tokens.Tokens`, which counts failed attempts per
client, so neither the API nor a page can be used to try tokens unthrottled.
"""

from __future__ import annotations

from flask import request

from crossinnov.web.security import client_key
from crossinnov.web.state import current
from crossinnov.writes.tokens import AuthError, Holder

#: the cookie the sign-in form sets (HttpOnly, SameSite=Strict)
COOKIE = "crossinnov_token"


def holder() -> Holder:
    """Who the request's bearer token belongs to (failed attempts are counted per client)."""
    return current().tokens.holder(request.headers.get("Authorization"), client=client_key())


def signed_in_organisation() -> str | None:
    """The organisation whose token the sign-in cookie holds (None: none, or the admin).

    A token that is no longer valid counts as a failed attempt, as on a form.
    """
    token = request.cookies.get(COOKIE, "").strip()
    crossinnov = current()
    if not token or not crossinnov.tokens.configured:
        return None
    try:
        return crossinnov.tokens.holder(f"Bearer {token}", client=client_key()).organisation
    except AuthError:
        return None
