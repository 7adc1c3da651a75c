"""Documents attached to resolutions: staff upload them (checked by content), the assembly's
voters download them, nobody else; none is added once the vote is closed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import ResolutionDocument
from smartcoop.core.errors import Conflict, ValidationFailed
from tests.governance.conftest import during_vote, holder, open_assembly

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_staff_attach_voters_download_others_do_not(
    client, coop, statutes, clerk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    voter = holder(coop)
    assembly = open_assembly(coop, clerk=clerk)
    resolution = assembly.resolutions.get()
    client.force_login(clerk)
    url = reverse("governance:staff_document_attach", args=[assembly.public_id])
    disguised = SimpleUploadedFile("accounts.pdf", b"<html><script>x</script>", "application/pdf")
    answer = client.post(
        url,
        {"resolution": resolution.public_id, "title": "Accounts", "file": disguised},
        follow=True,
    )
    assert "Only PDF, PNG or JPEG files are accepted." in answer.content.decode()
    assert not ResolutionDocument.objects.exists()
    client.post(
        url,
        {
            "resolution": resolution.public_id,
            "title": "Annual accounts 2026",
            "file": SimpleUploadedFile("accounts.html", PDF, "text/html"),
        },
    )
    document = ResolutionDocument.objects.get()
    assert document.content_type == "application/pdf" and document.file.name.endswith(".pdf")
    assert len(document.sha256) == 64
    client.force_login(voter.user)
    page = client.get(reverse("governance:assembly", args=[assembly.public_id])).content.decode()
    assert "Annual accounts 2026" in page
    download = client.get(
        reverse("governance:document", args=[assembly.public_id, document.public_id])
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    outsider = holder(coop, on=timezone.localdate())  # not on the voters' list
    client.force_login(outsider.user)
    assert (
        client.get(
            reverse("governance:document", args=[assembly.public_id, document.public_id])
        ).status_code
        == 404
    )
    services.assembly_close(actor=clerk, assembly=assembly, now=during_vote(assembly))
    with pytest.raises(Conflict):
        services.document_attach(
            actor=clerk,
            resolution=resolution,
            title="Late",
            file=SimpleUploadedFile("late.pdf", PDF, "application/pdf"),
        )
    with pytest.raises(ValidationFailed):
        services.document_attach(
            actor=clerk,
            resolution=resolution,
            title="Empty",
            file=SimpleUploadedFile("e.pdf", b"", "application/pdf"),
        )
    assert ResolutionDocument.objects.count() == 1
