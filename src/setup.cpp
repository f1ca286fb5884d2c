#include "setup.hpp"

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.hpp"
#include "sigmask.hpp"
#include "sys.hpp"

namespace setup {
namespace {

void close_range_or_loop(unsigned first, unsigned last)
{
    if (first > last || syscall(SYS_close_range, first, last, 0) == 0) {
        return;
    }
    rlimit limit{};
    bool known = syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, nullptr, &limit) == 0;
    unsigned highest = known && limit.rlim_cur < 65536 ? static_cast<unsigned>(limit.rlim_cur) : 65536;
    for (unsigned fd = first; fd <= last && fd < highest; ++fd) {
        close(static_cast<int>(fd));
    }
}

}  // namespace

bool take_default_sigchld()
{
    if (!sigmask::is_ignored(SIGCHLD)) {
        return false;
    }
    if (!sigmask::set_ignored(SIGCHLD, false)) {
        diag::failed(diag::Level::warning, "sigaction SIGCHLD", errno);
    }
    return true;
}

void become_subreaper_unless_pid1()
{
    if (getpid() != 1 && sys::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        diag::failed(diag::Level::warning, "prctl PR_SET_CHILD_SUBREAPER", errno);
    }
}

void arm_parent_death_signal(int signal)
{
    if (signal == 0) {
        return;
    }
    pid_t parent = getppid();
    if (sys::prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(signal)) != 0) {
        diag::failed(diag::Level::warning, "prctl PR_SET_PDEATHSIG", errno);
        return;
    }
    if (getppid() != parent) {
        // The parent died before the request took effect: the kernel will not send it now.
        // tgkill, not kill: a signal reaper kill()s itself with is never forwarded (that is
        // how a diagnostic's SIGPIPE looks), and this one must be.
        syscall(SYS_tgkill, getpid(), getpid(), signal);
    }
}

void let_go_of_inherited(int kept, int also_kept)
{
    unsigned first = 3;
    for (int fd : {kept < also_kept ? kept : also_kept, kept < also_kept ? also_kept : kept}) {
        if (fd >= static_cast<int>(first)) {
            close_range_or_loop(first, static_cast<unsigned>(fd) - 1);
            first = static_cast<unsigned>(fd) + 1;
        }
    }
    close_range_or_loop(first, ~0U);
    if (chdir("/") != 0) {
        diag::failed(diag::Level::warning, "chdir /", errno);
    }
}

void die_like_child(int signal)
{
    sys::prctl(PR_SET_DUMPABLE, 0);  // SIGQUIT's default would dump reaper's core
    signals::Set just_this;
    just_this.add(signal);
    if (sigmask::set_ignored(signal, false) && kill(getpid(), signal) == 0) {
        [[maybe_unused]] bool unblocked = sigmask::unblock(just_this);  // delivered here
    }
}

}  // namespace setup
