"""Working groups and recommendations: open and invited groups, publishing, supports and
comments, the board's answers everyone sees; every governance notification honours the
member's choice per kind."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from governance import selectors, services, tasks
from governance.models import Recommendation, Support
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import Notification
from smartcoop.core.notifications import preferences_save
from tests.governance.conftest import RECORD, holder, open_assembly

pytestmark = pytest.mark.django_db


def test_open_and_invited_groups_recommendations_and_the_boards_answer(coop, clerk):
    author, colleague, supporter, outsider = (holder(coop) for _ in range(4))
    open_group = services.group_create(
        actor=clerk, entity=coop, title="Energy", access="open", mandate="Greener offices"
    )
    closed = services.group_create(actor=clerk, entity=coop, title="Pay scales", access="invited")
    services.group_join(actor=None, group=open_group, member=author)
    services.group_join(actor=None, group=open_group, member=colleague)
    with pytest.raises(Conflict):
        services.group_join(actor=None, group=open_group, member=author)
    with pytest.raises(Conflict):  # invitation only
        services.group_join(actor=None, group=closed, member=outsider)
    services.group_invite(actor=clerk, group=closed, member_number=outsider.member_number)
    assert Notification.objects.filter(user=outsider.user, kind="governance.group_invited")
    with pytest.raises(Conflict):  # only the group's members publish
        services.recommendation_publish(
            actor=None, group=open_group, member=supporter, title="Solar", text="Panels"
        )
    with pytest.raises(ValidationFailed) as empty:
        services.recommendation_publish(
            actor=None, group=open_group, member=author, title="Solar", text="  "
        )
    assert empty.value.field == "text"
    recommendation = services.recommendation_publish(
        actor=None, group=open_group, member=author, title="Solar", text="Put panels up."
    )
    # The group's other members hear of it; the author does not notify themself.
    assert Notification.objects.filter(
        user=colleague.user, kind="governance.recommendation_published"
    ).exists()
    assert not Notification.objects.filter(
        user=author.user, kind="governance.recommendation_published"
    ).exists()
    for _ in range(2):  # supporting twice counts once
        services.recommendation_support(
            actor=None, recommendation=recommendation, member=supporter, support=True
        )
    assert Support.objects.count() == 1
    services.recommendation_comment(
        actor=None, recommendation=recommendation, member=supporter, text="Yes, and batteries."
    )
    assert Notification.objects.filter(
        user=author.user, kind="governance.recommendation_comment"
    ).exists()
    with pytest.raises(ValidationFailed) as no_reason:
        services.recommendation_answer(
            actor=clerk, recommendation=recommendation, status="rejected"
        )
    assert no_reason.value.field == "answer"
    services.recommendation_answer(
        actor=clerk, recommendation=recommendation, status="rejected", answer="Roof too weak."
    )
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.answer) == ("rejected", "Roof too weak.")
    told = set(
        Notification.objects.filter(kind="governance.recommendation_answered").values_list(
            "user_id", flat=True
        )
    )
    assert told == {author.user_id, colleague.user_id, supporter.user_id}


def test_every_member_sees_the_answer_only_members_of_the_group_publish(client, coop, clerk):
    author, reader = holder(coop), holder(coop)
    group = services.group_create(actor=clerk, entity=coop, title="Energy", access="open")
    client.force_login(author.user)
    client.post(reverse("governance:group_join", args=[group.public_id]))
    client.post(
        reverse("governance:group", args=[group.public_id]),
        {"title": "Solar", "text": "Put panels up."},
    )
    recommendation = Recommendation.objects.get()
    client.force_login(clerk)
    client.post(
        reverse("governance:staff_answer", args=[recommendation.public_id]),
        {"status": "in_progress", "answer": "Quotes requested."},
    )
    client.force_login(reader.user)
    page = client.get(reverse("governance:recommendation", args=[recommendation.public_id]))
    body = page.content.decode()
    assert "In progress" in body and "Quotes requested." in body
    # A recommendation belongs to its working group: the menu says where the member is.
    current = re.search(r'<a href="([^"]+)" aria-current="page">', body)
    assert current and current.group(1) == reverse("governance:groups")
    assert (
        "Publish a recommendation"
        not in client.get(reverse("governance:group", args=[group.public_id])).content.decode()
    )
    client.post(
        reverse("governance:recommendation_support", args=[recommendation.public_id]),
        {"support": "1"},
    )
    assert Support.objects.filter(member=reader).exists()
    # Someone without a membership gets no page; members do not reach the staff pages.
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("governance:groups")).status_code == 404
    client.force_login(reader.user)
    assert client.get(reverse("governance:staff_group", args=[group.public_id])).status_code == 404
    answer_url = reverse("governance:staff_answer", args=[recommendation.public_id])
    assert client.post(answer_url, {"status": "accepted"}).status_code == 404


def test_each_governance_email_is_opt_out(coop, statutes, clerk, mailoutbox):
    keen, quiet = holder(coop), holder(coop)
    preferences_save(
        user=quiet.user,
        choices={
            "governance.convocation": (True, False),
            "governance.recommendation_answered": (True, False),
        },
    )
    assembly = open_assembly(coop, clerk=clerk, convene=False)
    services.assembly_convene(actor=clerk, assembly=assembly, today=RECORD + timedelta(days=1))
    tasks.send_convocations(assembly.pk)
    assert [m.to for m in mailoutbox] == [[keen.email]]
    assert assembly.voters.filter(convocation_sent_at__isnull=True).count() == 0  # both handled
    group = services.group_create(actor=clerk, entity=coop, title="Energy", access="open")
    services.group_join(actor=None, group=group, member=keen)
    services.group_join(actor=None, group=group, member=quiet)
    recommendation = services.recommendation_publish(
        actor=None, group=group, member=keen, title="Solar", text="Panels"
    )
    services.recommendation_answer(actor=clerk, recommendation=recommendation, status="accepted")
    answered = Notification.objects.filter(kind="governance.recommendation_answered")
    by_user = {n.user_id: n.email for n in answered}
    assert by_user[quiet.user_id] == Notification.Email.NOT_WANTED
    assert by_user[keen.user_id] == Notification.Email.PENDING


@pytest.mark.django_db
def test_the_working_groups_list_comes_in_pages(client, coop, clerk):
    reader = holder(coop)
    for n in range(selectors.GROUPS_PAGE_SIZE + 1):
        services.group_create(actor=clerk, entity=coop, title=f"Group {n:03d}", access="open")
    client.force_login(reader.user)
    first = client.get(reverse("governance:groups")).content.decode()
    assert "Group 000" in first and f"Group {selectors.GROUPS_PAGE_SIZE - 1:03d}" in first
    assert f"Group {selectors.GROUPS_PAGE_SIZE:03d}" not in first and "Page 1 of 2" in first
    second = client.get(reverse("governance:groups"), {"page": 2}).content.decode()
    assert f"Group {selectors.GROUPS_PAGE_SIZE:03d}" in second and "Group 000" not in second
    client.force_login(clerk)
    staff = client.get(reverse("governance:staff_groups"), {"page": 2}).content.decode()
    assert f"Group {selectors.GROUPS_PAGE_SIZE:03d}" in staff and "Page 2 of 2" in staff


def test_each_recommendation_on_the_staff_page_has_its_own_answer_fields(client, coop, clerk):
    """Two recommendations, two answer forms: each label points at its own field (one id used
    twice sent the second label's click to the first recommendation's field)."""
    import re

    author = holder(coop)
    group = services.group_create(actor=clerk, entity=coop, title="Energy", access="open")
    services.group_join(actor=None, group=group, member=author)
    for title in ("Solar", "Bicycles"):
        services.recommendation_publish(
            actor=None, group=group, member=author, title=title, text="Because."
        )
    client.force_login(clerk)
    page = client.get(reverse("governance:staff_group", args=[group.public_id])).content.decode()
    assert page.count('name="status"') == 2
    targets = re.findall(r'<label for="([^"]+)"', page)
    assert len(targets) == len(set(targets)) >= 5  # two answer forms and the invitation
    assert all(f'id="{target}"' in page for target in targets)
