"""ETL settings from etl.toml (or MALPULS_CONFIG); every key has a default.

The file is validated against a pydantic model before anything runs: an unknown section or
key (a typo such as `max_retires`), a value of the wrong type or out of range is an error
naming the file, the key and what is wrong, never a silent default. `python -m etl` turns
the SettingsError into a message and exit code 1. Callers get the plain `Settings` value
below; the pydantic models are this module's own business.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config import Paths
from core.errors import Problem, ProblemsError, field_path
from etl.kolada_client import ClientConfig

# Where extra KPIs are fetched: "kärna" = the framework municipalities, their regions,
# Riket and their peers; "alla" = every municipality and region and Riket.
ExtraGeographies = Literal["kärna", "alla"]
EXTRA_GEOGRAPHIES: tuple[str, ...] = ("kärna", "alla")


class SettingsError(ProblemsError):
    """The settings file cannot be read or is invalid; every problem is listed as
    `file: section.key: what is wrong`."""

    title = "Fel i inställningarna"
    where = "inställningarna"


@dataclass(frozen=True)
class Settings:
    client: ClientConfig = field(default_factory=ClientConfig)
    full_reload_days: int = 7
    safety_margin_days: int = 3
    max_value_loss_share: float = 0.05
    extra_kpis: tuple[str, ...] = ()
    extra_kpi_groups: tuple[str, ...] = ()
    all_kpis: bool = False  # every KPI in the catalogue is an extra KPI
    extra_geographies: ExtraGeographies = "kärna"  # "alla": extras for every geography


# ----------------------------------------------------------------- the file's shape

# strict: TOML values are typed, so "5" or true where a number belongs is a mistake to
# report, not something to coerce (an int is still accepted where a float is expected).
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Kolada(BaseModel):
    model_config = _STRICT

    base_url: str = ClientConfig.base_url
    timeout_seconds: float = Field(ClientConfig.timeout, gt=0)
    max_retries: int = Field(ClientConfig.max_retries, ge=0)
    retry_budget_seconds: float = Field(ClientConfig.retry_budget_seconds, gt=0)
    rate_per_second: float = Field(ClientConfig.rate_per_second, gt=0)
    min_rate_per_second: float = Field(ClientConfig.min_rate_per_second, gt=0)
    concurrency: int = Field(ClientConfig.concurrency, ge=1)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"måste vara en http(s)-adress som {ClientConfig.base_url}")
        return value


class _Schedule(BaseModel):
    model_config = _STRICT

    full_reload_days: int = Field(Settings.full_reload_days, ge=0)
    safety_margin_days: int = Field(Settings.safety_margin_days, ge=0)


class _Checks(BaseModel):
    model_config = _STRICT

    max_value_loss_share: float = Field(Settings.max_value_loss_share, ge=0, le=1)


class _Scope(BaseModel):
    model_config = _STRICT

    extra_kpis: list[str] = Field(default_factory=list)
    extra_kpi_groups: list[str] = Field(default_factory=list)
    all_kpis: bool = Settings.all_kpis
    extra_geographies: ExtraGeographies = Settings.extra_geographies


class _SettingsFile(BaseModel):
    model_config = _STRICT

    kolada: _Kolada = Field(default_factory=_Kolada)
    schedule: _Schedule = Field(default_factory=_Schedule)
    checks: _Checks = Field(default_factory=_Checks)
    scope: _Scope = Field(default_factory=_Scope)

    def to_settings(self) -> Settings:
        k = self.kolada
        return Settings(
            client=ClientConfig(
                base_url=k.base_url,
                timeout=float(k.timeout_seconds),
                max_retries=k.max_retries,
                retry_budget_seconds=float(k.retry_budget_seconds),
                rate_per_second=float(k.rate_per_second),
                min_rate_per_second=float(k.min_rate_per_second),
                concurrency=k.concurrency,
            ),
            full_reload_days=self.schedule.full_reload_days,
            safety_margin_days=self.schedule.safety_margin_days,
            max_value_loss_share=float(self.checks.max_value_loss_share),
            extra_kpis=tuple(self.scope.extra_kpis),
            extra_kpi_groups=tuple(self.scope.extra_kpi_groups),
            all_kpis=self.scope.all_kpis,
            extra_geographies=self.scope.extra_geographies,
        )


SECTIONS: dict[str, tuple[str, ...]] = {
    name: tuple(model.model_fields)
    for name, model in (
        ("kolada", _Kolada),
        ("schedule", _Schedule),
        ("checks", _Checks),
        ("scope", _Scope),
    )
}
"""Every section of the settings file and its keys, in file order."""


# ------------------------------------------------------------------------- reading


def read_settings(path: Path | None = None) -> Settings:
    """The settings in `path` (default: MALPULS_CONFIG or etl.toml); defaults if the file
    does not exist. Raises SettingsError listing every problem at once."""
    path = path or Paths.from_env().settings_path
    if not path.exists():
        return Settings()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError([Problem(str(path), "", f"kan inte läsas ({exc})")]) from exc
    try:
        return _SettingsFile.model_validate(raw).to_settings()
    except ValidationError as exc:
        raise SettingsError(
            [Problem(str(path), field_path(e["loc"]), _explain(e)) for e in exc.errors()]
        ) from None  # the problems say it all; pydantic's own text is English


def _shown(value: Any) -> str:
    """A value as it looks in TOML (strings quoted, true/false, 0 not 0.0), for messages."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _guess(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1)
    return f" (menade du {close[0]}?)" if close else ""


def _unknown(loc: tuple[int | str, ...]) -> str:
    name = str(loc[-1])
    if len(loc) > 1:
        keys = list(SECTIONS.get(str(loc[0]), ()))
        return f"okänd nyckel{_guess(name, keys)}; giltiga nycklar i [{loc[0]}]: {', '.join(keys)}"
    home = [s for s, keys in SECTIONS.items() if name in keys]
    if home:
        return f"nyckeln hör hemma i sektionen [{home[0]}]"
    sections = [f"[{s}]" for s in SECTIONS]
    return f"okänd sektion{_guess(f'[{name}]', sections)}; giltiga sektioner: {', '.join(sections)}"


def _explain(error: Any) -> str:
    """One pydantic error in Swedish, saying what is wrong and what would be right."""
    loc, kind, ctx = error["loc"], error["type"], error.get("ctx") or {}
    got = f", inte {_shown(error['input'])}"
    if kind == "extra_forbidden":
        return _unknown(loc)
    if kind == "model_type":
        return f"måste vara en sektion [{loc[0]}] med nycklar{got}"
    messages = {
        "int_type": "måste vara ett heltal",
        "float_type": "måste vara ett tal",
        "string_type": "måste vara en sträng inom citattecken",
        "list_type": 'måste vara en lista av strängar, som ["A", "B"]',
        "bool_type": "måste vara true eller false",
        "literal_error": "måste vara "
        + " eller ".join(_shown(v) for v in _expected(ctx.get("expected", ""))),
        "greater_than": f"måste vara större än {_shown(ctx.get('gt'))}",
        "greater_than_equal": f"måste vara minst {_shown(ctx.get('ge'))}",
        "less_than_equal": f"får vara högst {_shown(ctx.get('le'))}",
        "value_error": str(ctx.get("error", "")),
    }
    return messages.get(kind, error["msg"]) + got


def _expected(text: str) -> list[str]:
    """pydantic's "'kärna' or 'alla'" as the values it names."""
    return [part.strip().strip("'") for part in text.replace(" or ", ",").split(",") if part]
