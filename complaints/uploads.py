"""Files from outside: validated by their content, never by their name.

``clean_upload`` reads an uploaded file, decides its type from its bytes and a parser, and
returns a ``CleanFile`` that is safe to store: images re-encoded (metadata and anything
appended dropped), PDFs and Word documents parsed and refused when they carry active content.
Anything else is refused with a message that names the file.

``MultipleFileField`` is the form field for several files at once (the public form), and
``attachment_response`` serves a stored file as a download that a browser will not render.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from defusedxml import ElementTree as SafeXML
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

if TYPE_CHECKING:
    from complaints.models import Attachment

R = TypeVar("R", bound=HttpResponseBase)

ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# What the file picker offers; the content decides in the end.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx"
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png", "docx": "docx"}
KIND_LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG", "docx": "Word (docx)"}

MAX_NAME_LENGTH = 100
# A 50-megapixel photo is about the largest a phone makes; decoded it is 150-200 MB.
MAX_PIXELS = 50_000_000
# A Word file of 10 MB unpacks to a few times that; far more is a zip bomb.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100  # per member above 1 MB: text compresses ~10x, zeros ~1000x
MAX_MEMBERS = 2000
MAX_XML = 20 * 1024 * 1024
MAX_PDF_OBJECTS = 2_000_000  # dictionaries, arrays and references walked

# The "this is a real file" bytes at the start of each allowed type.
MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"PK\x03\x04", "docx"),
)

EMPTY = _("“%(name)s” is empty. Choose a file with content.")
TOO_BIG = _("“%(name)s” is larger than %(limit)s MB. A file can be at most %(limit)s MB.")
NOT_ALLOWED = _(
    "“%(name)s” is not a PDF, JPG, PNG or Word (docx) file. "
    "You can add only these types, of at most %(limit)s MB each."
)
MISMATCH = _(
    "“%(name)s” is a %(kind)s file, but its name does not end in .%(extension)s. "
    "Give the file the right name, or choose another file."
)
DAMAGED = _("“%(name)s” is damaged or incomplete and cannot be opened. Choose another file.")
IMAGE_TOO_LARGE = _(
    "“%(name)s” is an image of more than %(megapixels)s megapixels. "
    "Make the image smaller and try again."
)
PASSWORD = _("“%(name)s” is protected with a password. Add a copy without a password.")
PDF_ACTIVE = _(
    "“%(name)s” contains scripts, attached files or other active content. "
    "Save or print it as a plain PDF and try again."
)
POLYGLOT = _(
    "“%(name)s” is a PDF that also contains another kind of file. "
    "Save or print it as a plain PDF and try again."
)
WORD_ACTIVE = _(
    "“%(name)s” contains macros or other parts that are not allowed in a Word document. "
    "Save it as a normal Word document (.docx) and try again."
)
WORD_EXTERNAL = _(
    "“%(name)s” loads content from outside the document, for example a template from the "
    "internet. Save it as a normal Word document (.docx) and try again."
)
UNPACKS_TOO_BIG = _("“%(name)s” unpacks to far too much data. Choose another file.")
TOO_MANY = _("You can add at most %(limit)s files. You chose %(count)s.")


@dataclass(frozen=True)
class CleanFile:
    name: str  # a display name, safe to show: no path, no control characters
    content: bytes  # what is stored (re-encoded for images)
    content_type: str  # from ALLOWED, decided by the content
    extension: str  # a key of ALLOWED

    @property
    def size(self) -> int:
        return len(self.content)


class _Refused(Exception):
    """A check failed; ``clean_upload`` turns it into a ValidationError naming the file."""

    def __init__(self, message, code: str, **params):
        super().__init__(code)
        self.message, self.code, self.params = message, code, params


def clean_upload(upload: UploadedFile) -> CleanFile:
    """The checked file, or ``ValidationError`` with a message that names the file."""
    name = display_name(upload.name)
    limit_mb = settings.PUBLIC_MAX_FILE_SIZE // (1024 * 1024)
    try:
        content = _read(upload)
        kind = _sniff(content)
        extension = EXTENSIONS.get(name.rpartition(".")[2].lower()) if "." in name else None
        if kind is None or extension is None:
            raise _Refused(NOT_ALLOWED, "type")
        if kind != extension:
            raise _Refused(MISMATCH, "mismatch", kind=KIND_LABELS[kind], extension=kind)
        content = CHECKS[kind](content)
    except _Refused as refused:
        params = {"name": name, "limit": limit_mb, **refused.params}
        raise ValidationError(refused.message, code=refused.code, params=params) from None
    return CleanFile(name=name, content=content, content_type=ALLOWED[kind], extension=kind)


def display_name(raw: str | None) -> str:
    """The last part of the name only, without control or invisible characters (a
    right-to-left override can make "gpj.exe" look like "exe.jpg"), NFC, at most 100
    characters with the extension kept; never empty."""
    name = (raw or "").replace("\\", "/").rpartition("/")[2]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).rstrip(". ")  # Windows drops trailing dots and spaces
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            name = f"{stem[: MAX_NAME_LENGTH - len(suffix) - 1].rstrip()}.{suffix}"
        else:
            name = name[:MAX_NAME_LENGTH]
    fallback = gettext("file")
    if not name:
        return fallback
    if name.startswith("."):  # ".pdf" or "..pdf": no hidden files, keep the extension
        return fallback + name
    return name


def _read(upload: UploadedFile) -> bytes:
    limit = settings.PUBLIC_MAX_FILE_SIZE
    if upload.size is not None and upload.size > limit:
        raise _Refused(TOO_BIG, "too_big")  # before reading anything
    upload.seek(0)
    content = upload.read(limit + 1)
    if not content:
        raise _Refused(EMPTY, "empty")
    if len(content) > limit:  # the size the client sent was wrong
        raise _Refused(TOO_BIG, "too_big")
    return content


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC if content.startswith(magic)), None)


# ---------------------------------------------------------------------------
# Images: decoded and encoded again, so only pixels survive
# ---------------------------------------------------------------------------
def _clean_image(content: bytes, *, pillow_format: str) -> bytes:
    try:
        with warnings.catch_warnings():
            # Above Pillow's own pixel limit it warns; for us that is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content), formats=[pillow_format]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _Refused(
                        IMAGE_TOO_LARGE, "image_too_large", megapixels=MAX_PIXELS // 10**6
                    )
                probe.verify()  # checksums and structure; the object is unusable afterwards
            if not _complete(content, pillow_format):
                raise _Refused(DAMAGED, "damaged")
            with Image.open(BytesIO(content), formats=[pillow_format]) as image:
                previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
                try:
                    image.load()  # a damaged file fails here
                finally:
                    ImageFile.LOAD_TRUNCATED_IMAGES = previous
                ImageOps.exif_transpose(image, in_place=True)  # upright, as the phone meant
                return _encode(image, pillow_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refused(IMAGE_TOO_LARGE, "image_too_large", megapixels=MAX_PIXELS // 10**6) from None
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - a decoder fed hostile bytes can fail in any way
        raise _Refused(DAMAGED, "damaged") from None


def _complete(content: bytes, pillow_format: str) -> bool:
    """Whether the image has its end marker. Pillow's own check cannot be relied on:
    WeasyPrint sets the process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES`` when it is imported,
    after which Pillow fills a cut-off image with grey instead of failing."""
    if pillow_format == "JPEG":
        return b"\xff\xd9" in content[2:]  # EOI (anything appended after it is dropped)
    if pillow_format == "PNG":
        return b"IEND" in content[8:]
    return True


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    transparency = image.info.get("transparency")
    # Pillow writes some metadata of the source again (a JPEG comment, an ICC profile)
    # unless the info is emptied; EXIF and PNG text are written only when asked for.
    image.info = {}
    if pillow_format == "JPEG":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        options = {"quality": 90}
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        options = {}
        if transparency is not None and image.mode in ("1", "L", "P", "RGB"):
            options["transparency"] = transparency
    out = BytesIO()
    image.save(out, format=pillow_format, **options)
    return out.getvalue()


# ---------------------------------------------------------------------------
# PDF: parsed; no encryption, no actions, no attached files, no second file type
# ---------------------------------------------------------------------------
# Dictionary keys that only exist to run or carry something.
PDF_ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia",
     "/XFA", "/AA"}
)  # fmt: skip
# Names as values: action types (/S) and object types (/Type, /Subtype).
PDF_ACTIVE_VALUES = frozenset(
    {"/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia", "/RichMediaExecute",
     "/FileAttachment", "/GoToE", "/GoToR", "/ImportData"}
)  # fmt: skip
# The backstop over the raw bytes, for what the parser did not reach (old revisions,
# objects outside the tree). Names may hide letters as #xx escapes.
PDF_RAW_NAMES = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA",
     b"AA"}
)  # fmt: skip
PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})(?=[\s()<>\[\]{}/%]|\Z)")
HTML_START = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object)\b", re.I)


def _check_pdf(content: bytes) -> bytes:
    head = content[:1024]
    if HTML_START.search(head) or zipfile.is_zipfile(BytesIO(content)):
        raise _Refused(POLYGLOT, "polyglot")
    try:
        reader = PdfReader(BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _Refused(PASSWORD, "encrypted")
        if len(reader.pages) < 1:
            raise _Refused(DAMAGED, "damaged")
        active = _pdf_has_active_content(reader)
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - a parser fed hostile bytes can fail in any way
        raise _Refused(DAMAGED, "damaged") from None
    if active or _pdf_raw_has_active_names(content):
        raise _Refused(PDF_ACTIVE, "active")
    return content


def _pdf_has_active_content(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (catalog, pages, annotations, forms,
    name trees), following references once each. Stream contents are not decoded."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    steps = 0
    while stack:
        steps += 1
        if steps > MAX_PDF_OBJECTS:
            raise _Refused(DAMAGED, "damaged")
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):  # streams too
            for key, value in dict.items(node):
                if key in PDF_ACTIVE_KEYS:
                    return True
                if key == "/OpenAction" and not _is_navigation(value.get_object()):
                    return True
                if _pdf_value_is_active(value, stack):
                    return True
        elif isinstance(node, ArrayObject) and any(
            _pdf_value_is_active(value, stack) for value in node
        ):
            return True
    return False


def _pdf_value_is_active(value, stack: list) -> bool:
    """True for an action or object type that runs or carries something; containers and
    references go on the stack (numbers and strings are left alone: they are most objects)."""
    if isinstance(value, NameObject):
        return value in PDF_ACTIVE_VALUES
    if isinstance(value, IndirectObject | DictionaryObject | ArrayObject):
        stack.append(value)
    return False


def _is_navigation(action) -> bool:
    """An /OpenAction that only opens a page: a destination, or a GoTo action."""
    if isinstance(action, ArrayObject):
        return True
    if not isinstance(action, DictionaryObject):
        return False
    return action.get("/S") == "/GoTo" and set(action) <= {"/S", "/D", "/Type"}


def _pdf_raw_has_active_names(content: bytes) -> bool:
    for match in PDF_NAME.finditer(content):
        name = match.group(1)
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        if name in PDF_RAW_NAMES:
            return True
    return False


# ---------------------------------------------------------------------------
# Word (docx): a zip of XML parts; checked, stored unchanged
# ---------------------------------------------------------------------------
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Macros (docm), ActiveX controls and OLE objects (which can carry a program).
WORD_ACTIVE_PARTS = re.compile(
    r"(vbaProject|vbaData|/activeX/|oleObject|\.(bin|exe|dll|js|vbs|ps1|bat|cmd)$)", re.I
)
WORD_ACTIVE_TYPES = re.compile(r"(macroEnabled|vbaProject|vbaData|activeX|oleObject)", re.I)
# Word keeps printer settings as a .bin part: harmless, and common.
WORD_HARMLESS_BIN = re.compile(r"^word/printerSettings/printerSettings\d*\.bin$", re.I)
RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A field that runs another program when the document opens (DDE).
DDE_FIELD = re.compile(r"\bDDE(AUTO)?\b", re.I)


def _check_docx(content: bytes) -> bytes:
    if b"%PDF-" in content[:1024]:  # readers look for a PDF header in the first 1 KB
        raise _Refused(POLYGLOT, "polyglot")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            _check_docx_members(archive)
            _check_docx_parts(archive)
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - a broken zip or XML can fail in any way
        raise _Refused(DAMAGED, "damaged") from None
    return content


def _check_docx_members(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _Refused(UNPACKS_TOO_BIG, "zip_bomb")
    names: set[str] = set()
    total = 0
    for member in members:
        raw = member.orig_filename  # zipfile cuts the name at a NUL; the original has it
        parts = raw.split("/")
        if (
            not raw
            or raw.startswith("/")
            or re.match(r"^[A-Za-z]:", raw)
            or "\\" in raw
            or ".." in parts
            or any(unicodedata.category(ch).startswith("C") for ch in raw)
            or raw.lower() in names
        ):
            raise _Refused(WORD_ACTIVE, "unsafe_member")
        names.add(raw.lower())
        if WORD_ACTIVE_PARTS.search(raw) and not WORD_HARMLESS_BIN.match(raw):
            raise _Refused(WORD_ACTIVE, "macro")
        total += member.file_size
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _Refused(UNPACKS_TOO_BIG, "zip_bomb")
    if total > MAX_UNPACKED:
        raise _Refused(UNPACKS_TOO_BIG, "zip_bomb")
    if not {"[content_types].xml", "_rels/.rels", "word/document.xml"} <= names:
        raise _Refused(NOT_ALLOWED, "type")  # another zip, e.g. an Excel file


def _xml(archive: zipfile.ZipFile, name: str):
    with archive.open(name) as part:
        data = part.read(MAX_XML + 1)
    if len(data) > MAX_XML:
        raise _Refused(UNPACKS_TOO_BIG, "zip_bomb")
    try:
        # No DTDs, no entities, no external references: OOXML never needs them.
        return SafeXML.fromstring(data, forbid_dtd=True)
    except ValueError:  # defusedxml's refusals
        raise _Refused(WORD_ACTIVE, "unsafe_xml") from None


def _check_docx_parts(archive: zipfile.ZipFile) -> None:
    by_lower = {member.filename.lower(): member.filename for member in archive.infolist()}
    types = _xml(archive, by_lower["[content_types].xml"])
    main_type = None
    for entry in types.iter():
        content_type = entry.get("ContentType", "")
        if WORD_ACTIVE_TYPES.search(content_type):
            raise _Refused(WORD_ACTIVE, "macro")
        if entry.tag == f"{CONTENT_TYPES_NS}Override" and (
            entry.get("PartName", "").lower() == "/word/document.xml"
        ):
            main_type = content_type
    if main_type != WORD_MAIN:  # a docm, dotx or dotm has another main part type
        raise _Refused(NOT_ALLOWED, "type")

    for lower, name in by_lower.items():
        if lower.endswith(".rels"):
            for relation in _xml(archive, name).iter(f"{RELATIONSHIPS_NS}Relationship"):
                _check_relationship(relation)

    for lower, name in by_lower.items():
        if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", lower):
            tree = _xml(archive, name)
            instructions = "".join(text.text or "" for text in tree.iter(f"{WORD_NS}instrText"))
            instructions += " ".join(
                field.get(f"{WORD_NS}instr", "") for field in tree.iter(f"{WORD_NS}fldSimple")
            )
            if DDE_FIELD.search(instructions):
                raise _Refused(WORD_ACTIVE, "dde")


def _check_relationship(relation) -> None:
    kind = relation.get("Type", "")
    if WORD_ACTIVE_TYPES.search(kind):
        raise _Refused(WORD_ACTIVE, "macro")
    if (relation.get("TargetMode") or "").lower() != "external":
        return
    # A link in the text opens only when the reader clicks it; every other outside target
    # (a template, a picture, a frame, a sub-document) is fetched when the file opens.
    scheme = urlsplit(relation.get("Target", "").strip()).scheme.lower()
    if not (kind.endswith("/hyperlink") and scheme in ("http", "https", "mailto")):
        raise _Refused(WORD_EXTERNAL, "external")


CHECKS = {
    "pdf": _check_pdf,
    "jpg": lambda content: _clean_image(content, pillow_format="JPEG"),
    "png": lambda content: _clean_image(content, pillow_format="PNG"),
    "docx": _check_docx,
}


# ---------------------------------------------------------------------------
# The form field and the download
# ---------------------------------------------------------------------------
class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files in one field; ``clean`` gives a list of ``CleanFile`` and reports
    every refused file, not only the first."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int | None = None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # clean_upload says which file is empty
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        limit = self.max_files or settings.PUBLIC_MAX_FILES
        if len(files) > limit:
            raise ValidationError(
                TOO_MANY, code="too_many", params={"limit": limit, "count": len(files)}
            )
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(clean_upload(upload))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def has_changed(self, initial, data):
        return bool(data)


def attachment_response(attachment: Attachment) -> FileResponse:
    """A stored file as a download: never shown inline, never sniffed, never cached, and
    sandboxed should a browser render it anyway. Call only after the permission check."""
    content_type = attachment.content_type
    if content_type not in ALLOWED.values():  # rows from before the checks existed
        content_type = "application/octet-stream"
    return as_download(
        FileResponse(attachment.file.open("rb"), content_type=content_type),
        filename=attachment.original_name,
    )


def as_download(response: R, *, filename: str) -> R:
    """``response`` as a download a browser will not render: never inline, never sniffed,
    never cached, and sandboxed should a browser render it anyway."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
