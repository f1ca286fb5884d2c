// The files a command name stands for along PATH, in execvp's order. Pure, and safe
// between fork and exec: no allocation, candidates are written into a caller's buffer.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace command_path {

// musl's and glibc's default when PATH is unset.
inline constexpr std::string_view default_path = "/usr/local/bin:/bin:/usr/bin";

// A name with a slash is used as it is; an empty one names nothing.
[[nodiscard]] constexpr bool is_searched(std::string_view name)
{
    return !name.empty() && name.find('/') == std::string_view::npos;
}

class Search {
public:
    constexpr Search(std::string_view path, std::string_view name) : rest_(path), name_(name) {}

    // Writes the next "DIR/NAME" (an empty DIR is the current directory), NUL-terminated,
    // into `out`; false when there is none left. Too long candidates are skipped.
    bool next(std::span<char> out)
    {
        while (!done_) {
            std::size_t colon = rest_.find(':');
            std::string_view directory = rest_.substr(0, colon);
            done_ = colon == std::string_view::npos;
            rest_ = done_ ? std::string_view() : rest_.substr(colon + 1);
            if (directory.empty()) {
                directory = ".";
            }
            std::size_t length = directory.size() + 1 + name_.size();
            if (length >= out.size()) {
                continue;
            }
            directory.copy(out.data(), directory.size());
            out[directory.size()] = '/';
            name_.copy(out.data() + directory.size() + 1, name_.size());
            out[length] = '\0';
            return true;
        }
        return false;
    }

private:
    std::string_view rest_;
    std::string_view name_;
    bool done_ = false;
};

}  // namespace command_path
