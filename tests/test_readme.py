"""The README as a newcomer reads it: its tour runs in the order written, what it says about
a running server is true, and every file and link it names is in the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from crossinnov.writes.tokens import MIN_TOKEN_LENGTH

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INTERFACE = ROOT / "docs" / "interface.md"
BIN = Path(sys.executable).parent
#: folders of a working copy that are not part of the repository
NOT_IN_REPOSITORY = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ruff_cache",
                     ".mypy_cache", "node_modules", "build", "dist", "store"}
#: files the README names that are not the project's, each with why
NOT_OURS = {
    "crossinnov.cfg": "the settings file an operator writes (in Flask's instance folder)",
    "virtuoso.ini": "Virtuoso's own configuration file",
}
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)


def readme() -> str:
    return README.read_text(encoding="utf-8")


def repository_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if not any(p in NOT_IN_REPOSITORY or p.endswith(".egg-info") for p in parts):
            found.append(path)
    return found


def named_paths(text: str) -> set[str]:
    """The repository paths a Markdown text names: relative links, and code that is a path."""
    names = {target.split("#", 1)[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)
             if not re.match(r"^[a-z]+:|^#", target)}
    prose = FENCE.sub("", text)
    for code in re.findall(r"`([^`\n]+)`", prose):
        if re.match(r"^(application|text|image)/|^\w+/\w+$", code) and not Path(
                ROOT, code).exists():
            continue  # a media type or a pair of words (yes/no), not a path
        if re.fullmatch(r"\.?[\w-]+(/[\w.*-]+)+/?|[\w-]+/|[\w-]+\.[a-z]{2,5}", code):
            names.add(code)
    top = {p.name for p in ROOT.iterdir() if p.name not in NOT_IN_REPOSITORY}
    for block in FENCE.findall(text):  # commands: paths into the repository's own folders
        for token in re.findall(r"(?<![\w:/<'\".@-])\.?[\w-]+(?:/[\w.*-]+)+/?", block):
            if token.split("/", 1)[0] in top:
                names.add(token)
    return {n for n in names if n}


def exists(name: str, files: list[Path]) -> bool:
    if any(ch in name for ch in "*?["):
        return any(ROOT.glob(name))
    if Path(ROOT, name).exists():
        return True
    # a name the text gives relative to a folder it speaks of (`ingest/`, `organisations.csv`)
    tail = name.rstrip("/")
    return any(p.as_posix().endswith("/" + tail) and (p.is_dir() or not name.endswith("/"))
               for p in files)


def test_the_path_finder_finds_what_the_readme_names():
    names = named_paths(readme())
    for name in ("docs/interface.md", "benchmarks/RESULTS.md", "data/sources/", ".ci/run",
                 "ontology/crossinnov.ttl", "organisations.csv", "docs/architecture.md",
                 "webapp.py"):
        assert name in names, name
    assert "application/sparql-query" not in names and "yes/no" not in names


def test_every_file_and_link_the_readme_names_is_in_the_repository():
    files = repository_files()
    missing = sorted(n for n in named_paths(readme())
                     if n not in NOT_OURS and not exists(n, files))
    assert not missing, f"the README names what the repository does not hold: {missing}"


def test_the_interface_document_is_linked_and_names_no_missing_file():
    assert "](docs/interface.md)" in readme()
    text = INTERFACE.read_text(encoding="utf-8")
    files = repository_files()
    assert not [n for n in named_paths(text) if n not in NOT_OURS and not exists(n, files)]
    assert "../shared" not in text and "/work/" not in text and "/work/" not in readme()


def test_the_interface_document_names_every_route(app):
    """Every route of the app is in docs/interface.md (the query editor's helper excepted)."""
    internal = {"/static/<path:filename>", "/sparql/complete"}  # the query page's own helpers
    text = INTERFACE.read_text(encoding="utf-8")
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule in internal or rule.rule == "/":
            continue
        parts = re.split(r"<[^>]+>", rule.rule)
        pattern = r"(\{[^}]*\}|[^\s`|]+)".join(re.escape(p) for p in parts)
        if not re.search(r"(?<![\w}/.])" + pattern + r"(?![\w/-])", text):
            missing.append(rule.rule)
    assert not missing, f"docs/interface.md does not name {sorted(set(missing))}"
    for added in ("declinesCollaborationWith", "410", "CROSSINNOV_TOKEN_FILE", "QUERY_TIMEOUT",
                  "WORKER_MEMORY_MB", "SPARQL_PER_CLIENT", "TRUSTED_PROXIES"):
        assert added in text, added


def test_the_readme_states_the_token_rules():
    text = readme()
    section = text.split("## Organisations keep their own profiles", 1)[1].split("\n## ", 1)[0]
    assert "`CROSSINNOV_TOKEN`" in section and "`CROSSINNOV_TOKEN_FILE`" in section
    assert "TOKEN organisation-id" in section
    assert f"at least {MIN_TOKEN_LENGTH} characters" in section
    assert "gets its token from whoever runs the site" in section


# --- the tour -----------------------------------------------------------------------------------

def tour_commands() -> list[str]:
    """The tour's commands, in order (an indented line continues the one before)."""
    section = readme().split("## A ten-line tour", 1)[1]
    block = FENCE.search(section).group(1)
    commands: list[str] = []
    for line in block.splitlines():
        if line[:1].isspace() and commands:
            commands[-1] += "\n" + line
        elif line.strip():
            commands.append(line)
    return commands


def test_the_tour_starts_with_load_and_ends_on_the_web():
    commands = tour_commands()
    assert commands[0].startswith("crossinnov load ")
    assert "stop the server" in readme().split("## A ten-line tour", 1)[1].split("```", 1)[0]
    assert any(c.startswith("crossinnov serve") for c in commands)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``crossinnov serve`` as a newcomer starts it, in the background on a free port."""

    def __init__(self, command: str, folder: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.log = open(folder / f"serve-{self.port}.log", "wb")  # noqa: SIM115
        command = command.split("#", 1)[0].strip() + f" --port {self.port}"
        self.process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=folder, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (folder / f"serve-{self.port}.log").read_text()
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("crossinnov serve did not come up")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop it as Ctrl-C would (SIGINT), and wait until it has let go of the store."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _shell(command: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.read()


@pytest.mark.embedded_only(reason="the tour uses the default store, a folder")
def test_the_tour_runs_in_the_order_written(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HOME=str(tmp_path / "home"),
               CROSSINNOV_STORE=str(tmp_path / "store"))
    (tmp_path / "home").mkdir()
    commands = tour_commands()
    serve = next(c for c in commands if c.startswith("crossinnov serve"))
    servers: list[Server] = []
    try:
        # "On a fresh machine": the server fills the empty store and holds it
        servers.append(Server(serve, tmp_path, env))
        # what the README says of commands beside a running server
        (tmp_path / "beside.json").write_text(json.dumps(
            {"name": "Beside Studio", "city": "rome", "sectors": ["music"]}))
        for reader in (commands[1], "crossinnov validate beside.json",
                       "crossinnov dump --format turtle -o beside.ttl",
                       "crossinnov report -o beside-report", "crossinnov partners pakmarkas"):
            beside = _shell(reader, tmp_path, env)
            assert beside.returncode == 0, f"{reader}\n{beside.stderr}"
        for writer in ("crossinnov load", "crossinnov analyse"):
            refused = _shell(writer, tmp_path, env)
            assert refused.returncode != 0
            assert "in use by another process (is `crossinnov serve` running?)" in refused.stderr
        servers.pop().stop()  # "First stop the server started above"
        for command in commands:
            if command.startswith("crossinnov serve"):
                servers.append(Server(command, tmp_path, env))
                continue
            if command.startswith("curl ") and servers:
                command = command.replace("http://127.0.0.1:5000", servers[-1].url)
                if shutil.which("curl") is None:  # the same request without curl
                    query = re.search(r"'query=([^']*)'", command).group(1)
                    request = urllib.request.Request(
                        servers[-1].url + "/sparql", headers={"Accept": "text/csv"},
                        data=urllib.parse.urlencode({"query": query}).encode())
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        output = answer.read().decode()
                else:
                    done = _shell(command, tmp_path, env)
                    assert done.returncode == 0, done.stderr
                    output = done.stdout
                lines = output.strip().splitlines()
                assert lines[0].strip() == "s,p,o" and len(lines) == 6, output
                continue
            done = _shell(command, tmp_path, env)
            assert done.returncode == 0, f"{command}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
            assert "Traceback" not in done.stderr, done.stderr
        assert (tmp_path / "my-profile.json").exists() and (tmp_path / "crossinnov.trig").exists()
        # the profile loaded on the way is on the site the tour ends with
        found = json.loads(_get(servers[-1].url + "/organisations.json?q=example+studio"))
        assert [r["name"] for r in found["results"]] == ["Example Studio"]
    finally:
        for server in servers:
            server.stop()
