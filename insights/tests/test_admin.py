"""The good versus not-good chart per household week on the child's admin page."""

from datetime import date

import pytest
from django.urls import reverse

from children.models import Child
from insights.staff.weekly_chart import WeekBalance, render_weekly_balance_chart, weekly_balance
from insights.tests.conftest import set_calendar

pytestmark = pytest.mark.django_db


def test_the_chart_counts_good_and_not_good_per_household_week(
    acting, household, child, chore, penalty
):
    set_calendar(household, "UTC", week_start=6)  # weeks start on Sunday
    acting.at(2026, 4, 4, 9)  # a Saturday: the week of March 29th
    acting.activate(child, chore)
    acting.at(2026, 4, 5, 9)  # the Sunday after: a new week
    acting.activate(child, chore)
    acting.activate(child, penalty)
    reversed_chore = acting.activate(child, chore)
    acting.reverse(reversed_chore)

    weeks = weekly_balance(Child.objects.get(pk=child.pk))

    assert len(weeks) == 12
    assert weeks[-1] == WeekBalance(date(2026, 4, 5), good=1, not_good=1)
    assert weeks[-2] == WeekBalance(date(2026, 3, 29), good=1, not_good=0)
    assert sum(w.good for w in weeks[:-2]) == 0


def test_the_chart_is_an_accessible_svg_that_escapes_the_name():
    svg = str(
        render_weekly_balance_chart(
            [WeekBalance(date(2026, 4, 5), 3, 1)], title="<script>x</script>"
        )
    )

    assert svg.startswith('<svg class="balance-chart"')
    assert 'role="img"' in svg
    assert "3 good and 1 not-good activations over the last 1 weeks" in svg
    assert "<script>" not in svg


def test_the_childs_admin_page_shows_it_beside_the_points_chart(admin_client, acting, child, chore):
    acting.at(2026, 4, 5, 9)
    acting.activate(child, chore)

    response = admin_client.get(reverse("admin:children_child_change", args=[child.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="balance-chart"' in page
    # On the points chart's line: one fieldset row holds both.
    row = page[page.index('class="points-chart"') - 2000 : page.index('class="balance-chart"')]
    assert "form-row" not in row.split('class="points-chart"')[1]


def test_changing_the_calendar_in_the_admin_rebuilds_the_days(admin_client, acting, child, chore):
    from insights.models import ChildDay

    acting.at(2026, 4, 1, 22, 30)  # UTC
    acting.activate(child, chore)
    household = child.household
    page = reverse("admin:households_household_change", args=[household.pk])
    context = admin_client.get(page).context
    form = context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["time_zone"] = "Asia/Tokyo"
    for inline in context["inline_admin_formsets"]:  # its inlines, left as they are
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = admin_client.post(page, data)

    assert response.status_code in (200, 302)
    household.refresh_from_db()
    assert household.time_zone == "Asia/Tokyo", response.content[:500]
    assert list(ChildDay.objects.filter(child=child).values_list("day", flat=True)) == [
        date(2026, 4, 2)
    ]
