"""The state store on both backends: keys per (center, user), namespaces, sliding expiry, atomicity."""
from __future__ import annotations

import threading
import time

import pytest

from wowdash import tenancy
from wowdash.extensions import db


@pytest.fixture
def centers(app):
    with app.app_context():
        a = tenancy.create_center("a", "A").id
        b = tenancy.create_center("b", "B").id
        db.session.commit()
    return a, b


def runtime(app):
    return app.extensions["wowdash"]


def save(app, state):
    with app.app_context():
        runtime(app).states.save(state)
        db.session.commit()


def test_seed_api_shape_attribute_access_files_and_clear(app, centers):
    a, _ = centers
    states = runtime(app).states
    with app.app_context():
        state = states.get(7, a)
        assert state.step is None and not state.expired
        state.step = "copies"
        state.ns("wowdash_orders")["draft"] = "d1"
        state.add_file({"id": 1, "pages": 3})
    save(app, state)
    with app.app_context():
        again = states.get(7, a)
        assert again.step == "copies"
        assert again.ns("wowdash_orders") == {"draft": "d1"}
        assert again.ns("wowdash_files") == {}
        assert again.files == [{"id": 1, "pages": 3}]
        again.clear()
    save(app, again)
    with app.app_context():
        assert states.get(7, a).step is None


def test_the_same_user_in_two_centers_has_two_states(app, centers):
    a, b = centers
    states = runtime(app).states
    with app.app_context():
        sa_, sb = states.get(7, a), states.get(7, b)
        sa_.step, sb.step = "in-a", "in-b"
    save(app, sa_)
    save(app, sb)
    with app.app_context():
        assert states.get(7, a).step == "in-a"
        assert states.get(7, b).step == "in-b"


def test_expiry_slides_and_an_expired_state_is_reported(make_app, centers, app):
    short = make_app(STATE_TTL_SECONDS=1)
    a, _ = centers
    states = runtime(short).states
    with short.app_context():
        state = states.get(9, a)
        state.flow, state.step = "orders", "copies"
    save(short, state)
    time.sleep(0.7)
    with short.app_context():
        state = states.get(9, a)
        assert state.step == "copies"  # still alive: and this save slides the expiry
        state.step = "files"
    save(short, state)
    time.sleep(0.7)
    with short.app_context():
        assert states.get(9, a).step == "files"
    time.sleep(1.4)
    with short.app_context():
        expired = states.get(9, a)
        assert expired.expired and expired.expired_flow == "orders" and expired.step is None


def test_cleanup_command_removes_expired_state(app, centers):
    a, _ = centers
    rt = runtime(app)
    with app.app_context():
        state = rt.states.get(11, a)
        state.step = "x"
    save(app, state)
    with app.app_context():  # make it long dead: past the SQL grace period, or a Redis key without TTL
        if rt.store.transactional:
            from datetime import timedelta

            from wowdash.models import BotState, utcnow
            db.session.get(BotState, (a, 11)).expires_at = utcnow() - timedelta(days=8)
            db.session.commit()
        else:
            rt.redis.persist(rt.store._key("state", a, 11))
    result = app.test_cli_runner().invoke(args=["cleanup-bot-states"])
    assert result.exit_code == 0, result.output
    assert "removed 1 expired states" in result.output
    with app.app_context():
        assert rt.states.get(11, a).step is None


def test_lock_makes_read_modify_write_atomic_across_threads(app, centers):
    a, _ = centers
    rt = runtime(app)

    def bump():
        for _ in range(10):
            with app.app_context():
                with rt.store.lock(a, 1, timeout=20):
                    state = rt.states.get(1, a)
                    state.n = (state.n or 0) + 1
                    rt.states.save(state)
                    db.session.commit()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with app.app_context():
        assert rt.states.get(1, a).n == 40


def test_outbound_rate_is_limited_per_bot_and_a_pause_affects_only_that_bot(app, centers):
    a, b = centers
    store = runtime(app).store
    while True:  # start at the beginning of a second so the window does not roll over mid-test
        frac = time.time() % 1
        if frac < 0.5:
            break
        time.sleep(1 - frac)
    waits = [store.take_send_slot(a, 30) for _ in range(31)]
    assert waits[:30] == [0.0] * 30 and 0 < waits[30] <= 1
    assert store.take_send_slot(b, 30) == 0.0  # another bot's budget is its own
    store.pause_bot(a, 2)
    assert 1 < store.bot_paused_for(a) <= 2 and store.bot_paused_for(b) == 0
