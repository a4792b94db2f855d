"""Locate the files that ship with crossinnov: ontology, shapes and data.

In a source checkout they sit at the top of the repository; in an installed
wheel they are copied into ``crossinnov/_resources`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder of a shipped resource kind (``ontology``, ``shapes`` or ``data``)."""
    installed = _PACKAGE / "_resources" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"crossinnov resource folder {name!r} not found")


def ontology_path() -> Path:
    """Return the path of the crossinnov ontology (Turtle)."""
    return resource_dir("ontology") / "crossinnov.ttl"


def shapes_paths() -> list[Path]:
    """Return the SHACL shapes files, in a stable order."""
    return sorted(resource_dir("shapes").glob("*.ttl"))


def data_dir() -> Path:
    """Return the folder of the shipped data."""
    return resource_dir("data")
