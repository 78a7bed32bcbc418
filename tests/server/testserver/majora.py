"""Majora's two checks that a plain django-oauth-toolkit does not make, written from what
Majora's code does (its `tatl.oauth2` module), so Latchkey's messages for them are tested:

* **A scope is a permission.** Majora's scopes are its Django permissions
  (`majora2.<codename>`), and a user may authorize only the scopes whose permission they
  hold; asking for another ends the sign-in with ``invalid_scope`` at the authorization
  endpoint. Here a user's permissions are the groups named ``scope:<scope>`` they are in
  (``/test/users/`` with ``"scopes"``; alice holds all).
* **Two-factor authentication is checked at code exchange.** A user with no TOTP device
  logs in and approves, and then the token endpoint answers ``access_denied`` with "The
  requesting user has not enabled 2FA". Here having a device is being in the group
  ``totp-device`` (``/test/users/`` with ``"two_factor": false`` leaves it out).
"""
from oauthlib import oauth2
from oauthlib.oauth2 import AccessDeniedError
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.models import get_grant_model
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

TWO_FACTOR_GROUP = "totp-device"
SCOPE_GROUP_PREFIX = "scope:"


def majora_scopes():
    """Every permission Majora's upload, read and view endpoints ask for."""
    from django.conf import settings

    return {s: d for s, d in settings.MAJORA_SCOPES.items()}


def user_scopes(user):
    if not user or not user.is_authenticated:
        return set()
    return {
        g.name[len(SCOPE_GROUP_PREFIX):] for g in user.groups.all() if g.name.startswith(SCOPE_GROUP_PREFIX)
    }


def has_two_factor(user):
    return user.groups.filter(name=TWO_FACTOR_GROUP).exists()


class UserScopesOAuthLibCore(OAuthLibCore):
    """Hands the signed-in user's permissions to the validator at the authorization step
    (the validator sees no user there otherwise)."""

    def validate_authorization_request(self, request):
        try:
            uri, http_method, body, headers = self._extract_params(request)
            headers["testserver.user_scopes"] = " ".join(sorted(user_scopes(request.user)))
            return self.server.validate_authorization_request(uri, http_method=http_method, body=body, headers=headers)
        except oauth2.FatalClientError as error:
            raise FatalClientError(error=error)
        except oauth2.OAuth2Error as error:
            raise OAuthToolkitError(error=error)


class MajoraValidator(OAuth2Validator):
    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        Grant = get_grant_model()
        try:
            grant = Grant.objects.get(code=code, application=client)
        except Grant.DoesNotExist:
            return False
        if grant.is_expired():
            return False
        if not has_two_factor(grant.user):
            raise AccessDeniedError(description="The requesting user has not enabled 2FA", request=request)
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        return True

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if "testserver.user_scopes" in request.headers:
            allowed = set(request.headers["testserver.user_scopes"].split())
        else:
            allowed = user_scopes(request.user)
        return set(scopes).issubset(allowed)


class PermissionScopes(BaseScopes):
    def get_all_scopes(self):
        return majora_scopes()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return list(majora_scopes())

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return []
