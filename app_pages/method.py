"""Metod: how statuses and forecasts are made, the back-test figures, and a what-if."""

import streamlit as st

from ui.method import render_method

render_method(st.session_state.get("kommun_valid"))
