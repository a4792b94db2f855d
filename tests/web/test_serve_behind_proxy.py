"""Regression: ``crossinnov serve`` with ``TRUSTED_PROXIES`` believes its proxy.

waitress (3.x) removes ``X-Forwarded-*`` headers before the app sees them unless it is told
not to (``clear_untrusted_proxy_headers``), so under ``crossinnov serve`` the setting did
nothing: links named the app's own address and every client was the proxy. The tests
through Flask's test client did not see it; the deployment recipe's test, through nginx,
did (docs/deploy.md).
"""

from __future__ import annotations

import pytest
import requests
from servers import CrossinnovServer

pytestmark = pytest.mark.slow

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "crossinnov.example.org"}


@pytest.mark.parametrize("trusted", ["1", "0"])
def test_serve_believes_forwarded_headers_only_when_told_to(new_store_location, tmp_path,
                                                             trusted):
    server = CrossinnovServer(new_store_location(), tmp_path, "--query-workers", "1",
                              env={"CROSSINNOV_TRUSTED_PROXIES": trusted})
    try:
        page = requests.get(server.url + "/", headers=FORWARDED, timeout=60).text
    finally:
        server.stop()
    log = server.log_path.read_text()
    line = next(line for line in log.splitlines() if '"GET /"' in line)
    if trusted == "1":
        assert "https://crossinnov.example.org/sparql" in page
        assert " 203.0.113.9 " in line
    else:
        assert "https://crossinnov.example.org/" not in page
        assert " 127.0.0.1 " in line
