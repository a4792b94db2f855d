"""Every ``Example:`` of every command's ``--help`` runs, as written, in a shell.

The examples are read from ``crossinnov <command> --help`` (so a new command, or a new
example, is checked without touching this file) and run one after another with bash in
a fresh folder, against a store filled by ``crossinnov load --store …`` (the default
store of the run: ``CROSSINNOV_STORE``). Skipped: ``crossinnov serve`` without
``--get`` (it would serve until stopped). The files the examples name that a reader
makes first are made here first (:data:`READER_FILES`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossinnov.cli import main

pytestmark = pytest.mark.embedded_only(reason="runs the examples on the default store, a folder")

BIN = Path(sys.executable).parent
#: the files an example names that the reader has made first
READER_FILES = {
    "my-organisation.json": json.dumps({"id": "my-organisation", "name": "My Organisation",
                                        "city": "vilnius", "sectors": ["design"]}),
    "profiles.csv": "id,name,city,sectors,collaboratesWith\n"
                    "studio-one,Studio One,berlin,design;ict,beepart\n"
                    "studio-two,Studio Two,rome,music,studio-one\n",
    "data.ttl": "@prefix ci: <https://w3id.org/crossinnov/ontology#> .\n"
                "@prefix schema: <https://schema.org/> .\n"
                "<https://w3id.org/crossinnov/id/organisation/ttl-studio> a ci:Organisation ;\n"
                "  schema:name \"TTL Studio\" .\n",
    "question.rq": "PREFIX ci: <https://w3id.org/crossinnov/ontology#>\n"
                   "SELECT (COUNT(?o) AS ?organisations) WHERE { ?o a ci:Organisation }\n",
}
#: files an example names that are made by running a command (the reader's own dump)
MADE_BY = {"dump.nq.gz": ["dump", "--format", "nquads", "-o", "dump.nq.gz"]}


def command_names() -> list[str]:
    return sorted(main.commands)


def help_text(*command: str) -> str:
    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def examples(text: str) -> list[str]:
    """The commands of the ``Example:`` block of a help text (a deeper line continues one)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "Example:"), None)
    if start is None:
        return []
    indent = len(lines[start]) - len(lines[start].lstrip())
    out: list[str] = []
    base = None
    for line in lines[start + 1:]:
        if not line.strip():
            if out:
                break
            continue
        depth = len(line) - len(line.lstrip())
        if depth <= indent:
            break
        base = depth if base is None else base
        if depth == base:
            out.append(line.strip())
        else:
            out[-1] += "\n" + line.rstrip()
    return out


def test_the_example_reader_reads_a_continued_command():
    text = ("Usage: x\n\n  Example:\n      crossinnov query 'SELECT\n        ?x WHERE {}'\n"
            "      crossinnov dump --format turtle > a.ttl\n\nOptions:\n  -h  help\n")
    assert examples(text) == ["crossinnov query 'SELECT\n        ?x WHERE {}'",
                              "crossinnov dump --format turtle > a.ttl"]


def skipped(example: str) -> bool:
    return example.startswith("crossinnov serve") and "--get" not in example


def test_every_command_has_examples():
    assert set(command_names()) >= {"load", "validate", "query", "dump", "analyse", "report",
                                    "partners", "generate", "serve"}
    assert examples(help_text())
    for name in command_names():
        found = examples(help_text(name))
        assert found, f"crossinnov {name} --help has no Example: block"
        assert all(e.startswith("crossinnov ") for e in found), found


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HOME=str(folder / "home"),
               XDG_DATA_HOME=str(folder / "home" / "data"),
               CROSSINNOV_STORE=str(folder / "store"), CROSSINNOV_ANALYSIS_DEBOUNCE="0")
    return env


def run(command: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory) -> Path:
    """A store folder filled by ``crossinnov load --store FOLDER`` and analysed (copied for
    each command).

    Analysed, because ``serve --get`` on a store without an analysis starts one in the
    background and stops its workers under it when the request is done (a traceback on
    stderr, though the example succeeds).
    """
    folder = tmp_path_factory.mktemp("examples-store")
    store = folder / "store"
    for command in (f"crossinnov load --store {store}", f"crossinnov analyse --store {store}"):
        done = run(command, folder, _env(folder))
        assert done.returncode == 0, done.stderr
    return store


@pytest.mark.parametrize("name", ["", *command_names()])
def test_every_example_runs(name, filled_store, tmp_path):
    listed = examples(help_text(*([name] if name else [])))
    shutil.copytree(filled_store, tmp_path / "store")
    env = _env(tmp_path)
    (tmp_path / "home").mkdir()
    for file, text in READER_FILES.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    for file, args in MADE_BY.items():
        made = run(" ".join(["crossinnov", *args]), tmp_path, env)
        assert made.returncode == 0 and (tmp_path / file).exists(), made.stderr
    ran = 0
    for example in listed:
        if skipped(example):
            continue
        done = run(example, tmp_path, env)
        assert done.returncode == 0, (f"{example}\nexit {done.returncode}\n"
                                      f"stdout: {done.stdout[-2000:]}\n"
                                      f"stderr: {done.stderr[-2000:]}")
        assert "Traceback" not in done.stderr, done.stderr
        ran += 1
    assert ran or all(skipped(e) for e in listed)
