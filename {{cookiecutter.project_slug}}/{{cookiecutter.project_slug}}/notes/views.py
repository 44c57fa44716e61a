"""The authenticated user's notes: JSON or form bodies, both scrubbed if they fail."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from {{ cookiecutter.project_slug }}.accounts.views import token_required
from {{ cookiecutter.project_slug }}.config.http import json_body

from .models import TITLE_MAX_LENGTH, Note


@csrf_exempt
@require_http_methods(["GET", "POST"])
@token_required
def notes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:  # token_required has checked: never here.
        return JsonResponse({"detail": "not authenticated"}, status=401)
    if request.method == "POST":
        body = json_body(request)
        title = str(body.get("title", "")).strip()
        if not title:
            return JsonResponse({"detail": "title is required"}, status=422)
        if len(title) > TITLE_MAX_LENGTH:
            return JsonResponse({"detail": "title is too long"}, status=422)
        note = Note.objects.create(
            owner=user, title=title, body=str(body.get("body", ""))
        )
        return JsonResponse(_note_json(note), status=201)
    return JsonResponse({"notes": [_note_json(note) for note in user.notes.all()]})


def _note_json(note: Note) -> dict[str, object]:
    return {"id": note.pk, "title": note.title, "body": note.body}
