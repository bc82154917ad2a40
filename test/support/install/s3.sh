#!/usr/bin/env bash
# Installs what the S3 backend's tests need: a single-node Ceph (monitor, memstore OSD) and the
# RADOS Gateway, from Debian 12 packages. Idempotent: installs only what is missing. Starts
# nothing; test/support/s3.ts launches a throw-away cluster per test run.
set -euo pipefail
need=()
# command:package; start.sh also uses monmaptool, the ceph CLI, radosgw-admin and curl.
for pair in radosgw:radosgw ceph-mon:ceph-mon ceph-osd:ceph-osd monmaptool:ceph-base ceph:ceph-common radosgw-admin:ceph-common curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}"
fi
