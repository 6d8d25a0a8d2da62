"""Sign-in end to end, for the browser tests: a real OpenID Connect provider
(oidc-provider-mock, a Flask app built on Authlib's server side) on 127.0.0.1, the real app
under `streamlit run` with an [auth] section pointing at it, and `sign_in`, which goes
through the provider's own login form as a person would.

    with run_provider() as provider, run_auth_app(provider, data_dir, roles) as app:
        add_person(provider, "anna@norberg.se", "Anna Andersson")
        page.goto(app)
        sign_in(page, "anna@norberg.se")

The provider accepts any client id and secret and any redirect URI (no registration), and
signs in whoever's subject is typed into its form; `add_person` gives that subject an
email and a name, as a real directory would. Used by tests/test_browser_auth.py and by the
assessment and upload tests, which sign in a rapportör and a läsare.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
import werkzeug.serving
from playwright.sync_api import Page, expect

from tests.test_browser import _free_port, _settled, run_app

# Authlib refuses OAuth over plain http unless told otherwise; the provider runs in this
# process, Streamlit's client in the app's.
INSECURE_OK = {"AUTHLIB_INSECURE_TRANSPORT": "1"}
COOKIE_SECRET = "a-test-only-cookie-secret-of-32-bytes!"


@contextmanager
def run_provider() -> Iterator[str]:
    """An OIDC provider on 127.0.0.1 at a free port, in a thread of this process, for the
    duration of the block; yields its base URL (discovery at
    `<url>/.well-known/openid-configuration`)."""
    import authlib.deprecate  # noqa: F401 (first: it puts an "always" filter in front)

    with warnings.catch_warnings():  # the provider imports Authlib modules Authlib deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

    old = {k: os.environ.get(k) for k in INSECURE_OK}
    os.environ.update(INSECURE_OK)
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def add_person(provider: str, email: str, name: str) -> None:
    """Make `email` a person the provider knows, with these claims in the ID token (the
    subject is the email too, so `sign_in` types it)."""
    r = requests.put(
        f"{provider}/users/{quote(email, safe='')}",
        json={"email": email, "name": name},
        timeout=10,
    )
    r.raise_for_status()


def write_secrets(folder: Path, provider: str, port: int) -> Path:
    """A secrets.toml with the standard [auth] keys pointing at `provider`, for an app on
    127.0.0.1:`port`."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "malpuls-test"\n'
        'client_secret = "malpuls-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


@contextmanager
def run_auth_app(provider: str, data_dir: Path, roles: Path, folder: Path) -> Iterator[str]:
    """The app under `streamlit run` on 127.0.0.1 with sign-in on: its secrets file (written
    into `folder`) points at `provider`, MALPULS_DATA_DIR at `data_dir` (a built database)
    and MALPULS_ROLES at `roles`. Yields the app's base URL."""
    port = _free_port()
    secrets = write_secrets(folder, provider, port)
    env = {
        **INSECURE_OK,
        "MALPULS_DATA_DIR": str(data_dir),
        "MALPULS_ROLES": str(roles),
    }
    with run_app(
        env, "--secrets.files", str(secrets), log=folder / "streamlit.log", port=port
    ) as url:
        yield url


def sign_in(page: Page, email: str) -> None:
    """From the app's sign-in page: press Logga in, type `email` as the subject in the
    provider's form and authorize; returns once the app has loaded again (signed in, or
    turned away)."""
    _settled(page)
    page.get_by_role("button", name="Logga in").click()
    subject = page.locator('input[name="sub"]')
    expect(subject).to_be_visible()
    subject.fill(email)
    page.get_by_role("button", name="Authorize").click()
    # In the sidebar (closed on a phone) when signed in, on the page when turned away.
    expect(page.get_by_role("button", name="Logga ut")).to_be_attached()
    _settled(page)


def sign_out(page: Page) -> None:
    """Press Logga ut (sidebar or the no-access page) and confirm at the provider's end
    session page; returns on the app's sign-in page."""
    _settled(page)
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
