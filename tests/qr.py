"""Reading QR codes back as a banking app would: zbarimg (Debian's zbar-tools) on a picture of
the page or of the PDF rendered by pdftoppm. `--raw -Sbinary` gives the bytes as encoded, so a
test sees the character set actually written, not zbar's guess at it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def qr_bytes(picture: Path) -> bytes:
    """The bytes of the one QR code in `picture` (PNG)."""
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", str(picture)],
        capture_output=True,
        check=True,
    )
    return result.stdout.removesuffix(b"\n")


def pdf_qr_bytes(pdf: bytes, folder: Path, *, resolution: int = 150) -> bytes:
    """The QR code on the first page of a PDF, rendered to PNG by pdftoppm."""
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(resolution),
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(folder / "page"),
        ],
        check=True,
    )
    (picture,) = folder.glob("page*.png")
    return qr_bytes(picture)
