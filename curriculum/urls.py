from django.urls import path

from curriculum import views

app_name = "curriculum"

urlpatterns = [
    path("stages/", views.stage_list, name="stage-list"),
    path("stages/<slug:slug>/", views.stage_detail, name="stage-detail"),
    path("projects/<slug:slug>/", views.project_detail, name="project-detail"),
]
