// Signal numbers as reaper sees them: names both ways, which ones are forwarded,
// and the rewrite table. Pure: nothing here touches the OS.
#pragma once

#include <array>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace signals {

inline constexpr int max_signal = 64;  // the kernel's _NSIG - 1 on Linux
// RTMIN is numbered as glibc, bash and kill(1) number it, whatever libc reaper itself
// uses (musl's own SIGRTMIN is 35): users write RTMIN+N from what their tools show.
inline constexpr int rt_min = 34;
inline constexpr int rt_max = max_signal;

// A set of signals with the kernel's own layout: bit N-1 stands for signal N.
class Set {
public:
    constexpr void add(int signal) { bits_ |= bit(signal); }
    constexpr void remove(int signal) { bits_ &= ~bit(signal); }
    [[nodiscard]] constexpr bool contains(int signal) const { return (bits_ & bit(signal)) != 0; }
    [[nodiscard]] constexpr std::uint64_t bits() const { return bits_; }
    [[nodiscard]] static constexpr Set from_bits(std::uint64_t bits)
    {
        Set set;
        set.bits_ = bits;
        return set;
    }
    friend constexpr bool operator==(Set, Set) = default;

private:
    static constexpr std::uint64_t bit(int signal)
    {
        return signal >= 1 && signal <= max_signal ? std::uint64_t{1} << (signal - 1) : 0;
    }
    std::uint64_t bits_ = 0;
};

// "TERM", "RTMIN+3", "RTMAX"; signals without a name (32, 33) as their number.
struct Name {
    std::array<char, 12> text{};
    std::size_t size = 0;
    [[nodiscard]] std::string_view view() const { return {text.data(), size}; }
};
[[nodiscard]] Name name(int signal);

// Accepts "TERM", "sigterm", "15", "RTMIN+2", "SIGRTMAX-1"; nullopt unless 1..64.
[[nodiscard]] std::optional<int> parse(std::string_view text);

// Every catchable signal but SIGCHLD and the synchronous faults reaper must not hide
// from itself (SEGV, BUS, FPE, ILL, TRAP, SYS).
[[nodiscard]] constexpr bool is_forwarded(int signal)
{
    switch (signal) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP:
    case SIGSYS:
        return false;
    default:
        return signal >= 1 && signal <= max_signal;
    }
}
[[nodiscard]] constexpr Set forwarded()
{
    Set set;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (is_forwarded(signal)) {
            set.add(signal);
        }
    }
    return set;
}
// TSTP, TTIN, TTOU: the stops a shell treats as a job's, which reaper repeats on itself.
[[nodiscard]] bool is_job_control_stop(int signal);
// What reaper blocks and reads from its signalfd: the forwarded ones and SIGCHLD.
[[nodiscard]] constexpr Set handled()
{
    Set set = forwarded();
    set.add(SIGCHLD);
    return set;
}

// FROM -> TO for forwarded signals; TO = 0 drops FROM.
class Rewrite {
public:
    constexpr Rewrite()
    {
        for (std::size_t signal = 0; signal < to_.size(); ++signal) {
            to_[signal] = static_cast<unsigned char>(signal);
        }
    }
    void set(int from, int to);
    [[nodiscard]] int apply(int signal) const;

private:
    std::array<unsigned char, max_signal + 1> to_{};
};

}  // namespace signals
