// The controlling terminal's foreground process group: reaper hands it to the child's
// group so that the command reads the terminal as it would without reaper, and hands it
// back when the command is done.
#pragma once

#include <sys/types.h>

namespace terminal {

struct Foreground {
    bool held = false;         // stdin is our terminal and our group is its foreground
    pid_t previous_group = 0;  // whom to give it back to
};

[[nodiscard]] Foreground inspect();

// Reaper blocks SIGTTOU, so these work even once reaper is no longer in the foreground.
void hand_to(const Foreground& foreground, pid_t group);
void give_back(const Foreground& foreground);

}  // namespace terminal
