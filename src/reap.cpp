#include "reap.hpp"

#include <cerrno>
#include <sys/wait.h>

#include "diag.hpp"
#include "signals.hpp"

namespace reap {
namespace {

// ECHILD is believed only when a second call agrees: a wait that failed for another
// reason must not leave zombies until the next SIGCHLD, which may never come.
constexpr int confirmations = 2;

void note_exit(MainChild& main_child, pid_t pid, int wait_status, bool warn_on_reap)
{
    // Once reaped, the main child's PID may come back as some other process.
    if (pid == main_child.pid && !main_child.exited) {
        main_child.exited = true;
        main_child.wait_status = wait_status;
        diag::say(diag::Level::info, Message() << "child " << pid << " ended, wait status " << wait_status);
    } else if (warn_on_reap || diag::enabled(diag::Level::debug)) {
        diag::say(warn_on_reap ? diag::Level::warning : diag::Level::debug, Message()
                                                                                << "reaped zombie process " << pid);
    }
}

}  // namespace

Children collect(MainChild& main_child, bool warn_on_reap)
{
    int doubts = 0;
    for (;;) {
        int wait_status = 0;
        // __WALL: an orphan is reaper's child whatever signal it was cloned to send.
        // WUNTRACED: a Ctrl-Z of the child is reaper's to pass on to the shell above it.
        pid_t pid = waitpid(-1, &wait_status, WNOHANG | __WALL | WUNTRACED);
        if (pid == 0) {
            main_child.childless = false;
            return Children::remain;
        }
        if (pid < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (++doubts < confirmations) {
                continue;
            }
            if (errno != ECHILD) {
                diag::failed(diag::Level::warning, "waitpid", errno);
                return Children::remain;
            }
            main_child.childless = true;
            return Children::none;
        }
        doubts = 0;
        if (WIFSTOPPED(wait_status)) {
            if (pid == main_child.pid && !main_child.exited) {
                main_child.stop_signal = WSTOPSIG(wait_status);
                diag::say(diag::Level::debug,
                          Message() << "child stopped by SIG" << signals::name(main_child.stop_signal).view());
            }
            continue;
        }
        bool was_running = !main_child.exited;
        note_exit(main_child, pid, wait_status, warn_on_reap);
        if (was_running && main_child.exited) {
            // The command is done: what else is left is the grace's to find and reap (as
            // PID 1, usually nothing, known without a wait that only says so).
            return Children::remain;
        }
    }
}

}  // namespace reap
