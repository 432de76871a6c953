"""The counter pages: a blueprint with its own templates/ and static/ (presentation only).

`/counter/` is the helpdesk officer's page (call, recall, skip, serve, resolve, escalate,
transfer); `/counter/front` is the front office's page (register a visitor by hand, cancel,
reprint, alerts). Both log in through the API and render from the staff snapshot plus the
numbered Socket.IO events after it; every rule stays in server/.
"""

from flask import Blueprint, abort, current_app, redirect, render_template

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")


def page_config() -> dict:
    """What the page scripts need from config.toml (no secrets): counters, services, classes, limits."""
    settings = current_app.extensions["antrian.settings"]
    return {
        "language": settings.office.language,
        "max_calls": settings.queue.max_calls,
        "service_minutes": settings.sla.service_minutes,
        "services": [{"code": s.code, "name": s.name} for s in settings.services],
        "counters": [{"id": c.id, "name": c.name, "services": list(c.services)} for c in settings.counters],
        "priority_classes": [
            {"code": p.code, "name": p.name, "description": p.description, "target_minutes": p.target_minutes}
            for p in settings.priority_classes
        ],
        "categories": ["pengaduan", "pertanyaan", "konsultasi"],
    }


@bp.get("/")
def counter_page():
    """The officer's page at a counter (loket)."""
    return render_template("counter/counter.html", page=page_config())


@bp.get("/front")
def front_page():
    """The front office's page: register visitors by hand, today's tickets, cancel, reprint, alerts."""
    return render_template("counter/front.html", page=page_config())


@bp.get("/form/<token>")
def form_a4(token: str):
    """SOP step 12: the completed Formulir Konsultasi as an A4 page, laid out like the paper form, to print."""
    from server.auth import current_user
    from server.printing import form_copy_view

    if current_user() is None:
        return redirect("/counter/")
    view = form_copy_view(current_app.extensions["antrian"], token)
    if view is None:
        abort(404)
    return render_template("counter/form_a4.html", form=view)
