"""Tokens: a bad line of the token file is skipped, never fatal; failed attempts are throttled."""

from __future__ import annotations

import logging
import threading

import pytest

from crossinnov.config import Settings
from crossinnov.writes.tokens import AuthError, FailureThrottle, Tokens, parse_token_file

ADMIN = "admin-token-0123456789abcdef"
ORG = "acme-token-0123456789abcdef"
OTHER = "other-token-0123456789abcdef"
SECRET = "SECRET-LOOKING-TOKEN-9876543210"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bearer(token: str) -> str:
    return f"Bearer {token}"


# --- the token file ----------------------------------------------------------------------------

BAD_LINES = {
    "one field": SECRET,
    "three fields": f"{SECRET} acme extra",
    "short token": "short acme",
    "bad organisation id": f"{OTHER} Not_An_Id",
    "token where the id goes": f"{OTHER} {SECRET}",
}


@pytest.mark.parametrize("why", BAD_LINES)
def test_a_malformed_token_file_line_is_skipped_with_a_warning(tmp_path, caplog, why):
    path = tmp_path / "tokens.txt"
    path.write_text(f"# tokens\n{ORG} acme\n{BAD_LINES[why]}\n\n{OTHER} other-org  # note\n")
    with caplog.at_level(logging.WARNING, logger="crossinnov.writes.tokens"):
        tokens = Tokens(ADMIN, str(path))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and f"{path} line 3:" in messages[0], messages
    assert "skipped" in messages[0]
    for secret in (SECRET, "short", OTHER):
        assert secret not in messages[0]  # never the token, whatever its place
    assert tokens.holder(bearer(ADMIN)).is_admin
    assert tokens.holder(bearer(ORG)).organisation == "acme"
    if why != "bad organisation id" and why != "token where the id goes":
        assert tokens.holder(bearer(OTHER)).organisation == "other-org"


def test_parse_token_file_returns_the_good_pairs_and_the_problems():
    pairs, problems = parse_token_file(f"{ORG} acme\nx\n{OTHER} other-org\n", "t.txt")
    assert pairs == [(ORG, "acme"), (OTHER, "other-org")]
    assert problems == ["t.txt line 2: expected 'TOKEN ORGANISATION-ID' (2 fields, found 1); "
                        "line skipped"]


def test_an_unreadable_token_file_leaves_the_admin_token_working(tmp_path, caplog):
    path = tmp_path / "tokens.txt"
    path.write_bytes(b"\xff\xfe not utf-8 \x00\n")
    with caplog.at_level(logging.WARNING, logger="crossinnov.writes.tokens"):
        tokens = Tokens(ADMIN, str(path))
    assert tokens.holder(bearer(ADMIN)).is_admin
    assert "cannot be read" in caplog.text


def test_a_token_file_with_a_bad_line_keeps_every_write_working(make_app, tmp_path):
    """Regression: one malformed line made every write (admin too) answer 500."""
    path = tmp_path / "tokens.txt"
    path.write_text(f"{ORG} acme\nthis line is wrong\n")
    client = make_app(TOKEN=ADMIN, TOKEN_FILE=str(path)).test_client()
    profile = {"id": "acme", "name": "Acme Tokens", "city": "linz", "sectors": ["design"]}
    r = client.post("/api/profiles", json=profile, headers={"Authorization": bearer(ORG)})
    assert r.status_code == 201, r.get_data(as_text=True)
    # a line broken while the app runs: the file is re-read, the good lines still work
    path.write_text(f"{ORG}\n{ORG} acme\n")
    r = client.put("/api/profiles/acme", json={**profile, "name": "Acme Tokens Two"},
                   headers={"Authorization": bearer(ORG)})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.delete("/api/profiles/acme", headers={"Authorization": bearer(ADMIN)})
    assert r.status_code in (200, 204), r.get_data(as_text=True)


def test_a_token_made_of_digits_is_a_string():
    tokens = Tokens(12345678901234567890, None)  # as a Python config file may give it
    assert tokens.holder(bearer("12345678901234567890")).is_admin
    with pytest.raises(AuthError):
        tokens.holder(bearer("12345678901234567891"))


# --- the throttle ------------------------------------------------------------------------------

def test_failures_past_the_limit_get_429_with_the_seconds_until_the_window_frees():
    clock = Clock()
    tokens = Tokens(ADMIN, None, failures_allowed=3, failure_window=60, clock=clock)
    for second in (0, 10, 20):
        clock.now = 1000 + second
        with pytest.raises(AuthError) as caught:
            tokens.holder(bearer("wrong-token-0123456789"), client="10.0.0.1")
        assert caught.value.status == 401
    clock.now = 1030
    for token in ("wrong-token-0123456789", ADMIN):  # every further attempt, the right one too
        with pytest.raises(AuthError) as caught:
            tokens.holder(bearer(token), client="10.0.0.1")
        assert caught.value.status == 429 and caught.value.retry_after == 30
        assert "30 seconds" in str(caught.value)
    # another client is not held back
    assert tokens.holder(bearer(ADMIN), client="10.0.0.2").is_admin
    # when the first failure leaves the window, one attempt is free again
    clock.now = 1060.5
    assert tokens.holder(bearer(ADMIN), client="10.0.0.1").is_admin
    with pytest.raises(AuthError) as caught:
        tokens.holder(bearer("wrong-token-0123456789"), client="10.0.0.1")
    assert caught.value.status == 401
    with pytest.raises(AuthError) as caught:
        tokens.holder(bearer(ADMIN), client="10.0.0.1")
    assert caught.value.status == 429 and caught.value.retry_after == 10


def test_a_success_resets_no_counter_neither_its_own_nor_others(tmp_path):
    path = tmp_path / "tokens.txt"
    path.write_text(f"{ORG} acme\n")
    tokens = Tokens(ADMIN, str(path), failures_allowed=2, failure_window=300)
    for client in ("a", "b"):
        with pytest.raises(AuthError):
            tokens.holder(bearer("wrong-token-0123456789"), client=client)
    # "a" holds a real organisation token: using it must not buy more guesses
    assert tokens.holder(bearer(ORG), client="a").organisation == "acme"
    for client in ("a", "b"):
        with pytest.raises(AuthError) as caught:
            tokens.holder(bearer("wrong-token-0123456789"), client=client)
        assert caught.value.status == 401
        with pytest.raises(AuthError) as caught:
            tokens.holder(bearer(ORG), client=client)
        assert caught.value.status == 429


def test_attempts_without_a_client_or_without_a_token_are_not_counted():
    tokens = Tokens(ADMIN, None, failures_allowed=1, failure_window=300)
    for _ in range(3):
        with pytest.raises(AuthError):
            tokens.holder(bearer("wrong-token-0123456789"))
        with pytest.raises(AuthError):
            tokens.holder(None, client="c")
    assert tokens.holder(bearer(ADMIN), client="c").is_admin
    assert len(tokens.throttle) == 0


def test_zero_failures_allowed_turns_the_throttle_off():
    tokens = Tokens(ADMIN, None, failures_allowed=0, failure_window=300)
    for _ in range(20):
        with pytest.raises(AuthError) as caught:
            tokens.holder(bearer("wrong-token-0123456789"), client="c")
        assert caught.value.status == 401
    assert len(tokens.throttle) == 0


def test_the_throttle_is_bounded_forgetting_the_oldest_clients():
    clock = Clock()
    throttle = FailureThrottle(1, 300, max_clients=100, clock=clock)
    for n in range(250):
        clock.now += 0.01
        throttle.failed(f"client-{n}")
    assert len(throttle) == 100
    assert throttle.retry_after("client-0") is None  # forgotten
    assert throttle.retry_after("client-249") is not None


def test_the_throttle_counts_every_failure_from_many_threads():
    throttle = FailureThrottle(1000, 300)

    def fail() -> None:
        for _ in range(100):
            throttle.failed("shared")
            throttle.retry_after("shared")

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert throttle.retry_after("shared") is None  # 800 < 1000
    for _ in range(200):
        throttle.failed("shared")
    assert throttle.retry_after("shared") is not None


def test_tokens_from_settings_take_the_throttle_settings():
    tokens = Tokens.from_settings(Settings(store="x", token=ADMIN, token_failures_allowed=4,
                                           token_failure_window=20.0))
    assert (tokens.throttle.allowed, tokens.throttle.window) == (4, 20.0)
