// A line of text built on the stack: reaper has no heap, so every diagnostic and
// every parse error is composed here and written with one write(2).
#pragma once

#include <cstddef>
#include <string_view>

class Message {
public:
    static constexpr std::size_t capacity = 480;

    // text_ is left uninitialised on purpose: only the first size_ bytes are ever read.
    // cppcheck-suppress uninitMemberVar
    Message() = default;
    Message(const Message& other);
    Message& operator=(const Message& other);

    Message& operator<<(std::string_view text);  // control characters become '?'
    Message& operator<<(char c);                 // as it is: '\n' ends a line
    Message& operator<<(long long number);
    Message& operator<<(int number) { return *this << static_cast<long long>(number); }
    Message& operator<<(long number) { return *this << static_cast<long long>(number); }

    [[nodiscard]] std::string_view view() const { return {text_, size_}; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

private:
    char text_[capacity];  // only the first size_ bytes are ever read
    std::size_t size_ = 0;
};
