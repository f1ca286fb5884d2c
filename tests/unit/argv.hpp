// Builds the null-terminated argv/envp arrays that cli::parse takes.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

class Strings {
public:
    Strings(std::initializer_list<std::string> items) : storage_(items)
    {
        for (std::string& item : storage_) {
            pointers_.push_back(item.data());
        }
        pointers_.push_back(nullptr);
    }
    Strings(const Strings&) = delete;
    Strings& operator=(const Strings&) = delete;
    char* const* get() { return pointers_.data(); }

private:
    std::vector<std::string> storage_;
    std::vector<char*> pointers_;
};
