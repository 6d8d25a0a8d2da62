"""Utforska: find, filter, compare and download any indicator."""

import streamlit as st

from ui import components
from ui.explorer import render_explorer

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_explorer(municipality_id, components.municipality_name(municipality_id))
