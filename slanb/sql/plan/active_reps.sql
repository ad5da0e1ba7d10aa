-- Reps active in the month [$month_start, $month_end): started on/before its last day and not
-- ended before its first day (NULL dates are open-ended).
with final as (
    select rep_id, name, team
    from reps
    where
        (start_date is null or start_date < $month_end::date)
        and (end_date is null or end_date >= $month_start::date)
)

select * from final
order by rep_id
