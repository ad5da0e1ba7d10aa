-- A history of schema version 1 read as the current version (3), on a read-only connection:
-- temporary views that add the optional columns as NULL and empty time_off and rep_teams tables,
-- so the engine reads one shape. {catalog} is the history's database name (the views shadow its
-- tables by name).
create temp view leads as
select
    *,
    cast(null as timestamp) as assigned_at,
    cast(null as varchar) as segment
from {catalog}.main.leads;
create temp view reps as
select
    *,
    cast(null as varchar) as timezone
from {catalog}.main.reps;
create temp table time_off (
    time_off_id varchar,
    rep_id varchar,
    starts_at timestamp,
    ends_at timestamp
);
create temp table rep_teams (
    rep_team_id varchar,
    rep_id varchar,
    team varchar,
    starts_on date
);
