-- Reps active in the month [$month_start, $month_end): started on/before its last day and not
-- ended before its first day (NULL dates are open-ended). With a segment ($segment_by not ''),
-- only the segment's reps: by 'team', those in team $segment on the month's first day (the latest
-- rep_teams row starting on or before it, else reps.team; no team = 'unassigned'); by 'segment',
-- those owning a lead the query sees (the segment's leads, see engine/segments.py).
with dated as (
    select
        *,
        $month_start::date as first_day
    from reps
),

active as (
    select
        r.rep_id,
        r.name,
        r.team,
        coalesce(nullif(trim(coalesce(h.team, r.team)), ''), 'unassigned') as team_then
    from dated as r
    asof left join rep_teams as h on h.rep_id = r.rep_id and r.first_day >= h.starts_on
    where
        (r.start_date is null or r.start_date < $month_end::date)
        and (r.end_date is null or r.end_date >= $month_start::date)
),

-- the owners only when segmenting by lead column (the filter folds to false otherwise, so the
-- leads are not scanned for a company or team SLA)
owners as (
    select distinct owner_id
    from leads
    where $segment_by = 'segment' and owner_id is not null
),

final as (
    select rep_id, name, team
    from active
    where
        $segment_by = ''
        or ($segment_by = 'team' and team_then = $segment)
        or (
            $segment_by = 'segment'
            and rep_id in (select owner_id from owners)
        )
)

select * from final
order by rep_id
