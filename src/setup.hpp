// The process set-up around the command: what reaper does to itself before it starts the
// command, once it has, and at the very end.
#pragma once

namespace setup {

// reaper needs its children to become zombies so it can read their status; a caller's
// SIG_IGN for SIGCHLD would have the kernel discard them. Returns whether it was ignored.
[[nodiscard]] bool take_default_sigchld();

// Outside PID 1, orphans of the command would go to the host's init, never to be seen.
void become_subreaper_unless_pid1();

// -p: the kernel sends `signal` (0: none) when reaper's parent dies.
void arm_parent_death_signal(int signal);

// reaper must hold no inherited pipe open and pin no mount: the child has its own copies.
// Closes every descriptor above 2 but the two kept (-1: none), and leaves the working
// directory for /.
void let_go_of_inherited(int kept, int also_kept);

// Ends reaper by `signal`, as the child ended, so that a shell running it in a loop sees
// a SIGINT death and stops the loop, as it would without reaper. No core dump. Returns
// only if reaper survived it (PID 1, where the kernel drops it).
void die_like_child(int signal);

}  // namespace setup
