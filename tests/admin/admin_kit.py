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


# --- orders, their files and receipts (the real plugins' models and services) -----------------------------

ORDER_PLUGINS = ("wowdash_registration", "wowdash_orders", "wowdash_files", "wowdash_payments")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@dataclass
class Orders:
    """Per center slug: the order, its stored file, the receipt sent for it, the file's bytes."""
    order: dict[str, int] = field(default_factory=dict)
    file: dict[str, int] = field(default_factory=dict)
    receipt: dict[str, int] = field(default_factory=dict)
    product: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)


def seed_orders(app, world: World) -> Orders:
    """In each center: a catalog, an order of its customer with an uploaded PDF (a StoredFile whose bytes
    are under FILE_STORAGE_DIR) and a pending card receipt (its image stored privately too)."""
    from catalog_factory import make_catalog

    from wowdash.extensions import db
    from wowdash.models import Customer
    from wowdash_files.models import StoredFile
    from wowdash_files.service import STORE as FILES
    from wowdash_orders import service
    from wowdash_orders.models import Category, Language, Product
    from wowdash_payments.models import Receipt
    from wowdash_payments.service import STORE as RECEIPTS
    seeded = Orders()
    with app.app_context():
        for slug, center_id, branch_id, customer_id in (("alpha", world.a, world.branch_a, world.customer_a),
                                                        ("beta", world.b, world.branch_b, world.customer_b)):
            catalog = make_catalog(center_id)
            customer = db.session.get(Customer, customer_id)
            customer.branch_id = branch_id
            data = PDF + slug.encode()
            stored = StoredFile(center_id=center_id, customer_id=customer_id,
                                telegram_id=customer.telegram_id, owner="wowdash_orders",
                                reference=f"draft-{slug}", storage_key=FILES.save(center_id, data),
                                original_name=f"{slug}-passport.pdf", kind="pdf", mime_type="application/pdf",
                                pages=1, size=len(data), telegram_file_id=f"tg-{slug}")
            db.session.add(stored)
            db.session.flush()
            order = service.place_order(
                center_id=center_id, customer=customer,
                category=db.session.get(Category, catalog.translation),
                product=db.session.get(Product, catalog.passport),
                language=db.session.get(Language, catalog.english), pages=1, copies=0,
                files=[stored.as_hook_dict()], draft_key=f"draft-{slug}")
            receipt = Receipt(center_id=center_id, order_id=order.id, order_number=order.number,
                              customer_id=customer_id, telegram_id=customer.telegram_id, branch_id=branch_id,
                              amount_claimed=order.total, mime_type="image/jpeg",
                              storage_key=RECEIPTS.save(center_id, JPEG + slug.encode()),
                              telegram_file_id=f"tg-receipt-{slug}")
            db.session.add(receipt)
            db.session.flush()
            seeded.order[slug], seeded.file[slug], seeded.receipt[slug] = order.id, stored.id, receipt.id
            seeded.product[slug], seeded.category[slug], seeded.data[slug] = (catalog.passport,
                                                                              catalog.translation, data)
        db.session.commit()
    return seeded
