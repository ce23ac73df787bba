#!/bin/sh
# WowDash backup: a pg_dump (custom format, restore with pg_restore) and an archive of customers' files.
#
#   deploy/backup.sh                  # settings from the environment, else from $ENV_FILE
#   ENV_FILE=/opt/wowdash/.env.production deploy/backup.sh
#
# Uses DATABASE_URL, or DB_NAME/DB_USER/DB_PASSWORD/DB_HOST/DB_PORT (the seed's names); BACKUP_DIR
# (default /var/backups/wowdash), BACKUP_KEEP_DAYS (default 14), FILE_STORAGE_DIR (archived when set
# and present; BACKUP_FILES=0 skips it). Exits non-zero on any failure, so systemd/cron report it.
# Restore: pg_restore --clean --if-exists --no-owner -d wowdash wowdash-<stamp>.dump
set -eu

if [ -z "${DATABASE_URL:-}${DB_NAME:-}" ]; then
    ENV_FILE="${ENV_FILE:-/opt/wowdash/.env.production}"
    [ -r "$ENV_FILE" ] || { echo "backup: no database settings and no readable $ENV_FILE" >&2; exit 2; }
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
fi

BACKUP_DIR="${BACKUP_DIR:-/var/backups/wowdash}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
STAMP="$(date +%Y%m%d-%H%M%S)"
umask 077
mkdir -p "$BACKUP_DIR"

if [ -n "${DATABASE_URL:-}" ]; then
    # libpq understands postgresql:// URLs, not SQLAlchemy's driver suffix.
    TARGET="$(printf '%s' "$DATABASE_URL" | sed -e 's#^postgres\(ql\)\{0,1\}+[a-z0-9]*://#postgresql://#' \
                                                 -e 's#^postgres://#postgresql://#')"
    set -- "--dbname=$TARGET"
else
    export PGPASSWORD="${DB_PASSWORD:-}"
    set -- --host="${DB_HOST:-127.0.0.1}" --port="${DB_PORT:-5432}" --username="${DB_USER:-postgres}" \
        --dbname="${DB_NAME:-wowdash}"
fi

DUMP="$BACKUP_DIR/wowdash-$STAMP.dump"
ARCHIVE="$BACKUP_DIR/wowdash-files-$STAMP.tar.gz"
trap 'rm -f "$DUMP.part" "$ARCHIVE.part"' EXIT  # a failed run leaves no partial file
# Written under a temporary name and renamed when complete: a half-written dump never looks finished.
pg_dump --format=custom --compress=6 --no-password "$@" --file="$DUMP.part"
pg_restore --list "$DUMP.part" > /dev/null  # the archive is readable
mv "$DUMP.part" "$DUMP"
echo "backup: database -> $DUMP ($(wc -c < "$DUMP") bytes)"

FILES="${FILE_STORAGE_DIR:-}"
if [ "${BACKUP_FILES:-1}" != "0" ] && [ -n "$FILES" ] && [ -d "$FILES" ]; then
    tar -czf "$ARCHIVE.part" -C "$FILES" .
    mv "$ARCHIVE.part" "$ARCHIVE"
    echo "backup: files -> $ARCHIVE ($(wc -c < "$ARCHIVE") bytes)"
fi

# Keep KEEP_DAYS days; copy the folder off this machine too (rsync, restic, object storage).
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'wowdash-*' -mtime +"$KEEP_DAYS" -print -delete
