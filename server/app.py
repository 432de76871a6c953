"""The one door in: create_app() builds the Flask app, its Socket.IO server and its workers."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO

from server import limits, realtime, security, survey_api
from server.admin_api import bp as admin_api_bp
from server.announce import Announcer
from server.api import bp as api_bp
from server.api import register_errors
from server.auth import DeviceTrust, LoginThrottle, RateLimiter
from server.config import ConfigError, Settings, effective_settings, load_settings, override_error
from server.errors import Localized
from server.i18n import both
from server.openapi import bp as openapi_bp
from server.passwords import CheckQueue
from server.service import Clock, QueueService, utcnow
from server.service.shapes import last_chance
from server.store import Store

log = logging.getLogger("antrian")


def secret_key(data_dir: Path) -> str:
    """ANTRIAN_SECRET_KEY from the environment, else one made once and kept in data_dir (mode 0600)."""
    env = os.environ.get("ANTRIAN_SECRET_KEY")
    if env:
        return env
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
        # Empty or cut short (a power cut during the first start, before it reached the disk): no
        # session could be signed with it, so a new one loses nothing, and every login would fail.
        log.warning("%s is empty or too short: a new secret key is made", path)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(f"secret_key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:  # written and synced beside it, then renamed: whole or not there
        f.write(key)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return key


def agent_tokens(settings: Settings) -> dict[str, str]:
    """Each print agent's token, from the environment variable its [agents] entry names; one too short (or
    unset) is logged, Indonesian first, then English, and its agent cannot connect."""
    tokens = {}
    for printer, env in settings.agents.items():
        token = os.environ.get(env, "")
        if len(token) >= 16:
            tokens[printer] = token
        else:
            said = both("cli.agent.short_token", printer=printer, env=env)
            log.warning("%s\n%s", said.id_text, said.en_text)
    return tokens


def check_no_stranded_tickets(settings: Settings, store: Store, clock: Clock) -> None:
    """Refuse to start when a service removed from the config still has tickets waiting today: no
    counter could call them (the admin page refuses that change live: service_in_use)."""
    from server import core

    with store.read() as tx:
        waiting = tx.waiting_counts(core.local_day(clock(), settings.office.tz))
    gone = {code: n for code, n in sorted(waiting.items()) if n and settings.service(code) is None}
    if gone:
        store.close()
        each = [both("config.stranded.service", code=code, n=n) for code, n in gone.items()]
        listed = Localized(", ".join(s.id_text for s in each), ", ".join(s.en_text for s in each))
        problem = both("config.stranded", listed=listed)
        raise ConfigError(f"services: {problem.en_text}", "services", problem)


def create_app(
    settings: Settings | str | Path = "config.toml",
    *,
    async_mode: str = "threading",
    workers: bool = True,
    clock: Clock = utcnow,
    synchronous: str = "FULL",
) -> Flask:
    """Build the app for `settings` (or a config path). async_mode is 'gevent' in production."""
    if not isinstance(settings, Settings):
        settings = load_settings(settings)
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config.update(
        SECRET_KEY=secret_key(settings.server.data_dir),
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        SESSION_REFRESH_EACH_REQUEST=False,  # re-signing the cookie on every click costs more than the rest of it
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False
    store = Store(settings.server.database, synchronous=synchronous)
    try:  # a start refused here closes what it opened (the store's connections)
        with store.read() as tx:
            overrides = tx.settings_overrides()
        try:
            settings = effective_settings(settings, overrides)  # what admins changed live, on top of the file
        except ConfigError as err:
            raise override_error(err, overrides) from err
        check_no_stranded_tickets(settings, store, clock)
    except BaseException:
        store.close()
        raise
    service = QueueService(settings, store, clock)
    announcer = Announcer(settings)

    def announce_call(ticket, counter_id):
        """A call's announcement (a last chance says so before the call), made inside the call's transaction: words
        that cannot be made (a counter's name of 40 digits raised num2words' OverflowError) rolled the call back, at
        every press. The call is made whatever fails in them: shown on the TVs without its announcement, logged."""
        name = service.counter_name(counter_id)
        try:
            return announcer.announce_later(ticket.label, name, ticket.calls, last_chance(service.settings, ticket))
        except Exception:
            log.exception("the call of %s to %s cannot be said: shown without its announcement", ticket.label, name)
            return None, None

    service.announcer = announce_call
    app.extensions["antrian.announcer"] = announcer
    service.closers.append(lambda: announcer.speech.close())
    service.closers.append(announcer.wake)  # its loop leaves at once (Upkeep.join waits for it)

    def settings_changed(new: Settings) -> None:
        app.extensions["antrian.settings"] = new
        announcer.settings = new
        app.extensions["antrian.limiter"].limit = new.queue.rate_limit_per_minute

    service.on_settings.append(settings_changed)
    app.extensions["antrian"] = service
    app.extensions["antrian.settings"] = settings
    app.extensions["antrian.limiter"] = RateLimiter(settings.queue.rate_limit_per_minute)
    app.extensions["antrian.login_throttle"] = LoginThrottle()
    app.extensions["antrian.devices"] = DeviceTrust(app.secret_key)  # device cookies: known devices' checks first
    app.extensions["antrian.checks"] = CheckQueue()  # the password checks' line (server/passwords.py)

    socketio = SocketIO(
        app,
        async_mode=async_mode,
        logger=False,
        engineio_logger=False,
        ping_interval=realtime.PING_INTERVAL_S,  # a connection dead without a word noticed within 14 s (realtime)
        ping_timeout=realtime.PING_TIMEOUT_S,
    )
    app.extensions["antrian.socketio"] = socketio
    realtime.register(
        socketio,
        service,
        agent_tokens=agent_tokens(settings),
        penalize=lambda *a: limits.penalize(app, *a),
        spend=lambda address: limits.spend(app, address),
    )
    from server.printing import make_print_workers, paper_notices

    service.print_workers = make_print_workers(socketio, service)
    service.unit.hooks.paper_notices = lambda: paper_notices(service.settings, service.print_workers)

    app.register_blueprint(api_bp)
    app.register_blueprint(admin_api_bp)
    app.register_blueprint(openapi_bp)
    survey_api.register(app)
    register_errors(app)
    security.register(app)  # CSP, no framing, no sniffing, no referrer: on every response
    import counter
    import display
    import kiosk

    for module in (kiosk, display, counter):
        for blueprint in getattr(module, "blueprints", [module.bp]):
            app.register_blueprint(blueprint)

    @app.context_processor
    def _globals():
        current = app.extensions["antrian.settings"]  # admins change it live
        return {"office": current.office, "settings": current}

    @app.get("/healthz")
    def healthz():
        return {"ok": True, "seq": service.snapshot()["seq"]}

    if workers:
        from server.workers import start_workers

        start_workers(app)
    return app
