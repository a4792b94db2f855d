"""What ``python -m crossinnov.devtools`` regenerates is up to date: the shipped data files
(``data/*.trig``, from ``data/sources/*.csv``) and the namespaces module.
"""

from __future__ import annotations

import pyoxigraph as ox

from crossinnov.config import DEFAULT_BASE
from crossinnov.devtools import generate_namespaces
from crossinnov.ingest.shipped import shipped_files
from crossinnov.iris import IRIs
from crossinnov.resources import data_dir


def test_generated_data_files_are_up_to_date():
    """data/*.trig is what the ingest code makes of data/sources/*.csv (regenerate with
    devtools)."""
    for name, content in shipped_files(IRIs(DEFAULT_BASE)).items():
        on_disk = set(ox.parse(path=str(data_dir() / name)))
        fresh = set(ox.parse(content, format=ox.RdfFormat.TRIG))
        assert on_disk == fresh, f"data/{name} is stale: run python -m crossinnov.devtools data"


def test_namespaces_module_is_up_to_date():
    import crossinnov.namespaces

    with open(crossinnov.namespaces.__file__, encoding="utf-8") as fh:
        assert fh.read() == generate_namespaces(), "run python -m crossinnov.devtools namespaces"
