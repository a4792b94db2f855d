# Remove one named graph. $graph: the graph IRI.
DROP SILENT GRAPH $graph
