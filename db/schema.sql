-- Målpuls database schema: every table the ETL writes and the app reads.
-- All ids are TEXT: municipality '0665' must never become 665.
-- This is the whole current schema, run as is for a fresh build. A published file is never
-- rebuilt to change its schema (value_revision would be lost): every change here comes with
-- a migration in db/migrations.py that makes the same change to an existing file, and the
-- applied migrations are recorded in its _migrations table (see that module's docstring).

-- ------------------------------------------------------------------ bookkeeping
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE etl_run (
    run_id        INTEGER PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    mode          TEXT NOT NULL,          -- offline | full | incremental
    requests      INTEGER NOT NULL DEFAULT 0,
    retries       INTEGER NOT NULL DEFAULT 0,
    rows_added    BIGINT NOT NULL DEFAULT 0,
    rows_changed  BIGINT NOT NULL DEFAULT 0,
    rows_deleted  BIGINT NOT NULL DEFAULT 0,
    warnings      TEXT[] NOT NULL DEFAULT [],
    outcome       TEXT NOT NULL           -- ok | failed
);

-- ------------------------------------------------------------------ Kolada
CREATE TABLE municipality (
    id    TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    type  TEXT NOT NULL CHECK (type IN ('K', 'L'))
);

CREATE TABLE municipality_group (
    id    TEXT PRIMARY KEY,
    title TEXT NOT NULL
);

CREATE TABLE municipality_group_member (
    group_id        TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    PRIMARY KEY (group_id, municipality_id)
);

CREATE TABLE kpi (
    id                    TEXT PRIMARY KEY,
    title                 TEXT NOT NULL,
    description           TEXT,
    is_divided_by_gender  BOOLEAN,
    municipality_type     TEXT,
    auspice               TEXT,
    operating_area        TEXT,
    perspective           TEXT,
    prel_publication_date DATE,
    publication_date      DATE,
    publ_period           TEXT,
    has_ou_data           BOOLEAN,
    is_retired            BOOLEAN NOT NULL   -- not in the current catalogue; history kept
);

-- What changed in Kolada's KPI catalogue between runs. A KPI that vanishes keeps its row in
-- kpi (is_retired = true) and its values, so goal indicators survive; this table is the
-- record the data-status page shows.
CREATE TABLE kpi_change (
    kpi_id      TEXT NOT NULL,
    change      TEXT NOT NULL CHECK (change IN ('vanished', 'returned', 'new', 'retitled')),
    title       TEXT,
    detected_at TIMESTAMP NOT NULL
);

CREATE TABLE kpi_group (
    id    TEXT PRIMARY KEY,
    title TEXT NOT NULL
);

CREATE TABLE kpi_group_member (
    group_id TEXT NOT NULL,
    kpi_id   TEXT NOT NULL,
    PRIMARY KEY (group_id, kpi_id)
);

-- One row per Kolada value: (kpi, municipality_id, year, gender) is unique, checked by the
-- ETL before publishing rather than by a PRIMARY KEY: an ART index over 9.5 M rows would
-- multiply the file size and the load time for no benefit to the app's reads. Rows are
-- sorted by (kpi, municipality_id) on load so DuckDB's zone maps prune most row groups
-- for the app's per-KPI reads.
CREATE TABLE kolada_value (
    kpi             TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    year            SMALLINT NOT NULL,
    gender          TEXT NOT NULL CHECK (gender IN ('T', 'K', 'M')),
    value           DOUBLE
);

-- Vintages: every change a live run makes to kolada_value, with when it was made, so any
-- past date can be computed with the values as they were known then (values_as_of).
-- old_value NULL: the value did not exist before; new_value NULL: it was deleted. Values of
-- the bundled snapshot have no recorded fetch date: they count as known from the start.
CREATE TABLE value_revision (
    kpi             TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    year            SMALLINT NOT NULL,
    gender          TEXT NOT NULL,
    old_value       DOUBLE,
    new_value       DOUBLE,
    replaced_at     TIMESTAMP NOT NULL
);

-- kolada_value as it was known at the end of day d: a value changed, added or deleted by a
-- run on a later day is replaced by what was there before that run (or left out).
CREATE MACRO values_as_of(d) AS TABLE
    WITH later AS (
        SELECT kpi, municipality_id, year, gender,
               arg_min(old_value, replaced_at) AS old_value
        FROM value_revision WHERE CAST(replaced_at AS DATE) > d
        GROUP BY ALL
    )
    SELECT v.kpi, v.municipality_id, v.year, v.gender, v.value
    FROM kolada_value v
    ANTI JOIN later l ON l.kpi = v.kpi AND l.municipality_id = v.municipality_id
         AND l.year = v.year AND l.gender = v.gender
    UNION ALL
    SELECT kpi, municipality_id, year, gender, old_value FROM later
    WHERE old_value IS NOT NULL;

-- ------------------------------------------------------------------ reference
CREATE TABLE sdg_goal (
    goal          INTEGER PRIMARY KEY,
    name_sv_short TEXT NOT NULL,
    name_sv_long  TEXT NOT NULL,
    name_en_short TEXT NOT NULL,
    color_hex     TEXT NOT NULL
);

CREATE TABLE sdg_target (
    target_code   TEXT PRIMARY KEY,
    goal          INTEGER NOT NULL,
    text_en       TEXT NOT NULL,
    short_title_sv TEXT,
    text_sv       TEXT
);

CREATE TABLE crc_article (
    article          INTEGER PRIMARY KEY,
    part             TEXT NOT NULL,
    title_sv         TEXT NOT NULL,
    title_en         TEXT NOT NULL,
    guiding_principle BOOLEAN NOT NULL,
    title_sv_status  TEXT NOT NULL
);

CREATE TABLE kpi_sdg (
    kpi_id TEXT NOT NULL,
    source TEXT NOT NULL,            -- which Kolada group/tag put it there
    PRIMARY KEY (kpi_id, source)
);

-- Which SDG (and target) each Agenda 2030 KPI measures, and which direction is better:
-- curated by Målpuls (data/reference/kpi_sdg_mapping.csv), since Kolada's Agenda 2030
-- group says only that a KPI belongs to Agenda 2030, not to which goal.
CREATE TABLE kpi_sdg_map (
    kpi_id      TEXT NOT NULL,
    sdg         INTEGER NOT NULL,
    target_code TEXT,
    direction   TEXT NOT NULL,        -- öka | minska | bevaka
    reason      TEXT NOT NULL,
    PRIMARY KEY (kpi_id, sdg)
);

-- ------------------------------------------------------------------ goals
CREATE TABLE framework (
    framework_id      TEXT PRIMARY KEY,
    municipality_id   TEXT NOT NULL,
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    motto             TEXT,
    vision            TEXT,
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,
    definition_status TEXT NOT NULL,
    area_level_name   TEXT NOT NULL,
    goal_level_name   TEXT NOT NULL,
    source_file       TEXT NOT NULL,
    notes             TEXT[] NOT NULL
);

CREATE TABLE decision (
    framework_id TEXT NOT NULL,
    position     INTEGER NOT NULL,
    ref          TEXT NOT NULL,
    body         TEXT NOT NULL,
    date         DATE,
    paragraph    TEXT,
    subject      TEXT,
    PRIMARY KEY (framework_id, position)
);

CREATE TABLE framework_source (
    framework_id TEXT NOT NULL,
    position     INTEGER NOT NULL,
    document     TEXT NOT NULL,
    seed         TEXT,
    url          TEXT,
    note         TEXT,
    PRIMARY KEY (framework_id, position)
);

CREATE TABLE perspective (
    framework_id   TEXT NOT NULL,
    perspective_id TEXT NOT NULL,
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    PRIMARY KEY (framework_id, perspective_id)
);

CREATE TABLE checkpoint (
    framework_id  TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    position      INTEGER NOT NULL,
    label         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    month_day     TEXT NOT NULL,
    note          TEXT,
    PRIMARY KEY (framework_id, checkpoint_id)
);

CREATE TABLE challenge (
    framework_id TEXT NOT NULL,
    challenge_id TEXT NOT NULL,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    note         TEXT,
    PRIMARY KEY (framework_id, challenge_id)
);

CREATE TABLE rus_area (
    framework_id TEXT NOT NULL,
    rus_id       TEXT NOT NULL,
    number       INTEGER NOT NULL,
    title        TEXT NOT NULL,
    PRIMARY KEY (framework_id, rus_id)
);

CREATE TABLE area (
    municipality_id TEXT NOT NULL,
    area_id         TEXT NOT NULL,
    framework_id    TEXT NOT NULL,
    position        INTEGER NOT NULL,
    number          INTEGER,
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT,
    PRIMARY KEY (municipality_id, area_id)
);

CREATE TABLE goal (
    municipality_id     TEXT NOT NULL,
    goal_id             TEXT NOT NULL,
    framework_id        TEXT NOT NULL,
    area_id             TEXT,                 -- NULL: named but not placed in an area
    position            INTEGER NOT NULL,
    number              INTEGER,
    title               TEXT NOT NULL,
    kind                TEXT NOT NULL,
    perspective_id      TEXT,
    type                TEXT NOT NULL,
    measurability       TEXT NOT NULL,
    definition_status   TEXT NOT NULL,
    description         TEXT,
    ambition_text       TEXT,
    ambition_status     TEXT,
    responsible         TEXT,
    governing_documents TEXT[] NOT NULL,
    notes               TEXT[] NOT NULL,
    PRIMARY KEY (municipality_id, goal_id)
);

CREATE TABLE indicator (
    municipality_id      TEXT NOT NULL,
    indicator_id         TEXT NOT NULL,
    goal_id              TEXT NOT NULL,
    position             INTEGER NOT NULL,
    title                TEXT NOT NULL,
    kpi_id               TEXT,                -- NULL: local indicator
    is_local             BOOLEAN NOT NULL,
    direction            TEXT NOT NULL,
    direction_provenance TEXT NOT NULL,
    gender               TEXT NOT NULL,
    unit                 TEXT,
    baseline_year        INTEGER,
    baseline_value       DOUBLE,
    successor_kpi_id     TEXT,
    successor_note       TEXT,
    mapping_confidence   TEXT,
    mapping_note         TEXT,
    provenance           TEXT NOT NULL,      -- källa | förslag
    reason               TEXT,
    note                 TEXT,
    PRIMARY KEY (municipality_id, indicator_id)
);

CREATE TABLE ambition (
    municipality_id TEXT NOT NULL,
    indicator_id    TEXT NOT NULL,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    date            DATE NOT NULL,
    value           DOUBLE NOT NULL,
    decision        TEXT,                -- required for beslut (core.goals)
    note            TEXT,
    provenance      TEXT NOT NULL,       -- beslut | förslag (never shown as decided)
    proposal_method TEXT,                -- how a förslag was made ...
    proposal_date   DATE,                -- ... when ...
    proposal_by     TEXT,                -- ... and by whom or what (kept after a beslut)
    PRIMARY KEY (municipality_id, indicator_id, position)
);

CREATE TABLE goal_link (
    municipality_id TEXT NOT NULL,
    goal_id         TEXT NOT NULL,
    position        INTEGER NOT NULL,
    link_type       TEXT NOT NULL,   -- sdg | sdg_target | crc | challenge | rus | goal
    target_id       TEXT NOT NULL,
    provenance      TEXT NOT NULL,   -- källa | förslag
    reason          TEXT,
    PRIMARY KEY (municipality_id, goal_id, position)
);

CREATE TABLE assessment (
    municipality_id TEXT NOT NULL,
    goal_id         TEXT NOT NULL,
    date            DATE NOT NULL,
    status          TEXT NOT NULL,
    comment         TEXT,
    assessed_by     TEXT,
    PRIMARY KEY (municipality_id, goal_id, date)
);

CREATE TABLE goal_conflict (
    framework_id     TEXT NOT NULL,
    conflict_id      TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    goal_ids         TEXT[] NOT NULL,
    provenance       TEXT NOT NULL,
    goals_provenance TEXT,
    PRIMARY KEY (framework_id, conflict_id)
);

-- ------------------------------------------------------------------ computed results
-- Egen bearbetning av data från Kolada: materialised by the ETL (etl/results.py) from the
-- rules in core/status.py, so pages only read. One row per indicator and assessment date:
-- as_of = the data date, and every report checkpoint in the framework's period.
CREATE TABLE indicator_result (
    municipality_id  TEXT NOT NULL,
    indicator_id     TEXT NOT NULL,
    goal_id          TEXT NOT NULL,
    as_of            DATE NOT NULL,
    checkpoint_label TEXT,               -- NULL: as of the data date
    judged_kpi_id    TEXT,               -- the series judged (a successor after a break)
    status           TEXT NOT NULL,
    basis            TEXT NOT NULL,      -- mål | riktning | bevakas | ingen
    reason           TEXT NOT NULL,
    direction        TEXT NOT NULL,
    n_points         INTEGER NOT NULL,
    base_year        INTEGER,
    base_value       DOUBLE,
    latest_year      INTEGER,
    latest_value     DOUBLE,
    data_age_years   INTEGER,
    next_publication DATE,
    noise            DOUBLE,
    change_per_year  DOUBLE,
    target_value     DOUBLE,
    target_date      DATE,
    horizon_years    INTEGER,
    method           TEXT,
    point            DOUBLE,
    lo80             DOUBLE,
    hi80             DOUBLE,
    p_met            DOUBLE,
    thresholds       TEXT,               -- JSON
    rank_all         INTEGER,            -- relative position: 1 = best among all kommuner
    n_all            INTEGER,
    quartile_all     INTEGER,
    rank_peers       INTEGER,            -- among the municipality and its "Liknande kommuner"
    n_peers          INTEGER,
    target_provenance TEXT,              -- the target's: beslut | förslag; NULL: no target
    local_version    INTEGER,            -- a local indicator judged on the municipality's own
                                         -- values: the upload used (the app's store); NULL:
                                         -- Kolada's values (judged_kpi_id) or none
    PRIMARY KEY (municipality_id, indicator_id, as_of)
);

CREATE TABLE goal_result (
    municipality_id  TEXT NOT NULL,
    goal_id          TEXT NOT NULL,
    as_of            DATE NOT NULL,
    checkpoint_label TEXT,
    status           TEXT NOT NULL,
    reason           TEXT NOT NULL,
    counts           TEXT NOT NULL,      -- JSON: status → number of indicators
    weakest_indicator TEXT,
    forecast_allowed BOOLEAN NOT NULL,
    assessment       TEXT,
    disagrees        BOOLEAN NOT NULL,
    PRIMARY KEY (municipality_id, goal_id, as_of)
);

-- Egen bearbetning av data från Kolada: each curated Agenda 2030 KPI judged by direction
-- (no ambition) for each municipality with a goal file, as of the data date, so an SDG
-- can show how the municipality is doing even where no goal names the KPI.
CREATE TABLE sdg_kpi_result (
    municipality_id TEXT NOT NULL,
    kpi_id          TEXT NOT NULL,
    as_of           DATE NOT NULL,
    status          TEXT NOT NULL,
    basis           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    direction       TEXT NOT NULL,
    n_points        INTEGER NOT NULL,
    latest_year     INTEGER,
    latest_value    DOUBLE,
    change_per_year DOUBLE,
    PRIMARY KEY (municipality_id, kpi_id)
);
