"""Read a CSV or xlsx file into rows of text, keyed by normalised column names.

Shared by every import that takes a spreadsheet (users now, class rosters later).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _


class TableError(ValueError):
    """The file itself cannot be read (wrong type, broken file, missing columns)."""


@dataclass(frozen=True)
class Row:
    number: int  # the row number a person sees in a spreadsheet (header is row 1)
    values: dict[str, str]


def _normalise(header: object) -> str:
    return str(header or "").strip().lower().replace(" ", "_")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store student numbers typed as numbers as floats.
        value = int(value)
    return str(value).strip()


def read_table(
    file: BinaryIO, *, name: str, required: set[str], optional: set[str] = frozenset()
) -> list[Row]:
    """Rows of a .csv (UTF-8, with or without BOM, or GB18030) or .xlsx file.

    Column names are matched case-insensitively; rows that are entirely empty are skipped.
    Raises TableError naming what is wrong with the file as a whole.
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        raw = file.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise TableError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        grid = list(csv.reader(io.StringIO(text)))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise TableError(_("The xlsx file cannot be read: %(error)s") % {"error": exc}) from exc
        grid = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    else:
        raise TableError(_("Only .csv and .xlsx files can be imported."))

    if not grid:
        raise TableError(_("The file is empty."))
    headers = [_normalise(h) for h in grid[0]]
    missing = sorted(required - set(headers))
    if missing:
        raise TableError(
            _("Missing column(s): %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(sorted(required | optional))}
        )
    rows = []
    for index, cells in enumerate(grid[1:], start=2):
        values = {h: _text(c) for h, c in zip(headers, cells, strict=False) if h}
        if any(values.values()):
            rows.append(Row(number=index, values=values))
    return rows
