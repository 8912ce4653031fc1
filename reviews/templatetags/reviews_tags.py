"""Reviews' part of the submission page, included by templates/reviews/submission_detail.html.

The learners app renders the iterations; these tags add what the reviews app owns (published
reviews, the conversation) so neither app has to know the other's querysets.
"""

from django import template

from learners.links import blob_line_url
from reviews import selectors
from reviews.forms import ReplyForm
from reviews.wording import duration

register = template.Library()


register.filter("duration", duration)


@register.filter
def line_url(comment, iteration):
    """A link to the comment's file and line at the reviewed commit; None for unknown hosts."""
    return blob_line_url(iteration.repo_url, iteration.commit_sha, comment.path, comment.line)


@register.inclusion_tag("reviews/includes/submission_reviews.html")
def submission_reviews(submission):
    # Two queries whatever the number of reviews and comments.
    return {"reviews": selectors.published_reviews_for(submission)}


@register.inclusion_tag("reviews/includes/submission_conversation.html", takes_context=True)
def submission_conversation(context, submission):
    request, user = context.get("request"), context.get("user")
    # One query: the replies with their authors and whether each mentors the cohort.
    replies = selectors.replies_for(submission)
    for reply in replies:
        if reply.author_id == submission.learner_id:
            reply.role = "Learner"
        elif reply.author_is_mentor:
            reply.role = "Mentor"
        elif reply.author.is_staff:
            reply.role = "Staff"
        else:
            reply.role = "Former mentor"
    return {
        "submission": submission,
        "replies": replies,
        "form": ReplyForm.for_conversation(
            getattr(request, "session", None), submission=submission, author=user
        ),
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
