"""Working groups (open, or on invitation by staff) and their recommendations: members of the
group publish them, every member supports and comments, the board (staff with the governance
permission) answers each with a status everyone sees. Each step notifies the people concerned,
through the core notifications (each kind opt-out on the member's choices page)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.notifications import notify
from smartcoop.core.validators import check_texts

from ..models import Comment, GroupMembership, Recommendation, Support, WorkingGroup

TEXT_MAX = 5000


def _text(field: str, value: str, message: str, *, multi_line: bool = True) -> str:
    check_texts(**{field: value}, multi_line=(field,) if multi_line else ())
    value = value.strip()
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > TEXT_MAX:
        raise ValidationFailed(_("Keep it under %(n)s characters.") % {"n": TEXT_MAX}, field=field)
    return value


def group_create(
    *, actor: User | None, entity: LegalEntity, title: str, access: str, mandate: str = ""
) -> WorkingGroup:
    title = _text("title", title, _("Give the group a title."), multi_line=False)
    check_texts(mandate=mandate, multi_line=("mandate",))
    if access not in WorkingGroup.Access.values:
        raise ValidationFailed(_("Choose who may join."), field="access")
    with transaction.atomic():
        group = WorkingGroup.objects.create(
            entity=entity, title=title, mandate=mandate.strip(), access=access
        )
        audit_log(
            actor=actor,
            action="governance.group.created",
            target=group,
            entity=entity,
            data={"title": title, "access": access},
        )
    return group


def _add(group: WorkingGroup, member: Member, *, invited: bool) -> GroupMembership:
    try:
        with transaction.atomic():
            return GroupMembership.objects.create(group=group, member=member, invited=invited)
    except IntegrityError:
        raise Conflict(_("Already a member of this group."), code="already_in_group") from None


def group_join(*, actor: User | None, group: WorkingGroup, member: Member) -> GroupMembership:
    if group.access != WorkingGroup.Access.OPEN:
        raise Conflict(_("This group is on invitation only."), code="invitation_only")
    with transaction.atomic():
        membership = _add(group, member, invited=False)
        audit_log(
            actor=actor,
            action="governance.group.joined",
            target=group,
            entity=group.entity,
            data={"member": str(member.public_id)},
        )
    return membership


def group_invite(*, actor: User | None, group: WorkingGroup, member_number: int) -> GroupMembership:
    member = Member.objects.filter(
        member_number=member_number, status__in=[Member.Status.MEMBER, Member.Status.ACTIVE]
    ).first()
    if member is None:
        raise ValidationFailed(_("No member has this number."), field="member_number")
    with transaction.atomic():
        membership = _add(group, member, invited=True)
        audit_log(
            actor=actor,
            action="governance.group.invited",
            target=group,
            entity=group.entity,
            data={"member": str(member.public_id)},
        )
        notify(
            user=member.user,
            kind="governance.group_invited",
            params={"group": group.title},
            url=reverse("governance:group", args=[group.public_id]),
        )
    return membership


def recommendation_publish(
    *, actor: User | None, group: WorkingGroup, member: Member, title: str, text: str
) -> Recommendation:
    """A member of the group publishes a recommendation; the group's other members are told."""
    title = _text("title", title, _("Give the recommendation a title."), multi_line=False)
    text = _text("text", text, _("Write the recommendation."))
    if not GroupMembership.objects.filter(group=group, member=member).exists():
        raise Conflict(
            _("Only the group's members publish its recommendations."), code="not_in_group"
        )
    with transaction.atomic():
        recommendation = Recommendation.objects.create(
            group=group, author=member, title=title, text=text
        )
        audit_log(
            actor=actor,
            action="governance.recommendation.published",
            target=recommendation,
            entity=group.entity,
            data={"group": str(group.public_id), "title": title},
        )
        url = reverse("governance:recommendation", args=[recommendation.public_id])
        for other in group.memberships.exclude(member=member).select_related("member__user"):
            notify(
                user=other.member.user,
                kind="governance.recommendation_published",
                params={"group": group.title, "title": title},
                url=url,
            )
    return recommendation


def recommendation_support(
    *, actor: User | None, recommendation: Recommendation, member: Member, support: bool
) -> bool:
    """Support (or withdraw the support of) a recommendation: once per member."""
    with transaction.atomic():
        if support:
            _row, created = Support.objects.get_or_create(
                recommendation=recommendation, member=member
            )
            changed = created
        else:
            changed = bool(
                Support.objects.filter(recommendation=recommendation, member=member).delete()[0]
            )
        if changed:
            audit_log(
                actor=actor,
                action="governance.recommendation.supported"
                if support
                else "governance.recommendation.unsupported",
                target=recommendation,
                entity=recommendation.group.entity,
                data={"member": str(member.public_id)},
            )
    return changed


def recommendation_comment(
    *, actor: User | None, recommendation: Recommendation, member: Member, text: str
) -> Comment:
    text = _text("text", text, _("Write your comment."))
    with transaction.atomic():
        comment = Comment.objects.create(recommendation=recommendation, member=member, text=text)
        audit_log(
            actor=actor,
            action="governance.recommendation.commented",
            target=recommendation,
            entity=recommendation.group.entity,
            data={"member": str(member.public_id)},
        )
        if recommendation.author_id != member.pk:
            notify(
                user=recommendation.author.user,
                kind="governance.recommendation_comment",
                params={"title": recommendation.title, "name": member.display_name},
                url=reverse("governance:recommendation", args=[recommendation.public_id]),
            )
    return comment


def recommendation_answer(
    *, actor: User | None, recommendation: Recommendation, status: str, answer: str = ""
) -> Recommendation:
    """The board's answer: accepted, rejected (with its reason) or in progress. The author,
    the group's members and the supporters are told. Locks the recommendation."""
    answers = {
        Recommendation.Status.ACCEPTED,
        Recommendation.Status.REJECTED,
        Recommendation.Status.IN_PROGRESS,
    }
    if status not in answers:
        raise ValidationFailed(_("Choose accepted, rejected or in progress."), field="status")
    check_texts(answer=answer, multi_line=("answer",))
    answer = answer.strip()
    if status == Recommendation.Status.REJECTED and not answer:
        raise ValidationFailed(_("Give the reason of the rejection."), field="answer")
    with transaction.atomic():
        recommendation = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("group__entity", "author__user")
            .get(pk=recommendation.pk)
        )
        recommendation.status = status
        recommendation.answer = answer
        recommendation.answered_at = timezone.now()
        recommendation.save(update_fields=["status", "answer", "answered_at", "updated_at"])
        audit_log(
            actor=actor,
            action="governance.recommendation.answered",
            target=recommendation,
            entity=recommendation.group.entity,
            data={"status": status, "answer": answer},
        )
        people = {recommendation.author.user_id: recommendation.author.user}
        for row in recommendation.group.memberships.select_related("member__user"):
            people[row.member.user_id] = row.member.user
        for support in recommendation.supports.select_related("member__user"):
            people[support.member.user_id] = support.member.user
        url = reverse("governance:recommendation", args=[recommendation.public_id])
        for user in people.values():
            notify(
                user=user,
                kind="governance.recommendation_answered",
                params={"title": recommendation.title},
                url=url,
            )
    return recommendation
