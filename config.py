"""Where things are: every path and environment variable Målpuls reads, in one place.

One environment variable moves all state (MALPULS_DATA_DIR: database, lock, status file,
frozen reports), so tests point the ETL and the app at a temporary folder. Every layer may
import this module; it imports nothing of the project.

    MALPULS_DATA_DIR    folder of the database, lock, status file and frozen reports
    MALPULS_GOALS_DIR   folder of goal files (default data/goals)
    MALPULS_CONFIG      the ETL settings file (default etl.toml)
    MALPULS_ROLES       who may do what when sign-in is on (default roles.toml)

What people write in the app (assessments, local indicator values) lives in its own file,
`app_db_path`, beside the nightly database but never replaced by the ETL (issue 19).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Paths:
    goals_dir: Path
    kolada_dir: Path
    reference_dir: Path
    db_path: Path
    status_path: Path
    calibration_path: Path
    reports_dir: Path  # frozen interim reports: written once, never by an ETL run
    settings_path: Path
    app_db_path: Path  # the app's own store (SQLite): the ETL only reads it
    roles_path: Path

    @classmethod
    def from_env(cls) -> Paths:
        data = PROJECT_ROOT / "data"
        state = Path(os.environ.get("MALPULS_DATA_DIR", data))
        return cls(
            goals_dir=Path(os.environ.get("MALPULS_GOALS_DIR", data / "goals")),
            kolada_dir=data / "kolada",
            reference_dir=data / "reference",
            db_path=state / "malpuls.duckdb",
            status_path=state / "etl_status.json",
            calibration_path=data / "forecast_calibration.csv",
            reports_dir=state / "reports",
            settings_path=Path(os.environ.get("MALPULS_CONFIG", PROJECT_ROOT / "etl.toml")),
            app_db_path=state / "malpuls-app.sqlite",
            roles_path=Path(os.environ.get("MALPULS_ROLES", PROJECT_ROOT / "roles.toml")),
        )
