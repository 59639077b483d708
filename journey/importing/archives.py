"""ZIP archives (EES "Download all data", and the container of every workbook): the central
directory checked first, each member streamed with a cap, damage named in one line."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator

from journey.importing.limits import CHUNK_BYTES, MAX_RATIO, MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS, MB, size_text
from journey.importing.sheets import Refused

_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
WORKBOOK_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # what Excel and every other writer use
_METHOD_NAMES = {9: "Deflate64", 6: "Implode", 97: "WavPack", 98: "PPMd", 99: "AES encryption"}


def open_zip(data: bytes, workbook: bool = False) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # zipfile raises several kinds on a damaged directory
        if workbook:
            raise Refused(
                "the workbook cannot be opened: it is not a valid ZIP archive", "open it in Excel and save it again as .xlsx"
            ) from None
        raise Refused(
            "the ZIP archive is damaged (its directory of files cannot be read)", "download it or save it again"
        ) from None


def member_name(info: zipfile.ZipInfo) -> str:
    return "".join(ch for ch in info.filename if ch.isprintable())[:120] or "(unnamed)"


def _check_member(info: zipfile.ZipInfo, cap: int, methods: set[int]) -> None:
    """Refuse a member by what the central directory says, before a byte of it is read."""
    member = member_name(info)
    if info.flag_bits & 0x1:
        raise Refused(f"'{member}' inside the archive is encrypted", "save the archive again without a password")
    if info.compress_type not in methods:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise Refused(
            f"'{member}' inside the archive is compressed with {method}, which is not supported",
            "save the archive again with ordinary (Deflate) compression",
        )
    if info.file_size > cap:
        raise Refused(
            f"'{member}' inside the archive would expand to {size_text(info.file_size)} (limit {size_text(cap)})",
            "upload the files themselves, split into smaller ones",
        )


def stream_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, methods: set[int] = _ZIP_METHODS) -> Iterator[bytes]:
    """A member's bytes in chunks, never more than ``cap`` in all, whatever its header claims.
    Damage (bad CRC, corrupt data, a name that differs from the directory's) is a ``Refused``."""
    _check_member(info, cap, methods)
    member = member_name(info)
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                total += len(chunk)
                if total > cap:
                    raise Refused(
                        f"'{member}' inside the archive expands to more than {size_text(cap)} (limit {size_text(cap)})",
                        "upload the files themselves, split into smaller ones",
                    )
                yield chunk
    except Refused:
        raise
    except zipfile.BadZipFile as exc:
        text = str(exc)
        if "CRC" in text:
            reason = "its checksum does not match its contents"
        elif "differ" in text or "name" in text.lower():
            reason = "its name in the archive's directory differs from the name stored with its data"
        else:
            reason = text.splitlines()[0][:120] if text else "its header is damaged"
        raise Refused(f"'{member}' inside the archive is damaged: {reason}", "download the archive or save it again") from None
    except (
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        RuntimeError,
        KeyError,
        IndexError,
        LookupError,
    ) as exc:
        reason = (
            "its compressed data is corrupt or cut short"
            if isinstance(exc, (zlib.error, EOFError, OSError, ValueError))
            else (str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
        )
        raise Refused(
            f"'{member}' inside the archive cannot be read: {reason}", "download the archive or save it again"
        ) from None
    except Exception as exc:  # lzma and bz2 raise their own kinds on damaged data
        raise Refused(
            f"'{member}' inside the archive cannot be read ({type(exc).__name__})", "download the archive or save it again"
        ) from None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, methods: set[int] = _ZIP_METHODS) -> bytes:
    """A whole member, read with a cap of ``cap`` bytes (see ``stream_member``)."""
    return b"".join(stream_member(zf, info, cap, methods))


def check_archive(
    zf: zipfile.ZipFile, compressed_size: int, cap_of: Callable[[zipfile.ZipInfo], int | None]
) -> list[zipfile.ZipInfo]:
    """The members, after the central directory's counts and declared sizes are checked:
    each member against ``cap_of(member)`` (None: it is not read), then all together."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Refused(f"the archive holds {len(infos):,} files (limit {MAX_ZIP_MEMBERS})", "upload the data files you need")
    for info in infos:
        cap = cap_of(info)
        if cap is not None and info.file_size > cap:
            raise Refused(
                f"'{member_name(info)}' inside the archive would expand to {size_text(info.file_size)} "
                f"(limit {size_text(cap)}); the archive was not opened",
                "upload the files themselves, split into smaller ones",
            )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or (total > 10 * MB and total / max(compressed_size, 1) > MAX_RATIO):
        raise Refused(
            f"the archive would expand to {size_text(total)}; it was not opened (limit {size_text(MAX_UNZIPPED_BYTES)}, "
            f"and at most {MAX_RATIO} times its own size)",
            "upload the CSV files themselves",
        )
    return infos


def ees_member(info: zipfile.ZipInfo) -> bool:
    """A data CSV of an EES archive (its ``.meta.csv`` descriptions are not read)."""
    name = info.filename.lower()
    return not info.is_dir() and name.endswith(".csv") and not name.endswith(".meta.csv")


# ---------------------------------------------------------------- workbook structure, scanned before openpyxl
