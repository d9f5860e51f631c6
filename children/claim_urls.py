"""`/api/claims/...`: the guardians' claims routes (included under /api/ by chorehub.urls)."""

from rest_framework.routers import SimpleRouter

from children.claim_views import ClaimViewSet

router = SimpleRouter(trailing_slash=True)
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = router.urls
