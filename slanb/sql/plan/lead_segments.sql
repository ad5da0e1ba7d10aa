-- The segment of every lead, by the rule $segment_by names: 'team', the team its owner was in when
-- it became an MQL (when it was created, if it never did): the latest rep_teams row of the owner
-- starting on or before that day, else reps.team; or 'segment', the lead's own leads.segment.
-- A lead with no segment by that rule (no owner, an owner with no team, an empty segment) is in
-- the segment 'unassigned'. One pass over the leads: an as-of join for the team history.
with stamped as (
    select
        lead_id,
        owner_id,
        coalesce(mql_at, created_at) as stamped_at,
        segment
    from leads
),

by_team as (
    select
        s.lead_id,
        coalesce(h.team, r.team) as team,
        s.segment
    from stamped as s
    asof left join rep_teams as h on h.rep_id = s.owner_id and s.stamped_at >= h.starts_on
    left join reps as r on r.rep_id = s.owner_id
),

final as (
    select
        lead_id,
        coalesce(
            nullif(trim(case when $segment_by = 'team' then team else segment end), ''),
            'unassigned'
        ) as segment
    from by_team
)

select * from final
