-- MQLs per calendar month (by mql_at) in [$start, $cutoff), split by intent and fit.
-- Every month appears (zero when nothing was delivered); `covered` is false for months
-- before the history begins or not over by $known_until (the history's recorded export), so
-- they are not mistaken for months with no MQLs.
with months as (
    select unnest(
        generate_series($start::timestamp, $cutoff::timestamp - interval 1 month, interval 1 month)
    ) as month_start
),

history_start as (
    select date_trunc('month', min(created_at)) as first_month
    from leads
),

mqls as (
    select
        date_trunc('month', mql_at) as month_start,
        coalesce(intent, 'unknown') as intent,
        coalesce(fit, 'unknown') as fit,
        count(*) as mqls
    from leads
    where mql_at >= $start and mql_at < $cutoff
    group by all
),

final as (
    select
        m.month_start,
        coalesce(m.month_start >= h.first_month, false)
        and m.month_start + interval 1 month <= $known_until::timestamp as covered,
        q.intent,
        q.fit,
        coalesce(q.mqls, 0) as mqls
    from months as m
    cross join history_start as h
    left join mqls as q on q.month_start = m.month_start
)

select * from final
order by month_start, intent, fit
