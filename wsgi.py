"""The only gunicorn target: `gunicorn wsgi:app`."""
from wowdash import create_app

app = create_app()
