#include "reap.hpp"

#include <cerrno>
#include <sys/wait.h>

#include "diag.hpp"
#include "signals.hpp"

namespace reap {

bool all_exited(MainChild& main_child, bool warn_on_reap)
{
    for (;;) {
        int wait_status = 0;
        // __WALL: an orphan is reaper's child whatever signal it was cloned to send.
        // WUNTRACED: a Ctrl-Z of the child is reaper's to pass on to the shell above it.
        pid_t pid = waitpid(-1, &wait_status, WNOHANG | __WALL | WUNTRACED);
        if (pid == 0) {
            return true;
        }
        if (pid < 0) {
            if (errno == ECHILD) {
                return false;
            }
            if (errno != EINTR) {
                diag::failed(diag::Level::warning, "waitpid", errno);
                return true;
            }
            continue;
        }
        if (WIFSTOPPED(wait_status)) {
            if (pid == main_child.pid && !main_child.exited) {
                main_child.stop_signal = WSTOPSIG(wait_status);
                diag::write(diag::Level::debug,
                            Message() << "child stopped by SIG" << signals::name(main_child.stop_signal).view());
            }
            continue;
        }
        // Once reaped, the main child's PID may come back as some other process.
        if (pid == main_child.pid && !main_child.exited) {
            main_child.exited = true;
            main_child.wait_status = wait_status;
            diag::write(diag::Level::info, Message() << "child " << pid << " ended, wait status " << wait_status);
        } else if (warn_on_reap || diag::enabled(diag::Level::debug)) {
            diag::write(warn_on_reap ? diag::Level::warning : diag::Level::debug,
                        Message() << "reaped zombie process " << pid);
        }
    }
}

}  // namespace reap
