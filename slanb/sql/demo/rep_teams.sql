-- The demo's team history (schema version 3): Sofia Rossi (R06) sold to mid-market from the day she
-- started and moved to SMB (reps.team, her team today) on day 540 of the history, so her MQLs
-- before the move are mid_market's and those after it smb's. Every other rep stays in reps.team.
with final as (
    select *
    from (
        values
            ('RT01', 'R06', 'mid_market', $first_month::date - 400),
            ('RT02', 'R06', 'smb', $first_month::date + 540)
    ) as t (rep_team_id, rep_id, team, starts_on)
)

select * from final
order by rep_team_id
