// A test of the benchmark harness, not of speed: bench/run --quick with tiny N must produce
// every figure for every init, well-formed, in the JSON, the table and the chart; pin each
// init so that a forwarded signal costs it exactly one wake-up; see a leftover finish under
// reaper and not under tini; and flag, against a previous run, exactly the figures that got
// worse beyond their spread.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "common.hpp"

namespace {

// The flat object "name": { ... } of one init in the report (it holds no nested object).
std::string object_of(const std::string& json, const std::string& name)
{
    std::size_t start = json.find("\"" + name + "\": {");
    if (start == std::string::npos) {
        return "";
    }
    return json.substr(start, json.find('}', start) - start);
}

const std::string number = R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)";

// The value of "figure": N in an object; NaN when absent or not a plain number.
double figure_of(const std::string& object, const std::string& figure)
{
    std::smatch match;
    if (!std::regex_search(object, match, std::regex("\"" + figure + "\": (" + number + ")[,\\n]"))) {
        return std::nan("");
    }
    return std::stod(match[1].str());
}

// A previous run in which reaper's binary was 1 byte and its exit path faster than any run
// can measure (both must be flagged); its resident memory far larger, and its CPU per signal
// lower but with a spread that covers any value (neither may be flagged); and an absolute
// time, which moves with the machine and is not compared.
const char* previous_run = R"({
 "format": 2, "date": "2000-01-01T00:00", "commit": "before", "load": {"at_start": [0.1, 0.1, 0.1]},
 "settings": {"quick": true},
 "results": {"reaper": {"size_bytes": 1, "exit_vs_floor": 0.01, "exit_vs_floor_range": [0.01, 0.01],
                        "rss_kib": 1000000, "rss_kib_range": [1000000, 1000000],
                        "exit_us": 0.01, "exit_us_range": [0.01, 0.01],
                        "signal_cpu_vs_floor": 0.0001, "signal_cpu_vs_floor_range": [0.0001, 1000]}}
}
)";

}  // namespace

TEST_CASE("bench/run --quick reports every figure for every init", "[bench]")
{
    if (!support::environment_available(geteuid() == 0, "the benchmark needs root (namespaces, real-time priority)")) {
        return;
    }
    std::string out = "/tmp/reaper-bench-test-" + std::to_string(getpid());
    std::ofstream(out + ".previous.json") << previous_run;
    std::optional<harness::Finished> ran = harness::run_program(
        {std::string(SOURCE_ROOT) + "/bench/run", "--quick", "--n", "50,120", "--json", out + ".json", "--markdown",
         out + ".md", "--svg", out + ".svg", "--previous", out + ".previous.json"},
        300, {"BUILD_DIR=" + std::string(BUILD_ROOT)});
    REQUIRE(ran);
    INFO(ran->stderr_text);
    REQUIRE(ran->exit_code == 0);

    std::string json = harness::read_file(out + ".json");
    std::string markdown = harness::read_file(out + ".md");
    std::string svg = harness::read_file(out + ".svg");
    // Figures with a spread: each has "FIGURE_range": [lowest, highest] around it.
    std::vector<std::string> spread = {"rss_kib",           "pss_kib",
                                       "anon_kib",          "pte_kib",
                                       "pod_kib",           "pods_1000_mib",
                                       "signal_cpu_us",     "signal_cpu_vs_floor",
                                       "leftover_ms",       "exit_us",
                                       "exit_vs_floor",     "exit_cpu_us",
                                       "startup_pid1_us",   "startup_pid1_vs_floor",
                                       "startup_direct_us", "startup_direct_vs_floor"};
    for (const char* n : {"50", "120"}) {
        for (const char* suffix : {"_us", "_vs_floor", "_wall_us"}) {
            spread.push_back(std::string("reap_") + n + suffix);
        }
    }
    std::vector<std::string> single = {"size_bytes",           "idle_context_switches", "idle_cpu_us",
                                       "signal_wakeups",       "signal_preemptions",    "signal_wall_median_us",
                                       "signal_wall_p99_us",   "leftover_finished",     "leftover_rounds",
                                       "rss_after_signals_kib"};
    for (const char* init : {"reaper", "tini", "tini-static", "dumb-init", "catatonit"}) {
        std::string object = object_of(json, init);
        INFO("init " << init);
        REQUIRE_FALSE(object.empty());
        CHECK(std::regex_search(object, std::regex(R"("static": (true|false))")));
        for (const std::string& figure : single) {
            INFO("figure " << figure);
            CHECK_FALSE(std::isnan(figure_of(object, figure)));  // no NaN, no Infinity, no string
        }
        for (const std::string& figure : spread) {
            INFO("figure " << figure);
            double value = figure_of(object, figure);
            std::smatch range;
            REQUIRE(std::regex_search(
                object, range,
                std::regex("\"" + figure + "_range\": \\[\\s*(" + number + "),\\s*(" + number + ")\\s*\\]")));
            CHECK(std::stod(range[1].str()) <= value);
            CHECK(value <= std::stod(range[4].str()));
        }
        // Pinned and prioritised, every init wakes exactly once per forwarded signal.
        CHECK(figure_of(object, "signal_wakeups") == Approx(1.0).margin(0.05));
        CHECK(figure_of(object, "signal_preemptions") < 0.05);
        CHECK(svg.find(">" + std::string(init) + " ") != std::string::npos);
    }
    // The leftover finishes its work under reaper, every round, and is killed under tini.
    std::string reaper = object_of(json, "reaper");
    CHECK(figure_of(reaper, "leftover_finished") == figure_of(reaper, "leftover_rounds"));
    CHECK(figure_of(object_of(json, "tini"), "leftover_finished") == 0);
    std::string floor = object_of(json, "floor");
    for (const char* figure : {"signal_cpu_us", "exit_us", "reap_50_us", "startup_direct_us", "rss_kib"}) {
        INFO("floor figure " << figure);
        CHECK(figure_of(floor, figure) > 0);
    }

    CHECK(markdown.find("| figure | reaper | tini | tini-static | dumb-init | catatonit | floor |") !=
          std::string::npos);
    CHECK(markdown.find("SCHED_FIFO") != std::string::npos);  // the run says how it pinned
    CHECK(markdown.find("Load average (1 min)") != std::string::npos);
    CHECK(markdown.find("## Size on every architecture") != std::string::npos);
    CHECK(std::regex_search(json, std::regex(R"("reaper": \{\s*"file": "[^"]+",\s*"bytes": [0-9]+)")));
    CHECK(markdown.find("## reaper's targets") != std::string::npos);
    CHECK(json.find("\"targets\"") != std::string::npos);
    // Against the previous run: 4 figures compared, the two that got worse flagged, the one
    // that got better and the one within its spread not, the absolute time not compared.
    CHECK(markdown.find("4 figures compared") != std::string::npos);
    CHECK(markdown.find("**worse**: reaper size_bytes") != std::string::npos);
    CHECK(markdown.find("**worse**: reaper exit_vs_floor") != std::string::npos);
    CHECK(markdown.find("**worse**: reaper signal_cpu") == std::string::npos);
    CHECK(markdown.find("**worse**: reaper rss_kib") == std::string::npos);
    CHECK(markdown.find("**worse**: reaper exit_us") == std::string::npos);
    CHECK(svg.rfind("<svg", 0) == 0);
    // The README's table, made from the same results: a row per figure with a cell per init,
    // the chart, and the reading of the noise.
    std::optional<harness::Finished> summary =
        harness::run_program({"python3", "-c",
                              "import json, sys; sys.path.insert(0, sys.argv[1] + '/bench'); import report; "
                              "print(report.readme_summary(json.load(open(sys.argv[2]))))",
                              SOURCE_ROOT, out + ".json"},
                             30);
    REQUIRE(summary);
    INFO(summary->stderr_text);
    CHECK(summary->exit_code == 0);
    CHECK(summary->stdout_text.find("| figure | reaper | tini | tini-static | dumb-init | catatonit |") !=
          std::string::npos);
    CHECK(std::regex_search(summary->stdout_text,
                            std::regex(R"(\| child exit → init exit [^|]*( \| [0-9.]+ \([0-9.]+–[0-9.]+\)){5} \|)")));
    CHECK(summary->stdout_text.find("(bench/results/ratios.svg)") != std::string::npos);
    CHECK(summary->stdout_text.find("**Reading it.**") != std::string::npos);
    // The README holds such a block (bench/run rewrites it after a full run).
    std::string readme = harness::read_file(std::string(SOURCE_ROOT) + "/README.md");
    std::size_t begin = readme.find("<!-- BEGIN bench -->");
    std::size_t end = readme.find("<!-- END bench -->");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    CHECK(readme.substr(begin, end - begin).find("| figure | reaper |") != std::string::npos);
    for (const char* suffix : {".json", ".md", ".svg", ".previous.json"}) {
        unlink((out + suffix).c_str());
    }
}
