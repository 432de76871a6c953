"""The display pages: a blueprint with its own templates/ and static/ (presentation only)."""

from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates", static_folder="static")
