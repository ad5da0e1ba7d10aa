-- The floor for step 1, in one query: MQLs per month and bucket over the span before M, the
-- history's first instant, and the three units of measurement (leads, MQLs, SQLs: how many arrived
-- in [$volume_start, $cutoff), and for those stamped in the sample [$window_start, $window_end) how
-- many there were, how many won and their won revenue before $cutoff).
with won as (
    select
        lead_id,
        sum(round(amount, 2)::decimal(18, 2)) as revenue
    from deals
    where stage = 'won' and closed_at < $cutoff
    group by lead_id
),

months as (
    select
        date_trunc('month', mql_at) as month_start,
        coalesce(intent, 'unknown') as intent,
        coalesce(fit, 'unknown') as fit,
        count(*) as mqls
    from leads
    where mql_at >= $span_start and mql_at < $cutoff
    group by all
),

units as (
    select
        count(*) filter (where l.created_at >= $volume_start and l.created_at < $cutoff) as leads_recent,
        count(*) filter (where l.mql_at >= $volume_start and l.mql_at < $cutoff) as mqls_recent,
        count(*) filter (where l.sql_at >= $volume_start and l.sql_at < $cutoff) as sqls_recent,
        count(*) filter (where l.created_at >= $window_start and l.created_at < $window_end) as leads_sample,
        count(*) filter (where l.mql_at >= $window_start and l.mql_at < $window_end) as mqls_sample,
        count(*) filter (where l.sql_at >= $window_start and l.sql_at < $window_end) as sqls_sample,
        count(w.lead_id) filter (where l.created_at >= $window_start and l.created_at < $window_end) as leads_won,
        count(w.lead_id) filter (where l.mql_at >= $window_start and l.mql_at < $window_end) as mqls_won,
        count(w.lead_id) filter (where l.sql_at >= $window_start and l.sql_at < $window_end) as sqls_won,
        coalesce(sum(w.revenue) filter (where l.created_at >= $window_start and l.created_at < $window_end), 0) as leads_revenue,
        coalesce(sum(w.revenue) filter (where l.mql_at >= $window_start and l.mql_at < $window_end), 0) as mqls_revenue,
        coalesce(sum(w.revenue) filter (where l.sql_at >= $window_start and l.sql_at < $window_end), 0) as sqls_revenue
    from leads as l
    left join won as w on w.lead_id = l.lead_id
    where
        (l.created_at >= $span_start and l.created_at < $cutoff)
        or (l.mql_at >= $span_start and l.mql_at < $cutoff)
        or (l.sql_at >= $span_start and l.sql_at < $cutoff)
        or (l.created_at >= $window_start and l.created_at < $window_end)
        or (l.mql_at >= $window_start and l.mql_at < $window_end)
        or (l.sql_at >= $window_start and l.sql_at < $window_end)
),

final as (
    select
        (select list(m order by m.month_start, m.intent, m.fit) from months as m) as months,
        (select min(created_at) from leads) as first_created,
        u.*
    from units as u
)

select * from final
