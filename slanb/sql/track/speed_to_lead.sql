-- Speed-to-lead on the mature sample (mql_at in [$window_start, $window_end)): MQLs, SQLs (sql_at
-- before $cutoff), won leads (a won deal closed before $cutoff) and hand-raisers, by band of time from
-- mql_at to the first $first_touch_kinds activity at/after mql_at and before $cutoff.
-- Bands: [0, 1 h), [1 h, 4 h), [4 h, 24 h], over 24 h, never. Exactly 1 h is `1–4 h`, exactly 4 h is
-- `4–24 h`, exactly 24 h is `4–24 h` (within 24 h, as in the first-touch rule). Every band appears.
with bands as (
    select *
    from (
        values (1, '<1 h'), (2, '1–4 h'), (3, '4–24 h'), (4, '>24 h'), (5, 'never')
    ) as t (position, band)
),

sample as (
    select
        lead_id,
        intent,
        mql_at,
        sql_at
    from leads
    where mql_at >= $window_start and mql_at < $window_end
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

banded as (
    select
        case
            when f.first_touch_at is null then 'never'
            when f.first_touch_at - s.mql_at < interval 1 hour then '<1 h'
            when f.first_touch_at - s.mql_at < interval 4 hour then '1–4 h'
            when f.first_touch_at - s.mql_at <= interval 24 hour then '4–24 h'
            else '>24 h'
        end as band,
        coalesce(s.sql_at < $cutoff, false) as reached_sql,
        w.lead_id is not null as won,
        coalesce(s.intent = 'hand_raiser', false) as hand_raiser
    from sample as s
    left join first_touch as f on f.lead_id = s.lead_id
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
