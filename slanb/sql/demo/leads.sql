-- The demo leads: the contract's columns of the demo_lead_plan staging table.
with final as (
    select
        lead_id,
        created_at,
        mql_at,
        sql_at,
        owner_id,
        intent,
        fit,
        source
    from demo_lead_plan
)

select * from final
