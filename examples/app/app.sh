#!/bin/sh
# A stand-in for a real service: it starts three short-lived helpers through subshells
# that exit at once, so each helper is orphaned to PID 1 and dies there half a second
# later -- a zombie forever under an init that does not reap. On SIGTERM (docker stop,
# forwarded by reaper) it exits 0; what it still had running is then ended by reaper's
# grace period.
for i in 1 2 3; do
    sh -c 'sleep 0.5 &'
done
echo "app: 3 orphans left behind"
trap 'echo "app: SIGTERM, exiting"; exit 0' TERM
sleep infinity &
wait $!
