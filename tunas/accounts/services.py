"""Writes for offices and users."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Office, User
from .roles import Role


def role_groups_ensure() -> None:
    """Creates the Django group behind each role (idempotent)."""
    for key in Role.values:
        Group.objects.get_or_create(name=key)


@transaction.atomic
def office_upsert(*, name: str, level: str, region_code: str, short_name: str = "", **extra) -> Office:
    """Creates or updates the office with this name and jurisdiction."""
    office, _ = Office.objects.get_or_create(
        name=name, region_code=region_code, defaults={"level": level, "short_name": short_name, **extra}
    )
    office.level, office.short_name = level, short_name or office.short_name
    for key, value in extra.items():
        setattr(office, key, value)
    office.full_clean()
    office.save()
    return office


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> None:
    """Replaces a user's roles with ``roles`` (keys of Role)."""
    role_groups_ensure()
    user.groups.set(Group.objects.filter(name__in=[r for r in roles if r in Role.values]))
    user.__dict__.pop("roles", None)


# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_FIRST_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105


@transaction.atomic
def user_first_password(*, user: User) -> str:
    """Gives a user without e-mail a random first password, returned once to show to the administrator."""
    password = "".join(secrets.choice(_FIRST_PASSWORD_ALPHABET) for _ in range(12))
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


@transaction.atomic
def user_save(*, user: User, office: Office | None, roles: list[str], password: str | None = None) -> User:
    """Saves a user of ``office`` with ``roles``; sets the password when one is given."""
    user.office = office
    if password:
        user.set_password(password)
    elif not user.pk:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles)
    return user
