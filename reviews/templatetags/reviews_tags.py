"""Reviews' part of the submission page, included by templates/learners/submission_detail.html.

The learners app renders the iterations; these tags add what the reviews app owns (published
reviews, the conversation) so neither app has to know the other's querysets.
"""

from django import template

register = template.Library()


@register.inclusion_tag("reviews/includes/submission_reviews.html", takes_context=True)
def submission_reviews(context, submission):
    return {
        "submission": submission,
        "request": context.get("request"),
        "user": context.get("user"),
    }


@register.inclusion_tag("reviews/includes/submission_conversation.html", takes_context=True)
def submission_conversation(context, submission):
    return {
        "submission": submission,
        "request": context.get("request"),
        "user": context.get("user"),
    }
