# Take the analysis lease when no one else holds a live one (crossinnov.analysis.lease).
# The first operation drops the expired leases (and this holder's own), the second adds
# this holder's only when no other live lease is there: one DELETE/INSERT ... WHERE each,
# whose WHERE is read in the operation itself. Two takers at once may both add theirs
# (an engine may not serialise the two operations): the holder reads the graph back after.
# The condition is a count, not FILTER NOT EXISTS: in an update's WHERE, Virtuoso 7.2.5
# ignores FILTER NOT EXISTS and MINUS (it inserts whatever is there), and OPTIONAL with
# !BOUND never inserts; a count is read right on Oxigraph and Virtuoso alike.
# $graph: the lease graph; $node: this holder's lease; $holder: its id (a literal);
# $now, $until: xsd:dateTime (the taker's clock).
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE { GRAPH $graph { ?old ?p ?o } }
WHERE {
  GRAPH $graph { ?old prov:invalidatedAtTime ?end ; ?p ?o }
  FILTER(?end <= $now || ?old = $node)
} ;
INSERT { GRAPH $graph {
  $node rdfs:label $holder ; prov:generatedAtTime $now ; prov:invalidatedAtTime $until
} }
WHERE {
  {
    SELECT (COUNT(?other) AS ?live) WHERE {
      GRAPH $graph { ?other prov:invalidatedAtTime ?end }
      FILTER(?end > $now && ?other != $node)
    }
  }
  FILTER(?live = 0)
}
