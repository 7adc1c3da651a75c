import subprocess

import pytest

from smartcoop.core.pdf import checksum, html_to_pdf


def test_html_becomes_a_pdf_with_its_text(tmp_path):
    pdf = html_to_pdf("<h1>Facture 2026-000001</h1><p>Montant : 1 234,56 €</p>")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Facture 2026-000001" in text and "1 234,56 €" in text


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7 x"])
def test_checksums_change_with_one_byte(content):
    assert checksum(content) != checksum(content + b" ")
    assert len(checksum(content)) == 64


def test_documents_never_fetch_from_the_network():
    # A remote image (e.g. in a client-supplied text that escaped escaping) is not loaded: the
    # document renders without it instead of calling out.
    pdf = html_to_pdf('<p>Logo</p><img src="http://192.0.2.1/tracker.png">')
    assert pdf.startswith(b"%PDF")
    from smartcoop.core.pdf import _fetcher

    with pytest.raises(ValueError):
        _fetcher().fetch("http://192.0.2.1/tracker.png")
