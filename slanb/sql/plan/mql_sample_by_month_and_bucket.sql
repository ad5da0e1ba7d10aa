-- Every MQL with mql_at in [$start, $cutoff), aggregated by month of MQL and 2x3 bucket, with what
-- became of it before $cutoff: contacted (a $touch_kinds activity at/after mql_at), reached SQL,
-- got a deal, won (won deals closed before $cutoff; a lead with two won deals counts both).
-- Leads with a NULL intent or fit form the single `unknown` bucket. `revenue_sq` sums each lead's
-- won revenue squared: with `revenue` and `mqls` it gives the spread of revenue per lead.
-- Activities are reduced to each lead's last touch in [$start, $cutoff) before they meet the
-- sample: a lead was contacted exactly when that touch is at/after its mql_at (mql_at >= $start),
-- and a grouped scan is far cheaper than joining every activity to the sample.
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

last_touch as (
    select
        lead_id,
        max(occurred_at) as touched_at
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
        count(*) filter (where t.touched_at >= s.mql_at) as contacted,
        count(*) filter (where s.sql_at < $cutoff) as reached_sql,
        count(d.lead_id) as got_deal,
        count(w.lead_id) as won_leads,
        coalesce(sum(w.won_deals), 0)::bigint as won_deals,
        coalesce(sum(w.revenue), 0)::double as revenue,
        coalesce(sum(w.revenue::double * w.revenue::double), 0)::double as revenue_sq
    from sample as s
    left join won as w on w.lead_id = s.lead_id
    left join any_deal as d on d.lead_id = s.lead_id
    left join last_touch as t on t.lead_id = s.lead_id
    group by all
)

select * from final
order by month_start, intent, fit
