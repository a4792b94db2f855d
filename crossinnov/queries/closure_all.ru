# Rebuild the whole closure graph (after a bulk load): the inverse of every
# ci:collaboratesWith link that no graph states in the other direction, with the mark
# of its one-sidedness (X ci:collaborationUnconfirmedBy Y: X states it, Y does not);
# never a link the other side declines. See closure_for.ru.
# $closure: the closure graph.
DROP SILENT GRAPH $closure ;
INSERT { GRAPH $closure {
  ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s .
  ?s <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> ?o .
} }
WHERE {
  GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o }
  FILTER(?s != ?o)
  FILTER NOT EXISTS { GRAPH ?g2 { ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s } }
  FILTER NOT EXISTS {
    GRAPH ?g3 { ?o <https://w3id.org/crossinnov/ontology#declinesCollaborationWith> ?s }
  }
}
