-- After an import: slanb_meta.exported_at becomes the later of its previous value and the newest
-- timestamp in any table (reps hold dates, not events, and do not count). Stored as ISO 8601, UTC.
insert into slanb_meta (key, value)
with previous as (
    select max(try_cast(value as timestamp)) as exported_at
    from slanb_meta
    where key = 'exported_at'
),

newest as (
    select greatest(
        (select max(greatest(created_at, mql_at, sql_at)) from leads),
        (select max(occurred_at) from activities),
        (select max(greatest(created_at, closed_at)) from deals)
    ) as exported_at
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
