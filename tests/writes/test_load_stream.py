"""The streaming load (crossinnov.writes.stream): a big dataset file into an empty store, read,
checked and written graph by graph, ends as the load of the whole file ends.

Batches are made tiny and every file "big", so that a few hundred graphs make many batches;
the faults are placed in the file so that a rejection reaches units of earlier and later
batches, and through a chain. Each test loads the same file twice through the CLI, once
streamed and once the usual way, and compares the stores (the changelog's time fixed, its
activity IRI named alike).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_load import AT, _canonical, _fresh, _size

from crossinnov.generate import Generator, Plan
from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, SCHEMA

pytestmark = pytest.mark.embedded_only(reason="the streaming load is the embedded store's")

IRIS = IRIs("https://w3id.org/crossinnov/")
YEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")


def _groups(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """The quads by graph, in the order the graphs first appear."""
    out: dict[ox.NamedNode, list[ox.Quad]] = {}
    for q in quads:
        out.setdefault(q.graph_name, []).append(q)
    return list(out.values())


def _faulty(iris: IRIs, n: int = 150) -> list[ox.Quad]:
    """Generated data with faults spread through the file (a batch is 10 graphs):

    - ``m-bad`` (a year in the future), in the middle, is named by ``a-early`` (near the
      start) and ``z-late`` (at the end);
    - a chain: ``b-chain-1`` (early) names ``y-chain-2`` (late), which names ``m-chain-3``
      (middle), whose sector is a city;
    - ``c-asks`` (early) states a collaboration that ``x-declines`` (late) declines.
    """
    quads = list(Generator(Plan(n, 5), iris).quads())
    groups = _groups(quads)
    model = min((q.subject for q in quads if q.object == CI.ProfiledOrganisation),
                key=lambda s: s.value)
    own = [q for q in quads if q.subject == model]

    def clone(slug: str, drop=(), add=()) -> list[ox.Quad]:
        node, graph = iris.organisation(slug), iris.graph("organisation", slug)
        out = [ox.Quad(node, q.predicate, q.object, graph) for q in own
               if q.predicate not in drop]
        return out + [ox.Quad(node, p, iris.organisation(o) if isinstance(o, str) else o, graph)
                      for p, o in add]

    link = CI.collaboratesWith
    early = [clone("a-early", add=[(link, "m-bad")]),
             clone("b-chain-1", add=[(link, "y-chain-2")]),
             clone("c-asks", add=[(link, "x-declines")])]
    middle = [clone("m-bad", [SCHEMA.foundingDate], [(SCHEMA.foundingDate,
                                                      ox.Literal("3999", datatype=YEAR))]),
              clone("m-chain-3", add=[(CI.inSector, iris.resource("city", "berlin"))])]
    late = [clone("x-declines", add=[(CI.declinesCollaborationWith, "c-asks")]),
            clone("y-chain-2", add=[(link, "m-chain-3")]),
            clone("z-late", add=[(link, "m-bad")])]
    first_org = next(i for i, g in enumerate(groups)
                     if any(q.object == CI.ProfiledOrganisation for q in g))
    half = (first_org + len(groups)) // 2
    ordered = groups[:first_org] + early + groups[first_org:half] + middle + groups[half:] + late
    return [q for g in ordered for q in g]


EXPECTED_REJECTED = {"a-early", "b-chain-1", "c-asks", "m-bad", "m-chain-3", "y-chain-2",
                     "z-late"}


@pytest.fixture
def small_batches(monkeypatch):
    """Every file big enough to stream, ten graphs to a batch; the screen always on."""
    from crossinnov.writes import load as loader
    from crossinnov.writes import stream

    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BATCH_UNITS", 10)
    monkeypatch.setattr(stream, "BATCH_QUADS", 400)
    monkeypatch.setattr(loader, "SCREEN_MIN", 1)
    batches: list[int] = []
    real = stream.batches

    def counted(*args, **kwargs):
        for batch in real(*args, **kwargs):
            batches.append(len(batch))
            yield batch

    monkeypatch.setattr(stream, "batches", counted)
    return batches


def _load(runner, store: Path, path: Path, *, streamed: bool, strict: bool = False):
    """``crossinnov load`` of ``path`` into ``store``, streamed or not, at the fixed time."""
    from crossinnov.cli import main
    from crossinnov.writes import changes, stream
    from crossinnov.writes import load as loader

    def fixed(*args, real=changes.Change, **kwargs):
        return real(*args, **{"at": AT, **kwargs})

    with pytest.MonkeyPatch.context() as m:
        m.setattr(changes, "Change", fixed)
        # the usual way: the file bulk-loaded while it is read and checked
        m.setattr(loader, "PREFILL_MIN_BYTES", 0)
        m.setattr(loader, "BULK_THRESHOLD", 0)
        if not streamed:
            m.setattr(stream, "STREAM_MIN_BYTES", 2**62)
        result = runner.invoke(main, ["load", "--store", str(store), str(path)]
                               + (["--strict"] if strict else []))
    rejected = [line.removeprefix("rejected: ") for line in result.output.splitlines()
                if line.startswith("rejected: ")]
    return result, rejected


def _write(path: Path, quads: list[ox.Quad]) -> Path:
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    return path


def _same_as_usual(tmp_path, runner, path: Path, batches: list[int]):
    """Load ``path`` streamed and the usual way; assert the same stores, output and rejections."""
    usual, usual_rejected = _load(runner, tmp_path / "usual", path, streamed=False)
    assert not batches
    streamed, streamed_rejected = _load(runner, tmp_path / "streamed", path, streamed=True)
    assert streamed.exit_code == usual.exit_code, streamed.output
    assert streamed_rejected == usual_rejected  # same messages, same order
    assert streamed.output.splitlines()[-1].split(" from ")[0] == \
        usual.output.splitlines()[-1].split(" from ")[0]  # "Loaded N graphs (M triples)"
    with _fresh(tmp_path, "usual") as a, _fresh(tmp_path, "streamed") as b:
        assert _canonical(b) == _canonical(a)
        assert _size(b) == _size(a)
        assert len(b) == len(a)
    return usual_rejected, streamed.output


def test_valid_data_streamed_equals_the_usual_load(tmp_path, runner, small_batches):
    path = _write(tmp_path / "valid.nq", list(Generator(Plan(150, 5), IRIS).quads()))
    rejected, _ = _same_as_usual(tmp_path, runner, path, small_batches)
    assert rejected == []
    assert len(small_batches) > 10  # it was streamed, in many batches


def test_faults_reach_earlier_and_later_batches_and_chains(tmp_path, runner, small_batches):
    """A bad unit named by units of earlier and of later batches, a chain of three across
    batches, a declined collaboration stated in an earlier batch: rejected as the usual load
    rejects them, with the same messages, and the same store."""
    path = _write(tmp_path / "faults.nq", _faulty(IRIS))
    rejected, output = _same_as_usual(tmp_path, runner, path, small_batches)
    assert {line.split("/graph/organisation/")[1].split(">")[0] for line in rejected} \
        == EXPECTED_REJECTED, rejected
    assert "has declined a collaboration" in output
    assert "warning" not in output
    # the first pass, then the rounds: chain-1 is checked again after chain-2 falls
    assert len(small_batches) > 10


def test_a_strict_streamed_load_with_a_fault_writes_nothing(tmp_path, runner, small_batches):
    from crossinnov.stores.embedded import FILL_FILE_PREFIX, FILLING_MARKER

    path = _write(tmp_path / "faults.nq", _faulty(IRIS))
    result, rejected = _load(runner, tmp_path / "s", path, streamed=True, strict=True)
    assert result.exit_code == 1 and len(rejected) == len(EXPECTED_REJECTED), result.output
    assert "nothing was loaded (--strict)" in result.output
    assert small_batches
    with _fresh(tmp_path, "s") as store:
        assert store.is_empty()
    assert [p.name for p in (tmp_path / "s").iterdir()
            if p.name == FILLING_MARKER or p.name.startswith(FILL_FILE_PREFIX)] == []


def test_a_file_whose_graphs_are_not_together_falls_back(tmp_path, runner, small_batches):
    """A graph resumed after others began cannot be read graph by graph: the file is loaded
    the usual way (said so), and the store is what the usual load gives."""
    groups = _groups(_faulty(IRIS))
    split = groups[-1]
    groups = [split[:3]] + groups[:-1] + [split[3:]]  # a late graph, begun first
    path = _write(tmp_path / "split.nq", [q for g in groups for q in g])
    _, output = _same_as_usual(tmp_path, runner, path, small_batches)
    assert "is loaded as a whole, not graph by graph" in output
    assert small_batches  # it was tried, then given up


def test_the_shipped_datas_dump_streamed_equals_the_usual_load(tmp_path, runner, small_batches,
                                                              shipped_quads):
    """crossinnov's own dump (the shipped data with its changelog, closure and derived ties):
    the bookkeeping graphs are made anew, as the usual load makes them."""
    path = _write(tmp_path / "dump.nq", shipped_quads)
    _, output = _same_as_usual(tmp_path, runner, path, small_batches)
    assert "warning" not in output
    assert len(small_batches) > 3


#: a streamed `crossinnov load`, killed (SIGKILL) at a given step, once its writes so far are
#: on disk
KILLED_STREAM = """
import os, signal, sys
from crossinnov.stores import embedded
from crossinnov.writes import load as loader, stream
stream.STREAM_MIN_BYTES = 0
stream.BATCH_UNITS = 10
step = sys.argv[3]

def die(store):
    store.native.flush()
    os.kill(os.getpid(), signal.SIGKILL)

if step == "file-loaded":
    real_load = embedded.Fill._load
    def load_then_die(self, path, fmt):
        real_load(self, path, fmt)
        die(self.store)
    embedded.Fill._load = load_then_die
else:  # records loaded, rejected graphs removed, the closure next
    def closure_then_die(store, links, filling):
        die(store)
    stream._fill_closure = closure_then_die
from crossinnov.cli import main
main(["load", "--store", sys.argv[1], sys.argv[2]])
"""


@pytest.mark.parametrize("step", ["file-loaded", "before-the-closure"])
def test_a_streamed_load_killed_leaves_the_store_empty(tmp_path, runner, step):
    from crossinnov.config import Settings
    from crossinnov.stores import open_store
    from crossinnov.stores.base import StoreError
    from crossinnov.stores.embedded import FILL_FILE_PREFIX, FILLING_MARKER

    path = _write(tmp_path / "faults.nq", _faulty(IRIS, 60))
    folder = tmp_path / "store"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", KILLED_STREAM, str(folder), str(path), step],
                          env=env, capture_output=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert (folder / FILLING_MARKER).exists()
    assert len(ox.Store.read_only(str(folder))) > 0  # part of a load really is on disk
    with pytest.raises(StoreError, match="has not finished"):
        open_store(Settings(store=str(folder)), read_only=True)
    with open_store(Settings(store=str(folder))) as store:
        assert store.is_empty()
    assert [p.name for p in folder.iterdir()
            if p.name == FILLING_MARKER or p.name.startswith(FILL_FILE_PREFIX)] == []


def test_a_file_that_breaks_off_is_refused_and_the_store_left_empty(tmp_path, runner,
                                                                   small_batches):
    """A syntax error late in the file: exit 2 with the usual load's message, and the store
    as empty as it was (the bulk loader finds it first)."""
    path = _write(tmp_path / "broken.nq", list(Generator(Plan(60, 5), IRIS).quads()))
    with path.open("ab") as out:
        out.write(b"<https://w3id.org/crossinnov/id/organisation/x> broken\n")
    usual, _ = _load(runner, tmp_path / "u", path, streamed=False)
    result, _ = _load(runner, tmp_path / "s", path, streamed=True)
    assert result.exit_code == usual.exit_code == 2, result.output
    # the same message but where the bulk loader adds the file's name
    assert result.output.split(" (")[0] == usual.output.split(" (")[0]
    assert result.output.startswith("Error: broken.nq: invalid nquads: ")
    assert small_batches
    with _fresh(tmp_path, "s") as store:
        assert store.is_empty()
