-- MQLs delivered in each month of the record ($months, each judged over [$cutoffs, $as_ofs)),
-- per 2x3 bucket (NULL intent or fit is `unknown`): one scan of the leads for every month.
with targets as (
    select
        unnest($months::varchar[]) as month,
        unnest($cutoffs::timestamp[]) as cutoff,
        unnest($as_ofs::timestamp[]) as as_of
),

delivered as (
    select
        t.month,
        case when l.intent is null or l.fit is null then 'unknown' else l.intent end as intent,
        case when l.intent is null or l.fit is null then 'unknown' else l.fit end as fit
    from leads as l
    inner join targets as t on l.mql_at >= t.cutoff and l.mql_at < t.as_of
),

final as (
    select
        month,
        intent,
        fit,
        count(*)::bigint as mqls
    from delivered
    group by all
)

select * from final
order by month, intent, fit
