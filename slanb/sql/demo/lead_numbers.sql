-- Lead numbers 0 .. $leads - 1 with each lead's random key hash(lead number, $seed). Staged as a
-- table because DuckDB scans a table on every core but runs a range() source on one thread.
with final as (
    select
        range as lead_no,
        hash(range, $seed) as h
    from range($leads)
)

select * from final
