-- The three units the source deck weighs (new leads by created_at, MQLs by mql_at, SQLs by sql_at):
-- how many arrived in [$volume_start, $cutoff), and, for those stamped inside the mature sample
-- [$window_start, $window_end), how many there were and the won revenue they led to before $cutoff.
with won as (
    select
        lead_id,
        sum(round(amount, 2)::decimal(18, 2)) as revenue
    from deals
    where stage = 'won' and closed_at < $cutoff
    group by lead_id
),

units as (
    select 'leads' as unit, lead_id, created_at as stamped_at from leads
    union all
    select 'mqls' as unit, lead_id, mql_at as stamped_at from leads where mql_at is not null
    union all
    select 'sqls' as unit, lead_id, sql_at as stamped_at from leads where sql_at is not null
),

final as (
    select
        u.unit,
        count(*) filter (where u.stamped_at >= $volume_start and u.stamped_at < $cutoff) as recent,
        count(*) filter (where u.stamped_at >= $window_start and u.stamped_at < $window_end) as sample,
        count(w.lead_id) filter (
            where u.stamped_at >= $window_start and u.stamped_at < $window_end
        ) as won_leads,
        coalesce(
            sum(w.revenue) filter (where u.stamped_at >= $window_start and u.stamped_at < $window_end),
            0
        )::double as revenue
    from units as u
    left join won as w on w.lead_id = u.lead_id
    group by u.unit
)

select * from final
order by case unit when 'leads' then 1 when 'mqls' then 2 else 3 end
