-- The working calendar: one row per working interval of each rep (and of '' for a lead whose owner
-- is unknown or unassigned), as naive UTC instants, with the working time before it. A rep works
-- on the $working_isodows weekdays that are not $holidays (local dates), from $work_start_minutes
-- to $work_end_minutes after local midnight in the rep's reps.timezone (else $timezone), so DST
-- moves the UTC hours; the rep's time_off is cut out. Days from $first_day to $last_day.
-- before_us: working microseconds of the same key before starts_at. A rule's working time between
-- two instants is W(b) - W(a), W(t) = before_us + least(t - starts_at, length) of the last interval
-- starting at or before t.
with keys as (
    select
        rep_id as rep_key,
        coalesce(timezone, $timezone) as zone
    from reps
    union all
    select
        '' as rep_key,
        $timezone as zone
),

days as (
    select d::date as day
    from range($first_day::date, $last_day::date + 1, interval 1 day) as t (d)
    where
        list_contains($working_isodows::integer[], isodow(d))
        and not list_contains($holidays::date[], d::date)
),

working as (
    select
        k.rep_key,
        timezone(
            'UTC',
            timezone(k.zone, d.day + to_minutes($work_start_minutes::bigint))
        ) as starts_at,
        timezone(
            'UTC',
            timezone(k.zone, d.day + to_minutes($work_end_minutes::bigint))
        ) as ends_at
    from keys as k
    cross join days as d
),

away as (
    select
        rep_id as rep_key,
        starts_at,
        ends_at
    from time_off
    where ends_at > starts_at and rep_id in (select rep_key from keys)
),

-- Every boundary of a working interval or a time off cuts the line into pieces; a piece is kept
-- when it lies inside a working interval and inside no time off.
bounds as (
    select rep_key, starts_at as t from working
    union
    select rep_key, ends_at as t from working
    union
    select rep_key, starts_at as t from away
    union
    select rep_key, ends_at as t from away
),

pieces as (
    select
        rep_key,
        t as starts_at,
        lead(t) over (partition by rep_key order by t) as ends_at
    from bounds
),

kept as (
    select
        p.rep_key,
        p.starts_at,
        p.ends_at
    from pieces as p
    asof inner join working as w on w.rep_key = p.rep_key and p.starts_at >= w.starts_at
    where
        p.ends_at is not null
        and p.ends_at <= w.ends_at
        and not exists (
            select 1
            from away as a
            where a.rep_key = p.rep_key and a.starts_at <= p.starts_at and p.ends_at <= a.ends_at
        )
),

final as (
    select
        rep_key,
        starts_at,
        ends_at,
        epoch_us(ends_at) - epoch_us(starts_at) as length_us,
        coalesce(
            sum(epoch_us(ends_at) - epoch_us(starts_at)) over (
                partition by rep_key order by starts_at
                rows between unbounded preceding and 1 preceding
            ),
            0
        )::bigint as before_us
    from kept
)

select * from final
order by rep_key, starts_at
