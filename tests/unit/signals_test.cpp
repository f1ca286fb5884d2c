#include <catch2/catch.hpp>
#include <csignal>
#include <string>

#include "signals.hpp"

TEST_CASE("every signal's name parses back to it", "[signals]")
{
    for (int signal = 1; signal <= signals::max_signal; ++signal) {
        std::string name(signals::name(signal).view());
        INFO("signal " << signal << " named " << name);
        CHECK_FALSE(name.empty());
        CHECK(signals::parse(name) == signal);
        if (signal != 32 && signal != 33) {  // the two without a name
            CHECK(signals::parse("SIG" + name) == signal);
        }
        CHECK(signals::parse(std::to_string(signal)) == signal);
    }
}

TEST_CASE("names agree with the C library's numbers", "[signals]")
{
    struct Pair {
        const char* name;
        int number;
    };
    for (Pair pair :
         {Pair{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},   {"TRAP", SIGTRAP},
          {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL}, {"USR1", SIGUSR1},
          {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
          {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
          {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
          {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"PWR", SIGPWR},
          {"SYS", SIGSYS}}) {
        INFO(pair.name);
        CHECK(signals::name(pair.number).view() == pair.name);
        CHECK(signals::parse(pair.name) == pair.number);
    }
}

TEST_CASE("any case, with or without SIG, and the usual aliases", "[signals]")
{
    CHECK(signals::parse("term") == SIGTERM);
    CHECK(signals::parse("SigTerm") == SIGTERM);
    CHECK(signals::parse("sigusr1") == SIGUSR1);
    CHECK(signals::parse("IOT") == SIGABRT);
    CHECK(signals::parse("POLL") == SIGIO);
    CHECK(signals::parse("CLD") == SIGCHLD);
}

TEST_CASE("real-time signals: RTMIN+N and RTMAX-N, numbered as glibc and kill -l do", "[signals]")
{
    CHECK(signals::parse("RTMIN") == 34);
    CHECK(signals::parse("SIGRTMIN") == 34);
    CHECK(signals::parse("rtmin+1") == 35);
    CHECK(signals::parse("RTMIN+30") == 64);
    CHECK(signals::parse("RTMAX") == 64);
    CHECK(signals::parse("RTMAX-1") == 63);
    CHECK(signals::parse("RTMAX-30") == 34);
    CHECK(signals::name(34).view() == "RTMIN");
    CHECK(signals::name(35).view() == "RTMIN+1");
    CHECK(signals::name(49).view() == "RTMIN+15");
    CHECK(signals::name(50).view() == "RTMAX-14");
    CHECK(signals::name(63).view() == "RTMAX-1");
    CHECK(signals::name(64).view() == "RTMAX");
    CHECK(signals::name(32).view() == "32");
    CHECK(signals::name(33).view() == "33");
}

TEST_CASE("what is not a signal", "[signals]")
{
    for (const char* text : {"",
                             "0",
                             "65",
                             "-1",
                             "+1",
                             "1x",
                             "SIG",
                             "TERMX",
                             "SIGSIGTERM",
                             "RTMIN+31",
                             "RTMAX-31",
                             "RTMIN-1",
                             "RTMAX+1",
                             "RTMIN+",
                             "RTMIN1",
                             "RTMIN+-1",
                             " 15",
                             "15 ",
                             "99999999999999999999999",
                             "SIG15"}) {
        INFO("'" << text << "'");
        CHECK_FALSE(signals::parse(text).has_value());
    }
}

TEST_CASE("which signals are forwarded", "[signals]")
{
    for (int never : {SIGKILL, SIGSTOP, SIGCHLD, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, 0, 65, -1}) {
        INFO(never);
        CHECK_FALSE(signals::is_forwarded(never));
        CHECK_FALSE(signals::forwarded().contains(never));
    }
    int count = 0;
    for (int signal = 1; signal <= signals::max_signal; ++signal) {
        CHECK(signals::forwarded().contains(signal) == signals::is_forwarded(signal));
        count += signals::is_forwarded(signal) ? 1 : 0;
    }
    CHECK(count == 64 - 9);
    for (int always :
         {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGPWR, 32, 33, 34, 64}) {
        CHECK(signals::is_forwarded(always));
    }
}

TEST_CASE("reaper handles what it forwards, and SIGCHLD", "[signals]")
{
    signals::Set expected = signals::forwarded();
    expected.add(SIGCHLD);
    CHECK(signals::handled() == expected);
    CHECK_FALSE(signals::handled().contains(SIGSEGV));
}

TEST_CASE("a signal set has the kernel's layout", "[signals]")
{
    signals::Set set;
    set.add(1);
    set.add(64);
    CHECK(set.bits() == ((std::uint64_t{1} << 63) | 1U));
    set.remove(1);
    CHECK_FALSE(set.contains(1));
    CHECK(set.contains(64));
    set.add(0);
    set.add(65);
    CHECK(set.bits() == std::uint64_t{1} << 63);
    CHECK(signals::Set::from_bits(5).contains(3));
}

TEST_CASE("the rewrite table", "[signals]")
{
    signals::Rewrite rewrite;
    for (int signal = 1; signal <= signals::max_signal; ++signal) {
        CHECK(rewrite.apply(signal) == signal);
    }
    rewrite.set(SIGTERM, SIGQUIT);
    rewrite.set(SIGINT, 0);
    rewrite.set(SIGHUP, 64);
    CHECK(rewrite.apply(SIGTERM) == SIGQUIT);
    CHECK(rewrite.apply(SIGINT) == 0);
    CHECK(rewrite.apply(SIGHUP) == 64);
    CHECK(rewrite.apply(SIGQUIT) == SIGQUIT);
    rewrite.set(SIGTERM, 65);  // out of range: ignored
    CHECK(rewrite.apply(SIGTERM) == SIGQUIT);
    CHECK(rewrite.apply(0) == 0);
    CHECK(rewrite.apply(99) == 99);
}

TEST_CASE("the stops reaper repeats on itself are the job-control ones, not SIGSTOP", "[signals]")
{
    int repeated = 0;
    for (int signal = 0; signal <= signals::max_signal + 1; ++signal) {
        repeated += signals::is_job_control_stop(signal) ? 1 : 0;
    }
    CHECK(repeated == 3);
    CHECK(signals::is_job_control_stop(SIGTSTP));
    CHECK(signals::is_job_control_stop(SIGTTIN));
    CHECK(signals::is_job_control_stop(SIGTTOU));
    CHECK_FALSE(signals::is_job_control_stop(SIGSTOP));
}
