"""Textual's DataTable, drawn again once it has measured new rows.

Textual 8.2.8 measures rows added to a DataTable when the table is next idle and widens its
columns then, but the lines it drew in between stay in its caches under the same key: a table
filled and painted in one go could show every cell cut to its header's width ("oversk" for
"overskredet") until something else redrew it. Seen on Frister's tabs on a loaded machine.
(Relies on DataTable's `_update_dimensions`, `_update_count` and `_line_cache`: textual is
pinned in pyproject.toml.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable as TextualDataTable
from textual.widgets.data_table import RowKey

CellType = TypeVar("CellType")


class DataTable(TextualDataTable[CellType]):
    def measure_new_rows(self) -> None:
        """Measure the rows added since the last measure now, not when the table is next idle:
        a table filled before the screen's first layout is laid out with its rows in it."""
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        super()._update_dimensions(new_rows)
        if widths != [column.get_render_width(self) for column in self.ordered_columns]:
            self._update_count += 1  # part of every render cache's key: nothing drawn before is reused
            self._line_cache.clear()
            self.refresh()
