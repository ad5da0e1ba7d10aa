-- The demo leads: the contract's columns of the demo_lead_plan staging table. assigned_at (schema
-- version 2): an owned MQL is routed to its owner 0 to 8 hours after mql_at (most within the hour)
-- and before its first touch (at most 90% of the way to it), drawn from its own salt so every other
-- value of the demo is as before. segment (schema version 3): the lead's region, north_america for
-- about two in three and europe for the rest, also from its own salt.
with final as (
    select
        lead_id,
        created_at,
        mql_at,
        sql_at,
        owner_id,
        intent,
        fit,
        source,
        case
            when mql_at is not null and owner_id is not null
                then mql_at + to_seconds(
                    least(
                        28800 * pow(demo_u(h, 'routing'), 3),
                        0.9 * 3600 * coalesce(first_touch_hours, 8)
                    )::bigint
                )
        end as assigned_at,
        case when demo_u(h, 'region') < 0.65 then 'north_america' else 'europe' end as segment
    from demo_lead_plan
)

select * from final
