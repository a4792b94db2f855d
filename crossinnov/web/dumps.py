"""``/dumps/``: the whole graph as files, streamed; ``/.well-known/void``: VoID.

A dump is written while it is sent (memory does not grow with the graph), and
carries an ``ETag`` and ``Last-Modified`` that follow the data version, so
clients and caches can ask ``If-None-Match`` and get 304.
"""

from __future__ import annotations

import io
import queue
import threading
import zlib
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime

from flask import Blueprint, Response, abort, render_template, request

from crossinnov.formats import GRAPH_TYPES, OFFERED_RDF_MEDIA, RDF_FORMATS, negotiate, prefixes_for
from crossinnov.publish.describe import (
    DUMP_NAME,
    data_version,
    dcat_triples,
    dump_files,
    serialize,
    void_triples,
)
from crossinnov.stores.base import Store
from crossinnov.web.state import current

bp = Blueprint("dumps", __name__)

#: a dump's file suffix -> its format
DUMP_SUFFIXES = {spec.extension: spec for spec in RDF_FORMATS.values()}


class _Cancelled(Exception):
    pass


def stream_dump(store: Store, fmt, *, gzip: bool) -> Iterator[bytes]:
    """Yield a dump of ``store`` as it is written by a thread; memory stays bounded.

    The writer thread blocks when the client is slower than the store; if the
    client goes away the thread is told to stop.
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)
    stop = threading.Event()
    prefixes = prefixes_for(store.iris)

    class Writer(io.RawIOBase):
        """Receives the dump in big blocks (see the buffer below) and queues them."""

        def __init__(self) -> None:
            super().__init__()
            self.zip = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self._push(bytes(data))
            return len(data)

        def _push(self, data: bytes) -> None:
            if self.zip is not None:
                data = self.zip.compress(data)
            if not data:
                return
            while not stop.is_set():
                try:
                    chunks.put(data, timeout=0.5)
                    return
                except queue.Full:
                    continue
            raise _Cancelled()

        def finish(self) -> None:
            if self.zip is not None:
                tail, self.zip = self.zip.flush(), None
                self._push(tail)

    def produce() -> None:
        raw = Writer()
        # Oxigraph writes in small pieces; a C buffer turns them into 1 MB blocks
        buffered = io.BufferedWriter(raw, buffer_size=1 << 20)
        try:
            store.dump(buffered, fmt.oxformat, prefixes=prefixes)
            buffered.flush()
            raw.finish()
            chunks.put(None)
        except _Cancelled:
            return
        except BaseException as exc:  # hand the error to the response side
            chunks.put(exc)

    thread = threading.Thread(target=produce, daemon=True, name="crossinnov-dump")
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _conditional(etag: str, modified) -> Response | None:
    if request.if_none_match and request.if_none_match.contains(etag):
        return Response(status=304)
    since = request.headers.get("If-Modified-Since")
    if modified and since and not request.if_none_match:
        try:
            if modified.replace(microsecond=0) <= parsedate_to_datetime(since):
                return Response(status=304)
        except (TypeError, ValueError):
            pass
    return None


def _validators(response: Response, etag: str, modified) -> Response:
    response.set_etag(etag)
    if modified:
        response.headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/dumps/")
def listing() -> Response:
    crossinnov = current()
    modified, version = data_version(crossinnov.store)
    chosen = negotiate(request.headers.get("Accept"), ["text/html", *OFFERED_RDF_MEDIA])
    etag = f"{version}-list-{chosen}"
    not_modified = _conditional(etag, modified)
    if not_modified:
        return _validators(not_modified, etag, modified)
    if chosen == "text/html" or chosen is None:
        body = render_template("dumps.html", files=dump_files(request.url_root), modified=modified,
                               quads=len(crossinnov.store))
        response = Response(body, mimetype="text/html")
    else:
        triples = dcat_triples(crossinnov.store, request.url_root)
        data, media = serialize(triples, GRAPH_TYPES[chosen], crossinnov.store)
        response = Response(data, mimetype=media)
    response.vary.add("Accept")
    return _validators(response, etag, modified)


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    stem, _, rest = name.partition(".")
    compressed = rest.endswith(".gz")
    ext = rest.removesuffix(".gz")
    if stem != DUMP_NAME or ext not in DUMP_SUFFIXES:
        abort(404)
    spec = DUMP_SUFFIXES[ext]
    store = current().store
    modified, version = data_version(store)
    etag = f"{version}-{name}"
    not_modified = _conditional(etag, modified)
    if not_modified:
        return _validators(not_modified, etag, modified)
    media = "application/gzip" if compressed else spec.media_type
    if request.method == "HEAD":
        response = Response(mimetype=media)
    else:
        response = Response(stream_dump(store, spec, gzip=compressed), mimetype=media)
    if not compressed:
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _validators(response, etag, modified)


@bp.route("/.well-known/void")
def void() -> Response:
    crossinnov = current()
    chosen = negotiate(request.headers.get("Accept"), [*OFFERED_RDF_MEDIA, "text/html"])
    fmt = GRAPH_TYPES.get(chosen or "text/turtle", "turtle")
    triples = void_triples(crossinnov.store, request.url_root, crossinnov.counts())
    data, media = serialize(triples, fmt, crossinnov.store)
    response = Response(data, mimetype=media)
    response.vary.add("Accept")
    return response
