#!/usr/bin/env bash
# Makes sure every server the backend tests start is installed. As root on Debian it installs
# what is missing (test/support/install/*.sh, Debian packages only); otherwise it names exactly
# what is missing and how to get it, and the affected tests fail with the same message.
set -euo pipefail
cd "$(dirname "$0")"

# command → Debian package that provides it
declare -A NEEDED=(
  [redis-server]=redis-server [redis-cli]=redis-tools
  [etcd]=etcd-server
  [radosgw]=radosgw [ceph-mon]=ceph-mon [ceph-osd]=ceph-osd
)
missing=()
for cmd in "${!NEEDED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(initdb)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # The install scripts are idempotent and also bring helpers (openssl, uuidgen) the list above
  # does not name, so run them all; refresh the package lists only when something is missing.
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing test servers (missing: ${missing[*]})" >&2
    apt-get -o DPkg::Lock::Timeout=300 update -qq
  fi
  for script in install/*.sh; do bash "$script" >/dev/null; done
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing test servers: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y redis-server redis-tools etcd-server postgresql radosgw ceph-mon ceph-osd ceph-common uuid-runtime openssl" >&2
fi
