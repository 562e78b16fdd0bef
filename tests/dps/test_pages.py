"""Calling a service from a page: its result, or its refusal shown on the form (the one helper
every app's pages use)."""

from django import forms

from dps.pages import submit
from dps.services import DomainError


class NameForm(forms.Form):
    name = forms.CharField()
    start_date = forms.CharField(required=False)


def bound(**data):
    form = NameForm({"name": "Hillside", **data})
    assert form.is_valid()
    return form


def refuse(message, field=None):
    def service(**kwargs):
        raise DomainError(message, field)

    return service


def test_it_calls_the_service_with_the_forms_data_and_the_arguments_given():
    def service_create(*, actor, name, start_date):
        return (actor, name, start_date)

    assert submit(bound(), service_create, actor="alice") == ("alice", "Hillside", "")
    assert submit(bound(), service_create, {"name": "Other", "start_date": ""}, actor="bob") == (
        "bob",
        "Other",
        "",
    )


def test_a_service_may_take_arguments_named_form_service_or_data():
    def service_update(*, service, form, name, start_date):
        return (service, form, name)

    assert submit(bound(), service_update, service="svc", form="f") == ("svc", "f", "Hillside")


def test_a_refusal_is_shown_beside_the_field_it_names_and_the_result_is_none():
    form = bound()
    assert submit(form, refuse("Choose another name.", "name")) is None
    assert form.errors == {"name": ["Choose another name."]}


def test_a_refusal_naming_no_field_of_the_form_is_shown_above_it():
    form = bound()
    assert submit(form, refuse("This request is closed.", "deadline")) is None
    assert form.non_field_errors() == ["This request is closed."]


def test_a_form_may_say_which_of_its_fields_a_refusal_is_about():
    class DatedForm(NameForm):
        def field_for(self, name):
            return {"start": "start_date"}.get(name, name)

    form = DatedForm({"name": "Hillside"})
    assert form.is_valid()
    submit(form, refuse("The start cannot be in the past.", "start"))
    assert form.errors == {"start_date": ["The start cannot be in the past."]}


def test_a_refusal_listing_problems_puts_each_beside_its_field():
    class Incomplete(DomainError):
        def __init__(self, problems):
            super().__init__("2 things to put right.", next(iter(problems)))
            self.problems = problems

    class ProblemsForm(NameForm):
        def add_problems(self, problems):
            for name, message in problems.items():
                self.add_error(name, message)

    def publish(**kwargs):
        raise Incomplete({"name": "Enter a name.", "start_date": "Enter the start."})

    form = ProblemsForm({"name": "x"})
    assert form.is_valid()
    assert submit(form, publish) is None
    assert form.errors == {"name": ["Enter a name."], "start_date": ["Enter the start."]}
