# Add quads (one operation, one transaction).
# $quads: GRAPH blocks of N-Triples written by pyoxigraph (see quads_block).
INSERT DATA {
$quads
}
