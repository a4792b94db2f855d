# Keep ci:collaboratesWith symmetric around some organisations: the inverse of a
# link that only one side states lives in the closure graph, and only there, so
# that every triple is held by exactly one graph (the union stays a set).
# $closure: the closure graph; $orgs: the organisations whose links changed.
DELETE { GRAPH $closure { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } }
WHERE {
  VALUES ?x { $orgs }
  { GRAPH $closure { ?x <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } BIND(?x AS ?s) }
  UNION
  { GRAPH $closure { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?x } BIND(?x AS ?o) }
} ;
INSERT { GRAPH $closure { ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s } }
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
}
