"""The mentoring app's URLs for tests/test_every_url.py: a group of the world's programme assigned to a
mentor with a visit and a report; a Gianyar group whose visit findings no Klungkung user may ever see."""

from __future__ import annotations

import uuid

from tests.factories import UserFactory
from tunas.mentoring import services
from tunas.mentoring.models import Assignment, VisitPhoto
from tunas.registry.models import GroupStatus

from .factories import report_body, visit_body

PUBLIC = {"mentoring:service_worker", "mentoring:manifest", "mentoring:api_session"}


def extend(world) -> dict[str, dict]:
    group = world["group"]
    group.status = GroupStatus.EQUIPPED
    group.save(update_fields=["status"])
    program = world["program"]
    mentor = UserFactory(username="pendamping.url", office=program.office, roles=["mentor"])
    assignment = Assignment.objects.create(
        program=program, group=group, mentor=mentor, starts_on="2026-01-01"
    )
    visit = services.visit_receive(
        record_id=uuid.uuid4(), body=visit_body(group, visited_on="2026-01-05"), by=mentor
    ).record
    photo = VisitPhoto.objects.create(visit=visit, image="mentoring/none.jpg")
    report = services.report_receive(
        record_id=uuid.uuid4(), body=report_body(group, month="2026-01"), by=mentor
    ).record
    follow_up = visit.follow_ups.first()
    # Gianyar's mentoring, never shown in Klungkung.
    other_group = world["other"].group
    other_group.status = GroupStatus.EQUIPPED
    other_group.save(update_fields=["status"])
    gianyar_mentor = UserFactory(
        username="pendamping.gianyar", office=world["gianyar_program"].office, roles=["mentor"]
    )
    Assignment.objects.create(
        program=world["gianyar_program"], group=other_group, mentor=gianyar_mentor, starts_on="2026-01-01"
    )
    services.visit_receive(
        record_id=uuid.uuid4(),
        body=visit_body(other_group, visited_on="2026-01-06", findings="Temuan rahasia Gianyar"),
        by=gianyar_mentor,
    )
    world["foreign_texts"].append("Temuan rahasia Gianyar")
    code = program.code
    return {
        "mentoring:group": {"pk": group.pk},
        "mentoring:visit_form": {"pk": group.pk},
        "mentoring:report_form": {"pk": group.pk},
        "mentoring:visit_detail": {"pk": visit.pk},
        "mentoring:report_detail": {"pk": report.pk},
        "mentoring:follow_up_done": {"pk": follow_up.pk},
        "mentoring:photo_file": {"pk": photo.pk},
        "mentoring:assignments": {"code": code},
        "mentoring:assignment_end": {"pk": assignment.pk},
        "mentoring:settings": {"code": code},
        "mentoring:api_visit": {"pk": visit.pk},
        "mentoring:api_report": {"pk": report.pk},
    }
