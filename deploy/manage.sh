#!/bin/sh
# Run a `flask` command with the production settings, from any directory:
#   sudo -u wowdash /opt/wowdash/deploy/manage.sh upgrade
#   sudo -u wowdash /opt/wowdash/deploy/manage.sh create-admin --username boss --superadmin
# ENV_FILE (default <checkout>/.env.production) and WOWDASH_VENV (default <checkout>/venv) override.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ENV_FILE="${ENV_FILE:-$ROOT/.env.production}"
VENV="${WOWDASH_VENV:-$ROOT/venv}"
if [ -r "$ENV_FILE" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
fi
cd "$ROOT"
exec "$VENV/bin/flask" --app wsgi:app "$@"
