// Collecting exited children: the command and every orphan the kernel hands reaper.
#pragma once

#include <sys/types.h>

namespace reap {

struct MainChild {
    pid_t pid;
    bool exited = false;
    int wait_status = 0;
    int stop_signal = 0;     // the signal that last stopped it, until the loop takes note
    bool childless = false;  // the last pass found no child at all: none can come back
};

enum class Children { remain, none };

// Waits for every child that has exited, without blocking, and notes a stop of the main
// child (others' stops are no concern of reaper's). Stops early, with Children::remain,
// once it has reaped the main child: the rest is the grace's. Children::none means no
// descendant is left at all, since orphans come back to reaper.
Children collect(MainChild& main_child, bool warn_on_reap);

}  // namespace reap
