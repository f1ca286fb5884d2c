// Pause mode, the pod sandbox's role: no command of its own; reaper reaps whatever the
// kernel re-parents to it until SIGTERM or SIGINT asks it to stop.
#pragma once

#include "events.hpp"

namespace sandbox {

// Returns when asked to stop. Every signal but SIGCHLD, TERM and INT is ignored.
void hold_until_stopped(events::Loop& loop, bool warn_on_reap);

}  // namespace sandbox
