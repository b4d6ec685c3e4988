"""Open an .xlsx or .csv as a header and a stream of rows, with the sheet name for locations.

The header is the first row (among the first few) that names a known column, so a title row
above it (“××局问题清单”) is skipped; rows keep their real sheet row numbers and columns their
real letters, wherever the data starts. Refused with a Chinese message (`FileRefused`): missing,
empty, wrong kind (.xls renamed, binary, neither UTF-8 nor GBK), damaged, too large (inflated
size, rows) and workbooks without the expected sheet.
"""

from __future__ import annotations

import csv
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..errors import CampaignflowError
from ..spec.tables import sheet_rows
from ..textfiles import decode
from .cells import as_text, header_text

MAX_ROWS = 1_000_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # an .xlsx that inflates beyond this is refused (zip bomb)
HEADER_SEARCH = 10  # rows looked at for the header (title rows above it are skipped)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc (OLE compound file)
UNCACHED_FORMULA = "公式没有计算结果，请在 Excel 中打开并保存后再导入"


class FileRefused(CampaignflowError, ValueError):
    """The file cannot be read as a table (wrong kind, damaged, empty, too large)."""


@dataclass
class Table:
    """A sheet: its name, header cells and an iterator of (1-based row number, cells).

    `cells[i]` is column i (0 = A) whatever column the data starts in.
    """

    sheet: str
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    total_rows: int | None  # rows after the header, when known up front (CSV: an estimate)
    merged: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), 0-based
    header_row: int = 1  # 1-based
    # formula cells saved without a computed value (openpyxl, scripts): row -> 0-based columns
    uncached: dict[int, set[int]] = field(default_factory=dict)


def open_table(path: Path, sheet_names: list[str], labels: Collection[str] | None = None) -> Table:
    """The first of `sheet_names` found in the workbook (or its only visible sheet); a CSV is one
    sheet. `labels` (header texts, compared with `header_text`) find the header row."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"找不到文件 {path}")
    if path.stat().st_size == 0:
        raise FileRefused(f"{path.name} 是空文件")
    known = {header_text(label) for label in labels or ()}
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_table(path, known)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path, sheet_names, known)
    if suffix == ".xls":
        raise FileRefused(f"{path.name} 是旧版 .xls 格式：请在 Excel/WPS 中“另存为 .xlsx”后再导入")
    raise FileRefused(f"{path.name}：只支持 .xlsx 和 .csv 文件")


def _find_header(
    rows: Iterator[tuple[int, list[Any]]], known: set[str]
) -> tuple[int, list[Any], Iterator[tuple[int, list[Any]]]] | None:
    """(header row number, header cells, the rows after it); None when there is no content.

    The header is the row naming the most known columns among the first `HEADER_SEARCH` rows
    (the earliest on a tie); when none names any, the first non-empty row (its mapping then
    fails with a message listing the expected columns).
    """
    looked = list(itertools.islice(rows, HEADER_SEARCH))
    scores = [sum(header_text(c) in known for c in cells) for _, cells in looked]
    if known and any(scores):
        index = scores.index(max(scores))
    else:
        index = next(
            (i for i, (_, cells) in enumerate(looked) if any(as_text(c) for c in cells)), -1
        )
        if index < 0:
            return None
    number, cells = looked[index]
    return number, cells, itertools.chain(looked[index + 1 :], rows)


# ---------------------------------------------------------------- CSV


def _csv_table(path: Path, known: set[str]) -> Table:
    size = path.stat().st_size
    if size > MAX_UNCOMPRESSED:
        raise FileRefused(
            f"{path.name} 有 {size // 1024 // 1024} MB，超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB 的上限：请拆分后再导入"
        )
    raw = path.read_bytes()
    if raw.startswith(OLE_MAGIC) or raw.startswith(b"PK\x03\x04"):
        raise FileRefused(
            f"{path.name} 不是 CSV 文本，而是 Excel 工作簿：请把扩展名改为 .xlsx（或在 Excel 中另存为 CSV）"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            f"{path.name} 是 UTF-16（“Unicode 文本”）编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
        )
    try:
        text = decode(raw)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{path.name} 不是 UTF-8 或 GBK 编码的文本（第 {exc.start + 1} 个字节无法识别）："
            "请用 Excel 另存为“CSV UTF-8（逗号分隔）”"
        ) from None
    del raw
    if "\x00" in text[:4096]:
        raise FileRefused(f"{path.name} 不是文本 CSV 文件（含二进制内容）")
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > MAX_ROWS:
        raise FileRefused(
            f"{path.name} 有 {lines:,} 行，超过单个文件 {MAX_ROWS:,} 行的上限：请拆分后再导入"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    found = _find_header(((i, row) for i, row in enumerate(reader, start=1)), known)
    if found is None or not any(as_text(h) for h in found[1]):
        raise FileRefused(f"{path.name} 没有表头行（文件中只有空行）")
    number, header, rows = found
    return Table(path.stem, header, rows, max(lines - number, 0), [], header_row=number)


# ---------------------------------------------------------------- xlsx


def _xlsx_table(path: Path, sheet_names: list[str], known: set[str]) -> Table:
    from python_calamine import CalamineWorkbook

    part = _check_zip(path, sheet_names)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's input
        raise FileRefused(
            f"{path.name} 无法作为 .xlsx 打开（文件可能已损坏或不是 Excel 文件）：{exc}"
        ) from None
    chosen = choose_sheet(path, workbook, sheet_names)
    try:
        sheet = workbook.get_sheet_by_name(chosen)
    except Exception as exc:  # noqa: BLE001
        raise FileRefused(f"{path.name}!{chosen} 无法读取（文件可能已损坏）：{exc}") from None
    end = sheet.end
    last_row = end[0] + 1 if end else 0  # 1-based number of the last row with content
    if last_row > MAX_ROWS:
        raise FileRefused(
            f"{path.name}!{chosen} 有 {last_row:,} 行，超过单个文件 {MAX_ROWS:,} 行的上限：请拆分后再导入"
        )
    found = _find_header(enumerate(sheet_rows(sheet), start=1), known)
    if found is None or not any(as_text(h) for h in found[1]):
        raise FileRefused(f"{path.name}!{chosen} 是空表：第一行应为表头")
    number, header, rows = found
    merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    uncached = _uncached_formulas(path, part(chosen)) if part else {}
    return Table(
        chosen,
        list(header),
        rows,
        max(last_row - number, 0),
        merged,
        header_row=number,
        uncached=uncached,
    )


def choose_sheet(path: Path, workbook: Any, sheet_names: list[str]) -> str:
    """The first of `sheet_names` in the workbook, else its only visible sheet, else refused."""
    names = workbook.sheet_names
    chosen = next((n for n in sheet_names if n in names), None)
    if chosen is not None:
        return chosen
    from python_calamine import SheetVisibleEnum

    hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    visible = [n for n in names if not n.startswith("_") and n not in hidden]
    if len(visible) == 1:
        return visible[0]
    wanted = "”或“".join(sheet_names)
    raise FileRefused(
        f"{path.name} 中没有名为“{wanted}”的工作表（现有：{'、'.join(visible or names)}）："
        f"请把要导入的工作表改名为“{sheet_names[0]}”"
    )


def _check_zip(path: Path, sheet_names: list[str]):
    """Refuse non-zip files and zip bombs; return `part(sheet) -> member name of its XML`."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == OLE_MAGIC:
        raise FileRefused(
            f"{path.name} 实际是旧版 .xls 文件（只是扩展名改成了 .xlsx）：请在 Excel/WPS 中打开并“另存为 .xlsx”"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            inflated = sum(info.file_size for info in infos)
            if inflated > MAX_UNCOMPRESSED:
                raise FileRefused(
                    f"{path.name} 解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB，拒绝导入"
                    "（文件异常或过大：请删除无关工作表、图片后再导入）"
                )
            parts = _sheet_parts(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise FileRefused(
            f"{path.name} 不是有效的 .xlsx 文件（可能是改了扩展名的 .xls 或其他文件，或已损坏）："
            "请在 Excel/WPS 中另存为 .xlsx"
        ) from None
    return parts.get if parts else None


_LOCAL = re.compile(r"^\{[^}]*\}")


def _local(tag: str) -> str:
    return _LOCAL.sub("", tag)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> member name of its XML part (best effort: {} when unusual)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(member)
    parts = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        if element.get("name") and rid in targets:
            parts[element.get("name")] = targets[rid]
    return parts


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _uncached_formulas(path: Path, member: str | None) -> dict[int, set[int]]:
    """Formula cells without a cached value (`<c><f>…</f></c>`, no or empty `<v>`): row -> columns.

    Calamine reads cached values only, so such a cell looks empty. The XML is scanned for a
    formula tag first (fast); only sheets with formulas are parsed.
    """
    if member is None:
        return {}
    found: dict[int, set[int]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(member) as stream:
                if not _has_formula(stream):
                    return {}
            with archive.open(member) as stream:
                _scan_formula_cells(stream, found)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return found
    return found


def _scan_formula_cells(stream: Any, found: dict[int, set[int]]) -> None:
    """Add each formula cell of the sheet XML `stream` without a cached value to `found`."""
    names: dict[str, str] = {}  # tag -> local name (a sheet has a handful of distinct tags)

    def local(tag: str) -> str:
        name = names.get(tag)
        if name is None:
            name = names[tag] = _local(tag)
        return name

    for _event, element in ElementTree.iterparse(stream, events=("end",)):
        name = names.get(element.tag) or local(element.tag)
        if name != "c":
            if name == "row":
                element.clear()
            continue
        formula = False
        value = None
        for child in element:
            child_name = names.get(child.tag) or local(child.tag)
            if child_name == "f":
                formula = True
            elif child_name == "v":
                value = child
        if not formula:
            continue
        # openpyxl writes <v></v>; an empty text result is cached as t="str"
        if value is None or (not value.text and element.get("t") != "str"):
            match = _CELL_REF.match(element.get("r") or "")
            if match:
                found.setdefault(int(match.group(2)), set()).add(_column_index(match.group(1)))


def _has_formula(stream: Any) -> bool:
    """Whether the XML stream has a formula tag (`<f>`, `<f …/>`, `<x:f>`), read in chunks.

    Tag names in sheet XML hardly contain a lowercase "f", so each "f" is found with a byte
    search (memchr) and the tag around it checked; a chunk with many of them (inline text)
    is searched with the regular expression instead. The last bytes of each chunk are kept
    for a tag cut in two.
    """
    tail = b""
    while chunk := stream.read(_CHUNK):
        buffer = tail + chunk if tail else chunk
        if _formula_in(buffer):
            return True
        tail = chunk[-_TAIL:]
    return False


_CHUNK = 1 << 20
_TAIL = 256  # a formula tag with a namespace prefix up to this long is found across chunks
_MAX_HITS = 64  # "f" bytes checked one by one per chunk before searching it with the regex
_AFTER_F = frozenset(b" \t\n\r\f\v>/")  # `[\s>/]` of `_FORMULA_TAG`


def _formula_in(buffer: bytes) -> bool:
    """Whether `buffer` has a match of `_FORMULA_TAG` (same answer, usually much faster)."""
    find = buffer.find
    at = find(b"f")
    hits = 0
    while at >= 0:
        hits += 1
        if hits > _MAX_HITS:
            return _FORMULA_TAG.search(buffer, max(at - _TAIL, 0)) is not None
        if at > 0 and buffer[at + 1 : at + 2] and buffer[at + 1] in _AFTER_F:
            before = buffer[at - 1]
            if before == 0x3C:  # "<f"
                return True
            if before == 0x3A:  # ":f": the whole tag from its "<" is checked
                start = buffer.rfind(b"<", max(at - _TAIL, 0), at)
                match = _FORMULA_TAG.match(buffer, start) if start >= 0 else None
                if match and match.end() == at + 2:
                    return True
        at = find(b"f", at + 1)
    return False


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1
