"""Settings: presets per environment, overrides, and one clear error per bad value."""

import pytest

from {{ cookiecutter.project_slug }} import __version__
from {{ cookiecutter.project_slug }}.core import settings as settings_module
from {{ cookiecutter.project_slug }}.core.settings import (
    PRESETS,
    SettingsError,
    load_settings,
)


@pytest.mark.parametrize("environment", sorted(PRESETS))
def test_presets_apply_per_environment(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.delenv("SENTRY_PROFILES_SAMPLE_RATE")
    monkeypatch.delenv("SENTRY_DEBUG")
    monkeypatch.delenv("SENTRY_TRACES_SAMPLE_RATE")
    settings = load_settings()
    preset = PRESETS[environment]
    assert settings.sample_rate == preset.sample_rate
    assert settings.traces_sample_rate == preset.traces_sample_rate
    assert settings.profiles_sample_rate == preset.profiles_sample_rate
    assert settings.debug == preset.debug
    assert settings.resolved_environment == environment


def test_production_never_samples_errors_away() -> None:
    assert PRESETS["production"].sample_rate == 1.0
    assert PRESETS["production"].include_local_variables is False


def test_explicit_values_beat_the_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_SAMPLE_RATE", "0.25")
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "0.05")
    monkeypatch.setenv("SENTRY_MAX_BREADCRUMBS", "30")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "production-eu")
    settings = load_settings()
    assert settings.sample_rate == 0.25
    assert settings.traces_sample_rate == 0.05
    assert settings.sentry_max_breadcrumbs == 30
    assert settings.resolved_environment == "production-eu"


def test_tracing_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_ENABLE_TRACING", "false")
    assert load_settings().traces_sample_rate == 0.0


def test_strict_mode_never_includes_local_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", "strict")
    monkeypatch.setenv("SENTRY_INCLUDE_LOCAL_VARIABLES", "true")
    assert load_settings().include_local_variables is False


def test_release_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    slug_version = "{{ cookiecutter.project_slug }}@" + __version__
    monkeypatch.setattr(settings_module, "_git_sha", lambda: "abc1234")
    monkeypatch.setenv("SENTRY_RELEASE", "custom@1.2.3")
    assert load_settings().resolved_release == "custom@1.2.3"
    monkeypatch.delenv("SENTRY_RELEASE")
    assert load_settings().resolved_release == f"{slug_version}+abc1234"
    monkeypatch.setattr(settings_module, "_git_sha", lambda: None)
    monkeypatch.setenv("APP_VERSION", "2024.11.3")
    assert load_settings().resolved_release == "2024.11.3"
    monkeypatch.delenv("APP_VERSION")
    assert load_settings().resolved_release == slug_version


def test_extra_sensitive_keys_are_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_EXTRA_SENSITIVE_KEYS", "iban, tax_id,,")
    assert load_settings().extra_sensitive_keys == ("iban", "tax_id")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ENVIRONMENT", "prod"),
        ("SENTRY_SAMPLE_RATE", "1.5"),
        ("SENTRY_TRACES_SAMPLE_RATE", "abc"),
        ("SENTRY_PROFILES_SAMPLE_RATE", "-0.1"),
        ("SENTRY_DEBUG", "maybe"),
        ("SENTRY_SEND_DEFAULT_PII", "sometimes"),
        ("SENTRY_ATTACH_STACKTRACE", "2"),
        ("SENTRY_INCLUDE_LOCAL_VARIABLES", "perhaps"),
        ("SENTRY_MAX_BREADCRUMBS", "-1"),
        ("SENTRY_ENABLE_TRACING", "yes please"),
        ("SENTRY_SLOW_QUERY_MS", "fast"),
        ("SENTRY_PII_MODE", "relaxed"),
        ("LOG_LEVEL", "LOUD"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "0"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: ") as raised:
        load_settings()
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("variable", ["SENTRY_DSN", "SENTRY_DSN_WORKER"])
def test_bad_dsn_is_named_but_not_echoed(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "not-a-dsn-secretvalue")
    with pytest.raises(SettingsError, match=f"^{variable}: ") as raised:
        load_settings()
    assert "secretvalue" not in str(raised.value)


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings()


def test_strict_mode_refuses_default_pii(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_PII_MODE", "strict")
    monkeypatch.setenv("SENTRY_SEND_DEFAULT_PII", "true")
    with pytest.raises(SettingsError, match="SENTRY_SEND_DEFAULT_PII"):
        load_settings()


def test_empty_dsn_means_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN", "")
    assert load_settings().dsn is None
