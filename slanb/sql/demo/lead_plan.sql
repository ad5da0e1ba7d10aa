-- The demo history, one row per lead in lead_id order: the lead's own columns plus the hidden
-- draws the activities and deals queries read (who owns it, how fast and how often the owner
-- touches it, how it ends). $leads leads over the $months months from $first_month; nothing at or
-- after $exported_at. Every random number is demo_u(hash(lead number, $seed), purpose), and
-- MQL-only draws are made only for MQLs (CASE evaluates a branch only for the rows that take it).
with knobs as (
    select
        1.015 as monthly_growth,
        0.75 as december_factor,  -- December volume against the trend
        0.31 as mql_rate,  -- share of leads that become MQLs
        0.01 as unassigned_mql_rate,  -- MQLs nobody is assigned
        0.60 as unassigned_lead_rate,  -- leads that never reach MQL and have no owner
        0.0315 as won_base,  -- close rate of an 'other', fit-B MQL worked by the book
        0.145 as deal_base,  -- deal rate of the same MQL
        0.19 as sql_base,  -- SQL rate of the same MQL when it gets no deal
        0.06 as stalled_rate  -- deals that neither win nor lose (stay open)
),

months as (
    select
        m,
        $first_month::timestamp + to_months(m::int) as month_start,
        $first_month::timestamp + to_months(m::int + 1) as month_end
    from range($months) as t (m)
),

-- Lead volume per month: growth, seasons (December dips) and a little noise.
weights as (
    select
        m.m,
        m.month_start,
        datediff('second', m.month_start, m.month_end) as month_seconds,
        pow(k.monthly_growth, m.m)
        * case month(m.month_start)
            when 12 then k.december_factor
            when 1 then 1.03
            when 7 then 0.97
            when 8 then 0.95
            else 1.0
        end
        * (0.98 + 0.04 * demo_u(hash(m.m, $seed), 'month_noise')) as w
    from months as m
    cross join knobs as k
),

spans as (
    select
        m,
        month_start,
        month_seconds,
        round($leads * sum(w) over (order by m) / sum(w) over ())::bigint as hi
    from weights
),

bounded as (
    select
        *,
        coalesce(lag(hi) over (order by m), 0) as lo
    from spans
),

-- Lead numbers come in blocks of 1/2048 of them; every month holds more leads than a block, so
-- a block starts in one month and ends in it or the next, and an equi-join on the block (which
-- runs on every core, unlike an asof join) finds each lead's month.
blocks as (
    select
        range as block,
        range * greatest($leads // 2048, 1) as first_lead
    from range(($leads + greatest($leads // 2048, 1) - 1) // greatest($leads // 2048, 1))
),

block_months as (
    select
        k.block,
        b.month_start,
        b.month_seconds,
        b.lo,
        b.hi,
        n.month_start as next_start,
        n.month_seconds as next_seconds,
        n.hi as next_hi
    from blocks as k
    asof inner join bounded as b on k.first_lead >= b.lo
    left join bounded as n on n.m = b.m + 1
),

numbered as (
    select
        lead_no,
        h,
        lead_no // greatest($leads // 2048, 1) as block,
        demo_u(h, 'created') as u_created
    from demo_lead_numbers
),

-- Each month's leads fill it in lead_id order: lead n gets a random instant in its own slice.
placed as (
    select
        n.lead_no,
        n.h,
        case
            when n.lead_no < k.hi
                then k.month_start + to_seconds(
                    floor((n.lead_no - k.lo + n.u_created) / (k.hi - k.lo) * k.month_seconds)::bigint
                )
            else k.next_start + to_seconds(
                floor((n.lead_no - k.hi + n.u_created) / (k.next_hi - k.hi) * k.next_seconds)::bigint
            )
        end as created_at
    from numbered as n
    inner join block_months as k on k.block = n.block
),

drawn as (
    select
        p.lead_no,
        p.h,
        p.created_at,
        demo_u(p.h, 'mql') < k.mql_rate as becomes_mql,
        demo_u(p.h, 'intent') as u_intent,
        demo_u(p.h, 'fit') as u_fit,
        demo_u(p.h, 'source') as u_source
    from placed as p
    cross join knobs as k
),

-- The 2x3 matrix: 25% of MQLs are hand-raisers; fit A 25%, B 40%, C 35%; 2% of each unknown.
-- Leads that never qualify are rarely hand-raisers and mostly fit C or unscored.
profiled as (
    select
        lead_no,
        h,
        created_at,
        becomes_mql,
        u_source,
        case
            when becomes_mql
                then case
                    when u_intent < 0.02 then null
                    when u_intent < 0.27 then 'hand_raiser'
                    else 'other'
                end
            else case
                when u_intent < 0.06 then null
                when u_intent < 0.10 then 'hand_raiser'
                else 'other'
            end
        end as intent,
        case
            when becomes_mql
                then case
                    when u_fit < 0.02 then null
                    when u_fit < 0.265 then 'A'
                    when u_fit < 0.655 then 'B'
                    else 'C'
                end
            else case
                when u_fit < 0.15 then null
                when u_fit < 0.23 then 'A'
                when u_fit < 0.50 then 'B'
                else 'C'
            end
        end as fit
    from drawn
),

-- Hand-raisers are MQLs within minutes of asking; other leads are nurtured for up to 20 days.
qualified as (
    select
        lead_no,
        h,
        created_at,
        intent,
        fit,
        case
            when intent = 'hand_raiser'
                then case when u_source < 0.65 then 'demo_request' else 'contact_sales' end
            when u_source < 0.30 then 'ebook'
            when u_source < 0.50 then 'webinar'
            when u_source < 0.75 then 'paid_search'
            when u_source < 0.90 then 'organic'
            else 'referral'
        end as source,
        case
            when not becomes_mql then null
            when intent = 'hand_raiser'
                then created_at + to_seconds((60 + 1740 * demo_u(h, 'mql_delay'))::bigint)
            else created_at + to_seconds((20 * 86400 * pow(demo_u(h, 'mql_delay'), 1.8))::bigint)
        end as mql_candidate
    from profiled
),

timed as (
    select
        * exclude (mql_candidate),
        case when mql_candidate < $exported_at then mql_candidate end as mql_at
    from qualified
),

-- Who can own a lead on a day: the reps active that day (start_date to end_date inclusive),
-- numbered 0..reps-1. Reps start and leave on whole days, so a day is fine enough.
days as (
    select
        unnest(
            generate_series($first_month::date, $exported_at::date - 1, interval 1 day)
        )::date as day
),

day_slots as (
    select
        d.day,
        r.rep_id,
        (r.end_date + 1)::timestamp as active_to,
        r.late_share,
        r.cadence_share,
        row_number() over (partition by d.day order by r.rep_id) - 1 as slot
    from days as d
    inner join demo_rep_roster as r
        on
            (r.start_date is null or r.start_date <= d.day)
            and (r.end_date is null or d.day <= r.end_date)
),

day_reps as (
    select
        d.day,
        count(s.rep_id) as reps
    from days as d
    left join day_slots as s on s.day = d.day
    group by d.day
),

-- MQLs go to a rep active at mql_at (1% to nobody); 40% of the other leads to a rep active then.
assigned as (
    select
        t.*,
        r.day,
        floor(demo_u(t.h, 'owner') * r.reps)::bigint as slot,
        r.reps > 0
        and demo_u(t.h, 'unassigned')
        >= case when t.mql_at is null then k.unassigned_lead_rate else k.unassigned_mql_rate end
            as has_owner
    from timed as t
    inner join day_reps as r on r.day = coalesce(t.mql_at, t.created_at)::date
    cross join knobs as k
),

owned as (
    select
        a.* exclude (day, slot, has_owner),
        s.rep_id as owner_id,
        s.active_to as owner_active_to,
        s.late_share,
        s.cadence_share
    from assigned as a
    left join day_slots as s on a.has_owner and s.day = a.day and s.slot = a.slot
),

mql_draws as (
    select
        *,
        case when mql_at is not null then demo_u(h, 'fast') end as u_fast,
        case when mql_at is not null then demo_u(h, 'touch_hours') end as u_hours,
        case when mql_at is not null then demo_u(h, 'outcome') end as u_outcome
    from owned
),

-- How the owner works an MQL: hours to the first touch, calls and emails in the first 14 days,
-- a follow-up email after that. An unassigned MQL gets at most one email, days later.
worked as (
    select
        * exclude (u_fast, u_hours),
        case
            when mql_at is null then null
            when owner_id is null then 24 + 96 * u_hours
            when demo_u(h, 'late') < late_share then 24.5 + 95 * u_hours
            when u_fast < 0.80 then 0.05 + 0.95 * u_hours
            when u_fast < 0.94 then 1 + u_hours
            else 2 + 20 * u_hours
        end as first_touch_hours,
        case
            when mql_at is null or owner_id is null then 0
            when demo_u(h, 'cadence') < cadence_share then 5 + floor(3 * demo_u(h, 'calls'))
            else 2 + floor(3 * demo_u(h, 'calls'))
        end::int as calls_14,
        case
            when mql_at is null then 0
            when owner_id is null then (demo_u(h, 'emails') < 0.3)::int
            else floor(3 * demo_u(h, 'emails'))
        end::int as emails_14,
        case
            when mql_at is null or owner_id is null then 0
            else (demo_u(h, 'follow_up') < 0.4)::int
        end as follow_ups,
        case
            when mql_at is null then null
            when owner_id is null then 'email'
            when demo_u(h, 'first_kind') < 0.7 then 'call'
            else 'email'
        end as first_kind
    from mql_draws
),

-- One number for how likely an MQL is to buy: 3x for hand-raisers, A > B > C, less when the
-- first touch came after 24 h or the cadence was skipped, much less when nobody owned it.
scored as (
    select
        *,
        case when mql_at is not null then
            case intent when 'hand_raiser' then 3.0 when 'other' then 1.0 else 1.4 end
            * case fit when 'A' then 1.7 when 'B' then 1.0 when 'C' then 0.55 else 1.0 end
            * case
                when owner_id is null then 0.25
                when first_touch_hours > 24 then 0.45
                else 1.0
            end
            * case when owner_id is not null and calls_14 < 5 then 0.85 else 1.0 end
        end as propensity
    from worked
),

-- One uniform decides the outcome, so every won MQL also has a deal; most deals follow an SQL.
decided as (
    select
        s.* exclude (u_outcome),
        case
            when s.mql_at is null then null
            when s.u_outcome < k.won_base * s.propensity then 'won'
            when
                s.u_outcome
                < greatest(k.won_base * s.propensity / 0.8, k.deal_base * sqrt(s.propensity))
                then case when demo_u(s.h, 'stall') < k.stalled_rate then 'stalled' else 'lost' end
        end as outcome,
        case when s.mql_at is not null then demo_u(s.h, 'sql') end as u_sql,
        k.sql_base
    from scored as s
    cross join knobs as k
),

staged as (
    select
        * exclude (u_sql, sql_base),
        case
            when outcome is not null then u_sql < 0.9
            when mql_at is not null then u_sql < sql_base * sqrt(propensity)
            else false
        end as reaches_sql
    from decided
),

-- SQL 1-10 days after the MQL; the deal up to 5 days after the SQL (2-15 days after the MQL
-- when there was no SQL).
dated as (
    select
        *,
        case
            when reaches_sql
                then mql_at + to_seconds((86400 * (1 + 9 * demo_u(h, 'sql_delay')))::bigint)
        end as sql_candidate,
        case when outcome is not null then demo_u(h, 'deal_delay') end as u_deal
    from staged
),

dealt as (
    select
        * exclude (sql_candidate, u_deal),
        case when sql_candidate < $exported_at then sql_candidate end as sql_at,
        case
            when outcome is null then null
            when reaches_sql then sql_candidate + to_seconds((5 * 86400 * u_deal)::bigint)
            else mql_at + to_seconds((86400 * (2 + 13 * u_deal))::bigint)
        end as deal_created_at
    from dated
),

-- Won deals close 2 weeks to 9 months after mql_at (median about 3 months), lost ones sooner.
-- Deal size by fit (A about $2,200, B $1,500, C $950) with a log-normal spread.
closed as (
    select
        *,
        case outcome
            when 'won'
                then greatest(
                    deal_created_at + interval 2 day,
                    mql_at
                    + to_seconds((86400 * (15 + 255 * pow(demo_u(h, 'close_delay'), 1.6)))::bigint)
                )
            when 'lost'
                then greatest(
                    deal_created_at + interval 1 day,
                    mql_at
                    + to_seconds((86400 * (10 + 170 * pow(demo_u(h, 'close_delay'), 1.5)))::bigint)
                )
        end as close_at,
        case
            when outcome is not null
                then round(
                    case fit when 'A' then 2200 when 'B' then 1500 when 'C' then 950 else 1400 end
                    * exp(
                        0.35
                        * sqrt(-2 * ln(demo_u(h, 'amount_r')))
                        * cos(2 * pi() * demo_u(h, 'amount_t'))
                        - 0.06125
                    ),
                    2
                )
        end as amount
    from dealt
),

final as (
    select
        lead_no,
        h,
        'L' || lpad((lead_no + 1)::varchar, $id_width, '0') as lead_id,
        created_at,
        mql_at,
        sql_at,
        owner_id,
        intent,
        fit,
        source,
        owner_active_to,
        first_touch_hours,
        first_kind,
        calls_14,
        emails_14,
        follow_ups,
        outcome,
        deal_created_at,
        close_at,
        amount
    from closed
)

select * from final
order by lead_no  -- key order makes the primary-key inserts several times faster
