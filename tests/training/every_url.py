"""The training app's URLs for tests/test_every_url.py: a training of the world's group, held and
completed, with a certificate; and a Gianyar training no Klungkung user may see."""

from __future__ import annotations

import datetime as dt

from tests.factories import GroupFactory
from tunas.registry.models import GroupStatus
from tunas.training import services
from tunas.training.models import Certificate, Instructor

PUBLIC = {"training:verify"}


def _training(program, group, title: str, officer=None):
    start = dt.date(2026, 11, 10)
    return services.training_create(
        program=program,
        groups=[group],
        data=services.TrainingData(
            title=title, village_id=group.village_id, start_date=start, end_date=start + dt.timedelta(days=1)
        ),
        by=officer,
    )


def extend(world) -> dict[str, dict]:
    program, group, officer = world["program"], world["group"], world["officer"]
    teacher = Instructor.objects.create(office=program.office, name="I Wayan Pengajar", rate_per_hour=50_000)
    training = _training(program, group, "Pelatihan Lontar Besang", officer)
    session = training.sessions.order_by("date", "start").first()
    session.instructor = teacher
    services.session_save(session=session, by=officer)
    for s in training.sessions.all():
        services.attendance_all_present(session=s, by=officer, today=s.date)
    services.training_complete(training=training, by=officer)
    certificate = services.certificates_issue(training=training, by=officer)[0]
    # Letters only, so that no digit of a record's id appears in the public page's address by chance.
    Certificate.objects.filter(pk=certificate.pk).update(code="ABCDEFGHJKMN")
    certificate.refresh_from_db()

    gianyar = world["gianyar_program"]
    foreign_group = GroupFactory(
        program=gianyar, name="Tenun Gianyar Rahasia", village_id="51.04.01.2001", status=GroupStatus.VERIFIED
    )
    _training(gianyar, foreign_group, "Pelatihan Rahasia Gianyar")
    Instructor.objects.create(office=gianyar.office, name="Instruktur Rahasia Gianyar")
    world["foreign_texts"] += ["Pelatihan Rahasia Gianyar", "Instruktur Rahasia Gianyar"]

    day = {"pk": training.pk, "day": training.start_date.isoformat()}
    return {
        "training:create": {"code": program.code},
        "training:settings": {"code": program.code},
        "training:detail": {"pk": training.pk},
        "training:edit": {"pk": training.pk},
        "training:session_add": {"pk": training.pk},
        "training:complete": {"pk": training.pk},
        "training:certificates_issue": {"pk": training.pk},
        "training:certificates_pdf": {"pk": training.pk},
        "training:costs": {"pk": training.pk},
        "training:sheet_pdf": day,
        "training:sheet_upload": day,
        "training:sheet_photo": day,
        "training:certificate_issue": {"pk": training.pk, "member": world["member"].pk},
        "training:session_edit": {"pk": session.pk},
        "training:session_delete": {"pk": session.pk},
        "training:attendance": {"pk": session.pk},
        "training:certificate_pdf": {"pk": certificate.pk},
        "training:certificate_revoke": {"pk": certificate.pk},
        "training:instructor_detail": {"pk": teacher.pk},
        "training:instructor_edit": {"pk": teacher.pk},
        "training:verify": {"code": certificate.code},
    }
