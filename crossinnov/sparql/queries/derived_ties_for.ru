# Derive the ties some good practices imply (one ci:DerivedTie per pair of organisations and
# practice: the practice's operator and each of its partners), in the graph of derived
# ties, replacing what was derived from these practices before. The ties' plain
# ci:collaboratesWith links are kept in the closure graph (closure_add.ru), only while
# neither organisation states the link itself and neither declines it. A tie's IRI is
# a fragment of the graph: {graph}#{practice}--{organisation}--{organisation}, the two
# organisations in IRI order, so the same pair and practice always give the same tie.
# $derived: the graph of derived ties; $practices: the practices written.
DELETE { GRAPH $derived { ?tie ?p ?o } }
WHERE {
  VALUES ?practice { $practices }
  GRAPH $derived { ?tie <http://www.w3.org/ns/prov#wasDerivedFrom> ?practice ; ?p ?o }
} ;
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
  VALUES ?practice { $practices }
  GRAPH ?g {
    ?practice <https://w3id.org/crossinnov/ontology#operatedBy> ?op ;
              <https://w3id.org/crossinnov/ontology#hasPartner> ?partner .
  }
  FILTER(?g != $derived && ?op != ?partner && isIRI(?op) && isIRI(?partner))
  BIND(IF(STR(?op) < STR(?partner), ?op, ?partner) AS ?a)
  BIND(IF(STR(?op) < STR(?partner), ?partner, ?op) AS ?b)
  BIND(IRI(CONCAT(STR($derived), "#", REPLACE(STR(?practice), "^.*/", ""), "--",
                  REPLACE(STR(?a), "^.*/", ""), "--", REPLACE(STR(?b), "^.*/", ""))) AS ?tie)
}
