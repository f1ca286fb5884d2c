// Catch2's main, plus a listener that appends one line per test case to the file named
// by REAPER_TEST_RESULTS ("PASS name", "FAIL name" or "SKIP name"), which scripts/test
// adds up into its closing "N passed, N failed" line.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>

#include "support.hpp"

namespace {

class ResultFile : public Catch::TestEventListenerBase {
public:
    using TestEventListenerBase::TestEventListenerBase;

    // A write to a reaper that has died must fail the test with EPIPE, not kill the whole
    // test binary. Blocked rather than ignored: harness resets the mask of what it starts,
    // while an ignored SIGPIPE would be inherited.
    void testRunStarting(Catch::TestRunInfo const& info) override
    {
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        sigprocmask(SIG_BLOCK, &pipe_signal, nullptr);
        TestEventListenerBase::testRunStarting(info);
    }

    void testCaseStarting(Catch::TestCaseInfo const& info) override
    {
        support::reset_skip();
        TestEventListenerBase::testCaseStarting(info);
    }

    void testCaseEnded(Catch::TestCaseStats const& stats) override
    {
        const char* path = std::getenv("REAPER_TEST_RESULTS");
        if (path != nullptr) {
            std::string directory(path);
            directory.resize(directory.rfind('/') == std::string::npos ? 0 : directory.rfind('/'));
            if (!directory.empty()) {
                mkdir(directory.c_str(), 0755);  // a bare `meson test` has none yet; EEXIST is fine
            }
            if (std::FILE* file = std::fopen(path, "a")) {
                const char* verdict = !stats.totals.assertions.allOk()  ? "FAIL"
                                      : support::current_test_skipped() ? "SKIP"
                                                                        : "PASS";
                std::fprintf(file, "%s %s\n", verdict, stats.testInfo.name.c_str());
                std::fclose(file);
            }
        }
        TestEventListenerBase::testCaseEnded(stats);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(ResultFile)
