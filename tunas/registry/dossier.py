"""The registry's part of the programme dossier: groups with their members, NIK masked."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When

from tunas.core.nik import mask_nik

from .models import Group, Membership, Role

# Officers list a group chair first, then secretary, treasurer and members.
ROLE_ORDER = Case(
    *[When(role=role, then=Value(i)) for i, role in enumerate(Role.values)],
    output_field=IntegerField(),
)


def groups_dossier(program) -> list[dict]:
    """Groups of a programme with members; two queries whatever the size."""
    groups = list(Group.objects.filter(program=program).select_related("village", "hamlet").order_by("name"))
    members: dict[int, list[dict]] = {g.pk: [] for g in groups}
    for m in (
        Membership.objects.filter(program=program)
        .select_related("person")
        .order_by("group_id", ROLE_ORDER, "person__full_name")
    ):
        p = m.person
        members[m.group_id].append(
            {
                "nik": mask_nik(p.nik),
                "name": p.full_name,
                "sex": p.sex,
                "birth_date": p.birth_date.isoformat(),
                "categories": list(m.categories),
                "role": m.role,
                "verification": m.verification,
            }
        )
    return [
        {
            "name": g.name,
            "business_type": g.business_type,
            "village_code": g.village_id,
            "hamlet": str(g.hamlet) if g.hamlet else None,
            "status": g.status,
            "members": members[g.pk],
        }
        for g in groups
    ]
