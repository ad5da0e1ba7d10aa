-- The sales side of the SLA for the month [$cutoff, $end), judged at $as_of: per rep (the lead's
-- owner; NULL is `unassigned`) and one overall row (is_total). Each MQL faces two rules, each judged
-- in the month its deadline falls in, so every lead is judged once per rule:
--   first touch: deadline = mql_at + $first_touch_hours; met when a $first_touch_kinds activity
--     occurred in [mql_at, deadline] (exactly at the deadline is met), else breached;
--   cadence: window [mql_at, mql_at + $cadence_days), deadline = its end; excluded when a deal was
--     created in the window, met with at least $cadence_calls $cadence_kinds activities in it.
-- A deadline in the month but after $as_of is pending. Hours to first touch (first qualifying
-- activity at/after mql_at, up to $as_of) are summarised over the judged leads touched so far;
-- never_touched counts the judged leads with no such activity. breached_lead_ids (per rep only)
-- lists the leads that breached either rule. Only MQLs whose deadlines can fall in the month are
-- read (mql_at from $cutoff less the longer rule), and their activities in one pass.
with mqls as (
    select
        lead_id,
        coalesce(owner_id, 'unassigned') as rep_id,
        mql_at,
        mql_at + to_microseconds(round($first_touch_hours * 3600000000)::bigint) as touch_deadline,
        mql_at + to_days($cadence_days::integer) as cadence_deadline
    from leads
    where
        mql_at >= least(
            $cutoff::timestamp - to_microseconds(round($first_touch_hours * 3600000000)::bigint),
            $cutoff::timestamp - to_days($cadence_days::integer)
        )
        and mql_at < $end
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
            when t.first_touch_at <= m.touch_deadline then 'met'
            else 'breached'
        end as first_touch,
        case
            when not m.cadence_in_month then null
            when m.cadence_deadline > $as_of then 'pending'
            when w.lead_id is not null then 'excluded'
            when coalesce(t.touches, 0) >= $cadence_calls then 'met'
            else 'breached'
        end as cadence,
        (epoch_us(t.first_touch_at) - epoch_us(m.mql_at)) / 3600000000.0 as hours_to_first_touch
    from in_month as m
    left join worked as t on t.lead_id = m.lead_id
    left join deal_in_window as w on w.lead_id = m.lead_id
),

by_rep as (
    select
        grouping(rep_id) = 1 as is_total,
        rep_id,
        count(*) filter (where first_touch in ('met', 'breached')) as touch_judged,
        count(*) filter (where first_touch = 'met') as touch_met,
        count(*) filter (where first_touch = 'breached') as touch_breached,
        count(*) filter (where first_touch = 'pending') as touch_pending,
        count(*) filter (
            where first_touch in ('met', 'breached') and hours_to_first_touch is null
        ) as never_touched,
        round(
            quantile_cont(hours_to_first_touch, 0.5) filter (
                where first_touch in ('met', 'breached')
            ),
            2
        ) as median_hours,
        round(
            quantile_cont(hours_to_first_touch, 0.9) filter (
                where first_touch in ('met', 'breached')
            ),
            2
        ) as p90_hours,
        count(*) filter (where cadence in ('met', 'breached')) as cadence_judged,
        count(*) filter (where cadence = 'met') as cadence_met,
        count(*) filter (where cadence = 'breached') as cadence_breached,
        count(*) filter (where cadence = 'excluded') as cadence_excluded,
        count(*) filter (where cadence = 'pending') as cadence_pending,
        case
            when grouping(rep_id) = 0
                then
                    coalesce(
                        list(distinct lead_id order by lead_id) filter (
                            where first_touch = 'breached' or cadence = 'breached'
                        ),
                        []
                    )
        end as breached_lead_ids
    from judged
    group by grouping sets ((rep_id), ())
),

final as (
    select
        b.is_total,
        b.rep_id,
        case
            when b.is_total then null
            when b.rep_id = 'unassigned' then 'Unassigned'
            else coalesce(r.name, b.rep_id)
        end as name,
        b.* exclude (is_total, rep_id)
    from by_rep as b
    left join reps as r on r.rep_id = b.rep_id and not b.is_total
)

select * from final
order by is_total desc, touch_breached + cadence_breached desc, name, rep_id
