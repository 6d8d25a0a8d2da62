"""ETL settings from etl.toml (or MALPULS_CONFIG); every key has a default."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config import Paths
from core.errors import MalpulsError
from etl.kolada_client import ClientConfig


class SettingsError(MalpulsError):
    title = "Fel i inställningarna"


@dataclass(frozen=True)
class Settings:
    client: ClientConfig = field(default_factory=ClientConfig)
    full_reload_days: int = 7
    safety_margin_days: int = 3
    max_value_loss_share: float = 0.05
    extra_kpis: tuple[str, ...] = ()
    extra_kpi_groups: tuple[str, ...] = ()


def read_settings(path: Path | None = None) -> Settings:
    path = path or Paths.from_env().settings_path
    if not path.exists():
        return Settings()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: kan inte läsas ({exc})") from exc
    k, sch, chk, sc = (raw.get(s, {}) for s in ("kolada", "schedule", "checks", "scope"))
    try:
        client = ClientConfig(
            base_url=str(k.get("base_url", ClientConfig.base_url)),
            timeout=float(k.get("timeout_seconds", ClientConfig.timeout)),
            max_retries=int(k.get("max_retries", ClientConfig.max_retries)),
            rate_per_second=float(k.get("rate_per_second", ClientConfig.rate_per_second)),
            concurrency=int(k.get("concurrency", ClientConfig.concurrency)),
        )
        return Settings(
            client=client,
            full_reload_days=int(sch.get("full_reload_days", 7)),
            safety_margin_days=int(sch.get("safety_margin_days", 3)),
            max_value_loss_share=float(chk.get("max_value_loss_share", 0.05)),
            extra_kpis=tuple(str(x) for x in sc.get("extra_kpis", [])),
            extra_kpi_groups=tuple(str(x) for x in sc.get("extra_kpi_groups", [])),
        )
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{path}: ogiltigt värde ({exc})") from exc
