"""The ETL: `python -m etl`. Builds the DuckDB database the app reads.

Modules: `goal_files` reads and validates goal YAML, `reference` reads SDG/CRC reference
data, `snapshot` reads the bundled Kolada snapshot, `pipeline` builds a database,
`publish` swaps it into place atomically, `bundle` (maintainers only) cuts the bundled
snapshot from the full data in ../shared.
"""
