"""Decide from an upload's content (never its name or reported mime) if it is acceptable and its pages."""
from __future__ import annotations

import io
import math
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

import filetype
import olefile
import pypdf

ACCEPTED_KINDS = ("pdf", "doc", "docx", "jpg", "png", "heic")
REASONS = ("unsupported_type", "too_large", "corrupt", "empty")
MIME_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_XML = 50 * 1024 * 1024  # uncompressed word/document.xml; more is a zip bomb
CHARS_PER_LINE = 90  # A4, 12 pt, normal margins
LINES_PER_PAGE = 46
DRAWING_LINES = LINES_PER_PAGE // 2  # an inline picture takes roughly half a page

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_HEVC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1"}  # generic HEIF, shared with AVIF
_W_NS = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
         "http://purl.oclc.org/ooxml/wordprocessingml/main"}  # Transitional and Strict OOXML
_MC_FALLBACK = "http://schemas.openxmlformats.org/markup-compatibility/2006 Fallback"
_PAGE_SECTIONS = {"nextPage", "oddPage", "evenPage"}


class RejectedFile(Exception):
    """An upload we cannot price: `reason` picks the customer message; `detail` is for logs, no file bytes."""

    def __init__(self, reason: str, detail: str = ""):
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Inspection:
    kind: str
    mime_type: str
    pages: int
    size: int
    pages_estimated: bool


def check_declared_size(size: int | None, max_bytes: int) -> None:
    """Refuse before downloading when Telegram's file_size is already over the limit; None means unknown."""
    if size is not None and size > max_bytes:
        raise RejectedFile("too_large", f"declared size {size} exceeds limit {max_bytes}")


def inspect_file(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Inspection:
    """Sniff the kind from the bytes, then count (PDF, images) or estimate (DOC, DOCX) pages."""
    if not data:
        raise RejectedFile("empty", "file has no content")
    if len(data) > max_bytes:
        raise RejectedFile("too_large", f"size {len(data)} exceeds limit {max_bytes}")
    kind = _sniff(data)
    if kind is None:
        raise RejectedFile("unsupported_type", "content is none of " + ", ".join(ACCEPTED_KINDS))
    pages = _COUNTERS[kind](data)
    return Inspection(kind, MIME_TYPES[kind], pages, len(data), kind in ("doc", "docx"))


def sniff_kind(data: bytes) -> str | None:
    """Kind by content alone; None for anything not accepted, including containers too broken to tell."""
    try:
        return _sniff(data)
    except RejectedFile:
        return None


def _sniff(data: bytes) -> str | None:
    """Like sniff_kind, but a ZIP/OLE2 container that cannot be opened raises corrupt, not None."""
    if filetype.get_type(ext="png").match(data):
        return "png"
    if filetype.get_type(ext="jpg").match(data):
        return "jpg"
    if _is_heif(data):
        return "heic"
    if filetype.get_type(ext="zip").match(data):
        # Only a ZIP that holds a Word main part is a DOCX; XLSX, APK, plain archives are not.
        with _open_zip(data) as zf:
            names = set(zf.namelist())
        return "docx" if {"word/document.xml", "[Content_Types].xml"} <= names else None
    if data.startswith(_OLE_MAGIC):
        # OLE2 is also XLS, PPT, MSI and encrypted OOXML; a Word file has a WordDocument stream.
        with _open_ole(data) as ole:
            if ole.exists("WordDocument"):
                return "doc"
            if ole.exists("EncryptedPackage"):
                raise RejectedFile("corrupt", "password-protected Office document")
        return None
    if data.find(b"%PDF-", 0, 1024) != -1:  # readers tolerate junk before the header
        return "pdf"
    return None


def _is_heif(data: bytes) -> bool:
    """ISO BMFF `ftyp` box with a HEVC brand, or a generic HEIF brand that is not AVIF."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    box = int.from_bytes(data[:4], "big")
    if box < 16 or box > len(data) or box % 4:
        return False
    brands = {data[8:12]} | {data[i:i + 4] for i in range(16, box, 4)}
    if brands & _HEVC_BRANDS:
        return True
    return data[8:12] in _HEIF_BRANDS and not brands & {b"avif", b"avis"}


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RejectedFile("corrupt", f"ZIP container unreadable: {type(exc).__name__}") from None


def _open_ole(data: bytes) -> olefile.OleFileIO:
    # Always a BytesIO: olefile treats bytes shorter than 1536 as a *path* to open.
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises many types on hostile input
        raise RejectedFile("corrupt", f"OLE2 container unreadable: {type(exc).__name__}") from None


def _pdf_pages(data: bytes) -> int:
    """Real page count. Truncated (no %%EOF in the last 1024 bytes, Acrobat's rule), unreadable,
    password-protected or page-less PDFs are corrupt: the center could not print them either."""
    if b"%%EOF" not in data[-1024:]:
        raise RejectedFile("corrupt", "PDF has no %%EOF trailer (truncated?)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = 0 if locked else len(reader.pages)
    except Exception as exc:  # pypdf raises many types on hostile input
        raise RejectedFile("corrupt", f"PDF unreadable: {type(exc).__name__}") from None
    if locked:
        raise RejectedFile("corrupt", "PDF needs a password")
    if pages < 1:
        raise RejectedFile("corrupt", "PDF has no pages")
    return pages


def _png_pages(data: bytes) -> int:
    """One page, once the signature is followed by a 13-byte IHDR chunk with a valid CRC and non-zero size."""
    if not (
        data.startswith(_PNG_MAGIC)
        and len(data) >= 33
        and data[8:16] == b"\x00\x00\x00\x0dIHDR"
        and struct.unpack(">I", data[29:33])[0] == zlib.crc32(data[12:29])
        and 0 not in struct.unpack(">II", data[16:24])
    ):
        raise RejectedFile("corrupt", "PNG header (IHDR) is malformed")
    return 1


def _jpeg_pages(data: bytes) -> int:
    """One page, once SOI is followed by a real segment marker whose length fits in the file."""
    if not (
        len(data) >= 6
        and data[:3] == b"\xff\xd8\xff"
        and 0xC0 <= data[3] <= 0xFE
        and not 0xD0 <= data[3] <= 0xD9  # RSTn/SOI/EOI cannot follow SOI
        and 2 <= int.from_bytes(data[4:6], "big") <= len(data) - 4
    ):
        raise RejectedFile("corrupt", "JPEG header is malformed")
    return 1


def _reconcile(estimate: int, word_pages: int | None, floor: int = 1) -> int:
    """Prefer the page count Word wrote when it is within 2x of our content estimate: Word did the
    real layout, we only guess. A count further off is more likely stale (edited by another tool)
    or forged, so the estimate wins. Never go under `floor` (hard page breaks + 1)."""
    if word_pages and estimate / 2 <= word_pages <= estimate * 2:
        return max(word_pages, floor)
    return max(estimate, floor)


def _docx_pages(data: bytes) -> int:
    """Estimate from word/document.xml content (never raw size: embedded media would inflate it),
    cross-checked against docProps/app.xml <Pages>, else Word's lastRenderedPageBreak marks."""
    try:
        with _open_zip(data) as zf:
            info = zf.getinfo("word/document.xml")
            # zipfile never yields more than the declared file_size, so this check is a real cap.
            if info.file_size > MAX_DOCUMENT_XML:
                raise RejectedFile("too_large", f"word/document.xml expands to {info.file_size} bytes")
            stats = _DocxStats()
            with zf.open(info) as fh:
                stats.feed(fh)
            word_pages = _app_pages(zf) or (stats.rendered_breaks + 1 if stats.rendered_breaks else None)
    except RejectedFile:
        raise
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError,
            OSError, EOFError, zlib.error, expat.ExpatError) as exc:
        raise RejectedFile("corrupt", f"DOCX unreadable: {type(exc).__name__}") from None
    return _reconcile(stats.pages(), word_pages, floor=stats.hard_pages)


def _app_pages(zf: zipfile.ZipFile) -> int | None:
    try:
        info = zf.getinfo("docProps/app.xml")
    except KeyError:
        return None
    if info.file_size > 1024 * 1024:
        return None
    found = re.search(rb"<(?:\w+:)?Pages>\s*(\d{1,6})\s*</", zf.read(info))
    pages = int(found.group(1)) if found else 0
    return pages or None


class _DocxStats:
    """Streams WordprocessingML through expat (no tree, DTDs refused) and tallies what drives the
    page count. Hard breaks (page breaks, page-starting section breaks, pageBreakBefore) close a
    segment; each segment is max(1, ceil(lines / LINES_PER_PAGE)) pages, which equals
    max(breaks + 1, ceil(lines / LINES_PER_PAGE)) for evenly filled documents and is closer otherwise.
    Lines: a paragraph is max(1, ceil(chars / CHARS_PER_LINE)) plus its manual line breaks; a table
    row is max(1, ceil(row chars / CHARS_PER_LINE)); a drawing is DRAWING_LINES."""

    def __init__(self):
        self.done_pages = 0  # pages in segments already closed by a hard break
        self.hard_pages = 1  # hard breaks + 1: no estimate may go below this
        self.lines = 0  # weighted lines in the open segment
        self.rendered_breaks = 0
        self._para_chars = self._para_extra = self._row_chars = 0
        self._p_depth = self._tbl_depth = self._skip = 0
        self._in_text = self._break_after_para = False
        self._section = None  # type of a paragraph-level sectPr being read
        self._stack: list[str] = []

    def feed(self, fh) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._refuse_dtd  # WordprocessingML never has one
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        parser.ParseFile(fh)

    def pages(self) -> int:
        return self.done_pages + max(1, math.ceil(self.lines / LINES_PER_PAGE))

    def _refuse_dtd(self, *_args) -> None:
        raise RejectedFile("corrupt", "word/document.xml declares a DTD")

    def _start(self, name: str, attrs: dict) -> None:
        if name == _MC_FALLBACK:  # Fallback repeats the mc:Choice content
            self._skip += 1
        if self._skip:
            return
        uri, _, tag = name.rpartition(" ")
        tag = tag if uri in _W_NS else ""
        parent = self._stack[-1] if self._stack else ""
        self._stack.append(tag)
        if tag == "p":
            self._p_depth += 1
            if self._p_depth == 1:
                self._para_chars = self._para_extra = 0
        elif tag == "t":
            self._in_text = True
        elif tag == "br":
            kind = _attr(attrs, "type")
            if kind == "page":
                self._page_break()
            elif kind in (None, "textWrapping") and not self._tbl_depth:
                self._para_extra += 1
        elif tag == "lastRenderedPageBreak":
            self.rendered_breaks += 1
        elif tag == "pageBreakBefore" and _attr(attrs, "val") not in ("0", "false", "off"):
            if self.lines and not self._tbl_depth:
                self._page_break()
        elif tag == "sectPr" and parent == "pPr":
            self._section = "nextPage"  # the default section type starts a new page
        elif tag == "type" and parent == "sectPr" and self._section:
            self._section = _attr(attrs, "val") or "nextPage"
        elif tag == "tbl":
            self._tbl_depth += 1
        elif tag == "tr" and self._tbl_depth == 1:
            self._row_chars = 0
        elif tag in ("drawing", "pict"):
            self.lines += DRAWING_LINES

    def _end(self, name: str) -> None:
        if self._skip:
            if name == _MC_FALLBACK:
                self._skip -= 1
            return
        tag = self._stack.pop()
        if tag == "t":
            self._in_text = False
        elif tag == "sectPr" and self._section:
            self._break_after_para = self._section in _PAGE_SECTIONS
            self._section = None
        elif tag == "p":
            self._p_depth -= 1
            if self._p_depth == 0 and not self._tbl_depth:
                self._flush_paragraph()
            if self._p_depth == 0 and self._break_after_para:
                self._break_after_para = False
                self._page_break()
        elif tag == "tr" and self._tbl_depth == 1:
            self.lines += max(1, math.ceil(self._row_chars / CHARS_PER_LINE))
        elif tag == "tbl":
            self._tbl_depth -= 1

    def _chars(self, text: str) -> None:
        if self._in_text and not self._skip:
            if self._tbl_depth:
                self._row_chars += len(text)
            else:
                self._para_chars += len(text)

    def _flush_paragraph(self) -> None:
        self.lines += max(1, math.ceil(self._para_chars / CHARS_PER_LINE)) + self._para_extra
        self._para_chars = self._para_extra = 0

    def _page_break(self) -> None:
        if self._para_chars or self._para_extra:  # text before a mid-paragraph break stays behind
            self._flush_paragraph()
        self.done_pages += max(1, math.ceil(self.lines / LINES_PER_PAGE))
        self.lines = 0
        self.hard_pages += 1


def _attr(attrs: dict, local: str) -> str | None:
    for key, value in attrs.items():
        if key.rpartition(" ")[2] == local:
            return value
    return None


def _doc_pages(data: bytes) -> int:
    """Binary Word: ccpText (main-text character count) sits at a fixed offset of the FIB, so a
    dense-text estimate costs nothing; it knows no paragraph structure and so leans low. The page
    count Word stored in SummaryInformation is the cross-check (see _reconcile); with neither, 1."""
    with _open_ole(data) as ole:
        try:
            fib = ole.openstream("WordDocument").read(0x50)
            stored = ole.get_metadata().num_pages
        except Exception as exc:  # olefile raises many types on hostile input
            raise RejectedFile("corrupt", f"DOC unreadable: {type(exc).__name__}") from None
    word_pages = stored if isinstance(stored, int) and stored > 0 else None
    if len(fib) < 0x50 or struct.unpack_from("<H", fib, 0)[0] != 0xA5EC:  # not Word 97+
        return word_pages or 1
    if struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100:  # fEncrypted
        raise RejectedFile("corrupt", "DOC needs a password")
    chars = max(0, struct.unpack_from("<i", fib, 0x4C)[0])
    estimate = max(1, math.ceil(chars / (CHARS_PER_LINE * LINES_PER_PAGE)))
    return _reconcile(estimate, word_pages)


_COUNTERS = {"pdf": _pdf_pages, "doc": _doc_pages, "docx": _docx_pages, "jpg": _jpeg_pages,
             "png": _png_pages, "heic": lambda _data: 1}  # _is_heif already checked the ftyp box
