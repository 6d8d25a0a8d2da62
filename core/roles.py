"""Who may do what when sign-in is on (issue 19): the roles file's model, its validation,
and the permission rules the assessment and upload pages ask.

Three roles, in Swedish as the users say them:
- läsare: reads everything, writes nothing;
- rapportör: also writes assessments and uploads local indicator values, for one
  municipality, and optionally only for some of its frameworks and/or areas;
- administratör: everything, including reopening a signed-off assessment.

The file (roles.toml, or MALPULS_ROLES) lists people by the email they sign in with;
`signed_in` says what anyone else who signs in gets ("ingen" turns them away). Reading the
file is ui.auth's business; this module only parses the mapping tomllib gave it, so it
stays pure. Without sign-in (no [auth] in Streamlit's secrets) the app runs open and
everyone is OPEN_USER, an administratör: local use on one's own machine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from core.errors import MalpulsError, Problem, ProblemsError, field_path
from core.goals import ID_RE, KOMMUN_RE

Role = Literal["läsare", "rapportör", "administratör"]
ROLES: tuple[Role, ...] = ("läsare", "rapportör", "administratör")
# What someone who signs in but is not listed gets. A rapportör needs a municipality, so it
# cannot be everyone's default; an administratör for everyone would be open mode with extra
# steps, so neither is allowed here.
DefaultRole = Literal["ingen", "läsare"]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


class RolesFileError(ProblemsError):
    """The roles file is invalid; every problem is listed as `file: field: what is wrong`."""

    title = "Fel i rollfilen"
    where = "rollfilen"


class AccessDeniedError(MalpulsError):
    """The signed-in person is not allowed in (not listed, and `signed_in = "ingen"`)."""

    title = "Du har inte behörighet"


@dataclass(frozen=True)
class User:
    """A person as the app sees them. Empty `frameworks`/`areas` mean no restriction."""

    email: str  # lower case: compared case-insensitively
    name: str
    role: Role
    kommun: str | None = None  # a rapportör's municipality; None for the other roles
    frameworks: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


OPEN_USER = User(email="", name="Lokal användare", role="administratör")
"""Everyone, when sign-in is off: the app runs on someone's own machine (or behind a door
the municipality controls), so local use can write assessments."""


# ------------------------------------------------------------------ the file's model

_Id = Annotated[str, StringConstraints(pattern=ID_RE.pattern)]


class _Model(BaseModel):
    # extra="forbid": a misspelt key is an error naming the key, never a silent default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class _UserEntry(_Model):
    email: str = Field(pattern=EMAIL_RE.pattern)
    role: Role
    kommun: str | None = Field(default=None, pattern=KOMMUN_RE.pattern)
    frameworks: tuple[_Id, ...] = ()
    areas: tuple[_Id, ...] = ()


class _RolesFile(_Model):
    signed_in: DefaultRole = "ingen"
    user: tuple[_UserEntry, ...] = ()


@dataclass(frozen=True)
class RolesConfig:
    """The parsed roles file: who is listed, and what everyone else gets."""

    signed_in: DefaultRole = "ingen"
    users: tuple[User, ...] = ()

    def user_for(self, email: str, name: str = "") -> User | None:
        """The User for someone who signed in as `email` (any case), named `name` by the
        provider; None when they are not allowed in."""
        key = email.strip().lower()
        shown = name.strip() or email.strip()
        for listed in self.users:
            if listed.email == key:
                return User(
                    email=key,
                    name=shown,
                    role=listed.role,
                    kommun=listed.kommun,
                    frameworks=listed.frameworks,
                    areas=listed.areas,
                )
        if self.signed_in == "läsare":
            return User(email=key, name=shown, role="läsare")
        return None


NO_ROLES_FILE = RolesConfig(signed_in="läsare")
"""Sign-in on but no roles file: everyone who signs in reads, nobody writes. Signing in
already keeps strangers out; writing needs someone to be named."""


def parse_roles(raw: Mapping[str, Any], file_name: str) -> RolesConfig:
    """The roles in `raw` (the mapping tomllib read from `file_name`). Raises RolesFileError
    listing every problem at once, in Swedish, each naming the file and the field."""
    try:
        parsed = _RolesFile.model_validate(dict(raw))
    except ValidationError as exc:
        raise RolesFileError(
            [Problem(file_name, field_path(e["loc"]), _explain(e)) for e in exc.errors()]
        ) from None  # the problems say it all; pydantic's own text is English
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    users: list[User] = []
    for i, entry in enumerate(parsed.user):
        where = f"user[{i}]"
        email = entry.email.lower()
        if email in seen:
            problems.append(
                Problem(
                    file_name,
                    f"{where}.email",
                    f"{entry.email} står redan i user[{seen[email]}] "
                    "(e-postadresser jämförs utan hänsyn till versaler)",
                )
            )
        seen.setdefault(email, i)
        if entry.role == "rapportör" and entry.kommun is None:
            problems.append(
                Problem(
                    file_name,
                    f"{where}.kommun",
                    'saknas: en rapportör måste ha en kommun, t.ex. kommun = "1962"',
                )
            )
        if entry.role != "rapportör":
            for field in ("kommun", "frameworks", "areas"):
                if getattr(entry, field):
                    problems.append(
                        Problem(
                            file_name,
                            f"{where}.{field}",
                            f"gäller bara rollen rapportör, inte {entry.role}",
                        )
                    )
        users.append(
            User(
                email=email,
                name=entry.email,
                role=entry.role,
                kommun=entry.kommun,
                frameworks=entry.frameworks,
                areas=entry.areas,
            )
        )
    if problems:
        raise RolesFileError(problems)
    return RolesConfig(signed_in=parsed.signed_in, users=tuple(users))


# ------------------------------------------------------------------ permissions


def can_edit(user: User, municipality_id: str, framework_id: str, area_id: str | None) -> bool:
    """May `user` write an assessment or upload local values for a goal of
    `municipality_id` in `framework_id`, placed in `area_id` (None: the goal has no area)?
    A rapportör restricted to areas may not edit goals outside every area."""
    if user.role == "administratör":
        return True
    if user.role != "rapportör" or user.kommun != municipality_id:
        return False
    if user.frameworks and framework_id not in user.frameworks:
        return False
    return not user.areas or area_id in user.areas


def can_reopen(user: User) -> bool:
    """May `user` reopen a signed-off (klar) assessment? Only an administratör."""
    return user.role == "administratör"


# ------------------------------------------------------------------ messages


def _explain(error: Any) -> str:
    """One pydantic error in Swedish: what is wrong and what would be right."""
    loc, kind = error["loc"], error["type"]
    leaf = str(loc[-1]) if loc else ""
    got = error.get("input")
    if kind == "extra_forbidden":
        valid = _UserEntry.model_fields if len(loc) > 1 else _RolesFile.model_fields
        return f"okänd nyckel; giltiga nycklar: {', '.join(valid)}"
    if kind == "missing":
        return "saknas"
    if kind == "literal_error":
        if leaf == "signed_in":
            return f'okänt värde {got!r}; skriv "ingen" eller "läsare"'
        return f"okänd roll {got!r}; giltiga roller: {', '.join(ROLES)}"
    if kind == "string_pattern_mismatch":
        if leaf == "kommun":
            return f'{got!r} är ingen kommunkod: fyra siffror inom citattecken, t.ex. "1962"'
        if leaf == "email":
            return f"{got!r} är ingen e-postadress"
        return f"{got!r} är inget id: små bokstäver a-z, siffror och bindestreck"
    if kind == "string_type":
        if leaf == "kommun":
            return f'måste vara en kommunkod inom citattecken, t.ex. "1962", inte {got!r}'
        return f"måste vara en sträng inom citattecken, inte {got!r}"
    if kind in ("tuple_type", "list_type"):
        if loc == ("user",):
            return "måste vara tabeller [[user]], en för varje person"
        return f'måste vara en lista av strängar, som ["a", "b"], inte {got!r}'
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "måste vara en tabell [[user]] med nycklar"
    return str(error.get("msg", "ogiltigt värde"))
