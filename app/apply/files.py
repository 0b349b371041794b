"""CV checks by content (not by name) and storage outside the web root under random names.

filetype tells PDF, DOCX, ODT and plain ZIP apart from their bytes. DOCX and ODT are ZIP
archives: their directory is checked before anything is read from them (entry count, declared
total size, paths, symlinks, macros), and nothing is ever extracted to disk.
"""
import os
import stat
import uuid
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import filetype

from flask_babel import lazy_gettext as _l

MAX_CV_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 50 * 1024 * 1024
MAX_PART_READ = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".odt": ODT}
DOCX_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class CvRejected(ValueError):
    """The file cannot be accepted; the message tells the applicant why."""


@dataclass(frozen=True)
class CheckedCv:
    data: bytes
    original_name: str
    media_type: str


def check_cv(data: bytes, filename: str) -> CheckedCv:
    name = check_filename(filename)
    if not data:
        raise CvRejected(_l("Le fichier est vide. Choisissez votre CV."))
    if len(data) > MAX_CV_BYTES:
        raise CvRejected(_l("Le fichier dépasse 5 Mo. Choisissez un fichier plus léger."))
    declared = EXTENSIONS.get(Path(name).suffix.lower())
    guessed = filetype.guess_mime(data)
    if declared is None or guessed != declared:
        raise CvRejected(_l("Le fichier doit être un PDF, un DOCX ou un ODT."))
    if declared == PDF and not data.startswith(b"%PDF-"):
        raise CvRejected(_l("Le fichier doit être un PDF, un DOCX ou un ODT."))
    if declared in (DOCX, ODT):
        check_archive(data, declared)
    return CheckedCv(data=data, original_name=name, media_type=declared)


def check_filename(filename: str) -> str:
    """Browsers send a bare name; a path, a NUL or another control character is a forged request."""
    if not filename or any(ch in filename for ch in "/\\") or any(ord(ch) < 32 or ord(ch) == 127 for ch in filename):
        raise CvRejected(_l("Le nom du fichier n'est pas valide. Renommez le fichier (par exemple cv.pdf) et choisissez-le à nouveau."))
    return filename[:255]


def check_archive(data: bytes, media_type: str) -> None:
    unreadable = CvRejected(_l("Le fichier est endommagé ou n'est pas un document texte valide."))
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise unreadable from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_ZIP_UNCOMPRESSED:
            raise unreadable
        if any(is_unsafe_entry(entry) for entry in entries):
            raise unreadable
        if any(Path(entry.filename).name.lower() == "vbaproject.bin" for entry in entries):
            raise CvRejected(_l("Les documents contenant des macros ne sont pas acceptés. Enregistrez-le en PDF."))
        if media_type == DOCX:
            check_docx_parts(archive, unreadable)
        else:
            check_odt_parts(archive, entries, unreadable)


def is_unsafe_entry(entry: zipfile.ZipInfo) -> bool:
    is_symlink = stat.S_ISLNK(entry.external_attr >> 16)
    path = entry.filename
    return is_symlink or path.startswith(("/", "\\")) or ".." in Path(path).parts or ":" in path


def read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """At most 1 MB of one part: its declared size may lie, so never trust it for reading."""
    with archive.open(name) as part:
        return part.read(MAX_PART_READ)


def check_docx_parts(archive: zipfile.ZipFile, unreadable: CvRejected) -> None:
    try:
        content_types = read_part(archive, "[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        raise unreadable from None
    if DOCX_MAIN_PART.encode() not in content_types:
        raise unreadable
    if b"macroEnabled" in content_types:
        raise CvRejected(_l("Les documents contenant des macros ne sont pas acceptés. Enregistrez-le en PDF."))


def check_odt_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], unreadable: CvRejected) -> None:
    first = entries[0] if entries else None
    if first is None or first.filename != "mimetype":
        raise unreadable
    try:
        if read_part(archive, "mimetype").strip() != ODT.encode():
            raise unreadable
    except (zipfile.BadZipFile, OSError):
        raise unreadable from None


def store_cv(upload_dir: Path, data: bytes) -> str:
    """Write the file under a random name, readable by the service's user only."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    storage_name = str(uuid.uuid4())
    path = upload_dir / storage_name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return storage_name


def cv_path(upload_dir: Path, storage_name: str) -> Path:
    return upload_dir / str(uuid.UUID(storage_name))  # a UUID again: never a path from elsewhere


def delete_cv_file(upload_dir: Path, storage_name: str) -> None:
    cv_path(upload_dir, storage_name).unlink(missing_ok=True)
