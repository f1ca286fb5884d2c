// A test of the benchmark harness, not of speed: bench/run --quick with tiny N must
// produce every figure for every init, well-formed, in the JSON, the table and the chart.
#include <catch2/catch.hpp>
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

}  // namespace

TEST_CASE("bench/run --quick reports every figure for every init", "[bench]")
{
    if (!support::environment_available(geteuid() == 0, "the benchmark needs root (namespaces, SIGSTOP of an init)")) {
        return;
    }
    std::string out = "/tmp/reaper-bench-test-" + std::to_string(getpid());
    std::optional<harness::Finished> ran =
        harness::run_program({std::string(SOURCE_ROOT) + "/bench/run", "--quick", "--n", "50,120", "--json",
                              out + ".json", "--markdown", out + ".md", "--svg", out + ".svg"},
                             300, {"BUILD_DIR=" + std::string(BUILD_ROOT)});
    REQUIRE(ran);
    INFO(ran->stderr_text);
    REQUIRE(ran->exit_code == 0);

    std::string json = harness::read_file(out + ".json");
    std::string markdown = harness::read_file(out + ".md");
    std::string svg = harness::read_file(out + ".svg");
    const std::regex number(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
    std::vector<std::string> figures = {"size_bytes", "rss_kib", "hwm_kib", "idle_context_switches", "idle_cpu_us"};
    for (const char* mode : {"pid1", "direct"}) {
        for (const char* suffix : {"_us", "_vs_floor", "_vs_true"}) {
            figures.push_back(std::string("startup_") + mode + suffix);
        }
    }
    for (const char* n : {"50", "120"}) {
        for (const char* suffix : {"_us", "_vs_floor", "_wall_us"}) {
            figures.push_back(std::string("reap_") + n + suffix);
        }
    }
    for (const char* cpus : {"one_cpu", "two_cpus"}) {
        for (const char* suffix : {"_median_us", "_p99_us", "_ratio", "_p99_ratio"}) {
            figures.push_back(std::string("signal_") + cpus + suffix);
        }
    }
    for (const char* init : {"reaper", "tini", "tini-static", "dumb-init", "catatonit"}) {
        std::string object = object_of(json, init);
        INFO("init " << init);
        REQUIRE_FALSE(object.empty());
        CHECK(std::regex_search(object, std::regex(R"("static": (true|false))")));
        for (const std::string& figure : figures) {
            INFO("figure " << figure);
            std::smatch match;
            REQUIRE(std::regex_search(object, match, std::regex("\"" + figure + "\": ([^,\\n]+)")));
            CHECK(std::regex_match(match[1].str(), number));  // no NaN, no Infinity, no string
        }
        CHECK(markdown.find("| " + std::string(init) + " | ") != std::string::npos);
        CHECK(svg.find(">" + std::string(init) + " ") != std::string::npos);
    }
    CHECK(json.find("\"targets\"") != std::string::npos);
    CHECK(markdown.find("reaper's targets:") != std::string::npos);
    CHECK(svg.rfind("<svg", 0) == 0);
    for (const char* suffix : {".json", ".md", ".svg"}) {
        unlink((out + suffix).c_str());
    }
}
