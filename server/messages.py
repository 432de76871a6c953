"""What people read when something is refused: Indonesian first, English second."""

from __future__ import annotations

from server.errors import Coded, Localized  # a field's code with its values; a param's value in both languages
from server.i18n import pairs

# code -> (Indonesian, English); the words live in the one catalogue (server/i18n/*.json, keys
# `error.<code>` and `status.<state>`); {placeholders} come from the error's params.
MESSAGES: dict[str, tuple[str, str]] = {code: (i, e) for code, (i, e) in pairs("error").items()}

STATUS_NAMES: dict[str, tuple[str, str]] = {state: (i, e) for state, (i, e) in pairs("status").items()}

# A message whose count can be 1, and the param it counts: for a count of 1 its words are `error.<code>.one`
# ("Try again in 1 minute", not "1 minutes"), as display.js picks display.person and cli.py cli.settings.row;
# the code the answer carries stays <code>.
COUNTED: dict[str, str] = {"login_throttled": "minutes", "calls_exhausted": "max_calls", "quota_reached": "quota"}


def message(code: str, lang: str = "id", **params: object) -> str:
    """The text for a message code in 'id' or 'en', with its placeholders filled."""
    if code in COUNTED and params.get(COUNTED[code]) == 1:
        code = f"{code}.one"
    pair = MESSAGES.get(code, MESSAGES["invalid"])
    text = pair[1] if lang == "en" else pair[0]
    if any(isinstance(v, Localized) for v in params.values()):
        params = {
            k: (v.en_text if lang == "en" else v.id_text) if isinstance(v, Localized) else v for k, v in params.items()
        }
    if "status" in params and isinstance(params["status"], str) and params["status"] in STATUS_NAMES:
        names = STATUS_NAMES[params["status"]]
        params = {**params, "status": names[1] if lang == "en" else names[0]}
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def field_message(value: str | Localized, lang: str = "id") -> str:
    """What a field at fault says: the text of its message code (a Coded's with its values: a text's limit and
    the length typed, a date's problem), or its own words (a Localized)."""
    if isinstance(value, Localized):
        return value.en_text if lang == "en" else value.id_text
    if isinstance(value, Coded):
        return message(str(value), lang, **value.params)
    return message(value, lang)
