"""Pure domain logic for Målpuls: goal model, validation, formatting.

Nothing in this package does I/O: no streamlit, duckdb, requests, files or clock.
A test (tests/test_import_hygiene.py) holds that rule.
"""
