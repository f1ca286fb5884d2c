// The bad-input catalogue, on the real binary: every value-taking option and variable with
// a missing, empty, negative, overflowing, non-numeric and invalid-UTF-8 value, and the odd
// commands and descriptors a PID 1 can be handed. Each ends with the documented exit code
// and, for an error, exactly one "reaper: ..." line -- never a crash, hang or zombie.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.hpp"
#include "common.hpp"

namespace {

harness::Finished run(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                      const std::string& program = "")
{
    return common::run_to_end(program, args, false, env);
}

bool one_reaper_line(const std::string& text)
{
    return text.rfind("reaper: ", 0) == 0 && text.find('\n') == text.size() - 1;
}

const std::string invalid_utf8 = "\xff\xfe\xc3(";
const std::vector<std::string> bad_values = {"", "-1", "99999999999999999999", "abc", invalid_utf8, "1x", " 1"};

}  // namespace

TEST_CASE("bad input: every value-taking option, every kind of bad value: exit 2, one line", "[cli]")
{
    for (const cli::Setting& setting : cli::settings) {
        if (setting.value.empty()) {
            continue;
        }
        std::vector<std::string> spellings = {"--" + std::string(setting.long_name)};
        if (setting.short_name != '\0') {
            spellings.push_back(std::string("-") + setting.short_name);
        }
        for (const std::string& option : spellings) {
            for (const std::string& value : bad_values) {
                for (const std::vector<std::string>& args : {std::vector<std::string>{option, value, "true"},
                                                             std::vector<std::string>{option + "=" + value, "true"}}) {
                    if (option.size() == 2 && args.size() == 2) {
                        continue;  // "-p=x" is a short option with the value "=x": covered below
                    }
                    INFO(option << " '" << value << "'");
                    harness::Finished finished = run(args);
                    CHECK(finished.exit_code == 2);
                    CHECK(one_reaper_line(finished.stderr_text));
                }
            }
            INFO(option << " missing its value");
            harness::Finished missing = run({option});
            CHECK(missing.exit_code == 2);
            CHECK(one_reaper_line(missing.stderr_text));
        }
    }
}

TEST_CASE("bad input: -r's halves, and -e's range", "[cli]")
{
    for (const std::string value : {"TERM", "TERM:", ":TERM", "TERM:NOPE", "NOPE:TERM", "-1:2", "1:-1", "65:1", "1:65",
                                    "TERM:TERM:TERM", "99999999999999999999:1"}) {
        INFO("-r " << value);
        harness::Finished finished = run({"-r", value, "true"});
        CHECK(finished.exit_code == 2);
        CHECK(one_reaper_line(finished.stderr_text));
    }
    for (const std::string value : {"256", "4294967296", "0x1"}) {
        INFO("-e " << value);
        harness::Finished finished = run({"-e", value, "true"});
        CHECK(finished.exit_code == 2);
        CHECK(one_reaper_line(finished.stderr_text));
    }
}

TEST_CASE("bad input: every variable with a value, every kind of bad value: exit 2, one line", "[cli]")
{
    for (const cli::Setting& setting : cli::settings) {
        if (setting.variable.empty()) {
            continue;
        }
        std::string variable(setting.variable);
        bool on_off = setting.kind == cli::Kind::flag;
        bool list = setting.kind == cli::Kind::exit_codes || setting.kind == cli::Kind::rewrites;
        for (const std::string& value : bad_values) {
            INFO(variable << "='" << value << "'");
            harness::Finished finished = run({"true"}, {variable + "=" + value});
            // Documented as valid: empty is off, an empty list is no item, spaces separate items.
            if ((value.empty() && (on_off || list)) || (variable == "REAPER_REMAP_EXIT" && value == " 1")) {
                CHECK(finished.exit_code == 0);
                CHECK(finished.stderr_text.empty());
                continue;
            }
            CHECK(finished.exit_code == 2);
            CHECK(one_reaper_line(finished.stderr_text));
        }
    }
}

TEST_CASE("bad input: tini's variables take whatever tini takes, as tini does", "[cli]")
{
    for (const cli::Setting& setting : cli::settings) {
        if (setting.tini_variable.empty()) {
            continue;
        }
        for (const std::string& value : bad_values) {
            std::string entry = std::string(setting.tini_variable) + "=" + value;
            INFO(entry);
            harness::Finished tini = run({"-s", "--", "true"}, {entry}, "tini");
            harness::Finished ours = run({"true"}, {entry});
            CHECK(ours.exit_code == tini.exit_code);
            CHECK(ours.exit_code == 0);
        }
    }
}

TEST_CASE("bad input: odd commands get 2, 126 or 127 with one line", "[cli]")
{
    harness::Finished alone = run({"--"});
    CHECK(alone.exit_code == 2);
    CHECK(one_reaper_line(alone.stderr_text));

    harness::Finished empty = run({""});
    CHECK(empty.exit_code == 127);
    CHECK(one_reaper_line(empty.stderr_text));

    harness::Finished directory = run({"--", "/tmp"});
    CHECK(directory.exit_code == 126);
    CHECK(one_reaper_line(directory.stderr_text));

    char path[] = "/tmp/reaper-noexec-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, "#!/bin/sh\nexit 0\n", 17) == 17);
    close(fd);
    chmod(path, 0644);
    harness::Finished not_executable = run({"--", path});
    unlink(path);
    CHECK(not_executable.exit_code == 126);
    CHECK(one_reaper_line(not_executable.stderr_text));

    harness::Finished invalid_name = run({"--", invalid_utf8});
    CHECK(invalid_name.exit_code == 127);
    CHECK(one_reaper_line(invalid_name.stderr_text));
}

TEST_CASE("bad input: 100,000 arguments, and invalid UTF-8 passed through untouched", "[cli]")
{
    std::vector<std::string> many = {"--", "sh", "-c", "echo $#", "sh"};
    many.insert(many.end(), 100000, "x");
    harness::Finished command_args = run(many);
    CHECK(command_args.exit_code == 0);
    CHECK(command_args.stdout_text == "100000\n");

    std::vector<std::string> options;
    for (int i = 0; i < 50000; ++i) {
        options.insert(options.end(), {"-e", "3"});
    }
    options.insert(options.end(), {"--", "sh", "-c", "exit 3"});
    harness::Finished repeated = run(options);
    CHECK(repeated.exit_code == 0);  // 3 remapped to 0, 50,000 times over
    CHECK(repeated.stderr_text.empty());

    harness::Finished bytes = run({"--", "printf", "%s", invalid_utf8}, {"REAPER_UNKNOWN=" + invalid_utf8});
    CHECK(bytes.exit_code == 0);
    CHECK(bytes.stdout_text == invalid_utf8);
}

TEST_CASE("bad input: stdin, stdout or stderr closed at start", "[cli]")
{
    const std::string reaper = harness::reaper_binary();
    struct Case {
        std::string closing;
        std::string open_in_child;  // empty: not checked (stderr, where it is read, is closed)
    };
    for (const Case& c : {Case{"<&-", "12"}, Case{">&-", "02"}, Case{"2>&-", ""}, Case{"<&- >&- 2>&-", ""}}) {
        INFO("reaper started with " << c.closing);
        // The command checks that reaper passed the same descriptors on: closed stays closed.
        harness::Finished status = run(
            {"-c",
             "exec \"$0\" -- sh -c 'for fd in 0 1 2; do [ -e /proc/self/fd/$fd ] && printf $fd >&2; done; exit 5' " +
                 c.closing,
             reaper},
            {}, "sh");
        CHECK(status.exit_code == 5);
        if (!c.open_in_child.empty()) {
            CHECK(status.stderr_text == c.open_in_child);
        }
        if (c.closing == "<&-") {
            // reaper's own descriptors must not take the free number 0 and then be mistaken
            // for inherited ones: its stderr still works after the child has started.
            harness::Finished verbose = run({"-c", "exec \"$0\" -v -- sh -c 'exit 5' <&-", reaper}, {}, "sh");
            CHECK(verbose.exit_code == 5);
            CHECK(verbose.stderr_text.find("ended, wait status 1280") != std::string::npos);
        }
        harness::Finished usage = run({"-c", "exec \"$0\" --no-such-option " + c.closing, reaper}, {}, "sh");
        CHECK(usage.exit_code == 2);
    }
}
