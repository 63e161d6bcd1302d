"""Settings of the sample Django shop: PostgreSQL named by the libpq variables (PGHOST, PGPORT...)."""
import os

SECRET_KEY = "plan-lens-sample-app"
INSTALLED_APPS = ["shop"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("PGDATABASE", "postgres"),
        "USER": os.environ.get("PGUSER", ""),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        "HOST": os.environ.get("PGHOST", "127.0.0.1"),
        "PORT": os.environ.get("PGPORT", "5432"),
        # Each test run keeps its tables in a schema of its own.
        "OPTIONS": {"options": f"-c search_path={os.environ.get('SHOP_SCHEMA', 'public')}"},
    }
}
