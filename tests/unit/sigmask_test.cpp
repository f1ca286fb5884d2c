// reaper's copy of the kernel's struct sigaction. sigmask.cpp is included, not linked, to
// reach the struct inside it; the unit tests link none of the OS sources, so nothing is
// defined twice. libc's sigaction, which has its own copy of each architecture's kernel
// struct, is the independent side of the comparison.
#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstddef>
#include <iterator>
#include <unistd.h>

#include "sigmask.cpp"

using sigmask::KernelAction;

// Where each architecture's kernel reads the mask: after handler, flags and restorer.
#if defined(__x86_64__) || defined(__aarch64__) || defined(__powerpc64__) || defined(__s390x__)
static_assert(offsetof(KernelAction, flags) == 8 && offsetof(KernelAction, mask) == 24 && sizeof(KernelAction) == 32);
#elif defined(__i386__) || defined(__arm__)
static_assert(offsetof(KernelAction, flags) == 4 && offsetof(KernelAction, mask) == 12 && sizeof(KernelAction) == 20);
#else
#error "the kernel's struct sigaction for this architecture is not known here"
#endif

namespace {

// Signal n is bit n-1 of the kernel's set, counted across its unsigned longs.
bool in_mask(const KernelAction& action, int signal)
{
    constexpr int bits = 8 * sizeof(unsigned long);
    return (action.mask[(signal - 1) / bits] >> ((signal - 1) % bits) & 1UL) != 0;
}

void add_to_mask(KernelAction& action, int signal)
{
    constexpr int bits = 8 * sizeof(unsigned long);
    action.mask[(signal - 1) / bits] |= 1UL << ((signal - 1) % bits);
}

// Low and high halves of the 64: 32 and 33 are left out, as glibc refuses to add them.
const int masked[] = {SIGHUP, SIGUSR2, SIGTERM, 31, 34, 40, 63, 64};

}  // namespace

TEST_CASE("kernel sigaction: a mask set through reaper's struct is the one libc reads back", "[sigmask]")
{
    KernelAction wanted{SIG_IGN, 0, nullptr, {}};
    for (int signal : masked) {
        add_to_mask(wanted, signal);
    }
    REQUIRE(syscall(SYS_rt_sigaction, SIGUSR1, &wanted, nullptr, sizeof(std::uint64_t)) == 0);
    struct sigaction seen {};
    REQUIRE(sigaction(SIGUSR1, nullptr, &seen) == 0);
    CHECK(seen.sa_handler == SIG_IGN);
    for (int signal = 1; signal <= 64; ++signal) {
        bool expected = std::find(std::begin(masked), std::end(masked), signal) != std::end(masked);
        INFO("signal " << signal);
        CHECK((sigismember(&seen.sa_mask, signal) == 1) == expected);
    }
    REQUIRE(sigmask::set_ignored(SIGUSR1, false));
}

TEST_CASE("kernel sigaction: a mask libc sets is the one reaper's struct reads back", "[sigmask]")
{
    struct sigaction set {};
    set.sa_handler = SIG_IGN;
    sigemptyset(&set.sa_mask);
    for (int signal : masked) {
        REQUIRE(sigaddset(&set.sa_mask, signal) == 0);
    }
    REQUIRE(sigaction(SIGUSR1, &set, nullptr) == 0);
    KernelAction seen{};
    REQUIRE(syscall(SYS_rt_sigaction, SIGUSR1, nullptr, &seen, sizeof(std::uint64_t)) == 0);
    CHECK(seen.handler == SIG_IGN);
    for (int signal = 1; signal <= 64; ++signal) {
        bool expected = std::find(std::begin(masked), std::end(masked), signal) != std::end(masked);
        INFO("signal " << signal);
        CHECK(in_mask(seen, signal) == expected);
    }
    CHECK(sigmask::is_ignored(SIGUSR1));
    REQUIRE(sigmask::set_ignored(SIGUSR1, false));
    CHECK_FALSE(sigmask::is_ignored(SIGUSR1));
}
