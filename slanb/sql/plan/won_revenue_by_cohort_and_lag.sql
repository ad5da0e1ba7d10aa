-- Won revenue and first wins of the MQL cohorts in [$start, $cutoff), by month of MQL (the cohort)
-- and lag: calendar months from the month of mql_at to the month of closed_at (0 = the same month).
-- Only won deals closed before $cutoff count, as in the sample; a deal closed before its lead's
-- mql_at counts at lag 0. A lead's first win is the lag of its earliest won deal. Lead-level
-- durations stay here: only one row per cohort and lag leaves the database.
with cohort as (
    select
        lead_id,
        date_trunc('month', mql_at) as month_start
    from leads
    where mql_at >= $start and mql_at < $cutoff
),

won as (
    select
        lead_id,
        closed_at,
        round(amount, 2)::decimal(18, 2) as amount
    from deals
    where stage = 'won' and closed_at < $cutoff
),

by_deal as (
    select
        c.lead_id,
        c.month_start,
        greatest(
            0,
            (year(w.closed_at) - year(c.month_start)) * 12
            + month(w.closed_at) - month(c.month_start)
        ) as lag,
        w.amount
    from cohort as c
    inner join won as w on w.lead_id = c.lead_id
),

revenue as (
    select
        month_start,
        lag,
        sum(amount)::double as revenue
    from by_deal
    group by all
),

first_win as (
    select
        month_start,
        min(lag) as lag
    from by_deal
    group by lead_id, month_start
),

wins as (
    select
        month_start,
        lag,
        count(*) as won_leads
    from first_win
    group by all
),

final as (
    select
        r.month_start,
        r.lag,
        r.revenue,
        coalesce(w.won_leads, 0)::bigint as won_leads
    from revenue as r
    left join wins as w on w.month_start = r.month_start and w.lag = r.lag
)

select * from final
order by month_start, lag
