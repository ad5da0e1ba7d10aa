-- The demo sales team: eleven reps, about ten active at any time, with the habits the tracking
-- step should find. R05 leaves in month 20 of the history and R11 joins in month 22; R03 is often
-- late to the first touch and R07 rarely makes five calls in the first two weeks.
-- late_share: share of leads first touched more than 24 h after mql_at;
-- cadence_share: share of leads given 5-7 calls (not 2-4) in the first 14 days.
-- timezone: where the rep works (the working clock's local hours); the leads arrive on UTC hours,
-- so a rep far from UTC gets many leads outside working hours (added in schema version 2, after
-- every other column, so the demo's other values stay as they were).
with roster as (
    select *
    from (
        values
            ('R01', 'Maya Patel', 'mid_market', -1020, null, 0.01, 0.985, 'America/New_York'),
            ('R02', 'Daniel Okafor', 'mid_market', -870, null, 0.015, 0.975, 'America/New_York'),
            ('R03', 'Lucas Ferreira', 'smb', -640, null, 0.35, 0.97, 'America/Los_Angeles'),
            ('R04', 'Hannah Schmidt', 'smb', -590, null, 0.01, 0.99, 'Europe/London'),
            ('R05', 'Marcus Johnson', 'mid_market', -430, 590, 0.015, 0.98, 'America/Chicago'),
            ('R06', 'Sofia Rossi', 'smb', -400, null, 0.01, 0.985, 'Europe/Berlin'),
            ('R07', 'Ethan Walsh', 'smb', -310, null, 0.015, 0.07, 'America/Los_Angeles'),
            ('R08', 'Aisha Rahman', 'mid_market', -250, null, 0.01, 0.98, 'America/New_York'),
            ('R09', 'Kenji Tanaka', 'smb', -160, null, 0.015, 0.975, 'Asia/Tokyo'),
            ('R10', 'Claire Dubois', 'mid_market', -75, null, 0.01, 0.99, 'Europe/Paris'),
            ('R11', 'Diego Alvarez', 'mid_market', 645, null, 0.015, 0.98, 'America/Denver')
    ) as t (rep_id, name, team, start_day, end_day, late_share, cadence_share, timezone)
),

final as (
    select
        rep_id,
        name,
        team,
        ($first_month::date + start_day::int) as start_date,
        ($first_month::date + end_day::int) as end_date,
        late_share,
        cadence_share,
        timezone
    from roster
)

select * from final
order by rep_id
