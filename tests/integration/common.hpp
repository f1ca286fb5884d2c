// Shortcuts shared by the integration tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "support.hpp"

namespace common {

// Starts reaper; when the environment cannot (no namespaces here), skips -- or fails under CI.
inline std::optional<harness::Reaper> start(const harness::Options& options)
{
    std::string why;
    std::optional<harness::Reaper> reaper = harness::Reaper::start(options, why);
    support::environment_available(reaper.has_value(), why);
    return reaper;
}

// One scenario with reaper running: starts it (skipping the test -- failing it under
// CI=true -- where the environment cannot), waits for the line `ready` from its child
// unless empty, then hands it to `body`. Cleanup kills only what it started, by PID.
template <typename Body>
void scenario(const harness::Options& options, const std::string& ready, Body body)
{
    std::optional<harness::Reaper> reaper = start(options);
    if (!reaper) {
        return;
    }
    if (!ready.empty()) {
        REQUIRE(reaper->read_until(ready, harness::Deadline(10)));
    }
    body(*reaper);
}

inline std::optional<harness::Finished> run(const harness::Options& options, double seconds = 10)
{
    std::string why;
    std::optional<harness::Finished> finished = harness::run_to_end(options, why, seconds);
    support::environment_available(finished.has_value(), why);
    return finished;
}

// `program args...` (reaper when `program` is empty) to its end, within 30 s; the test
// stops here if it cannot even start.
inline harness::Finished run_to_end(const std::string& program, const std::vector<std::string>& args,
                                    bool new_pid_namespace, const std::vector<std::string>& env = {})
{
    harness::Options options;
    options.program = program;
    options.reaper_args = args;
    options.new_pid_namespace = new_pid_namespace;
    options.extra_env = env;
    std::optional<harness::Finished> finished = run(options, 30);
    REQUIRE(finished);
    return *finished;
}

// reaper's arguments: options, then "--", the probe and its mode.
inline std::vector<std::string> probe_command(std::vector<std::string> reaper_options,
                                              std::vector<std::string> probe_args)
{
    reaper_options.push_back("--");
    reaper_options.push_back(harness::probe_binary());
    reaper_options.insert(reaper_options.end(), probe_args.begin(), probe_args.end());
    return reaper_options;
}

inline harness::Options as_pid1(std::vector<std::string> reaper_options, std::vector<std::string> probe_args)
{
    harness::Options options;
    options.reaper_args = probe_command(std::move(reaper_options), std::move(probe_args));
    return options;
}

inline harness::Options as_subreaper(std::vector<std::string> reaper_options, std::vector<std::string> probe_args)
{
    harness::Options options = as_pid1(std::move(reaper_options), std::move(probe_args));
    options.new_pid_namespace = false;
    return options;
}

}  // namespace common
