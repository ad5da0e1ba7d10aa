-- A history of schema version 1 read as version 2, on a read-only connection: temporary views
-- that add the optional columns as NULL and an empty time_off table, so the engine reads one shape.
-- {catalog} is the history's database name (the views shadow its tables by name).
create temp view leads as
select
    *,
    cast(null as timestamp) as assigned_at
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
