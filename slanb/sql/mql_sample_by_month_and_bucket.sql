-- Every MQL with mql_at in [$start, $cutoff), aggregated by month of MQL and 2x3 bucket, with what
-- became of it before $cutoff: contacted (a $touch_kinds activity at/after mql_at), reached SQL,
-- got a deal, won (won deals closed before $cutoff; a lead with two won deals counts both).
-- Leads with a NULL intent or fit form the single `unknown` bucket.
with sample as (
    select
        lead_id,
        date_trunc('month', mql_at) as month_start,
        case when intent is null or fit is null then 'unknown' else intent end as intent,
        case when intent is null or fit is null then 'unknown' else fit end as fit,
        mql_at,
        sql_at
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

any_deal as (
    select distinct lead_id
    from deals
    where created_at < $cutoff
),

touched as (
    select distinct a.lead_id
    from activities as a
    inner join sample as s on s.lead_id = a.lead_id
    where
        a.kind in (select unnest($touch_kinds::varchar[]))
        and a.occurred_at >= s.mql_at
        and a.occurred_at < $cutoff
),

final as (
    select
        s.month_start,
        s.intent,
        s.fit,
        count(*) as mqls,
        count(t.lead_id) as contacted,
        count(*) filter (where s.sql_at < $cutoff) as reached_sql,
        count(d.lead_id) as got_deal,
        count(w.lead_id) as won_leads,
        coalesce(sum(w.won_deals), 0)::bigint as won_deals,
        coalesce(sum(w.revenue), 0)::double as revenue
    from sample as s
    left join won as w on w.lead_id = s.lead_id
    left join any_deal as d on d.lead_id = s.lead_id
    left join touched as t on t.lead_id = s.lead_id
    group by all
)

select * from final
order by month_start, intent, fit
