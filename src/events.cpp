#include "events.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>

#include "diag.hpp"
#include "sigmask.hpp"
#include "sys.hpp"

namespace events {
namespace {

constexpr std::size_t capacity = 1024;
std::array<pollfd, capacity + 1> polled;  // [0]: the signalfd; then one per watched process
std::array<pid_t, capacity + 1> watched_pids;

// How often a process without a pidfd (pidfd_open refused: old kernel, seccomp, no
// descriptors left) is checked for: only ever while such a process is watched.
constexpr int unpinned_check_ms = 100;
// A call that keeps failing with an error that is not the descriptor's end is retried
// this many times in a row (10 ms apart) before reaper gives up on it.
constexpr int max_failures = 100;

// Raw: libc's clock_gettime brings 700 bytes of vDSO lookup, for a clock read only while
// a deadline runs.
timespec now()
{
    timespec time{};
#ifdef SYS_clock_gettime64
    syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, &time);  // 32-bit machines: musl's timespec is 64-bit
#else
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &time);
#endif
    return time;
}

long long milliseconds_between(const timespec& from, const timespec& to)
{
    return (static_cast<long long>(to.tv_sec) - from.tv_sec) * 1000 + (to.tv_nsec - from.tv_nsec) / 1000000;
}

void pause_before_retry() { sys::sleep_ms(10); }

// What the signalfd would have read for the same signal: the fields the phases use.
signalfd_siginfo as_read(const siginfo_t& info)
{
    signalfd_siginfo read{};
    read.ssi_signo = static_cast<std::uint32_t>(info.si_signo);
    read.ssi_code = info.si_code;
    read.ssi_pid = static_cast<std::uint32_t>(info.si_pid);
    read.ssi_ptr = reinterpret_cast<std::uintptr_t>(info.si_value.sival_ptr);
    return read;
}

}  // namespace

Loop::Loop(UniqueFd signal_fd, signals::Set signals) : signal_fd_(std::move(signal_fd)), signals_(signals) {}

Loop::~Loop()
{
    for (std::size_t i = 1; i <= count_; ++i) {
        if (polled[i].fd >= 0) {
            close(polled[i].fd);
        }
    }
}

void Loop::set_deadline(unsigned long milliseconds)
{
    deadline_ = now();
    deadline_.tv_sec += static_cast<time_t>(milliseconds / 1000);
    deadline_.tv_nsec += static_cast<long>(milliseconds % 1000) * 1000000L;
    if (deadline_.tv_nsec >= 1000000000L) {
        deadline_.tv_sec += 1;
        deadline_.tv_nsec -= 1000000000L;
    }
    has_deadline_ = true;
}

bool Loop::watch(pid_t pid)
{
    if (count_ == capacity) {
        return false;
    }
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        if (errno == ESRCH) {
            return true;  // already gone
        }
        diag::failed(diag::Level::info, Message() << "pidfd_open " << pid << " (checked every 100 ms instead)", errno);
        ++unpinned_;
    }
    ++count_;
    polled[count_] = {pidfd, POLLIN, 0};
    watched_pids[count_] = pid;
    return true;
}

void Loop::forget(std::size_t index)
{
    if (polled[index].fd >= 0) {
        close(polled[index].fd);
    } else {
        --unpinned_;
    }
    polled[index] = polled[count_];
    watched_pids[index] = watched_pids[count_];
    --count_;
}

bool Loop::forget_exited(bool check_unpinned)
{
    bool any = false;
    for (std::size_t i = count_; i >= 1; --i) {
        bool exited = polled[i].fd >= 0 ? polled[i].revents != 0
                                        : check_unpinned && kill(watched_pids[i], 0) != 0 && errno == ESRCH;
        if (exited) {
            forget(i);
            any = true;
        }
    }
    return any;
}

int Loop::timeout_ms() const
{
    long long timeout = -1;
    if (has_deadline_) {
        timeout = milliseconds_between(now(), deadline_) + 1;  // rounded up: never early
        timeout = timeout < 0 ? 0 : timeout;
    }
    if (unpinned_ > 0 && (timeout < 0 || timeout > unpinned_check_ms)) {
        timeout = unpinned_check_ms;
    }
    return static_cast<int>(timeout);
}

bool Loop::reopen_signal_fd()
{
    UniqueFd fresh(sigmask::open_signalfd(signals_));
    if (!fresh.valid()) {
        diag::failed(diag::Level::error, "signalfd (again)", errno);
        return false;
    }
    signal_fd_ = std::move(fresh);
    diag::say(diag::Level::warning, "read signalfd failed; reading from a new one");
    return true;
}

Loop::Woken Loop::read_signals()
{
    ssize_t got = read(signal_fd_.get(), batch_.data(), sizeof batch_);
    if (got > 0) {
        failures_ = 0;
        read_ = static_cast<std::size_t>(got) / sizeof(signalfd_siginfo);
        next_ = 0;
        return Woken::signals;
    }
    int error = got == 0 ? EIO : errno;
    if (error == EINTR || error == EAGAIN) {
        return Woken::signals;  // nothing read: read_ == next_, the caller waits again
    }
    diag::failed(diag::Level::warning, "read signalfd", error);
    // EBADF, EINVAL: the descriptor is not a signalfd any more. Otherwise retry, 10 ms
    // apart, and make a new one only when the error persists.
    if (error != EBADF && error != EINVAL && ++failures_ < max_failures) {
        pause_before_retry();
        return Woken::signals;
    }
    failures_ = 0;
    return reopen_signal_fd() ? Woken::signals : Woken::lost;
}

Loop::Woken Loop::take_signal()
{
    siginfo_t info{};
    int taken = sigmask::wait_for(signals_, info);
    if (taken > 0) {
        batch_[0] = as_read(info);
        read_ = 1;
        next_ = 0;
        return Woken::signals;
    }
    if (taken < 0 && errno == EINTR) {
        return Woken::signals;  // nothing taken: read_ == next_, the caller waits again
    }
    // Refused (a seccomp profile, an emulator), or 0 -- no signal -- from a seccomp
    // rule's ERRNO(0), which would otherwise spin here: the signalfd's read takes the
    // same signals, from here on.
    if (taken < 0) {
        diag::failed(diag::Level::info, "rt_sigtimedwait (reading the signalfd instead)", errno);
    } else {
        diag::say(diag::Level::info, "rt_sigtimedwait returned no signal (reading the signalfd instead)");
    }
    take_works_ = false;
    return Woken::signals;
}

Loop::Woken Loop::wait()
{
    for (;;) {
        // Nothing to wait for but signals (the command runs, the sandbox holds): one
        // system call per signal, which sleeps until one comes. rt_sigtimedwait takes it
        // from the same queue as the signalfd's read, with less work in the kernel.
        if (count_ == 0 && !has_deadline_) {
            Woken woken = take_works_ ? take_signal() : read_signals();
            if (woken != Woken::signals || read_ > next_) {
                return woken;
            }
            continue;
        }
        // Written here, not once: the table's pages stay untouched until a grace needs them.
        polled[0] = {signal_fd_.get(), POLLIN, 0};
        int ready = poll(polled.data(), count_ + 1, timeout_ms());
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            diag::failed(diag::Level::warning, "poll", errno);
            if (++failures_ >= max_failures) {
                return Woken::lost;
            }
            pause_before_retry();
            continue;
        }
        if (polled[0].revents != 0) {
            Woken woken = read_signals();
            if (woken != Woken::signals || read_ > next_) {
                return woken;
            }
        }
        if (forget_exited(ready == 0)) {
            return Woken::gone;
        }
        if (has_deadline_ && milliseconds_between(now(), deadline_) <= 0) {
            has_deadline_ = false;
            return Woken::deadline;
        }
    }
}

}  // namespace events
