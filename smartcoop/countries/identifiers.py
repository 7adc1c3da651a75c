"""National identifiers, validated with python-stdnum. Each validator returns the compact form
or raises ValueError with a message a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_errors

from .pack import Identifier, IdentifierKind


def _from_stdnum(module: ModuleType, what: str) -> Callable[[str], str]:
    def validate(value: str) -> str:
        try:
            return module.validate(value)
        except stdnum_errors.InvalidLength:
            raise ValueError(_("This %(what)s has the wrong length.") % {"what": what}) from None
        except stdnum_errors.InvalidChecksum:
            raise ValueError(
                _("This %(what)s is not valid: its check digits do not match.") % {"what": what}
            ) from None
        except stdnum_errors.ValidationError:
            raise ValueError(_("This is not a valid %(what)s.") % {"what": what}) from None

    return validate


def from_stdnum(
    kind: IdentifierKind,
    module: ModuleType,
    label,
    example: str,
    *,
    format: Callable[[str], str] | None = None,
) -> Identifier:
    """`format`: how the number is printed, when the module has no `format` of its own."""
    return Identifier(
        kind=kind,
        label=label,
        validate=lambda value: _from_stdnum(module, str(label))(value),
        format=format or getattr(module, "format", module.compact),
        example=example,
    )


def be_enterprise_format(value: str) -> str:
    """A Belgian enterprise number as the KBO/BCE prints it: 0466.388.470 (python-stdnum's
    `be.vat` validates it but has no `format`; a value that is not ten digits is printed as
    given)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        return value
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def be_employer_number(value: str) -> str:
    """RSZ/ONSS employer number: 9 digits, whole number mod 97 == 96, in [100006, 199999934].

    Source: RSZ glossary "RSZ-nummer" as summarised in shared/RULES.md §2.5; the mod-97 rule is
    inferred from the published bounds (marked UNCERTAIN there) and both bounds satisfy it.
    """
    digits = "".join(ch for ch in value if ch.isdigit())
    if not 6 <= len(digits) <= 9 or not value.strip():
        raise ValueError(_("An employer number (RSZ/ONSS) has up to 9 digits."))
    digits = digits.zfill(9)
    number = int(digits)
    if not 100006 <= number <= 199999934:
        raise ValueError(
            _("This employer number (RSZ/ONSS) is outside the range of valid numbers.")
        )
    if number % 97 != 96:
        raise ValueError(
            _("This employer number (RSZ/ONSS) is not valid: its check digits do not match.")
        )
    return digits


def be_employer_format(value: str) -> str:
    digits = be_employer_number(value)
    return f"{digits[:7]}-{digits[7:]}"


BE_EMPLOYER_NUMBER = Identifier(
    kind=IdentifierKind.EMPLOYER_NUMBER,
    label=gettext_lazy("RSZ/ONSS employer number"),
    validate=be_employer_number,
    format=be_employer_format,
    example="1000063-xx",
)
