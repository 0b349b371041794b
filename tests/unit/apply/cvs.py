"""CV files made in the test (nothing binary is committed): real, disguised and hostile ones."""
import stat
import zipfile
from io import BytesIO

from app.apply.files import DOCX_MAIN_PART, ODT

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN_PART}"/>'
    "</Types>"
)


def pdf(extra: bytes = b"") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + extra +
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def docx(content_types: str = CONTENT_TYPES, extra: dict | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT)  # first and stored, as ODF requires
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def zip_bomb_docx() -> bytes:
    """A DOCX whose one entry inflates to 200 MB (about 200 KB on the wire)."""
    return docx(extra={"word/media/zeros.bin": b"\0" * (200 * 1024 * 1024)})


def docx_with_macros() -> bytes:
    return docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})


def docx_with_symlink() -> bytes:
    data = BytesIO(docx())
    with zipfile.ZipFile(data, "a") as archive:
        link = zipfile.ZipInfo("word/link.xml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return data.getvalue()


def docx_with_parent_path() -> bytes:
    return docx(extra={"../../evil.xml": "<x/>"})
