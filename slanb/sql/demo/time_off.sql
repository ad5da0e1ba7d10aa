-- The demo's time off (schema version 2): every rep takes a week off in each half-year of the
-- history, and a few single days, while employed; weeks start on a Monday 00:00 UTC and end on
-- the next Monday 00:00 (ends_at is the first instant back). Drawn from the rep roster only.
with slots as (
    select
        r.rep_id,
        r.start_date,
        r.end_date,
        k,
        date_trunc('week', $first_month::date + to_days((91 * k + 17 * (hash(r.rep_id) % 9))::int))
            as monday
    from demo_rep_roster as r
    cross join range(12) as t (k)
),

final as (
    select
        'T' || rep_id || '-' || lpad(k::varchar, 2, '0') as time_off_id,
        rep_id,
        monday::timestamp as starts_at,
        monday::timestamp + case when k % 2 = 0 then interval 7 day else interval 1 day end
            as ends_at
    from slots
    where monday >= start_date and (end_date is null or monday < end_date)
)

select * from final
order by time_off_id
