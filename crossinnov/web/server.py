"""Run the web app under waitress: one log line per request, clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import click

from crossinnov.config import Settings

log = logging.getLogger("crossinnov.access")


def config_from_settings(settings: Settings, config_file: str | None = None) -> dict[str, Any]:
    """Return ``create_app`` config for settings already read (the names in upper case).

    ``settings`` come from :func:`crossinnov.config.load_settings`, instance file
    included; ``config_file`` names that file again (``CONFIG``) so that its
    other keys (``SECRET_KEY``...) reach Flask too.
    """
    config: dict[str, Any] = {name.upper(): value for name, value in settings.as_dict().items()}
    if config_file:
        config["CONFIG"] = config_file
    return config


class AccessLog:
    """WSGI middleware: one line per request (method, path, status, bytes, duration).

    Headers are never logged, so tokens in ``Authorization`` stay out of the log.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status_holder: list[str] = []

        def recording_start(status: str, headers: list, exc_info: Any = None):
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start)
        return _Logged(body, environ, status_holder, started)


class _Logged:
    def __init__(self, body: Iterable[bytes], environ: dict, status: list[str], started: float):
        self.body, self.environ, self.status, self.started = body, environ, status, started
        self.size = 0

    def __iter__(self):
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            path = self.environ.get("PATH_INFO", "")
            query = self.environ.get("QUERY_STRING", "")
            if query:
                path += "?" + (query if len(query) <= 200 else query[:200] + "...")
            log.info('%s "%s %s" %s %d %.1fms', self.environ.get("REMOTE_ADDR", "-"),
                     self.environ.get("REQUEST_METHOD"), path,
                     self.status[0] if self.status else "-", self.size,
                     (time.perf_counter() - self.started) * 1000)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def run(settings: Settings, *, host: str, port: int, threads: int,
        config_file: str | None = None) -> None:
    """Serve until interrupted."""
    import waitress

    from crossinnov.web import create_app

    _setup_logging()
    app = create_app(config_from_settings(settings, config_file))
    # poll(), not select(): select cannot watch a socket numbered past 1 023, and the
    # query workers' pipes can push the listening socket there
    # waitress removes X-Forwarded-* before the app sees them unless told otherwise
    # (clear_untrusted_proxy_headers, on by default): with TRUSTED_PROXIES set, the app's
    # ProxyFix is the one that decides which of them to believe
    server = waitress.create_server(AccessLog(app), host=host, port=port, threads=threads,
                                    ident="crossinnov", channel_timeout=300,
                                    asyncore_use_poll=True,
                                    clear_untrusted_proxy_headers=not settings.trusted_proxies)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    url = f"http://{host}:{server.effective_port}/"
    click.echo(f"crossinnov serving {app.extensions['crossinnov'].store.location} at {url}",
               err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("crossinnov: stopping", err=True)
        server.close()
        app.extensions["crossinnov"].close()


def run_get(settings: Settings, path: str, *, config_file: str | None = None) -> int:
    """Run one GET through the app in process and print the response; exit 0 on 2xx/3xx."""
    from crossinnov.web import create_app

    app = create_app(config_from_settings(settings, config_file))
    try:
        response = app.test_client().get(path)
        sys.stdout.buffer.write(response.get_data())
        sys.stdout.flush()
        return 0 if response.status_code < 400 else 1
    finally:
        app.extensions["crossinnov"].close()
