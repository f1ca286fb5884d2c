// The controlling terminal and job control: reaper hands the terminal's foreground to the
// child's group so that keys reach the command as they would without reaper, repeats the
// child's Ctrl-Z on itself so that the shell sees the job stop, and leaves the terminal as
// it found it. Reaper keeps SIGTTOU blocked, which lets it call tcsetpgrp and tcsetattr
// even from the background (the kernel treats blocked as ignored there).
#pragma once

#include <sys/types.h>
#include <termios.h>

namespace terminal {

struct Foreground {
    bool held = false;  // the child's group has been given the terminal, by reaper's group
    bool saved = false;
    termios settings{};  // as they were when reaper first handed the terminal over
};

// When stdin is a terminal whose foreground group is reaper's -- at start, or on SIGCONT
// after a shell's `fg` -- notes what to restore later and returns true: the child's group
// should then be given the terminal.
[[nodiscard]] bool claim(Foreground& foreground);
void hand_to(pid_t group);

// When the child is gone: if its group still has the terminal, restores the settings and
// gives the foreground back to the group that had it before.
void give_back(const Foreground& foreground, pid_t group);

// Stops reaper with `signal`, as the child was stopped, so that the shell that started it
// sees the job stop; returns once reaper is continued. No effect where the kernel
// discards stop signals (PID 1, an orphaned process group).
void stop_self(int signal);

}  // namespace terminal
