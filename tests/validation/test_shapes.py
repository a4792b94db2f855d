"""Conformance fixtures for the SHACL shapes in ``shapes/``.

Laid out like the W3C SHACL test suite as pySHACL runs it::

    tests/data/shapes/<shape-file-stem>/valid/*.ttl     must conform
    tests/data/shapes/<shape-file-stem>/invalid/*.ttl   must not conform

Each fixture is a small, self-contained Turtle file: its focus resource plus
well-formed versions of every resource it references (validation only sees the
file). A valid fixture starts with ``# valid: <what it shows>``; an invalid one
with ``# expect: <substring of the sh:message>`` and violates exactly one
constraint, so every violation it produces carries that one message.

A fixture that documents a known shape bug may add a line
``# xfail: <reason>`` to its header; that case is then a strict xfail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from crossinnov.resources import shapes_paths
from crossinnov.validation.shacl import Validator

DATA = Path(__file__).parents[1] / "data" / "shapes"
FIXTURES = tuple(sorted(DATA.glob("*/*/*.ttl")))


def _header(path: Path) -> dict[str, str]:
    """Return the ``# key: value`` lines at the top of a fixture."""
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].strip().partition(":")
            if sep and key in ("valid", "expect", "xfail"):
                out[key] = value.strip()
    return out


def _param(path: Path):
    marks = ()
    reason = _header(path).get("xfail")
    if reason:
        marks = (pytest.mark.xfail(strict=True, reason=reason),)
    return pytest.param(path, id=path.relative_to(DATA).as_posix(), marks=marks)


@pytest.fixture(scope="module")
def shapes_validator() -> Validator:
    return Validator()


def test_layout():
    """Every shapes file has fixtures, both valid and invalid ones, and nothing else."""
    found = {(p.parent.parent.name, p.parent.name) for p in FIXTURES}
    expected = {(s.stem, kind) for s in shapes_paths() for kind in ("valid", "invalid")}
    assert found == expected


@pytest.mark.parametrize("path", [_param(p) for p in FIXTURES])
def test_fixture(path: Path, shapes_validator: Validator):
    header = _header(path)
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    kind = "valid" if path.parent.name == "valid" else "expect"
    assert first.startswith(f"# {kind}: "), f"the first line must be '# {kind}: ...'"
    graph = rdflib.Graph().parse(path, format="turtle")
    report = shapes_validator.validate(graph)
    if path.parent.name == "valid":
        assert "expect" not in header, "a valid fixture expects no message"
        assert report.conforms, report.text
        assert report.violations == []
        return

    expect = header["expect"]
    assert not report.conforms, f"{path.name} conforms, expected: {expect}"
    messages = sorted({v.message for v in report.violations})
    assert any(expect in m for m in messages), (
        f"expected {expect!r} among the messages:\n{report.text}"
    )
    assert len(messages) == 1, f"the fixture violates more than one constraint:\n{report.text}"


def test_every_message_is_covered(shapes_validator: Validator):
    messages = sorted({str(m) for m in shapes_validator.shapes.objects(None, SH.message)})
    assert messages, "the shapes define no sh:message"
    expected = [_header(p).get("expect") for p in FIXTURES if p.parent.name == "invalid"]
    expected = [e for e in expected if e]
    uncovered = [m for m in messages if not any(e in m for e in expected)]
    assert not uncovered, "no invalid fixture for:\n" + "\n".join(uncovered)
