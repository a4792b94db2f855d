"""Publishing the dataset, free of Flask: its own descriptions — VoID, DCAT, SPARQL Service
Description (:mod:`.describe`). Content negotiation is in :mod:`crossinnov.formats`."""
