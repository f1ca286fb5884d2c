#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "command_path.hpp"

namespace {

std::vector<std::string> candidates(std::string_view path, std::string_view name, std::size_t buffer_size = 256)
{
    std::vector<std::string> found;
    std::vector<char> buffer(buffer_size);
    command_path::Search search(path, name);
    while (search.next(buffer)) {
        found.emplace_back(buffer.data());
    }
    return found;
}

}  // namespace

TEST_CASE("PATH is searched in order, an empty entry meaning the current directory", "[command_path]")
{
    CHECK(candidates("/usr/bin:/bin", "ls") == std::vector<std::string>{"/usr/bin/ls", "/bin/ls"});
    CHECK(candidates(":/bin:", "ls") == std::vector<std::string>{"./ls", "/bin/ls", "./ls"});
    CHECK(candidates("", "ls") == std::vector<std::string>{"./ls"});
    CHECK(candidates("/only", "x") == std::vector<std::string>{"/only/x"});
}

TEST_CASE("candidates that do not fit the buffer are skipped, never truncated", "[command_path]")
{
    CHECK(candidates("/a-long-directory:/b", "cmd", 8) == std::vector<std::string>{"/b/cmd"});
    CHECK(candidates("/b", "cmd", 6).empty());  // "/b/cmd" needs 7 bytes with its NUL
    CHECK(candidates("/b", "cmd", 7) == std::vector<std::string>{"/b/cmd"});
}

TEST_CASE("only plain names are searched", "[command_path]")
{
    CHECK(command_path::is_searched("ls"));
    CHECK_FALSE(command_path::is_searched("./ls"));
    CHECK_FALSE(command_path::is_searched("/bin/ls"));
    CHECK_FALSE(command_path::is_searched("a/b"));
    CHECK_FALSE(command_path::is_searched(""));
    CHECK(command_path::default_path == "/usr/local/bin:/bin:/usr/bin");
}
