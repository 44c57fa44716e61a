{{ cookiecutter.description | python_docstring }}

__version__ = "{{ cookiecutter.version }}"
