"""The only package besides app.py and pages/ that imports streamlit: cached data access,
small components, and the one place that shows errors."""
