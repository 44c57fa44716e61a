"""What this project was generated with: its name and the defaults it chose.

The template writes these values once; the core reads them instead of holding
template code. Explicit environment variables always win over the defaults.
"""

from typing import Final

# The import package; also the first part of the default release name.
PROJECT_SLUG: Final = "{{ cookiecutter.project_slug }}"
# What ENVIRONMENT means when it is unset.
DEFAULT_ENVIRONMENT: Final = "{{ cookiecutter.default_environment }}"
# What SENTRY_PII_MODE means when it is unset.
PII_MODE: Final = "{{ cookiecutter.pii_mode }}"
# The SENTRY_TRACES_SAMPLE_RATE preset of each environment.
TRACES_SAMPLE_RATES: Final = {
    "development": {{ cookiecutter.traces_sample_rate_development | float }},
    "staging": {{ cookiecutter.traces_sample_rate_staging | float }},
    "production": {{ cookiecutter.traces_sample_rate_production | float }},
}
