"""The live page at `/`: a parent's children and a feed of tracking events, updated from the
event stream. It is the reference for frontend developers of how to consume the stream."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class LivePageView(LoginRequiredMixin, TemplateView):
    template_name = "live.html"
