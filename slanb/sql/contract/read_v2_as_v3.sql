-- A history of schema version 2 read as version 3, on a read-only connection: a temporary view
-- adding leads.segment as NULL and an empty rep_teams table (the file untouched).
-- {catalog} is the history's database name (the views shadow its tables by name).
create temp view leads as
select
    *,
    cast(null as varchar) as segment
from {catalog}.main.leads;
create temp table rep_teams (
    rep_team_id varchar,
    rep_id varchar,
    team varchar,
    starts_on date
);
