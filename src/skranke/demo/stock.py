"""The demo's month of the narcotics ledger: receipts, one waste, one count with a small
difference, and a receipt from the pharmacy system (`lager*.csv`) waiting for a witness.

Pure data, dated back from the demo's day; `services.demo` writes the entries as the desk would
(before the morning's doses, which write their own issues) and the file goes through the inbox.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from skranke.domain.site import Site
from skranke.sync.rows import COLUMNS

SUPPLIER = "Sygehusapoteket"
# What a delivery holds, per preparation (mg): a bottle crate, a box of tablets, a batch of vials.
DELIVERY_MG = {
    "metadon": Decimal(10000),
    "buprenorfin": Decimal(1120),
    "morfin": Decimal(2000),
    "diacetylmorfin": Decimal(30000),
}
RECEIPT_DAYS_AGO = (28, 14)
WASTE = ("metadon", Decimal(15), 7, "flaske væltet ved afmåling")
COUNT_DIFFERENCE = ("metadon", Decimal(-2), 1, "spild ved afmåling")


@dataclass(frozen=True)
class DemoReceipt:
    preparation: str
    mg: Decimal
    at: datetime
    lot: str
    invoice: str


def demo_receipts(today: date, zone: object, preparations: list[str]) -> list[DemoReceipt]:
    """Two deliveries of each preparation in the last month, oldest first."""
    receipts = []
    for days in RECEIPT_DAYS_AGO:
        day = today - timedelta(days=days)
        for index, preparation in enumerate(preparations):
            receipts.append(
                DemoReceipt(
                    preparation,
                    DELIVERY_MG.get(preparation, Decimal(1000)),
                    datetime.combine(day, time(10, index), zone),  # type: ignore[arg-type]
                    f"L{day:%y%m%d}{index}",
                    f"F-{day:%Y%m%d}-{index + 1}",
                )
            )
    return receipts


def write_demo_receipts(directory: Path, today: date, site: Site) -> Path:
    """Today's delivery of methadone from the pharmacy system, waiting for a witness."""
    path = directory / "lager_demo.csv"
    names = [column.name for column in COLUMNS["lager"]]
    methadone = next((p for p in site.preparations if p.id == "metadon"), site.preparations[0])
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(names)
        writer.writerow(
            [
                f"LAG-{today:%Y%m%d}-1",
                methadone.id,
                methadone.strength,
                "5000",
                f"L{today:%y%m%d}9",
                SUPPLIER,
                f"F-{today:%Y%m%d}-9",
                today.isoformat(),
            ]
        )
    return path
