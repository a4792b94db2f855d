"""The crossinnov web app for any WSGI server, e.g. ``waitress-serve webapp:app``.

Settings come from ``CROSSINNOV_*`` environment variables (``CROSSINNOV_STORE``, ...).
Run one process with many threads: the embedded store is opened by one process.
"""

from crossinnov.web import create_app

app = create_app()
