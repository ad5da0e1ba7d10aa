-- A fingerprint of the history: each table's row count and an order-free digest of its rows
-- (bit_xor of DuckDB's row hash), so a re-import that edits, adds or drops one row changes it.
-- The commitments ledger records it to say which history a month's goal was computed from.
with tables as (
    select 'leads' as name, count(*) as n, coalesce(bit_xor(hash(t)), 0) as digest from leads as t
    union all
    select 'activities', count(*), coalesce(bit_xor(hash(t)), 0) from activities as t
    union all
    select 'deals', count(*), coalesce(bit_xor(hash(t)), 0) from deals as t
    union all
    select 'reps', count(*), coalesce(bit_xor(hash(t)), 0) from reps as t
),

final as (
    select name, n, digest::ubigint::varchar as digest
    from tables
)

select * from final
order by name
