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
-- The clock (params sla_clock, cadence_clock, clock_start): each rule runs from started_at (mql_at,
-- or with $clock_start = 'assigned_at' the later of mql_at and leads.assigned_at when present) on
-- the calendar clock or on the owner's working clock (the temp table working_calendar, see
-- working_calendar.sql): a working deadline is the last instant at which the working time since
-- started_at is still within the allowance ($first_touch_hours; $cadence_days working days of
-- $working_day_hours). On the working clock a lead whose owner was on time off at started_at is
-- `away`, not judged for the rep. Both clocks' first-touch verdicts and hours are computed for every
-- lead (calendar_*, working_*); routing_hours = assigned_at - mql_at, rep_hours = first touch -
-- assigned_at (0 for a touch before the assignment was recorded). MQLs are read from $reach_from (the caller allows for the longest working deadline).
with mqls as (
    select
        l.lead_id,
        coalesce(l.owner_id, 'unassigned') as rep_id,
        coalesce(r.rep_id, '') as cal_key,
        l.mql_at,
        l.assigned_at,
        case
            when $clock_start = 'assigned_at' then greatest(l.mql_at, coalesce(l.assigned_at, l.mql_at))
            else l.mql_at
        end as started_at
    from leads as l
    left join reps as r on r.rep_id = l.owner_id
    where l.mql_at >= $reach_from and l.mql_at < $end
),

-- W(started_at): working microseconds of the lead's calendar before its clock starts.
started as (
    select
        m.*,
        coalesce(
            c.before_us + least(epoch_us(m.started_at) - epoch_us(c.starts_at), c.length_us), 0
        ) as w_start
    from mqls as m
    asof left join working_calendar as c
        on c.rep_key = m.cal_key and m.started_at >= c.starts_at
),

touch_due as (
    select
        s.*,
        c.starts_at + to_microseconds(s.w_start + $touch_us - c.before_us) as working_touch_deadline
    from started as s
    asof left join working_calendar as c
        on c.rep_key = s.cal_key and s.w_start + $touch_us >= c.before_us
),

cadence_due as (
    select
        t.*,
        c.starts_at + to_microseconds(t.w_start + $cadence_us - c.before_us)
            as working_cadence_deadline
    from touch_due as t
    asof left join working_calendar as c
        on c.rep_key = t.cal_key and t.w_start + $cadence_us >= c.before_us
),

deadlines as (
    select
        lead_id,
        rep_id,
        cal_key,
        mql_at,
        assigned_at,
        started_at,
        w_start,
        started_at + to_microseconds($touch_us) as calendar_touch_deadline,
        coalesce(working_touch_deadline, started_at + to_microseconds($touch_us))
            as working_touch_deadline,
        case
            when $cadence_clock = 'working'
                then coalesce(working_cadence_deadline, started_at + to_days($cadence_days::integer))
            else started_at + to_days($cadence_days::integer)
        end as cadence_deadline,
        exists (
            select 1
            from time_off as o
            where o.rep_id = cal_key and o.starts_at <= started_at and started_at < o.ends_at
        ) as owner_away
    from cadence_due
),

mqls_due as (
    select
        *,
        case
            when $sla_clock = 'working' then working_touch_deadline else calendar_touch_deadline
        end as touch_deadline
    from deadlines
),

in_month as (
    select
        *,
        touch_deadline >= $cutoff and touch_deadline < $end as touch_in_month,
        cadence_deadline >= $cutoff and cadence_deadline < $end as cadence_in_month,
        calendar_touch_deadline >= $cutoff and calendar_touch_deadline < $end as calendar_in_month,
        working_touch_deadline >= $cutoff and working_touch_deadline < $end as working_in_month
    from mqls_due
    where
        (touch_deadline >= $cutoff and touch_deadline < $end)
        or (cadence_deadline >= $cutoff and cadence_deadline < $end)
        or (calendar_touch_deadline >= $cutoff and calendar_touch_deadline < $end)
        or (working_touch_deadline >= $cutoff and working_touch_deadline < $end)
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

touched as (
    select
        m.*,
        t.first_touch_at,
        t.touches,
        w.lead_id is not null as deal_in_window,
        coalesce(
            c.before_us + least(epoch_us(t.first_touch_at) - epoch_us(c.starts_at), c.length_us),
            0
        ) as w_touch
    from in_month as m
    left join worked as t on t.lead_id = m.lead_id
    left join deal_in_window as w on w.lead_id = m.lead_id
    asof left join working_calendar as c
        on c.rep_key = m.cal_key and t.first_touch_at >= c.starts_at
),

verdicts as (
    select
        *,
        case
            when not calendar_in_month then null
            when calendar_touch_deadline > $as_of then 'pending'
            when first_touch_at <= calendar_touch_deadline then 'met'
            else 'breached'
        end as calendar_touch,
        case
            when not working_in_month then null
            when owner_away then 'away'
            when working_touch_deadline > $as_of then 'pending'
            when first_touch_at <= working_touch_deadline then 'met'
            else 'breached'
        end as working_touch,
        (epoch_us(first_touch_at) - epoch_us(started_at)) / 3600000000.0 as raw_hours,
        case
            when first_touch_at is not null then (w_touch - w_start) / 3600000000.0
        end as working_hours,
        (epoch_us(assigned_at) - epoch_us(mql_at)) / 3600000000.0 as routing_hours,
        greatest(
            epoch_us(first_touch_at) - epoch_us(greatest(assigned_at, mql_at)), 0
        ) / 3600000000.0 as rep_hours
    from touched
),

judged as (
    select
        lead_id,
        rep_id,
        calendar_touch,
        working_touch,
        raw_hours,
        working_hours,
        routing_hours,
        rep_hours,
        case
            when not touch_in_month then null
            when $sla_clock = 'working' then working_touch
            else calendar_touch
        end as first_touch,
        case
            when not cadence_in_month then null
            when $cadence_clock = 'working' and owner_away then 'away'
            when cadence_deadline > $as_of then 'pending'
            when deal_in_window then 'excluded'
            when coalesce(touches, 0) >= $cadence_calls then 'met'
            else 'breached'
        end as cadence,
        case when $sla_clock = 'working' then working_hours else raw_hours end
            as hours_to_first_touch
    from verdicts
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
        count(*) filter (where first_touch = 'away') as touch_away,
        count(*) filter (where calendar_touch in ('met', 'breached')) as calendar_judged,
        count(*) filter (where calendar_touch = 'met') as calendar_met,
        count(*) filter (where working_touch in ('met', 'breached')) as working_judged,
        count(*) filter (where working_touch = 'met') as working_met,
        count(*) filter (where working_touch = 'away') as working_away,
        round(
            quantile_cont(raw_hours, 0.5) filter (where first_touch in ('met', 'breached')), 2
        ) as raw_median_hours,
        round(
            quantile_cont(working_hours, 0.5) filter (where first_touch in ('met', 'breached')), 2
        ) as working_median_hours,
        round(
            quantile_cont(routing_hours, 0.5) filter (where first_touch in ('met', 'breached')), 2
        ) as routing_median_hours,
        round(
            quantile_cont(rep_hours, 0.5) filter (where first_touch in ('met', 'breached')), 2
        ) as rep_median_hours,
        count(*) filter (where cadence in ('met', 'breached')) as cadence_judged,
        count(*) filter (where cadence = 'met') as cadence_met,
        count(*) filter (where cadence = 'breached') as cadence_breached,
        count(*) filter (where cadence = 'excluded') as cadence_excluded,
        count(*) filter (where cadence = 'pending') as cadence_pending,
        count(*) filter (where cadence = 'away') as cadence_away,
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
