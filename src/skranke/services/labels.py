"""Take-home labels (issue 27, DESIGN §1 "Controlled-substance accounts"): a PDF label for every
take-home handout, made from the dose record, and sent to the workstation's label printer or
saved.

`take_home_label` makes the label and records it in the audit log (`label`, naming the citizen)
in one transaction; `deliver_label` prints it with `lp` when the workstation's config names a
`label_printer`, else saves it. A printed label is not kept on disk: the file holds a name and
a birth date, and the store is the one place that should (a label that could not be printed is
saved, and the error says where).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.audit import record
from skranke.services.context import Skranke
from skranke.services.errors import DeskRefusal
from skranke.services.identity import birth_date_of, full_name
from skranke.services.places import HEROIN, medicine_place

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.documents.labels import TakeHomeLabel
    from skranke.store.models import Dispensing

LP_TIMEOUT_SECONDS = 20  # lp hands the file to the local print service: seconds, not minutes


class LabelNotPrinted(DeskRefusal):
    """`lp` failed or is missing; the label is saved and the message says where."""


@dataclass(frozen=True)
class LabelDelivery:
    dispensing_id: int
    printer: str | None  # the printer it was sent to; None: saved only
    path: Path | None  # where it was saved; None: printed and not kept

    def words(self) -> str:
        if self.printer is not None:
            return _("Label {id} sent to the printer {printer}.").format(id=self.dispensing_id, printer=self.printer)
        return _("Label {id} saved: {path}").format(id=self.dispensing_id, path=self.path)


def take_home_label(skranke: Skranke, actor: Actor | None, dispensing_id: int) -> bytes:
    """The label of one dose record's take-home amount, as PDF bytes; DeskRefusal for a record
    with nothing to take home (refused, missed, voided, or a supervised dose alone)."""
    from skranke.documents.labels import take_home_label_pdf
    from skranke.store.models import Dispensing

    signed_in = require(actor, "dispense")
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        row = session.get(Dispensing, dispensing_id)
        if row is None:
            raise DeskRefusal(_("No dispensing {id} in the store.").format(id=dispensing_id))
        if row.voided_at is not None:
            raise DeskRefusal(_("Dose record {id} is voided: no label for it.").format(id=dispensing_id))
        if row.outcome != "given" or row.take_home_mg <= 0:
            raise DeskRefusal(
                _(
                    "Dose record {id} has no take-home: a label goes only with medicine taken home "
                    "(take-home labels, DESIGN §1)."
                ).format(id=dispensing_id)
            )
        label = _label_of(skranke, session, row)
        data = take_home_label_pdf(label)
        record(
            session,
            signed_in,
            now,
            "label",
            citizen_id=row.citizen_id,
            entity="dispensing",
            entity_id=str(row.id),
            detail={"take_home_mg": str(row.take_home_mg), "days": label.days},
        )
    return data


def _label_of(skranke: Skranke, session: Session, row: Dispensing) -> TakeHomeLabel:
    from skranke.documents.labels import TakeHomeLabel
    from skranke.store.models import Citizen, Prescription
    from skranke.store.window import orders_valid_on

    citizen = session.get(Citizen, row.citizen_id)
    order = session.get(Prescription, row.prescription_id)
    assert citizen is not None and order is not None  # foreign keys
    try:
        preparation = skranke.site.preparation(row.preparation)
        name, strength, mg_per_ml = preparation.name, preparation.strength, preparation.mg_per_ml
    except KeyError:
        name, strength, mg_per_ml = row.preparation, "", None
    # The dose given (a release may have reduced it) times the order's doses a day; the take-home
    # amount is that per day times the days it covers (domain.dispensing.doses_due).
    per_day = (row.dose_mg or order.dose_mg) * order.doses_per_day
    days = max(1, int((row.take_home_mg / per_day).to_integral_value())) if per_day else row.covers_days
    heroin = any(o.preparation == HEROIN for o in orders_valid_on(session, row.service_date, row.citizen_id))
    place = skranke.site.department(medicine_place(skranke.site, row.preparation, heroin))
    parent = skranke.site.department(place.parent) if place.parent else None
    return TakeHomeLabel(
        citizen_name=full_name(citizen.first_name, citizen.last_name, citizen.alias, citizen.id),
        birth_date=birth_date_of(citizen.cpr),
        preparation=name,
        strength=strength,
        dose_per_day_mg=per_day,
        dose_per_day_ml=_ml(per_day, mg_per_ml),
        days=days,
        total_mg=row.take_home_mg,
        total_ml=_ml(row.take_home_mg, mg_per_ml),
        handed_out=row.service_date,
        staff=row.staff_id or "",
        centre_name=f"{skranke.site.name}, {place.name}",
        centre_address=place.address or (parent.address if parent else ""),
        centre_phone=place.phone or (parent.phone if parent else ""),
        dispensing_id=row.id,
        made_at=skranke.clock.now(),
    )


def _ml(mg: Decimal, mg_per_ml: Decimal | None) -> Decimal | None:
    from decimal import ROUND_HALF_UP

    return (mg / mg_per_ml).quantize(Decimal("0.1"), ROUND_HALF_UP) if mg_per_ml else None


def label_folder(skranke: Skranke) -> Path:
    """Where labels are saved when no printer is set: `labels/` in the data folder."""
    return skranke.data_dir() / "labels"


def deliver_label(skranke: Skranke, dispensing_id: int, data: bytes, to: Path | None = None) -> LabelDelivery:
    """To the printer the workstation's config names (`label_printer`), with `lp -d NAME FILE`;
    else, or with `to`, saved (`to`, or `labels/label-ID.pdf` in the data folder). A printer that
    fails: LabelNotPrinted, the label saved and the message naming the file."""
    printer = skranke.settings.label_printer
    if printer and to is None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="skranke-label-") as folder:
            spooled = Path(folder) / f"label-{dispensing_id}.pdf"
            spooled.write_bytes(data)
            fault = _print(printer, spooled)
        if fault is None:
            return LabelDelivery(dispensing_id, printer, None)
        saved = _save(label_folder(skranke) / f"label-{dispensing_id}.pdf", data)
        raise LabelNotPrinted(
            _("The label was not printed on {printer}: {fault}. It is saved: {path}").format(
                printer=printer, fault=fault, path=saved
            )
        )
    return LabelDelivery(dispensing_id, None, _save(to or label_folder(skranke) / f"label-{dispensing_id}.pdf", data))


def _save(path: Path, data: bytes) -> Path:
    from skranke.i18n import file_fault

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise DeskRefusal(_("The label could not be saved: {fault}").format(fault=file_fault(error))) from None
    return path


def _print(printer: str, path: Path) -> str | None:
    """None when `lp` took the file; else what went wrong, in words."""
    import subprocess

    try:
        done = subprocess.run(
            ["lp", "-d", printer, str(path)], capture_output=True, text=True, timeout=LP_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        return _("the command lp is not installed (CUPS)")
    except subprocess.TimeoutExpired:
        return _("lp did not answer within {seconds} seconds").format(seconds=LP_TIMEOUT_SECONDS)
    except OSError as error:
        return str(error)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip() or _("lp ended with code {code}").format(code=done.returncode)
    return None
