-- The three units the source deck weighs (new leads by created_at, MQLs by mql_at, SQLs by sql_at):
-- how many arrived in [$volume_start, $cutoff), and, for those stamped inside the mature sample
-- [$window_start, $window_end), how many there were and the won revenue they led to before $cutoff.
-- One pass over the leads with a stamp in either range, joined once to their won revenue.
with won as (
    select
        lead_id,
        sum(round(amount, 2)::decimal(18, 2)) as revenue
    from deals
    where stage = 'won' and closed_at < $cutoff
    group by lead_id
),

stamped as (
    select
        l.created_at,
        l.mql_at,
        l.sql_at,
        w.lead_id is not null as won,
        w.revenue
    from leads as l
    left join won as w on w.lead_id = l.lead_id
    where
        (l.created_at >= least($volume_start, $window_start) and l.created_at < $cutoff)
        or (l.mql_at >= least($volume_start, $window_start) and l.mql_at < $cutoff)
        or (l.sql_at >= least($volume_start, $window_start) and l.sql_at < $cutoff)
),

counts as (
    select
        count(*) filter (where created_at >= $volume_start and created_at < $cutoff) as leads_recent,
        count(*) filter (where mql_at >= $volume_start and mql_at < $cutoff) as mqls_recent,
        count(*) filter (where sql_at >= $volume_start and sql_at < $cutoff) as sqls_recent,
        count(*) filter (where created_at >= $window_start and created_at < $window_end) as leads_sample,
        count(*) filter (where mql_at >= $window_start and mql_at < $window_end) as mqls_sample,
        count(*) filter (where sql_at >= $window_start and sql_at < $window_end) as sqls_sample,
        count(*) filter (
            where won and created_at >= $window_start and created_at < $window_end
        ) as leads_won,
        count(*) filter (where won and mql_at >= $window_start and mql_at < $window_end) as mqls_won,
        count(*) filter (where won and sql_at >= $window_start and sql_at < $window_end) as sqls_won,
        coalesce(
            sum(revenue) filter (where created_at >= $window_start and created_at < $window_end), 0
        )::double as leads_revenue,
        coalesce(
            sum(revenue) filter (where mql_at >= $window_start and mql_at < $window_end), 0
        )::double as mqls_revenue,
        coalesce(
            sum(revenue) filter (where sql_at >= $window_start and sql_at < $window_end), 0
        )::double as sqls_revenue
    from stamped
),

-- One row per unit (unnesting the single row keeps `counts` one parallel pass, not a
-- materialized CTE read three times).
final as (
    select
        unnest(['leads', 'mqls', 'sqls']) as unit,
        unnest([leads_recent, mqls_recent, sqls_recent]) as recent,
        unnest([leads_sample, mqls_sample, sqls_sample]) as sample,
        unnest([leads_won, mqls_won, sqls_won]) as won_leads,
        unnest([leads_revenue, mqls_revenue, sqls_revenue]) as revenue
    from counts
)

select * from final
order by case unit when 'leads' then 1 when 'mqls' then 2 else 3 end
