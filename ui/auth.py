"""Sign-in with Streamlit's own st.login (OIDC) and the roles file (issue 19).

Sign-in is on when Streamlit's secrets have an [auth] section (README, "Sign-in and
roles"); without one the app runs open and everyone is core.roles.OPEN_USER. app.py calls
`require_sign_in()` before anything else is drawn and `render_signed_in_user()` in the
sidebar; pages ask `current_user()` and the permission functions of core.roles, never
st.user, so they hold no sign-in logic of their own.

Streamlit's callback always lands on the start page after sign-in. So a shared link still
leads where it pointed, the sign-in page keeps the address in the tab's sessionStorage and
the first signed-in run goes back to it (same origin only, a path, never another site).
"""

from __future__ import annotations

import tomllib
from html import escape
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from config import Paths
from core.errors import MalpulsError, Problem
from core.roles import (
    NO_ROLES_FILE,
    OPEN_USER,
    AccessDeniedError,
    RolesConfig,
    RolesFileError,
    User,
    parse_roles,
)
from ui import components

_USER_KEY = "_malpuls_user"  # (identity, User, note) for this session
_FOLLOWED_KEY = "_malpuls_followed_link"
_NEXT = "malpuls-next"  # sessionStorage key of the address the sign-in page was opened at

# Runs in the page (as ui.accessibility's lang script does): remember where the visitor
# was going, unless it is the start page itself.
_REMEMBER_SCRIPT = f"""<script>
(() => {{
  const here = window.location.pathname + window.location.search;
  if (here !== "/") window.sessionStorage.setItem("{_NEXT}", here);
}})();
</script>"""
# Once per signed-in session: go back to the remembered address. Only a path on this site
# ("/…", not "//host"), so a crafted value cannot send anyone elsewhere.
_FOLLOW_SCRIPT = f"""<script>
(() => {{
  const next = window.sessionStorage.getItem("{_NEXT}");
  window.sessionStorage.removeItem("{_NEXT}");
  const here = window.location.pathname + window.location.search;
  if (next && next.startsWith("/") && !next.startsWith("//") && next !== here) {{
    window.location.replace(next);
  }}
}})();
</script>"""


# The sign-in and no-access pages have nothing for the sidebar (it only holds the page's
# language script, ui.accessibility, which has run by then): an empty grey column, and on a
# phone a button opening it, would only puzzle.
_NO_SIDEBAR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"] { display: none; }
</style>"""


# A paragraph of st.html, spaced as st.markdown's (whose own margin st.html adds to).
_P = '<p style="margin:0">'


def sign_in_enabled() -> bool:
    """True when Streamlit's secrets have an [auth] section (then st.login works)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # Streamlit's error for "no secrets" derives from it
        # ... and for a secrets file it cannot parse: that must not open the app to all.
        broken = [f for f in st.get_option("secrets.files") if Path(f).is_file()]
        if broken:
            raise MalpulsError(
                f"{broken[-1]} kan inte läsas (är det giltig TOML?). Rätta filen och starta "
                "om appen; utan den vet Målpuls inte om inloggning ska gälla.",
                title="Fel i secrets.toml",
            ) from None
        return False


def read_roles(path: Path) -> RolesConfig:
    """The roles file at `path`; NO_ROLES_FILE (everyone signed in reads) when there is
    none. Raises RolesFileError when it cannot be read or is invalid."""
    if not path.exists():
        return NO_ROLES_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RolesFileError([Problem(str(path), "", f"kan inte läsas ({exc})")]) from None
    return parse_roles(raw, str(path))


def _identity() -> tuple[str, str]:
    """(who, name) from the provider's claims: the email, else preferred_username (Entra
    ID's sign-in name), else the subject id."""
    info = st.user
    who = info.get("email") or info.get("preferred_username") or info.get("sub") or ""
    return str(who), str(info.get("name") or "")


def current_user() -> User:
    """The person using this session: OPEN_USER when sign-in is off. Worked out once per
    session (a changed roles file counts from the next page load, a new session). Raises
    AccessDeniedError when nobody is signed in or the roles file turns them away,
    RolesFileError when the file is invalid; app.py's require_sign_in has shown those
    pages before any page runs."""
    if not sign_in_enabled():
        return OPEN_USER
    if not st.user.is_logged_in:
        raise AccessDeniedError("Du är inte inloggad.")
    who, name = _identity()
    cached = st.session_state.get(_USER_KEY)
    if cached is not None and cached[0] == who:
        return cached[1]
    path = Paths.from_env().roles_path
    user = read_roles(path).user_for(who, name)
    if user is None:
        raise AccessDeniedError(f"{who} finns inte i rollfilen.")
    note = "" if path.exists() else "Ingen rollfil: alla inloggade kan läsa men inte ändra."
    st.session_state[_USER_KEY] = (who, user, note)
    return user


def require_sign_in() -> None:
    """With sign-in on, let only an allowed, signed-in person past: anyone else sees the
    sign-in page, the no-access page, or the roles file's error, and the run stops there
    (before navigation, so no page of data runs, whatever the URL). Nothing with sign-in
    off."""
    try:
        if not sign_in_enabled():
            return
    except MalpulsError as exc:
        components.render_error(exc)
    if not st.user.is_logged_in:
        _render_sign_in_page()
        st.stop()
    try:
        current_user()
    except AccessDeniedError:
        _render_denied_page(_identity()[0])
        st.stop()
    except RolesFileError as exc:
        _render_logout_button(st.sidebar)
        components.render_error(exc)
    if not st.session_state.get(_FOLLOWED_KEY):
        st.session_state[_FOLLOWED_KEY] = True
        st.html(_FOLLOW_SCRIPT, unsafe_allow_javascript=True)


def render_signed_in_user() -> None:
    """The sidebar's last lines: who is signed in, their role, and Logga ut; or, with
    sign-in off, a note saying so."""
    if not sign_in_enabled():
        st.sidebar.caption("Inloggning är avstängd: alla som når appen kan läsa och ändra.")
        return
    user = current_user()
    note = st.session_state.get(_USER_KEY, ("", user, ""))[2]
    box = st.sidebar.container(border=True)
    box.html(f"{_P}<strong>{escape(user.name)}</strong><br>{escape(user.email)}</p>")
    box.caption(f"Roll: {describe_role(user)}")
    if note:
        box.caption(note)
    _render_logout_button(box)


def describe_role(user: User) -> str:
    """ "rapportör för Norberg (ramverk: ks; områden: a, b)", for the sidebar."""
    if user.role != "rapportör" or user.kommun is None:
        return user.role
    text = f"rapportör för {components.municipality_name(user.kommun)}"
    limits = [
        f"{label}: {', '.join(values)}"
        for label, values in (("ramverk", user.frameworks), ("områden", user.areas))
        if values
    ]
    return text + (f" ({'; '.join(limits)})" if limits else "")


def _render_sign_in_page() -> None:
    st.html(_REMEMBER_SCRIPT, unsafe_allow_javascript=True)
    st.html(_NO_SIDEBAR_CSS)
    st.title("Logga in i Målpuls")
    st.write(
        "Målpuls visar kommunens mål och hur de följs upp. Logga in med ditt konto i "
        "kommunen för att fortsätta."
    )
    if st.button("Logga in", type="primary", icon=":material/login:"):
        st.login()


def _render_denied_page(who: str) -> None:
    st.html(_NO_SIDEBAR_CSS)
    st.title("Du har inte behörighet")
    # HTML, not markdown: the markdown renderer makes any address a mailto link.
    st.html(
        f"{_P}Du är inloggad som <strong>{escape(who)}</strong>, men det kontot har inte "
        "tillgång till Målpuls. Be den som ansvarar för Målpuls i kommunen att lägga till "
        "dig, eller logga ut och logga in med ett annat konto.</p>"
    )
    _render_logout_button(st.container())


def _render_logout_button(where: DeltaGenerator) -> None:
    if where.button("Logga ut", icon=":material/logout:", key="malpuls_logout"):
        st.session_state.pop(_USER_KEY, None)
        st.logout()
