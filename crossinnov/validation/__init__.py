"""Checking data against the SHACL shapes: pySHACL with what a unit references
(:mod:`.shacl`), and a SPARQL screen that clears most of a big load first (:mod:`.screen`)."""
