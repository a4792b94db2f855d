# Move the end of this holder's lease on, if it still holds one (crossinnov.analysis.lease).
# $graph: the lease graph; $node: this holder's lease; $until: its new end, xsd:dateTime.
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { GRAPH $graph { $node prov:invalidatedAtTime ?end } }
INSERT { GRAPH $graph { $node prov:invalidatedAtTime $until } }
WHERE { GRAPH $graph { $node prov:invalidatedAtTime ?end } }
