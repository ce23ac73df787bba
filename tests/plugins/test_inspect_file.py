"""Content-based acceptance and page counting for uploaded documents; every fixture is built in code."""
import io
import random
import struct
import zipfile
import zlib

import pytest
from pypdf import PdfWriter

from wowdash_files.inspect_file import (
    ACCEPTED_KINDS,
    MAX_DOCUMENT_XML,
    Inspection,
    RejectedFile,
    check_declared_size,
    inspect_file,
    sniff_kind,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- fixture builders -------------------------------------------------------------------------------

def make_pdf(pages=3, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def para(text=""):
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def make_docx(body, *, app_pages=None, media=None, prolog=""):
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W}" xmlns:mc="{MC}"><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:type w:val="nextPage"/></w:sectPr>'
        "</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        zf.writestr("word/document.xml", document)
        if app_pages is not None:
            zf.writestr("docProps/app.xml", f"<Properties><Pages>{app_pages}</Pages></Properties>")
        if media is not None:
            zf.writestr("word/media/image1.png", media, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def png_bytes(width=1, height=1):
    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00\x00\x00" * width)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def ftyp(major, *compatible):
    brands = b"".join(compatible)
    box = struct.pack(">I", 16 + len(brands)) + b"ftyp" + major + b"\x00\x00\x00\x00" + brands
    return box + b"\x00\x00\x00\x08meta"


def make_ole(streams):
    """Minimal OLE2 (CFB v3) file: one FAT sector, one directory sector, streams padded to 4096 bytes
    so they live in regular sectors (no mini stream)."""
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat, data, entries = [fat_sect, end], b"", []
    for name, payload in streams.items():
        payload = payload.ljust(4096, b"\x00")
        start, count = len(fat), len(payload) // 512
        fat += [start + i + 1 for i in range(count - 1)] + [end]
        entries.append((name, 2, start, len(payload)))
        data += payload

    def entry(name, kind, start, size, right=nostream, child=nostream):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", nostream, right, child) + b"\x00" * 36
                + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, end, 0, child=1 if entries else nostream)
    for i, (name, kind, start, size) in enumerate(entries):
        right = i + 2 if i + 1 < len(entries) else nostream
        directory += entry(name, kind, start, size, right=right)
    directory = directory.ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_sector + directory + data


def word_fib(chars, encrypted=False):
    fib = bytearray(0x50)
    struct.pack_into("<H", fib, 0, 0xA5EC)
    struct.pack_into("<H", fib, 0x0A, 0x0100 if encrypted else 0)
    struct.pack_into("<i", fib, 0x4C, chars)
    return bytes(fib)


def summary_info(pages):
    """SummaryInformation property set holding only PIDSI_PAGECOUNT (14) as VT_I4."""
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    section = struct.pack("<IIII", 24, 1, 14, 16) + struct.pack("<Ii", 3, pages)
    return struct.pack("<HHI", 0xFFFE, 0, 0) + b"\x00" * 16 + struct.pack("<I", 1) + fmtid \
        + struct.pack("<I", 48) + section


def rejected(data, **kwargs):
    with pytest.raises(RejectedFile) as info:
        inspect_file(data, **kwargs)
    assert isinstance(info.value.detail, str) and info.value.detail
    return info.value.reason


# --- PDF ---------------------------------------------------------------------------------------------

def test_real_pdf_pages_are_counted():
    data = make_pdf(3)
    assert inspect_file(data) == Inspection("pdf", "application/pdf", 3, len(data), False)


def test_pdf_with_junk_before_header_is_still_pdf():
    assert inspect_file(b"\r\n" * 100 + make_pdf(2)).pages == 2


def test_pdf_named_jpg_is_still_pdf(tmp_path):
    path = tmp_path / "passport.jpg"
    path.write_bytes(make_pdf(3))
    assert inspect_file(path.read_bytes()).kind == "pdf"
    assert sniff_kind(path.read_bytes()) == "pdf"


@pytest.mark.parametrize("data", [
    b"%PDF-1." + random.Random(1).randbytes(4000),
    b"%PDF-1.7\n" + random.Random(2).randbytes(4000) + b"\n%%EOF\n",
    make_pdf(3)[:400],
])
def test_truncated_or_garbage_pdf_is_corrupt(data):
    assert sniff_kind(data) == "pdf"
    assert rejected(data) == "corrupt"


def test_password_pdf_is_corrupt_but_empty_user_password_opens():
    assert rejected(make_pdf(2, password="secret")) == "corrupt"
    assert inspect_file(make_pdf(2, password="")).pages == 2


def test_pdf_without_pages_is_corrupt():
    assert rejected(make_pdf(0)) == "corrupt"


# --- DOCX --------------------------------------------------------------------------------------------

def test_docx_explicit_page_breaks():
    body = PAGE_BREAK.join(para(f"Page {n}") for n in range(1, 5))
    r = inspect_file(make_docx(body))
    assert (r.kind, r.mime_type, r.pages, r.pages_estimated) == ("docx", DOCX_MIME, 4, True)


def test_long_docx_is_estimated_from_text():
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 7)[:500]
    data = make_docx(para(text) * 24)  # 12 000 characters, no breaks
    pages = inspect_file(data).pages
    assert 3 <= pages <= 5
    assert pages == 4  # 24 paragraphs x ceil(500 / 90) lines = 144 lines / 46 per page


def test_docx_size_inflated_by_media_is_one_page():
    image = random.Random(3).randbytes(3 * 1024 * 1024)
    data = make_docx('<w:p><w:r><w:t>See photo</w:t></w:r><w:r><w:drawing/></w:r></w:p>', media=image)
    assert len(data) > 3 * 1024 * 1024
    assert inspect_file(data).pages == 1


def test_docx_section_breaks():
    next_page = '<w:p><w:pPr><w:sectPr/></w:pPr><w:r><w:t>A</w:t></w:r></w:p>' + para("B")
    continuous = ('<w:p><w:pPr><w:sectPr><w:type w:val="continuous"/></w:sectPr></w:pPr>'
                  '<w:r><w:t>A</w:t></w:r></w:p>' + para("B"))
    before = para("A") + '<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>B</w:t></w:r></w:p>'
    assert inspect_file(make_docx(next_page)).pages == 2
    assert inspect_file(make_docx(continuous)).pages == 1
    assert inspect_file(make_docx(before)).pages == 2


def test_docx_table_rows_count_as_lines():
    row = f"<w:tr><w:tc>{para('name')}</w:tc><w:tc>{para('value')}</w:tc></w:tr>"
    rows = row * 100
    assert inspect_file(make_docx(f"<w:tbl>{rows}</w:tbl>")).pages == 3  # ceil(100 / 46)


def test_docx_fallback_content_is_not_counted_twice():
    box = para("x" * 90) * 40  # 40 lines
    body = (f"<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing/></mc:Choice>"
            f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>")
    assert inspect_file(make_docx(body)).pages == 1  # one drawing, the fallback copy ignored


def test_docx_app_pages_is_preferred_when_plausible():
    body = para("y" * 500) * 24  # content estimate: 4 pages
    assert inspect_file(make_docx(body, app_pages=6)).pages == 6
    assert inspect_file(make_docx(body, app_pages=40)).pages == 4  # implausible: ignored
    breaks = PAGE_BREAK.join([para()] * 4)
    assert inspect_file(make_docx(breaks, app_pages=2)).pages == 4  # hard breaks are a floor


def test_docx_last_rendered_page_breaks_are_a_hint():
    rendered = '<w:p><w:r><w:lastRenderedPageBreak/><w:t>z</w:t></w:r></w:p>'
    body = para("y" * 500) * 24 + rendered * 4
    assert inspect_file(make_docx(body)).pages == 5


def test_docx_zip_bomb_is_refused_without_inflating():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * MAX_DOCUMENT_XML + b"</w:document>")
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    assert rejected(data) == "too_large"


def test_docx_with_dtd_is_refused():
    bomb = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    assert rejected(make_docx(para("&b;"), prolog=bomb)) == "corrupt"


def test_docx_with_broken_xml_or_zip_is_corrupt():
    assert rejected(make_docx("<w:p><w:r>")) == "corrupt"
    assert rejected(make_docx(para("ok"))[:200]) == "corrupt"


# --- DOC ---------------------------------------------------------------------------------------------

def test_doc_estimate_from_text_length_and_summary_pages():
    text_only = make_ole({"WordDocument": word_fib(20_000)})
    assert inspect_file(text_only) == Inspection("doc", "application/msword", 5, len(text_only), True)
    with_summary = make_ole({"WordDocument": word_fib(20_000), "\x05SummaryInformation": summary_info(7)})
    assert inspect_file(with_summary).pages == 7
    implausible = make_ole({"WordDocument": word_fib(20_000), "\x05SummaryInformation": summary_info(90)})
    assert inspect_file(implausible).pages == 5


def test_doc_problems():
    assert rejected(make_ole({"WordDocument": word_fib(100, encrypted=True)})) == "corrupt"
    assert rejected(make_ole({"Workbook": b"xls"})) == "unsupported_type"
    assert rejected(make_ole({"EncryptedPackage": b"docx"})) == "corrupt"
    assert rejected(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(4).randbytes(3000)) == "corrupt"


# --- images ------------------------------------------------------------------------------------------

def test_png_and_jpeg_are_one_page():
    assert inspect_file(png_bytes(40, 30)) == Inspection("png", "image/png", 1, len(png_bytes(40, 30)), False)
    assert inspect_file(JPEG) == Inspection("jpg", "image/jpeg", 1, len(JPEG), False)


def test_malformed_image_headers_are_corrupt():
    bad_crc = bytearray(png_bytes())
    bad_crc[30] ^= 0xFF
    assert rejected(bytes(bad_crc)) == "corrupt"
    assert rejected(png_bytes(0, 5)) == "corrupt"
    assert rejected(b"\x89PNG\r\n\x1a\n" + b"garbage!" * 10) == "corrupt"
    assert rejected(b"\xff\xd8\xff\x00\x00\x00garbage") == "corrupt"
    assert rejected(b"\xff\xd8\xff\xe0\x7f\xffshort") == "corrupt"


@pytest.mark.parametrize("header", [
    ftyp(b"heic", b"mif1", b"heic"),
    ftyp(b"mif1", b"mif1", b"heic"),
    ftyp(b"heix"),
    ftyp(b"msf1", b"msf1"),
])
def test_heic_is_recognised(header):
    assert sniff_kind(header) == "heic"
    assert inspect_file(header) == Inspection("heic", "image/heic", 1, len(header), False)


# --- unsupported, size, empty ------------------------------------------------------------------------

def other_zip(name):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(name, "hello")
        zf.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100,  # Windows .exe
    random.Random(5).randbytes(5000),
    "Здравствуйте, прошу перевести паспорт".encode(),
    other_zip("xl/workbook.xml"),
    other_zip("notes.txt"),
    ftyp(b"avif", b"mif1", b"avif"),
    ftyp(b"isom", b"mp41"),
])
def test_unsupported_content(data):
    assert sniff_kind(data) is None
    assert rejected(data) == "unsupported_type"


def test_too_large_and_empty():
    data = make_pdf(1)
    assert inspect_file(data, max_bytes=len(data)).pages == 1
    assert rejected(data, max_bytes=len(data) - 1) == "too_large"
    assert rejected(b"") == "empty"


def test_check_declared_size():
    check_declared_size(None, 100)
    check_declared_size(100, 100)
    with pytest.raises(RejectedFile) as info:
        check_declared_size(21 * 1024 * 1024, 20 * 1024 * 1024)
    assert info.value.reason == "too_large"


def test_rejection_reason_is_validated_and_detail_has_no_content():
    with pytest.raises(ValueError):
        RejectedFile("nope")
    secret = b"%PDF-1.4 CUSTOMER-SECRET " + b"x" * 2000
    with pytest.raises(RejectedFile) as info:
        inspect_file(secret)
    assert "SECRET" not in info.value.detail and "SECRET" not in str(info.value)
    assert ACCEPTED_KINDS == ("pdf", "doc", "docx", "jpg", "png", "heic")
