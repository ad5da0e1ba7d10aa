-- MQLs delivered in each month of the record ($months, each judged over [$cutoffs, $as_ofs)),
-- per 2x3 bucket (NULL intent or fit is `unknown`): one scan of the leads for every month, bounded
-- by [$first_cutoff, $last_as_of) (the earliest cutoff, the latest as_of), each lead looked up in
-- the month it falls in (every as_of is at most its month's end).
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
    inner join targets as t on t.cutoff = date_trunc('month', l.mql_at)
    where l.mql_at >= $first_cutoff and l.mql_at < $last_as_of and l.mql_at < t.as_of
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
