-- MQLs delivered in the SLA month up to the instant it is judged at (mql_at in [$cutoff, $as_of)),
-- per bucket of the plan's lead-value matrix, with the lead value they carry. The matrix arrives as
-- three parallel lists ($intents, $fits, $lead_values), `unknown` included; leads with a NULL intent
-- or fit fall in `unknown`. Every matrix bucket appears (zero when none was delivered); a bucket
-- with no value gives a NULL lead_value, so the caller can say the total is undefined.
with bucket_values as (
    select
        unnest($intents::varchar[]) as intent,
        unnest($fits::varchar[]) as fit,
        unnest($lead_values::decimal(18, 2)[]) as lead_value_per_mql
),

delivered as (
    select
        case when intent is null or fit is null then 'unknown' else intent end as intent,
        case when intent is null or fit is null then 'unknown' else fit end as fit
    from leads
    where mql_at >= $cutoff and mql_at < $as_of
),

counts as (
    select
        intent,
        fit,
        count(*) as mqls
    from delivered
    group by all
),

final as (
    select
        coalesce(b.intent, c.intent) as intent,
        coalesce(b.fit, c.fit) as fit,
        coalesce(c.mqls, 0) as mqls,
        b.lead_value_per_mql,
        coalesce(c.mqls, 0) * b.lead_value_per_mql as lead_value
    from bucket_values as b
    full join counts as c on c.intent = b.intent and c.fit = b.fit
)

select * from final
order by intent, fit
