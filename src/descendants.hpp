// What is left in reaper's care, found through /proc without allocating: as PID 1 every
// process of the namespace, otherwise every descendant of reaper -- never anything else.
#pragma once

#include <sys/types.h>

namespace descendants {

// Counts reaper's descendants (zombies included); -1 when /proc cannot be read.
[[nodiscard]] int count();

// Sends `signal` to everything in reaper's care. As PID 1 through kill(-1), which needs
// no /proc; otherwise to each descendant found in /proc.
void signal_all(int signal);

}  // namespace descendants
