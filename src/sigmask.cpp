#include "sigmask.hpp"

#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sigmask {
namespace {
constexpr unsigned long kernel_set_size = sizeof(std::uint64_t);

// The kernel's struct sigaction, as rt_sigaction reads it (include/linux/signal_types.h):
// handler, flags, restorer (amd64, arm64, armhf, i386, ppc64el and s390x all have one),
// then the kernel's sigset_t: 64 signals in unsigned longs, aligned as a long -- on 32-bit
// ARM a std::uint64_t would sit at byte 16, where the kernel reads the mask at 12. Only
// SIG_IGN and SIG_DFL are ever set, so no restorer is needed.
struct KernelAction {
    void (*handler)(int);
    unsigned long flags;  // cppcheck-suppress unusedStructMember ; the kernel reads it
    void (*restorer)();   // cppcheck-suppress unusedStructMember ; the kernel reads it
    unsigned long mask[kernel_set_size / sizeof(unsigned long)];  // cppcheck-suppress unusedStructMember
};
}  // namespace

bool is_ignored(int signal)
{
    KernelAction current{};
    return syscall(SYS_rt_sigaction, signal, nullptr, &current, kernel_set_size) == 0 && current.handler == SIG_IGN;
}

bool set_ignored(int signal, bool ignored)
{
    KernelAction wanted{ignored ? SIG_IGN : SIG_DFL, 0, nullptr, {}};
    return syscall(SYS_rt_sigaction, signal, &wanted, nullptr, kernel_set_size) == 0;
}

bool block(signals::Set set, signals::Set& previous)
{
    std::uint64_t wanted = set.bits();
    std::uint64_t before = 0;
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &wanted, &before, kernel_set_size) != 0) {
        return false;
    }
    previous = signals::Set::from_bits(before);
    return true;
}

bool unblock(signals::Set set)
{
    std::uint64_t wanted = set.bits();
    return syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &wanted, nullptr, kernel_set_size) == 0;
}

bool replace(signals::Set mask)
{
    std::uint64_t wanted = mask.bits();
    return syscall(SYS_rt_sigprocmask, SIG_SETMASK, &wanted, nullptr, kernel_set_size) == 0;
}

int above_stderr(int fd)
{
    if (fd >= 0 && fd <= STDERR_FILENO) {
        // Started with 0, 1 or 2 closed: keep that number free, or reaper's own writes to
        // stderr would land in this descriptor, and the child must find it closed as well.
        // Raw: musl's fcntl() brings 400 bytes of fallbacks reaper does not need.
        int moved = static_cast<int>(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
        close(fd);
        fd = moved;
    }
    return fd;
}

int open_signalfd(signals::Set set)
{
    std::uint64_t wanted = set.bits();
    return above_stderr(static_cast<int>(syscall(SYS_signalfd4, -1, &wanted, kernel_set_size, SFD_CLOEXEC)));
}

int wait_for(signals::Set set, siginfo_t& info)
{
    std::uint64_t wanted = set.bits();
    return static_cast<int>(syscall(SYS_rt_sigtimedwait, &wanted, &info, nullptr, kernel_set_size));
}

}  // namespace sigmask
