// The shipped (musl) binary contains no memory allocator: no malloc, no operator new, no
// brk or mmap. Read off the symbol table of the same objects linked without -s, which are
// checked to be the very same code (equal text, data and bss sizes).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"

namespace {

std::string symbols_binary()
{
    const char* path = std::getenv("REAPER_SYMBOLS");
    return path != nullptr ? path : "";
}

std::string sizes_of(const std::string& binary)
{
    std::optional<harness::Finished> size = harness::run_program({"size", "-B", binary}, 30);
    REQUIRE(size);
    REQUIRE(size->exit_code == 0);
    std::istringstream lines(size->stdout_text);
    std::string header, numbers;
    std::getline(lines, header);
    std::getline(lines, numbers);
    return numbers.substr(0, numbers.find(binary));  // text, data, bss, dec, hex
}

bool is_allocator(const std::string& symbol)
{
    return symbol.find("malloc") != std::string::npos || symbol.find("alloc") == 0 || symbol == "free" ||
           symbol == "calloc" || symbol == "realloc" || symbol == "brk" || symbol == "sbrk" ||
           symbol == "__expand_heap" || symbol == "mmap" || symbol == "mmap64" || symbol == "__mmap" ||
           symbol.rfind("_Znw", 0) == 0 || symbol.rfind("_Zna", 0) == 0 || symbol.rfind("_Zdl", 0) == 0 ||
           symbol.rfind("_Zda", 0) == 0;
}

// KiB of pages the process has written to, over every mapping but its stack
// (/proc/PID/smaps, Anonymous; not Private_Dirty, which also counts the binary's pages while
// they are dirty in the page cache, as they are just after a build).
long written_kib_off_stack(pid_t pid)
{
    std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
    long total = 0;
    bool stack = false;
    for (std::string line; std::getline(smaps, line);) {
        std::istringstream fields(line);
        std::string first;
        fields >> first;
        if (first.find('-') != std::string::npos && first.back() != ':') {  // a mapping's header
            stack = line.find("[stack]") != std::string::npos;
        } else if (first == "Anonymous:" && !stack) {
            long kib = 0;
            fields >> kib;
            total += kib;
        }
    }
    return total;
}

}  // namespace

// The C library's variables share the page of .data (src/libc_bss_first.ld): idle, reaper
// has written to that one page outside its stack, and to none of its large buffers.
TEST_CASE("the shipped binary idle as PID 1 has written one page besides its stack", "[binary][shipped]")
{
    common::scenario(common::as_pid1({}, {"sleep"}), probe_lines::ready, [&](harness::Reaper& reaper) {
        REQUIRE(harness::eventually(harness::Deadline(10), [&] { return harness::in_event_wait(reaper.pid()); }));
        CHECK(written_kib_off_stack(reaper.pid()) == sysconf(_SC_PAGESIZE) / 1024);
        reaper.close_stdin();
        CHECK(reaper.wait_exit(harness::Deadline(10)) == 0);
    });
}

TEST_CASE("the shipped binary has no allocator in it: it allocates nothing, ever", "[binary][shipped]")
{
    REQUIRE_FALSE(symbols_binary().empty());
    CHECK(sizes_of(symbols_binary()) == sizes_of(harness::reaper_binary()));

    std::optional<harness::Finished> nm = harness::run_program({"nm", symbols_binary()}, 30);
    REQUIRE(nm);
    REQUIRE(nm->exit_code == 0);
    std::set<std::string> symbols;
    std::istringstream lines(nm->stdout_text);
    for (std::string line; std::getline(lines, line);) {
        symbols.insert(line.substr(line.rfind(' ') + 1));
    }
    // The table is real: what reaper does call is in it.
    CHECK(symbols.count("main") == 1);
    CHECK(symbols.count("waitpid") == 1);
    CHECK(symbols.count("execv") == 1);
    std::vector<std::string> allocators;
    for (const std::string& symbol : symbols) {
        if (is_allocator(symbol)) {
            allocators.push_back(symbol);
        }
    }
    INFO("allocator symbols: " << Catch::Detail::stringify(allocators));
    CHECK(allocators.empty());
}

// Any build, the sanitizers' too: what reaper's own objects call (their undefined symbols)
// holds no allocator. The instrumentation's hooks (__asan_, __ubsan_) are the sanitizer's.
TEST_CASE("reaper's own code calls no allocator", "[binary]")
{
    std::string objects = std::string(BUILD_ROOT) + "/reaper.p";
    std::optional<harness::Finished> listing = harness::run_program({"sh", "-c", "ls \"$0\"/*.o", objects}, 30);
    REQUIRE(listing);
    REQUIRE(listing->exit_code == 0);
    std::vector<std::string> argv = {"nm", "-u"};
    std::istringstream files(listing->stdout_text);
    for (std::string file; std::getline(files, file);) {
        argv.push_back(file);
    }
    REQUIRE(argv.size() > 5);
    std::optional<harness::Finished> nm = harness::run_program(argv, 30);
    REQUIRE(nm);
    REQUIRE(nm->exit_code == 0);
    std::set<std::string> called;
    std::istringstream lines(nm->stdout_text);
    for (std::string line; std::getline(lines, line);) {
        called.insert(line.substr(line.rfind(' ') + 1));
    }
    // The list is real: what reaper does call is in it.
    CHECK(called.count("waitpid") == 1);
    CHECK(called.count("execv") == 1);
    std::vector<std::string> allocators;
    for (const std::string& symbol : called) {
        bool sanitizer = symbol.rfind("__asan_", 0) == 0 || symbol.rfind("__ubsan_", 0) == 0;
        if (!sanitizer && is_allocator(symbol)) {
            allocators.push_back(symbol);
        }
    }
    INFO("allocator symbols: " << Catch::Detail::stringify(allocators));
    CHECK(allocators.empty());
}
