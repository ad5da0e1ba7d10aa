-- The deals of a chunked demo history (benchmarks/big_history.py) with the ids build_demo gives
-- them: 'D' and the deal's rank in order of creation across all chunks. Within a chunk a deal's id
-- already follows (created_at, lead_id, deal number), so it breaks the ties the deal number would.
with final as (
    select
        'D' || lpad(
            (row_number() over (order by created_at, lead_id, deal_id))::varchar, $id_width, '0'
        ) as deal_id,
        lead_id,
        created_at,
        closed_at,
        stage,
        amount
    from memory.main.deals_staged
)

select * from final
