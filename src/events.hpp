// The one wait of the program: a blocking poll on the signalfd, the pidfds of processes
// in reaper's care that are not its children, and an optional deadline (poll's own
// timeout: no timer to create, so none can fail). With no deadline and nothing watched
// it is rt_sigtimedwait alone (the signalfd's read if that is refused): it sleeps until a
// signal comes, never a wake-up while idle.
// Each phase of the program (supervise, sandbox, grace) is a handler of its events.
#pragma once

#include <array>
#include <cstddef>
#include <ctime>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include "signals.hpp"
#include "unique_fd.hpp"

namespace events {

enum class Next { wait, done };

class Loop {
public:
    // `signal_fd` reads `signals`; the loop owns it, and makes a new one if it breaks.
    // There is one loop in the program: its table of watched processes is static storage,
    // whose untouched pages cost no memory (12 KiB when full).
    Loop(UniqueFd signal_fd, signals::Set signals);
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    ~Loop();

    [[nodiscard]] int signal_fd() const { return signal_fd_.get(); }

    // Hands each event to `phase` until it answers done: phase.signal(info) for each
    // signal, phase.process_gone() when a watched process has exited, phase.deadline()
    // when the deadline passes. Signals read but not yet handled when a phase ends go to
    // the next phase. False when signals can no longer be read at all (the signalfd is
    // gone and cannot be made again): the caller falls back.
    template <typename Phase>
    [[nodiscard]] bool run(Phase& phase)
    {
        for (;;) {
            while (next_ < read_) {
                if (phase.signal(batch_[next_++]) == Next::done) {
                    return true;
                }
            }
            Woken woken = wait();
            if (woken == Woken::lost) {
                return false;
            }
            if (woken == Woken::gone && phase.process_gone() == Next::done) {
                return true;
            }
            if (woken == Woken::deadline && phase.deadline() == Next::done) {
                return true;
            }
        }
    }

    void set_deadline(unsigned long milliseconds);
    void clear_deadline() { has_deadline_ = false; }

    // Watches `pid` until it exits: through a pidfd or, when none can be had, by checking
    // every 100 ms. False when the table is full (1,024 processes).
    bool watch(pid_t pid);
    [[nodiscard]] std::size_t watched() const { return count_; }

private:
    enum class Woken { signals, gone, deadline, lost };
    Woken wait();
    Woken take_signal();
    Woken read_signals();
    bool reopen_signal_fd();
    [[nodiscard]] int timeout_ms() const;
    bool forget_exited(bool check_unpinned);
    void forget(std::size_t index);

    UniqueFd signal_fd_;
    signals::Set signals_;
    std::array<signalfd_siginfo, 4> batch_;  // read into before it is read (few: it is on the stack)
    std::size_t read_ = 0;                   // signals in batch_
    std::size_t next_ = 0;                   // the first not yet handled
    bool has_deadline_ = false;
    timespec deadline_{};
    std::size_t count_ = 0;     // watched processes
    std::size_t unpinned_ = 0;  // of which without a pidfd
    int failures_ = 0;          // consecutive failed polls or reads
    bool take_works_ = true;    // rt_sigtimedwait has not been refused
};

}  // namespace events
