#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <sys/wait.h>

#include "status.hpp"

namespace {
constexpr int exited(int code) { return (code & 0xff) << 8; }  // the kernel's layout
constexpr int killed(int signal, bool core = false) { return signal | (core ? 0x80 : 0); }
}  // namespace

TEST_CASE("wait statuses are encoded as the kernel encodes them", "[status]")
{
    CHECK(WIFEXITED(exited(42)));
    CHECK(WEXITSTATUS(exited(42)) == 42);
    CHECK(WIFSIGNALED(killed(SIGTERM)));
    CHECK(WTERMSIG(killed(SIGSEGV, true)) == SIGSEGV);
}

TEST_CASE("exit codes pass through", "[status]")
{
    status::CodeSet none;
    for (int code : {0, 1, 2, 42, 126, 127, 128, 255}) {
        CHECK(status::exit_code(exited(code), none) == code);
    }
}

TEST_CASE("death by signal N is 128+N, core dump or not", "[status]")
{
    status::CodeSet none;
    CHECK(status::exit_code(killed(SIGTERM), none) == 143);
    CHECK(status::exit_code(killed(SIGKILL), none) == 137);
    CHECK(status::exit_code(killed(SIGSEGV, true), none) == 139);
    CHECK(status::exit_code(killed(SIGINT), none) == 130);
    CHECK(status::exit_code(killed(64), none) == 192);
}

TEST_CASE("-e remaps listed codes to 0, after the signal rule", "[status]")
{
    status::CodeSet remap;
    remap.add(3);
    remap.add(143);
    remap.add(256);  // not an exit code: ignored
    remap.add(-1);
    CHECK(status::exit_code(exited(3), remap) == 0);
    CHECK(status::exit_code(exited(4), remap) == 4);
    CHECK(status::exit_code(killed(SIGTERM), remap) == 0);
    CHECK(status::exit_code(killed(SIGINT), remap) == 130);
    CHECK(status::exit_code(exited(0), remap) == 0);
    CHECK_FALSE(remap.contains(256));
    CHECK_FALSE(remap.contains(-1));
    CHECK_FALSE(remap.contains(0));
}

TEST_CASE("start failures: 127 not found, 126 otherwise", "[status]")
{
    CHECK(status::start_failure_code(ENOENT, true) == 127);
    CHECK(status::start_failure_code(EACCES, true) == 126);
    CHECK(status::start_failure_code(ENOEXEC, true) == 126);
    CHECK(status::start_failure_code(ENOENT, false) == 126);
    CHECK(status::start_failure_code(EPERM, false) == 126);
}
