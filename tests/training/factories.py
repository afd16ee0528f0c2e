"""Factories of the training app's records."""

from __future__ import annotations

import factory

from tests.factories import OfficeFactory
from tunas.training.models import Instructor


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructor

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"I Ketut Instruktur {n}")
    expertise = "Kerajinan lontar"
    business = "Usaha anyaman lontar"
    business_since = 2009
    rate_per_hour = 75_000
    village_id = "51.05.03.1008"
