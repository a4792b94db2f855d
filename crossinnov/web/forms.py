"""``/profiles/new`` and ``/profiles/{slug}/edit``: the profile form, for people.

The form is another way to send the same profile JSON: its fields become a
profile dict, which goes through the same code path as the API (schema check,
SHACL, one transaction). One answer lists every error: a summary at the top
(focused by ``forms.js``, each error a link to its field), and each error next
to its field, with what was typed kept. A saved profile leads (303) to its
organisation page with a confirmation (``?saved=1``) and a link to edit it.
The token is typed in the form or kept in a cookie set by ``/login``
(HttpOnly, SameSite=Strict, Secure over HTTPS); the sign-in page says how an
organisation gets one.

Every post (profile forms, ``/login``, ``/logout``) must come from this site
(:func:`~crossinnov.web.security.same_site`), a failed token attempt counts
against the client (429 with ``Retry-After`` past the limit), and ``/login``
redirects only to a path on this site (:func:`~crossinnov.web.security.safe_next`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from crossinnov.ingest.profile import ProfileError, profile_to_unit
from crossinnov.sparql.queries import QUERIES, number
from crossinnov.web.access import COOKIE
from crossinnov.web.security import client_key, safe_next, same_site
from crossinnov.web.state import current
from crossinnov.writes.profiles import Rejected
from crossinnov.writes.tokens import MIN_TOKEN_LENGTH, AuthError

bp = Blueprint("forms", __name__)

COOKIE_HOURS = 8
CROSS_SITE = "the form was sent from another site"
LISTS = ("sectors", "themes", "seeksPartnersIn", "events", "collaboratesWith",
         "declinesCollaborationWith")
ORGANISATION_LISTS = ("collaboratesWith", "declinesCollaborationWith")
PICKER_LIMIT = 2_000
#: the form's fields in the order shown, with the words the error summary names them by;
#: each error links to the element with the field's name as id (a group: its first box)
FIELD_LABELS = {
    "name": "Name", "id": "Short id", "city": "City", "description": "What you do",
    "homepage": "Homepage", "email": "E-mail", "founded": "Founded",
    "sectors": "Sectors you work in", "themes": "Sub-themes",
    "seeksPartnersIn": "Sectors where you seek partners",
    "collaboratesWith": "Organisations you work with",
    "declinesCollaborationWith": "Collaborations you decline",
    "events": "Events", "token": "Token",
}
#: fields whose rejected value the page does not show by itself (a choice, an item of a list)
SHOW_VALUE = {"city", *LISTS}
#: first words of a message that reads on from the field's name ("is required")
CONTINUES = {"is", "must", "has", "gives", "does", "contains"}


def choices() -> dict[str, Any]:
    """The controlled values the form offers, and the organisations to pick collaborators from."""
    store = current().store
    out: dict[str, Any] = {"city": [], "sector": [], "theme": [], "event": []}
    for r in store.select(QUERIES["form_choices"]):
        item = {"id": r["item"].value.rsplit("/", 1)[1], "label": r["label"].value,
                "top": r["top"].value.rsplit("/", 1)[1] if "top" in r else None}
        out[r["kind"].value].append(item)
    tops = [s for s in out["sector"] if s["top"] is None]
    out["sector_groups"] = [{"top": t, "sectors": [s for s in out["sector"]
                                                   if s["top"] == t["id"]]} for t in tops]
    orgs = store.select(QUERIES.render("profiles_list", limit=number(PICKER_LIMIT + 1),
                                       offset=number(0)))
    out["organisations"] = [{"id": r["org"].value.rsplit("/", 1)[1], "name": r["name"].value,
                             "city": r["city"].value if "city" in r else None} for r in orgs]
    out["picker"] = len(orgs) <= PICKER_LIMIT
    return out


def form_to_profile(form) -> dict[str, Any]:
    """Turn the submitted form into profile JSON (empty fields left out)."""
    data: dict[str, Any] = {}
    for key in ("id", "name", "city", "description", "homepage", "email"):
        value = form.get(key, "").strip()
        if value:
            data[key] = value.replace("\r\n", "\n")
    founded = form.get("founded", "").strip()
    if founded:
        # "²" and "١٩" are digits to str.isdigit(), not to int(): ASCII digits only
        data["founded"] = int(founded) if founded.isascii() and founded.isdigit() else founded
    for key in LISTS:
        values = [v.strip() for v in form.getlist(key) if v.strip()]
        text = form.get(key + "Text") if key in ORGANISATION_LISTS else None
        if text:  # the text fallback of the organisation pickers: ids or IRIs, , or ; between
            values += [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]
        if values:
            data[key] = values
    return data


def describe(error: dict) -> str:
    """An error in words that stand alone ("Name is required ...", "City: the city must be
    ..."), with the rejected value where the page cannot show it."""
    field, message = error["field"], str(error["message"])
    value = error.get("value")
    label = FIELD_LABELS.get(field)
    if label is None:  # about the whole profile, or a property the form does not have
        text = message if field.startswith("(") else f"{field}: {message}"
    elif message.split(" ", 1)[0] in CONTINUES:
        text = f"{label} {message}"
    else:
        text = f"{label}: {message}"
    if field in SHOW_VALUE and isinstance(value, str) and value:
        text = f"{text} (you gave “{value[:80]}”)"
    return text


def _render(profile: dict, *, slug: str | None, errors: list[dict], status: int = 200,
            message: str | None = None, retry_after: int | None = None) -> Response:
    shown = set(FIELD_LABELS) - ({"id"} if slug else set())
    by_field: dict[str, list[str]] = {}
    for e in errors:
        text = describe(e)
        if text not in by_field.setdefault(e["field"], []):
            by_field[e["field"]].append(text)
    general = [m for f, ms in by_field.items() if f not in shown for m in ms]
    # the summary: every error, in the order of the form, each linked to its field
    summary = [{"field": f, "label": FIELD_LABELS[f], "message": m}
               for f in FIELD_LABELS if f in shown for m in by_field.get(f, [])]
    summary += [{"field": None, "label": None, "message": m} for m in general]
    body = render_template("profile_form.html", profile=profile, slug=slug, errors=by_field,
                           summary=summary, message=message, choices=choices(),
                           has_cookie=bool(request.cookies.get(COOKIE)),
                           min_token=MIN_TOKEN_LENGTH)
    return _with_retry_after(make_response(body, status), retry_after)


def _with_retry_after(response: Response, retry_after: int | None) -> Response:
    if retry_after is not None:  # RFC 9110 section 10.2.3, with 429 (RFC 6585 section 4)
        response.headers["Retry-After"] = str(retry_after)
    return response


def _token_header() -> str:
    token = request.form.get("token", "").strip() or request.cookies.get(COOKIE, "")
    return f"Bearer {token}" if token else ""


def _save(slug: str | None) -> Response:
    crossinnov = current()
    profile = form_to_profile(request.form)
    if not same_site():
        return _render(profile, slug=slug, status=403, errors=[
            {"field": "(profile)", "message": CROSS_SITE}])
    try:
        unit = profile_to_unit(profile, crossinnov.store.iris, label="form", slug=slug)
    except ProfileError as exc:  # no usable id: the rest is still checked, nothing written
        if exc.unit is None:
            return _render(profile, slug=slug, status=422,
                           errors=[e.as_dict() for e in exc.errors])
        unit = exc.unit
    try:
        holder = crossinnov.tokens.holder(_token_header(), client=client_key())
        if slug is None:
            stored = crossinnov.profiles.create(unit, holder)
        else:
            stored = crossinnov.profiles.replace(slug, unit, holder)
    except AuthError as exc:
        # the token's error and, unless the client is held back, every field's error too
        errors = [] if exc.status == 429 else [e.as_dict()
                                               for e in crossinnov.profiles.problems(unit)]
        return _render(profile, slug=slug, errors=errors + [_token_error(exc)],
                       status=exc.status, retry_after=exc.retry_after)
    except Rejected as exc:
        errors = [e.as_dict() for e in exc.errors] or [{"field": "(profile)",
                                                        "message": str(exc)}]
        return _render(profile, slug=slug, errors=errors, status=exc.status)
    return redirect(url_for("resource.resource", kind="organisation", slug=stored.slug,
                            saved=1), 303)


def _token_error(exc: AuthError) -> dict:
    """The token's error in the form's words (the API's speak of headers)."""
    message = str(exc)
    if exc.status == 401 and current().tokens.configured and not _token_header():
        message = ("is required: type the write token your organisation received from the "
                   "operators of this site")
    elif exc.status == 401 and "not valid" in message:
        message = ("is not valid: check that you typed your organisation's write token "
                   "exactly (letters and digits, at least "
                   f"{MIN_TOKEN_LENGTH} characters)")
    return {"field": "token", "value": None, "message": message}


@bp.route("/profiles/new", methods=["GET", "POST"])
def new() -> Response:
    if request.method == "POST":
        return _save(None)
    return _render({}, slug=None, errors=[])


@bp.route("/profiles/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> Response:
    stored = current().profiles.get(slug)
    if stored is None:
        return _render({}, slug=None, errors=[], status=404,
                       message=f"There is no profile {slug!r}; create it here.")
    if request.method == "POST":
        return _save(slug)
    return _render(stored.profile, slug=slug, errors=[])


def _login_page(error: str | None, target: str, status: int = 200,
                retry_after: int | None = None) -> Response:
    body = render_template("login.html", error=error, next=target,
                           min_token=MIN_TOKEN_LENGTH)
    return _with_retry_after(make_response(body, status), retry_after)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    default = url_for("forms.new")
    if request.method == "GET":
        return _login_page(None, safe_next(request.args.get("next"), default))
    target = safe_next(request.form.get("next"), default)
    if not same_site():
        return _login_page(CROSS_SITE, target, 403)
    token = request.form.get("token", "").strip()
    if not token:
        return _login_page("type your write token", target, 401)
    try:
        current().tokens.holder(f"Bearer {token}", client=client_key())
    except AuthError as exc:
        return _login_page(str(exc), target, exc.status, exc.retry_after)
    response = redirect(target, 303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.is_secure, max_age=COOKIE_HOURS * 3600)
    return response


@bp.post("/logout")
def logout() -> Response:
    if not same_site():
        return _login_page(CROSS_SITE, url_for("forms.new"), 403)
    response = redirect(url_for("pages.home"), 303)
    response.delete_cookie(COOKIE, httponly=True, samesite="Strict", secure=request.is_secure)
    return response
