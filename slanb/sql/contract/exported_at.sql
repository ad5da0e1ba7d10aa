-- After an import: slanb_meta.exported_at becomes the later of its previous value and $newest, the
-- newest timestamp among the imported rows of leads (created, MQL, SQL), activities and deals
-- (created, closed); reps and time off hold dates and plans, not events, and do not count. The
-- previous value is at least the newest of every stored row (each import and the demo set it so), so
-- this is the newest over the whole history at the cost of the import only. ISO 8601, UTC.
insert into slanb_meta (key, value)
with previous as (
    select max(try_cast(value as timestamp)) as exported_at
    from slanb_meta
    where key = 'exported_at'
),

newest as (
    select cast($newest as timestamp) as exported_at
),

final as (
    select
        'exported_at' as key,
        replace(cast(greatest(p.exported_at, n.exported_at) as varchar), ' ', 'T') as value
    from previous as p
    cross join newest as n
    where greatest(p.exported_at, n.exported_at) is not null
)

select key, value from final
on conflict (key) do update set value = excluded.value
