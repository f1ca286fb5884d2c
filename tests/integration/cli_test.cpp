// The binary's own command-line behaviour: help, version and usage errors.
#include <catch2/catch.hpp>

#include "common.hpp"

namespace {

harness::Finished run_reaper(std::vector<std::string> args, std::vector<std::string> env = {})
{
    harness::Options options;
    options.new_pid_namespace = false;
    options.reaper_args = std::move(args);
    options.extra_env = std::move(env);
    std::optional<harness::Finished> finished = common::run(options);
    REQUIRE(finished);
    return *finished;
}

}  // namespace

TEST_CASE("--help prints usage on stdout and exits 0", "[cli]")
{
    for (const char* flag : {"-h", "--help"}) {
        harness::Finished finished = run_reaper({flag});
        CHECK(finished.exit_code == 0);
        CHECK(finished.stdout_text.rfind("Usage: reaper [options] [--] COMMAND [ARG...]\n", 0) == 0);
        CHECK(finished.stderr_text.empty());
    }
}

TEST_CASE("--version has tini's shape, which docker info parses", "[cli]")
{
    harness::Finished finished = run_reaper({"--version"});
    CHECK(finished.exit_code == 0);
    CHECK(finished.stdout_text.rfind("reaper version 0.1.0 - git.", 0) == 0);
    CHECK(finished.stdout_text.back() == '\n');
    CHECK(run_reaper({"-V"}).stdout_text == finished.stdout_text);
}

TEST_CASE("usage errors exit 2 with one line on stderr", "[cli]")
{
    struct Case {
        std::vector<std::string> args;
        std::vector<std::string> env;
        std::string line;
    };
    for (const Case& c :
         {Case{{}, {}, "reaper: no command given (see reaper --help)\n"},
          Case{{"-x", "true"}, {}, "reaper: unknown option '-x' (see reaper --help)\n"},
          Case{{"-p", "NOPE", "true"}, {}, "reaper: bad value 'NOPE' for --parent-death-signal: not a signal\n"},
          Case{{"-e"}, {}, "reaper: option '--remap-exit' needs a value\n"},
          Case{{"true"},
               {"REAPER_GROUP=maybe"},
               "reaper: bad value 'maybe' for REAPER_GROUP: expected 1, 0, true, false, yes, no, on or off\n"}}) {
        harness::Finished finished = run_reaper(c.args, c.env);
        CHECK(finished.exit_code == 2);
        CHECK(finished.stderr_text == c.line);
        CHECK(finished.stdout_text.empty());
    }
}

TEST_CASE("-v reports the child's end on stderr", "[cli]")
{
    harness::Finished finished = run_reaper({"-v", "--", harness::probe_binary(), "exit", "5"});
    CHECK(finished.exit_code == 5);
    CHECK(finished.stderr_text.find("reaper: child ") != std::string::npos);
}
