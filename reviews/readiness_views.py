"""The end of the roadmap: the learner's readiness page and ticks, their portfolio settings
and public page, and the mentor's mock interviews and sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bootcamp.people import display_name
from curriculum.models import Project, ReadinessStatement
from learners.access import get_membership_for_user
from learners.forms import PortfolioForm, TickForm
from learners.models import Cohort, Portfolio
from learners.selectors import learner_current_cohort
from learners.services import readiness_tick_set
from reviews.forms import MockInterviewForm, SignOffForm
from reviews.models import MockInterview
from reviews.readiness import approved_work, readiness_for, sign_off_for
from reviews.services import InterviewError, mock_interview_publish


def _learner_cohort(request):
    """The learner's current cohort; 404 for anyone who is not a learner in one."""
    cohort = learner_current_cohort(learner=request.user) if request.roles.is_learner else None
    if cohort is None:
        raise Http404
    return cohort


# --- The learner ------------------------------------------------------------------------------


@login_required
@require_safe
def readiness(request):
    cohort = _learner_cohort(request)
    readiness = readiness_for(learner=request.user, cohort=cohort)
    for row in readiness.statements:  # each tick form sets the other state
        row.tick_form = TickForm(initial={"done": "0" if row.ticked else "1"}, auto_id=False)
    return render(
        request,
        "reviews/readiness.html",
        {
            "cohort": cohort,
            "readiness": readiness,
            "bug_story_projects": Project.objects.published().filter(kind=Project.Kind.BUG_STORY),
            "portfolio": Portfolio.objects.filter(learner=request.user).first(),
            "is_learner": True,
        },
    )


@login_required
@require_POST
def readiness_tick(request, pk):
    _learner_cohort(request)
    statement = get_object_or_404(ReadinessStatement.objects.filter(is_published=True), pk=pk)
    form = TickForm(request.POST)
    if form.is_valid():
        readiness_tick_set(
            learner=request.user, statement=statement, done=form.cleaned_data["done"]
        )
    else:
        messages.error(request, "That tick was not understood; nothing changed.")
    return redirect(f"{reverse('reviews:readiness')}#statement-{statement.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_settings(request):
    _learner_cohort(request)
    portfolio = Portfolio.objects.filter(learner=request.user).first()
    form = PortfolioForm(
        request.POST if request.method == "POST" else None,
        instance=portfolio,
        learner=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            portfolio = form.save()
        except (ValidationError, IntegrityError):  # the address was taken a moment ago
            form.add_error("slug", "That address is taken; choose another.")
        else:
            state = "published at" if portfolio.is_published else "saved, unpublished, at"
            messages.success(request, f"Your portfolio is {state} {portfolio.get_absolute_url()}.")
            return redirect("reviews:portfolio-settings")
    return render(
        request, "reviews/portfolio_settings.html", {"form": form, "portfolio": portfolio}
    )


# --- Anyone: the one public page that shows a learner's work -----------------------------------


@require_safe
def portfolio(request, slug):
    page = get_object_or_404(
        Portfolio.objects.select_related("learner").filter(
            is_published=True, learner__is_active=True
        ),
        slug=slug,
    )
    learner = page.learner
    cohort = learner_current_cohort(learner=learner)
    projects, _stories = approved_work(learner=learner, cohort=cohort)
    response = render(
        request,
        "reviews/portfolio.html",
        {
            "page": page,
            # Never the username: a learner without a full name is named by their address.
            "name": learner.get_full_name() or page.slug,
            "projects": projects,
            "sign_off": sign_off_for(learner=learner, cohort=cohort),
        },
    )
    # Public, but the learner may unpublish it at any moment: a cache may keep a copy only
    # if it asks again before every use (a logged-in viewer gets private, no-store from
    # bootcamp.middleware instead).
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, no_cache=True)
    if not page.allow_indexing:
        response["X-Robots-Tag"] = "noindex"
    return response


# --- The mentor -------------------------------------------------------------------------------


@login_required
@require_safe
def learner_readiness(request, cohort_pk, learner_pk):
    membership = get_membership_for_user(request.user, cohort_pk=cohort_pk, learner_pk=learner_pk)
    cohort, learner = membership.cohort, membership.user
    drafts = (
        MockInterview.objects.filter(learner=learner, published_at__isnull=True)
        .select_related("mentor")
        .order_by("-held_on", "-pk")
    )
    readiness = readiness_for(learner=learner, cohort=cohort)
    return render(
        request,
        "reviews/learner_readiness.html",
        {
            "cohort": cohort,
            "learner": learner,
            "readiness": readiness,
            "drafts": drafts,
            "sign_off_form": SignOffForm(
                learner=learner,
                cohort=cohort,
                mentor=request.user,
                initial={"note": readiness.sign_off.note} if readiness.sign_off else None,
            ),
            "is_learner": False,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_create(request, cohort_pk, learner_pk):
    membership = get_membership_for_user(request.user, cohort_pk=cohort_pk, learner_pk=learner_pk)
    return _interview_form(request, cohort=membership.cohort, learner=membership.user)


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request, pk):
    interview = get_object_or_404(
        MockInterview.objects.filter(cohort__in=Cohort.objects.reviewable_by(request.user))
        .select_related("learner", "cohort", "mentor")
        .prefetch_related("ratings"),
        pk=pk,
    )
    if interview.is_published:
        messages.info(request, "This interview is published; it can no longer change.")
        return redirect(_readiness_url(interview))
    return _interview_form(
        request, cohort=interview.cohort, learner=interview.learner, interview=interview
    )


def _readiness_url(interview):
    return reverse("reviews:learner-readiness", args=[interview.cohort_id, interview.learner_id])


def _interview_form(request, *, cohort, learner, interview=None):
    form = MockInterviewForm(
        request.POST if request.method == "POST" else None,
        areas=MockInterviewForm.areas_queryset(),
        learner=learner,
        cohort=cohort,
        mentor=request.user,
        interview=interview,
    )
    if request.method == "POST" and form.is_valid():
        try:
            interview = form.save()
            if "publish" in request.POST:
                mock_interview_publish(interview=interview)
        except InterviewError as error:
            form.add_error(None, str(error))
        except ValidationError as error:  # another draft of theirs holds that date
            form.add_error(None, error)
        else:
            if "publish" in request.POST:
                messages.success(
                    request, f"The interview is published: {display_name(learner)} sees it now."
                )
            else:
                messages.success(request, "The interview is saved as a draft.")
            return redirect(_readiness_url(interview))
    return render(
        request,
        "reviews/interview_form.html",
        {"form": form, "cohort": cohort, "learner": learner, "interview": interview},
    )


@login_required
@require_POST
def sign_off(request, cohort_pk, learner_pk):
    membership = get_membership_for_user(request.user, cohort_pk=cohort_pk, learner_pk=learner_pk)
    cohort, learner = membership.cohort, membership.user
    form = SignOffForm(request.POST, learner=learner, cohort=cohort, mentor=request.user)
    url = reverse("reviews:learner-readiness", args=[cohort.pk, learner.pk])
    if not form.is_valid():
        messages.error(request, "Write a note to sign off: " + " ".join(form.errors["note"]))
        return redirect(f"{url}#sign-off")
    try:
        form.save()
    except InterviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{display_name(learner)} is signed off as ready to apply.")
    return redirect(f"{url}#sign-off")
