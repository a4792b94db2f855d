# Move a profile graph's record (see crossinnov.writes.profile_record) to a new time, for
# a graph changed by someone else's write (a link removed because its target was deleted
# or declined it). A graph without a record (not a profile) is left as it is.
# $graph: the graph IRI; $time: the xsd:dateTime of the change.
DELETE { GRAPH $graph {
  $graph <http://purl.org/dc/terms/modified> ?modified .
  $graph <http://www.w3.org/ns/prov#generatedAtTime> ?generated .
} }
INSERT { GRAPH $graph {
  $graph <http://purl.org/dc/terms/modified> $time .
  $graph <http://www.w3.org/ns/prov#generatedAtTime> $time .
} }
WHERE { GRAPH $graph {
  $graph <http://purl.org/dc/terms/modified> ?modified .
  OPTIONAL { $graph <http://www.w3.org/ns/prov#generatedAtTime> ?generated }
} }
