// System calls made directly where libc's wrapper costs more than the call: musl's open,
// pipe2 and prctl carry fallbacks for kernels reaper does not run on, its _Fork takes
// locks for threads and atfork handlers reaper does not have. Each returns -1 with errno
// set on failure, as the wrapper does.
#pragma once

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sys {

inline int open(const char* path, int flags) { return static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, flags, 0)); }

inline int pipe_cloexec(int ends[2]) { return static_cast<int>(syscall(SYS_pipe2, ends, O_CLOEXEC)); }

// prctl reads five arguments: the unused ones are passed as 0, not left as whatever the
// registers held (valgrind flags that; some options require the zeros).
inline int prctl(int option, unsigned long argument)
{
    return static_cast<int>(syscall(SYS_prctl, option, argument, 0UL, 0UL, 0UL));
}

// The child runs only system calls until exec (no locks, no thread-local state that a
// stale thread id would upset), so libc's bookkeeping around fork is not needed.
inline pid_t fork()
{
#ifdef SYS_fork
    return static_cast<pid_t>(syscall(SYS_fork));
#else
    return static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, 0L, 0L, 0L, 0L));  // arm64, riscv64: clone only
#endif
}

inline void sleep_ms(int milliseconds) { poll(nullptr, 0, milliseconds); }

}  // namespace sys
