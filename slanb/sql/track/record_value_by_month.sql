-- What an MQL was worth for each month of the record, computed now, in one pass: per target month
-- ($months, with its $cutoffs and sample windows [$window_starts, $window_ends)) and 2x3 bucket,
-- the sample's MQLs and the won revenue of their deals closed before the month's cutoff. The same
-- sample as plan/mql_sample_by_month_and_bucket, for every month at once: leads and won deals are
-- reduced to (month of MQL, bucket[, month closed]) before they meet the months. [$first_start,
-- $last_end) spans every window (the earliest start, the latest end): a bound on the leads' scan
-- that the won deals, far fewer, are joined to.
with targets as (
    select
        unnest($months::varchar[]) as month,
        unnest($cutoffs::timestamp[]) as cutoff,
        unnest($window_starts::timestamp[]) as window_start,
        unnest($window_ends::timestamp[]) as window_end
),

mqls as (
    select
        date_trunc('month', l.mql_at) as mql_month,
        case when l.intent is null or l.fit is null then 'unknown' else l.intent end as intent,
        case when l.intent is null or l.fit is null then 'unknown' else l.fit end as fit,
        count(*) as mqls
    from leads as l
    where l.mql_at >= $first_start and l.mql_at < $last_end
    group by all
),

-- the won deals (a few hundred thousand) meet the leads, not the leads the deals
won_deals as (
    select
        lead_id,
        date_trunc('month', closed_at) as closed_month,
        round(amount, 2)::decimal(18, 2) as amount
    from deals
    where stage = 'won' and closed_at is not null
),

won as (
    select
        date_trunc('month', l.mql_at) as mql_month,
        case when l.intent is null or l.fit is null then 'unknown' else l.intent end as intent,
        case when l.intent is null or l.fit is null then 'unknown' else l.fit end as fit,
        d.closed_month,
        sum(d.amount) as revenue
    from won_deals as d
    inner join leads as l on l.lead_id = d.lead_id
    where l.mql_at >= $first_start and l.mql_at < $last_end
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
