-- The slanb data contract, schema version 3. Every timestamp is UTC. Version 2 added the optional
-- leads.assigned_at, reps.timezone and the time_off table (contract/upgrade_v1.sql upgrades a file);
-- version 3 the optional leads.segment and the rep_teams table (contract/upgrade_v2.sql).
-- Each table's first column is its id, unique: every import checks it, and adds only ids the history
-- lacks. It is not declared a primary key: DuckDB's index on it made three quarters of the file and
-- most of an import's time (docs/performance.md#imports-issue-17). Files made with one keep it; both read alike.
create table if not exists slanb_meta (
    key varchar primary key,
    value varchar not null
);

create table if not exists leads (
    lead_id varchar not null,
    created_at timestamp not null,
    mql_at timestamp,
    sql_at timestamp,
    owner_id varchar,
    intent varchar check (intent is null or intent in ('hand_raiser', 'other')),
    fit varchar check (fit is null or fit in ('A', 'B', 'C')),
    source varchar,
    assigned_at timestamp,
    segment varchar,
    check (mql_at is null or mql_at >= created_at)
);

create table if not exists activities (
    activity_id varchar not null,
    lead_id varchar not null,
    rep_id varchar,
    kind varchar not null,
    occurred_at timestamp not null
);

create table if not exists deals (
    deal_id varchar not null,
    lead_id varchar not null,
    created_at timestamp not null,
    closed_at timestamp,
    stage varchar not null check (stage in ('open', 'won', 'lost')),
    amount double not null check (amount >= 0),
    check (stage = 'open' or closed_at is not null)
);

create table if not exists reps (
    rep_id varchar not null,
    name varchar not null,
    team varchar,
    start_date date,
    end_date date,
    timezone varchar
);

create table if not exists time_off (
    time_off_id varchar not null,
    rep_id varchar not null,
    starts_at timestamp not null,
    ends_at timestamp not null,
    check (ends_at > starts_at)
);

-- A rep's team from a day on (version 3): the team a rep was in at an instant is the latest row
-- starting on or before its day, else reps.team.
create table if not exists rep_teams (
    rep_team_id varchar not null,
    rep_id varchar not null,
    team varchar not null,
    starts_on date not null
);

insert into slanb_meta (key, value) values ('schema_version', '3') on conflict do nothing;
