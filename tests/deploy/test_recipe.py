"""The deployment recipe (docs/deploy.md), run: every command of it, in order, then checked
through nginx.

The commands are read from the document's ``bash`` blocks and the installed files from
``docs/deploy/``, so that neither can drift from what is tested. They run with bash in a
temporary folder, as the user running the tests: paths under ``/etc``, ``/var/lib`` and
``/opt/crossinnov/bin`` are moved (:class:`Recipe` ``.moves``), each port is a free one,
``sudo -u crossinnov`` is dropped. ``systemctl`` has no systemd to ask: a unit is started
from its own ``ExecStart`` and ``EnvironmentFile`` lines. The commands that need root or a
network (:data:`NOT_RUN`) are the ones the document says are not run.

It starts its own Oxigraph server whatever ``CROSSINNOV_TEST_STORE`` says, so it runs in the
default (embedded) pass only. It needs Debian's ``nginx`` (CI installs it) and ``openssl``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deploy.md"
FILES = REPO / "docs" / "deploy"
HOST = "crossinnov.example.org"
#: the commands of the recipe the test does not run (root, a network): their first words
NOT_RUN = ("apt-get install", "adduser", "python3 -m venv", "/opt/crossinnov/bin/pip install")
#: seconds a service may take to answer after it is started
START_TIMEOUT = 60.0
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
PROFILE = {"id": "recipe-studio", "name": "Recipe Studio", "city": "vilnius",
           "sectors": ["design"], "themes": ["culture-based-innovation"],
           "description": "Written through nginx by the deployment recipe's test."}


def recipe_commands(text: str) -> list[str]:
    """Return the command lines of the ``bash`` blocks of a Markdown text, in order."""
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unit_lines(path: Path) -> dict[str, str]:
    """Return the ``Key=value`` lines of a unit file (one value a key: enough for these)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def environment_file(path: Path) -> dict[str, str]:
    """Return the variables of a systemd ``EnvironmentFile`` (``KEY=value`` lines)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


class Recipe:
    """The recipe's machine in a temporary folder: its moved paths, ports and processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ports = {"7878": free_port(), "5001": free_port(), "5002": free_port(),
                      "80": free_port(), "443": free_port()}
        bindir = Path(shutil.which("oxigraph", path=os.path.dirname(sys.executable))
                      or shutil.which("oxigraph") or "").parent
        assert (bindir / "crossinnov").exists(), f"no crossinnov beside oxigraph in {bindir}"
        #: what the recipe names, and where it is here (the longest names first)
        self.moves = [
            ("/etc/letsencrypt/live/" + HOST, str(root / "cert")),
            ("/opt/crossinnov/bin/", f"{bindir}/"),
            ("/etc/crossinnov", str(root / "etc/crossinnov")),
            ("/etc/systemd/system", str(root / "etc/systemd/system")),
            ("/etc/nginx", str(root / "etc/nginx")),
            ("/var/lib/crossinnov", str(root / "var/lib/crossinnov")),
            ("docs/deploy/", str(root / "files") + "/"),
            ("sudo -u crossinnov ", ""),
            ("listen 80;", f"listen 127.0.0.1:{self.ports['80']};"),
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.ports['443']} ssl;"),
        ]
        self.processes: dict[str, subprocess.Popen] = {}
        self.nginx_conf = root / "nginx" / "nginx.conf"
        for folder in ("var/lib/crossinnov", "etc/systemd/system", "etc/nginx/sites-available",
                       "etc/nginx/sites-enabled", "files", "cert", "nginx/tmp", "logs"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for path in FILES.iterdir():
            (root / "files" / path.name).write_text(self.moved(path.read_text()))
        self._certificate()
        self._nginx_main()

    # --- the recipe's text, moved here --------------------------------------------------------

    def moved(self, text: str) -> str:
        for old, new in self.moves:
            text = text.replace(old, new)
        for old in ("7878", "5001", "5002"):
            text = re.sub(rf"\b{old}\b", str(self.ports[old]), text)
        return text

    def port(self, recipe_port: str) -> int:
        return self.ports[recipe_port]

    def url(self, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.ports['443']}{path}"

    def _certificate(self) -> None:
        """A self-signed certificate where the recipe's certbot one would be."""
        cert = self.root / "cert"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={HOST}", "-addext",
                        f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                        "-keyout", str(cert / "privkey.pem"), "-out", str(cert / "fullchain.pem")],
                       check=True, capture_output=True, timeout=60)
        self.ca = str(cert / "fullchain.pem")

    def _nginx_main(self) -> None:
        """The main configuration Debian's /etc/nginx/nginx.conf stands for: the sites enabled
        in an ``http`` block, with its files and temporary folders here."""
        prefix = self.nginx_conf.parent
        temp = "\n".join(f"    {kind}_temp_path {prefix}/tmp/{kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # as root, nginx's workers would run as nobody, who cannot enter pytest's folders
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.nginx_conf.write_text(
            f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n    access_log {prefix}/access.log;\n{temp}\n"
            f"    include {self.root}/etc/nginx/sites-enabled/*;\n}}\n")

    # --- the commands -------------------------------------------------------------------------

    def run(self, command: str) -> str:
        """Run one command of the recipe, moved here; return what it printed."""
        line = self.moved(command)
        if line.startswith("systemctl "):
            self.systemctl(shlex.split(line)[1:])
            return ""
        if line.startswith("nginx -t"):
            line = self.nginx_command("-t")
        if line.startswith("systemd-analyze") and not shutil.which("systemd-analyze"):
            return ""  # Debian's systemd package, absent from some containers: not checked
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=self.root,
                              capture_output=True, text=True, timeout=120, env=self.env())
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        return done.stdout + done.stderr

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
        env.update(extra or {})
        return env

    def nginx_command(self, *args: str) -> str:
        prefix = self.nginx_conf.parent
        return shlex.join(["nginx", "-p", f"{prefix}/", "-c", str(self.nginx_conf),
                           "-e", f"{prefix}/error.log", *args])

    def systemctl(self, args: list[str]) -> None:
        """What systemd would do: start a unit from its unit file, stop it."""
        action, units = args[0], [u for u in args[1:] if not u.startswith("--")]
        if action == "daemon-reload":
            return
        if action in ("enable", "start", "reload", "restart"):
            for unit in units:
                self.start(unit)
            for unit in units:
                self.wait(unit)
        elif action == "stop":
            for unit in units:
                self.stop(unit)
        else:
            raise AssertionError(f"systemctl {action}: not in the recipe's vocabulary")

    def start(self, unit: str) -> None:
        if unit == "nginx":
            if "nginx" in self.processes:
                subprocess.run(shlex.split(self.nginx_command("-s", "reload")), check=True)
                return
            command, env = shlex.split(self.nginx_command("-g", "daemon off;")), self.env()
        else:
            name, _, instance = unit.partition("@")
            path = self.root / "etc/systemd/system" / (f"{name}@.service" if instance
                                                       else f"{name}.service")
            lines = unit_lines(path)
            command = shlex.split(lines["ExecStart"].replace("%i", instance))
            env = self.env(environment_file(Path(lines["EnvironmentFile"]))
                           if "EnvironmentFile" in lines else None)
        with open(self.root / "logs" / f"{unit}.log", "ab") as log:
            self.processes[unit] = subprocess.Popen(command, env=env, cwd=self.root, stdout=log,
                                                    stderr=log, stdin=subprocess.DEVNULL,
                                                    start_new_session=True)

    def wait(self, unit: str) -> None:
        if unit == "oxigraph":
            url = f"http://127.0.0.1:{self.ports['7878']}/query?query=ASK%7B%7D"
        elif unit == "nginx":
            url = f"http://127.0.0.1:{self.ports['80']}/"
        else:
            url = f"http://127.0.0.1:{unit.partition('@')[2]}/healthz"
        deadline = time.monotonic() + START_TIMEOUT
        process = self.processes[unit]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                requests.get(url, timeout=2, allow_redirects=False)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError(f"{unit} did not answer: {self.log(unit)[-2000:]}")

    def stop(self, unit: str) -> None:
        process = self.processes.pop(unit, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM if unit != "nginx" else signal.SIGQUIT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def close(self) -> None:
        for unit in list(self.processes):
            self.stop(unit)

    def log(self, unit: str) -> str:
        path = self.root / "logs" / f"{unit}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- asking it ----------------------------------------------------------------------------

    def get(self, path: str, **kw) -> requests.Response:
        """GET through nginx, over TLS, for the recipe's host name."""
        headers = {"Host": HOST, **kw.pop("headers", {})}
        return requests.get(self.url(path), headers=headers, verify=self.ca, timeout=60, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        headers = {"Host": HOST, **kw.pop("headers", {})}
        return requests.post(self.url(path), headers=headers, verify=self.ca, timeout=60, **kw)

    def store_count(self) -> int:
        """The quads of the store, asked of the Oxigraph server itself."""
        answer = requests.get(f"http://127.0.0.1:{self.ports['7878']}/query",
                              params={"query": COUNT},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        answer.raise_for_status()
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def token(self) -> str:
        token = environment_file(self.root / "etc/crossinnov/crossinnov.env")["CROSSINNOV_TOKEN"]
        assert len(token) >= 16, "the recipe's sed did not set the token"
        return token


@pytest.fixture
def recipe(tmp_path, store_backend):
    if store_backend != "embedded":
        pytest.skip("runs once, in the default pass: it starts its own Oxigraph server")
    for command in ("nginx", "openssl", "bash", "zcat"):
        if not shutil.which(command):
            pytest.skip(f"the recipe needs {command} (Debian: apt-get install {command}; "
                        "CI installs nginx)")
    machine = Recipe(tmp_path)
    yield machine
    machine.close()


def test_the_recipe_lists_what_it_does_not_run():
    """Each command not run here starts with one of :data:`NOT_RUN`, and each of those is
    named in the document's list of what the test does not run."""
    text = DOC.read_text()
    skipped = [c for c in recipe_commands(text) if c.startswith(NOT_RUN)]
    assert {next(p for p in NOT_RUN if c.startswith(p)) for c in skipped} == set(NOT_RUN)
    tail = text.split("## What the test runs", 1)[1]
    for words in NOT_RUN:
        assert f"`{words.split('/')[-1]}`" in tail or f"`{words}`" in tail, words


def test_the_recipe_runs_and_serves_through_nginx(recipe):
    commands = recipe_commands(DOC.read_text())
    assert commands, "docs/deploy.md has no bash blocks"
    before_stop = None
    restarts = 0
    for command in commands:
        if command.startswith(NOT_RUN):
            continue
        if command.startswith("systemctl stop"):
            before_stop = recipe.store_count()
        out = recipe.run(command)
        if command.startswith("install -D -m 600"):
            settings = recipe.root / "etc/crossinnov/crossinnov.env"
            assert settings.stat().st_mode & 0o777 == 0o600
        if command.startswith("systemctl stop"):
            assert recipe.get("/healthz").status_code >= 500  # as the recipe says
        if "systemd-analyze verify" in command:
            assert out.strip() == "", f"systemd-analyze verify complained: {out}"
        if command.startswith("curl -s http://127.0.0.1:"):
            assert '"status":"ok"' in out.replace(" ", ""), out
        if command == "systemctl reload nginx":
            check_through_nginx(recipe)
        if command.startswith("systemctl start") and before_stop is not None:
            # started again: the same quads, the profile written through nginx among them
            assert recipe.store_count() == before_stop
            profile = recipe.get(f"/api/profiles/{PROFILE['id']}")
            assert profile.json()["name"] == PROFILE["name"]
            restarts += 1
    assert restarts == 3  # the folder backup's stop, the restores from it and from the dump
    backups = recipe.root / "var/lib/crossinnov/backups"
    assert len(list(backups.glob("oxigraph-*"))) == 1
    assert len(list(backups.glob("crossinnov-*.nq.gz"))) == 1
    assert len(list(backups.parent.glob("oxigraph.before-restore-*"))) == 2

def check_through_nginx(recipe: Recipe) -> None:
    """What a client of the site sees, through nginx, once the recipe's sections 1-5 ran."""
    health = recipe.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.json()["quads"] == recipe.store_count()

    plain = requests.get(f"http://127.0.0.1:{recipe.port('80')}/sparql", timeout=10,
                         headers={"Host": HOST}, allow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{HOST}/sparql"

    # /sparql: GET, POST form, POST query
    json_accept = {"Accept": "application/sparql-results+json"}
    for answer in (recipe.get("/sparql", params={"query": COUNT}, headers=json_accept),
                   recipe.post("/sparql", data={"query": COUNT}, headers=json_accept),
                   recipe.post("/sparql", data=COUNT.encode(), headers={
                       **json_accept, "Content-Type": "application/sparql-query"})):
        assert answer.status_code == 200, answer.text
        n = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        assert n == recipe.store_count()

    # the forwarded host and scheme make the links; the client is the client, whatever it says
    assert f"https://{HOST}/sparql" in recipe.get("/").text
    catalogue = recipe.get("/dumps/", headers={"Accept": "text/turtle"}).text
    assert f"<https://{HOST}/dumps/>" in catalogue
    for _ in range(2):  # nginx takes turns: most likely one for each web server
        recipe.get("/healthz?probe=forged", headers={"X-Forwarded-For": "203.0.113.9"})
    deadline = time.monotonic() + 30  # a server writes its access line after answering
    while True:
        logs = recipe.log(f"crossinnov@{recipe.port('5001')}") + recipe.log(
            f"crossinnov@{recipe.port('5002')}")
        probes = [line for line in logs.splitlines() if "probe=forged" in line]
        if len(probes) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(probes) == 2 and all(" 127.0.0.1 " in line for line in probes), probes

    # a profile written with the token through nginx, read back from both web servers
    auth = {"Authorization": f"Bearer {recipe.token()}"}
    assert recipe.post("/api/profiles", json=PROFILE).status_code == 401
    written = recipe.post("/api/profiles", json=PROFILE, headers=auth)
    assert written.status_code == 201, written.text
    for port in (recipe.port("5001"), recipe.port("5002")):
        read = requests.get(f"http://127.0.0.1:{port}/api/profiles/{PROFILE['id']}", timeout=30)
        assert read.status_code == 200 and read.json()["name"] == PROFILE["name"]
    for _ in range(2):
        assert recipe.get(f"/api/profiles/{PROFILE['id']}").json()["name"] == PROFILE["name"]

    # too big: the app's own 413 just above its limit, nginx's well above it
    json_type = {**auth, "Content-Type": "application/json"}
    app_413 = recipe.post("/api/profiles", data=b" " * 1_000_001, headers=json_type)
    assert app_413.status_code == 413 and "nginx" not in app_413.text, app_413.text
    nginx_413 = recipe.post("/api/profiles", data=b" " * 2_000_000, headers=json_type)
    assert nginx_413.status_code == 413 and "nginx" in nginx_413.text

    # the write is followed by an analysis run (after CROSSINNOV_ANALYSIS_DEBOUNCE): wait for
    # it, so that the store holds still while it is dumped
    deadline = time.monotonic() + 90
    while recipe.get("/api/changes?limit=1").json()[0]["action"] != "analysis":
        assert time.monotonic() < deadline, "no analysis after the write"
        time.sleep(0.5)

    # the dump, streamed through nginx, whole
    dump = recipe.get("/dumps/crossinnov.nq", stream=True)
    assert dump.status_code == 200
    data = b"".join(dump.iter_content(1 << 16))
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == recipe.store_count() == recipe.get("/healthz").json()["quads"]
