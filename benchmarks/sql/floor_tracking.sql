-- The floor for tracking M = [$cutoff, $end) judged at $as_of, in one query returning one row:
-- delivery by bucket and cumulative pacing by day (the matrix bound as $intents, $fits,
-- $lead_values), both sales rules per rep and overall with the breached lead ids, and speed-to-lead
-- by band on the sample [$window_start, $window_end). Activities are read once per use, bounded in
-- time: a rule's activities start at the earliest mql_at whose deadline can fall in M
-- ($activity_start).
with bucket_values as (
    select
        unnest($intents::varchar[]) as intent,
        unnest($fits::varchar[]) as fit,
        unnest($lead_values::decimal(18, 2)[]) as lead_value_per_mql
),

delivered as (
    select
        date_trunc('day', l.mql_at)::date as day,
        b.intent,
        b.fit,
        b.lead_value_per_mql
    from leads as l
    left join bucket_values as b
        on
            b.intent = case when l.intent is null or l.fit is null then 'unknown' else l.intent end
            and b.fit = case when l.intent is null or l.fit is null then 'unknown' else l.fit end
    where l.mql_at >= $cutoff and l.mql_at < $as_of
),

by_bucket as (
    select
        intent,
        fit,
        count(*) as mqls,
        sum(lead_value_per_mql) as lead_value
    from delivered
    group by all
),

by_day as (
    select
        day,
        count(*) as mqls,
        sum(lead_value_per_mql) as lead_value
    from delivered
    group by day
),

pacing as (
    select
        day,
        sum(mqls) over (order by day) as mqls,
        sum(lead_value) over (order by day) as lead_value
    from by_day
),

mqls as (
    select
        lead_id,
        coalesce(owner_id, 'unassigned') as rep_id,
        mql_at,
        mql_at + to_microseconds(round($first_touch_hours * 3600000000)::bigint) as touch_deadline,
        mql_at + to_days($cadence_days::integer) as cadence_deadline
    from leads
    where mql_at >= $activity_start and mql_at < $end
),

in_month as (
    select
        *,
        touch_deadline >= $cutoff and touch_deadline < $end as touch_in_month,
        cadence_deadline >= $cutoff and cadence_deadline < $end as cadence_in_month
    from mqls
    where
        (touch_deadline >= $cutoff and touch_deadline < $end)
        or (cadence_deadline >= $cutoff and cadence_deadline < $end)
),

worked as (
    select
        m.lead_id,
        min(a.occurred_at) filter (
            where list_contains($first_touch_kinds::varchar[], a.kind) and a.occurred_at <= $as_of
        ) as first_touch_at,
        count(*) filter (
            where
                list_contains($cadence_kinds::varchar[], a.kind)
                and a.occurred_at < m.cadence_deadline
        ) as touches
    from in_month as m
    inner join activities as a on a.lead_id = m.lead_id and a.occurred_at >= m.mql_at
    where a.occurred_at >= $activity_start and a.occurred_at < $end
    group by m.lead_id
),

deal_in_window as (
    select distinct m.lead_id
    from in_month as m
    inner join deals as d on d.lead_id = m.lead_id
    where d.created_at >= m.mql_at and d.created_at < m.cadence_deadline
),

judged as (
    select
        m.lead_id,
        m.rep_id,
        case
            when not m.touch_in_month then null
            when m.touch_deadline > $as_of then 'pending'
            when w.first_touch_at <= m.touch_deadline then 'met'
            else 'breached'
        end as first_touch,
        case
            when not m.cadence_in_month then null
            when m.cadence_deadline > $as_of then 'pending'
            when d.lead_id is not null then 'excluded'
            when coalesce(w.touches, 0) >= $cadence_calls then 'met'
            else 'breached'
        end as cadence,
        (epoch_us(w.first_touch_at) - epoch_us(m.mql_at)) / 3600000000.0 as hours
    from in_month as m
    left join worked as w on w.lead_id = m.lead_id
    left join deal_in_window as d on d.lead_id = m.lead_id
),

rules as (
    select
        grouping(rep_id) = 1 as is_total,
        rep_id,
        count(*) filter (where first_touch = 'met') as touch_met,
        count(*) filter (where first_touch = 'breached') as touch_breached,
        count(*) filter (where first_touch = 'pending') as touch_pending,
        count(*) filter (where first_touch in ('met', 'breached') and hours is null) as never_touched,
        round(quantile_cont(hours, 0.5) filter (where first_touch in ('met', 'breached')), 2)
            as median_hours,
        round(quantile_cont(hours, 0.9) filter (where first_touch in ('met', 'breached')), 2)
            as p90_hours,
        count(*) filter (where cadence = 'met') as cadence_met,
        count(*) filter (where cadence = 'breached') as cadence_breached,
        count(*) filter (where cadence = 'excluded') as cadence_excluded,
        count(*) filter (where cadence = 'pending') as cadence_pending,
        list(lead_id order by lead_id) filter (
            where first_touch = 'breached' or cadence = 'breached'
        ) as breached_lead_ids
    from judged
    group by grouping sets ((rep_id), ())
),

sample as (
    select
        lead_id,
        mql_at,
        coalesce(sql_at < $cutoff, false) as reached_sql,
        coalesce(intent = 'hand_raiser', false) as hand_raiser
    from leads
    where mql_at >= $window_start and mql_at < $window_end
),

-- Each sample lead's earliest touch in [$window_start, $cutoff) is its first touch when at/after
-- mql_at; leads also touched before their MQL are joined to their activities.
first_any as (
    select
        lead_id,
        min(occurred_at) as first_at
    from activities
    where
        list_contains($first_touch_kinds::varchar[], kind)
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

first_touch as (
    select
        lead_id,
        first_at
    from touched
    where first_at >= mql_at
    union all
    select
        t.lead_id,
        min(a.occurred_at)
    from touched as t
    inner join activities as a on a.lead_id = t.lead_id
    where
        t.first_at < t.mql_at
        and list_contains($first_touch_kinds::varchar[], a.kind)
        and a.occurred_at >= t.mql_at
        and a.occurred_at < $cutoff
    group by t.lead_id
),

won as (
    select distinct lead_id
    from deals
    where stage = 'won' and closed_at < $cutoff
),

banded as (
    select
        s.*,
        w.lead_id is not null as won,
        f.first_at - s.mql_at as wait
    from sample as s
    left join first_touch as f on f.lead_id = s.lead_id
    left join won as w on w.lead_id = s.lead_id
),

speed as (
    select
        case
            when wait is null then 'never'
            when wait < interval 1 hour then '<1 h'
            when wait < interval 4 hour then '1–4 h'
            when wait <= interval 24 hour then '4–24 h'
            else '>24 h'
        end as band,
        count(*) as mqls,
        count(*) filter (where reached_sql) as sqls,
        count(*) filter (where won) as won_leads,
        count(*) filter (where hand_raiser) as hand_raisers
    from banded
    group by band
),

final as (
    select
        (select list(b order by b.intent, b.fit) from by_bucket as b) as delivery,
        (select list(p order by p.day) from pacing as p) as pacing,
        (select list(r order by r.is_total desc, r.rep_id) from rules as r) as rules,
        (select list(s order by s.band) from speed as s) as speed
)

select * from final
