# Remove some triples from one named graph (one operation of an update request).
# $graph: the graph IRI; $triples: N-Triples written by pyoxigraph.
DELETE DATA { GRAPH $graph {
$triples
} }
