"""Writes for the registry: groups, people and memberships, verification. Forms, import and API call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.core.concurrency import save_versioned
from tunas.core.errors import Problem, message_for
from tunas.core.nik import parse_nik
from tunas.regions.selectors import district_exists

from .eligibility import Candidate, EligibilityContext, check_candidate
from .models import Group, GroupStatus, Membership, Person, Role, Verification, name_key


@dataclass
class PersonData:
    """A person's registration data, already parsed into Python values."""

    nik: str
    full_name: str
    sex: str
    birth_date: dt.date
    village_id: str
    kk: str = ""
    birth_place: str = ""
    hamlet_id: int | None = None
    street: str = ""
    phone: str = ""
    education: str = ""
    disability: str = ""
    categories: list[str] = field(default_factory=list)
    employment_before: str = ""
    income_before: int | None = None
    consent_data: bool = False
    consent_public: bool = False

    def candidate(self, group_id: int | None) -> Candidate:
        return Candidate(
            nik=self.nik, full_name=self.full_name, birth_date=self.birth_date, village_code=self.village_id,
            categories=list(self.categories), phone=self.phone or None, group_id=group_id,
        )


def problems_to_validation_error(problems: list[Problem]) -> ValidationError:
    by_field: dict[str, list[ValidationError]] = {}
    for p in problems:
        by_field.setdefault(p.field or "__all__", []).append(ValidationError(p.message, code=p.code))
    return ValidationError(by_field)


def nik_problems(data: PersonData) -> list[Problem]:
    """Structural NIK errors, including disagreement with the sex and birth date entered."""
    result = parse_nik(data.nik, sex=data.sex, birth_date=data.birth_date, district_exists=district_exists)
    field_of = {"nik_sex_mismatch": "sex", "nik_birthdate_mismatch": "birth_date"}
    return [
        Problem(code=c, message=message_for(c, result.details.get(c)), field=field_of.get(c, "nik"))
        for c in result.errors
    ]


@transaction.atomic
def group_save(*, group: Group, expected_version: int | None, by=None) -> Group:
    """Creates or updates a business group; its village must lie inside the programme office's jurisdiction."""
    group.full_clean()
    prefix = group.program.office.region_code
    if prefix and not group.village_id.startswith(prefix + "."):
        raise ValidationError({"village": message_for("domicile_outside")}, code="domicile_outside")
    if group.hamlet_id and group.hamlet.village_id != group.village_id:
        raise ValidationError({"hamlet": _("The hamlet does not belong to the chosen village.")},
                              code="value_invalid")
    save_versioned(group, expected_version=expected_version)
    return group


def _apply(person: Person, data: PersonData) -> None:
    for name, value in data.__dict__.items():
        setattr(person, name, value)
    person.name_key = name_key(data.full_name)


@transaction.atomic
def member_register(*, group: Group, data: PersonData, role: str = Role.MEMBER, by=None) -> Membership:
    """Registers a person (new or known by NIK) into a group after every NIK and eligibility rule.

    Errors raise ValidationError with the DESIGN.md codes per field; warnings (possible duplicates under
    another NIK) are stored on the membership for an officer to resolve.
    """
    program = group.program
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    context = EligibilityContext(program, [data.candidate(group.pk)])
    errors, warnings = check_candidate(data.candidate(group.pk), context)
    if errors:
        raise problems_to_validation_error(errors)
    person = Person.objects.select_for_update().filter(nik=data.nik).first() or Person(created_by=by)
    _apply(person, data)
    person.full_clean()
    person.save()
    membership = Membership(
        program=program, group=group, person=person, role=role,
        warnings=[{"code": w.code, "message": w.message} for w in warnings],
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def member_update(*, membership: Membership, data: PersonData, role: str, expected_version: int | None,
                  by=None) -> Membership:
    """Changes a member's personal data and role, re-checking every rule against everyone else."""
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    person = membership.person
    if data.nik != person.nik and Person.objects.filter(nik=data.nik).exists():
        raise ValidationError({"nik": message_for("duplicate_in_program")}, code="duplicate_in_program")
    context = EligibilityContext(membership.program, [data.candidate(None)], exclude_membership_id=membership.pk)
    errors, _warnings = check_candidate(data.candidate(None), context)
    if errors:
        raise problems_to_validation_error(errors)
    _apply(person, data)
    person.full_clean()
    person.save()
    membership.role = role
    save_versioned(membership, expected_version=expected_version)
    return membership


@transaction.atomic
def member_verify(*, membership: Membership, approve: bool, reason: str, by) -> Membership:
    """Records a verifier's decision on one member; a rejection needs a reason. Who and when are kept."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")}, code="required")
    membership.verification = Verification.APPROVED if approve else Verification.REJECTED
    membership.verification_reason = reason
    membership.verified_by = by
    membership.verified_at = timezone.now()
    membership.version += 1
    membership.save()
    return membership


@transaction.atomic
def group_verify(*, group: Group, approve: bool, reason: str, by) -> Group:
    """Verifies or rejects a group. A group is verified only when no member still waits for a decision."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")}, code="required")
    if approve:
        pending = group.memberships.filter(verification=Verification.PENDING).count()
        if pending:
            raise ValidationError(
                _("%(n)s member(s) of this group still wait for verification. Decide on them first.")
                % {"n": pending},
                code="value_invalid",
            )
        approved = group.memberships.filter(verification=Verification.APPROVED).count()
        if approved < group.program.group_size_min:
            raise ValidationError(
                _("The group has %(n)s verified member(s); the programme needs at least %(min)s.")
                % {"n": approved, "min": group.program.group_size_min},
                code="value_invalid",
            )
    group.status = GroupStatus.VERIFIED if approve else GroupStatus.REJECTED
    group.verification_note = reason
    group.verified_by = by
    group.verified_at = timezone.now()
    group.version += 1
    group.save()
    return group


@transaction.atomic
def membership_warnings_resolve(*, membership: Membership, by) -> Membership:
    """An officer confirms the possible duplicates were checked and are different people."""
    membership.warnings_resolved_by = by
    membership.save(update_fields=["warnings_resolved_by", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by=None) -> None:
    """Takes a member out of a group before verification (the person record stays, with its history)."""
    if membership.verification == Verification.APPROVED:
        raise ValidationError(_("A verified member cannot be removed; reject them with a reason instead."),
                              code="value_invalid")
    membership.delete()
