# closure_clear.ru for one organisation, named as a constant in each pattern so that the
# store looks its links up in its indexes instead of reading the whole closure graph
# (about 30-80 ms at 100 000 organisations, for every profile write, on the disk and on
# every query worker). $closure: the closure graph; $org: the organisation.
DELETE WHERE { GRAPH $closure { $org <https://w3id.org/crossinnov/ontology#collaboratesWith> ?o1 } } ;
DELETE WHERE { GRAPH $closure { $org <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> ?o2 } } ;
DELETE WHERE { GRAPH $closure { ?s1 <https://w3id.org/crossinnov/ontology#collaboratesWith> $org } } ;
DELETE WHERE { GRAPH $closure { ?s2 <https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy> $org } }
