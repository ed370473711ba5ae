"""Log in and out, password reset, invitations, language, profile and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from harmonie.accounts import services
from harmonie.accounts.forms import InvitationAcceptForm, LoginForm, PreferencesForm, TokenCreateForm
from harmonie.accounts.models import PersonalAccessToken
from harmonie.core.errors import DomainError
from harmonie.governance.middleware import SESSION_ORG_KEY
from harmonie.governance.services.members import invitation_accept, invitation_by_token


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("governance:dashboard")
    form = LoginForm(request.POST or None)
    locked = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = _client_ip(request)
        if services.login_is_locked(login=email, ip_address=ip):
            locked = True
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes, or reset your password."))
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                services.login_failure_record(login=email, ip_address=ip)
                form.add_error(None, _("E-mail address or password is wrong."))
            else:
                services.login_success_record(login=email)
                login(request, user)
                return HttpResponseRedirect(_safe_next(request, reverse("governance:dashboard")))
    status = 429 if locked else (400 if request.method == "POST" else 200)
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("accounts:login")


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; saved on the user when logged in, in a cookie otherwise."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("governance:dashboard")))
    try:
        if request.user.is_authenticated:
            services.user_preferences_update(user=request.user, language=language)
        elif language not in {"en", "fr"}:
            raise DomainError(_("Choose English or French."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return response
    translation.activate(language)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_by_token(token)
    except DomainError as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.message}, status=exc.status_code)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                member = invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                member = invitation_accept(
                    token=token,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password"],
                )
                login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(
                    request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}, status=400
                )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return render(
                request,
                "accounts/invitation_accept.html",
                {"form": form, "invitation": invitation},
                status=exc.status_code,
            )
        request.session[SESSION_ORG_KEY] = member.organization_id
        messages.success(request, _("Welcome to %(org)s.") % {"org": member.organization.name})
        return redirect("governance:dashboard")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    actor = getattr(request, "actor", None)
    prefs = PreferencesForm(
        request.POST if request.POST.get("form") == "prefs" else None,
        initial={"language": user.language, "timezone": user.timezone},  # type: ignore[union-attr]
    )
    token_form = TokenCreateForm(request.POST if request.POST.get("form") == "token" else None)
    new_token: str | None = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "prefs" and prefs.is_valid():
                services.user_preferences_update(
                    user=user,  # type: ignore[arg-type]
                    language=prefs.cleaned_data["language"],
                    timezone_name=prefs.cleaned_data["timezone"],
                )
                messages.success(request, _("Preferences saved."))
                return redirect("accounts:profile")
            if request.POST.get("form") == "token" and token_form.is_valid() and actor is not None:
                expires = token_form.cleaned_data.get("expires_at")
                expires_at = dt.datetime.combine(expires, dt.time.max, tzinfo=dt.UTC) if expires is not None else None
                _token, new_token = services.token_create(
                    user=user,  # type: ignore[arg-type]
                    organization_id=actor.organization_id,
                    name=token_form.cleaned_data["name"],
                    expires_at=expires_at,
                )
                token_form = TokenCreateForm()
            if request.POST.get("form") == "revoke":
                services.token_revoke(user=user, token_id=int(request.POST.get("token_id", "0")))  # type: ignore[arg-type]
                messages.success(request, _("Token revoked."))
                return redirect("accounts:profile")
        except DomainError as exc:
            messages.error(request, exc.message)
        except ValueError:
            messages.error(request, _("That token does not exist."))
    tokens = PersonalAccessToken.objects.filter(user=user).select_related("organization")  # type: ignore[misc]
    return render(
        request,
        "accounts/profile.html",
        {"prefs": prefs, "token_form": token_form, "tokens": tokens, "new_token": new_token, "now": timezone.now()},
    )


@login_required
@require_POST
def switch_organization_view(request: HttpRequest) -> HttpResponse:
    try:
        org_id = int(request.POST.get("organization", "0"))
    except ValueError:
        org_id = 0
    if request.user.memberships.filter(organization_id=org_id, is_active=True).exists():  # type: ignore[union-attr]
        request.session[SESSION_ORG_KEY] = org_id
    else:
        messages.error(request, _("You are not a member of that organization."))
    return redirect("governance:dashboard")
