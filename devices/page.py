"""The kid page at `/kid/`: a paired tablet's children, their chores to claim and rewards to ask
for, kept current from the event stream.

The page itself is public and holds no data: the browser pairs with a guardian's code and keeps
the device credential in its own storage (`frontend/src/kid.ts`), and every call it makes carries
that credential. So there is no sign-in, no session and no CSRF token here.
"""

from django.views.generic import TemplateView


class KidPageView(TemplateView):
    template_name = "kid.html"
