"""A person's own table: read a CSV upload into columns of numbers, or say in plain words what is wrong.

Nothing is guessed: a missing or non-numeric cell in a chosen column is an error that names the column,
the row and the value. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""
import importlib.util
import math
import os
from dataclasses import dataclass

import numpy as np

from core.data.csvtext import decode, delimiter, records

MAX_BYTES = 5_000_000
MAX_ROWS = 200_000
MIN_ROWS = 10                    # a sequence model needs a sequence
MISSING = {"", "na", "n/a", "nan", "null"}


@dataclass(frozen=True, eq=False)
class Column:
    name: str
    values: np.ndarray           # (N,) the numbers; NaN where a cell is missing or is text
    missing_rows: np.ndarray     # spreadsheet rows of the empty cells
    text_rows: np.ndarray        # spreadsheet rows of the cells that are not numbers
    first_text: str | None       # the first such cell, as written

    @property
    def numeric(self):
        """True when every filled cell is a number (and there is at least one)."""
        return len(self.text_rows) == 0 and len(self.missing_rows) < len(self.values)

    @property
    def missing(self):
        return len(self.missing_rows)


@dataclass(frozen=True, eq=False)
class Table:
    columns: tuple               # (Column, ...) in the file's order
    rows: np.ndarray             # (N,) spreadsheet row of each data row
    delimiter: str

    @property
    def names(self):
        return [c.name for c in self.columns]

    @property
    def numeric_names(self):
        return [c.name for c in self.columns if c.numeric]

    def __len__(self):
        return len(self.rows)

    def column(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        hint = [other for other in self.names if other.strip().lower() == str(name).strip().lower()]
        raise ValueError(f"There is no column {name!r} in the file"
                         + (f" (did you mean {hint[0]!r}?)" if hint else "")
                         + f". Its columns are: {', '.join(self.names)}.")


def _number(cell, decimal_comma):
    """float, None for a missing cell, or the string itself when it is not a finite number."""
    s = cell.strip()
    if s.lower() in MISSING:
        return None
    if decimal_comma and "," in s and "." not in s:       # 3,5 in a semicolon file is 3.5
        s = s.replace(",", ".", 1)
    try:
        v = float(s)
    except ValueError:
        return cell.strip()
    return v if math.isfinite(v) else cell.strip()


def _column(name, cells, rows, decimal_comma):
    values = np.full(len(cells), np.nan)
    missing, text, first = [], [], None
    for i, cell in enumerate(cells):
        v = _number(cell, decimal_comma)
        if v is None:
            missing.append(rows[i])
        elif isinstance(v, str):
            text.append(rows[i])
            first = v if first is None else first
        else:
            values[i] = v
    return Column(name, values, np.array(missing, dtype=int), np.array(text, dtype=int), first)


def _check_header(header, decimal_comma):
    if all(not isinstance(_number(c, decimal_comma), str) for c in header):
        raise ValueError(f"The first row holds numbers ({', '.join(header[:4])}), not column names. "
                         "Add a header row that names each column, for example: time,temperature")
    names = [name or f"column {j + 1}" for j, name in enumerate(header)]  # e.g. a saved index column
    for j, name in enumerate(names):
        if name in names[:j]:
            raise ValueError(f"The header names column {name!r} twice (columns {names.index(name) + 1} "
                             f"and {j + 1}). Give each column its own name.")
    return names


def read_table(raw, *, max_bytes=MAX_BYTES, max_rows=MAX_ROWS):
    """Parse the bytes of a CSV file into a :class:`Table`, or raise a ValueError saying what to fix."""
    if len(raw) > max_bytes:
        raise ValueError(f"The file is {_size(len(raw))}; the limit is {_size(max_bytes)}. "
                         "Keep fewer rows or columns and upload it again.")
    text = decode(raw)
    sep = delimiter(text)
    header, data, rows = records(text, sep, max_rows)
    if header is None:
        raise ValueError("The file is empty: it has no header and no rows. Upload a CSV file with a "
                         "header row naming the columns and one row per time step.")
    decimal_comma = sep != ","
    names = _check_header(header, decimal_comma)
    if not data:
        raise ValueError("The file has a header row but no data rows below it. Add one row per time "
                         "step.")
    if len(data) < MIN_ROWS:
        raise ValueError(f"The file has only {len(data)} data row{'s' if len(data) > 1 else ''}; a "
                         f"sequence needs at least {MIN_ROWS} rows (one per time step).")
    table = Table(tuple(_column(name, cells, rows, decimal_comma)
                        for name, cells in zip(names, zip(*data))), np.array(rows), sep)
    if not table.numeric_names:
        example = next((f"; for example {c.name!r} has {c.first_text!r} in row {c.text_rows[0]}"
                        for c in table.columns if c.first_text is not None), "")
        raise ValueError(f"No column holds only numbers (columns: {', '.join(names)}{example}). "
                         "The model needs at least one column with a number in every row.")
    return table


def _size(size):
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB" if size >= 1e3 else f"{size} bytes"


def _rows_text(rows, limit=5):
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def select_columns(table, names):
    """The chosen columns as a ``(N, D)`` float64 array, or a ValueError that says what to fix."""
    names = [names] if isinstance(names, str) else list(names)
    if not names:
        raise ValueError("No column chosen: pick at least one column of numbers, such as "
                         f"{', '.join(map(repr, table.numeric_names[:3]))}.")
    out = []
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"Column {name!r} is chosen twice; choose each column once.")
        c = table.column(name)
        filled = len(c.values) - c.missing
        if filled == 0:
            raise ValueError(f"Column {name!r} is empty: none of its cells holds a value.")
        if len(c.text_rows) == filled:
            raise ValueError(f"Column {name!r} holds text (for example {c.first_text!r} in row "
                             f"{c.text_rows[0]}), not numbers. Choose columns of numbers: "
                             f"{', '.join(table.numeric_names)}.")
        if len(c.text_rows):
            cells = len(c.text_rows)
            raise ValueError(
                f"Column {name!r} has text where a number is expected: row {c.text_rows[0]} holds "
                f"{c.first_text!r} ({cells} cell{'s' if cells > 1 else ''} like this, in row"
                f"{'s' if cells > 1 else ''} {_rows_text(c.text_rows)}). Every cell of a chosen column "
                "must be a number, written with a dot for decimals (3.5): fix or delete those rows.")
        if c.missing:
            raise ValueError(
                f"Column {name!r} has {c.missing} missing value{'s' if c.missing > 1 else ''} "
                f"(row{'s' if c.missing > 1 else ''} {_rows_text(c.missing_rows)}). Missing numbers "
                "are not filled in for you: fill those cells or delete those rows, then upload again.")
        out.append(c.values)
    return np.column_stack(out)


def load_vega(name):
    """A table that ships inside the vega_datasets package ("seattle-weather", "seattle-temps", ...),
    read from the installed files: no download."""
    spec = importlib.util.find_spec("vega_datasets")    # finds the files without importing pandas
    if spec is None:
        raise ValueError("The built-in Seattle tables need the vega_datasets package: "
                         "pip install vega_datasets==0.9.0")
    path = os.path.join(spec.submodule_search_locations[0], "_data", f"{name}.csv")
    if not os.path.isfile(path):
        shipped = sorted(f[:-4] for f in os.listdir(os.path.dirname(path)) if f.endswith(".csv"))
        raise ValueError(f"name must be a table shipped with vega_datasets, one of {shipped}; "
                         f"got {name!r}")
    with open(path, "rb") as f:
        return read_table(f.read())
