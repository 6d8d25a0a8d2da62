"""Agenda 2030: goals × the 17 global goals, coverage, drill-down and status by SDG."""

import streamlit as st

from ui import components
from ui.agenda import render_agenda

kommun = components.require_municipality(st.session_state.get("kommun_valid"))
render_agenda(kommun, components.municipality_name(kommun))
