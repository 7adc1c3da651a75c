"""Roles and permissions, defined once and checked by one function (`has_permission`) used by
views, the API and the admin."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ADVISER = "adviser", _("Adviser")
    PAYROLL_OFFICER = "payroll_officer", _("Payroll officer")
    ACCOUNTANT = "accountant", _("Accountant")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service agent")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset(Role) - {Role.MEMBER}


class Permission(enum.StrEnum):
    # Back-office
    BACKOFFICE_ACCESS = "backoffice.access"
    SWITCH_ENTITY = "backoffice.switch_entity"
    VIEW_HEALTH = "backoffice.view_health"
    VIEW_AUDIT_LOG = "backoffice.view_audit_log"
    USE_ADMIN = "backoffice.use_admin"
    VIEW_NUMBER_SERIES = "backoffice.view_number_series"
    MANAGE_ENTITIES = "backoffice.manage_entities"
    # Members
    VIEW_MEMBERS_OF_OFFICE = "members.view_office"
    VIEW_ALL_MEMBERS = "members.view_all"
    MANAGE_MEMBERS = "members.manage"
    VIEW_NATIONAL_NUMBERS = "members.view_national_numbers"
    CONFIRM_SHARE_PAYMENTS = "members.confirm_share_payments"
    MANAGE_INFO_SESSIONS = "members.manage_info_sessions"
    # Activities and contracts
    VALIDATE_ACTIVITIES = "activities.validate"
    VALIDATE_CONTRACTS = "activities.validate_contracts"
    APPROVE_EXPENSES = "activities.approve_expenses"
    DECIDE_LOANS = "activities.decide_loans"
    ADJUST_LEDGER = "activities.adjust_ledger"
    # The solidarity committee (confidential requests): administrators unless given to a role.
    DECIDE_SOLIDARITY = "activities.decide_solidarity"
    # Invoicing
    VIEW_INVOICES = "invoicing.view"
    APPROVE_INVOICES = "invoicing.approve"
    MANAGE_COLLECTION = "invoicing.manage_collection"
    IMPORT_BANK_STATEMENTS = "invoicing.import_bank_statements"
    # Payroll
    RUN_PAYROLL = "payroll.run"
    SUBMIT_DECLARATIONS = "payroll.submit_declarations"
    # Governance
    MANAGE_ASSEMBLIES = "governance.manage_assemblies"
    # Key figures (annual report): all entities' figures, or one office's portfolio only.
    VIEW_KEY_FIGURES = "keyfigures.view"
    VIEW_OFFICE_KEY_FIGURES = "keyfigures.view_office"


P = Permission
_ALL_STAFF = {P.BACKOFFICE_ACCESS, P.SWITCH_ENTITY}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.MEMBER: frozenset(),
    Role.ADVISER: frozenset(
        _ALL_STAFF
        | {
            P.VIEW_MEMBERS_OF_OFFICE,
            P.MANAGE_MEMBERS,
            P.MANAGE_INFO_SESSIONS,
            P.VALIDATE_ACTIVITIES,
            P.VALIDATE_CONTRACTS,
            P.APPROVE_EXPENSES,
            P.APPROVE_INVOICES,
            P.VIEW_INVOICES,
            P.VIEW_OFFICE_KEY_FIGURES,
        }
    ),
    Role.PAYROLL_OFFICER: frozenset(
        _ALL_STAFF
        | {
            P.VIEW_ALL_MEMBERS,
            P.VIEW_NATIONAL_NUMBERS,
            P.VALIDATE_CONTRACTS,
            P.RUN_PAYROLL,
            P.SUBMIT_DECLARATIONS,
        }
    ),
    Role.ACCOUNTANT: frozenset(
        _ALL_STAFF
        | {
            P.VIEW_ALL_MEMBERS,
            P.CONFIRM_SHARE_PAYMENTS,
            P.IMPORT_BANK_STATEMENTS,
            P.VIEW_INVOICES,
            P.ADJUST_LEDGER,
            P.DECIDE_LOANS,
            P.VIEW_AUDIT_LOG,
            P.VIEW_NUMBER_SERIES,
            P.VIEW_KEY_FIGURES,
            P.VIEW_OFFICE_KEY_FIGURES,
        }
    ),
    Role.CUSTOMER_SERVICE: frozenset(
        _ALL_STAFF
        | {
            P.VIEW_ALL_MEMBERS,
            P.MANAGE_COLLECTION,
            P.MANAGE_INFO_SESSIONS,
            P.VIEW_INVOICES,
        }
    ),
    Role.ADMINISTRATOR: frozenset(Permission),
}


def has_permission(user: User | AnonymousUser | None, permission: Permission) -> bool:
    """The one permission check. Inactive and anonymous users have none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def is_staff_role(role: str) -> bool:
    return role in STAFF_ROLES
