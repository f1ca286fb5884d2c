#include <catch2/catch.hpp>
#include <string>

#include "parse.hpp"
#include "proc_stat.hpp"

TEST_CASE("numbers: digits only, bounded", "[parse]")
{
    CHECK(parse::unsigned_number("0", 10) == 0UL);
    CHECK(parse::unsigned_number("10", 10) == 10UL);
    CHECK_FALSE(parse::unsigned_number("11", 10));
    CHECK_FALSE(parse::unsigned_number("5", 4));
    // The largest unsigned long: 18446744073709551615, or 4294967295 where long has 32 bits.
    std::string largest = std::to_string(~0UL);
    CHECK(parse::unsigned_number(largest, ~0UL) == ~0UL);
    largest.back() += 1;
    CHECK_FALSE(parse::unsigned_number(largest, ~0UL));
    for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.0"}) {
        CHECK_FALSE(parse::unsigned_number(bad, 1000));
    }
}

TEST_CASE("durations: seconds with a fraction, as milliseconds", "[parse]")
{
    CHECK(parse::milliseconds("5", 100) == 5000UL);
    CHECK(parse::milliseconds("0", 100) == 0UL);
    CHECK(parse::milliseconds("0.25", 100) == 250UL);
    CHECK(parse::milliseconds(".5", 100) == 500UL);
    CHECK(parse::milliseconds("2.", 100) == 2000UL);
    CHECK(parse::milliseconds("1.5", 100) == 1500UL);
    CHECK(parse::milliseconds("0.001", 100) == 1UL);
    CHECK(parse::milliseconds("0.0001", 100) == 1UL);  // never rounded down to "exit at once"
    CHECK(parse::milliseconds("0.0000", 100) == 0UL);
    CHECK(parse::milliseconds("1.2345", 100) == 1235UL);
    CHECK(parse::milliseconds("100", 100) == 100000UL);
    CHECK(parse::milliseconds("100.000", 100) == 100000UL);
    for (const char* bad : {"", ".", "-1", "+1", "1..2", "1.2.3", "1,5", "1e3", "abc", "100.001", "101",
                            "99999999999999999999999", " 1"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse::milliseconds(bad, 100));
    }
}

TEST_CASE("case-insensitive comparison", "[parse]")
{
    CHECK(parse::equal_ignoring_case("Term", "TERM"));
    CHECK_FALSE(parse::equal_ignoring_case("TERM", "TERMS"));
    CHECK(parse::starts_with_ignoring_case("sigterm", "SIG"));
    CHECK_FALSE(parse::starts_with_ignoring_case("SI", "SIG"));
}

TEST_CASE("/proc/PID/stat: state and parent, whatever the command name holds", "[parse]")
{
    auto fields = proc_stat::parse("42 (sleep) S 7 42 42 0 -1 4194560 ...");
    REQUIRE(fields);
    CHECK(fields->state == 'S');
    CHECK(fields->parent == 7);
    fields = proc_stat::parse("9 (a) (b) Z 1 ) ) Z 3) Z 12345 9 9");
    REQUIRE(fields);
    CHECK(fields->state == 'Z');
    CHECK(fields->parent == 12345);
    fields = proc_stat::parse("1 (init) S 0 1 1");
    REQUIRE(fields);
    CHECK(fields->parent == 0);
    for (const char* bad :
         {"", "42 sleep S 7", "42 (sleep)", "42 (sleep) S", "42 (sleep) S x", "42 (sleep)S 7", "42 (sleep) S -1 1"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(proc_stat::parse(bad));
    }
}

TEST_CASE("/proc/loadavg: the last PID allocated is its last field", "[parse]")
{
    CHECK(proc_stat::last_pid("0.00 0.01 0.05 1/123 2\n") == 2);
    CHECK(proc_stat::last_pid("12.50 3.00 1.25 7/1024 4194303") == 4194303);
    for (const char* bad : {"", "\n", "0.00 0.01 0.05 1/123 ", "0.00 0.01 0.05 1/123 x2", "2", "a 4294967296"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(proc_stat::last_pid(bad));
    }
}
