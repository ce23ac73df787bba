"""Hook implementations of the registration plugin: routing only; the steps live in flow.py."""
from __future__ import annotations

from wowdash import hookimpl

from . import flow as steps
from .texts import TRANSLATIONS


@hookimpl
def wowdash_translations():
    return TRANSLATIONS


@hookimpl(tryfirst=True)
def wowdash_route_message(ctx):
    """/start (registration or the main menu) and the typed steps of registration / profile edit."""
    return steps.route_message(ctx)


@hookimpl
def wowdash_route_callback_query(ctx):
    """Buttons ``reg:<action>:<arg>``: language, branch, main menu, profile, edit."""
    return steps.route_callback(ctx)


@hookimpl
def wowdash_resume_flow(ctx, flow, step):
    """Registration or a profile edit expired: say so politely and start again."""
    if flow in steps.FLOWS:
        return steps.answering(steps.resume)
    return None
