"""The admin's account list pages like every list: `{"items": [...], "next_offset": n}`."""

ADMIN_API = "/api/v1/admin/accounts"


def test_the_account_list_pages_with_next_offset(admin):
    for n in range(3):
        created = admin.post(
            ADMIN_API, json={"email": f"staff{n}@example.com", "name": "Staff", "role": "agent"}
        )
        assert created.status_code == 201, created.text
    whole = admin.get(ADMIN_API).json()
    assert len(whole["items"]) == 4 and whole["next_offset"] is None
    seen, offset = [], 0
    while offset is not None:
        page = admin.get(ADMIN_API, params={"limit": 3, "offset": offset}).json()
        seen += [a["id"] for a in page["items"]]
        offset = page["next_offset"]
    assert seen == [a["id"] for a in whole["items"]]
    assert admin.get(ADMIN_API, params={"limit": 2}).json()["next_offset"] == 2
