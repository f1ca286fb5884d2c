// The main phase: the command runs; every signal reaper receives is passed on to it, every
// child that exits is reaped, and a stop at the terminal is repeated on reaper.
#pragma once

#include "events.hpp"
#include "reap.hpp"
#include "signals.hpp"
#include "terminal.hpp"

namespace supervise {

struct Forwarding {
    pid_t child_group;
    bool group;         // to the child's whole process group
    bool shared_group;  // the child is in reaper's group: the terminal's ^C reached it too
    const signals::Rewrite& rewrite;
    bool warn_on_reap;
    bool stop_with_child;  // repeat the child's job-control stops on reaper: not as PID 1
};

// Runs until the main child has been reaped. Without signals (the loop lost its signalfd)
// reaper still reaps until the child is gone, but forwards nothing more.
void run(events::Loop& loop, reap::MainChild& child, const Forwarding& forwarding, terminal::Foreground& foreground);

}  // namespace supervise
