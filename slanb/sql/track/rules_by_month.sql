-- The sales side of the SLA on the calendar clock for one or several months at once, each by its own
-- terms: the months ($months, [$cutoffs, $ends), judged at $as_ofs) arrive as parallel lists with
-- their terms ($first_touch_hours, $first_touch_kinds, $cadence_days, $cadence_calls,
-- $cadence_kinds). One row per month and rep (the lead's owner; NULL is `unassigned`) and one per
-- month overall (is_total). The rules are those of track/rules_by_rep.sql on the calendar clock:
--   first touch: deadline = started_at + first_touch_hours; met when a first_touch_kinds activity
--     occurred in [mql_at, deadline] (exactly at the deadline is met), else breached;
--   cadence: window [mql_at, started_at + cadence_days), deadline = its end; excluded when a deal was
--     created in the window, met with at least cadence_calls cadence_kinds activities in it.
-- Each rule is judged in the month its deadline falls in (by that month's terms), so every lead is
-- judged once per rule; a deadline after the month's as_of is pending; only activities at or after
-- mql_at count. started_at is mql_at, or with $clock_start = 'assigned_at' the later of mql_at and
-- leads.assigned_at when present. A month reads the MQLs from its cutoff less the longer rule.
-- One pass for every month: months with the same spans and kinds form a group, and each lead of a
-- group is joined to its activities once (a kind is one bit of the group's masks, its position in
-- $kinds; $reach_from and $reach_end bound every month's reach), then judged in the months its two
-- deadlines fall in.
-- The month $detail_month also gets what its scorecard shows: hours to first touch (median, p90;
-- raw_median_hours is the same median), routing_hours = assigned_at - mql_at and rep_hours = first
-- touch - assigned_at medians, working_away (first touches judged in it whose owner was on time off
-- when the clock started: the working clock would hold them `away`) and breached_lead_ids (per rep).
-- The working clock's own columns are NULL here (track/rules_by_rep.sql computes them).
with terms as (
    select
        unnest(range(1, len($months::varchar[]) + 1)) as i,
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
        i,
        month,
        cutoff,
        month_end,
        as_of,
        cadence_calls,
        to_microseconds(round(first_touch_hours * 3600000000)::bigint) as touch_span,
        to_days(cadence_days) as cadence_span,
        list_sum(
            list_transform(
                first_touch_kinds,
                lambda k: 1::bigint << (list_position($kinds::varchar[], k) - 1)
            )
        )::bigint as touch_mask,
        list_sum(
            list_transform(
                cadence_kinds, lambda k: 1::bigint << (list_position($kinds::varchar[], k) - 1)
            )
        )::bigint as cadence_mask
    from terms
),

months as (
    select
        *,
        least(cutoff - touch_span, cutoff - cadence_span) as reach_from,
        dense_rank() over (order by touch_span, cadence_span, touch_mask, cadence_mask) as g
    from spans
),

groups as (
    select
        g,
        any_value(touch_span) as touch_span,
        any_value(cadence_span) as cadence_span,
        any_value(touch_mask) as touch_mask,
        any_value(cadence_mask) as cadence_mask,
        min(reach_from) as reach_from,
        max(month_end) as reach_end
    from months
    group by g
),

started as (
    select
        g.g,
        l.lead_id,
        l.owner_id,
        l.mql_at,
        l.assigned_at,
        g.touch_mask,
        g.cadence_mask,
        case
            when $clock_start = 'assigned_at' then greatest(l.mql_at, coalesce(l.assigned_at, l.mql_at))
            else l.mql_at
        end as started_at,
        g.touch_span,
        g.cadence_span
    from leads as l
    inner join groups as g on l.mql_at >= g.reach_from and l.mql_at < g.reach_end
    where l.mql_at >= $reach_from and l.mql_at < $reach_end
),

-- each deadline's month, when it is a month of the lead's group that reads the lead: found by its
-- position in $cutoffs (i), so the months (a few rows) are the side every lead is looked up in
positions as (
    select
        s.* exclude (touch_span, cadence_span),
        s.started_at + s.touch_span as touch_deadline,
        s.started_at + s.cadence_span as cadence_deadline,
        list_position($cutoffs::timestamp[], date_trunc('month', s.started_at + s.touch_span))
            as touch_at,
        list_position($cutoffs::timestamp[], date_trunc('month', s.started_at + s.cadence_span))
            as cadence_at
    from started as s
),

due as (
    select
        p.* exclude (touch_at, cadence_at),
        t.i as touch_i,
        c.i as cadence_i,
        t.as_of as touch_as_of,
        c.as_of as cadence_as_of,
        c.cadence_calls,
        coalesce(t.month = $detail_month, false) as touch_detail,
        coalesce(c.month = $detail_month, false) as cadence_detail
    from positions as p
    left join months as t
        on t.i = p.touch_at and t.g = p.g and p.mql_at >= t.reach_from
    left join months as c
        on c.i = p.cadence_at and c.g = p.g and p.mql_at >= c.reach_from
),

judged_leads as materialized (
    select
        *,
        row_number() over () as k
    from due
    where touch_i is not null or cadence_i is not null
),

kind_bits as (
    select
        unnest($kinds::varchar[]) as kind,
        1::bigint << unnest(range(len($kinds::varchar[]))) as bit
),

acts as (
    select
        a.lead_id,
        a.occurred_at,
        b.bit
    from activities as a
    inner join kind_bits as b on b.kind = a.kind
    where a.occurred_at >= $reach_from and a.occurred_at < $reach_end
),

worked as (
    select
        m.k,
        min(a.occurred_at) filter (where a.bit & m.touch_mask <> 0) as first_touch_at,
        count(*) filter (
            where a.bit & m.cadence_mask <> 0 and a.occurred_at < m.cadence_deadline
        ) as touches
    from judged_leads as m
    inner join acts as a on a.lead_id = m.lead_id and a.occurred_at >= m.mql_at
    group by m.k
),

deal_in_window as (
    select distinct m.k
    from judged_leads as m
    inner join deals as d on d.lead_id = m.lead_id
    where d.created_at >= m.mql_at and d.created_at < m.cadence_deadline
),

-- the owner on time off when the clock started (a known rep's time off), for $detail_month only
away as (
    select distinct m.k
    from judged_leads as m
    inner join time_off as o on o.rep_id = m.owner_id
    where
        m.touch_detail
        and o.starts_at <= m.started_at
        and m.started_at < o.ends_at
        and o.rep_id in (select rep_id from reps)
),

verdicts as materialized (
    select
        m.k,
        m.lead_id,
        coalesce(m.owner_id, 'unassigned') as rep_id,
        m.touch_i,
        m.cadence_i,
        -- the first touch up to the touch month's as_of (a later one is not known yet there)
        case when w.first_touch_at <= m.touch_as_of then w.first_touch_at end as first_touch_at,
        case
            when m.touch_i is null then null
            when m.touch_deadline > m.touch_as_of then 'pending'
            when w.first_touch_at <= m.touch_deadline then 'met'
            else 'breached'
        end as first_touch,
        case
            when m.cadence_i is null then null
            when m.cadence_deadline > m.cadence_as_of then 'pending'
            when d.k is not null then 'excluded'
            when coalesce(w.touches, 0) >= m.cadence_calls then 'met'
            else 'breached'
        end as cadence,
        o.k is not null as owner_away,
        m.touch_detail,
        m.cadence_detail,
        m.mql_at,
        m.assigned_at,
        m.started_at
    from judged_leads as m
    left join worked as w on w.k = m.k
    left join deal_in_window as d on d.k = m.k
    left join away as o on o.k = m.k
),

-- the verdicts counted by (touch month, cadence month, rep), then by each rule's own month
tallies as materialized (
    select
        touch_i,
        cadence_i,
        rep_id,
        count(*) filter (where first_touch in ('met', 'breached')) as touch_judged,
        count(*) filter (where first_touch = 'met') as touch_met,
        count(*) filter (where first_touch = 'breached') as touch_breached,
        count(*) filter (where first_touch = 'pending') as touch_pending,
        count(*) filter (
            where first_touch in ('met', 'breached') and first_touch_at is null
        ) as never_touched,
        count(*) filter (where cadence in ('met', 'breached')) as cadence_judged,
        count(*) filter (where cadence = 'met') as cadence_met,
        count(*) filter (where cadence = 'breached') as cadence_breached,
        count(*) filter (where cadence = 'excluded') as cadence_excluded,
        count(*) filter (where cadence = 'pending') as cadence_pending
    from verdicts
    group by touch_i, cadence_i, rep_id
),

by_rule as (
    select
        touch_i as i,
        rep_id,
        touch_judged,
        touch_met,
        touch_breached,
        touch_pending,
        never_touched,
        0 as cadence_judged,
        0 as cadence_met,
        0 as cadence_breached,
        0 as cadence_excluded,
        0 as cadence_pending
    from tallies
    where touch_i is not null
    union all
    select
        cadence_i as i,
        rep_id,
        0 as touch_judged,
        0 as touch_met,
        0 as touch_breached,
        0 as touch_pending,
        0 as never_touched,
        cadence_judged,
        cadence_met,
        cadence_breached,
        cadence_excluded,
        cadence_pending
    from tallies
    where cadence_i is not null
),

-- every month: the counts, per rep and overall
counts as (
    select
        i,
        grouping(rep_id) = 1 as is_total,
        rep_id,
        sum(touch_judged)::bigint as touch_judged,
        sum(touch_met)::bigint as touch_met,
        sum(touch_breached)::bigint as touch_breached,
        sum(touch_pending)::bigint as touch_pending,
        sum(never_touched)::bigint as never_touched,
        sum(cadence_judged)::bigint as cadence_judged,
        sum(cadence_met)::bigint as cadence_met,
        sum(cadence_breached)::bigint as cadence_breached,
        sum(cadence_excluded)::bigint as cadence_excluded,
        sum(cadence_pending)::bigint as cadence_pending
    from by_rule
    group by grouping sets ((i, rep_id), (i))
),

-- $detail_month: what its scorecard shows besides the counts
touch_hours as (
    select
        rep_id,
        (epoch_us(first_touch_at) - epoch_us(started_at)) / 3600000000.0 as hours_to_first_touch,
        (epoch_us(assigned_at) - epoch_us(mql_at)) / 3600000000.0 as routing_hours,
        greatest(epoch_us(first_touch_at) - epoch_us(greatest(assigned_at, mql_at)), 0)
        / 3600000000.0 as rep_hours
    from verdicts
    where touch_detail and first_touch in ('met', 'breached')
),

detail as (
    select
        rep_id,
        round(quantile_cont(hours_to_first_touch, 0.5), 2) as median_hours,
        round(quantile_cont(hours_to_first_touch, 0.9), 2) as p90_hours,
        round(quantile_cont(routing_hours, 0.5), 2) as routing_median_hours,
        round(quantile_cont(rep_hours, 0.5), 2) as rep_median_hours
    from touch_hours
    group by grouping sets ((rep_id), ())
),

detail_lists as (
    select
        rep_id,
        count(*) filter (where touch_detail and owner_away) as working_away,
        list(distinct lead_id order by lead_id) filter (
            where
                (touch_detail and first_touch = 'breached')
                or (cadence_detail and cadence = 'breached')
        ) as breached_lead_ids
    from verdicts
    where touch_detail or cadence_detail
    group by grouping sets ((rep_id), ())
),

-- every month has its overall row, a month with nothing judged too
judged_counts as (
    select * from counts
    where not is_total
    union all
    select
        m.i,
        true as is_total,
        null::varchar as rep_id,
        coalesce(c.touch_judged, 0) as touch_judged,
        coalesce(c.touch_met, 0) as touch_met,
        coalesce(c.touch_breached, 0) as touch_breached,
        coalesce(c.touch_pending, 0) as touch_pending,
        coalesce(c.never_touched, 0) as never_touched,
        coalesce(c.cadence_judged, 0) as cadence_judged,
        coalesce(c.cadence_met, 0) as cadence_met,
        coalesce(c.cadence_breached, 0) as cadence_breached,
        coalesce(c.cadence_excluded, 0) as cadence_excluded,
        coalesce(c.cadence_pending, 0) as cadence_pending
    from months as m
    left join counts as c on c.i = m.i and c.is_total
),

final as (
    select
        s.month,
        c.is_total,
        c.rep_id,
        case
            when c.is_total then null
            when c.rep_id = 'unassigned' then 'Unassigned'
            else coalesce(r.name, c.rep_id)
        end as name,
        c.touch_judged,
        c.touch_met,
        c.touch_breached,
        c.touch_pending,
        c.never_touched,
        d.median_hours,
        d.p90_hours,
        0::bigint as touch_away,
        c.touch_judged as calendar_judged,
        c.touch_met as calendar_met,
        null::bigint as working_judged,
        null::bigint as working_met,
        case when s.month = $detail_month then coalesce(x.working_away, 0) end as working_away,
        d.median_hours as raw_median_hours,
        null::double as working_median_hours,
        d.routing_median_hours,
        d.rep_median_hours,
        c.cadence_judged,
        c.cadence_met,
        c.cadence_breached,
        c.cadence_excluded,
        c.cadence_pending,
        0::bigint as cadence_away,
        case
            when s.month = $detail_month and not c.is_total then coalesce(x.breached_lead_ids, [])
        end as breached_lead_ids
    from judged_counts as c
    inner join months as s on s.i = c.i
    left join detail as d on d.rep_id is not distinct from c.rep_id and s.month = $detail_month
    left join detail_lists as x
        on x.rep_id is not distinct from c.rep_id and s.month = $detail_month
    left join reps as r on r.rep_id = c.rep_id and not c.is_total
)

select * from final
order by month, is_total desc, touch_breached + cadence_breached desc, name, rep_id
