"""HubSpot's API tables as a sync tool lands them (Fivetran's names; Airbyte's and dlt's columns).

One file (CSV or Parquet) per table: ``contact`` (required), ``deal``, ``deal_contact``,
``deal_pipeline_stage``, ``engagement_call``, ``engagement_email``, ``engagement_contact``,
``engagement_deal``, ``owner``, ``contact_form_submission``, ``form``. Columns are HubSpot's
internal property names, with the landing's prefix or without: Fivetran's ``property_createdate``,
Airbyte's ``properties_createdate``, dlt's ``properties__createdate`` and ``createdate`` are one
column. Instants are UTC as the tools land them (``2025-09-02 14:00:00`` with no offset: the
mapping must say ``time.timezone: UTC``, or a naive column is refused). Deleted rows
(``_fivetran_deleted``, ``is_deleted``, ``archived``) and merged contacts and deals
(``hs_calculated_merged_vids``, ``merged_deal``) are dropped and counted.

The tables are prepared into the same ``_prep_contacts``, ``_prep_deals`` and call/e-mail tables
the UI export gives, and staged by the same code (:mod:`.hubspot`); docs/crm.md says where each
contract column comes from.
"""

from __future__ import annotations

import re

import duckdb

from slanb.store.ingest.checks import _sql_text
from slanb.store.sources.hubspot import (
    Names,
    _n,
    _owner,
    _stage_activities,
    _stage_deals,
    _stage_leads,
)
from slanb.store.sources.mapping import SourceMapping
from slanb.store.sources.raw import (
    Findings,
    RawFile,
    SourceStaged,
    TimeField,
    lower_list,
    prepare,
    stage_reps,
)

_PREFIX = re.compile(r"^(properties__|properties_|property_)")


def api_key(name: str) -> str:
    """HubSpot internal names: case and the landing's ``property_`` prefix do not matter."""
    return _PREFIX.sub("", name.strip().lower())


NAMES = Names(
    id="id",
    created="createdate",
    contact_owner="hubspot_owner_id",
    contact_ids="deal_contact.contact_id",
    deal_stage="deal_pipeline_stage_id",
    amount="amount",
    close_date="closedate",
    activity_owner="hubspot_owner_id",
    activity_date="hs_timestamp",
)


def _first(raw: RawFile, *columns: str) -> str:
    """The first of ``columns`` the file has (the first named in a refusal when none)."""
    for column in columns:
        if raw.has(column):
            return column
    raw.ref(columns[0])  # refuses, naming the file's columns
    return columns[0]


def _true(raw: RawFile, *columns: str) -> str:
    """SQL: one of the checkbox ``columns`` is true; false when the file has none of them."""
    present = [raw.ref(c) for c in columns if raw.has(c)]
    if not present:
        return "false"
    return " or ".join(f"coalesce(lower({c}) in ('true', '1'), false)" for c in present)


def stage_hubspot_api(
    con: duckdb.DuckDBPyConnection,
    raws: dict[str, RawFile],
    mapping: SourceMapping,
    findings: Findings,
) -> list[SourceStaged]:
    """Write the four ``_stage_`` tables from the landed tables."""
    contact = raws["contact"]
    _prepare_contacts(con, raws, mapping, findings)
    _owners(con, raws, mapping)
    staged = [_stage_leads(con, contact, mapping, findings, names=_names(contact), by_name=False)]
    deals = "deal" in raws
    if deals:
        _prepare_deals(con, raws, mapping, findings)
        stage_sql = None
        if "deal_pipeline_stage" in raws:
            stage_sql = """case when d.won_flag then 'won' when d.closed_flag then 'lost'
                else 'open' end"""
        staged.append(
            _stage_deals(
                con,
                raws["deal"],
                mapping,
                findings,
                names=_names(raws["deal"]),
                stage_sql=stage_sql,
                contacts_file=f"{raws['contact'].file} by {_deal_contact_file(raws)}",
            )
        )
    activities = [raws[n] for n in ("engagement_call", "engagement_email") if n in raws]
    if activities:
        for raw in activities:
            _prepare_engagements(con, raw, raws, mapping, findings)
        staged.append(
            _stage_activities(
                con,
                activities,
                mapping,
                findings,
                deals=deals,
                names=_names(activities[0]),
                by_name=False,
            )
        )
    origin = "reps.sales" if mapping.reps is not None else "every owner who is a person"
    if "owner" in raws:
        origin += f"; names and dates from {raws['owner'].file}"
    staged.append(stage_reps(con, findings, origin=origin))
    return staged


def _names(raw: RawFile) -> Names:
    """The column names as this file writes them (with its landing's prefix)."""
    return Names(**{k: raw.header(v) for k, v in NAMES.__dict__.items()})


def _deal_contact_file(raws: dict[str, RawFile]) -> str:
    return raws["deal_contact"].file if "deal_contact" in raws else "deal_contact"


def _gone(raw: RawFile, *, merged: str = "false") -> str:
    """SQL: why a landed row is not live (deleted, merged), or NULL."""
    deleted = _true(raw, "_fivetran_deleted", "is_deleted", "archived", "_airbyte_deleted")
    return f"case when {deleted} then 'deleted' when {merged} then 'merged' end"


def _associated(raws: dict[str, RawFile], table: str, key: str, value: str, on: str) -> str:
    """SQL: the ``;``-joined ``value`` ids of the association ``table`` whose ``key`` is ``on``.

    ``on`` is qualified by its table: the raw tables' columns share their names (``c0``, ...).
    """
    if table not in raws:
        return "cast(null as varchar)"
    a = raws[table]
    return (
        f"(select string_agg({a.ref(value)}, ';') from {a.table} "
        f"where {a.ref(key)} = {on} and not ({_true(a, '_fivetran_deleted')}))"
    )


# --- contacts --------------------------------------------------------------------------------------


def _prepare_contacts(con, raws, mapping: SourceMapping, findings: Findings) -> None:
    raw = raws["contact"]
    id_column = _first(raw, "id", "hs_object_id", "vid")
    ident = raw.ref(id_column)
    merged = "false"
    if raw.has("hs_calculated_merged_vids"):
        # A merged contact's id is listed, as "id:epoch-ms", on the contact it was merged into.
        vids = raw.ref("hs_calculated_merged_vids")
        merged = f"""{ident} in (
            select split_part(trim(v), ':', 1) from {raw.table},
                unnest(string_split({vids}, ';')) as u(v)
            where {vids} is not null and {ident} <> split_part(trim(v), ':', 1)
        )"""
    texts = {
        "id": ident,
        "gone": _gone(raw, merged=merged),
        "owner": raw.opt("hubspot_owner_id"),
        "source": raw.opt(mapping.lead_source),
        "recent_conv": raw.opt("recent_conversion_event_name"),
        "first_conv": raw.opt("first_conversion_event_name"),
        "n_submissions": raw.opt("num_conversion_events"),
    }
    if mapping.intent_field:
        texts["reason"] = raw.ref(mapping.intent_field, key="intent.field")
    for i, rule in enumerate(mapping.fit):
        if rule.field:
            texts[f"fit{i}"] = raw.ref(rule.field, key=f"fit[{i}].field")
    created = _first(raw, "createdate", "created_at")
    times = [
        TimeField("created", created, raw.ref(created), instant=False),
        TimeField("mql", mapping.mql, raw.ref(mapping.mql, key="leads.mql"), instant=False),
    ]
    if mapping.sql:
        times.append(
            TimeField("sql", mapping.sql, raw.ref(mapping.sql, key="leads.sql"), instant=False)
        )
    forms = "contact_form_submission" in raws and not mapping.intent_field
    if not mapping.intent_field and not forms:
        for out, column in (
            ("recent_date", "recent_conversion_date"),
            ("first_date", "first_conversion_date"),
        ):
            if raw.has(column):
                times.append(TimeField(out, column, raw.ref(column), instant=False))
    prepare(con, raw, texts, times, mapping, findings, id_column=id_column)
    for out in ("sql", "recent_date", "first_date"):
        if out not in {t.out for t in times}:
            con.execute(f"alter table _prep_contact add column {out} timestamp")
            con.execute(f"alter table _prep_contact add column {out}__raw varchar")
    counts = dict(
        con.sql(
            "select gone, count(*) from _prep_contact where gone is not null group by all"
        ).fetchall()
    )
    con.execute(
        "create temp table _prep_contacts as select * from _prep_contact where gone is null"
    )
    if counts:
        findings.notes.append(
            f"{raw.file}: dropped before reading: {counts.get('deleted', 0):,} deleted, "
            f"{counts.get('merged', 0):,} merged into another contact"
        )
    if forms:
        _conversion_at_mql(con, raws, mapping, findings)


def _conversion_at_mql(con, raws, mapping: SourceMapping, findings: Findings) -> None:
    """The form a contact submitted last at or before its MQL moment, from the submissions."""
    sub = raws["contact_form_submission"]
    texts = {
        "id": f"coalesce({sub.opt('conversion_id')}, cast({sub.table}._row as varchar))",
        "contact": sub.ref("contact_id"),
        "form_id": sub.opt("form_id"),
        "title": sub.opt("title"),
    }
    at = TimeField("submitted", "timestamp", sub.ref("timestamp"), instant=False)
    prepare(con, sub, texts, [at], mapping, findings, id_column="conversion_id")
    form = raws.get("form")
    name = "s.title"
    if form is not None:
        key = _first(form, "guid", "id")
        name = (
            f"coalesce((select f.{form.ref('name')} from {form.table} f "
            f"where f.{form.ref(key)} = s.form_id), s.title, s.form_id)"
        )
    con.execute(
        f"""
        create temp table _hs_conversion as
        select c.id, {name} as form, s.submitted
        from _prep_contacts c join _prep_contact_form_submission s
            on s.contact = c.id and s.submitted <= c.mql
        qualify row_number() over (partition by c.id order by s.submitted desc, s._row desc) = 1
        """
    )
    con.execute(
        """
        update _prep_contacts set recent_conv = v.form, recent_date = v.submitted,
            first_conv = null, first_date = null
        from _hs_conversion v where v.id = _prep_contacts.id
        """
    )
    con.execute(
        """update _prep_contacts set recent_conv = null, first_conv = null
        where id not in (select id from _hs_conversion)"""
    )
    ((n,),) = con.sql("select count(*) from _hs_conversion").fetchall()
    findings.notes.append(
        f"{sub.file}: {sub.rows:,} rows read: the form at the MQL moment of {_n(n, 'contact')}"
    )


# --- owners ----------------------------------------------------------------------------------------


def _owners(con, raws, mapping: SourceMapping) -> None:
    """``_reps`` (id, name, dates): the owners who are sales reps; never a queue or a team."""
    owner = raws.get("owner")
    if owner is not None:
        o = owner.ref
        first, last = owner.opt("first_name"), owner.opt("last_name")
        name = f"nullif(trim(concat_ws(' ', {first}, {last})), '')"
        created = owner.opt("created_at")
        updated = owner.opt("updated_at")
        ended = (
            f"({_true(owner, 'archived', '_fivetran_deleted')}"
            + (
                f" or lower({owner.ref('is_active')}) in ('false', '0')"
                if owner.has("is_active")
                else ""
            )
            + (f" or lower({owner.ref('active')}) in ('false', '0')" if owner.has("active") else "")
            + ")"
        )
        person = f"coalesce(upper({owner.opt('type')}), 'PERSON') = 'PERSON'"
        con.execute(
            f"""
            create temp table _owners as
            select {o(_first(owner, "owner_id", "id"))} as id,
                coalesce({_owner(name)}, {owner.opt("email")}, {o(_first(owner, "owner_id", "id"))}) as name,
                {owner.opt("email")} as email,
                try_cast(left({created}, 10) as date) as start_date,
                case when {ended} then try_cast(left({updated}, 10) as date) end as end_date,
                {person} as person,
                {_sql_text(owner.file)} as file, _row as row,
                {_sql_text(owner.header("created_at"))} as start_column,
                {_sql_text(owner.header("updated_at"))} as end_column
            from {owner.table}
            """
        )
    else:
        con.execute(
            """create temp table _owners as select distinct owner as id, owner as name,
                null as email, cast(null as date) as start_date, cast(null as date) as end_date,
                true as person, 'reps.sales' as file, cast(null as bigint) as row,
                null as start_column, null as end_column
            from _prep_contacts where owner is not null"""
        )
    chosen = "true"
    if mapping.reps is not None:
        listed = lower_list(mapping.reps)
        chosen = f"(lower(id) in {listed} or lower(name) in {listed} or lower(email) in {listed})"
    con.execute(
        f"""create temp table _reps as
        select id, name, start_date, end_date, file, row, start_column, end_column
        from _owners where {chosen} and person"""
    )


# --- deals -----------------------------------------------------------------------------------------


def _prepare_deals(con, raws, mapping: SourceMapping, findings: Findings) -> None:
    raw = raws["deal"]
    id_column = _first(raw, "deal_id", "id", "hs_object_id")
    ident = raw.ref(id_column)
    merged = "false"
    if "merged_deal" in raws:
        m = raws["merged_deal"]
        merged = f"{ident} in (select {m.ref('merged_deal_id')} from {m.table})"
    stage_column = _first(raw, "deal_pipeline_stage_id", "dealstage")
    stage_id = raw.ref(stage_column)
    texts = {
        "id": ident,
        "gone": _gone(raw, merged=merged),
        "stage_label": stage_id,
        "amount": raw.ref("amount"),
        "owner": raw.opt("hubspot_owner_id")
        if raw.has("hubspot_owner_id")
        else raw.opt("owner_id"),
        "contacts": _associated(
            raws, "deal_contact", "deal_id", "contact_id", f"{raw.table}.{ident}"
        ),
    }
    if "deal_pipeline_stage" in raws:
        s = raws["deal_pipeline_stage"]
        live = f"not ({_true(s, '_fivetran_deleted')})"

        def of_stage(sql: str) -> str:
            outer = f"{raw.table}.{stage_id}"
            return (
                f"(select {sql} from {s.table} where {s.ref('stage_id')} = {outer} and {live} "
                "limit 1)"
            )

        texts["stage_label"] = f"coalesce({of_stage(s.opt('label'))}, {stage_id})"
        texts["won_flag"] = of_stage(_true(s, "closed_won"))
        texts["closed_flag"] = of_stage(_true(s, "is_closed"))
    created = _first(raw, "createdate", "created_at")
    times = [
        TimeField("created", created, raw.ref(created), instant=False),
        TimeField("closed", "closedate", raw.ref("closedate"), instant=False),
    ]
    prepare(con, raw, texts, times, mapping, findings, id_column=id_column)
    _drop_gone(con, raw, findings, noun="deal")
    con.execute("create temp table _prep_deals as select * from _prep_deal")


# --- engagements -----------------------------------------------------------------------------------


def _prepare_engagements(con, raw: RawFile, raws, mapping: SourceMapping, findings: Findings):
    calls = raw.name == "engagement_call"
    id_column = _first(raw, "engagement_id", "id", "hs_object_id")
    ident = raw.ref(id_column)
    direction = "hs_call_direction" if calls else "hs_email_direction"
    texts = {
        "id": ident,
        "gone": _gone(raw),
        "owner": raw.opt("hubspot_owner_id"),
        "direction": raw.ref(direction),
        "status": raw.opt("hs_call_status") if calls else "cast(null as varchar)",
        "contacts": _associated(
            raws, "engagement_contact", "engagement_id", "contact_id", f"{raw.table}.{ident}"
        ),
        "deals": _associated(
            raws, "engagement_deal", "engagement_id", "deal_id", f"{raw.table}.{ident}"
        ),
    }
    times = [TimeField("occurred", "hs_timestamp", raw.ref("hs_timestamp"), instant=True)]
    prepare(con, raw, texts, times, mapping, findings, id_column=id_column)
    _drop_gone(con, raw, findings, noun="call" if calls else "e-mail")


def _drop_gone(con, raw: RawFile, findings: Findings, *, noun: str) -> None:
    counts = dict(
        con.sql(
            f"select gone, count(*) from _prep_{raw.name} where gone is not null group by all"
        ).fetchall()
    )
    if counts:
        con.execute(f"delete from _prep_{raw.name} where gone is not null")
        parts = [f"{n:,} {why}" for why, n in sorted(counts.items())]
        findings.notes.append(f"{raw.file}: dropped before reading: {', '.join(parts)} ({noun}s)")
