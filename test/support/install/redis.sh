#!/usr/bin/env bash
# Installs what the Redis backend's tests need: redis-server (single node, cluster nodes and, with
# --sentinel, a Sentinel), redis-cli (which joins the cluster) and openssl (a throw-away CA for
# the TLS test), from Debian 12 packages. Idempotent: installs only what is
# missing. Starts nothing: test/support/redis.ts launches throw-away servers on free loopback
# ports, and never touches a system Redis on 6379.
set -euo pipefail
need=()
for pair in redis-server:redis-server redis-cli:redis-tools openssl:openssl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}"
  # Debian's package enables and starts a system service on 6379; the tests do not need it, and
  # leaving it to the administrator is kinder than stopping it here.
fi
