"""From uploaded bytes to CSV records: refuse what is not a text file, find the separator, and
check that every row has one cell per column.

Uploads go wrong in a few common ways: a picture or an Excel workbook renamed .csv, a file saved as
UTF-16 ("Unicode Text") or in an old code page, a European CSV separated by semicolons.
"""
import csv
import io

SAVE_AS = 'In your spreadsheet choose File > Save As > "CSV UTF-8 (comma delimited)" and upload that file.'

# The first bytes of file types that are not text, and what a person would call them.
MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook is one)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook",
}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(raw):
    """The text of ``raw`` (bytes), UTF-8 with or without a byte-order mark, or a ValueError."""
    raw = bytes(raw)
    for magic, what in MAGIC.items():
        if raw.startswith(magic):
            raise ValueError(f"This is {what}, not a CSV text file. {SAVE_AS}")
    if raw.startswith(UTF16_BOMS):
        raise ValueError(f"The file is saved as UTF-16 (\"Unicode Text\"), not UTF-8. {SAVE_AS}")
    if b"\x00" in raw[:65536]:
        raise ValueError(f"The file holds binary data (NUL bytes), not CSV text. {SAVE_AS}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ValueError(f"The file is not UTF-8 text: byte 0x{raw[e.start]:02X} on line {line} cannot "
                         "be read (older Excel versions save accented letters such as é in another "
                         f"encoding). {SAVE_AS}") from None


def delimiter(text):
    """Comma, unless the first non-blank line has more semicolons or tabs than commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)        # ties go to the comma: it comes first
    return best if counts[best] > 0 else ","


def records(text, sep, max_rows):
    """(header, data rows, their spreadsheet row numbers); blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header, data, rows = None, [], []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if len(record) != len(header):
                raise ValueError(
                    f"Row {reader.line_num} has {len(record)} cells but the header names "
                    f"{len(header)} columns. Every row needs one value per column: look for a stray "
                    f"{'comma' if sep == ',' else 'separator'} (a decimal comma such as 3,5 in a comma "
                    "file splits a number in two), or save the file again as CSV.")
            if len(data) == max_rows:
                raise ValueError(f"The file has more than {max_rows:,} data rows; the limit is "
                                 f"{max_rows:,}. Keep fewer rows (for example a shorter period).")
            data.append(record)
            rows.append(reader.line_num)
    except csv.Error as e:
        raise ValueError(f"Row {reader.line_num} could not be read as CSV ({e}). Open the file in a "
                         "spreadsheet and save it again as CSV UTF-8.") from None
    return header, data, rows
