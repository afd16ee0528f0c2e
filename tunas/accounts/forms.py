import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tunas.core.forms import BootstrapFormMixin

from .models import User
from .roles import Role


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    # Our own sentence: Django's "Please enter a correct %(username)s …" becomes "nama pengguna nama
    # pengguna" in Indonesian, and usernames are no longer case-sensitive (accounts.backends).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not correct. Check both and try again; "
            "the password is case-sensitive."
        ),
    }

    username = forms.CharField(
        label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def mail_is_sent() -> bool:
    """Whether Tunas delivers e-mail, rather than only printing it (console) or dropping it (dummy, file)."""
    backend = settings.EMAIL_BACKEND.rsplit(".", 1)[0]
    return backend not in (
        "django.core.mail.backends.console",
        "django.core.mail.backends.dummy",
        "django.core.mail.backends.filebased",
    )


class UserForm(BootstrapFormMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Where Tunas sends mail, the e-mail is how a new user sets the first password ("Forgot your
        # password?"); where it sends none, the administrator hands over a first password instead.
        self.fields["email"].required = mail_is_sent()
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)

    def clean_username(self) -> str:
        # Sign-in ignores case (accounts.backends): "Made" and "made" would be one account to sign in to.
        username = self.cleaned_data["username"]
        others = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("This username is already taken (upper and lower case count as the same)."),
                code="value_invalid",
            )
        return username


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


def _same_address(stored: str, typed: str) -> bool:
    # As Django compares them: a database's case-insensitive match can pair different Unicode letters.
    return unicodedata.normalize("NFKC", stored).casefold() == unicodedata.normalize("NFKC", typed).casefold()


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Active users with this address, including new ones who have no password yet.

        An administrator creates accounts without a password (accounts.services.user_save); the new user
        chooses one through this form, which Django by default offers only to users who already have one.
        """
        email_field = User.get_email_field_name()
        users = User._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        return (u for u in users if _same_address(getattr(u, email_field), email))


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass
