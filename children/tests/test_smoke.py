from django.urls import reverse


def test_parent_sees_own_child(parent_client, child):
    response = parent_client.get(reverse("child-list"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [child.pk]
