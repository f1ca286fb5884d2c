// reaper run directly, not as PID 1: it must register as child subreaper.
#include <catch2/catch.hpp>
#include <csignal>
#include <sstream>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"

using common::as_subreaper;
using harness::Deadline;

TEST_CASE("orphans re-parent to reaper, not to the host's init, and are reaped", "[subreaper]")
{
    common::scenario(as_subreaper({}, {"adopted"}), "", [&](harness::Reaper& reaper) {
        std::optional<std::string> line = reaper.read_line(Deadline(10));
        REQUIRE(line);
        std::istringstream words(*line);
        std::string orphan_word, parent_word;
        pid_t orphan = 0, parent = 0;
        words >> orphan_word >> orphan >> parent_word >> parent;
        REQUIRE(orphan_word == "orphan");
        // Without the subreaper mark it would have gone to this test (also a subreaper).
        CHECK(parent == reaper.pid());
        CHECK(parent != getpid());
        CHECK(harness::eventually(Deadline(10), [&] {
            std::optional<harness::ProcessInfo> info = harness::process_info(orphan);
            return !info || info->parent != reaper.pid();
        }));
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("as a subreaper: signals are forwarded and the exit status passes through", "[subreaper][valgrind]")
{
    common::scenario(as_subreaper({}, {"signals"}), probe_lines::ready_of("child"), [&](harness::Reaper& reaper) {
        REQUIRE(kill(reaper.pid(), SIGTERM) == 0);
        CHECK(reaper.read_line(Deadline(5)) == probe_lines::signal_of("child", SIGTERM));
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);

        std::optional<harness::Finished> finished = common::run(as_subreaper({}, {"exit", "42"}));
        REQUIRE(finished);
        CHECK(finished->exit_code == 42);
        finished = common::run(as_subreaper({}, {"die", std::to_string(SIGKILL)}));
        REQUIRE(finished);
        CHECK(finished->exit_code == 128 + SIGKILL);
    });
}

TEST_CASE("as a subreaper: 1,000 orphans are all reaped", "[subreaper][valgrind]")
{
    common::scenario(as_subreaper({}, {"orphans", "1000"}), "", [&](harness::Reaper& reaper) {
        REQUIRE(reaper.read_until("orphaned 1000", Deadline(60)));
        std::vector<pid_t> children;
        CHECK(harness::eventually(Deadline(30), [&] {
            children = harness::children_of(reaper.pid());
            return children.size() == 1;  // only the probe itself
        }));
        INFO("children of reaper: " << children.size());
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}
