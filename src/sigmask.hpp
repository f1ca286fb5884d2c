// The signal mask and the signalfd, through raw system calls: libc's wrappers refuse
// or silently drop the real-time signals they reserve for threads (32-34), and reaper,
// single-threaded, must block and forward those too.
#pragma once

#include <csignal>

#include "signals.hpp"

namespace sigmask {

// Blocks `set` on top of the current mask; the mask before goes into `previous`.
[[nodiscard]] bool block(signals::Set set, signals::Set& previous);

// Unblocks `set`: a pending signal in it is delivered before this returns.
[[nodiscard]] bool unblock(signals::Set set);

// Replaces the mask. Async-signal-safe: used between fork and exec.
[[nodiscard]] bool replace(signals::Set mask);

// Whether `signal` is SIG_IGN; and setting it to SIG_IGN or SIG_DFL (async-signal-safe).
[[nodiscard]] bool is_ignored(int signal);
[[nodiscard]] bool set_ignored(int signal, bool ignored);

// A close-on-exec signalfd reading `set`; -1 with errno on failure.
[[nodiscard]] int open_signalfd(signals::Set set);

// Sleeps until a signal of `set` (blocked) is pending and takes it into `info`
// (rt_sigtimedwait, no timeout); -1 with errno on failure.
[[nodiscard]] int wait_for(signals::Set set, siginfo_t& info);

// `fd`, moved above 2 (close-on-exec) if it took the place of a closed stdin, stdout or
// stderr; -1 stays -1.
[[nodiscard]] int above_stderr(int fd);

}  // namespace sigmask
