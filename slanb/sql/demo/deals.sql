-- The demo deals, read from the demo_lead_plan staging table, as they stand at $exported_at:
-- a deal exists once created; it is won or lost once its close is in the past, open before that
-- (and forever, for the stalled ones). About 5% of won customers buy an add-on 1-4 months later.
-- Deal ids number the deals in order of creation.
with first_deals as (
    select
        lead_id,
        1 as deal_no,
        deal_created_at as created_at,
        case
            when outcome in ('won', 'lost') and close_at < $exported_at then close_at
        end as closed_at,
        case when close_at < $exported_at then outcome else 'open' end as stage,
        amount
    from demo_lead_plan
    where deal_created_at < $exported_at
),

add_on_plan as (
    select
        lead_id,
        close_at
        + to_seconds((86400 * (30 + 90 * demo_u(h, 'add_on_delay')))::bigint) as created_at,
        round(amount * (0.3 + 0.4 * demo_u(h, 'add_on_amount')), 2) as amount,
        h
    from demo_lead_plan
    where outcome = 'won' and demo_u(h, 'add_on') < 0.05
),

add_ons as (
    select
        lead_id,
        2 as deal_no,
        created_at,
        created_at + to_seconds((86400 * (7 + 35 * demo_u(h, 'add_on_close')))::bigint) as close_at,
        amount
    from add_on_plan
    where created_at < $exported_at
),

all_deals as (
    select * from first_deals
    union all
    select
        lead_id,
        deal_no,
        created_at,
        case when close_at < $exported_at then close_at end as closed_at,
        case when close_at < $exported_at then 'won' else 'open' end as stage,
        amount
    from add_ons
),

final as (
    select
        'D' || lpad(
            (row_number() over (order by created_at, lead_id, deal_no))::varchar, $id_width, '0'
        ) as deal_id,
        lead_id,
        created_at,
        closed_at,
        stage,
        amount
    from all_deals
)

select * from final
