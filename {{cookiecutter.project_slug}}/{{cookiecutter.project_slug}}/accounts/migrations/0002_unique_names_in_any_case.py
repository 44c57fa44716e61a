"""One account per username and per e-mail in any letter case (the README's
accounts), held by the database so that two sign-ups at once cannot both win.

Django's user table is the auth app's: its unique indexes on lower() are written in
SQL that PostgreSQL and SQLite both run. Accounts without an e-mail (createsuperuser
allows none) are left out of the e-mail's index. The migration fails on a database
that already holds two accounts differing only in letter case: merge them first.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE UNIQUE INDEX accounts_user_lower_username"
            " ON auth_user (lower(username))",
            reverse_sql="DROP INDEX accounts_user_lower_username",
        ),
        migrations.RunSQL(
            sql="CREATE UNIQUE INDEX accounts_user_lower_email"
            " ON auth_user (lower(email)) WHERE email <> ''",
            reverse_sql="DROP INDEX accounts_user_lower_email",
        ),
    ]
