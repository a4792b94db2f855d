"""Everything that changes the store: whole-graph replacement with a changelog
(:mod:`.changes`), validate-then-write for loads (:mod:`.load`), the profile service behind
the API and the forms (:mod:`.profiles`), and who may write (:mod:`.tokens`)."""
