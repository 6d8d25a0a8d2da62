"""core.roles: the roles file is parsed and every mistake is named (file, field, what is
wrong, in Swedish); emails match in any case; who may edit and reopen what. Plus ui.auth's
reader, which turns a missing, unreadable or invalid file into the right answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.roles import (
    NO_ROLES_FILE,
    OPEN_USER,
    ROLES,
    RolesConfig,
    RolesFileError,
    User,
    can_edit,
    can_reopen,
    parse_roles,
)

FILE = "roles.toml"
ANNA = {"email": "Anna.Andersson@Norberg.se", "role": "rapportör", "kommun": "1962"}


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(RolesFileError) as info:
        parse_roles(raw, FILE)
    assert info.value.title == "Fel i rollfilen"
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------------- parsing


def test_a_full_file_parses() -> None:
    roles = parse_roles(
        {
            "signed_in": "läsare",
            "user": [
                {**ANNA, "frameworks": ["ks"], "areas": ["omrade-1", "omrade-2"]},
                {"email": "chef@vaggeryd.se", "role": "administratör"},
                {"email": "lasare@vetlanda.se", "role": "läsare"},
            ],
        },
        FILE,
    )
    assert roles.signed_in == "läsare"
    assert [u.email for u in roles.users] == [
        "anna.andersson@norberg.se",
        "chef@vaggeryd.se",
        "lasare@vetlanda.se",
    ]
    assert roles.users[0] == User(
        email="anna.andersson@norberg.se",
        name="Anna.Andersson@Norberg.se",
        role="rapportör",
        kommun="1962",
        frameworks=("ks",),
        areas=("omrade-1", "omrade-2"),
    )
    assert roles.users[1].kommun is None and roles.users[1].frameworks == ()


def test_an_empty_file_lets_nobody_in() -> None:
    """Nothing listed, and the default for everyone else is "ingen": a roles file that
    exists is a closed door until someone is named."""
    roles = parse_roles({}, FILE)
    assert roles == RolesConfig(signed_in="ingen", users=())
    assert roles.user_for("vem@som.helst.se", "Vem Som Helst") is None


def test_user_for_matches_email_in_any_case_and_keeps_the_provider_name() -> None:
    roles = parse_roles({"user": [ANNA]}, FILE)
    for email in (
        "anna.andersson@norberg.se",
        "ANNA.ANDERSSON@NORBERG.SE",
        " Anna.Andersson@norberg.se ",
    ):
        user = roles.user_for(email, "Anna Andersson")
        assert user is not None
        assert (user.email, user.name, user.role, user.kommun) == (
            "anna.andersson@norberg.se",
            "Anna Andersson",
            "rapportör",
            "1962",
        )
    # No name from the provider: the address stands in for it.
    assert roles.user_for("anna.andersson@norberg.se", "").name == "anna.andersson@norberg.se"


@pytest.mark.parametrize(
    ("signed_in", "expected"),
    [("ingen", None), ("läsare", "läsare")],
)
def test_someone_not_listed_gets_the_signed_in_role(signed_in: str, expected: str | None) -> None:
    roles = parse_roles({"signed_in": signed_in, "user": [ANNA]}, FILE)
    user = roles.user_for("Okand@Example.se", "Okänd")
    assert (user.role if user else None) == expected
    if user:
        assert (user.email, user.kommun, user.frameworks, user.areas) == (
            "okand@example.se",
            None,
            (),
            (),
        )


def test_without_a_roles_file_everyone_signed_in_reads() -> None:
    user = NO_ROLES_FILE.user_for("vem@som.helst.se", "Vem")
    assert user is not None and user.role == "läsare"


def test_open_mode_user_is_a_local_administrator() -> None:
    assert OPEN_USER.name == "Lokal användare"
    assert OPEN_USER.role == "administratör"
    assert can_reopen(OPEN_USER)
    assert can_edit(OPEN_USER, "0665", "ks", None)


# ---------------------------------------------------------------------- validation

CASES = [
    # (what the file says, the one problem expected: field, then words of the message)
    ({"user": [{**ANNA, "role": "rapportor"}]}, "user[0].role", "okänd roll 'rapportor'"),
    (
        {
            "user": [
                ANNA,
                {"email": "b@c.se", "role": "läsare"},
                {"email": "c@d.se", "role": "admin"},
            ]
        },
        "user[2].role",
        "giltiga roller: läsare, rapportör, administratör",
    ),
    (
        {"user": [{"email": "anna@norberg.se", "role": "rapportör"}]},
        "user[0].kommun",
        "en rapportör måste ha en kommun",
    ),
    (
        {"user": [ANNA, {**ANNA, "email": "ANNA.andersson@norberg.se"}]},
        "user[1].email",
        "står redan i user[0]",
    ),
    ({"user": [{**ANNA, "kommun": "196"}]}, "user[0].kommun", "'196' är ingen kommunkod"),
    ({"user": [{**ANNA, "kommun": 1962}]}, "user[0].kommun", "kommunkod inom citattecken"),
    ({"user": [{**ANNA, "email": "anna"}]}, "user[0].email", "'anna' är ingen e-postadress"),
    ({"user": [{**ANNA, "epost": "x"}]}, "user[0].epost", "okänd nyckel; giltiga nycklar: email"),
    ({"users": []}, "users", "okänd nyckel; giltiga nycklar: signed_in, user"),
    ({"signed_in": "alla"}, "signed_in", 'skriv "ingen" eller "läsare"'),
    ({"signed_in": "administratör"}, "signed_in", 'skriv "ingen" eller "läsare"'),
    ({"user": [{"role": "läsare"}]}, "user[0].email", "saknas"),
    ({"user": [{**ANNA, "frameworks": "ks"}]}, "user[0].frameworks", "måste vara en lista"),
    ({"user": [{**ANNA, "areas": ["Område 1"]}]}, "user[0].areas[0]", "'Område 1' är inget id"),
    (
        {"user": [{"email": "l@norberg.se", "role": "läsare", "kommun": "1962"}]},
        "user[0].kommun",
        "gäller bara rollen rapportör, inte läsare",
    ),
    (
        {"user": [{"email": "a@norberg.se", "role": "administratör", "areas": ["a"]}]},
        "user[0].areas",
        "gäller bara rollen rapportör, inte administratör",
    ),
    ({"user": {"email": "a@b.se"}}, "user", "måste vara tabeller [[user]]"),
    ({"user": ["a@b.se"]}, "user[0]", "måste vara en tabell [[user]]"),
]


@pytest.mark.parametrize(("raw", "field", "words"), CASES, ids=[c[1] + ":" + c[2] for c in CASES])
def test_each_mistake_is_named_with_file_field_and_what(
    raw: dict[str, Any], field: str, words: str
) -> None:
    problems = _problems(raw)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{FILE}: {field}: "), problems[0]
    assert words in problems[0], problems[0]


def test_every_mistake_is_listed_at_once() -> None:
    with pytest.raises(RolesFileError) as info:
        parse_roles(
            {"signed_in": "alla", "user": [{**ANNA, "role": "chef"}, {**ANNA, "kommun": "12"}]},
            FILE,
        )
    message = str(info.value)
    assert message.startswith("3 fel i rollfilen:\n")
    assert [p.path for p in info.value.problems] == ["signed_in", "user[0].role", "user[1].kommun"]


# ------------------------------------------------------------------- permissions


def _user(role: str, kommun: str | None = None, fw: tuple = (), areas: tuple = ()) -> User:
    return User("x@norberg.se", "X", role, kommun, fw, areas)  # type: ignore[arg-type]


ADMIN = _user("administratör")
READER = _user("läsare")
REPORTER = _user("rapportör", "1962")
BY_FRAMEWORK = _user("rapportör", "1962", fw=("ks",))
BY_AREA = _user("rapportör", "1962", areas=("a1", "a2"))
BY_BOTH = _user("rapportör", "1962", fw=("ks",), areas=("a1",))

EDIT = [
    # user, municipality, framework, area (None: no area), may edit
    (ADMIN, "0665", "vag", None, True),
    (ADMIN, "1962", "ks", "a1", True),
    (READER, "1962", "ks", "a1", False),
    (REPORTER, "1962", "ks", "a1", True),
    (REPORTER, "1962", "annat", None, True),
    (REPORTER, "0665", "ks", "a1", False),  # another municipality
    (BY_FRAMEWORK, "1962", "ks", "a9", True),
    (BY_FRAMEWORK, "1962", "annat", "a1", False),
    (BY_FRAMEWORK, "0665", "ks", "a1", False),
    (BY_AREA, "1962", "ks", "a2", True),
    (BY_AREA, "1962", "annat", "a1", True),
    (BY_AREA, "1962", "ks", "a3", False),
    (BY_AREA, "1962", "ks", None, False),  # a goal outside every area
    (BY_BOTH, "1962", "ks", "a1", True),
    (BY_BOTH, "1962", "ks", "a2", False),
    (BY_BOTH, "1962", "annat", "a1", False),
]


@pytest.mark.parametrize(("user", "kommun", "framework", "area", "allowed"), EDIT)
def test_can_edit(user: User, kommun: str, framework: str, area: str | None, allowed: bool) -> None:
    assert can_edit(user, kommun, framework, area) is allowed


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(ADMIN, True), (OPEN_USER, True), (READER, False), (REPORTER, False), (BY_BOTH, False)],
)
def test_only_an_administrator_reopens(user: User, allowed: bool) -> None:
    assert can_reopen(user) is allowed


def test_roles_are_the_three_named() -> None:
    assert ROLES == ("läsare", "rapportör", "administratör")


# ------------------------------------------------------------ reading the file (ui.auth)


def test_read_roles_missing_file_means_everyone_signed_in_reads(tmp_path: Path) -> None:
    from ui.auth import read_roles

    assert read_roles(tmp_path / "roles.toml") is NO_ROLES_FILE


def test_read_roles_reads_the_example_file() -> None:
    """roles.example.toml, as shipped, is a valid roles file."""
    from config import PROJECT_ROOT
    from ui.auth import read_roles

    roles = read_roles(PROJECT_ROOT / "roles.example.toml")
    assert {u.role for u in roles.users} == set(ROLES)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'signed_in = "ingen"\n[[user]]\nemail = "a@b.se"\nrole = "chef"\n',
            "user[0].role: okänd roll",
        ),
        ("signed_in = \n", "kan inte läsas"),
        (b"\xff\xfe", "kan inte läsas"),
    ],
)
def test_read_roles_names_the_file(tmp_path: Path, text: str | bytes, words: str) -> None:
    from ui.auth import read_roles

    path = tmp_path / "roles.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(RolesFileError) as info:
        read_roles(path)
    assert str(info.value).startswith(f"{path}: ")
    assert words in str(info.value)


def test_open_mode_app_runs_as_the_local_administrator(tiny_env: object) -> None:
    """No [auth] in the secrets: the app runs as before, with the sidebar saying so, and
    current_user() is the open-mode administratör."""
    from streamlit.testing.v1 import AppTest

    from config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.query_params["kommun"] = "1962"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Översikt – Norberg"
    captions = [c.value for c in at.sidebar.caption]
    assert "Inloggning är avstängd: alla som når appen kan läsa och ändra." in captions
    assert not [b for b in at.button if b.label in ("Logga in", "Logga ut")]


def test_an_unreadable_secrets_file_does_not_open_the_app(tiny_env: object, tmp_path: Path) -> None:
    """Streamlit treats a secrets file it cannot parse like no file; the app must not then
    run open (sign-in may be what the file was meant to turn on)."""
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from config import PROJECT_ROOT

    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth]\nredirect_uri = "http://x/oauth2callback\n', encoding="utf-8")
    old = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(bad)])
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
        at.query_params["kommun"] = "1962"
        at.run()
    finally:
        st_config.set_option("secrets.files", old)
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        f"**Fel i secrets.toml**\n\n{bad} kan inte läsas (är det giltig TOML?). Rätta filen "
        "och starta om appen; utan den vet Målpuls inte om inloggning ska gälla."
    ]
    assert not at.title  # no page ran
