"""Målpuls: entry point. Page config, navigation and the shared sidebar; no logic.

Run with `make run` (or `streamlit run app.py`).
"""

import streamlit as st

from core.errors import MalpulsError
from ui import components
from ui.accessibility import render_accessibility_fixes
from ui.auth import render_signed_in_user, require_sign_in
from ui.judging_date import render_judging_date_picker

st.set_page_config(page_title="Målpuls", page_icon=":material/flag:", layout="wide")
# Before anything that can stop the run, so an error page is Swedish too.
render_accessibility_fixes()
# With sign-in on (an [auth] section in the secrets), nobody gets further without it.
require_sign_in()

page = st.navigation(
    [
        st.Page(
            "app_pages/overview.py",
            title="Översikt",
            icon=":material/flag:",
            default=True,
        ),
        st.Page("app_pages/goal.py", title="Mål", icon=":material/target:", url_path="mal"),
        st.Page(
            "app_pages/targets.py",
            title="Målvärden",
            icon=":material/insights:",
            url_path="malvarden",
        ),
        st.Page(
            "app_pages/explorer.py",
            title="Utforska",
            icon=":material/search:",
            url_path="utforska",
        ),
        st.Page(
            "app_pages/agenda.py",
            title="Agenda 2030",
            icon=":material/public:",
            url_path="agenda-2030",
        ),
        st.Page(
            "app_pages/reports.py",
            title="Rapporter",
            icon=":material/description:",
            url_path="rapporter",
        ),
        st.Page(
            "app_pages/method.py", title="Metod", icon=":material/functions:", url_path="metod"
        ),
        st.Page(
            "app_pages/about.py", title="Om data", icon=":material/database:", url_path="om-data"
        ),
        st.Page(
            "app_pages/accessibility.py",
            title="Tillgänglighet",
            icon=":material/accessibility:",
            url_path="tillganglighet",
        ),
    ]
)
try:
    municipality_id = components.render_municipality_picker()
    st.session_state["kommun_valid"] = municipality_id
    day = render_judging_date_picker(municipality_id) if municipality_id else None
    st.session_state["_judging_day"] = day
    components.render_sidebar_footer(day.data_line if day else None)
    render_signed_in_user()
    page.run()
except MalpulsError as exc:
    components.render_error(exc)
