-- One row: the span and size of the history, and the instant it is complete up to.
with lead_stats as (
    select
        min(created_at) as first_created,
        max(greatest(created_at, coalesce(mql_at, created_at), coalesce(sql_at, created_at))) as newest_lead,
        count(*) as leads,
        count(mql_at) as mqls
    from leads
),

deal_stats as (
    select
        count(*) as deals,
        count(*) filter (where stage = 'won') as won_deals,
        coalesce(sum(amount) filter (where stage = 'won'), 0) as won_revenue,
        max(greatest(created_at, coalesce(closed_at, created_at))) as newest_deal
    from deals
),

activity_stats as (
    select count(*) as activities, max(occurred_at) as newest_activity
    from activities
),

meta as (
    select max(try_cast(value as timestamp)) as exported_at
    from slanb_meta
    where key = 'exported_at'
),

final as (
    select
        l.first_created,
        greatest(l.newest_lead, d.newest_deal, a.newest_activity) as newest,
        l.leads,
        l.mqls,
        d.deals,
        d.won_deals,
        d.won_revenue,
        (select count(*) from reps) as reps,
        a.activities,
        coalesce(m.exported_at, greatest(l.newest_lead, d.newest_deal, a.newest_activity)) as exported_at
    from lead_stats as l
    cross join deal_stats as d
    cross join activity_stats as a
    cross join meta as m
)

select
    first_created,
    least(newest, exported_at - interval 1 microsecond) as last_instant,
    leads,
    mqls,
    deals,
    won_deals,
    won_revenue,
    reps,
    activities,
    exported_at
from final
