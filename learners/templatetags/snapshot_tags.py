from django import template

from learners.selectors import iteration_automated_checks

register = template.Library()


@register.inclusion_tag("learners/includes/automated_checks.html", takes_context=True)
def automated_checks(context, iteration, can_rerun=False, ticked=None):
    """An iteration's "Automated checks" section (three queries): its snapshot's state, each
    check with its evidence, and the checklist ticks beside the checks they name. `ticked`:
    the iteration's ticked checklist items, when the page read them already."""
    return {
        "checks": iteration_automated_checks(
            iteration=iteration,
            ticked=None if ticked is None else {item.pk for item in ticked},
        ),
        "can_rerun": can_rerun,
        "csrf_token": context.get("csrf_token"),
    }
