"""The upload step through the fake Bot API: running count, removal, refusals, nothing half-stored."""
from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_inspect_file import DOCX_MIME, JPEG, PAGE_BREAK, make_docx, make_pdf, para

from wowdash import db, hookimpl
from wowdash_files.models import StoredFile
from wowdash_files.service import STORE, files_for


class FakeOwner:
    """Stands in for the order plugin: asks for files on /upload and records what comes back."""

    name = "test_owner"

    def __init__(self):
        self.collected: list[tuple[str, list[dict]]] = []
        self.cancelled: list[tuple[str, str]] = []
        self.explode = False

    @hookimpl
    def wowdash_route_message(self, ctx):
        return self.start if ctx.command == "upload" else None

    def start(self, ctx):
        assert ctx.hook.wowdash_request_files(ctx=ctx, owner=self.name, reference="draft-1", prompt=None)

    @hookimpl
    def wowdash_files_collected(self, ctx, owner, reference, files):
        if owner == self.name:
            self.collected.append((reference, files))
            ctx.state.flow = "test_owner"
            ctx.reply(f"owner got {len(files)}")

    @hookimpl
    def wowdash_files_cancelled(self, ctx, owner, reference, action):
        if owner == self.name:
            self.cancelled.append((reference, action))
            ctx.reply(f"owner {action}")

    @hookimpl(wrapper=True)
    def wowdash_process_update(self, ctx):
        outcome = yield
        if self.explode and (ctx.message or {}).get("document"):
            raise RuntimeError("the handler failed after the file was recorded")
        return outcome


@pytest.fixture
def owner():
    return FakeOwner()


@pytest.fixture
def app(make_app, owner):
    return make_app(PLUGINS=[owner])


@pytest.fixture
def center(make_center):
    return make_center(enabled_plugins=["wowdash_files", "test_owner"], languages=["uz", "ru", "en"])


def stored_bytes(app) -> list[Path]:
    root = Path(app.config["FILE_STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(app) -> list[StoredFile]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(StoredFile).order_by(StoredFile.id)))
        db.session.expunge_all()
        return found


def two_page_docx() -> bytes:
    return make_docx(para("first page") + PAGE_BREAK + para("second page"))


def start_upload(conversation, center, **kw):
    chat = conversation(center, **kw)
    chat.send("/upload")
    prompt = chat.reply()
    assert {d for _, d in chat.buttons(prompt)} == {"fil:done", "fil:remove", "fil:back", "fil:cancel"}
    return chat


def test_pdf_docx_and_photo_counted_one_removed_and_done_hands_the_rest_to_the_owner(
        app, center, conversation, owner):
    chat = start_upload(conversation, center, language_code="en")
    chat.send_document(make_pdf(3), "scan.pdf", "application/pdf")
    assert "1 file, 3 pages" in chat.reply()["text"]
    chat.send_document(two_page_docx(), "letter.docx", DOCX_MIME)
    assert "2 files, 5 pages" in chat.reply()["text"]
    chat.send_photo(JPEG)
    answer = chat.reply()
    assert "3 files, 6 pages" in answer["text"]
    assert "fil:done" in {d for _, d in chat.buttons(answer)}

    chat.press("fil:remove")
    choice = chat.reply()
    pdf_id = next(r.id for r in rows(app) if r.kind == "pdf")
    assert f"fil:del:{pdf_id}" in {d for _, d in chat.buttons(choice)}
    chat.press(f"fil:del:{pdf_id}")
    assert "2 files, 3 pages" in chat.reply()["text"]

    chat.press("fil:done")
    assert chat.reply()["text"] == "owner got 2"
    [(reference, files)] = owner.collected
    assert reference == "draft-1"
    assert [(f["name"], f["kind"], f["pages"]) for f in files] == [
        ("letter.docx", "docx", 2), (f"photo_{files[1]['id']}.jpg", "jpg", 1)]
    assert all(f["telegram_file_id"] and f["size"] > 0 for f in files)

    kept = rows(app)
    assert [r.kind for r in kept] == ["docx", "jpg"]
    assert all(r.center_id == center.id and r.telegram_id == chat.user_id for r in kept)
    on_disk = stored_bytes(app)
    assert len(on_disk) == 2  # the removed PDF's bytes are gone too
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in on_disk)
    assert all(p.parent.name == str(center.id) and "letter" not in p.name for p in on_disk)
    with app.app_context():
        assert [f.id for f in files_for(center.id, "test_owner", "draft-1")] == [r.id for r in kept]
    chat.send("after done")  # the upload step has ended: the owner's flow is in charge now
    chat.quiet(0.3)


def test_wrong_type_oversized_corrupt_and_empty_are_refused_in_the_customers_language(
        app, center, conversation, fake_api):
    chat = start_upload(conversation, center, language_code="ru")
    chat.send_document(b"MZ\x90\x00 this is a program" * 10, "invoice.pdf", "application/pdf")
    refused = chat.reply()
    assert "тип файла не принимается" in refused["text"] and "PDF, DOC, DOCX" in refused["text"]
    assert "fil:done" in {d for _, d in chat.buttons(refused)}

    big = chat.send_document(b"%PDF-1.4 tiny", "huge.pdf", "application/pdf", file_size=25 * 1024 * 1024)
    assert "слишком большой" in chat.reply()["text"]
    big_id = big["message"]["document"]["file_id"]
    assert not [c for c in fake_api.calls(center.token, "getFile") if c.params.get("file_id") == big_id]

    chat.send_document(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "broken.pdf", "application/pdf")
    assert "повреждён" in chat.reply()["text"]
    chat.send_document(b"", "empty.pdf", "application/pdf")
    assert "пуст" in chat.reply()["text"]
    assert rows(app) == [] and stored_bytes(app) == []

    chat.send("привет")
    assert "отправьте документ" in chat.reply()["text"]
    chat.send_document(make_pdf(3), "ok.pdf", "application/pdf")
    assert "1 файл, 3 страницы" in chat.reply()["text"]
    chat.send_document(two_page_docx(), "ok.docx", DOCX_MIME)
    assert "2 файла, 5 страниц" in chat.reply()["text"]
    assert len(rows(app)) == 2 and len(stored_bytes(app)) == 2


def test_a_failed_update_leaves_no_row_and_no_bytes(app, center, conversation, owner):
    chat = start_upload(conversation, center, language_code="en")
    owner.explode = True
    chat.send_document(make_pdf(2), "scan.pdf", "application/pdf")
    assert "went wrong" in chat.reply()["text"]
    assert rows(app) == [] and stored_bytes(app) == []
    owner.explode = False
    chat.send_document(make_pdf(2), "scan.pdf", "application/pdf")
    assert "1 file, 2 pages" in chat.reply()["text"]


def test_done_without_files_stays_back_keeps_uploads_cancel_deletes_them(app, center, conversation, owner):
    chat = start_upload(conversation, center, language_code="en")
    chat.press("fil:done")
    assert "not sent any file" in chat.reply()["text"]
    chat.send_document(make_pdf(3), "scan.pdf", "application/pdf")
    assert "1 file, 3 pages" in chat.reply()["text"]

    chat.press("fil:back")
    assert chat.reply()["text"] == "owner back"
    assert owner.cancelled == [("draft-1", "back")] and len(rows(app)) == 1
    chat.send("/upload")
    assert "Already sent: 1 file, 3 pages" in chat.reply()["text"]

    chat.press("fil:cancel")
    assert chat.reply()["text"] == "owner cancel"
    assert owner.cancelled[-1] == ("draft-1", "cancel")
    assert rows(app) == [] and stored_bytes(app) == []
    assert owner.collected == []


def test_buttons_outside_the_upload_step_are_stale(center, conversation, fake_api):
    chat = conversation(center, language_code="en")
    chat.press("fil:del:1")
    answer = fake_api.wait_for_calls("answerCallbackQuery", token=center.token)[-1]
    assert answer.params["text"] == "This button is out of date."
    chat.quiet(0.3)


def test_another_customers_file_cannot_be_removed_through_forged_data(app, center, conversation):
    alice = start_upload(conversation, center, language_code="en")
    alice.send_document(make_pdf(1), "alice.pdf", "application/pdf")
    alice.reply()
    [alice_file] = rows(app)
    bob = start_upload(conversation, center, language_code="en")
    bob.press(f"fil:del:{alice_file.id}")
    bob.quiet(0.3)
    assert [r.id for r in rows(app)] == [alice_file.id] and len(stored_bytes(app)) == 1


def signed_in(app, username: str, center_slug: str | None, role: str = "owner"):
    """A test client with a fresh staff account signed in (the session Flask-Login reads)."""
    from wowdash.admin.accounts import create_staff
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    with app.app_context():
        user = create_staff(username, "correct-horse-9", center_slug=center_slug, role=role,
                            superadmin=center_slug is None)
        db.session.commit()
        ident = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = ident, True
    return client


def test_stored_files_need_a_signed_in_admin_of_their_center(app, center, make_center, conversation):
    other = make_center(enabled_plugins=["wowdash_files", "test_owner"])
    chat = start_upload(conversation, center, language_code="en")
    chat.send_document(make_pdf(1), "secret<b>.pdf", "application/pdf")
    chat.reply()
    [row] = rows(app)
    url = f"/admin/files/{row.id}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    assert signed_in(app, "other_owner", other.slug).get(url).status_code == 404
    for client in (signed_in(app, "own_staff", center.slug, role="staff"), signed_in(app, "root", None)):
        with client.get(url) as response:
            assert response.status_code == 200 and response.data.startswith(b"%PDF")
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert f"{row.id}-secret_b.pdf" in response.headers["Content-Disposition"]
            assert "no-store" in response.headers["Cache-Control"]
    assert signed_in(app, "own_owner", center.slug).get("/admin/files/999999").status_code == 404


def test_cleanup_command_removes_only_old_unreferenced_bytes(app, center, conversation):
    chat = start_upload(conversation, center, language_code="en")
    chat.send_document(make_pdf(1), "kept.pdf", "application/pdf")
    chat.reply()
    with app.app_context():
        old_orphan = STORE.path(STORE.save(center.id, b"left by a crashed update"))
        new_orphan = STORE.path(STORE.save(center.id, b"an update still in flight"))
    hour_ago = time.time() - 7200
    os.utime(old_orphan, (hour_ago, hour_ago))
    kept = store_path(app, rows(app)[0].storage_key)
    os.utime(kept, (hour_ago, hour_ago))
    result = app.test_cli_runner().invoke(args=["files", "cleanup"])
    assert result.exit_code == 0 and "removed 1" in result.output
    assert not old_orphan.exists() and new_orphan.exists() and kept.exists()


def store_path(app, key: str) -> Path:
    with app.app_context():
        return STORE.path(key)
