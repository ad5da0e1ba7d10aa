-- The floor for the active reps of M: how many, and their names.
with final as (
    select
        count(*) as reps,
        list(name order by rep_id) as names
    from reps
    where
        (start_date is null or start_date < $month_end::date)
        and (end_date is null or end_date >= $month_start::date)
)

select * from final
