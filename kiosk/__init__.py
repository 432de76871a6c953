"""The kiosk pages: a blueprint with its own templates/ and static/ (presentation only)."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")
