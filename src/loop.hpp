// The event loop: one blocking read of the signalfd, no timeout. Every signal arrives
// as data, so no handler runs and nothing here needs to be async-signal-safe.
#pragma once

#include <sys/types.h>

#include "reap.hpp"
#include "signals.hpp"
#include "terminal.hpp"

namespace loop {

struct Forwarding {
    bool group;  // to the child's whole process group
    const signals::Rewrite& rewrite;
    bool warn_on_reap;
    bool stop_with_child;  // repeat the child's Ctrl-Z on reaper: not as PID 1, no shell above
};

// Runs until the main child has been reaped.
void supervise(int signal_fd, reap::MainChild& child, const Forwarding& forwarding, terminal::Foreground& foreground);

// Pause mode: no child of its own; reaps whatever is re-parented to reaper until SIGTERM
// or SIGINT arrives. Every other signal is ignored.
void pause(int signal_fd, bool warn_on_reap);

}  // namespace loop
