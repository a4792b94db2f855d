"""SPARQL itself, whatever runs it: the named query files and their loader (:mod:`.queries`),
the text scanner (:mod:`.text`), errors in words (:mod:`.errors`), the dataset rule
(:mod:`.dataset`), the answer types and message protocol (:mod:`.answers`), evaluation on
pyoxigraph (:mod:`.evaluate`), the result writers (:mod:`.results`) and the protocol's
query operation (:mod:`.protocol`)."""
