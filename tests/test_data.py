import os
import subprocess
import sys

import numpy as np
import pytest

from core.data.tables import load_vega, read_table, select_columns


def csv_bytes(rows, header="day,temp,wind,sky", sep=",", newline="\n", encoding="utf-8"):
    lines = [header] + [sep.join(str(c) for c in r) for r in rows]
    return newline.join(lines).encode(encoding)


def good_rows(n=12):
    return [(f"2024-01-{d + 1:02d}", 0.1 * d - 3.25, 1e-3 * d, "rain" if d % 2 else "sun")
            for d in range(n)]


def error(raw, **kw):
    with pytest.raises(ValueError) as e:
        read_table(raw, **kw)
    return str(e.value)


def choose_error(raw, names):
    with pytest.raises(ValueError) as e:
        select_columns(read_table(raw), names)
    return str(e.value)


def test_a_good_file_round_trips_exactly():
    rows = good_rows()
    table = read_table(csv_bytes(rows))
    assert table.names == ["day", "temp", "wind", "sky"] and len(table) == 12
    assert table.numeric_names == ["temp", "wind"] and table.delimiter == ","
    data = select_columns(table, ["wind", "temp"])
    expected = np.array([[r[2], r[1]] for r in rows])
    assert data.shape == (12, 2) and data.dtype == np.float64
    np.testing.assert_array_equal(data, expected)               # repr of a float reads back exactly
    assert not table.column("sky").numeric


@pytest.mark.parametrize("sep, newline, encoding", [
    (";", "\n", "utf-8"), ("\t", "\r\n", "utf-8"), (",", "\r\n", "utf-8-sig")])
def test_separators_line_endings_and_byte_order_mark(sep, newline, encoding):
    raw = csv_bytes(good_rows(), header=sep.join(["day", "temp", "wind", "sky"]), sep=sep,
                    newline=newline, encoding=encoding)
    table = read_table(raw)
    assert table.delimiter == sep and table.names == ["day", "temp", "wind", "sky"]
    np.testing.assert_array_equal(select_columns(table, "temp"), [[r[1]] for r in good_rows()])


def test_semicolon_files_may_use_decimal_commas_and_quotes():
    rows = [(f'"d {i}"', f"{i},5") for i in range(10)]
    table = read_table(csv_bytes(rows, header="name;value", sep=";"))
    np.testing.assert_array_equal(select_columns(table, ["value"])[:, 0], np.arange(10) + 0.5)


def test_blank_lines_are_skipped_and_rows_numbered_as_in_a_spreadsheet():
    raw = csv_bytes(good_rows()) + b"\n\n"
    table = read_table(raw)
    assert len(table) == 12 and table.rows[0] == 2 and table.rows[-1] == 13


def test_an_unnamed_index_column_gets_a_name():
    raw = csv_bytes([(i, i * 2.0) for i in range(10)], header=",x")   # as pandas' to_csv writes it
    assert read_table(raw).names == ["column 1", "x"]


@pytest.mark.parametrize("raw", [b"", b"\n\n  \n"])
def test_empty_file(raw):
    assert "The file is empty" in error(raw)


@pytest.mark.parametrize("raw, what", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel .xlsx"),
    (b"time,value\n1,2\x00\x00\x00\n", "binary data (NUL bytes)"),
    ("time,value\n1,2\n".encode("utf-16"), "UTF-16"),
])
def test_binary_files_are_refused_with_what_they_are(raw, what):
    msg = error(raw)
    assert what in msg and "not" in msg and "CSV UTF-8" in msg


def test_a_file_in_another_encoding_asks_for_utf8():
    raw = csv_bytes(good_rows(), header="day,température,wind,sky", encoding="latin-1")
    msg = error(raw)
    assert "not UTF-8" in msg and "0xE9 on line 1" in msg and "CSV UTF-8" in msg


def test_byte_and_row_caps_state_the_limits():
    raw = csv_bytes(good_rows(20))
    assert f"The file is {len(raw)} bytes; the limit is 100 bytes" in error(raw, max_bytes=100)
    assert "The file is 6.0 MB; the limit is 5.0 MB" in error(b"t,v\n" + b"1,2\n" * 1_500_000)
    msg = error(raw, max_rows=15)
    assert "more than 15 data rows; the limit is 15" in msg
    assert len(read_table(raw, max_rows=20)) == 20


def test_a_first_row_of_numbers_is_not_a_header():
    msg = error(b"\n".join(b"%d,%d" % (i, 2 * i) for i in range(12)))
    assert "The first row holds numbers (0, 0)" in msg and "Add a header row" in msg


def test_only_a_header():
    assert "header row but no data rows" in error(b"time,value\n")


@pytest.mark.parametrize("n, words", [(1, "only 1 data row;"), (5, "only 5 data rows;")])
def test_too_few_rows_for_a_sequence(n, words):
    msg = error(csv_bytes(good_rows(n)))
    assert words in msg and "at least 10 rows" in msg


def test_no_numeric_column():
    rows = [(f"d{i}", "x") for i in range(12)]
    msg = error(csv_bytes(rows, header="day,sky"))
    assert "No column holds only numbers (columns: day, sky" in msg and "'d0' in row 2" in msg


def test_text_inside_a_chosen_numeric_column_names_column_row_and_value():
    rows = good_rows()
    rows[4] = (rows[4][0], "twelve", rows[4][2], rows[4][3])
    raw = csv_bytes(rows)
    msg = choose_error(raw, ["temp"])
    assert "Column 'temp' has text where a number is expected: row 6 holds 'twelve'" in msg
    np.testing.assert_array_equal(select_columns(read_table(raw), ["wind"])[:, 0],
                                  [r[2] for r in rows])              # other columns stay usable


def test_a_text_column_cannot_be_chosen():
    msg = choose_error(csv_bytes(good_rows()), ["sky"])
    assert "Column 'sky' holds text (for example 'sun' in row 2), not numbers" in msg
    assert "temp, wind" in msg


@pytest.mark.parametrize("blank", ["", "NA", " nan "])
def test_missing_values_are_reported_never_filled(blank):
    rows = good_rows(14)
    for i in (2, 7, 8):
        rows[i] = (rows[i][0], rows[i][1], blank, rows[i][3])
    table = read_table(csv_bytes(rows))
    assert table.column("wind").numeric and table.column("wind").missing == 3
    assert np.isnan(table.column("wind").values[[2, 7, 8]]).all()
    msg = choose_error(csv_bytes(rows), ["temp", "wind"])
    assert "Column 'wind' has 3 missing values (rows 4, 9, 10)" in msg and "not filled in" in msg


def test_many_missing_rows_are_summarized():
    rows = [(i, "" if i % 2 else 1.0) for i in range(30)]
    msg = choose_error(csv_bytes(rows, header="t,v"), "v")
    assert "15 missing values (rows 3, 5, 7, 9, 11 and 10 more)" in msg


def test_an_empty_column_is_named():
    rows = [(i, "") for i in range(12)]
    assert "Column 'v' is empty" in choose_error(csv_bytes(rows, header="t,v"), ["v"])


def test_choosing_no_column_or_an_unknown_one():
    raw = csv_bytes(good_rows())
    assert "No column chosen" in choose_error(raw, []) and "'temp'" in choose_error(raw, [])
    msg = choose_error(raw, ["Temp "])
    assert "There is no column 'Temp ' in the file (did you mean 'temp'?)" in msg
    assert "day, temp, wind, sky" in msg
    assert "chosen twice" in choose_error(raw, ["temp", "temp"])


def test_a_row_with_the_wrong_number_of_cells():
    rows = good_rows()
    raw = csv_bytes(rows).replace(b"-2.85", b"-2,85")          # a decimal comma in a comma file
    msg = error(raw)
    assert "Row 6 has 5 cells but the header names 4 columns" in msg and "decimal comma" in msg


def test_a_column_named_twice():
    assert "names column 'v' twice (columns 2 and 3)" in error(csv_bytes(good_rows(), header="t,v,v,s"))


def test_infinite_values_count_as_text():
    rows = [(i, "inf" if i == 3 else i) for i in range(12)]
    assert "row 5 holds 'inf'" in choose_error(csv_bytes(rows, header="t,v"), ["v"])


def test_the_seattle_tables_ship_with_the_package():
    weather = load_vega("seattle-weather")
    assert len(weather) == 1461 and weather.numeric_names == ["precipitation", "temp_max",
                                                             "temp_min", "wind"]
    np.testing.assert_array_equal(select_columns(weather, ["precipitation", "temp_max"])[:2],
                                  [[0.0, 12.8], [10.9, 10.6]])
    assert len(load_vega("seattle-temps")) == 8759
    with pytest.raises(ValueError, match=r"name must be a table shipped with vega_datasets.*"
                                         r"'seattle-weather'.*got 'seattle'"):
        load_vega("seattle")


def test_core_reads_the_built_in_tables_without_pandas_or_plotting_libraries():
    code = ("import sys, numpy as np; from core.data import tables, tasks; from core.training import train; "
            "tasks.make_batch('weather', 10, 2, np.random.default_rng(0)); "
            "print(sorted(m for m in ('pandas', 'streamlit', 'plotly', 'altair', 'vega_datasets') "
            "if m in sys.modules))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
