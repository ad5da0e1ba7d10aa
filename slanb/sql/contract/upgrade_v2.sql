-- Upgrade a history of schema version 2 to version 3, in the copy an import writes: the optional
-- leads.segment (NULL: every version-2 lead keeps its meaning) and an empty rep_teams table.
alter table leads add column if not exists segment varchar;
create table if not exists rep_teams (
    rep_team_id varchar not null,
    rep_id varchar not null,
    team varchar not null,
    starts_on date not null
);
update slanb_meta set value = '3' where key = 'schema_version';
