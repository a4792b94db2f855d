# Replace one named graph by new content (one operation of an update request).
# $graph: the graph IRI; $triples: N-Triples written by pyoxigraph.
DROP SILENT GRAPH $graph ;
INSERT DATA { GRAPH $graph {
$triples
} }
