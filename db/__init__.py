"""All SQL lives here: schema.sql (DDL), connection (opening files), load (writes),
queries (parameterised reads)."""

# Scalar reads use `.fetchall()[0][0]`, not `.fetchone()[0]`: DuckDB 2.0 keeps a result
# open until a fetch returns no rows, and an open result blocks `register` and friends on
# the same connection.
