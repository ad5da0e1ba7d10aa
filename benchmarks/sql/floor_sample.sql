-- The floor for step 2, the matrix and the funnel, in one query: MQLs with mql_at in
-- [$start, $cutoff) by month of MQL and bucket, with what became of them before $cutoff. A lead is
-- contacted when its last $touch_kinds activity in [$start, $cutoff) is at/after its mql_at (exact,
-- since mql_at >= $start), so activities are aggregated per lead before the join.
with sample as (
    select
        lead_id,
        date_trunc('month', mql_at) as month_start,
        case when intent is null or fit is null then 'unknown' else intent end as intent,
        case when intent is null or fit is null then 'unknown' else fit end as fit,
        mql_at,
        sql_at < $cutoff as reached_sql
    from leads
    where mql_at >= $start and mql_at < $cutoff
),

won as (
    select
        lead_id,
        count(*) as won_deals,
        sum(round(amount, 2)::decimal(18, 2)) as revenue
    from deals
    where stage = 'won' and closed_at < $cutoff
    group by lead_id
),

dealt as (
    select distinct lead_id
    from deals
    where created_at < $cutoff
),

last_touch as (
    select
        lead_id,
        max(occurred_at) as last_touch_at
    from activities
    where
        kind in (select unnest($touch_kinds::varchar[]))
        and occurred_at >= $start
        and occurred_at < $cutoff
    group by lead_id
),

final as (
    select
        s.month_start,
        s.intent,
        s.fit,
        count(*) as mqls,
        count(*) filter (where t.last_touch_at >= s.mql_at) as contacted,
        count(*) filter (where s.reached_sql) as reached_sql,
        count(d.lead_id) as got_deal,
        count(w.lead_id) as won_leads,
        coalesce(sum(w.won_deals), 0)::bigint as won_deals,
        coalesce(sum(w.revenue), 0) as revenue
    from sample as s
    left join won as w on w.lead_id = s.lead_id
    left join dealt as d on d.lead_id = s.lead_id
    left join last_touch as t on t.lead_id = s.lead_id
    group by all
)

select * from final
order by month_start, intent, fit
