"""Mål: one goal with its indicators, charts, explanations, links and conflicts."""

import streamlit as st

from ui import components
from ui.goal import render_goal_page

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_goal_page(municipality_id, components.municipality_name(municipality_id))
