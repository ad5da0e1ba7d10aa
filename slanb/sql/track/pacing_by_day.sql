-- Day by day through the SLA month, up to the instant it is judged at: cumulative MQLs delivered
-- (mql_at in [$cutoff, $as_of)) and their cumulative lead value (matrix as in
-- tracking_delivery_by_bucket.sql). A day appears once its first instant is before $as_of, so the
-- day holding $as_of is counted up to $as_of. `unvalued` counts MQLs whose bucket has no value.
with bucket_values as (
    select
        unnest($intents::varchar[]) as intent,
        unnest($fits::varchar[]) as fit,
        unnest($lead_values::decimal(18, 2)[]) as lead_value_per_mql
),

days as (
    select unnest(
        generate_series(
            $cutoff::timestamp, $as_of::timestamp - interval 1 microsecond, interval 1 day
        )
    ) as day_start
),

delivered as (
    select
        date_trunc('day', l.mql_at) as day_start,
        b.lead_value_per_mql
    from leads as l
    left join bucket_values as b
        on
            b.intent = case when l.intent is null or l.fit is null then 'unknown' else l.intent end
            and b.fit = case when l.intent is null or l.fit is null then 'unknown' else l.fit end
    where l.mql_at >= $cutoff and l.mql_at < $as_of
),

daily as (
    select
        day_start,
        count(*) as mqls,
        coalesce(sum(lead_value_per_mql), 0) as lead_value,
        count(*) filter (where lead_value_per_mql is null) as unvalued
    from delivered
    group by day_start
),

final as (
    select
        d.day_start::date as day,
        sum(coalesce(y.mqls, 0)) over running as mqls,
        sum(coalesce(y.lead_value, 0)) over running as lead_value,
        sum(coalesce(y.unvalued, 0)) over running as unvalued
    from days as d
    left join daily as y on y.day_start = d.day_start
    window running as (order by d.day_start)
)

select * from final
order by day
