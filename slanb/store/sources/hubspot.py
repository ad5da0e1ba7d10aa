"""HubSpot's UI export (the Contacts, Deals, Calls and Emails index views, with associations).

HubSpot writes property labels as headers (``Record ID``, ``Create Date``, ``Contact owner``), times
as ``YYYY-MM-DD HH:MM`` in the portal's time zone without an offset, owners by name (``Maya Chen
(Deactivated User)`` once deactivated) and associations as ``;``-separated record ids
(``Associated Contact IDs``). docs/crm.md says where each contract column comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from slanb.store.ingest.checks import _sql_text
from slanb.store.ingest.read import _parse
from slanb.store.sources.mapping import SourceMapping
from slanb.store.sources.raw import (
    Findings,
    RawFile,
    SourceStaged,
    TimeField,
    label_key,
    lower_list,
    prepare,
    stage,
    stage_reps,
)

NORMALIZE = staticmethod(label_key)

# Columns the UI export writes that are not the company's choice (docs/crm.md).
ID = "Record ID"
CREATED = "Create Date"
CONTACT_OWNER = "Contact owner"
DEAL_OWNER = "Deal owner"
ACTIVITY_OWNER = "Activity assigned to"
ACTIVITY_DATE = "Activity date"
CONTACT_IDS = "Associated Contact IDs"
DEAL_IDS = "Associated Deal IDs"
RECENT, RECENT_DATE = "Recent Conversion", "Recent Conversion Date"
FIRST, FIRST_DATE = "First Conversion", "First Conversion Date"
SUBMISSIONS = "Number of Form Submissions"
DEAL_STAGE, AMOUNT, CLOSE_DATE = "Deal Stage", "Amount", "Close Date"
CALL_DIRECTION, CALL_STATUS = "Call direction", "Call status"
EMAIL_DIRECTION = "Email direction"

_DEACTIVATED = r"\s*\(Deactivated User\)\s*$"


@dataclass(frozen=True)
class Names:
    """The export's own names of the columns the staging reads, for messages."""

    id: str = ID
    created: str = CREATED
    contact_owner: str = CONTACT_OWNER
    contact_ids: str = CONTACT_IDS
    deal_stage: str = DEAL_STAGE
    amount: str = AMOUNT
    close_date: str = CLOSE_DATE
    activity_owner: str = ACTIVITY_OWNER
    activity_date: str = ACTIVITY_DATE


UI = Names()


def stage_hubspot(
    con: duckdb.DuckDBPyConnection,
    raws: dict[str, RawFile],
    mapping: SourceMapping,
    findings: Findings,
) -> list[SourceStaged]:
    """Write ``_stage_leads``, ``_stage_deals``, ``_stage_activities`` and ``_stage_reps``."""
    contacts = raws["contacts"]
    _prepare_contacts(con, contacts, mapping, findings)
    _rep_names(con, raws, mapping)
    staged = [_stage_leads(con, contacts, mapping, findings)]
    if "deals" in raws:
        _prepare_deals(con, raws["deals"], mapping, findings)
        staged.append(_stage_deals(con, raws["deals"], mapping, findings))
    activity_files = [raws[n] for n in ("calls", "emails") if n in raws]
    if activity_files:
        for raw in activity_files:
            _prepare_activities(con, raw, mapping, findings)
        staged.append(
            _stage_activities(con, activity_files, mapping, findings, deals="deals" in raws)
        )
    staged.append(_stage_reps(con, mapping, findings))
    return staged


# --- preparing each file: texts, times, flags ------------------------------------------------------


def _prepare_contacts(con, raw: RawFile, mapping: SourceMapping, findings: Findings) -> None:
    texts = {
        "id": raw.ref(ID),
        "owner": raw.opt(CONTACT_OWNER),
        "source": raw.opt(mapping.lead_source),
        "segment": raw.ref(mapping.segment, key="leads.segment")
        if mapping.segment
        else raw.opt(None),
        "recent_conv": raw.opt(RECENT),
        "first_conv": raw.opt(FIRST),
        "n_submissions": raw.opt(SUBMISSIONS),
    }
    if mapping.intent_field:
        texts["reason"] = raw.ref(mapping.intent_field, key="intent.field")
    for i, rule in enumerate(mapping.fit):
        if rule.field:
            texts[f"fit{i}"] = raw.ref(rule.field, key=f"fit[{i}].field")
    times = [
        TimeField("created", CREATED, raw.ref(CREATED), instant=False),
        TimeField("mql", mapping.mql, raw.ref(mapping.mql, key="leads.mql"), instant=False),
    ]
    if mapping.sql:
        times.append(
            TimeField("sql", mapping.sql, raw.ref(mapping.sql, key="leads.sql"), instant=False)
        )
    if not mapping.intent_field:
        for out, column in (("recent_date", RECENT_DATE), ("first_date", FIRST_DATE)):
            if raw.has(column):
                times.append(TimeField(out, column, raw.ref(column), instant=False))
    prepare(con, raw, texts, times, mapping, findings, id_column=ID)
    for out in ("sql", "recent_date", "first_date"):
        if out not in {t.out for t in times}:
            con.execute(f"alter table _prep_{raw.name} add column {out} timestamp")
            con.execute(f"alter table _prep_{raw.name} add column {out}__raw varchar")


def _prepare_deals(con, raw: RawFile, mapping: SourceMapping, findings: Findings) -> None:
    texts = {
        "id": raw.ref(ID),
        "stage_label": raw.ref(DEAL_STAGE),
        "amount": raw.ref(AMOUNT),
        "owner": raw.opt(DEAL_OWNER),
        "contacts": raw.ref(CONTACT_IDS),
    }
    times = [
        TimeField("created", CREATED, raw.ref(CREATED), instant=False),
        TimeField("closed", CLOSE_DATE, raw.ref(CLOSE_DATE), instant=False),
    ]
    prepare(con, raw, texts, times, mapping, findings, id_column=ID)


def _prepare_activities(con, raw: RawFile, mapping: SourceMapping, findings: Findings) -> None:
    direction = CALL_DIRECTION if raw.name == "calls" else EMAIL_DIRECTION
    texts = {
        "id": raw.ref(ID),
        "owner": raw.opt(ACTIVITY_OWNER),
        "direction": raw.ref(direction),
        "status": raw.opt(CALL_STATUS) if raw.name == "calls" else "cast(null as varchar)",
        "contacts": raw.ref(CONTACT_IDS),
        "deals": raw.opt(DEAL_IDS),
    }
    times = [TimeField("occurred", ACTIVITY_DATE, raw.ref(ACTIVITY_DATE), instant=True)]
    prepare(con, raw, texts, times, mapping, findings, id_column=ID)


# --- owners --------------------------------------------------------------------------------------


def _owner(column: str) -> str:
    """An owner's name without HubSpot's ``(Deactivated User)`` suffix."""
    # only a name with the suffix pays for the regular expression (1M activities have owners)
    return (
        f"nullif(case when contains({column}, '(Deactivated User)') "
        f"then regexp_replace({column}, '{_DEACTIVATED}', '') else {column} end, '')"
    )


def _rep_names(con, raws: dict[str, RawFile], mapping: SourceMapping) -> None:
    """``_reps``: the owners who are sales reps (the mapping's list, or every owner)."""
    if mapping.reps is not None:
        rows = ", ".join(f"({_sql_text(n)})" for n in mapping.reps)
        con.execute(
            f"create temp table _reps as select name as id, name from (values {rows}) as v(name)"
        )
        return
    owners = [f"select {_owner('owner')} as name from _prep_contacts"]
    con.execute(
        f"create temp table _reps as select distinct name as id, name "
        f"from ({' union all '.join(owners)}) where name is not null"
    )


def _rep_of(column: str, *, by_name: bool = True) -> str:
    """SQL: the rep id of the owner in ``column`` (a name in the UI export, an id by the API)."""
    owner = _owner(column) if by_name else column
    return f"(select r.id from _reps r where r.id = {owner})"


# --- the contract tables ---------------------------------------------------------------------------


def _intent(mapping: SourceMapping) -> tuple[str, str]:
    """SQL for (the value that decides intent, intent) over ``_prep_contacts``."""
    if mapping.intent_field:
        value = "reason"
    else:
        # The conversion at the MQL moment: the recent conversion if it came before the MQL, else
        # the first one when the contact converted at most twice (then it was the one before).
        value = """case
            when mql is null then null
            when recent_conv is not null and recent_date <= mql then recent_conv
            when first_conv is not null and first_date <= mql
                and try_cast(n_submissions as double) <= 2 then first_conv
        end"""
    intent = f"""case when {value} is null then null
        when lower({value}) in {lower_list(mapping.hand_raiser)} then 'hand_raiser'
        else 'other' end"""
    return value, intent


def _fit(mapping: SourceMapping) -> str:
    whens = []
    for i, rule in enumerate(mapping.fit):
        conditions = []
        if rule.field:
            number = f"try_cast(replace(fit{i}, ',', '') as double)"
            if rule.min is not None:
                conditions.append(f"{number} >= {rule.min!r}")
            if rule.max is not None:
                conditions.append(f"{number} < {rule.max!r}")
            if rule.values:
                conditions.append(f"lower(fit{i}) in {lower_list(rule.values)}")
        whens.append(f"when {' and '.join(conditions) or 'true'} then '{rule.fit}'")
    return f"case {' '.join(whens)} end" if whens else "cast(null as varchar)"


def _stage_leads(
    con,
    raw: RawFile,
    mapping: SourceMapping,
    findings: Findings,
    *,
    names: Names = UI,
    by_name: bool = True,
) -> SourceStaged:
    decided_by, intent = _intent(mapping)
    con.execute(
        f"""
        create temp table _hs_leads as
        select *, {decided_by} as intent_by, {intent} as intent, {_fit(mapping)} as fit,
            {_rep_of("owner", by_name=by_name)} as rep
        from _prep_contacts
        """
    )
    mql, sql = _sql_text(raw.header(mapping.mql)), _sql_text(raw.header(mapping.sql or ""))
    staged = stage(
        con,
        "leads",
        f"""
        select id as lead_id, created as created_at, created__raw as created_at__raw,
            mql as mql_at, mql__raw as mql_at__raw, sql as sql_at, sql__raw as sql_at__raw,
            rep as owner_id, intent, fit, source,{_segment(mapping)}
            {_sql_text(raw.file)} as _src_file, _row as _src_row,
            {_sql_text(raw.header(names.id))} as _src_column_lead_id,
            {_sql_text(raw.header(names.created))} as _src_column_created_at,
            {mql} as _src_column_mql_at, {sql} as _src_column_sql_at,
            {_sql_text(raw.header(names.contact_owner))} as _src_column_owner_id,
            'intent' as _src_column_intent, 'fit' as _src_column_fit,
            {_sql_text(mapping.lead_source or "")} as _src_column_source
        from _hs_leads
        """,
        file=raw.file,
    )
    ((rows, mqls, unassigned, others),) = con.sql(
        """select count(*), count(mql), count(*) filter (where rep is null and owner is not null),
            count(distinct owner) filter (where rep is null and owner is not null) from _hs_leads"""
    ).fetchall()
    findings.notes.append(
        f"{raw.file}: {raw.rows:,} rows read: {_n(rows, 'lead')}, {_n(mqls, 'MQL')}"
    )
    if unassigned:
        findings.notes.append(
            f"{raw.file}: {_n(unassigned, 'contact')} owned by {_n(others, 'owner')} not in "
            "reps.sales left unassigned"
        )
    _intent_notes(con, mapping, findings)
    _fit_notes(con, mapping, findings)
    return staged


def _intent_notes(con, mapping: SourceMapping, findings: Findings) -> None:
    rows = con.sql(
        """select intent, intent_by, count(*) from _hs_leads where mql is not null
        group by all order by intent nulls last, count(*) desc, intent_by"""
    ).fetchall()
    by = "the field " + repr(mapping.intent_field) if mapping.intent_field else "form"
    parts = []
    for intent, value, count in rows:
        if intent == "hand_raiser":
            parts.append(f"{count:,} hand-raiser{'s' if count != 1 else ''} by {by} {value!r}")
    other = sum(c for i, _, c in rows if i == "other")
    unknown = sum(c for i, _, c in rows if i is None)
    parts.append(f"{other:,} other")
    why = "field empty" if mapping.intent_field else "no conversion at the MQL moment in the export"
    parts.append(f"{unknown:,} unknown ({why})")
    findings.notes.append("intent (MQLs): " + "; ".join(parts))


def _fit_notes(con, mapping: SourceMapping, findings: Findings) -> None:
    rows = dict(
        con.sql("select fit, count(*) from _hs_leads where mql is not null group by all").fetchall()
    )
    parts = [f"{k} {rows.get(k, 0):,}" for k in ("A", "B", "C")]
    parts.append(f"unknown {rows.get(None, 0):,} (no rule matched)")
    findings.notes.append("fit (MQLs): " + ", ".join(parts))


def _stage_deals(
    con,
    raw: RawFile,
    mapping: SourceMapping,
    findings: Findings,
    *,
    names: Names = UI,
    stage_sql: str | None = None,
    contacts_file: str = "the contacts file",
) -> SourceStaged:
    """``_stage_deals`` from ``_prep_deals``.

    ``stage_sql`` (over ``d``) reads won/lost/open; by default the mapping's ``deals.won`` and
    ``deals.lost`` over the stage label.
    """
    by_label = f"""case when lower(d.stage_label) in {lower_list(mapping.won)} then 'won'
                when lower(d.stage_label) in {lower_list(mapping.lost)} then 'lost'
                else 'open' end"""
    # The sourcing lead of a deal: of its associated contacts in the export, the one that became an
    # MQL first (then the one created first, then the lowest id). HubSpot exports no primary flag.
    con.execute(
        f"""
        create temp table _hs_deals as
        with links as (
            select d.id, trim(unnest(string_split(coalesce(d.contacts, ''), ';'))) as contact
            from _prep_deals d
        ),
        ranked as (
            select l.id, c.id as lead, row_number() over (
                partition by l.id order by c.mql nulls last, c.created nulls last, c.id
            ) as n
            from links l join _prep_contacts c on c.id = l.contact
        )
        select d.*, r.lead, {stage_sql or by_label} as stage
        from _prep_deals d left join ranked r on r.id = d.id and r.n = 1
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
            stage,
            case when amount is null and stage <> 'won' then 0 else {number} end as amount,
            amount as amount__raw,
            {_sql_text(raw.file)} as _src_file, _row as _src_row,
            {_sql_text(raw.header(names.id))} as _src_column_deal_id,
            {_sql_text(raw.header(names.contact_ids))} as _src_column_lead_id,
            {_sql_text(raw.header(names.created))} as _src_column_created_at,
            {_sql_text(raw.header(names.close_date))} as _src_column_closed_at,
            {_sql_text(raw.header(names.deal_stage))} as _src_column_stage,
            {_sql_text(raw.header(names.amount))} as _src_column_amount
        from _hs_deals where lead is not null
        """,
        file=raw.file,
    )
    ((kept, no_lead, no_amount),) = con.sql(
        """select count(*) filter (where lead is not null), count(*) filter (where lead is null),
            count(*) filter (where lead is not null and amount is null and stage <> 'won')
        from _hs_deals"""
    ).fetchall()
    line = f"{raw.file}: {raw.rows:,} rows read: {_n(kept, 'deal')}"
    if no_lead:
        line += f"; {no_lead:,} left out: no associated contact in {contacts_file} (renewals?)"
    findings.notes.append(line)
    if no_amount:
        findings.notes.append(
            f"{raw.file}: {_n(no_amount, 'open or lost deal')} without an Amount read as 0"
        )
    stages = con.sql(
        "select stage_label, stage, count(*) from _hs_deals group by all order by stage, stage_label"
    ).fetchall()
    findings.notes.append(
        "deal stages: " + ", ".join(f"{label!r} → {stage} ({n:,})" for label, stage, n in stages)
    )
    return staged


def _stage_activities(
    con,
    raws: list[RawFile],
    mapping: SourceMapping,
    findings: Findings,
    *,
    deals: bool,
    names: Names = UI,
    by_name: bool = True,
) -> SourceStaged:
    """``_stage_activities`` from ``_prep_{name}`` of each call and e-mail file."""
    selects = []
    for raw in raws:
        if _is_calls(raw):
            kind = "call"
            dropped = f"""case
                when direction is null or lower(direction) not in {lower_list(mapping.values_of("call_directions"))}
                    then 'not outbound (' || coalesce(direction, 'no direction') || ')'
                when lower(status) in {lower_list(mapping.values_of("call_statuses_never"))}
                    then 'not made (' || status || ')'
            end"""
        else:
            kind = "email"
            dropped = f"""case
                when direction is null or lower(direction) not in {lower_list(mapping.values_of("email_directions"))}
                    then 'not sent by sales (' || coalesce(direction, 'no direction') || ')'
            end"""
        selects.append(
            f"""select {_sql_text(raw.file)} as file, _row, '{kind}' as kind, id, owner, contacts,
                deals, occurred, occurred__raw, {dropped} as dropped,
                {_sql_text(raw.header(names.activity_date))} as at_column
            from _prep_{raw.name}"""
        )
    by_deal = (
        """
        , via_deal as (
            select a.file, a.id, d.lead from acts a,
                unnest(string_split(coalesce(a.deals, ''), ';')) as u(deal)
            join _hs_deals d on d.id = trim(u.deal)
            where a.dropped is null and d.lead is not null
        )"""
        if deals
        else ", via_deal as (select null as file, null as id, null as lead where false)"
    )
    con.execute(
        f"""
        create temp table _hs_activities as
        with acts as ({" union all ".join(selects)}),
        via_contact as (
            -- most activities have one contact: joined as it is, without a list per row
            select a.file, a.id, c.id as lead from acts a
            join _prep_contacts c on c.id = trim(a.contacts)
            where a.dropped is null and not contains(a.contacts, ';')
            union all
            select a.file, a.id, c.id as lead from acts a,
                unnest(list_distinct(list_transform(
                    string_split(a.contacts, ';'), lambda x: trim(x)))) as u(contact)
            join _prep_contacts c on c.id = u.contact
            where a.dropped is null and contains(a.contacts, ';')
        ){by_deal},
        leads_of as (
            select * from via_contact
            union all
            select distinct * from via_deal v
            where not exists (select 1 from via_contact c where c.file = v.file and c.id = v.id)
        )
        select a.*, l.lead, {_rep_of("a.owner", by_name=by_name)} as rep
        from acts a left join leads_of l on l.file = a.file and l.id = a.id
        """
    )
    staged = stage(
        con,
        "activities",
        f"""
        select kind || '-' || id || '-' || lead as activity_id, lead as lead_id, rep as rep_id, kind,
            occurred as occurred_at, occurred__raw as occurred_at__raw,
            file as _src_file, _row as _src_row,
            {_sql_text(names.id)} as _src_column_activity_id,
            {_sql_text(names.contact_ids)} as _src_column_lead_id,
            {_sql_text(names.activity_owner)} as _src_column_rep_id, 'kind' as _src_column_kind,
            at_column as _src_column_occurred_at
        from _hs_activities where dropped is null and lead is not null
        """,
        file=raws[0].file,
    )
    counts = {
        file: rest
        for file, *rest in con.sql(
            """select file, count(distinct id) filter (where dropped is null and lead is not null),
                count(*) filter (where dropped is null and lead is not null),
                count(distinct id) filter (where dropped is null and lead is null)
            from _hs_activities group by file"""
        ).fetchall()
    }
    reasons: dict[str, list[tuple[str, int]]] = {}
    for file, reason, n in con.sql(
        """select file, dropped, count(*) from _hs_activities where dropped is not null
        group by all order by all"""
    ).fetchall():
        reasons.setdefault(file, []).append((reason, n))
    for raw in raws:
        kept, rows_kept, no_lead = counts.get(raw.file, (0, 0, 0))
        noun = "call" if _is_calls(raw) else "e-mail"
        line = f"{raw.file}: {raw.rows:,} rows read: {_n(kept, noun)} kept"
        if rows_kept != kept:
            line += f" (as {rows_kept:,} activities: one per associated lead)"
        parts = [f"{n:,} {reason}" for reason, n in reasons.get(raw.file, [])]
        if no_lead:
            parts.append(f"{no_lead:,} on no contact or deal in the export")
        if parts:
            line += "; dropped: " + ", ".join(parts)
        findings.notes.append(line)
    return staged


def _is_calls(raw: RawFile) -> bool:
    return raw.name in ("calls", "engagement_call")


def _stage_reps(con, mapping: SourceMapping, findings: Findings) -> SourceStaged:
    origin = "every contact owner" if mapping.reps is None else "reps.sales"
    return stage_reps(con, findings, origin=origin)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _segment(mapping: SourceMapping) -> str:
    """leads.segment and its column when the mapping names one (else the import keeps it)."""
    if not mapping.segment:
        return ""
    return f" segment, {_sql_text(mapping.segment)} as _src_column_segment,"
