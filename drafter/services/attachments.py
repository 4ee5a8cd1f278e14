"""Files attached to consultation inputs: checked by their content, stored under the instance folder.

Only three kinds of file are taken, and each is recognised by its bytes,
not by its name or by the type the browser claims:

* PDF: the file starts with the ``%PDF-`` header (ISO 32000-1, 7.5.2);
* DOCX: a ZIP archive (``PK\\x03\\x04``, APPNOTE 4.3.7) holding
  ``[Content_Types].xml`` that declares a WordprocessingML main document
  (ECMA-376 part 2, Open Packaging Conventions) and ``word/document.xml``;
  macro-enabled documents (``.docm``) declare another type and are refused;
* plain text: UTF-8 (a byte-order mark allowed) without NUL or other
  control characters except tab, line feed, form feed and carriage return.

The name's extension must agree with the content (a PDF called
``notes.docx`` is refused). Names are kept in any script (``ข้อเสนอ.pdf``,
``Đề xuất.pdf``): :func:`clean_name` only drops folders, control and
direction characters and the characters file systems forbid. Files are
stored under a random name (:attr:`StoredAttachment.key`), never under the
uploaded one, and served back only as downloads under the original name
(RFC 6266 ``filename*``, see :mod:`drafter.views.consultations`).

A stored file lives exactly as long as the row that names it:
:func:`store_with` removes a new file when the session's transaction ends
without a commit, and :func:`remove_after_commit` removes a file only once
the deletion of its row is committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from drafter.services.errors import InvalidInput, NotFound

#: Default size limit of one attachment (config ``MAX_ATTACHMENT_BYTES``).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

#: kind -> (accepted extensions, MIME type served).
KINDS = {
    "pdf": ((".pdf",), "application/pdf"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "text": ((".txt", ".md"), "text/plain"),
}
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_KEY = re.compile(r"^[0-9a-f]{32}\.(pdf|docx|txt|md)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# In names: C0/C1 controls, bidirectional controls (they make "exe.pdf" look like "pdf.exe"),
# and the characters Windows forbids in file names.
_NAME_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"*:<>?|]')
_MAX_NAME = 255


#: The form field a refused file is reported under.
FIELD = "attachment"

# Keys of session.info: files written in the open transaction, and files whose rows it deletes.
_WRITTEN = "drafter.attachments.written"
_DELETED = "drafter.attachments.deleted"


@dataclass(frozen=True)
class Upload:
    """A file sent with a form, not yet checked, and where it is to be kept.

    :ivar stream: the uploaded bytes (read once, at most ``max_bytes + 1``).
    :ivar filename: the name the browser sent.
    :ivar folder: the uploads folder.
    :ivar max_bytes: the size limit of one file.
    """

    stream: BinaryIO
    filename: str
    folder: str | os.PathLike
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class StoredAttachment:
    """A file written to the uploads folder.

    :ivar key: the stored file's name in the uploads folder (random hex plus extension).
    :ivar name: the cleaned original file name, for downloads.
    :ivar mimetype: the MIME type it is served with.
    :ivar size: its length in bytes.
    :ivar sha256: hex SHA-256 of its content.
    """

    key: str
    name: str
    mimetype: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """Recognise a file by its content.

    :param data: the whole file.
    :returns: ``"pdf"``, ``"docx"``, ``"text"``, or ``None`` for anything else
        (an empty file included). The rules are in the module documentation.
    """
    if not data:
        return None
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                    return None
                with archive.open("[Content_Types].xml") as member:
                    types = member.read(256 * 1024)  # bounded: a hostile archive may inflate without end
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            return None
        return "docx" if _DOCX_MAIN in types else None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else "text"


def check(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Check an uploaded file's size, content and name.

    :param data: the file's bytes (at most ``max_bytes + 1`` need be read).
    :param filename: the name the browser sent.
    :param max_bytes: the size limit.
    :returns: ``(cleaned file name, MIME type to serve it with)``.
    :raises InvalidInput: (field ``attachment``) when the file is empty, too big, of another
        type, or its extension does not match its content.
    """
    if len(data) > max_bytes:
        raise InvalidInput(f"The file is larger than {_size(max_bytes)}; attach a smaller one.", field=FIELD)
    if not data:
        raise InvalidInput("The file is empty.", field=FIELD)
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            "Attach a PDF, a Word document (.docx) or a plain text file; this file is none of them.", field=FIELD
        )
    extensions, mimetype = KINDS[kind]
    name = clean_name(filename) or f"attachment{extensions[0]}"
    suffix = _suffix(name)
    if suffix not in extensions:
        label = {"pdf": "a PDF", "docx": "a Word document", "text": "plain text"}[kind]
        raise InvalidInput(
            f"The file's content is {label} but its name ends in “{suffix or '(nothing)'}”; "
            f"name it with {' or '.join(extensions)}.",
            field=FIELD,
        )
    return name, mimetype


def clean_name(filename: str | None) -> str:
    """The name an uploaded file is offered back under, in whatever script it was written.

    Only the last path component is kept (browsers on Windows may send
    ``C:\\Users\\...``); it is normalised to NFC, control and bidirectional
    control characters and ``" * : < > ? |`` are dropped, white space is
    collapsed, and dots and spaces are stripped from the ends of the stem.
    A name longer than 255 characters loses the end of its stem, never its
    extension. The result is never used as a path: files are stored under
    :attr:`StoredAttachment.key`.

    :param filename: the name the browser sent (may be empty or ``None``).
    :returns: the cleaned name, ``"attachment.<ext>"`` when only an extension
        is left, or ``""`` when nothing is left at all.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(_NAME_UNSAFE.sub("", name).split())
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem.strip(". ")
    extension = extension.strip(". ")
    if not stem and not extension:
        return ""
    tail = f".{extension}" if extension else ""
    stem = (stem or "attachment")[: max(1, _MAX_NAME - len(tail))]
    return (stem + tail)[:_MAX_NAME]


def ascii_name(name: str) -> str:
    """An ASCII stand-in for ``name``, for the ``filename`` parameter old clients read (RFC 6266, 4.3).

    Accents are dropped (``Đề xuất.pdf`` -> ``De xuat.pdf``); a name with no
    Latin letters (``ข้อเสนอ.pdf``) becomes ``attachment.pdf``.

    :param name: a name made by :func:`clean_name`.
    :returns: a printable ASCII name with its extension kept.
    """
    simple = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    simple = "".join(c for c in simple if " " <= c <= "~" and c not in '"\\%')
    return clean_name(simple) or "attachment"


def _suffix(name: str) -> str:
    """The lower-cased extension of ``name`` with its dot, or ``""``."""
    stem, dot, extension = name.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def store(
    stream: BinaryIO, filename: str, directory: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> StoredAttachment:
    """Read, check and store an uploaded file.

    :param stream: the upload (reads at most ``max_bytes + 1`` bytes).
    :param filename: the name the browser sent.
    :param directory: the uploads folder (created when missing).
    :param max_bytes: the size limit.
    :returns: the :class:`StoredAttachment`; the caller removes it with
        :func:`remove` if its transaction fails (:func:`store_with` does).
    :raises InvalidInput: see :func:`check`; nothing is written then.
    """
    data = stream.read(max_bytes + 1)
    name, mimetype = check(data, filename, max_bytes=max_bytes)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16) + _suffix(name)
    fd = os.open(folder / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return StoredAttachment(key, name, mimetype, len(data), hashlib.sha256(data).hexdigest())


def path_of(directory: str | os.PathLike, key: str) -> Path:
    """The stored file called ``key``.

    :raises NotFound: when ``key`` is not a name :func:`store` makes
        (so no path outside the folder can ever be named).
    """
    if not _KEY.match(key or ""):
        raise NotFound("The attached file cannot be found.")
    return Path(directory) / key


def stored_file(directory: str | os.PathLike, key: str | None) -> Path | None:
    """The stored file called ``key`` if it is there, for downloads.

    :returns: its path, or ``None`` when ``key`` is empty, not a name
        :func:`store` makes, or names no file in ``directory``.
    """
    try:
        path = path_of(directory, key or "")
    except NotFound:
        return None
    return path if path.is_file() else None


def remove(directory: str | os.PathLike, key: str | None) -> None:
    """Delete a stored file if it exists (after a failed transaction or a deleted input)."""
    if key:
        with contextlib.suppress(NotFound):  # not a stored key: there is no file of ours to delete
            path_of(directory, key).unlink(missing_ok=True)


def store_with(session: Session, upload: Upload) -> StoredAttachment:
    """Check and store ``upload`` for a row written in ``session``'s transaction.

    The file is removed again when that transaction ends without a commit
    (a refusal, a failed flush or commit, a rollback at the edge), so a
    failed input leaves no file behind.

    :param session: the session the row naming the file is written in.
    :param upload: the file and where to keep it.
    :returns: the :class:`StoredAttachment`.
    :raises InvalidInput: see :func:`check`; nothing is written then.
    """
    stored = store(upload.stream, upload.filename, upload.folder, max_bytes=upload.max_bytes)
    session.info.setdefault(_WRITTEN, []).append((upload.folder, stored.key))
    return stored


def remove_after_commit(session: Session, folder: str | os.PathLike, key: str | None) -> None:
    """Remove the stored file ``key`` once ``session`` commits the deletion of the row naming it.

    Until then the file stays, so a deletion that is rolled back keeps its file.

    :param session: the session the row is deleted in.
    :param folder: the uploads folder.
    :param key: the stored file's key, or ``None`` (nothing to do).
    """
    if key:
        session.info.setdefault(_DELETED, []).append((folder, key))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer transaction may still fail
        return
    session.info.pop(_WRITTEN, None)
    for folder, key in session.info.pop(_DELETED, []):
        remove(folder, key)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # The outermost transaction ended; after a commit both lists are already empty.
    for folder, key in session.info.pop(_WRITTEN, []):
        remove(folder, key)
    session.info.pop(_DELETED, None)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"
