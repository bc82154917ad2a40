#!/usr/bin/env bash
# Installs what the PostgreSQL backend's tests need: the server binaries (initdb, pg_ctl,
# postgres) from Debian 12 packages. Idempotent: installs only when no server binaries are found.
# Starts nothing: test/support/postgres.ts runs a throw-away cluster per test file. Debian's
# package also starts a system cluster on 5432; the tests never use it.
set -euo pipefail
have_server() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1
}
if ! have_server; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql
fi
# initdb refuses to run as root; the tests run it as this user.
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
