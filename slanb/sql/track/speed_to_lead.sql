-- Speed-to-lead on the mature sample (mql_at in [$window_start, $window_end)): MQLs, SQLs (sql_at
-- before $cutoff), won leads (a won deal closed before $cutoff) and hand-raisers, by band of time from
-- mql_at to the first $first_touch_kinds activity at/after mql_at and before $cutoff.
-- Bands: [0, 1 h), [1 h, 4 h), [4 h, 24 h], over 24 h, never. Exactly 1 h is `1–4 h`, exactly 4 h is
-- `4–24 h`, exactly 24 h is `4–24 h` (within 24 h, as in the first-touch rule). Every band appears.
-- The hours run from the clock start ($clock_start) on $sla_clock: calendar hours, or the working
-- hours of the lead's owner (the temp table working_calendar, see working_calendar.sql).
with bands as (
    select *
    from (
        values (1, '<1 h'), (2, '1–4 h'), (3, '4–24 h'), (4, '>24 h'), (5, 'never')
    ) as t (position, band)
),

sample as (
    select
        l.lead_id,
        l.intent,
        l.mql_at,
        l.sql_at,
        coalesce(r.rep_id, '') as cal_key,
        case
            when $clock_start = 'assigned_at' then greatest(l.mql_at, coalesce(l.assigned_at, l.mql_at))
            else l.mql_at
        end as started_at
    from leads as l
    left join reps as r on r.rep_id = l.owner_id
    where l.mql_at >= $window_start and l.mql_at < $window_end
),

-- A lead's first touch without joining every activity to the sample: its earliest touch in
-- [$window_start, $cutoff) is the answer when at/after its mql_at (mql_at >= $window_start); only
-- leads also touched before they became MQLs (rare) are joined to their activities.
first_any as (
    select
        lead_id,
        min(occurred_at) as first_at
    from activities
    where
        kind in (select unnest($first_touch_kinds::varchar[]))
        and occurred_at >= $window_start
        and occurred_at < $cutoff
    group by lead_id
),

touched as (
    select
        s.lead_id,
        s.mql_at,
        f.first_at
    from sample as s
    inner join first_any as f on f.lead_id = s.lead_id
),

touched_before_mql as (
    select
        t.lead_id,
        min(a.occurred_at) as first_at
    from touched as t
    inner join activities as a on a.lead_id = t.lead_id
    where
        t.first_at < t.mql_at
        and a.kind in (select unnest($first_touch_kinds::varchar[]))
        and a.occurred_at >= t.mql_at
        and a.occurred_at < $cutoff
    group by t.lead_id
),

first_touch as (
    select
        lead_id,
        first_at as first_touch_at
    from touched
    where first_at >= mql_at
    union all
    select
        lead_id,
        first_at as first_touch_at
    from touched_before_mql
),

won as (
    select distinct lead_id
    from deals
    where stage = 'won' and closed_at < $cutoff
),

timed as (
    select
        s.*,
        f.first_touch_at
    from sample as s
    left join first_touch as f on f.lead_id = s.lead_id
),

-- On the calendar clock the hours are the clock's difference: the working calendar is not read
-- (its two ASOF joins would sort the whole sample, even against an empty table).
calendar_hours as (
    select
        * exclude (cal_key, started_at),
        (epoch_us(first_touch_at) - epoch_us(started_at)) / 3600000000.0 as hours
    from timed
    where $sla_clock <> 'working'
),

working_start as (
    select
        t.*,
        coalesce(
            c.before_us + least(epoch_us(t.started_at) - epoch_us(c.starts_at), c.length_us), 0
        ) as w_start
    from timed as t
    asof left join working_calendar as c
        on c.rep_key = t.cal_key and t.started_at >= c.starts_at
    where $sla_clock = 'working'
),

working_hours as (
    select
        t.* exclude (cal_key, started_at, w_start),
        (
            coalesce(
                c.before_us + least(epoch_us(t.first_touch_at) - epoch_us(c.starts_at), c.length_us),
                0
            )
            - t.w_start
        ) / 3600000000.0 as hours
    from working_start as t
    asof left join working_calendar as c
        on c.rep_key = t.cal_key and t.first_touch_at >= c.starts_at
),

hours as (
    select * from calendar_hours
    union all
    select * from working_hours
),

banded as (
    select
        case
            when s.first_touch_at is null then 'never'
            when s.hours < 1 then '<1 h'
            when s.hours < 4 then '1–4 h'
            when s.hours <= 24 then '4–24 h'
            else '>24 h'
        end as band,
        coalesce(s.sql_at < $cutoff, false) as reached_sql,
        w.lead_id is not null as won,
        coalesce(s.intent = 'hand_raiser', false) as hand_raiser
    from hours as s
    left join won as w on w.lead_id = s.lead_id
),

counts as (
    select
        band,
        count(*) as mqls,
        count(*) filter (where reached_sql) as sqls,
        count(*) filter (where won) as won_leads,
        count(*) filter (where hand_raiser) as hand_raisers
    from banded
    group by band
),

final as (
    select
        b.position,
        b.band,
        coalesce(c.mqls, 0) as mqls,
        coalesce(c.sqls, 0) as sqls,
        coalesce(c.won_leads, 0) as won_leads,
        coalesce(c.hand_raisers, 0) as hand_raisers,
        round(c.sqls / c.mqls, 4) as sql_rate,
        round(c.won_leads / c.mqls, 4) as won_rate,
        round(c.hand_raisers / c.mqls, 4) as hand_raiser_share
    from bands as b
    left join counts as c on c.band = b.band
)

select * from final
order by position
