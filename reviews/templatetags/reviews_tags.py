"""Filters for the reviews app's templates: how long ago, and a comment's line on its host."""

from django import template

from learners.links import blob_line_url
from reviews.forms import CommentReplyForm
from reviews.wording import duration

register = template.Library()


register.filter("duration", duration)


@register.filter
def line_url(comment, iteration):
    """A link to the comment's file and line at the reviewed commit; None for unknown hosts."""
    return blob_line_url(iteration.repo_url, iteration.commit_sha, comment.path, comment.line)


@register.inclusion_tag("reviews/includes/comment_thread.html", takes_context=True)
def comment_thread(context, comment, back="submission"):
    """A published comment's thread (its `replies` prefetched) and the form to answer it."""
    request = context["request"]
    return {
        "comment": comment,
        "replies": comment.replies.all(),
        "submission_pk": context["submission"].pk,
        "form": CommentReplyForm(initial={"back": back}, comment=comment, author=request.user),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
