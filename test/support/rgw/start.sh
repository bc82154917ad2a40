#!/usr/bin/env bash
# Starts a throw-away single-node Ceph cluster serving S3 on 127.0.0.1, for tests and benchmarks.
#
#   bash start.sh DIR RGW_PORT MON_PORT OSD_PORT_MIN OSD_PORT_MAX ACCESS_KEY SECRET_KEY BUCKET [RGW_PORT_2]
#
# With RGW_PORT_2, a second gateway (client.rgw.b) serves the same cluster there, as a load
# balancer's second backend would: conditional writes must exclude across gateways too.
#
# One monitor, one OSD keeping its data in RAM (memstore) and one RADOS Gateway, each a daemon
# whose pid file is DIR/run/NAME.pid (mon.a, osd.0, client.rgw.a). Everything lives under DIR;
# the caller stops the daemons by those pids and deletes DIR. cephx is off because nothing leaves
# loopback; S3 requests are still SigV4-signed with the given keys. Exits non-zero (after
# stopping what it started) if any step is not ready within READY_SECONDS (default 60).
set -euo pipefail
DIR=$1 RGW_PORT=$2 MON_PORT=$3 OSD_MIN=$4 OSD_MAX=$5 ACCESS=$6 SECRET=$7 BUCKET=$8 RGW_PORT_2=${9:-}
READY_SECONDS=${READY_SECONDS:-60}
export CEPH_CONF="$DIR/ceph.conf"

fail() {
  echo "rgw start: $*" >&2
  for f in "$DIR"/log/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  for p in "$DIR"/run/*.pid; do [ -f "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null; done
  exit 1
}
# Retries "$@" every 0.1 s until it succeeds or READY_SECONDS pass.
await() {
  local what=$1; shift
  local end=$(( $(date +%s) + READY_SECONDS ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || fail "$what not ready after ${READY_SECONDS}s"
    sleep 0.1
  done
}

mkdir -p "$DIR"/{run,log,mon.a,osd.0,rgw.a}
fsid=$(cat /proc/sys/kernel/random/uuid)
cat >"$CEPH_CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $OSD_MIN
ms bind port max = $OSD_MAX
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
run dir = $DIR/run
admin socket = $DIR/run/\$cluster-\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
crash dir = $DIR/log
keyring = $DIR/keyring
[mon]
mon data = $DIR/mon.\$id
# Pool creation by radosgw waits on map commits; the default 1 s batching makes start-up ~15 s.
paxos propose interval = 0.05
paxos min wait = 0.01
[osd]
osd data = $DIR/osd.\$id
osd objectstore = memstore
memstore device bytes = 536870912
[client.rgw.a]
# radosgw asks the monitor for a "secure" session by default, which auth=none cannot give: it
# would hang for minutes. crc mode is fine on loopback.
ms mon client mode = crc secure
# tcp_nodelay: without it a GET on a kept-alive connection waits ~40 ms (Nagle + delayed ACK).
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw data = $DIR/rgw.a
rgw thread pool size = 64
[client.rgw.b]
ms mon client mode = crc secure
rgw frontends = beast endpoint=127.0.0.1:${RGW_PORT_2:-0} tcp_nodelay=1
rgw data = $DIR/rgw.b
rgw thread pool size = 64
CONF

monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$DIR/monmap" 2>>"$DIR/log/setup.log" || fail "ceph-mon --mkfs failed"
ceph-mon -i a || fail "ceph-mon did not start"
await "monitor" timeout 10 ceph --connect-timeout 5 mon stat

osd_uuid=$(cat /proc/sys/kernel/random/uuid)
[ "$(timeout 30 ceph osd new "$osd_uuid")" = 0 ] || fail "ceph osd new did not return id 0"
ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/log/setup.log" 2>&1 || fail "ceph-osd --mkfs failed"
ceph-osd -i 0 >>"$DIR/log/setup.log" 2>&1 || fail "ceph-osd did not start"
osd_up() { timeout 10 ceph osd stat -f json | grep -q '"num_up_osds":1'; }
await "osd.0" osd_up

radosgw -n client.rgw.a || fail "radosgw did not start"
await "radosgw" curl -sf -o /dev/null "http://127.0.0.1:$RGW_PORT/"
if [ -n "$RGW_PORT_2" ]; then
  mkdir -p "$DIR/rgw.b"
  radosgw -n client.rgw.b || fail "second radosgw did not start"
  await "second radosgw" curl -sf -o /dev/null "http://127.0.0.1:$RGW_PORT_2/"
fi

timeout 60 radosgw-admin user create --uid=leasehold-test --display-name="leasehold tests" \
  --access-key="$ACCESS" --secret-key="$SECRET" >"$DIR/log/user.json" || fail "radosgw-admin user create failed"
code=$(curl -s -o "$DIR/log/bucket.out" -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
  --user "$ACCESS:$SECRET" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://127.0.0.1:$RGW_PORT/$BUCKET")
[ "$code" = 200 ] || fail "creating bucket $BUCKET answered HTTP $code"
