// What is left in reaper's care, found through /proc without allocating: as PID 1 every
// process of the namespace, otherwise every descendant of reaper -- never anything else.
#pragma once

#include <sys/types.h>

#include "events.hpp"

namespace descendants {

// Counts what is in reaper's care (zombies included); -1 when /proc cannot be read.
[[nodiscard]] int count();

// Sends `signal` -- and SIGCONT right after it when `then_continue`, so that a stopped
// process can run its handler -- to everything in reaper's care. As PID 1 through
// kill(-1), which needs no /proc and misses nothing; otherwise to each descendant found in
// /proc, sweeping again until a sweep finds none it has not signalled yet (a process
// forked meanwhile is not missed). Returns how many it signalled; -1 as PID 1 (not
// counted) or when /proc cannot be read.
int signal_all(int signal, bool then_continue);

// As PID 1: has `loop` watch every process that entered the namespace from outside
// (docker exec, kubectl exec, nsenter, a pod's other containers) -- its parent is outside,
// so /proc shows 0 -- since reaper cannot wait for them. Returns how many; -1 when /proc
// is not this namespace's or cannot be read.
int watch_joiners(events::Loop& loop);

}  // namespace descendants
