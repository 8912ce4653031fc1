import re

import pytest
from django import forms

from bootcamp.templatetags.fields import _widget_html


class SampleForm(forms.Form):
    title = forms.CharField(max_length=30, required=False)
    count = forms.IntegerField(min_value=1, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "disabled": True}))
    mail = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"hidden": False}))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"title": '<b>"x" & y</b>', "count": "7", "body": "</textarea><script>", "mail": "a@b"},
        {"title": "", "count": "nope", "body": "", "mail": ""},
    ],
)
def test_widget_html_matches_djangos_widget_templates_escaping_included(data):
    form = SampleForm(data)
    for name in form.fields:
        attrs = {"class": "form-control", "aria-describedby": 'id_x "quoted"'}
        assert _widget_html(form[name], dict(attrs)) == form[name].as_widget(attrs=dict(attrs))


@pytest.mark.parametrize(
    ("data", "publish"),
    [
        (None, False),
        ({"summary": "x", "verdict": "approve"}, True),
        ({"summary": "", "verdict": ""}, True),
        ({"verdict": "bogus<"}, False),
    ],
)
def test_bootstrap_radios_matches_crispys_markup_apart_from_whitespace(data, publish):
    from django.template import engines

    from bootcamp.templatetags.fields import bootstrap_radios
    from reviews.forms import ReviewForm

    crispy = engines["django"].from_string(
        "{% load crispy_forms_tags %}{{ form.verdict|as_crispy_field }}"
    )
    form = ReviewForm(data, iteration=None, mentor=None, publish=publish)
    if data:
        form.is_valid()

    def squash(html):
        return re.sub(r"\s+", "", str(html))

    assert squash(bootstrap_radios(form["verdict"])) == squash(crispy.render({"form": form}))
