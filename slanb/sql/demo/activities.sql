-- The demo activities, read from the demo_lead_plan staging table: each owned MQL gets its first
-- touch first_touch_hours after mql_at, then the rest of its calls_14 calls and emails_14 emails
-- spread over the first 14 days, follow_ups emails in days 15-60 and a meeting after sql_at.
-- An unassigned MQL gets at most one email, from nobody (rep_id NULL). Activities stop at
-- $exported_at and when the owner leaves the company. Ids follow lead_id order.
with worked as (
    select
        lead_no,
        h,
        lead_id,
        owner_id,
        owner_active_to,
        mql_at,
        sql_at,
        first_touch_hours,
        first_kind,
        calls_14,
        calls_14 + emails_14 as touches_14,
        follow_ups
    from demo_lead_plan
    where mql_at is not null and calls_14 + emails_14 > 0
),

expanded as (
    select
        *,
        unnest(range(touches_14 + follow_ups + (sql_at is not null)::int)) as k
    from worked
),

-- Seconds from mql_at (from sql_at for the meeting) to each activity.
timed as (
    select
        lead_no,
        lead_id,
        owner_id,
        owner_active_to,
        k,
        case
            when k >= touches_14 + follow_ups then 'meeting'
            when k >= touches_14 then 'email'
            when first_kind = 'call' and k < calls_14 then 'call'
            when first_kind = 'email' and k between 1 and calls_14 then 'call'
            else 'email'
        end as kind,
        case when k >= touches_14 + follow_ups then sql_at else mql_at end as since,
        case
            when k = 0 then 3600 * first_touch_hours
            when k < touches_14
                then 3600 * (
                    first_touch_hours
                    + (336 - first_touch_hours)
                    * (k - 1 + demo_u(hash(h, k), 'touch')) / (touches_14 - 1)
                )
            when k < touches_14 + follow_ups then 86400 * (15 + 45 * demo_u(hash(h, k), 'touch'))
            else 3600 * (2 + 70 * demo_u(hash(h, k), 'touch'))
        end as seconds
    from expanded
),

placed as (
    select
        lead_no,
        lead_id,
        owner_id,
        owner_active_to,
        k,
        kind,
        since + to_seconds(floor(seconds)::bigint) as occurred_at
    from timed
),

final as (
    select
        'A' || lpad((lead_no * 16 + k)::varchar, $id_width, '0') as activity_id,
        lead_id,
        owner_id as rep_id,
        kind,
        occurred_at
    from placed
    where
        occurred_at < $exported_at
        and (owner_active_to is null or occurred_at < owner_active_to)
)

select * from final
