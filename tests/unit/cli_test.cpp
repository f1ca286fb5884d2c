#include <catch2/catch.hpp>
#include <csignal>
#include <string>

#include "argv.hpp"
#include "cli.hpp"

namespace {

struct Result {
    cli::Parsed parsed;
    std::string error;
    std::vector<std::string> command;
    std::string user;  // copied while argv and envp still exist
};

Result parse(std::initializer_list<std::string> args, std::initializer_list<std::string> env = {})
{
    Strings argv(args);
    Strings envp(env);
    Result result{cli::parse(argv.get(), envp.get()), {}, {}, {}};
    result.error = std::string(result.parsed.error.view());
    result.user = std::string(result.parsed.config.user);
    if (result.parsed.ok() && result.parsed.config.command != nullptr) {
        for (char* const* arg = result.parsed.config.command; *arg != nullptr; ++arg) {
            result.command.emplace_back(*arg);
        }
    }
    return result;
}

cli::Config config_of(const Result& result)
{
    INFO("error: " << result.error);
    REQUIRE(result.parsed.ok());
    return result.parsed.config;
}

}  // namespace

TEST_CASE("defaults: nothing set, command taken as is", "[cli]")
{
    Result result = parse({"reaper", "sleep", "10"});
    cli::Config config = config_of(result);
    CHECK(config.action == cli::Action::run);
    CHECK_FALSE(config.subreaper_requested);
    CHECK(config.parent_death_signal == 0);
    CHECK_FALSE(config.group);
    CHECK_FALSE(config.warn_on_reap);
    CHECK(config.verbosity == cli::default_verbosity);
    CHECK(config.grace_ms == 5000);
    CHECK(config.grace_signal == SIGTERM);
    CHECK(result.command == std::vector<std::string>{"sleep", "10"});
    for (int code = 0; code <= 255; ++code) {
        CHECK_FALSE(config.remap_exit.contains(code));
    }
    for (int signal = 1; signal <= signals::max_signal; ++signal) {
        CHECK(config.rewrite.apply(signal) == signal);
    }
}

TEST_CASE("every flag, short and long", "[cli]")
{
    for (auto args :
         {std::initializer_list<std::string>{"reaper", "-s", "-g", "-w", "-v", "--", "cmd"},
          std::initializer_list<std::string>{"reaper", "--subreaper", "--group", "--warn-on-reap", "--verbose", "cmd"},
          std::initializer_list<std::string>{"reaper", "-sgwv", "cmd"}}) {
        Result result = parse(args);
        cli::Config config = config_of(result);
        CHECK(config.subreaper_requested);
        CHECK(config.group);
        CHECK(config.warn_on_reap);
        CHECK(config.verbosity == cli::default_verbosity + 1);
        CHECK(result.command == std::vector<std::string>{"cmd"});
    }
}

TEST_CASE("-v repeats", "[cli]")
{
    CHECK(config_of(parse({"reaper", "-vvv", "x"})).verbosity == cli::default_verbosity + 3);
    CHECK(config_of(parse({"reaper", "-v", "--verbose", "-v", "x"})).verbosity == cli::default_verbosity + 3);
}

TEST_CASE("values: attached, separate and with =", "[cli]")
{
    for (auto args : {std::initializer_list<std::string>{"reaper", "-p", "USR1", "-e", "3", "-r", "TERM:QUIT", "x"},
                      std::initializer_list<std::string>{"reaper", "-pUSR1", "-e3", "-rTERM:QUIT", "x"},
                      std::initializer_list<std::string>{"reaper", "--parent-death-signal=USR1", "--remap-exit=3",
                                                         "--rewrite=TERM:QUIT", "x"},
                      std::initializer_list<std::string>{"reaper", "--parent-death-signal", "USR1", "--remap-exit", "3",
                                                         "--rewrite", "TERM:QUIT", "x"},
                      std::initializer_list<std::string>{"reaper", "-gp", "USR1", "-ge3", "-r", "15:3", "x"}}) {
        Result result = parse(args);
        cli::Config config = config_of(result);
        CHECK(config.parent_death_signal == SIGUSR1);
        CHECK(config.remap_exit.contains(3));
        CHECK_FALSE(config.remap_exit.contains(4));
        CHECK(config.rewrite.apply(SIGTERM) == SIGQUIT);
        CHECK(config.rewrite.apply(SIGINT) == SIGINT);
        CHECK(result.command == std::vector<std::string>{"x"});
    }
}

TEST_CASE("-e and -r repeat", "[cli]")
{
    cli::Config config =
        config_of(parse({"reaper", "-e", "0", "-e", "143", "-e255", "-r", "INT:0", "-r", "HUP:USR2", "x"}));
    CHECK(config.remap_exit.contains(0));
    CHECK(config.remap_exit.contains(143));
    CHECK(config.remap_exit.contains(255));
    CHECK_FALSE(config.remap_exit.contains(1));
    CHECK(config.rewrite.apply(SIGINT) == 0);
    CHECK(config.rewrite.apply(SIGHUP) == SIGUSR2);
}

TEST_CASE("parsing stops at the first non-option", "[cli]")
{
    Result result = parse({"reaper", "-g", "sh", "-c", "x -v", "-v"});
    cli::Config config = config_of(result);
    CHECK(config.group);
    CHECK(config.verbosity == cli::default_verbosity);
    CHECK(result.command == std::vector<std::string>{"sh", "-c", "x -v", "-v"});
}

TEST_CASE("-- ends options, even before something that looks like one", "[cli]")
{
    Result result = parse({"reaper", "--", "-v", "--help"});
    CHECK(config_of(result).verbosity == cli::default_verbosity);
    CHECK(result.command == std::vector<std::string>{"-v", "--help"});
}

TEST_CASE("a lone dash is a command, not an option", "[cli]")
{
    CHECK(parse({"reaper", "-", "a"}).command == std::vector<std::string>{"-", "a"});
}

TEST_CASE("help and version need no command and win over later errors", "[cli]")
{
    CHECK(config_of(parse({"reaper", "-h"})).action == cli::Action::help);
    CHECK(config_of(parse({"reaper", "--help", "--bogus"})).action == cli::Action::help);
    CHECK(config_of(parse({"reaper", "-V"})).action == cli::Action::version);
    CHECK(config_of(parse({"reaper", "--version"}, {"REAPER_GROUP=bad"})).action == cli::Action::version);
    CHECK(cli::usage().find("--parent-death-signal SIG") != std::string_view::npos);
    CHECK(cli::version().substr(0, 15) == "reaper version ");
    CHECK(cli::version().find(" - git.") != std::string_view::npos);
}

TEST_CASE("usage errors, each with one clear line", "[cli]")
{
    struct Case {
        std::initializer_list<std::string> args;
        std::string error;
    };
    for (const Case& c : std::initializer_list<Case>{
             {{"reaper"}, "no command given (see reaper --help)"},
             {{"reaper", "-g"}, "no command given (see reaper --help)"},
             {{"reaper", "--"}, "no command given (see reaper --help)"},
             {{"reaper", "-x", "cmd"}, "unknown option '-x' (see reaper --help)"},
             {{"reaper", "-gx", "cmd"}, "unknown option '-x' (see reaper --help)"},
             {{"reaper", "--bogus", "cmd"}, "unknown option '--bogus' (see reaper --help)"},
             {{"reaper", "--bogus=1", "cmd"}, "unknown option '--bogus' (see reaper --help)"},
             {{"reaper", "--group=1", "cmd"}, "option '--group' takes no value"},
             {{"reaper", "-p"}, "option '--parent-death-signal' needs a value"},
             {{"reaper", "--rewrite"}, "option '--rewrite' needs a value"},
             {{"reaper", "-e"}, "option '--remap-exit' needs a value"},
             {{"reaper", "-p", "FOO", "x"}, "bad value 'FOO' for --parent-death-signal: not a signal"},
             {{"reaper", "-p", "", "x"}, "bad value '' for --parent-death-signal: not a signal"},
             {{"reaper", "-p", "0", "x"}, "bad value '0' for --parent-death-signal: not a signal"},
             {{"reaper", "-p", "65", "x"}, "bad value '65' for --parent-death-signal: not a signal"},
             {{"reaper", "-p", "-1", "x"}, "bad value '-1' for --parent-death-signal: not a signal"},
             {{"reaper", "-e", "256", "x"}, "bad value '256' for --remap-exit: expected an exit code 0-255"},
             {{"reaper", "-e", "-1", "x"}, "bad value '-1' for --remap-exit: expected an exit code 0-255"},
             {{"reaper", "-e", "", "x"}, "bad value '' for --remap-exit: expected an exit code 0-255"},
             {{"reaper", "-e", "4x", "x"}, "bad value '4x' for --remap-exit: expected an exit code 0-255"},
             {{"reaper", "-e", "99999999999999999999999", "x"},
              "bad value '99999999999999999999999' for --remap-exit: expected an exit code 0-255"},
             {{"reaper", "-r", "15", "x"}, "bad value '15' for --rewrite: expected FROM:TO"},
             {{"reaper", "-r", "15:NOPE", "x"}, "bad value '15:NOPE' for --rewrite: 'NOPE' is not a signal"},
             {{"reaper", "-r", ":3", "x"}, "bad value ':3' for --rewrite: '' is not a signal"},
             {{"reaper", "-r", "0:3", "x"}, "bad value '0:3' for --rewrite: '0' is not a signal"},
             {{"reaper", "-r", "CHLD:TERM", "x"}, "bad value 'CHLD:TERM' for --rewrite: CHLD is never forwarded"},
             {{"reaper", "-r", "KILL:TERM", "x"}, "bad value 'KILL:TERM' for --rewrite: KILL is never forwarded"},
             {{"reaper", "-r", "SEGV:TERM", "x"}, "bad value 'SEGV:TERM' for --rewrite: SEGV is never forwarded"},
             // Found by the fuzzer (tests/fuzz/cli_fuzz.cpp): a newline in a value split the line.
             {{"reaper", "-p", "\x10TEmmm\xff\n", "x"},
              "bad value '?TEmmm\xff?' for --parent-death-signal: not a signal"},
             {{"reaper", "--pause", "a\x1b[2Jb"}, "--pause takes no command, got 'a?[2Jb'"},
             {{"reaper", "-\n-pa", "x"}, "unknown option '-?' (see reaper --help)"},
         }) {
        Result result = parse(c.args);
        INFO("args[1]: " << (c.args.size() > 1 ? *(c.args.begin() + 1) : std::string("(none)")));
        CHECK_FALSE(result.parsed.ok());
        CHECK(result.error == c.error);
        CHECK(result.error.find('\n') == std::string::npos);
    }
}

TEST_CASE("variables configure every setting", "[cli]")
{
    cli::Config config =
        config_of(parse({"reaper", "x"}, {"REAPER_SUBREAPER=1", "REAPER_GROUP=yes", "REAPER_WARN_ON_REAP=on",
                                          "REAPER_PARENT_DEATH_SIGNAL=SIGHUP", "REAPER_VERBOSITY=3",
                                          "REAPER_REMAP_EXIT=143,130 2", "REAPER_REWRITE=15:3, INT:0"}));
    CHECK(config.subreaper_requested);
    CHECK(config.group);
    CHECK(config.warn_on_reap);
    CHECK(config.parent_death_signal == SIGHUP);
    CHECK(config.verbosity == 3);
    CHECK(config.remap_exit.contains(143));
    CHECK(config.remap_exit.contains(130));
    CHECK(config.remap_exit.contains(2));
    CHECK_FALSE(config.remap_exit.contains(15));
    CHECK(config.rewrite.apply(SIGTERM) == SIGQUIT);
    CHECK(config.rewrite.apply(SIGINT) == 0);
}

TEST_CASE("on/off variables: every accepted spelling", "[cli]")
{
    for (std::string on : {"1", "true", "TRUE", "yes", "Yes", "on", "ON"}) {
        CHECK(config_of(parse({"reaper", "x"}, {"REAPER_GROUP=" + on})).group);
    }
    for (std::string off : {"", "0", "false", "False", "no", "NO", "off"}) {
        CHECK_FALSE(config_of(parse({"reaper", "x"}, {"REAPER_GROUP=" + off})).group);
    }
}

TEST_CASE("tini's variables are honoured: set means on", "[cli]")
{
    cli::Config config =
        config_of(parse({"reaper", "x"}, {"TINI_SUBREAPER=", "TINI_KILL_PROCESS_GROUP=", "TINI_VERBOSITY=0"}));
    CHECK(config.subreaper_requested);
    CHECK(config.group);
    CHECK(config.verbosity == 0);
}

TEST_CASE("reaper's variables win over tini's", "[cli]")
{
    cli::Config config = config_of(parse(
        {"reaper", "x"}, {"TINI_KILL_PROCESS_GROUP=1", "REAPER_GROUP=0", "TINI_VERBOSITY=3", "REAPER_VERBOSITY=0"}));
    CHECK_FALSE(config.group);
    CHECK(config.verbosity == 0);
}

TEST_CASE("a flag wins over its variable", "[cli]")
{
    cli::Config config = config_of(parse({"reaper", "-v", "-p", "USR2", "-e", "7", "-r", "HUP:USR1", "x"},
                                         {"REAPER_VERBOSITY=0", "TINI_VERBOSITY=5", "REAPER_PARENT_DEATH_SIGNAL=TERM",
                                          "REAPER_REMAP_EXIT=8", "REAPER_REWRITE=INT:0"}));
    CHECK(config.verbosity == cli::default_verbosity + 1);
    CHECK(config.parent_death_signal == SIGUSR2);
    CHECK(config.remap_exit.contains(7));
    CHECK_FALSE(config.remap_exit.contains(8));
    CHECK(config.rewrite.apply(SIGHUP) == SIGUSR1);
    CHECK(config.rewrite.apply(SIGINT) == SIGINT);
}

TEST_CASE("flags that switch something on win over a variable that switches it off", "[cli]")
{
    cli::Config config = config_of(
        parse({"reaper", "-g", "-w", "-s", "x"}, {"REAPER_GROUP=0", "REAPER_WARN_ON_REAP=0", "REAPER_SUBREAPER=0"}));
    CHECK(config.group);
    CHECK(config.warn_on_reap);
    CHECK(config.subreaper_requested);
}

TEST_CASE("variables only match their exact name", "[cli]")
{
    cli::Config config = config_of(parse({"reaper", "x"}, {"REAPER_GROUPX=1", "XREAPER_GROUP=1", "REAPER_GROUP"}));
    CHECK_FALSE(config.group);
}

TEST_CASE("bad variables are usage errors naming the variable", "[cli]")
{
    struct Case {
        std::string variable;
        std::string error;
    };
    for (const Case& c : std::initializer_list<Case>{
             {"REAPER_GROUP=maybe",
              "bad value 'maybe' for REAPER_GROUP: expected 1, 0, true, false, yes, no, on or off"},
             {"REAPER_SUBREAPER=2",
              "bad value '2' for REAPER_SUBREAPER: expected 1, 0, true, false, yes, no, on or off"},
             {"REAPER_WARN_ON_REAP=y",
              "bad value 'y' for REAPER_WARN_ON_REAP: expected 1, 0, true, false, yes, no, on or off"},
             {"REAPER_VERBOSITY=loud", "bad value 'loud' for REAPER_VERBOSITY: expected a number 0-99"},
             {"REAPER_VERBOSITY=100", "bad value '100' for REAPER_VERBOSITY: expected a number 0-99"},
             {"REAPER_PARENT_DEATH_SIGNAL=NOPE", "bad value 'NOPE' for REAPER_PARENT_DEATH_SIGNAL: not a signal"},
             {"REAPER_REMAP_EXIT=1,300", "bad value '300' for REAPER_REMAP_EXIT: expected an exit code 0-255"},
             {"REAPER_REWRITE=15:3,CHLD:1", "bad value 'CHLD:1' for REAPER_REWRITE: CHLD is never forwarded"},
         }) {
        Result result = parse({"reaper", "x"}, {c.variable});
        CHECK_FALSE(result.parsed.ok());
        CHECK(result.error == c.error);
    }
}

TEST_CASE("a flag hides a bad variable for the same setting", "[cli]")
{
    CHECK(config_of(parse({"reaper", "-g", "x"}, {"REAPER_GROUP=maybe"})).group);
}

TEST_CASE("a bad variable is reported even when no command is given", "[cli]")
{
    CHECK(parse({"reaper"}, {"REAPER_GROUP=maybe"}).error.find("REAPER_GROUP") != std::string::npos);
}

TEST_CASE("an empty argv does not crash", "[cli]")
{
    Strings argv({});
    Strings envp({});
    cli::Parsed parsed = cli::parse(argv.get(), envp.get());
    CHECK_FALSE(parsed.ok());
}

TEST_CASE("--grace and --grace-signal", "[cli]")
{
    cli::Config config = config_of(parse({"reaper", "-t", "2.5", "--grace-signal", "INT", "x"}));
    CHECK(config.grace_ms == 2500);
    CHECK(config.grace_signal == SIGINT);
    CHECK(config_of(parse({"reaper", "--grace=0", "x"})).grace_ms == 0);
    CHECK(config_of(parse({"reaper", "-t0.001", "x"})).grace_ms == 1);
    CHECK(config_of(parse({"reaper", "--grace-signal=RTMIN+1", "x"})).grace_signal == 35);
    config = config_of(parse({"reaper", "x"}, {"REAPER_GRACE=30", "REAPER_GRACE_SIGNAL=QUIT"}));
    CHECK(config.grace_ms == 30000);
    CHECK(config.grace_signal == SIGQUIT);
    config = config_of(parse({"reaper", "-t", "1", "x"}, {"REAPER_GRACE=30"}));
    CHECK(config.grace_ms == 1000);
}

TEST_CASE("bad --grace values", "[cli]")
{
    const std::string expected = ": expected seconds from 0 to 86400, fractions allowed";
    for (std::string bad : {"", "-1", "x", "1.2.3", "86401", "1e3"}) {
        Result result = parse({"reaper", "--grace", bad, "x"});
        CHECK(result.error == "bad value '" + bad + "' for --grace" + expected);
    }
    CHECK(parse({"reaper", "x"}, {"REAPER_GRACE=soon"}).error == "bad value 'soon' for REAPER_GRACE" + expected);
    CHECK(parse({"reaper", "--grace-signal", "NOPE", "x"}).error ==
          "bad value 'NOPE' for --grace-signal: not a signal");
    CHECK(parse({"reaper", "-t"}).error == "option '--grace' needs a value");
}

TEST_CASE("--pause takes no command", "[cli]")
{
    for (auto args :
         {std::initializer_list<std::string>{"reaper", "-P"}, std::initializer_list<std::string>{"reaper", "--pause"},
          std::initializer_list<std::string>{"reaper", "-v", "--pause", "--"}}) {
        Result result = parse(args);
        CHECK(config_of(result).pause);
        CHECK(result.command.empty());
    }
    CHECK(config_of(parse({"reaper"}, {"REAPER_PAUSE=1"})).pause);
    CHECK_FALSE(config_of(parse({"reaper", "x"}, {"REAPER_PAUSE=0"})).pause);
    CHECK(parse({"reaper", "-P", "sleep", "1"}).error == "--pause takes no command, got 'sleep'");
    CHECK(parse({"reaper", "x"}, {"REAPER_PAUSE=1"}).error == "--pause takes no command, got 'x'");
}

TEST_CASE("--user and --no-new-privs, and their variables", "[cli]")
{
    Result flags = parse({"reaper", "-u", "nobody:nogroup", "--no-new-privs", "id"});
    CHECK(config_of(flags).no_new_privs);
    CHECK(flags.user == "nobody:nogroup");
    CHECK(parse({"reaper", "--user=1234", "id"}).user == "1234");
    CHECK(parse({"reaper", "-u1234:5", "id"}).user == "1234:5");
    CHECK_FALSE(config_of(parse({"reaper", "id"})).no_new_privs);
    CHECK(parse({"reaper", "id"}).user.empty());

    Result variables = parse({"reaper", "id"}, {"REAPER_USER=app", "REAPER_NO_NEW_PRIVS=yes"});
    CHECK(config_of(variables).no_new_privs);
    CHECK(variables.user == "app");
    CHECK(parse({"reaper", "-u", "root", "id"}, {"REAPER_USER=app"}).user == "root");  // the flag wins

    CHECK(parse({"reaper", "-u", "", "id"}).error == "bad value '' for --user: expected USER[:GROUP]");
    CHECK(parse({"reaper", "-u"}).error == "option '--user' needs a value");
    CHECK(parse({"reaper", "id"}, {"REAPER_NO_NEW_PRIVS=maybe"}).error ==
          "bad value 'maybe' for REAPER_NO_NEW_PRIVS: expected 1, 0, true, false, yes, no, on or off");
}

TEST_CASE("TINI_VERBOSITY is read as tini reads it, with atoi; REAPER_VERBOSITY stays strict", "[cli]")
{
    struct Case {
        std::string value;
        int verbosity;
    };
    for (const Case& c : std::initializer_list<Case>{{"", 0},
                                                     {"abc", 0},
                                                     {"3x", 3},
                                                     {" 2", 2},
                                                     {"+2", 2},
                                                     {"-1", 0},
                                                     {"999", 99},
                                                     {"99999999999999999999", 99}}) {
        INFO("TINI_VERBOSITY='" << c.value << "'");
        CHECK(config_of(parse({"reaper", "x"}, {"TINI_VERBOSITY=" + c.value})).verbosity == c.verbosity);
    }
    CHECK_FALSE(parse({"reaper", "x"}, {"REAPER_VERBOSITY=3x"}).parsed.ok());
}

TEST_CASE("the table: every row has a long name, a help line and a unique short and long name", "[cli]")
{
    for (std::size_t i = 0; i < cli::settings.size(); ++i) {
        const cli::Setting& row = cli::settings[i];
        INFO(row.long_name);
        CHECK_FALSE(row.long_name.empty());
        CHECK_FALSE(row.help.empty());
        CHECK((row.kind == cli::Kind::flag) == (row.flag != nullptr));
        CHECK((row.kind == cli::Kind::signal) == (row.signal != nullptr));
        CHECK(std::string(cli::usage()).find("--" + std::string(row.long_name)) != std::string::npos);
        for (std::size_t j = i + 1; j < cli::settings.size(); ++j) {
            CHECK(row.long_name != cli::settings[j].long_name);
            CHECK((row.short_name == '\0' || row.short_name != cli::settings[j].short_name));
        }
    }
}
