"""The code at a reviewed commit: one file, the changes since the review that asked for them,
and the two ways of writing about a line (a comment added to the mentor's draft, an answer in
a published comment's thread). The pages are as private as the submission: its learner, its
cohort's mentors and staff (learners.access); only the mentor holding the claim gets line
numbers that start a comment."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from bootcamp.people import display_name
from learners.access import get_submission_for_user
from learners.highlight import blob_lines
from learners.models import Submission
from learners.services import TransitionError
from reviews import selectors
from reviews.code import changes_between, file_rows
from reviews.forms import CommentReplyForm, InlineCommentForm
from reviews.models import ReviewComment
from reviews.services import ReviewError, review_comment_add
from reviews.wording import work_name


def _iteration(submission: Submission, number: int):
    return get_object_or_404(submission.iterations, number=number)


def _may_comment(request, submission: Submission, iteration) -> bool:
    """The mentor holding the claim, on the latest iteration: the one their review is of."""
    return (
        submission.status == Submission.Status.IN_REVIEW
        and submission.claimed_by_id == request.user.pk
        and not submission.iterations.filter(number__gt=iteration.number).exists()
    )


class _Labelled:
    """A comment as a row under its line shows it: who wrote it, and the text."""

    def __init__(self, comment):
        self.body = comment.body
        if comment.review.published_at is None:
            self.label = "Your draft comment (not published yet)"
        else:
            self.label = f"Comment by {display_name(comment.review.mentor)}"
        self.comment = comment


def _inline_form_html(request, *, form, submission, iteration) -> str:
    return render_to_string(
        "reviews/includes/inline_comment_form.html",
        {"form": form, "submission": submission, "iteration": iteration},
        request=request,
    )


def _file_page(request, *, submission, iteration, path, form=None, status=200):
    entry = selectors.snapshot_file_for(iteration, path) if "\x00" not in path else None
    if entry is None:
        raise Http404("No such file at this commit.")
    may_comment = _may_comment(request, submission, iteration)
    review_url = reverse("reviews:review", args=[submission.pk]) if may_comment else None
    comments_at = {}
    for comment in selectors.file_comments_for(iteration=iteration, path=path, viewer=request.user):
        comments_at.setdefault(comment.line, []).append(_Labelled(comment))
    rows = None
    if entry.blob is not None:
        lines = blob_lines(entry.blob, path=path)
        rows = file_rows(lines, path=path, review_url=review_url, comments_at=comments_at)
    blank = InlineCommentForm(initial={"path": path})
    return render(
        request,
        "reviews/code_file.html",
        {
            "submission": submission,
            "work_name": work_name(submission),
            "iteration": iteration,
            "entry": entry,
            "rows": rows,
            "may_comment": may_comment,
            "inline_form": blank,
            "rejected_form_html": (
                _inline_form_html(request, form=form, submission=submission, iteration=iteration)
                if form is not None
                else ""
            ),
            "rejected_line": form.data.get("line") if form is not None else None,
        },
        status=status,
    )


@login_required
@require_safe
def files_view(request, pk, number):
    """The files at the iteration's commit, each opening in the file view: where the submission
    page's "Browse the files" leads (the review page lists them beside the review form)."""
    submission = get_submission_for_user(request.user, pk)
    if submission.project.is_bug_story:
        raise Http404("A bug story has no repository.")
    iteration = _iteration(submission, number)
    return render(
        request,
        "reviews/code_files.html",
        {
            "submission": submission,
            "work_name": work_name(submission),
            "iteration": iteration,
            "files": selectors.snapshot_files_for(iteration),
            "earlier_review": selectors.review_to_compare(iteration, with_comments=False),
        },
    )


@login_required
@require_safe
def file_view(request, pk, number, path):
    submission = get_submission_for_user(request.user, pk)
    iteration = _iteration(submission, number)
    return _file_page(request, submission=submission, iteration=iteration, path=path)


@login_required
@require_safe
def changes_view(request, pk, number):
    submission = get_submission_for_user(request.user, pk)
    iteration = _iteration(submission, number)
    earlier_review = selectors.review_to_compare(iteration)
    context = {
        "submission": submission,
        "work_name": work_name(submission),
        "iteration": iteration,
        "earlier_review": earlier_review,
        "snapshot": getattr(iteration, "snapshot", None),
    }
    if earlier_review is not None:
        base = earlier_review.iteration
        old_listing = {e.path: e for e in selectors.snapshot_files_for(base)}
        new_listing = {e.path: e for e in selectors.snapshot_files_for(iteration)}
        changed = {
            path
            for path in set(old_listing) | set(new_listing)
            if getattr(old_listing.get(path), "blob_sha", None)
            != getattr(new_listing.get(path), "blob_sha", None)
        }
        commented = {c.path for c in earlier_review.comments.all() if c.path and c.line}
        old_files = selectors.load_blobs(old_listing, blob_paths=changed | commented)
        new_files = selectors.load_blobs(
            new_listing,
            blob_paths=changed | commented | _renamed_targets(old_listing, new_listing, commented),
        )
        may_comment = _may_comment(request, submission, iteration)
        review_url = reverse("reviews:review", args=[submission.pk]) if may_comment else None
        context.update(
            base=base,
            both_ready=bool(old_listing) and bool(new_listing),
            may_comment=may_comment,
            inline_form=InlineCommentForm(),
            **changes_between(
                old_files=old_files,
                new_files=new_files,
                comments=earlier_review.comments.all(),
                review_url=review_url,
            ),
        )
    return render(request, "reviews/code_changes.html", context)


def _renamed_targets(old_listing, new_listing, commented) -> set:
    """The new paths of commented files that were renamed with their content: their blobs are
    needed to show the comment's excerpt."""
    shas = {old_listing[p].blob_sha for p in commented if p in old_listing and p not in new_listing}
    return {p for p, e in new_listing.items() if e.blob_sha in shas}


@login_required
@require_POST
def comment_add(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
    iteration = submission.iterations.order_by("-number").first()
    if iteration is None:
        raise Http404
    files = selectors.comment_line_limits(selectors.snapshot_files_for(iteration))
    form = InlineCommentForm(request.POST, files=files)
    if not form.is_valid():
        if form.cleaned_data.get("path") in files:
            return _file_page(
                request,
                submission=submission,
                iteration=iteration,
                path=form.cleaned_data["path"],
                form=form,
                status=400,
            )
        # No file to show the box under (a forged or stale path): the review form says why.
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("reviews:review", pk=submission.pk)
    data = form.cleaned_data
    try:
        review_comment_add(
            iteration=iteration,
            mentor=request.user,
            path=data["path"],
            line=data["line"],
            body=data["body"],
        )
    except (ReviewError, TransitionError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("reviews:review", pk=submission.pk)
    messages.success(
        request,
        f"Your comment on {data['path']}:{data['line']} is in your draft review; "
        "the learner sees it once you publish.",
    )
    url = reverse(
        "reviews:code-file",
        kwargs={"pk": submission.pk, "number": iteration.number, "path": data["path"]},
    )
    return redirect(f"{url}#L{data['line']}")


@login_required
@require_POST
def comment_reply(request, pk, comment_pk):
    submission = get_submission_for_user(request.user, pk)
    comment = get_object_or_404(
        ReviewComment.objects.select_related("review__iteration__submission__learner"),
        pk=comment_pk,
        review__iteration__submission=submission,
        review__published_at__isnull=False,
    )
    form = CommentReplyForm(request.POST, comment=comment, author=request.user)
    posted = form.is_valid()
    if posted:
        # Confirmed beside the answer, where the page lands (?posted=), not in a message at the
        # top of a page scrolled away from it.
        answer = form.save()
    else:
        # Back in its box with the errors, the text kept (not a message and an empty box).
        form.keep_rejected(request.session)
        messages.error(request, "Your answer was not posted; see the box under the comment.")
    # Back where it was written: the review page for its reviewers (it shows the reviews of the
    # iteration under review, where the answer box was), else the submission page with this
    # comment's review open in full (an earlier review is a line there until opened).
    back_to_review = request.POST.get("back") == "review" and (
        submission.viewer_is_mentor or request.user.is_staff
    )
    query = {} if back_to_review else {"review": comment.review_id}
    if posted:
        query["posted"] = answer.pk
    else:
        query["answer"] = comment.pk
    if back_to_review:
        target = reverse("reviews:review", args=[submission.pk])
    else:
        target = submission.get_absolute_url()
    fragment = f"thread-reply-{answer.pk}" if posted else f"comment-{comment.pk}"
    return redirect(f"{target}?{urlencode(query)}#{fragment}")
