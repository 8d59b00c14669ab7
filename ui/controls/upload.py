"""The Your data page's table: from an upload's bytes or a built-in Seattle table, a preview of the
first rows as the file writes them, and which rows train and which are held out. Pure: no Streamlit.

Uploaded bytes are only decoded as UTF-8 text and read as CSV (core.data.tables): never unpickled, evaluated
or written to disk.
"""
import hashlib
import importlib.util
import os
from dataclasses import dataclass

import pandas as pd

from core.data import tables
from core.data.csvtext import decode, delimiter, records

BUILTIN_COLUMNS = {"seattle-weather": ["temp_max", "temp_min"], "seattle-temps": ["temp"]}
HELD_OUT = 0.2               # the last fifth of the rows: the model never trains on them
PREVIEW_ROWS = 8


def table_from_upload(name, raw):
    """``(Table, None)``, or ``(None, message)`` saying in plain words what is wrong with the file."""
    try:
        return tables.read_table(raw), None
    except ValueError as err:
        return None, f"{name} cannot be used: {err}"


def builtin(name):
    """``(Table, raw bytes, None)`` of a table shipped with vega_datasets, or ``(None, None, message)``."""
    try:
        table = tables.load_vega(name)
    except ValueError as err:
        return None, None, str(err)
    where = importlib.util.find_spec("vega_datasets").submodule_search_locations[0]
    with open(os.path.join(where, "_data", f"{name}.csv"), "rb") as f:      # load_vega's file
        return table, f.read(), None


def fingerprint(raw):
    """A short name for a file's bytes: a new file gets a fresh column choice."""
    return hashlib.sha256(raw).hexdigest()[:16]


def preview(raw, rows=PREVIEW_ROWS):
    """The header and the first ``rows`` data rows as the file writes them: a DataFrame of strings.
    Only called on bytes that core.data.tables.read_table accepted."""
    text = decode(raw)
    lines = text.splitlines()[:rows * 4 + 1]           # enough lines for a few blank or quoted ones
    header, cells, _ = records("\n".join(lines), delimiter(text), len(lines))
    return pd.DataFrame(cells[:rows], columns=header, dtype=str)


@dataclass(frozen=True)
class Split:
    n_rows: int
    n_train: int             # rows 0 .. n_train - 1 train; the rest are held out

    @classmethod
    def of(cls, n_rows):
        return cls(n_rows, n_rows - max(1, int(round(HELD_OUT * n_rows))))

    def words(self, file_rows, shown):
        """Which rows trained and which were held out, in the file's own row numbers."""
        r = list(file_rows)
        text = (f"Trained on rows {r[0]}–{r[self.n_train - 1]} of the file (the first "
                f"{self.n_train / self.n_rows:.0%}); rows {r[self.n_train]}–{r[-1]} (the last "
                f"{1 - self.n_train / self.n_rows:.0%}) are held out: the model never sees them while it "
                "learns, so they test it.")
        held = self.n_rows - self.n_train
        return text + (f" The charts show the first {shown} of the {held} held-out rows." if shown < held
                       else "")
