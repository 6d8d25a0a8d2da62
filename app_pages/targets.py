"""Målvärden: nulägesbild and proposed delmål per goal and indicator (issue 16)."""

import streamlit as st

from ui import components
from ui.targets import render_targets_page

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_targets_page(municipality_id, components.municipality_name(municipality_id))
