// What is left in reaper's care, found through /proc without allocating: as PID 1 every
// process of the namespace, otherwise every descendant of reaper -- never anything else.
#pragma once

#include <sys/types.h>

#include "events.hpp"

namespace descendants {

// Counts what is in reaper's care (zombies included); -1 when /proc cannot be read. With
// a /proc of another namespace, as PID 1, only its descendants are seen.
[[nodiscard]] int count();

// Whether /proc is that of reaper's own PID namespace, as PID 1 of it.
[[nodiscard]] bool own_proc();

// As PID 1, once the command runs: opens /proc/loadavg, whose last field is the last PID the
// reader's own namespace allocated (whatever /proc is mounted), for only_command_ever().
// Kept open: a read through it costs a third of an open, a read and a close at the end.
void open_last_pid();

// As PID 1: whether no process but reaper and `command` was ever created in the namespace
// (the command was PID 2 and the last PID allocated is still 2), so nothing else can be
// in it. False when it cannot tell. (A PID chosen with clone3's set_tid --
// checkpoint/restore, privileged -- is not counted as allocated.)
[[nodiscard]] bool only_command_ever(pid_t command);

// Sends `signal` -- and SIGCONT right after it when `then_continue`, so that a stopped
// process can run its handler -- to everything in reaper's care. As PID 1 through
// kill(-1), which needs no /proc and misses nothing alive at that moment; otherwise to
// each descendant found in /proc, sweeping again until a sweep finds none it has not
// signalled yet. One sweep at a time: its memory of what it signalled is a static table.
class Sweep {
public:
    Sweep(int signal, bool then_continue);
    Sweep(const Sweep&) = delete;
    Sweep& operator=(const Sweep&) = delete;

    // Signals what has not been signalled yet: called again later, it reaches a process
    // forked since (by a leftover's handler, say). Returns how many it signalled now;
    // -1 when /proc cannot be read (three tries). As PID 1 only the first call signals,
    // and counts -1.
    int more();
    // How many it has signalled in all; -1 as PID 1.
    [[nodiscard]] int total() const { return total_; }

private:
    int signal_;
    bool then_continue_;
    bool pid1_;
    int total_ = 0;
};

// Sends `signal` to everything in reaper's care once, remembering nothing (a second
// SIGTERM passed on during the grace period).
void signal_all(int signal);

// As PID 1: has `loop` watch every process that entered the namespace from outside
// (docker exec, kubectl exec, nsenter, a pod's other containers) -- its parent is outside,
// so /proc shows 0 -- since reaper cannot wait for them. Returns how many; -1 when /proc
// is not this namespace's or cannot be read.
int watch_joiners(events::Loop& loop);

}  // namespace descendants
