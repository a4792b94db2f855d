# Give the analysis lease back (crossinnov.analysis.lease). $graph: the lease graph;
# $node: this holder's lease.
DELETE WHERE { GRAPH $graph { $node ?p ?o } }
