"""Cut the bundled Kolada snapshot (data/kolada/*.parquet) from the full data in ../shared.

Maintainers run this (`python -m etl bundle --shared ../shared`) when the goal files start
using a new KPI or the source data changes; its output is committed so that users and CI
need nothing from ../shared. Nothing here computes or alters a value: rows are selected,
never made up, and null values (Kolada answered null) are left out to keep the files small.

Scope of the values file:
- every KPI in the source, for the three framework municipalities, their regions, Riket and
  their "Liknande kommuner, övergripande" peers (the general peer group Kolada defines);
- every KPI (and successor) the goal files use, for all 312 municipalities and regions, so
  rankings and all peer groups work for goal indicators.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from core.scope import RIKET, peer_group, region_of
from db.snapshot import copy_values_subset, write_parquet

VALUES = "values_all_municipalities_2024-08-30.parquet"
KPI_V3_JSON = "kpi_catalog_v3_2026-03-23.json"
KPI_V2_CSV = "kpi_catalog_v2_2024-04-06.csv"
KPI_REMOVED = "kpi_removed_between_2026-03-04_and_2026-03-23.csv"
MUNIS = "municipality_v3_2026-03-23.json"
MUNI_GROUPS = "municipality_groups_v3_2026-03-23.json"
KPI_GROUPS = "kpi_groups_2024-01-15.json"
A2030 = "agenda2030_kpi_group_membership_2024.csv"


def _raw_goal_files(goals_dir: Path) -> list[object]:
    """Goal files read without validation: validation needs the catalogue this tool cuts."""
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(goals_dir.glob("*.yaml"))]


def goal_kpis(goals_dir: Path) -> set[str]:
    """KPI ids (and successors) named anywhere in the goal files."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "kpi" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for raw in _raw_goal_files(goals_dir):
        walk(raw)
    return found


def framework_municipalities(goals_dir: Path) -> list[str]:
    return sorted(
        str(raw["municipality"]["id"])
        for raw in _raw_goal_files(goals_dir)
        if isinstance(raw, dict) and isinstance(raw.get("municipality"), dict)
    )


def bundle(shared: Path, out: Path, goals_dir: Path) -> None:
    k = shared / "kolada"
    out.mkdir(parents=True, exist_ok=True)

    munis = pd.DataFrame(json.loads((k / MUNIS).read_text(encoding="utf-8")))
    write_parquet(munis[["id", "title", "type"]].sort_values("id"), out / "municipality.parquet")

    groups = json.loads((k / MUNI_GROUPS).read_text(encoding="utf-8"))
    write_parquet(
        pd.DataFrame([{"id": g["id"], "title": g["title"]} for g in groups]).sort_values("id"),
        out / "municipality_group.parquet",
    )
    write_parquet(
        pd.DataFrame(
            [
                {"group_id": g["id"], "municipality_id": m["member_id"]}
                for g in groups
                for m in g["members"]
            ]
        ).sort_values(["group_id", "municipality_id"]),
        out / "municipality_group_member.parquet",
    )

    kpis = pd.DataFrame(json.loads((k / KPI_V3_JSON).read_text(encoding="utf-8")))
    write_parquet(kpis.sort_values("id"), out / "kpi.parquet")

    # Retired KPIs: in the 2024 catalogue (or the March 2026 removals) but not in the current
    # one. Goal files may name them (with a successor); their history stays in the values.
    v2 = pd.read_csv(k / KPI_V2_CSV, dtype=str)
    removed = pd.read_csv(k / KPI_REMOVED, dtype=str)
    current = set(kpis["id"])
    retired = pd.concat(
        [
            v2.loc[~v2["id"].isin(current), ["id", "title"]].assign(
                source="kpi_catalog_v2_2024-04-06"
            ),
            removed.loc[~removed["id"].isin(current), ["id", "title"]].assign(
                source="kpi_removed_between_2026-03-04_and_2026-03-23"
            ),
        ]
    ).drop_duplicates("id")
    write_parquet(retired.sort_values("id"), out / "kpi_retired.parquet")

    kgroups = json.loads((k / KPI_GROUPS).read_text(encoding="utf-8"))
    kgroups = kgroups["values"] if isinstance(kgroups, dict) else kgroups
    write_parquet(
        pd.DataFrame([{"id": g["id"], "title": g["title"]} for g in kgroups]).sort_values("id"),
        out / "kpi_group.parquet",
    )
    write_parquet(
        pd.DataFrame(
            [{"group_id": g["id"], "kpi_id": m["member_id"]} for g in kgroups for m in g["members"]]
        ).sort_values(["group_id", "kpi_id"]),
        out / "kpi_group_member.parquet",
    )
    a2030 = pd.read_csv(k / A2030, dtype=str)
    write_parquet(a2030, out / "agenda2030_kpi_membership.parquet")

    title_of = dict(zip(munis["id"], munis["title"], strict=True))
    group_tuples = [(g["id"], g["title"], [m["member_id"] for m in g["members"]]) for g in groups]
    core_geos = {RIKET}
    for muni in framework_municipalities(goals_dir):
        found = peer_group(group_tuples, title_of[muni])
        if found is None:
            raise SystemExit(f"no 'Liknande kommuner, övergripande' group for {title_of[muni]}")
        core_geos |= {muni, region_of(muni), *found[1]}
    used = goal_kpis(goals_dir)
    n = copy_values_subset(k / VALUES, out / "values.parquet", core_geos, used)
    print(f"values.parquet: {n} rows; {len(core_geos)} core geographies; {len(used)} goal KPIs")
