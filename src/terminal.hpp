// The controlling terminal and job control: reaper hands the terminal's foreground to the
// child's group so that keys reach the command as they would without reaper, repeats the
// child's Ctrl-Z on itself so that the shell sees the job stop, and leaves the terminal as
// it found it. The terminal is the controlling one (/dev/tty), whatever stdin is: a
// command whose input is a pipe may still read the keyboard (less, a password prompt).
// Reaper keeps SIGTTOU blocked, which lets it call tcsetpgrp and tcsetattr even from the
// background (the kernel treats blocked as ignored there).
#pragma once

#include <sys/types.h>
#include <termios.h>

namespace terminal {

struct Foreground {
    int fd = -1;        // the controlling terminal, or -1: reaper has none
    bool held = false;  // the child's group has been given the terminal, by reaper's group
    bool saved = false;
    termios settings{};  // as they were when reaper first handed the terminal over
};

// Opens the controlling terminal, if reaper has one (close-on-exec, above 2).
void open_controlling(Foreground& foreground);

// When reaper's group has the terminal's foreground -- at start, or on SIGCONT after a
// shell's `fg` -- notes what to restore later and returns true: the child's group
// should then be given the terminal.
[[nodiscard]] bool claim(Foreground& foreground);
void hand_to(const Foreground& foreground, pid_t group);

// When the child is gone (or never started): if its group still has the terminal,
// restores the settings and gives the foreground back to reaper's group.
void give_back(const Foreground& foreground, pid_t group);

// Whether the child's stop by `signal` is the terminal's job control at work -- a Ctrl-Z
// while its group had the foreground, or a read or write from the background -- rather
// than a signal someone sent it: only then does the shell above expect reaper to stop.
[[nodiscard]] bool is_job_stop(const Foreground& foreground, pid_t group, int signal);

// Stops reaper with `signal`, as the child was stopped, so that the shell that started it
// sees the job stop; returns once reaper is continued. No effect where the kernel
// discards stop signals (PID 1, an orphaned process group).
void stop_self(int signal);

}  // namespace terminal
