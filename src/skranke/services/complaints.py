"""Complaints and requests for access to records, registered at the desk and answered in time.

The deadlines are the site's (`domain.deadlines.complaint_deadline`): a complaint answered
within 4 weeks (000 § 8.1, 004), access to records within 7 working days (003 § 4.7).
"""

from __future__ import annotations

from datetime import date

from skranke.domain.deadlines import ComplaintDeadline, ComplaintFacts, complaint_deadlines
from skranke.i18n import _, short_date
from skranke.services.access import Actor, require
from skranke.services.audit import record, record_added
from skranke.services.context import Skranke
from skranke.services.errors import DeskRefusal

COMPLAINT_KINDS = ("complaint", "access")


class ComplaintRefused(DeskRefusal):
    """An unknown citizen or complaint, a bad kind or date: exit code 1, the reason in words."""


def add_complaint(
    skranke: Skranke, actor: Actor | None, citizen_id: str, kind: str, received: date, note: str = ""
) -> ComplaintDeadline:
    """Register a complaint or an access request; its audit event in the same transaction."""
    from skranke.store.models import Citizen, Complaint

    signed_in = require(actor, "complaint")
    if kind not in COMPLAINT_KINDS:
        raise ComplaintRefused(_("The kind must be complaint or access, not {kind}.").format(kind=kind))
    now = skranke.clock.now()
    if received > now.date():
        raise ComplaintRefused(_("The day received lies in the future ({date}).").format(date=short_date(received)))
    with skranke.database.transaction() as session:
        if session.get(Citizen, citizen_id) is None:
            raise ComplaintRefused(_("No citizen has the id {id}.").format(id=citizen_id))
        complaint = Complaint(
            citizen_id=citizen_id,
            kind=kind,
            received_on=received,
            note=note,
            recorded_at=now,
            recorded_by=signed_in.staff_id,
        )
        record_added(
            session,
            signed_in,
            now,
            "complaint_add",
            complaint,
            entity="complaint",
            citizen_id=citizen_id,
            detail={"kind": kind, "received": received.isoformat()},
        )
        facts = ComplaintFacts(complaint.id, citizen_id, kind, received)  # type: ignore[arg-type]
    return complaint_deadlines([facts], skranke.site.rules, now.date())[0]


def answer_complaint(skranke: Skranke, actor: Actor | None, complaint_id: int, answered_on: date) -> ComplaintDeadline:
    """Record the day a complaint or access request was answered: it leaves Frister."""
    from skranke.store.models import Complaint

    signed_in = require(actor, "complaint")
    now = skranke.clock.now()
    if answered_on > now.date():
        raise ComplaintRefused(_("The day answered lies in the future ({date}).").format(date=short_date(answered_on)))
    with skranke.database.transaction() as session:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            raise ComplaintRefused(_("No complaint has the id {id}.").format(id=complaint_id))
        if complaint.answered_on is not None:
            raise ComplaintRefused(
                _("Complaint {id} was answered on {date}.").format(
                    id=complaint_id, date=short_date(complaint.answered_on)
                )
            )
        if answered_on < complaint.received_on:
            raise ComplaintRefused(
                _("Complaint {id} was received on {date}: it cannot be answered before.").format(
                    id=complaint_id, date=short_date(complaint.received_on)
                )
            )
        complaint.answered_on, complaint.answered_by = answered_on, signed_in.staff_id
        session.flush()
        record(
            session,
            signed_in,
            now,
            "complaint_answer",
            citizen_id=complaint.citizen_id,
            entity="complaint",
            entity_id=str(complaint.id),
            detail={"answered": answered_on.isoformat()},
        )
        facts = ComplaintFacts(
            complaint.id,
            complaint.citizen_id,
            complaint.kind,  # type: ignore[arg-type]
            complaint.received_on,
            answered_on,
        )
    return complaint_deadlines([facts], skranke.site.rules, now.date())[0]
