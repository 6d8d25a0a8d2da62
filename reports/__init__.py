"""Frozen interim reports: freezing one from the database (freeze.py), storing and reading
them (store.py), and the Excel and Word exports (excel.py, word.py). The report model and
the comparison between two reports are pure, in core/reports.py."""
