"""crossinnov: the Cross Innovation knowledge graph as linked open data.

The public API is small: open a store, load data into it, validate, query and
dump. Everything else (web app, analysis, reports) builds on these.
"""

__version__ = "0.1.0"

from crossinnov.config import Settings
from crossinnov.stores import open_store

__all__ = ["Settings", "__version__", "open_store"]
