"""What a file is, judged by its content and never by its name: the scans an applicant or an officer
attaches to a request (PDF and images), and the wider set an agency may release in its reply (office
documents, spreadsheets, OFD, archives; docs/rules.md §Released information); and how many pages it has,
where that can be told.
"""

from __future__ import annotations

import io
import re
import zipfile

import pikepdf
from PIL import Image, UnidentifiedImageError

# content signature -> (type, extension): what anyone may attach
SCAN_SIGNATURES = [
    (b"%PDF-", ("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", ".png")),
    (b"\xff\xd8\xff", ("image/jpeg", ".jpg")),
    (b"II*\x00", ("image/tiff", ".tif")),
    (b"MM\x00*", ("image/tiff", ".tif")),
]
SCANS = "PDF、PNG、JPEG、TIFF"

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy Office formats (.doc, .xls, .ppt)
# the other formats a released file may have, besides the scans
RELEASE_SIGNATURES = [
    (b"7z\xbc\xaf\x27\x1c", ("application/x-7z-compressed", ".7z")),
    (b"Rar!\x1a\x07", ("application/vnd.rar", ".rar")),
    (b"\x1f\x8b", ("application/gzip", ".gz")),
    (b"GIF87a", ("image/gif", ".gif")),
    (b"GIF89a", ("image/gif", ".gif")),
]
ZIP = ("application/zip", ".zip")
# a ZIP container by the part that names its format (OOXML, OpenDocument, OFD)
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}
OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}
OFD = ("application/ofd", ".ofd")  # GB/T 33190, China's format for official documents
RELEASES = "PDF、OFD、图片、Word/WPS、Excel、PowerPoint、OpenDocument、ZIP/7z/RAR压缩包"

# the extensions a file of each type may keep in its name
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/tiff": (".tif", ".tiff"),
    "image/gif": (".gif",),
    "application/x-ole-storage": (".doc", ".xls", ".ppt", ".wps", ".et", ".dps"),
    "application/zip": (".zip",),
    "application/x-7z-compressed": (".7z",),
    "application/vnd.rar": (".rar",),
    "application/gzip": (".gz", ".tgz"),
    "application/ofd": (".ofd",),
    **{kind: (ext,) for kind, ext in OOXML.values()},
    **{kind: (ext,) for kind, ext in OPENDOCUMENT.items()},
}


def sniff(head: bytes) -> tuple[str, str] | None:
    """A scan's type and extension from its first bytes, or None."""
    return next((kind for sig, kind in SCAN_SIGNATURES if head.startswith(sig)), None)


def sniff_release(data: bytes) -> tuple[str, str] | None:
    """A released file's type and extension from its content, or None for a type not released."""
    kind = sniff(data[:16]) or next((k for sig, k in RELEASE_SIGNATURES if data.startswith(sig)), None)
    if kind is not None:
        return kind
    if data.startswith(OLE2):
        return ("application/x-ole-storage", ".doc")  # the name's own legacy extension is kept
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if "mimetype" in names:
                mimetype = z.read("mimetype").decode("ascii", "replace").strip()
                if mimetype in OPENDOCUMENT:
                    return (mimetype, OPENDOCUMENT[mimetype])
            if "[Content_Types].xml" in names:
                for prefix, kind in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return kind
            if "OFD.xml" in names:
                return OFD
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return ZIP


def page_count(data: bytes, content_type: str) -> int | None:
    """How many pages the 答复书 lists for the file: a PDF's pages, an image's frames, a Word document's
    own count (docProps/app.xml); None where a file has no pages to count (spreadsheets, archives)."""
    try:
        if content_type == "application/pdf":
            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages)
        if content_type.startswith("image/"):
            with Image.open(io.BytesIO(data)) as image:
                return int(getattr(image, "n_frames", 1))
        if content_type in (OOXML["word/"][0], OOXML["ppt/"][0]):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                props = z.read("docProps/app.xml").decode("utf-8", "replace")
            found = re.search(r"<(?:\w+:)?(?:Pages|Slides)>(\d+)<", props)
            return int(found.group(1)) if found else None
    except (pikepdf.PdfError, UnidentifiedImageError, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None
