# Record a change in the changelog graph and move the dataset's modification time.
# $changelog: the changelog graph; $dataset: the dataset IRI; $time: xsd:dateTime;
# $activity: triples describing the change (a prov:Activity), written by pyoxigraph.
DELETE { GRAPH $changelog { $dataset <http://purl.org/dc/terms/modified> ?old } }
WHERE { GRAPH $changelog { $dataset <http://purl.org/dc/terms/modified> ?old } } ;
INSERT DATA { GRAPH $changelog {
$dataset <http://purl.org/dc/terms/modified> $time .
$activity
} }
