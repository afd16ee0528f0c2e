"""Writes for the registry: groups, people and memberships, verification. Forms, import and API call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.core.concurrency import save_versioned
from tunas.core.errors import ConflictError, Problem, message_for
from tunas.core.formatting import date_long
from tunas.core.nik import parse_nik
from tunas.core.text import clean_text, has_direction_controls
from tunas.regions.models import Hamlet, Village
from tunas.regions.selectors import district_exists
from tunas.regions.services import hamlet_get_or_create

from . import counts, rules, selectors
from .eligibility import Candidate, EligibilityContext, check_candidate
from .extensions import selection_listeners
from .models import Group, GroupStatus, Membership, Person, Role, Verification, name_key

if TYPE_CHECKING:
    from tunas.accounts.models import User


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
            sex=self.sex,
            employment=self.employment_before,
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
        Problem(code=c, message=nik_message(c, result), field=field_of.get(c, "nik")) for c in result.errors
    ]


def nik_message(code: str, result) -> str:
    """The sentence for a NIK problem; a birth-date mismatch also says which date the NIK holds."""
    message = message_for(code, result.details.get(code))
    if code == "nik_birthdate_mismatch" and result.birth_date:
        message += " " + _("The NIK holds %(day)s.") % {"day": date_long(result.birth_date)}
    return message


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
    counts.refresh(groups=[group.pk])
    return group


# The steps a selected group takes after verification, in order (training, aid handover, mentoring, done).
GROUP_PROGRESS: list[str] = [str(s) for s in rules.SELECTED_GROUP_STATUSES]


@transaction.atomic
def group_progress_to(*, group: Group, status: str, by=None, reason: str = "") -> Group:
    """Moves a selected group forward to ``status`` (trained, equipped, mentored, graduated); a group that
    is already there or further stays where it is, and a group that was not selected cannot move."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if group.status not in GROUP_PROGRESS or status not in GROUP_PROGRESS:
        raise ValidationError(_("Only a selected group can move on."), code="value_invalid")
    if GROUP_PROGRESS.index(status) <= GROUP_PROGRESS.index(group.status):
        return group
    group.status = status
    reason = reason or str(GroupStatus(status).label)
    group._change_reason = history_reason(reason)  # type: ignore[attr-defined]
    save_versioned(group, expected_version=group.version)
    counts.refresh(groups=[group.pk])
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


# Identity and registration ---------------------------------------------------------------------------------

TEXT_FIELDS = ("full_name", "birth_place", "street")


def clean_person_data(data: PersonData) -> PersonData:
    """Names and addresses in one Unicode form without invisible characters; direction controls refused."""
    for name in TEXT_FIELDS:
        value = getattr(data, name)
        if has_direction_controls(value):
            raise field_error(name, message_for("text_control_characters"), "text_control_characters")
        setattr(data, name, clean_text(value))
    return data


def _identity(data: PersonData) -> dict:
    return {name: getattr(data, name) for name in rules.IDENTITY_FIELDS}


def _declared(data: PersonData) -> dict:
    return {name: getattr(data, name) for name in rules.DECLARED_FIELDS}


def _identity_differs(person: Person, data: PersonData) -> bool:
    return rules.identity_differs(
        person,
        full_name=data.full_name,
        sex=data.sex,
        birth_date=data.birth_date,
        birth_place=data.birth_place,
    )


def _set_identity(person: Person, data: PersonData) -> None:
    for name, value in _identity(data).items():
        if name == "birth_place" and not value and person.pk:
            continue
        setattr(person, name, value)
    person.name_key = name_key(person.full_name)


def _set_declared(membership: Membership, data: PersonData) -> None:
    for name, value in _declared(data).items():
        setattr(membership, name, value)


# django-simple-history keeps a change's reason in 100 characters.
HISTORY_REASON_MAX = 100


def history_reason(text: str) -> str:
    """A reason as the history keeps it: whole when it fits, else cut with an ellipsis."""
    text = str(text)
    return text if len(text) <= HISTORY_REASON_MAX else text[: HISTORY_REASON_MAX - 1] + "…"


def _reason_needed(program, by, reason: str) -> str:
    """Refuses changes to a closed programme, and past verification to anyone but an administrator with a
    reason; returns the reason to keep in the audit trail."""
    lock = rules.registry_lock(program)
    if lock == "closed":
        raise ValidationError(message_for("programme_closed"), code="programme_closed")
    if lock == "admin":
        if not rules.may_edit_registry(program, by):
            raise ValidationError(message_for("registry_locked"), code="registry_locked")
        if not (reason or "").strip():
            raise field_error(
                "change_reason", _("Give the reason for changing data after verification."), "required"
            )
    return (reason or "").strip()


def _back_to_queue(membership: Membership, reason: str) -> None:
    membership.sent_back_to_queue = True  # type: ignore[attr-defined]  # read by the page that saved it
    membership.verification = Verification.PENDING
    membership.verification_reason = ""
    membership.verified_by = None
    membership.verified_at = None
    membership._change_reason = history_reason(reason)  # type: ignore[attr-defined]


def _correct_identity(
    *, person: Person, data: PersonData, office, reason: str, editing: Membership | None = None
) -> bool:
    """Applies an identity correction by its owner office, or refuses it without showing the other record.

    Approved open registrations of the person go back to the verification queue: what was verified changed.
    The registration being ``editing`` is left to its own edit, which sends it back the same way.
    """
    if not (_identity_differs(person, data) or data.nik != person.nik):
        return False
    if not rules.may_correct_identity(person, office):
        raise field_error("full_name", message_for("identity_mismatch"), "identity_mismatch")
    _set_identity(person, data)
    person._change_reason = history_reason(reason or str(_("identity corrected")))  # type: ignore[attr-defined]
    person.full_clean()
    person.save()
    # The lists sort every registration of the person by the copy of their name (counts.refresh would
    # correct it too; written here, the registrations saved below already hold it).
    person.memberships.exclude(person_name=person.full_name).update(person_name=person.full_name)
    if editing is not None:
        editing.person_name = person.full_name
    others = person.memberships.filter(verification=Verification.APPROVED).select_related("group")
    if editing is not None:
        others = others.exclude(pk=editing.pk)
    for other in others:
        if rules.group_is_open(other.group):
            _back_to_queue(other, str(message_for("back_to_verification")))
            other.version += 1
            other.save()
    return True


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
    if holders.exists():
        raise field_error(
            "role",
            _("This group already has a %(role)s. Choose another role or change theirs first.")
            % {"role": Role(role).label.lower()},
            "value_invalid",
        )


def _warnings_data(warnings: list[Problem]) -> list[dict]:
    return [{"code": w.code, "message": w.message} for w in warnings]


@transaction.atomic
def member_register(
    *, group: Group, data: PersonData, role: str = Role.MEMBER, by: User | None = None, reason: str = ""
) -> Membership:
    """Registers a person (new or known by NIK) into a group after every NIK and eligibility rule.

    The identity is shared nationally: a known NIK under another name is refused unless this office owns
    the identity. What the person declares is kept on the new registration. Errors raise ValidationError
    with the DESIGN.md codes per field; warnings (possible duplicates under another NIK) are stored on the
    membership for an officer to resolve.
    """
    program = group.program
    reason = _reason_needed(program, by, reason)
    _check_group_open(group)
    data = clean_person_data(data)
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    context = EligibilityContext(program, [data.candidate(group.pk)])
    errors, warnings = check_candidate(data.candidate(group.pk), context)
    if errors:
        raise problems_to_validation_error(errors)
    _check_single_role(group, role)
    person = Person.objects.select_for_update().filter(nik=data.nik).first()
    if person is None:
        person = Person(created_by=by, owner_office=program.office)
        _set_identity(person, data)
        person.full_clean()
        person.save()
    else:
        _correct_identity(person=person, data=data, office=program.office, reason=reason)
    membership = Membership(
        program=program, group=group, person=person, role=role, warnings=_warnings_data(warnings)
    )
    membership.copy_list_keys()
    _set_declared(membership, data)
    if reason:
        membership._change_reason = history_reason(reason)  # type: ignore[attr-defined]
    membership.full_clean()
    membership.save()
    counts.refresh_people([person.pk])
    return membership


def _snapshot(membership: Membership) -> dict:
    person = membership.person
    values = {name: getattr(person, name) for name in rules.IDENTITY_FIELDS}
    values.update({name: getattr(membership, name) for name in rules.DECLARED_FIELDS})
    return values


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    data: PersonData,
    role: str,
    expected_version: int | None,
    by: User | None = None,
    reason: str = "",
) -> Membership:
    """Changes a member's registration and role (and their identity, where this office owns it).

    Every rule is checked again against everyone else. New possible-duplicate warnings replace the stored
    ones and reopen them. After a decision, a change to what the verifier checked sends the member back to
    the verification queue; past verification only an administrator may change anything, with a reason.
    """
    program = membership.program
    reason = _reason_needed(program, by, reason)
    data = clean_person_data(data)
    problems = nik_problems(data)
    if problems:
        raise problems_to_validation_error(problems)
    person = membership.person
    before = _snapshot(membership)
    if data.nik != person.nik:
        _change_nik(person=person, membership=membership, nik=data.nik, office=program.office)
    context = EligibilityContext(
        program, [data.candidate(membership.group_id)], exclude_membership_id=membership.pk
    )
    errors, warnings = check_candidate(data.candidate(membership.group_id), context)
    if errors:
        raise problems_to_validation_error(errors)
    _check_single_role(membership.group, role, exclude_membership_id=membership.pk)
    _correct_identity(person=person, data=data, office=program.office, reason=reason, editing=membership)
    _set_declared(membership, data)
    membership.role = role
    changed = rules.verified_fields_changed(before, _snapshot(membership))
    if changed and membership.verification != Verification.PENDING:
        _back_to_queue(membership, reason or str(message_for("back_to_verification")))
    elif reason:
        membership._change_reason = history_reason(reason)  # type: ignore[attr-defined]
    new_warnings = _warnings_data(warnings)
    if new_warnings != membership.warnings:
        membership.warnings = new_warnings
        membership.warnings_resolved_by = None
    membership.full_clean()
    save_versioned(membership, expected_version=expected_version)
    counts.refresh_people([membership.person_id])
    return membership


def _change_nik(*, person: Person, membership: Membership, nik: str, office) -> None:
    """A NIK typed wrongly is corrected on the identity, if no other person holds the right one."""
    other = Person.objects.filter(nik=nik).first()
    if other is not None:
        if Membership.objects.filter(program_id=membership.program_id, person=other).exists():
            raise field_error("nik", message_for("duplicate_in_program"), "duplicate_in_program")
        raise field_error(
            "nik",
            _("Another person is already registered with this NIK. Check the number on the ID card."),
            "value_invalid",
        )
    if not rules.may_correct_identity(person, office):
        raise field_error("nik", message_for("identity_mismatch"), "identity_mismatch")


@transaction.atomic
def member_save(
    *,
    data: PersonData,
    hamlet_text: str,
    role: str,
    group: Group | None = None,
    membership: Membership | None = None,
    expected_version: int | None = None,
    by: User | None = None,
    reason: str = "",
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
        return member_register(group=group, data=data, role=role, by=by, reason=reason), created
    return member_update(
        membership=membership, data=data, role=role, expected_version=expected_version, by=by, reason=reason
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
    if approve and not membership.holds_place:
        _check_place_free(membership)
    membership.verification = Verification.APPROVED if approve else Verification.REJECTED
    membership.holds_place = rules.registration_is_open(
        verification=membership.verification, group_status=membership.group.status
    )
    membership.verification_reason = reason
    membership.verified_by = by
    membership.verified_at = timezone.now()
    if expected_version is None:
        membership.version += 1
        membership.save()
    else:
        try:
            save_versioned(membership, expected_version=expected_version)
        except ConflictError:
            raise ConflictError(_decided_meanwhile(Membership.objects.get(pk=membership.pk))) from None
    counts.refresh(groups=[membership.group_id])
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
    _release_or_hold_places(group)
    counts.refresh(groups=[group.pk])
    for listener in selection_listeners:
        listener.changed([group.pk])
    return group


def _release_or_hold_places(group: Group) -> None:
    """A rejected or dissolved group frees its members' places; a group verified again holds them again."""
    if not rules.registration_is_open(verification=Verification.PENDING, group_status=group.status):
        group.memberships.filter(holds_place=True).update(holds_place=False)
        return
    for m in group.memberships.filter(holds_place=False).exclude(verification=Verification.REJECTED):
        _check_place_free(m)
        m.holds_place = True
        m.save(update_fields=["holds_place", "updated_at"])


def _check_place_free(membership: Membership) -> None:
    """Refuses to give back a place the person has taken in another group of the programme meanwhile."""
    taken = (
        Membership.objects.filter(
            program_id=membership.program_id, person_id=membership.person_id, holds_place=True
        )
        .exclude(pk=membership.pk)
        .select_related("group")
        .first()
    )
    if taken is not None:
        raise ValidationError(
            _("%(name)s has since joined the group %(group)s of this programme; decide there.")
            % {"name": membership.person.full_name, "group": taken.group.name},
            code="duplicate_in_program",
        )


@transaction.atomic
def membership_warnings_resolve(*, membership: Membership, by) -> Membership:
    """An officer confirms the possible duplicates were checked and are different people."""
    if not membership.warnings:
        raise ValidationError(_("This member has no warnings to resolve."), code="value_invalid")
    membership.warnings_resolved_by = by
    membership.save(update_fields=["warnings_resolved_by", "updated_at"])
    counts.refresh(groups=[membership.group_id])
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
    group_id = membership.group_id
    membership.delete()
    counts.refresh(groups=[group_id])


@dataclass
class BulkApproval:
    """What approving a group's members together did: who was approved, who still needs a verifier's look,
    and who was left waiting because they changed after the verifier saw the summary."""

    approved: list[Membership] = field(default_factory=list)
    needs_look: list[tuple[Membership, selectors.Recheck]] = field(default_factory=list)
    changed: list[Membership] = field(default_factory=list)


@transaction.atomic
def members_approve_without_problems(
    *, group: Group, by: User | None, expected_versions: Mapping[int, int] | None = None
) -> BulkApproval:
    """Approves the group's waiting members whose re-check finds no error and no open warning; with
    ``expected_versions`` (what the verifier's summary showed) only those, and only if unchanged since."""
    if not rules.group_is_open(group):
        raise ValidationError(
            _("The group is %(status)s; decisions on its members can no longer change.")
            % {"status": group.get_status_display()},
            code="value_invalid",
        )
    # Locked, so that a verifier deciding one of them meanwhile waits, then finds the decision taken.
    waiting = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(group=group, verification=Verification.PENDING)
        .select_related("person", "program__office")
        .order_by(selectors.ROLE_ORDER, "person__full_name")
    )
    plan = selectors.approval_plan(group=group, members=waiting)
    result = BulkApproval(needs_look=plan.needs_look)
    for membership in plan.approvable:
        if expected_versions is not None and expected_versions.get(membership.pk) != membership.version:
            result.changed.append(membership)
            continue
        member_verify(
            membership=membership, approve=True, reason="", by=by, expected_version=membership.version
        )
        result.approved.append(membership)
    return result
