#!/bin/sh
# reaper around a command in a local shell, not as PID 1: it registers as child
# subreaper, so whatever the build's tools orphan (compiler servers, test daemons)
# comes back to it instead of to the host's init; Ctrl-C reaches the build exactly once;
# and when the build ends, what it left running gets SIGTERM, then SIGKILL after the
# grace period -- nothing outlives the build. Usage:
#
#   examples/shell-wrapper.sh make -j8
#   reaper -- make -j8                 (the same, directly)
exec "${REAPER:-reaper}" --grace 5 -- "$@"
