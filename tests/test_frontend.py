"""The vendored browser libraries are the ones tools/frontend/build.sh builds from the pinned
npm packages: every file matches the build's manifest, the manifest's versions are the ones
package-lock.json pins, and every package shipped has its licence beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "crossinnov" / "web" / "static" / "vendor"
FRONTEND = ROOT / "tools" / "frontend"


def manifest() -> dict:
    return json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))


def test_every_vendored_file_is_the_built_one():
    files = manifest()["files"]
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*")
               if p.is_file() and p.name != "MANIFEST.json"}
    assert on_disk == set(files), "rebuild with: bash tools/frontend/build.sh"
    for name, digest in files.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_vendored_versions_are_the_pinned_ones():
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    pinned = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name, info in manifest()["packages"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == info["version"], name
        if name in pinned:
            assert pinned[name] == info["version"], name
    # what the site loads is all there
    for name in ("@codemirror/view", "@codemirror/legacy-modes", "chart.js", "leaflet",
                 "cytoscape"):
        assert name in manifest()["packages"], name


def test_every_shipped_package_has_its_licence():
    for name, info in manifest()["packages"].items():
        text = (VENDOR / info["licenseFile"]).read_text(encoding="utf-8")
        assert info["license"] and len(text) > 200, name
