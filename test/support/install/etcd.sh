#!/usr/bin/env bash
# Installs what the etcd backend's tests need: the etcd server binary (Debian 12 `etcd-server`,
# 3.4). Idempotent: installs only when `etcd` is missing. Starts nothing: test/support/etcd.ts
# runs throw-away members on free loopback ports. Debian's package enables an etcd.service on
# 2379 where systemd runs; the tests never use it.
set -euo pipefail
if ! command -v etcd >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends etcd-server
fi
etcd --version | head -n 1
