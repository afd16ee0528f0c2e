"""Writes for the registry: groups, people and memberships, verification. Forms, import and API call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.core.concurrency import save_versioned
from tunas.core.errors import ConflictError, Problem, message_for
from tunas.core.nik import parse_nik
from tunas.regions.models import Hamlet, Village
from tunas.regions.selectors import district_exists
from tunas.regions.services import hamlet_get_or_create

from . import rules
from .eligibility import Candidate, EligibilityContext, check_candidate
from .models import Group, GroupStatus, Membership, Person, Role, Verification, name_key

if TYPE_CHECKING:
    from tunas.accounts.models import User

# Kept importable from here for callers of the first release; the rules live in rules.py.
OPEN_STATUSES = rules.OPEN_STATUSES
SINGLE_ROLES = rules.SINGLE_ROLES


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
            nik=self.nik,
            full_name=self.full_name,
            birth_date=self.birth_date,
            village_code=self.village_id,
            categories=list(self.categories),
            phone=self.phone or None,
            group_id=group_id,
        )


def field_error(field_name: str, message: str, code: str) -> ValidationError:
    """An error beside one field that keeps its stable code (a dict of plain strings would drop it)."""
    return ValidationError({field_name: ValidationError(message, code=code)})


def problems_to_validation_error(problems: list[Problem]) -> ValidationError:
    """One ValidationError holding every problem beside its field, each with its stable code."""
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
    """Creates or updates a group: a name unique in its programme, a village inside the office's area."""
    if group.name and group.program_id:
        same_name = Group.objects.filter(program_id=group.program_id, name__iexact=group.name.strip())
        if same_name.exclude(pk=group.pk).exists():
            raise field_error(
                "name",
                _("A group with this name already exists in this programme. Choose another name."),
                "value_invalid",
            )
    group.full_clean()
    prefix = group.program.office.region_code
    if prefix and not group.village_id.startswith(prefix + "."):
        raise field_error("village", message_for("domicile_outside"), "domicile_outside")
    if group.hamlet is not None and group.hamlet.village_id != group.village_id:
        raise field_error("hamlet", _("The hamlet does not belong to the chosen village."), "value_invalid")
    save_versioned(group, expected_version=expected_version)
    return group


def hamlet_resolve(*, village: Village | None, text: str, by=None) -> tuple[Hamlet | None, bool]:
    """The village's hamlet named ``text``, added to the village's list when new; None without a name."""
    text = " ".join((text or "").split())
    if village is None or not text:
        return None, False
    return hamlet_get_or_create(village=village, text=text, by=by)


@transaction.atomic
def group_save_with_hamlet(
    *, group: Group, hamlet_text: str, expected_version: int | None, by=None
) -> tuple[Group, bool]:
    """Saves a group whose hamlet was chosen or typed; a new hamlet is kept only if the group saves."""
    hamlet, created = hamlet_resolve(
        village=group.village if group.village_id else None, text=hamlet_text, by=by
    )
    group.hamlet = hamlet
    group_save(group=group, expected_version=expected_version, by=by)
    return group, created


def _apply(person: Person, data: PersonData) -> None:
    for name, value in data.__dict__.items():
        setattr(person, name, value)
    person.name_key = name_key(data.full_name)


def _check_group_open(group: Group) -> None:
    if not rules.group_is_open(group):
        raise ValidationError(
            _("The group is %(status)s; its members can no longer change.")
            % {"status": group.get_status_display()},
            code="value_invalid",
        )


def _check_single_role(group: Group, role: str, exclude_membership_id: int | None = None) -> None:
    if not rules.role_is_single(role):
        return
    holders = group.memberships.filter(role=role).exclude(verification=Verification.REJECTED)
    if exclude_membership_id is not None:
        holders = holders.exclude(pk=exclude_membership_id)
    taken = holders.exists()
    if taken:
        raise field_error(
            "role",
            _("This group already has a %(role)s. Choose another role or change theirs first.")
            % {"role": Role(role).label.lower()},
            "value_invalid",
        )


def _warnings_data(warnings: list[Problem]) -> list[dict]:
    return [{"code": w.code, "message": w.message} for w in warnings]


@transaction.atomic
def member_register(*, group: Group, data: PersonData, role: str = Role.MEMBER, by=None) -> Membership:
    """Registers a person (new or known by NIK) into a group after every NIK and eligibility rule.

    Errors raise ValidationError with the DESIGN.md codes per field; warnings (possible duplicates under
    another NIK) are stored on the membership for an officer to resolve.
    """
    program = group.program
    _check_group_open(group)
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    context = EligibilityContext(program, [data.candidate(group.pk)])
    errors, warnings = check_candidate(data.candidate(group.pk), context)
    if errors:
        raise problems_to_validation_error(errors)
    _check_single_role(group, role)
    person = Person.objects.select_for_update().filter(nik=data.nik).first() or Person(created_by=by)
    _apply(person, data)
    person.full_clean()
    person.save()
    membership = Membership(
        program=program,
        group=group,
        person=person,
        role=role,
        warnings=_warnings_data(warnings),
    )
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def member_update(
    *, membership: Membership, data: PersonData, role: str, expected_version: int | None, by=None
) -> Membership:
    """Changes a member's personal data and role, re-checking every rule against everyone else.

    New possible-duplicate warnings replace the stored ones and reopen them for an officer.
    """
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    person = membership.person
    if data.nik != person.nik:
        other = Person.objects.filter(nik=data.nik).first()
        if other is not None:
            if Membership.objects.filter(program_id=membership.program_id, person=other).exists():
                raise field_error("nik", message_for("duplicate_in_program"), "duplicate_in_program")
            raise field_error(
                "nik",
                _("Another person is already registered with this NIK. Check the number on the ID card."),
                "value_invalid",
            )
    context = EligibilityContext(
        membership.program, [data.candidate(None)], exclude_membership_id=membership.pk
    )
    errors, warnings = check_candidate(data.candidate(None), context)
    if errors:
        raise problems_to_validation_error(errors)
    _check_single_role(membership.group, role, exclude_membership_id=membership.pk)
    _apply(person, data)
    person.full_clean()
    person.save()
    membership.role = role
    new_warnings = _warnings_data(warnings)
    if new_warnings != membership.warnings:
        membership.warnings = new_warnings
        membership.warnings_resolved_by = None
    save_versioned(membership, expected_version=expected_version)
    return membership


@transaction.atomic
def member_save(
    *,
    data: PersonData,
    hamlet_text: str,
    role: str,
    group: Group | None = None,
    membership: Membership | None = None,
    expected_version: int | None = None,
    by=None,
) -> tuple[Membership, bool]:
    """Registers (``group``) or updates (``membership``) a member whose hamlet was chosen or typed by name.

    A hamlet typed for the first time is added to the village's list, and kept only if the member saves.
    """
    village = Village.objects.filter(code=data.village_id).first() if data.village_id else None
    hamlet, created = hamlet_resolve(village=village, text=hamlet_text, by=by)
    data.hamlet_id = hamlet.pk if hamlet else None
    if membership is None:
        if group is None:
            raise ValueError("member_save needs a group to register into, or a membership to update")
        return member_register(group=group, data=data, role=role, by=by), created
    return member_update(
        membership=membership, data=data, role=role, expected_version=expected_version, by=by
    ), created


@transaction.atomic
def member_verify(
    *,
    membership: Membership,
    approve: bool,
    reason: str,
    by: User | None,
    expected_version: int | None = None,
) -> Membership:
    """Records a verifier's decision on one member; a rejection needs a reason. Who and when are kept.

    Decisions stay open while the group is forming; once the group is verified only late members wait.
    With ``expected_version`` (the version the verifier saw), a decision made meanwhile by someone else is
    not overwritten: this one is refused, saying what the other decided.
    """
    reason = (reason or "").strip()
    if not approve and not reason:
        raise field_error("reason", _("Give the reason for the rejection."), "required")
    if not rules.decision_may_change(membership):
        group = membership.group
        raise ValidationError(
            _("The group is %(status)s; decisions on its members can no longer change.")
            % {"status": group.get_status_display()},
            code="value_invalid",
        )
    membership.verification = Verification.APPROVED if approve else Verification.REJECTED
    membership.verification_reason = reason
    membership.verified_by = by
    membership.verified_at = timezone.now()
    if expected_version is None:
        membership.version += 1
        membership.save()
        return membership
    try:
        save_versioned(membership, expected_version=expected_version)
    except ConflictError:
        raise ConflictError(_decided_meanwhile(Membership.objects.get(pk=membership.pk))) from None
    return membership


def _decided_meanwhile(current: Membership) -> str:
    who = current.verified_by.get_full_name() or current.verified_by.username if current.verified_by else "—"
    return _("Meanwhile %(who)s recorded: %(decision)s. Check the member again before deciding.") % {
        "who": who,
        "decision": current.get_verification_display(),
    }


@transaction.atomic
def group_verify(*, group: Group, approve: bool, reason: str, by: User | None) -> Group:
    """Verifies or rejects a group. A group is verified only when no member still waits for a decision."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise field_error("reason", _("Give the reason for the rejection."), "required")
    if not rules.group_is_decidable(group):
        raise ValidationError(
            _("The group is %(status)s; its verification can no longer change.")
            % {"status": group.get_status_display()},
            code="value_invalid",
        )
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
    if not membership.warnings:
        raise ValidationError(_("This member has no warnings to resolve."), code="value_invalid")
    membership.warnings_resolved_by = by
    membership.save(update_fields=["warnings_resolved_by", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by=None) -> None:
    """Takes a member out of a group before verification (the person record stays, with its history)."""
    if membership.verification != Verification.PENDING:
        raise ValidationError(
            _("Only a member still waiting for verification can be removed; the decision on them is kept."),
            code="value_invalid",
        )
    _check_group_open(membership.group)
    membership.delete()
