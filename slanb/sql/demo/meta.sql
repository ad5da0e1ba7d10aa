-- The demo history's slanb_meta rows: the instant it is complete up to, and the seed it came from.
with final as (
    select *
    from (
        values
            ('exported_at', $exported_at::varchar),
            ('demo_seed', $seed::varchar)
    ) as t (key, value)
)

select * from final
