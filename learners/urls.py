from django.urls import path

from learners import notification_views, roadmap_views, snapshot_views

app_name = "learners"

urlpatterns = [
    path("stages/", roadmap_views.stage_list, name="stage-list"),
    path("stages/<slug:slug>/", roadmap_views.stage_detail, name="stage-detail"),
    path("projects/<slug:slug>/", roadmap_views.project_detail, name="project-detail"),
    path("objectives/<int:pk>/check/", roadmap_views.objective_toggle, name="objective-toggle"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications-mark-read"),
    path(
        "notifications/preferences/",
        notification_views.preferences,
        name="notification-preferences",
    ),
    path(
        "submissions/<int:pk>/iterations/<int:number>/checks/",
        snapshot_views.iteration_checks,
        name="iteration-checks",
    ),
]
