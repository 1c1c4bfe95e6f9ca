"""The row models on their own: typed input, the site as context, the cell parsers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from skranke.domain.site import Site
from skranke.domain.vocabulary import CLOSING_STATUSES
from skranke.i18n import set_language
from skranke.sync.rows import (
    COLUMNS,
    MODELS,
    AppointmentRow,
    CaseRow,
    CitizenRow,
    PrescriptionRow,
    RowContext,
    header_key,
    mask_cpr,
    parse_datetime,
    parse_decimal,
    parse_paragraph,
)

from .conftest import TODAY

CPH = ZoneInfo("Europe/Copenhagen")


def test_models_map_one_to_one_to_the_store_columns() -> None:
    # The field names are the store's column names (imported_at is set by the service).
    expected = {
        "borgere": ["id", "cpr", "first_name", "last_name", "alias", "phone"],
        "sager": ["id", "citizen_id", "department", "paragraph", "contact_date", "treatment_start",
                  "free_choice", "closed_on", "closing_status", "plan_reviewed_on", "follow_up_consent",
                  "plan_interval_months", "medical_reviewed_on", "personal_attendance_on", "partner",
                  "outcome", "goals_reached"],
        "ordinationer": ["id", "citizen_id", "preparation", "dose_mg", "doses_per_day", "pickup_rule",
                         "supervised", "valid_from", "valid_to", "prescribed_by", "delivery", "last_dispensed_on",
                         "approved_on"],
        "aftaler": ["id", "citizen_id", "department", "starts_at", "kind", "clinician"],
    }  # fmt: skip
    for kind, fields in expected.items():
        assert list(MODELS[kind].model_fields) == fields
        assert sorted(c.field for c in COLUMNS[kind]) == sorted(fields)
        assert kind == MODELS[kind].KIND


def test_typed_values_pass_through(site: Site) -> None:
    row = PrescriptionRow.model_validate(
        {"id": "O1", "citizen_id": "B1", "preparation": "metadon", "dose_mg": Decimal("12.5"),
         "doses_per_day": 2, "pickup_rule": "FREQ=DAILY", "supervised": False,
         "valid_from": date(2025, 1, 1), "valid_to": None},
        context=RowContext.for_site(site),
    )  # fmt: skip
    assert (row.dose_mg, row.doses_per_day, row.supervised) == (Decimal("12.5"), 2, False)


@pytest.mark.parametrize("context", ["site", "dict"])
def test_site_can_be_the_context(site: Site, context: str) -> None:
    given = site if context == "site" else {"site": site, "today": TODAY}
    row = AppointmentRow.model_validate(
        {"id": "A1", "citizen_id": "B1", "department": "Medicinudlevering", "starts_at": "2025-01-01 10:00"},
        context=given,
    )
    assert row.department == "medicinudlevering"
    assert row.starts_at == datetime(2025, 1, 1, 10, tzinfo=CPH)


def test_vocabulary_fields_need_the_site() -> None:
    with pytest.raises(TypeError, match="needs the site"):
        CaseRow.model_validate(
            {"id": "S1", "citizen_id": "B1", "department": "x", "paragraph": "SEL101", "contact_date": "2025-01-01"}
        )


def test_citizen_needs_no_site() -> None:
    row = CitizenRow.model_validate({"id": "B1", "cpr": "0101801234"}, context={"today": TODAY})
    assert row.cpr == "0101801234"


def test_rows_are_frozen_and_forbid_extra_fields() -> None:
    row = CitizenRow(id="B1")
    with pytest.raises(ValidationError):
        row.id = "B2"
    with pytest.raises(ValidationError):
        CitizenRow(id="B1", shoe_size=42)  # type: ignore[call-arg]  # the unknown field is the point


def test_services_are_departments_too(site: Site) -> None:
    ids = {d.id for d in site.all_departments()}
    assert "medicinudlevering" in ids
    context = RowContext.for_site(site)
    assert set(context.departments.values()) == ids


def test_preparation_by_id_or_name(site: Site) -> None:
    context = RowContext.for_site(site)
    for written in ("diacetylmorfin", "Diacetylmorfin (heroin)", "DIACETYLMORFIN (HEROIN)"):
        row = PrescriptionRow.model_validate(
            {"id": "O1", "citizen_id": "B1", "preparation": written, "dose_mg": "1", "pickup_rule": "FREQ=DAILY",
             "valid_from": "2025-01-01"},
            context=context,
        )  # fmt: skip
        assert row.preparation == "diacetylmorfin"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("SEL101", "SEL101"), ("sel101a", "SEL101a"), ("SEL § 101 a", "SEL101a"), ("SUL-142", "SUL142"),
     ("Sul 141", "SUL141"), ("SEL.101", "SEL101")],
)  # fmt: skip
def test_paragraph_spellings(written: str, expected: str) -> None:
    assert parse_paragraph(written) == expected


@pytest.mark.parametrize("written", ["101", "§101", "SEL 101b", "SL101", ""])
def test_paragraph_needs_the_law(written: str) -> None:
    with pytest.raises(PydanticCustomError, match="paragraf"):
        parse_paragraph(written)


@pytest.mark.parametrize(
    "written",
    ["færdigbehandlet", "faerdigbehandlet", "andet tilbud", "andet_tilbud", "hospital", "anden årsag",
     "anden aarsag", "udeblevet", "eget ønske", "eget oenske", "EGET ØNSKE"],
)  # fmt: skip
def test_closing_status_spellings(site: Site, written: str) -> None:
    row = CaseRow.model_validate(
        {"id": "S1", "citizen_id": "B1", "department": "stoffrihed", "paragraph": "SEL101",
         "contact_date": "2025-01-01", "closed_on": "2025-02-01", "closing_status": written},
        context=site,
    )  # fmt: skip
    assert row.closing_status in CLOSING_STATUSES


def test_decimal_from_other_types() -> None:
    assert parse_decimal(12) == Decimal(12)
    assert parse_decimal(12.5) == Decimal("12.5")
    assert parse_decimal(Decimal("1.500")) == Decimal("1.5")
    with pytest.raises(PydanticCustomError, match="decimaler"):
        parse_decimal(Decimal("1.005"))
    with pytest.raises(PydanticCustomError, match="tal"):
        parse_decimal(Decimal("NaN"))


def test_ambiguous_autumn_time_is_the_first() -> None:
    # 2025-10-26 02:30 happens twice in Copenhagen; the summer-time one is taken.
    moment = parse_datetime("26.10.2025 02.30")
    offset = moment.utcoffset()
    assert offset is not None and offset.total_seconds() == 2 * 3600


def test_naive_and_aware_datetimes() -> None:
    assert parse_datetime(datetime(2025, 1, 1, 8)) == datetime(2025, 1, 1, 8, tzinfo=CPH)
    assert parse_datetime(datetime(2025, 1, 1, 7, tzinfo=ZoneInfo("UTC"))).hour == 8


def test_header_key_folds_spellings() -> None:
    assert header_key("Fødselsdato") == header_key(" FOEDSELS_DATO ") == "foedselsdato"
    assert header_key("\ufeffPræparat") == header_key("praeparat")
    assert header_key("Gyldig-Til") == header_key("gyldig til") == "gyldigtil"


def test_mask_cpr() -> None:
    assert mask_cpr("010180-1234") == "010180-****"
    assert mask_cpr("0101801234") == "010180****"
    assert mask_cpr("01") == "01"


# --- heroin: only under supervision (DESIGN §1) -------------------------------------------------


def _heroin(site: Site, **cells: str) -> PrescriptionRow:
    values = {"id": "O1", "citizen_id": "B1", "preparation": "diacetylmorfin", "dose_mg": "200", "doses_per_day": "2",
              "pickup_rule": "FREQ=DAILY", "valid_from": "2025-01-01", **cells}  # fmt: skip
    return PrescriptionRow.model_validate(values, context=RowContext.for_site(site))


def _error_fields(error: ValidationError) -> list[str]:
    return [str(e["loc"][0]) for e in error.errors()]


def test_heroin_is_accepted_daily_supervised_and_not_delivered(site: Site) -> None:
    row = _heroin(site, supervised="ja", delivery="nej", last_dispensed_on="31.05.2025")
    assert (row.supervised, row.delivery, row.last_dispensed_on) == (True, False, date(2025, 5, 31))
    assert _heroin(site, pickup_rule="RRULE:freq=daily;until=20251231").pickup_rule == "FREQ=DAILY;UNTIL=20251231"
    assert RowContext.for_site(site).supervised_only == {"diacetylmorfin": "Diacetylmorfin (heroin)"}


@pytest.mark.parametrize(
    ("cells", "field", "danish", "english"),
    [
        ({"delivery": "ja"}, "delivery", "bringes aldrig ud: udbringning skal være nej", "never delivered"),
        ({"supervised": "nej"}, "supervised", "aldrig tages med hjem: overvaaget skal være ja", "never taken home"),
        ({"pickup_rule": "FREQ=WEEKLY;BYDAY=MO,TH"}, "pickup_rule", "udleveringsreglen skal være FREQ=DAILY",
         "the pickup rule must be FREQ=DAILY"),
        ({"pickup_rule": "FREQ=DAILY;INTERVAL=2"}, "pickup_rule", "skal være FREQ=DAILY", "must be FREQ=DAILY"),
    ],
)  # fmt: skip
def test_heroin_that_would_go_home_is_refused_with_the_reason(
    site: Site, cells: dict[str, str], field: str, danish: str, english: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _heroin(site, **cells)
    assert _error_fields(refused.value) == [field]
    message = refused.value.errors()[0]["msg"]
    assert message.startswith("Diacetylmorfin (heroin) gives kun under overvågning") and danish in message
    set_language("en")
    try:
        with pytest.raises(ValidationError, match=english):
            _heroin(site, **cells)
    finally:
        set_language("da")


def test_other_preparations_may_go_home_or_be_delivered(site: Site) -> None:
    row = _heroin(site, preparation="metadon", supervised="nej", delivery="ja", pickup_rule="FREQ=WEEKLY;BYDAY=WE")
    assert (row.supervised, row.delivery) == (False, True)


def test_a_wrong_preparation_is_reported_once_not_as_heroin(site: Site) -> None:
    with pytest.raises(ValidationError) as refused:
        _heroin(site, preparation="heroin", delivery="ja", supervised="nej")
    assert _error_fields(refused.value) == ["preparation"]
