"""All SQL lives here: schema.sql (DDL), connection (opening files), load (writes),
queries (parameterised reads)."""
