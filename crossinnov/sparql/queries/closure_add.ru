# Keep ci:collaboratesWith symmetric around some organisations: the inverse of a
# link that only one side states lives in the closure graph, and only there, so
# that every triple is held by exactly one graph (the union stays a set). Beside
# each inverse, the one-sidedness is kept as data: X ci:collaborationUnconfirmedBy Y
# when X states the link and Y does not. A link the other side declines
# (ci:declinesCollaborationWith) is never inferred.
# The closure graph also holds the links of the ties derived from good practices
# (ci:DerivedTie, in the graph of derived ties; see derived_ties_for.ru), in both
# directions, for each direction only while no other graph states it, and only while
# both organisations exist and neither declines the other: a statement wins (the
# derived copy goes), and a withdrawn statement gives the derived link back.
# This file puts back the links around some organisations, once closure_clear.ru (or
# closure_clear_one.ru for each of them) has taken them out, in the same request:
# crossinnov.writes.changes.closure_operations writes the whole.
# $closure: the closure graph; $derived: the graph of derived ties;
# $orgs: the organisations whose links changed.
INSERT { GRAPH $closure {
  ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s .
  ?s <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> ?o .
} }
WHERE {
  VALUES ?x { $orgs }
  { GRAPH ?g { ?x <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } BIND(?x AS ?s) }
  UNION
  { GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?x } BIND(?x AS ?o) }
  FILTER(?g != $closure && ?s != ?o)
  FILTER NOT EXISTS {
    GRAPH ?g2 { ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s }
    FILTER(?g2 != $closure)
  }
  FILTER NOT EXISTS {
    GRAPH ?g3 { ?o <https://w3id.org/crossinnov/ontology#declinesCollaborationWith> ?s }
  }
} ;
INSERT { GRAPH $closure { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } }
WHERE {
  VALUES ?x { $orgs }
  { GRAPH $derived { ?tie <https://w3id.org/crossinnov/ontology#tieBetween> ?x , ?o }
    BIND(?x AS ?s) }
  UNION
  { GRAPH $derived { ?tie <https://w3id.org/crossinnov/ontology#tieBetween> ?x , ?s }
    BIND(?x AS ?o) }
  FILTER(?s != ?o)
  FILTER EXISTS { GRAPH ?gs { ?s a <https://w3id.org/crossinnov/ontology#Organisation> } }
  FILTER EXISTS { GRAPH ?go { ?o a <https://w3id.org/crossinnov/ontology#Organisation> } }
  FILTER NOT EXISTS {
    GRAPH ?g1 { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o }
    FILTER(?g1 != $closure)
  }
  FILTER NOT EXISTS {
    GRAPH ?g2 { ?s <https://w3id.org/crossinnov/ontology#declinesCollaborationWith> ?o }
  }
  FILTER NOT EXISTS {
    GRAPH ?g3 { ?o <https://w3id.org/crossinnov/ontology#declinesCollaborationWith> ?s }
  }
}
