# Remove every ci:collaboratesWith link to or from some organisations, in every graph
# (used when a profile is deleted). $orgs: organisation IRIs.
DELETE { GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } }
WHERE {
  VALUES ?x { $orgs }
  { GRAPH ?g { ?x <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o } BIND(?x AS ?s) }
  UNION
  { GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?x } BIND(?x AS ?o) }
}
