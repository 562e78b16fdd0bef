"""Lots of the DPS and the services (settings) providers run. The enrolment and quality
score capability builds on these."""

from django.core.exceptions import ValidationError
from django.db import models


class Lot(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class OfstedRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_YET_INSPECTED = "not_yet_inspected", "Not yet inspected"


class Service(models.Model):
    """A home, fostering service, accommodation or school that a provider runs."""

    class Type(models.TextChoices):
        CHILDRENS_HOME = "childrens_home", "Children's home"
        FOSTERING = "fostering", "Fostering service"
        SUPPORTED_ACCOMMODATION = "supported_accommodation", "Supported accommodation"
        SCHOOL = "school", "School"
        PARENT_AND_CHILD = "parent_and_child", "Parent and child"

    class Genders(models.TextChoices):
        ANY = "any", "Any"
        FEMALE = "female", "Female only"
        MALE = "male", "Male only"

    provider = models.ForeignKey(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        limit_choices_to={"kind": "provider"},
    )
    service_type = models.CharField(max_length=30, choices=Type.choices)
    name = models.CharField(max_length=200)
    ofsted_urn = models.CharField("Ofsted URN", max_length=20, blank=True, db_index=True)
    ofsted_rating = models.CharField(
        max_length=30, choices=OfstedRating.choices, default=OfstedRating.NOT_YET_INSPECTED
    )
    inspection_date = models.DateField(null=True, blank=True)
    registered_places = models.PositiveSmallIntegerField(default=0)
    vacancies = models.PositiveSmallIntegerField(default=0)
    vacancies_updated_at = models.DateTimeField(null=True, blank=True)
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(default=17)
    genders = models.CharField(max_length=10, choices=Genders.choices, default=Genders.ANY)
    local_authority = models.CharField(max_length=100, blank=True)
    postcode_district = models.CharField(max_length=8, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider__name", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.age_min > self.age_max:
            raise ValidationError({"age_max": "The oldest age must not be below the youngest."})
        if self.vacancies > self.registered_places:
            raise ValidationError({"vacancies": "Vacancies cannot exceed registered places."})
