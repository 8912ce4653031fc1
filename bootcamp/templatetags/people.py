from django import template

from bootcamp.people import display_name

register = template.Library()

register.filter("display_name", display_name)
