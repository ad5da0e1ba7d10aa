"""Salesforce by API field names: a Data Loader / Bulk API extract, or the tables Fivetran lands.

One CSV per object: ``Lead`` (required), ``Contact``, ``Opportunity``, ``OpportunityContactRole``,
``Task``, ``Event``, ``User``. Headers are API names (``OwnerId``, ``MQL_Date__c``) or their
snake_case landing (``owner_id``, ``mql_date_c``): both are read, ignoring case and underscores.
Deleted (``IsDeleted``, ``_fivetran_deleted``) and merged (``MasterRecordId``) records are dropped
and counted. docs/crm.md says where each contract column comes from.
"""

from __future__ import annotations

import duckdb

from slanb.store.ingest.checks import _sql_text
from slanb.store.ingest.read import _parse
from slanb.store.sources.hubspot import _fit, _intent, _n
from slanb.store.sources.mapping import SourceMapping
from slanb.store.sources.raw import (
    Findings,
    RawFile,
    SourceStaged,
    TimeField,
    lower_list,
    prepare,
    stage,
    stage_reps,
)

_NO_TEXT = "cast(null as varchar)"


def _true(raw: RawFile, column: str) -> str:
    """SQL: the checkbox ``column`` is ticked (``true``, ``TRUE`` or ``1``); false when absent."""
    if not raw.has(column):
        return "false"
    return f"coalesce(lower({raw.ref(column)}) in ('true', '1'), false)"


def _gone(raw: RawFile) -> str:
    """SQL: why a record is not live (deleted, merged), or NULL."""
    merged = f"{raw.ref('MasterRecordId')} is not null" if raw.has("MasterRecordId") else "false"
    return f"""case
        when {_true(raw, "IsDeleted")} or {_true(raw, "_fivetran_deleted")} then 'deleted'
        when {merged} then 'merged into another record'
    end"""


def stage_salesforce(
    con: duckdb.DuckDBPyConnection,
    raws: dict[str, RawFile],
    mapping: SourceMapping,
    findings: Findings,
    *,
    owners_by_name: bool = False,
) -> list[SourceStaged]:
    """Write the four ``_stage_`` tables from the objects' files.

    ``owners_by_name``: the files name owners by the user's name, not by id (a report export).
    """
    lead = raws["lead"]
    _prepare_people(con, lead, mapping, findings, lead=True)
    if "contact" in raws:
        _prepare_people(con, raws["contact"], mapping, findings, lead=False)
    else:
        con.execute("create temp table _prep_contact as select * from _prep_lead where false")
    _users(con, raws.get("user"), mapping, by_name=owners_by_name)
    staged = [_stage_leads(con, raws, mapping, findings)]
    if "opportunity" in raws:
        staged.append(_stage_deals(con, raws, mapping, findings))
    else:
        con.execute("create temp table _sf_deals (id varchar, lead varchar)")
    if "task" in raws or "event" in raws:
        staged.append(_stage_activities(con, raws, mapping, findings))
    staged.append(_stage_reps(con, mapping, findings))
    return staged


# --- people: leads and contacts ------------------------------------------------------------------


def _prepare_people(con, raw: RawFile, mapping: SourceMapping, findings: Findings, *, lead: bool):
    texts = {
        "id": raw.ref("Id"),
        "owner": raw.opt("OwnerId"),
        "gone": _gone(raw),
        "source": raw.opt(mapping.lead_source),
        "segment": raw.opt(mapping.segment),
        "reason": raw.ref(mapping.intent_field, key="intent.field")
        if lead and mapping.intent_field
        else raw.opt(mapping.intent_field),
        "converted_contact": raw.opt("ConvertedContactId") if lead else _NO_TEXT,
        "converted_opportunity": raw.opt("ConvertedOpportunityId") if lead else _NO_TEXT,
    }
    for i, rule in enumerate(mapping.fit):
        texts[f"fit{i}"] = raw.opt(rule.field)
    times = [TimeField("created", "CreatedDate", raw.ref("CreatedDate"), instant=False)]
    for out, column in (("mql", mapping.mql), ("sql", mapping.sql)):
        if column and (lead or raw.has(column)):
            key = f"leads.{out}"
            times.append(TimeField(out, column, raw.ref(column, key=key), instant=False))
    prepare(con, raw, texts, times, mapping, findings, id_column="Id")
    for out in ("mql", "sql"):
        if out not in {t.out for t in times}:
            con.execute(f"alter table _prep_{raw.name} add column {out} timestamp")
            con.execute(f"alter table _prep_{raw.name} add column {out}__raw varchar")


def _users(con, raw: RawFile | None, mapping: SourceMapping, *, by_name: bool = False) -> None:
    """``_reps``: the sales reps (id, name, dates); queues (ids ``00G``) never are.

    A user's ``CreatedDate`` is the rep's start; an inactive user (``IsActive`` false) ends on
    the day of its ``LastModifiedDate`` (the deactivation, when nothing changed after it).
    """
    if raw is not None:
        name = (
            f"coalesce(regexp_replace({raw.opt('Name')}, '\\s*\\(Deactivated User\\)\\s*$', ''), "
            f"{raw.ref('Id')})"
        )
        inactive = (
            f"lower({raw.ref('IsActive')}) in ('false', '0')" if raw.has("IsActive") else "false"
        )
        created = _day(raw, "CreatedDate")
        modified = _day(raw, "LastModifiedDate")
        con.execute(
            f"""create temp table _users as
            select {name if by_name else raw.ref("Id")} as id, {name} as name,
                {_gone(raw) if raw.has("_fivetran_deleted") else "null"} as gone,
                {created} as start_date,
                case when {inactive} then {modified} end as end_date,
                {_sql_text(raw.file)} as file, _row as row,
                {_sql_text(raw.header("CreatedDate"))} as start_column,
                {_sql_text(raw.header("LastModifiedDate"))} as end_column
            from {raw.table}"""
        )
    else:
        con.execute(
            """create temp table _users as select distinct owner as id, owner as name,
                null as gone, cast(null as date) as start_date, cast(null as date) as end_date,
                'reps.sales' as file, cast(null as bigint) as row, null as start_column,
                null as end_column
            from _prep_lead where owner is not null"""
        )
    chosen = (
        "true"
        if mapping.reps is None
        else f"(lower(id) in {lower_list(mapping.reps)} or lower(name) in {lower_list(mapping.reps)})"
    )
    con.execute(
        f"""create temp table _reps as
        select id, name, start_date, end_date, file, row, start_column, end_column from _users
        where {chosen} and not starts_with(id, '00G') and gone is null"""
    )


def _day(raw: RawFile, column: str) -> str:
    """SQL: the calendar day of a user's ``column`` as written (ISO or US), or NULL."""
    if not raw.has(column):
        return "cast(null as date)"
    c = raw.ref(column)
    return (
        f"coalesce(try_cast(left({c}, 10) as date), "
        f"cast(try_strptime(regexp_extract({c}, '^\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}'), '%m/%d/%Y') "
        "as date))"
    )


def _rep_of(column: str) -> str:
    return f"(select r.id from _reps r where r.id = {column})"


def _stage_leads(con, raws, mapping: SourceMapping, findings: Findings) -> SourceStaged:
    # A converted lead is one lead: its contact's MQL moment fills in when the lead has none. A
    # contact no lead was converted into is a lead of its own (created as a contact).
    if mapping.intent_field:
        decided_by, intent = _intent(mapping)
    else:  # Salesforce records no form at the MQL moment: intent needs a field that says it
        decided_by = intent = "cast(null as varchar)"
    con.execute(
        """
        create temp table _sf_people as
        select 'lead' as object, l.*, coalesce(l.mql, c.mql) as mql_at, coalesce(l.sql, c.sql) as sql_at
        from _prep_lead l left join _prep_contact c
            on c.id = l.converted_contact and c.gone is null
        where l.gone is null
        union all by name
        select 'contact' as object, c.*, c.mql as mql_at, c.sql as sql_at
        from _prep_contact c
        where c.gone is null and c.id not in (
            select converted_contact from _prep_lead
            where gone is null and converted_contact is not null
        )
        """
    )
    con.execute(
        f"""
        create temp table _sf_leads as
        select *, {decided_by} as intent_by, {intent} as intent, {_fit(mapping)} as fit,
            {_rep_of("owner")} as rep
        from (select * exclude (mql), mql_at as mql from _sf_people)
        """
    )
    # contact id -> the lead it is (the lead converted into it, or itself)
    con.execute(
        """
        create temp table _sf_person as
        select converted_contact as contact, id as lead from _sf_leads
        where object = 'lead' and converted_contact is not null
        union all
        select id, id from _sf_leads where object = 'contact'
        """
    )
    lead = raws["lead"]
    files = {"lead": lead.file, "contact": raws["contact"].file if "contact" in raws else ""}
    staged = stage(
        con,
        "leads",
        f"""
        select id as lead_id, created as created_at, created__raw as created_at__raw,
            mql as mql_at, mql__raw as mql_at__raw, sql_at, sql__raw as sql_at__raw,
            rep as owner_id, intent, fit, source,{_segment(mapping)}
            case object when 'lead' then {_sql_text(files["lead"])}
                else {_sql_text(files["contact"])} end as _src_file,
            _row as _src_row, 'Id' as _src_column_lead_id, 'CreatedDate' as _src_column_created_at,
            {_sql_text(mapping.mql)} as _src_column_mql_at,
            {_sql_text(mapping.sql or "")} as _src_column_sql_at,
            'OwnerId' as _src_column_owner_id, 'intent' as _src_column_intent,
            'fit' as _src_column_fit, {_sql_text(mapping.lead_source or "")} as _src_column_source
        from _sf_leads
        """,
        file=lead.file,
    )
    for name in ("lead", "contact"):
        if name not in raws:
            continue
        ((gone, merged, queued),) = con.sql(
            f"""select count(*) filter (where gone = 'deleted'),
                count(*) filter (where gone like 'merged%'),
                count(*) filter (where gone is null and starts_with(owner, '00G'))
            from _prep_{name}"""
        ).fetchall()
        ((kept, mqls),) = con.sql(
            f"select count(*), count(mql) from _sf_leads where object = '{name}'"
        ).fetchall()
        line = f"{raws[name].file}: {raws[name].rows:,} rows read: {_n(kept, 'lead')}"
        line += f" ({_n(mqls, 'MQL')})"
        if name == "contact":
            line += "; contacts converted from a lead are that lead"
        if gone or merged:
            line += f"; dropped: {gone:,} deleted, {merged:,} merged"
        if queued:
            line += f"; {_n(queued, 'record')} owned by a queue (00G…) unassigned"
        findings.notes.append(line)
    rows = con.sql(
        """select intent, intent_by, count(*) from _sf_leads where mql is not null
        group by all order by intent nulls last, count(*) desc, intent_by"""
    ).fetchall()
    parts = [f"{_n(c, 'hand-raiser')} by {v!r}" for i, v, c in rows if i == "hand_raiser"]
    parts.append(f"{sum(c for i, _, c in rows if i == 'other'):,} other")
    parts.append(f"{sum(c for i, _, c in rows if i is None):,} unknown (no value)")
    findings.notes.append("intent (MQLs): " + "; ".join(parts))
    return staged


# --- opportunities -------------------------------------------------------------------------------


def _stage_deals(con, raws, mapping: SourceMapping, findings: Findings) -> SourceStaged:
    raw = raws["opportunity"]
    texts = {
        "id": raw.ref("Id"),
        "gone": _gone(raw),
        "stage_name": raw.opt("StageName"),
        "is_won": _true(raw, "IsWon") if raw.has("IsWon") else "null",
        "is_closed": _true(raw, "IsClosed") if raw.has("IsClosed") else "null",
        "amount": raw.ref("Amount"),
    }
    times = [
        TimeField("created", "CreatedDate", raw.ref("CreatedDate"), instant=False),
        TimeField("closed", "CloseDate", raw.ref("CloseDate"), instant=False),
    ]
    prepare(con, raw, texts, times, mapping, findings, id_column="Id")
    roles = raws.get("contact_role")
    if roles is not None:
        con.execute(
            f"""create temp table _sf_roles as
            select {roles.ref("OpportunityId")} as opportunity, {roles.ref("ContactId")} as contact,
                {_true(roles, "IsPrimary")} as is_primary
            from {roles.table} where {_gone(roles)} is null"""
        )
    else:
        con.execute(
            "create temp table _sf_roles (opportunity varchar, contact varchar, is_primary boolean)"
        )
    if raw.has("IsWon") and raw.has("IsClosed"):
        stage_sql = "case when is_won then 'won' when is_closed then 'lost' else 'open' end"
        rule = "IsWon / IsClosed"
    else:
        stage_sql = f"""case when lower(stage_name) in {lower_list(mapping.won)} then 'won'
            when lower(stage_name) in {lower_list(mapping.lost)} then 'lost' else 'open' end"""
        rule = "deals.won / deals.lost"
    # The sourcing lead: the lead converted into this opportunity; else the primary contact role's
    # person; else, of its contact roles, the person who became an MQL first.
    con.execute(
        f"""
        create temp table _sf_deals as
        with converted as (
            select converted_opportunity as id, id as lead from _sf_leads
            where object = 'lead' and converted_opportunity is not null
            qualify row_number() over (partition by converted_opportunity order by mql nulls last, id) = 1
        ),
        by_role as (
            select r.opportunity as id, p.lead from _sf_roles r
            join _sf_person p on p.contact = r.contact
            join _sf_leads l on l.id = p.lead
            qualify row_number() over (
                partition by r.opportunity order by r.is_primary desc, l.mql nulls last, l.id
            ) = 1
        )
        select o.*, coalesce(c.lead, b.lead) as lead, {stage_sql} as stage
        from _prep_opportunity o
        left join converted c on c.id = o.id
        left join by_role b on b.id = o.id
        where o.gone is null
        """
    )
    number = _parse("number", "amount")
    staged = stage(
        con,
        "deals",
        f"""
        select id as deal_id, lead as lead_id, created as created_at, created__raw as created_at__raw,
            case when stage <> 'open' then closed end as closed_at,
            case when stage <> 'open' then closed__raw end as closed_at__raw,
            stage, case when amount is null and stage <> 'won' then 0 else {number} end as amount,
            amount as amount__raw, {_sql_text(raw.file)} as _src_file, _row as _src_row,
            'Id' as _src_column_deal_id, 'Id' as _src_column_lead_id,
            'CreatedDate' as _src_column_created_at, 'CloseDate' as _src_column_closed_at,
            'StageName' as _src_column_stage, 'Amount' as _src_column_amount
        from _sf_deals where lead is not null
        """,
        file=raw.file,
    )
    ((kept, no_lead),) = con.sql(
        "select count(*) filter (where lead is not null), count(*) filter (where lead is null) from _sf_deals"
    ).fetchall()
    ((gone,),) = con.sql("select count(*) from _prep_opportunity where gone is not null").fetchall()
    line = f"{raw.file}: {raw.rows:,} rows read: {_n(kept, 'deal')}"
    if no_lead:
        line += f"; {no_lead:,} left out: no lead (not converted from one, no contact role)"
    if gone:
        line += f"; {gone:,} deleted or merged dropped"
    findings.notes.append(line)
    stages = con.sql("select stage, count(*) from _sf_deals group by all order by all").fetchall()
    findings.notes.append(f"deal stages ({rule}): " + ", ".join(f"{s} {n:,}" for s, n in stages))
    return staged


# --- tasks and events ----------------------------------------------------------------------------


def _stage_activities(con, raws, mapping: SourceMapping, findings: Findings) -> SourceStaged:
    selects = []
    v = mapping.values_of
    if "task" in raws:
        raw = raws["task"]
        present = [c for c in v("task_time") if raw.has(c)]
        if not present:
            raw.ref(v("task_time")[0], key="activities.task_time")
        when = f"coalesce({', '.join(raw.ref(c) for c in present)})"
        texts = {
            "id": raw.ref("Id"),
            "gone": _gone(raw),
            "who": raw.opt("WhoId"),
            "what": raw.opt("WhatId"),
            "owner": raw.opt("OwnerId"),
            "subtype": raw.opt("TaskSubtype"),
            "type": raw.opt("Type"),
            "status": raw.opt("Status"),
            "closed": _true(raw, "IsClosed")
            if raw.has("IsClosed")
            else f"lower({raw.opt('Status')}) = 'completed'",
            "call_type": raw.opt("CallType"),
        }
        column = " / ".join(present)
        prepare(
            con,
            raw,
            texts,
            [TimeField("occurred", column, when)],
            mapping,
            findings,
            id_column="Id",
        )
        kind = f"""case
            when lower(subtype) in {lower_list(v("call_subtypes"))}
                or lower(type) in {lower_list(v("task_types_call"))} then 'call'
            when lower(subtype) in {lower_list(v("email_subtypes"))}
                or lower(type) in {lower_list(v("task_types_email"))} then 'email'
        end"""
        dropped = f"""case
            when gone is not null then gone
            when lower(subtype) in {lower_list(v("never_subtypes"))} then 'a ' || subtype || ' task'
            when not closed then 'not completed (' || coalesce(status, 'no status') || ')'
            when lower(call_type) = 'inbound' then 'an inbound call'
            when {kind} is null then 'neither a call nor an e-mail (' || coalesce(type, subtype, 'no type') || ')'
        end"""
        selects.append(
            f"""select {_sql_text(raw.file)} as file, _row, {kind} as kind, id, owner, who, what,
                occurred, occurred__raw, {dropped} as dropped, {_sql_text(column)} as at_column
            from _prep_task"""
        )
    if "event" in raws:
        raw = raws["event"]
        texts = {
            "id": raw.ref("Id"),
            "gone": _gone(raw),
            "who": raw.opt("WhoId"),
            "what": raw.opt("WhatId"),
            "owner": raw.opt("OwnerId"),
        }
        at = TimeField("occurred", "StartDateTime", raw.ref("StartDateTime"))
        prepare(con, raw, texts, [at], mapping, findings, id_column="Id")
        selects.append(
            f"""select {_sql_text(raw.file)} as file, _row, 'meeting' as kind, id, owner, who,
                what, occurred, occurred__raw, gone as dropped, 'StartDateTime' as at_column
            from _prep_event"""
        )
    # An activity on a converted lead's contact, or only on its opportunity, is the lead's.
    con.execute(
        f"""
        create temp table _sf_activities as
        with acts as ({" union all ".join(selects)})
        select a.*, coalesce(l.id, p.lead, d.lead) as lead, {_rep_of("a.owner")} as rep,
            case when l.id is not null then 'lead' when p.lead is not null then 'contact'
                when d.lead is not null then 'opportunity' end as via
        from acts a
        left join _sf_leads l on l.id = a.who and l.object = 'lead'
        left join _sf_person p on p.contact = a.who
        left join _sf_deals d on d.id = a.what
        """
    )
    staged = stage(
        con,
        "activities",
        """
        select id as activity_id, lead as lead_id, rep as rep_id, kind,
            occurred as occurred_at, occurred__raw as occurred_at__raw,
            file as _src_file, _row as _src_row, 'Id' as _src_column_activity_id,
            'WhoId' as _src_column_lead_id, 'OwnerId' as _src_column_rep_id,
            'TaskSubtype' as _src_column_kind, at_column as _src_column_occurred_at
        from _sf_activities where dropped is null and lead is not null
        """,
        file=next(iter(raws[n].file for n in ("task", "event") if n in raws)),
    )
    for name in ("task", "event"):
        if name not in raws:
            continue
        file = raws[name].file
        counts = dict(
            con.sql(
                f"""select coalesce(dropped, case when lead is null then 'on no lead, contact or opportunity' end), count(*)
                from _sf_activities where file = {_sql_text(file)} group by all"""
            ).fetchall()
        )
        kept = counts.pop(None, 0)
        vias = con.sql(
            f"""select via, count(*) from _sf_activities
            where file = {_sql_text(file)} and dropped is null and lead is not null
            and via <> 'lead' group by all order by all"""
        ).fetchall()
        line = f"{file}: {_n(raws[name].rows, 'row')} read: {kept:,} kept"
        if vias:
            line += " (" + ", ".join(f"{n:,} moved to the lead from its {w}" for w, n in vias) + ")"
        if counts:
            line += "; dropped: " + ", ".join(f"{n:,} {r}" for r, n in sorted(counts.items()))
        findings.notes.append(line)
    return staged


def _stage_reps(con, mapping: SourceMapping, findings: Findings) -> SourceStaged:
    return stage_reps(con, findings, origin="reps.sales; queues never")


def _segment(mapping: SourceMapping) -> str:
    """leads.segment and its column when the mapping names one (else the import keeps it)."""
    if not mapping.segment:
        return ""
    return f" segment, {_sql_text(mapping.segment)} as _src_column_segment,"
