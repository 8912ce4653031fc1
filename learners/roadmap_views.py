from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST, require_safe

from curriculum.models import Objective, Stage
from learners.access import get_project_for_user, get_stage_for_user
from learners.forms import ObjectiveCheckForm
from learners.selectors import (
    learner_current_cohort,
    learner_current_submission,
    learner_progress,
    learner_stage_submissions,
)
from learners.services import objective_check_set


@require_GET
def home(request):
    """Logged out: what bootcamp is and the roadmap's stages, read-only, then the login.
    Logged in: each person's own start page."""
    if request.user.is_authenticated:
        roles = request.roles
        if roles.is_learner:
            return redirect("reviews:dashboard")
        if roles.is_mentor:
            return redirect("reviews:queue")
        if roles.is_staff:
            return redirect("reviews:cohort-list")
        return render(request, "home.html")
    stages = Stage.objects.for_stage_list(request.user).order_by("number")
    return render(request, "home.html", {"stages": stages})


@login_required
@require_safe
def stage_list(request):
    stages = list(Stage.objects.for_stage_list(request.user))
    if request.roles.is_learner:
        # The learner's progress in their current cohort, as on the dashboard: two queries.
        cohort = learner_current_cohort(learner=request.user)
        progress = {
            item.stage.pk: item for item in learner_progress(learner=request.user, cohort=cohort)
        }
        for stage in stages:
            stage.progress = progress.get(stage.pk)
    return render(request, "learners/stage_list.html", {"stages": stages})


@login_required
@require_safe
def stage_detail(request, slug):
    stage = get_stage_for_user(request.user, slug)
    projects = list(stage.projects.all())
    if request.roles.is_learner:
        # One query for all the stage's projects: each shows the status of the learner's work.
        submissions = learner_stage_submissions(learner=request.user, stage=stage)
        for project in projects:
            project.submission = submissions.get(project.pk)
        for objective in stage.objectives.all():
            objective.check_form = ObjectiveCheckForm.for_objective(request, objective)
    return render(request, "learners/stage_detail.html", {"stage": stage, "projects": projects})


@login_required
@require_safe
def project_detail(request, slug):
    project = get_project_for_user(request.user, slug)
    submission = None
    if request.roles.is_learner:
        # Only their current cohort's: it decides whether they may submit (again).
        submission = learner_current_submission(learner=request.user, project=project)
    return render(
        request,
        "learners/project_detail.html",
        {"project": project, "submission": submission},
    )


@login_required
@require_POST
def objective_toggle(request, pk):
    """Set (not flip) the learner's tick on an objective: the form says which state it wants."""
    if not request.roles.is_learner:
        raise Http404
    objective = get_object_or_404(
        Objective.objects.filter(stage__is_published=True).select_related("stage"), pk=pk
    )
    form = ObjectiveCheckForm(
        request.POST, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    form.is_valid()  # a bad `next` alone still sets the tick, then returns to the stage
    if "done" in form.errors:
        messages.error(
            request,
            "That did not work: the form did not say whether the objective is done. Try again.",
        )
    else:
        done = form.cleaned_data["done"]
        objective_check_set(learner=request.user, objective=objective, done=done)
        if done:
            messages.success(request, f"Ticked: “{objective.text}”.")
        else:
            messages.info(request, f"Unticked: “{objective.text}”.")
    # Back to the objective's row, not the top of a long stage page: the stage page's `next`
    # ends with the row's fragment, and the fallback names it too.
    fallback = f"{objective.stage.get_absolute_url()}#objective-{objective.pk}"
    return redirect(form.cleaned_data.get("next") or fallback)
