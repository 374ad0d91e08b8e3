"""factory-boy factories: each builds only what a test needs."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from org.models import Department, Employee


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass12345")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.LazyAttribute(lambda d: f"Department {d.code}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda e: e.user.username)
    department = factory.SubFactory(DepartmentFactory)
    level = "junior"
    hired_on = dt.date(2024, 1, 1)
