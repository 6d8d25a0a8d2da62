"""Agenda 2030: goals × the 17 global goals, coverage, drill-down and status by SDG."""

import streamlit as st

from ui import components
from ui.agenda import render_agenda

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_agenda(municipality_id, components.municipality_name(municipality_id))
