-- Upgrade a history of schema version 1 to version 2, in the copy an import writes: the optional
-- columns and table of version 2, empty (NULL), so every version-1 row means what it meant.
alter table leads add column if not exists assigned_at timestamp;
alter table reps add column if not exists timezone varchar;
create table if not exists time_off (
    time_off_id varchar not null,
    rep_id varchar not null,
    starts_at timestamp not null,
    ends_at timestamp not null,
    check (ends_at > starts_at)
);
update slanb_meta set value = '2' where key = 'schema_version';
