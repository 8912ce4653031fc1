from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bootcamp import login, views

admin.site.site_header = "bootcamp administration"
admin.site.site_title = "bootcamp admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/invitation_confirm.html",
            success_url="/accounts/login/?welcome=1",
            post_reset_login=False,
        ),
        name="invitation-confirm",
    ),
    path("accounts/password_reset/", login.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("learners.urls")),
    path("", include("reviews.urls")),
]
