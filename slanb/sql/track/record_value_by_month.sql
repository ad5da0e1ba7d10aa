-- What an MQL was worth for each month of the record, computed now, in one pass: per target month
-- ($months, with its $cutoffs and sample windows [$window_starts, $window_ends)) and 2x3 bucket,
-- the sample's MQLs and the won revenue of their deals closed before the month's cutoff. The same
-- sample as plan/mql_sample_by_month_and_bucket, for every month at once: leads and won deals are
-- reduced to (month of MQL, bucket[, month closed]) before they meet the months.
with targets as (
    select
        unnest($months::varchar[]) as month,
        unnest($cutoffs::timestamp[]) as cutoff,
        unnest($window_starts::timestamp[]) as window_start,
        unnest($window_ends::timestamp[]) as window_end
),

bounds as (
    select
        min(window_start) as first_start,
        max(window_end) as last_end
    from targets
),

cohort as (
    select
        l.lead_id,
        date_trunc('month', l.mql_at) as mql_month,
        case when l.intent is null or l.fit is null then 'unknown' else l.intent end as intent,
        case when l.intent is null or l.fit is null then 'unknown' else l.fit end as fit
    from leads as l, bounds as b
    where l.mql_at >= b.first_start and l.mql_at < b.last_end
),

mqls as (
    select
        mql_month,
        intent,
        fit,
        count(*) as mqls
    from cohort
    group by all
),

won as (
    select
        c.mql_month,
        c.intent,
        c.fit,
        date_trunc('month', d.closed_at) as closed_month,
        sum(round(d.amount, 2)::decimal(18, 2)) as revenue
    from cohort as c
    inner join deals as d on d.lead_id = c.lead_id
    where d.stage = 'won' and d.closed_at is not null
    group by all
),

target_mqls as (
    select
        t.month,
        m.intent,
        m.fit,
        sum(m.mqls) as mqls
    from targets as t
    inner join mqls as m on m.mql_month >= t.window_start and m.mql_month < t.window_end
    group by all
),

target_won as (
    select
        t.month,
        w.intent,
        w.fit,
        sum(w.revenue) as revenue
    from targets as t
    inner join won as w
        on
            w.mql_month >= t.window_start
            and w.mql_month < t.window_end
            and w.closed_month < t.cutoff
    group by all
),

final as (
    select
        m.month,
        m.intent,
        m.fit,
        m.mqls::bigint as mqls,
        coalesce(w.revenue, 0)::double as revenue
    from target_mqls as m
    left join target_won as w on w.month = m.month and w.intent = m.intent and w.fit = m.fit
)

select * from final
order by month, intent, fit
