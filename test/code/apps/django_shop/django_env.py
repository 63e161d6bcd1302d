"""Imported first by every program: configures Django with settings.py."""
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
django.setup()
