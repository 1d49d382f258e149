"""A small streaming XLSX writer, for the annual register (issue 8, point 4).

openpyxl builds a cell object per value, even in write-only mode: about a millisecond per row
of 13 cells on the target machine, so a year of 100,000 complaints took over 90 seconds against
a target of 10. This writer streams each sheet's XML straight into the zip file: text as inline
strings, whole numbers as numbers, dates as date-formatted serial numbers, and a frozen header
row. It writes the minimal parts of an Office Open XML workbook (ECMA-376), which Excel,
LibreOffice and openpyxl read.

It does not neutralise formulas: callers pass text through ``reporting.exports.neutralise``
first (no cell is ever written as a formula here, but a spreadsheet may still read a text
starting with "=" as one when it is edited).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import BinaryIO

# Excel's day 0 for dates after February 1900 (its 1900 leap-year quirk).
EPOCH = date(1899, 12, 30)

OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
    "{{sheets}}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '{sheets}<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'
)
SHEET_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
)
# Style 0: general; style 1: a date (built-in format 14); style 2: bold (the header row).
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{views}<sheetData>"
)
FROZEN_HEADER = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
)
SHEET_END = "</sheetData></worksheet>"


# One pass in C: escape what XML needs escaped, drop what XML 1.0 does not allow.
TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: None for c in range(32) if c not in (9, 10, 13)}}
)
CACHE_LIMIT = 20_000  # distinct repeated values (labels, names, dates) kept as ready XML


def _text(value: str) -> str:
    return value.translate(TEXT).replace("\ufffe", "").replace("\uffff", "")


class _Cells:
    """Turns one row of values into its XML. Repeated values (labels, department and theme
    names, dates, small numbers) are turned into XML once."""

    def __init__(self):
        self.cache: dict = {}

    def cell(self, value) -> str:
        kind = type(value)
        if value is None or value == "":
            return "<c/>"
        if kind is str:
            return f'<c t="inlineStr"><is><t>{_text(value)}</t></is></c>'
        if kind is bool:
            return f'<c t="b"><v>{int(value)}</v></c>'
        if kind is int or kind is float:
            return f"<c><v>{value}</v></c>"
        if kind is datetime:
            value = value.date()
            kind = date
        if kind is date:
            return f'<c s="1"><v>{(value - EPOCH).days}</v></c>'
        return f'<c t="inlineStr"><is><t>{_text(str(value))}</t></is></c>'

    def row(self, values: Iterable, style: str = "") -> str:
        if style:  # the header row: bold text
            return (
                "<row>"
                + "".join(
                    f'<c t="inlineStr"{style}><is><t>{_text(str(v))}</t></is></c>' for v in values
                )
                + "</row>"
            )
        cache = self.cache
        cells = []
        for value in values:
            key = (type(value), value)
            cell = cache.get(key)
            if cell is None:
                cell = self.cell(value)
                if len(cache) < CACHE_LIMIT:
                    cache[key] = cell
            cells.append(cell)
        return "<row>" + "".join(cells) + "</row>"


class XlsxWriter:
    """``with XlsxWriter(out) as book: book.sheet("Name", rows, header=True)``. Sheets are
    written one after the other, each streamed."""

    def __init__(self, out: BinaryIO):
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.names: list[str] = []
        self.cells = _Cells()

    def sheet(self, name: str, rows: Iterable[Iterable], *, header: bool = False) -> None:
        """Write one sheet; with ``header`` the first row is bold and stays in view."""
        self.names.append(name[:31])  # Excel's limit on sheet names
        n = len(self.names)
        with self.zip.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
            part.write(SHEET_START.format(views=FROZEN_HEADER if header else "").encode())
            buffer: list[str] = []
            for index, row in enumerate(rows):
                style = ' s="2"' if header and index == 0 else ""
                buffer.append(self.cells.row(row, style))
                if len(buffer) >= 1000:
                    part.write("".join(buffer).encode())
                    buffer.clear()
            part.write(("".join(buffer) + SHEET_END).encode())

    def close(self) -> None:
        count = range(1, len(self.names) + 1)
        self.zip.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=n) for n in count)),
        )
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        sheets = "".join(
            f'<sheet name="{_text(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(count, self.names, strict=True)
        )
        self.zip.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheets))
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(sheets="".join(SHEET_REL.format(n=n) for n in count)),
        )
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
