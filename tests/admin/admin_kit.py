"""Helpers of the admin tests: two centers with staff of every role, a client that signs in."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PASSWORD = "correct-horse-9"
HOSTILE = "<script>alert(1)</script>"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class World:
    """Ids of what ``seed`` created; ``a``/``b`` are the two centers."""
    a: int
    b: int
    branch_a: int
    branch_b: int
    customer_a: int
    customer_b: int
    staff: dict[str, int] = field(default_factory=dict)  # username -> id
    tokens: dict[str, str] = field(default_factory=dict)  # center slug -> bot token


def seed(app, fake_api=None, *, enabled_plugins=("wowdash_greeting",)) -> World:
    from wowdash import tenancy
    from wowdash.admin.accounts import create_staff
    from wowdash.extensions import db
    from wowdash.models import Branch, Customer
    tokens = {}
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # fast hashes: the tests sign in a lot
    with app.app_context():
        centers = {}
        for slug, name in (("alpha", "Alpha Center"), ("beta", "Beta Center")):
            token = fake_api.add_bot(username=f"{slug}_bot") if fake_api else None
            centers[slug] = tenancy.create_center(slug, name, token=token, enabled_plugins=list(enabled_plugins),
                                                  languages=["uz", "ru", "en"], default_language="en")
            if token:
                tokens[slug] = token
        a, b = centers["alpha"], centers["beta"]
        branch_a = Branch(center_id=a.id, code="main", name="Alpha Main Office", card_number="8600 1111")
        branch_b = Branch(center_id=b.id, code="main", name="Beta Secret Office", card_number="8600 2222")
        customer_a = Customer(center_id=a.id, telegram_id=1001, full_name="Alice Alpha", phone="+998901111111")
        customer_b = Customer(center_id=b.id, telegram_id=1002, full_name="Bob Beta", phone="+998902222222")
        db.session.add_all([branch_a, branch_b, customer_a, customer_b])
        staff = {"root": create_staff("root", PASSWORD, superadmin=True)}
        for slug in ("alpha", "beta"):
            for role in ("owner", "manager", "staff"):
                staff[f"{slug}_{role}"] = create_staff(f"{slug}_{role}", PASSWORD, center_slug=slug, role=role,
                                                      full_name=f"{slug.title()} {role.title()}")
        db.session.commit()
        return World(a.id, b.id, branch_a.id, branch_b.id, customer_a.id, customer_b.id,
                     {name: user.id for name, user in staff.items()}, tokens)


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class AdminClient:
    """A Flask test client that signs in and posts forms with the page's CSRF token."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token: str | None = None

    def login(self, username: str, password: str = PASSWORD):
        page = self.client.get("/admin/login")
        response = self.client.post("/admin/login", data={"username": username, "password": password,
                                                          "csrf_token": csrf_from(page.text)})
        if response.status_code == 302:
            self.token = csrf_from(self.client.get("/admin/").text)
        return response

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)

    def post_json(self, url: str, body: dict, csrf: bool = True):
        headers = {"X-CSRFToken": self.token} if csrf else {}
        return self.client.post(url, json=body, headers=headers)
