"""Export files in, outbox files out: file formats on plain values (DESIGN §3).

This package works on bytes, paths and `skranke.domain` values only; it never touches the
store, the clock or the UI (the services layer combines them).
"""

from skranke.sync.outbox import (
    OutboxConflict,
    OutboxFile,
    existing_outbox_ranges,
    outbox_file_name,
    write_outbox_file,
)
from skranke.sync.reader import (
    ParsedFile,
    ParsedRow,
    RowError,
    kind_of,
    read_export,
    sort_exports,
    sort_key,
    write_report,
)
from skranke.sync.rows import (
    COLUMNS,
    KIND_ORDER,
    MODELS,
    AppointmentRow,
    CaseRow,
    CitizenRow,
    ExportRow,
    PrescriptionRow,
    RowContext,
)

__all__ = [
    "COLUMNS",
    "KIND_ORDER",
    "MODELS",
    "AppointmentRow",
    "CaseRow",
    "CitizenRow",
    "ExportRow",
    "OutboxConflict",
    "OutboxFile",
    "ParsedFile",
    "ParsedRow",
    "PrescriptionRow",
    "RowContext",
    "RowError",
    "existing_outbox_ranges",
    "kind_of",
    "outbox_file_name",
    "read_export",
    "sort_exports",
    "sort_key",
    "write_outbox_file",
    "write_report",
]
