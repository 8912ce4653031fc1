"""The home page, outside the learners namespace: everyone links it as {% url 'home' %}."""

from django.urls import path

from learners import roadmap_views

urlpatterns = [path("", roadmap_views.home, name="home")]
