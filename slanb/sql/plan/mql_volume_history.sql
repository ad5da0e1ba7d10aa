-- MQLs per calendar month (by mql_at) for every month from the history's first up to $cutoff, for
-- the volume forecast and its backtest. A month with no MQLs counts 0; a month not over by
-- $known_until (the history's recorded export) is left out, not counted as a month without MQLs.
with history_start as (
    select date_trunc('month', min(created_at)) as first_month
    from leads
),

months as (
    select unnest(
        generate_series(first_month, $cutoff::timestamp - interval 1 month, interval 1 month)
    ) as month_start
    from history_start
    where first_month < $cutoff
),

mqls as (
    select
        date_trunc('month', mql_at) as month_start,
        count(*) as mqls
    from leads
    where mql_at < $cutoff
    group by all
),

final as (
    select
        m.month_start,
        coalesce(q.mqls, 0)::bigint as mqls
    from months as m
    left join mqls as q on q.month_start = m.month_start
    where m.month_start + interval 1 month <= $known_until::timestamp
)

select * from final
order by month_start
