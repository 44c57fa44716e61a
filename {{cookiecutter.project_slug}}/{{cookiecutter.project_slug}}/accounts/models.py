from django.db import models


class RevokedToken(models.Model):
    """Access tokens ended by logout before they expire."""

    jti = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField()
