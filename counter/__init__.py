"""The counter pages: a blueprint with its own templates/ and static/ (presentation only)."""

from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")
