-- The slanb data contract, schema version 2. Every timestamp is UTC. Version 2 added the optional
-- leads.assigned_at, reps.timezone and the time_off table (contract/upgrade_v1.sql upgrades a file).
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

insert into slanb_meta (key, value) values ('schema_version', '2') on conflict do nothing;
