"""The site's guards: security headers, local redirects only, same-site form posts, clients.

- :func:`init_app` adds ``X-Content-Type-Options: nosniff`` to every answer, and a
  Content Security Policy (CSP Level 3) with frame and referrer protection to
  pages: no inline script or style runs.
- :func:`safe_next` keeps a sign-in's ``next`` a path on this site.
- :func:`same_site` tells whether a form post comes from this site
  (``Origin``, else ``Referer``).
- :func:`client_key` names the client for counting its failures or requests:
  its address, or the address a trusted proxy reports (``trusted_proxies``).
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

#: media types that get the page headers (an SVG can carry script when opened directly)
PAGE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml")
MAX_NEXT_LENGTH = 2_000


def content_security_policy(nonce: str | None = None) -> str:
    """Return the site's CSP: only this site's own files, no framing, no inline code.

    ``nonce``: the page's style nonce. The editor (CodeMirror) and the network view
    (Cytoscape) add ``<style>`` elements of their own; they carry the page's nonce
    (``<meta name="csp-nonce">``), and no other inline style is allowed.
    """
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'" if nonce else "style-src 'self'",
        # the query page's map draws OpenStreetMap's tiles (the points alone when offline)
        "img-src 'self' data: https://tile.openstreetmap.org",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def init_app(app: Flask) -> None:
    """Add the security headers to every answer of ``app``, and ``csp_nonce()`` to templates."""
    policy = content_security_policy()

    def csp_nonce() -> str:
        """The style nonce of this request's page (made when a template first asks)."""
        if "csp_nonce" not in g:
            g.csp_nonce = secrets.token_urlsafe(16)
        return g.csp_nonce

    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype in PAGE_TYPES:
            nonce = g.get("csp_nonce")
            response.headers["Content-Security-Policy"] = (
                content_security_policy(nonce) if nonce else policy)
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
        return response


def safe_next(value: object, default: str) -> str:
    """Return ``value`` if it is a path on this site (``/something``), else ``default``.

    Refused: anything with a scheme or a host, a backslash, a control character
    or any whitespace (browsers drop tabs and newlines from URLs, and read ``\\``
    as ``/``, so ``/<TAB>/evil.example`` or ``/\\evil.example`` would leave the
    site), and anything starting with ``//``. Only printable ASCII is kept, so
    nothing reaches the ``Location`` header that could split it.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return default
    if any(not ("!" <= ch <= "~") for ch in value) or "\\" in value:
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def same_site() -> bool:
    """Whether the current post comes from this site: its ``Origin``, else its ``Referer``.

    A request with neither is not a browser's cross-site form post (browsers send
    ``Origin`` with every cross-origin POST); ``Origin: null`` (a sandboxed or
    privacy-stripped origin) is refused.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return _host_of(origin) == request.host.lower()
    referer = request.headers.get("Referer")
    if referer is not None:
        return _host_of(referer) == request.host.lower()
    return True


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower()


def client_key() -> str:
    """Return who is asking: the remote address (an IPv6 client by its /64 network).

    Behind proxies the app trusts (``trusted_proxies``), ``remote_addr`` is
    already the address they report (werkzeug's ProxyFix); otherwise
    ``X-Forwarded-For`` is ignored. An IPv6 host usually holds a whole /64, so
    its addresses count as one client.
    """
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
