"""Filters for the reviews app's templates: how long ago, and a comment's line on its host."""

from django import template

from learners.links import blob_line_url
from reviews.wording import duration

register = template.Library()


register.filter("duration", duration)


@register.filter
def line_url(comment, iteration):
    """A link to the comment's file and line at the reviewed commit; None for unknown hosts."""
    return blob_line_url(iteration.repo_url, iteration.commit_sha, comment.path, comment.line)
