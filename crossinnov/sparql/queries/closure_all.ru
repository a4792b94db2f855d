# Rebuild the derived ties and the whole closure graph (after a bulk load): the ties of
# every good practice (see derived_ties_for.ru); the inverse of every
# ci:collaboratesWith link that no graph states in the other direction, with the mark
# of its one-sidedness (X ci:collaborationUnconfirmedBy Y: X states it, Y does not),
# never a link the other side declines; and the links of the derived ties that no
# other graph states, between organisations that exist and decline nothing of each
# other. See closure_add.ru.
# $closure: the closure graph; $derived: the graph of derived ties.
DROP SILENT GRAPH $closure ;
DROP SILENT GRAPH $derived ;
INSERT DATA { GRAPH $derived {
  $derived a <http://www.w3.org/ns/prov#Entity> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Collaborations derived from good practices"@en ;
    <http://purl.org/dc/terms/description> "One ci:DerivedTie per pair of organisations and good practice, where one runs the practice and the other is named its partner. Neither organisation stated these collaborations; crossinnov derives them from the practices and recomputes them whenever a practice is written."@en .
} } ;
INSERT { GRAPH $derived {
  ?tie a <https://w3id.org/crossinnov/ontology#DerivedTie> ;
    <https://w3id.org/crossinnov/ontology#tieBetween> ?op , ?partner ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> ?practice .
} }
WHERE {
  GRAPH ?g {
    ?practice <https://w3id.org/crossinnov/ontology#operatedBy> ?op ;
              <https://w3id.org/crossinnov/ontology#hasPartner> ?partner .
  }
  FILTER(?g != $derived && ?op != ?partner && isIRI(?op) && isIRI(?partner))
  BIND(IF(STR(?op) < STR(?partner), ?op, ?partner) AS ?a)
  BIND(IF(STR(?op) < STR(?partner), ?partner, ?op) AS ?b)
  BIND(IRI(CONCAT(STR($derived), "#", REPLACE(STR(?practice), "^.*/", ""), "--",
                  REPLACE(STR(?a), "^.*/", ""), "--", REPLACE(STR(?b), "^.*/", ""))) AS ?tie)
} ;
INSERT { GRAPH $closure {
  ?o <https://w3id.org/crossinnov/ontology#collaboratesWith> ?s .
  ?s <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> ?o .
} }
WHERE {
  GRAPH ?g { ?s <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o }
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
  GRAPH $derived { ?tie <https://w3id.org/crossinnov/ontology#tieBetween> ?s , ?o }
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
