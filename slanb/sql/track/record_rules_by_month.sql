-- The sales side of every month of the record at once, each month by its own terms: the months
-- ($months, [$cutoffs, $ends), judged at $as_ofs) arrive as parallel lists with their terms
-- ($first_touch_hours, $first_touch_kinds, $cadence_days, $cadence_calls, $cadence_kinds). The
-- rules are those of track/rules_by_rep (each judged in the month its deadline falls in; a
-- deadline after the month's as_of is pending; only activities at/after mql_at count); per month:
-- first touches and cadences judged and met, and the reps (owners; not `unassigned`) with a breach.
with terms as (
    select
        unnest($months::varchar[]) as month,
        unnest($cutoffs::timestamp[]) as cutoff,
        unnest($ends::timestamp[]) as month_end,
        unnest($as_ofs::timestamp[]) as as_of,
        unnest($first_touch_hours::double[]) as first_touch_hours,
        unnest($first_touch_kinds::varchar[][]) as first_touch_kinds,
        unnest($cadence_days::integer[]) as cadence_days,
        unnest($cadence_calls::integer[]) as cadence_calls,
        unnest($cadence_kinds::varchar[][]) as cadence_kinds
),

spans as (
    select
        *,
        to_microseconds(round(first_touch_hours * 3600000000)::bigint) as touch_span,
        to_days(cadence_days) as cadence_span
    from terms
),

mqls as (
    select
        s.month,
        s.cutoff,
        s.month_end,
        s.as_of,
        s.first_touch_kinds,
        s.cadence_calls,
        s.cadence_kinds,
        l.lead_id,
        coalesce(l.owner_id, 'unassigned') as rep_id,
        l.mql_at,
        l.mql_at + s.touch_span as touch_deadline,
        l.mql_at + s.cadence_span as cadence_deadline
    from leads as l
    inner join spans as s
        on
            l.mql_at >= least(s.cutoff - s.touch_span, s.cutoff - s.cadence_span)
            and l.mql_at < s.month_end
),

in_month as (
    select
        *,
        touch_deadline >= cutoff and touch_deadline < month_end as touch_in_month,
        cadence_deadline >= cutoff and cadence_deadline < month_end as cadence_in_month
    from mqls
    where
        (touch_deadline >= cutoff and touch_deadline < month_end)
        or (cadence_deadline >= cutoff and cadence_deadline < month_end)
),

worked as (
    select
        m.month,
        m.lead_id,
        min(a.occurred_at) filter (
            where list_contains(m.first_touch_kinds, a.kind) and a.occurred_at <= m.as_of
        ) as first_touch_at,
        count(*) filter (
            where list_contains(m.cadence_kinds, a.kind) and a.occurred_at < m.cadence_deadline
        ) as touches
    from in_month as m
    inner join activities as a on a.lead_id = m.lead_id and a.occurred_at >= m.mql_at
    group by m.month, m.lead_id
),

deal_in_window as (
    select distinct
        m.month,
        m.lead_id
    from in_month as m
    inner join deals as d on d.lead_id = m.lead_id
    where d.created_at >= m.mql_at and d.created_at < m.cadence_deadline
),

judged as (
    select
        m.month,
        m.rep_id,
        case
            when not m.touch_in_month then null
            when m.touch_deadline > m.as_of then 'pending'
            when t.first_touch_at <= m.touch_deadline then 'met'
            else 'breached'
        end as first_touch,
        case
            when not m.cadence_in_month then null
            when m.cadence_deadline > m.as_of then 'pending'
            when w.lead_id is not null then 'excluded'
            when coalesce(t.touches, 0) >= m.cadence_calls then 'met'
            else 'breached'
        end as cadence
    from in_month as m
    left join worked as t on t.month = m.month and t.lead_id = m.lead_id
    left join deal_in_window as w on w.month = m.month and w.lead_id = m.lead_id
),

by_rep as (
    select
        month,
        rep_id,
        count(*) filter (where first_touch in ('met', 'breached')) as touch_judged,
        count(*) filter (where first_touch = 'met') as touch_met,
        count(*) filter (where cadence in ('met', 'breached')) as cadence_judged,
        count(*) filter (where cadence = 'met') as cadence_met,
        count(*) filter (where first_touch = 'breached' or cadence = 'breached') as breaches
    from judged
    group by month, rep_id
),

final as (
    select
        month,
        sum(touch_judged)::bigint as touch_judged,
        sum(touch_met)::bigint as touch_met,
        sum(cadence_judged)::bigint as cadence_judged,
        sum(cadence_met)::bigint as cadence_met,
        count(*) filter (where rep_id <> 'unassigned' and breaches > 0) as reps_on_dashboard
    from by_rep
    group by month
)

select * from final
order by month
