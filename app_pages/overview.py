"""Översikt: areas → goals → indicators for the chosen municipality."""

import streamlit as st

from ui import components
from ui.overview import render_overview

municipality_id = components.require_municipality(st.session_state.get("kommun_valid"))
render_overview(municipality_id, components.municipality_name(municipality_id))
