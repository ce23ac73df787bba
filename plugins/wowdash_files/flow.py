"""The upload step: collect documents and photos for an owner plugin, with a running count of pages.

Downloads and checks happen in ``prepare`` (before the transaction, the only phase allowed to call
Telegram); the handlers record rows and answer inside the update's transaction.
"""
from __future__ import annotations

import logging
import unicodedata

from wowdash import db

from . import service
from .inspect_file import ACCEPTED_KINDS, DEFAULT_MAX_BYTES, RejectedFile, check_declared_size, inspect_file
from .models import StoredFile
from .texts import plural_form

log = logging.getLogger(__name__)

FLOW = "files"
NS = "wowdash_files"
RECONCILE = "wowdash_files.keys"  # ctx.extras: storage keys to check after the commit
DEFAULTS = {"max_bytes": DEFAULT_MAX_BYTES, "kinds": list(ACCEPTED_KINDS), "max_files": 30}


def settings(ctx) -> dict:
    return {**DEFAULTS, **ctx.settings(NS)}


# --- entering and leaving ---------------------------------------------------------------------------

def request_files(ctx, owner: str, reference, prompt: str | None) -> bool:
    """Take over the conversation; files already uploaded for this reference are kept (coming back)."""
    reference = str(reference)[:128]
    ctx.state.flow, ctx.state.step = FLOW, "upload"
    ns = ctx.state.ns(NS)
    ns.clear()
    existing = service.files_for(ctx.tenant.id, owner, reference)
    ns.update(owner=owner, reference=reference,
              files=[f.id for f in existing if f.telegram_id == ctx.user_id])
    text = ctx.t(prompt or "files.prompt")
    if ns["files"]:
        text += "\n\n" + ctx.t("files.already", summary=summary(ctx, _rows(ctx)))
    ctx.reply(text, reply_markup=keyboard(ctx))
    return True


def _leave(ctx) -> tuple[str, str]:
    ns = ctx.state.ns(NS)
    owner, reference = ns.get("owner"), ns.get("reference")
    ctx.state.to_dict().get("ns", {}).pop(NS, None)
    ctx.state.flow = ctx.state.step = None
    return owner, reference


# --- prepare: download and inspect, no database writes ------------------------------------------------

def attachment(message: dict) -> dict | None:
    """The upload in a message: a document, or a photo's largest size."""
    if message.get("document"):
        doc = message["document"]
        return {"file_id": doc["file_id"], "file_size": doc.get("file_size"), "name": doc.get("file_name")}
    if message.get("photo"):
        best = max(message["photo"], key=lambda p: (p.get("width", 0) * p.get("height", 0),
                                                    p.get("file_size") or 0))
        return {"file_id": best["file_id"], "file_size": best.get("file_size"), "name": None}
    return None


def prepare(ctx) -> None:
    if ctx.state.flow != FLOW or not ctx.update.get("message"):
        return
    item = attachment(ctx.update["message"])
    if item is None:
        return
    conf = settings(ctx)
    if len(ctx.state.ns(NS).get("files", [])) >= int(conf["max_files"]):
        ctx.extras[NS] = {"rejected": "too_many"}
        return
    try:
        check_declared_size(item["file_size"], int(conf["max_bytes"]))
        data = ctx.bot.download(item["file_id"])
        found = inspect_file(data, max_bytes=int(conf["max_bytes"]))
        if found.kind not in conf["kinds"]:
            raise RejectedFile("unsupported_type", f"{found.kind} is switched off for this center")
    except RejectedFile as exc:
        log.info("center %s: upload refused: %s", ctx.tenant.slug, exc)
        ctx.extras[NS] = {"rejected": exc.reason}
        return
    except Exception as exc:  # Telegram or the network failed; the customer can simply resend
        log.warning("center %s: download failed: %s", ctx.tenant.slug, type(exc).__name__)
        ctx.extras[NS] = {"rejected": "download_failed"}
        return
    key = service.STORE.save(ctx.tenant.id, data)
    ctx.extras.setdefault(RECONCILE, []).append(key)
    ctx.extras[NS] = {"key": key, "file_id": item["file_id"], "name": clean_name(item["name"]),
                      "kind": found.kind, "mime": found.mime_type, "pages": found.pages,
                      "estimated": found.pages_estimated, "size": found.size}


def after_update(ctx, outcome: str) -> None:
    """Bytes whose row did not commit (error, rollback) or was removed are deleted now."""
    keys = ctx.extras.get(RECONCILE)
    if keys:
        service.STORE.remove_unreferenced(keys)


def clean_name(name: str | None) -> str | None:
    """Keep the customer's file name as plain text: no control characters, bounded length."""
    if not name:
        return None
    text = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return text[:200] or None


# --- handlers (inside the transaction) -----------------------------------------------------------------

def on_message(ctx) -> None:
    result = ctx.extras.get(NS)
    if result is None:
        ctx.reply(ctx.t("files.send_file"), reply_markup=keyboard(ctx))
    elif "rejected" in result:
        ctx.reply(rejection(ctx, result["rejected"]), reply_markup=keyboard(ctx))
    else:
        ns = ctx.state.ns(NS)
        row = StoredFile(center_id=ctx.tenant.id, customer_id=ctx.customer.id, telegram_id=ctx.user_id,
                         owner=ns["owner"], reference=ns["reference"], storage_key=result["key"],
                         original_name=result["name"], kind=result["kind"], mime_type=result["mime"],
                         pages=result["pages"], pages_estimated=result["estimated"], size=result["size"],
                         telegram_file_id=result["file_id"])
        db.session.add(row)
        db.session.flush()
        ns["files"] = [*ns.get("files", []), row.id]
        ctx.reply(ctx.t("files.received", name=row.display_name, pages=count(ctx, "pages", row.pages),
                        summary=summary(ctx, _rows(ctx))), reply_markup=keyboard(ctx))


def ignore(ctx) -> None:
    """An edited message in the upload step: an upload is a new message, never an edit."""


def on_callback(ctx) -> None:
    _, action, *args = ctx.callback_data.split(":")
    handler = ACTIONS.get(action)
    if handler is None:
        return stale(ctx)
    ctx.answer_callback()
    handler(ctx, *args)


def stale(ctx) -> None:
    ctx.answer_callback(ctx.t("files.stale"))


def done(ctx) -> None:
    rows = _rows(ctx)
    if not rows:
        ctx.reply(ctx.t("files.none_yet"), reply_markup=keyboard(ctx))
        return
    owner, reference = _leave(ctx)
    ctx.hook.wowdash_files_collected(ctx=ctx, owner=owner, reference=reference,
                                     files=[r.as_hook_dict() for r in rows])


def choose_removal(ctx) -> None:
    rows = _rows(ctx)
    if not rows:
        ctx.reply(ctx.t("files.none_yet"), reply_markup=keyboard(ctx))
        return
    buttons = [[{"text": f"🗑 {short(r.display_name)} ({count(ctx, 'pages', r.pages)})",
                 "callback_data": f"fil:del:{r.id}"}] for r in rows]
    buttons.append([{"text": ctx.t("files.button.keep"), "callback_data": "fil:keep"}])
    ctx.reply(ctx.t("files.remove_choose"), reply_markup={"inline_keyboard": buttons})


def remove(ctx, file_id: str = "") -> None:
    rows = [r for r in _rows(ctx) if str(r.id) == file_id]
    if not rows:
        return stale(ctx)
    row = rows[0]
    ns = ctx.state.ns(NS)
    ns["files"] = [i for i in ns["files"] if i != row.id]
    name = row.display_name
    _delete(ctx, [row])
    ctx.reply(ctx.t("files.removed", name=name, summary=summary(ctx, _rows(ctx))), reply_markup=keyboard(ctx))


def keep(ctx) -> None:
    ctx.reply(ctx.t("files.already", summary=summary(ctx, _rows(ctx))), reply_markup=keyboard(ctx))


def back(ctx) -> None:
    """Back keeps the uploads: asking again for the same reference shows them."""
    owner, reference = _leave(ctx)
    ctx.hook.wowdash_files_cancelled(ctx=ctx, owner=owner, reference=reference, action="back")


def cancel(ctx) -> None:
    """Cancel drops this customer's uploads for the reference: nothing abandoned stays stored."""
    _delete(ctx, _rows(ctx))
    owner, reference = _leave(ctx)
    ctx.hook.wowdash_files_cancelled(ctx=ctx, owner=owner, reference=reference, action="cancel")


ACTIONS = {"done": done, "remove": choose_removal, "del": remove, "keep": keep, "back": back,
           "cancel": cancel}


# --- helpers ------------------------------------------------------------------------------------------

def _rows(ctx) -> list[StoredFile]:
    return service.customer_files(ctx.tenant.id, ctx.user_id, ctx.state.ns(NS).get("files", []))


def _delete(ctx, rows: list[StoredFile]) -> None:
    """Delete rows now; their bytes go after the commit (a rollback keeps both)."""
    for row in rows:
        ctx.extras.setdefault(RECONCILE, []).append(row.storage_key)
        db.session.delete(row)
    db.session.flush()


def keyboard(ctx) -> dict:
    def button(action):
        return {"text": ctx.t(f"files.button.{action}"), "callback_data": f"fil:{action}"}
    return {"inline_keyboard": [[button("done")], [button("remove")], [button("back"), button("cancel")]]}


def count(ctx, what: str, n: int) -> str:
    return ctx.t(f"files.n_{what}.{plural_form(ctx.language, n)}", n=n)


def summary(ctx, rows: list[StoredFile]) -> str:
    if not rows:
        return ctx.t("files.nothing")
    return ctx.t("files.summary", files=count(ctx, "files", len(rows)),
                 pages=count(ctx, "pages", sum(r.pages for r in rows)))


def rejection(ctx, reason: str) -> str:
    if reason == "too_many":
        return ctx.t("files.too_many", max=settings(ctx)["max_files"])
    kinds = ", ".join(k.upper() for k in settings(ctx)["kinds"])
    limit = int(settings(ctx)["max_bytes"]) // (1024 * 1024)
    return ctx.t(f"files.rejected.{reason}", kinds=kinds, limit=limit)


def short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
