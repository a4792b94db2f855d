# Rebuild the whole closure graph (after a bulk load): the inverse of every
# ci:collaboratesWith link that no graph states in the other direction.
# $closure: the closure graph.
DROP SILENT GRAPH $closure ;
INSERT { GRAPH $closure { ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s } }
WHERE {
  GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o }
  FILTER(?s != ?o)
  FILTER NOT EXISTS { GRAPH ?g2 { ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s } }
}
