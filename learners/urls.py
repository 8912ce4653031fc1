from django.urls import path

from learners import roadmap_views, snapshot_views

app_name = "learners"

urlpatterns = [
    path("stages/", roadmap_views.stage_list, name="stage-list"),
    path("stages/<slug:slug>/", roadmap_views.stage_detail, name="stage-detail"),
    path("projects/<slug:slug>/", roadmap_views.project_detail, name="project-detail"),
    path("objectives/<int:pk>/check/", roadmap_views.objective_toggle, name="objective-toggle"),
    path(
        "submissions/<int:pk>/iterations/<int:number>/checks/",
        snapshot_views.iteration_checks,
        name="iteration-checks",
    ),
]
