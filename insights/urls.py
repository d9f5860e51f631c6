from django.urls import path

from insights.views import FiguresView, PausesView, SeriesView, StreakTasksView

urlpatterns = [
    path("children/<str:pk>/figures/", FiguresView.as_view(), name="child-figures"),
    path("children/<str:pk>/series/", SeriesView.as_view(), name="child-series"),
    path("children/<str:pk>/pauses/", PausesView.as_view(), name="child-pauses"),
    path("children/<str:pk>/streak-tasks/", StreakTasksView.as_view(), name="child-streak-tasks"),
]
