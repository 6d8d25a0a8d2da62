"""etl.settings: the bundled etl.toml validates and documents every key; a typo, a wrong
type or a value out of range is an error naming the file, the key and what is wrong; the
CLI turns it into exit code 1 without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from etl.kolada_client import ClientConfig
from etl.settings import SECTIONS, Settings, SettingsError, read_settings

BUNDLED = PROJECT_ROOT / "etl.toml"
KOLADA_KEYS = (
    "base_url, timeout_seconds, max_retries, retry_budget_seconds, rate_per_second, "
    "min_rate_per_second, concurrency"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "etl.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_file_validates_and_shows_the_defaults() -> None:
    """etl.toml says "the values shown are the defaults": hold it to that."""
    assert read_settings(BUNDLED) == Settings()


def test_bundled_file_names_every_key() -> None:
    raw = tomllib.loads(BUNDLED.read_text(encoding="utf-8"))
    assert {name: tuple(section) for name, section in raw.items()} == SECTIONS


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    assert read_settings(tmp_path / "nothing.toml") == Settings()


def test_values_reach_the_settings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[kolada]\nbase_url = "http://127.0.0.1:8000/v3"\ntimeout_seconds = 12\n'
        "max_retries = 0\nrate_per_second = 2.5\nconcurrency = 1\n"
        "[schedule]\nfull_reload_days = 0\nsafety_margin_days = 5\n"
        "[checks]\nmax_value_loss_share = 0.2\n"
        '[scope]\nextra_kpis = ["N15428"]\nextra_kpi_groups = ["G2KPI130255"]\n'
        'all_kpis = true\nextra_geographies = "alla"\n',
    )
    assert read_settings(path) == Settings(
        client=ClientConfig(
            base_url="http://127.0.0.1:8000/v3",
            timeout=12.0,
            max_retries=0,
            rate_per_second=2.5,
            concurrency=1,
        ),
        full_reload_days=0,
        safety_margin_days=5,
        max_value_loss_share=0.2,
        extra_kpis=("N15428",),
        extra_kpi_groups=("G2KPI130255",),
        all_kpis=True,
        extra_geographies="alla",
    )


def test_a_partial_file_keeps_the_other_defaults(tmp_path: Path) -> None:
    settings = read_settings(_write(tmp_path, "[kolada]\nmax_retries = 2\n"))
    assert settings.client.max_retries == 2
    assert settings.client.timeout == ClientConfig.timeout
    assert settings.full_reload_days == Settings.full_reload_days


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (
            "[kolada]\nmax_retires = 3\n",
            "kolada.max_retires",
            f"okänd nyckel (menade du max_retries?); giltiga nycklar i [kolada]: {KOLADA_KEYS}",
        ),
        (
            "[schedul]\nfull_reload_days = 7\n",
            "schedul",
            "okänd sektion (menade du [schedule]?); "
            "giltiga sektioner: [kolada], [schedule], [checks], [scope]",
        ),
        ("max_retries = 3\n", "max_retries", "hör hemma i sektionen [kolada]"),
        ("[kolada]\nrate_per_second = -1\n", "kolada.rate_per_second", "större än 0, inte -1"),
        ("[kolada]\nconcurrency = 0\n", "kolada.concurrency", "minst 1, inte 0"),
        ("[kolada]\nmax_retries = -1\n", "kolada.max_retries", "minst 0, inte -1"),
        ("[kolada]\ntimeout_seconds = 0\n", "kolada.timeout_seconds", "större än 0"),
        ('[kolada]\nmax_retries = "5"\n', "kolada.max_retries", 'heltal, inte "5"'),
        ("[kolada]\nmax_retries = 2.5\n", "kolada.max_retries", "heltal, inte 2.5"),
        ("[kolada]\ntimeout_seconds = true\n", "kolada.timeout_seconds", "tal, inte true"),
        ('[kolada]\nbase_url = "api.kolada.se"\n', "kolada.base_url", "http(s)-adress"),
        ("kolada = 5\n", "kolada", "måste vara en sektion [kolada]"),
        ("[checks]\nmax_value_loss_share = 1.5\n", "checks.max_value_loss_share", "högst 1"),
        ("[schedule]\nsafety_margin_days = -3\n", "schedule.safety_margin_days", "minst 0"),
        ('[scope]\nextra_kpis = "N15428"\n', "scope.extra_kpis", "lista av strängar"),
        ('[scope]\nextra_kpis = ["N1", 2]\n', "scope.extra_kpis[1]", "sträng"),
        ('[scope]\nall_kpis = "ja"\n', "scope.all_kpis", 'true eller false, inte "ja"'),
        (
            '[scope]\nextra_geographies = "all"\n',
            "scope.extra_geographies",
            'måste vara "kärna" eller "alla", inte "all"',
        ),
        ("[scope]\nall_kpi = true\n", "scope.all_kpi", "okänd nyckel (menade du all_kpis?)"),
    ],
)
def test_invalid_file_names_file_key_and_problem(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as info:
        read_settings(path)
    assert str(info.value).startswith(f"{path}: {key}: ")
    assert words in str(info.value)
    assert info.value.title == "Fel i inställningarna"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, "[kolada]\nmax_retires = 3\nrate_per_second = -1\n[schedul]\n")
    with pytest.raises(SettingsError) as info:
        read_settings(path)
    assert [p.path for p in info.value.problems] == [
        "kolada.rate_per_second",
        "kolada.max_retires",
        "schedul",
    ]
    assert str(info.value).startswith("3 fel i inställningarna:\n")


def test_unreadable_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "[kolada\nmax_retries = 3\n")
    with pytest.raises(SettingsError, match="kan inte läsas") as info:
        read_settings(path)
    assert str(info.value).startswith(f"{path}: ")


def test_cli_exits_1_on_a_bad_settings_file(tmp_path: Path) -> None:
    config = _write(tmp_path, "[kolada]\nmax_retires = 3\n")
    state = tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "MALPULS_CONFIG": str(config), "MALPULS_DATA_DIR": str(state)}
    run = subprocess.run(
        [sys.executable, "-m", "etl", "--dry-run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "Fel i inställningarna" in run.stderr
    assert f"{config}: kolada.max_retires: okänd nyckel" in run.stderr
    assert "Traceback" not in run.stderr
    assert list(state.iterdir()) == []  # a dry run writes nothing, not even a status
