// The project's name, as the template was told it: shown in every page's header.
{{ cookiecutter.project_name | js_string_constant("PROJECT_NAME") }}
