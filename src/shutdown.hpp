// The grace period: when the main child has exited, whatever it left behind gets the
// grace signal, then time to end, then SIGKILL. The kernel would SIGKILL all of it the
// moment PID 1 exits, mid-write; reaper gives it the chance to finish first.
#pragma once

#include "reap.hpp"

namespace shutdown {

struct Grace {
    unsigned long milliseconds;  // 0: exit at once, as tini does
    int signal;
    bool warn_on_reap;
};

// Returns once nothing is left in reaper's care, or once what remained at the deadline
// has been killed (and reaped, if it dies within a short bound).
void grace(int signal_fd, const Grace& grace, reap::MainChild& child);

}  // namespace shutdown
