# Take out of the closure graph every inferred link to or from some organisations, and
# their one-sidedness marks (ci:collaborationUnconfirmedBy): the first step of redoing
# the closure around them (closure_add.ru puts back what still holds). One join over the
# closure graph, which the store reads whole: for a few organisations,
# closure_clear_one.ru for each is cheaper (see crossinnov.writes.changes.closure_operations).
# $closure: the closure graph; $orgs: the organisations whose links changed.
DELETE { GRAPH $closure { ?s ?p ?o } }
WHERE {
  VALUES ?x { $orgs }
  VALUES ?p { <https://w3id.org/crossinnov/ontology#collaboratesWith>
              <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> }
  { GRAPH $closure { ?x ?p ?o } BIND(?x AS ?s) }
  UNION
  { GRAPH $closure { ?s ?p ?x } BIND(?x AS ?o) }
}
