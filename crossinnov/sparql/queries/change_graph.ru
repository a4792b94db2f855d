# Change one named graph by its difference (one operation pair of an update request).
# $graph: the graph IRI; $removed, $added: N-Triples written by pyoxigraph.
DELETE DATA { GRAPH $graph {
$removed
} } ;
INSERT DATA { GRAPH $graph {
$added
} }
