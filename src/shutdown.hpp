// The grace period: when the main child has exited (or pause mode is told to stop),
// whatever is left in reaper's care gets the grace signal and SIGCONT, then time to end,
// then SIGKILL. The kernel would SIGKILL all of it the moment PID 1 exits, mid-write;
// reaper gives it the chance to finish first. As PID 1 that includes the processes that
// entered the namespace from outside, which reaper waits for through pidfds.
#pragma once

#include "events.hpp"
#include "reap.hpp"

namespace shutdown {

struct Grace {
    unsigned long milliseconds;  // 0: exit at once, as tini does
    int signal;
    bool warn_on_reap;
};

// Returns once nothing is left in reaper's care, or once what remained at the deadline
// has been killed (and reaped, if it dies within a short bound).
void grace(events::Loop& loop, const Grace& grace, reap::MainChild& child);

}  // namespace shutdown
