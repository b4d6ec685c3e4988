"""What the shipped campaigns' sample-data generators (`<campaign>/data/_generate.py`) share:
files written byte-for-byte reproducibly, so that regenerating changes nothing."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl


def save_stable(wb: openpyxl.Workbook, path: Path) -> None:
    """Save an .xlsx byte-for-byte reproducibly (openpyxl stamps the current time)."""
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2023-01-01T00:00:00Z",
                    data,
                )
            dst.writestr(zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """A UTF-8 CSV file with `\\n` line ends: the header, then the rows."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, sheet: str, header: list[str], rows: list, widths: list[int]) -> None:
    """A one-sheet workbook: the header, the rows, and the columns' widths (A, B, …)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = width
    save_stable(wb, path)
