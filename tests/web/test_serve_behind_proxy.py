"""Regression: ``crossinnov serve`` with ``TRUSTED_PROXIES`` believes its proxy.

waitress (3.x) removes ``X-Forwarded-*`` headers before the app sees them unless it is told
not to (``clear_untrusted_proxy_headers``), so under ``crossinnov serve`` the setting did
nothing: links named the app's own address and every client was the proxy. The tests
through Flask's test client did not see it; the deployment recipe's test, through nginx,
did (docs/deploy.md).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
import requests

pytestmark = pytest.mark.slow

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "crossinnov.example.org"}


def serve(store: str, trusted: str) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("crossinnov", path=os.path.dirname(sys.executable))
    command = [exe] if exe else [sys.executable, "-m", "crossinnov.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
    env["CROSSINNOV_TRUSTED_PROXIES"] = trusted
    process = subprocess.Popen([*command, "serve", "--port", "0", "--store", store,
                                "--query-workers", "1"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    match = re.search(r" at (http://127\.0\.0\.1:\d+)/", process.stdout.readline())
    if not match:
        process.kill()
        raise AssertionError(process.communicate()[1])
    return process, match.group(1)


@pytest.mark.parametrize("trusted", ["1", "0"])
def test_serve_believes_forwarded_headers_only_when_told_to(new_store_location, trusted):
    process, url = serve(new_store_location(), trusted)
    try:
        page = requests.get(url + "/", headers=FORWARDED, timeout=60).text
    finally:
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=60)
    line = next(line for line in log.splitlines() if '"GET /"' in line)
    if trusted == "1":
        assert "https://crossinnov.example.org/sparql" in page
        assert " 203.0.113.9 " in line
    else:
        assert "https://crossinnov.example.org/" not in page
        assert " 127.0.0.1 " in line
