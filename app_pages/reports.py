"""Rapporter: frozen interim reports, what changed, exports, status per checkpoint."""

import streamlit as st

from ui import components
from ui.reports import render_reports

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_reports(municipality_id, components.municipality_name(municipality_id))
