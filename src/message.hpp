// A line of text built on the stack: reaper has no heap, so every diagnostic and
// every parse error is composed here and written with one write(2).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

class Message {
public:
    static constexpr std::size_t capacity = 480;

    Message& operator<<(std::string_view text)
    {
        for (char c : text) {
            if (size_ == capacity) {
                break;  // a truncated diagnostic beats none
            }
            text_[size_++] = c;
        }
        return *this;
    }

    Message& operator<<(char c) { return *this << std::string_view(&c, 1); }

    Message& operator<<(long long number)
    {
        std::array<char, 24> digits{};
        std::size_t at = digits.size();
        unsigned long long magnitude =
            number < 0 ? 0ULL - static_cast<unsigned long long>(number) : static_cast<unsigned long long>(number);
        do {
            digits[--at] = static_cast<char>('0' + magnitude % 10);
            magnitude /= 10;
        } while (magnitude != 0);
        if (number < 0) {
            digits[--at] = '-';
        }
        return *this << std::string_view(digits.data() + at, digits.size() - at);
    }

    Message& operator<<(int number) { return *this << static_cast<long long>(number); }
    Message& operator<<(long number) { return *this << static_cast<long long>(number); }

    [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }
    [[nodiscard]] bool empty() const { return size_ == 0; }

private:
    std::array<char, capacity> text_{};
    std::size_t size_ = 0;
};
