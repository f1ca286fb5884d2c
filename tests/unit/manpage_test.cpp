// doc/reaper.1 against cli::settings, the one table of options: an option or a variable
// in one and not in the other fails. The page keeps to three forms (its header says so):
//   OPTIONS      one ".It" line per row:  .It Fl s , Fl \-subreaper , Ev REAPER_SUBREAPER , Ev TINI_SUBREAPER
//                (".It Fl \-grace\-signal Ar SIG , Ev REAPER_GRACE_SIGNAL" for a row without a short name)
//   ENVIRONMENT  ".It Ev NAME [, Ev NAME ...]" lines naming every REAPER_ and TINI_ variable
//   SYNOPSIS     every option, by its short name where it has one ("Fl gsvw" bundles them)
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace {

std::string read_page()
{
    std::ifstream file(SOURCE_ROOT "/doc/reaper.1");
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// The lines of section `name`, from its ".Sh" to the next.
std::vector<std::string> section(const std::string& page, const std::string& name)
{
    std::vector<std::string> lines;
    std::istringstream in(page);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(".Sh ", 0) == 0) {
            inside = line == ".Sh " + name;
        } else if (inside) {
            lines.push_back(line);
        }
    }
    return lines;
}

// The words of a macro line, with roff's escapes for a minus sign and a zero-width
// space taken out: "\-\-grace\-signal" is "--grace-signal".
std::vector<std::string> words(const std::string& line)
{
    std::vector<std::string> result;
    std::istringstream in(line);
    for (std::string word; in >> word;) {
        std::string plain;
        for (std::size_t i = 0; i < word.size(); ++i) {
            if (word.compare(i, 2, "\\-") == 0) {
                plain += '-';
                ++i;
            } else if (word.compare(i, 2, "\\&") == 0) {
                ++i;
            } else {
                plain += word[i];
            }
        }
        result.push_back(plain);
    }
    return result;
}

bool is_variable(const std::string& name) { return name.rfind("REAPER_", 0) == 0 || name.rfind("TINI_", 0) == 0; }

// One option as "-s, --subreaper, REAPER_SUBREAPER, TINI_SUBREAPER": the same text from a
// row of the table and from an item of the page.
std::string describe(char short_name, const std::string& long_name, const std::string& value,
                     const std::vector<std::string>& variables)
{
    std::string text = short_name != '\0' ? std::string("-") + short_name + ", " : "";
    text += "--" + long_name;
    text += value.empty() ? "" : " " + value;
    for (const std::string& variable : variables) {
        text += ", " + variable;
    }
    return text;
}

std::set<std::string> options_in_table()
{
    std::set<std::string> options;
    for (const cli::Setting& setting : cli::settings) {
        std::vector<std::string> variables;
        for (std::string_view name : {setting.variable, setting.tini_variable}) {
            if (!name.empty()) {
                variables.emplace_back(name);
            }
        }
        options.insert(
            describe(setting.short_name, std::string(setting.long_name), std::string(setting.value), variables));
    }
    return options;
}

// Every ".It Fl ..." line of OPTIONS; a word out of the form is kept in `malformed`.
std::set<std::string> options_in_page(const std::string& page, std::vector<std::string>& malformed)
{
    std::set<std::string> options;
    for (const std::string& line : section(page, "OPTIONS")) {
        std::vector<std::string> word = words(line);
        if (word.size() < 3 || word[0] != ".It" || word[1] != "Fl") {
            continue;
        }
        char short_name = '\0';
        std::string long_name;
        std::string value;
        std::vector<std::string> variables;
        for (std::size_t i = 1; i < word.size(); ++i) {
            const std::string& macro = word[i];
            std::string argument = i + 1 < word.size() ? word[i + 1] : "";
            if (macro == ",") {
                continue;
            }
            if (macro == "Fl" && argument.size() == 1) {
                short_name = argument[0];
            } else if (macro == "Fl" && argument.size() > 1 && argument[0] == '-') {
                long_name = argument.substr(1);
            } else if (macro == "Ar" && !argument.empty()) {
                value = argument;
            } else if (macro == "Ev" && is_variable(argument)) {
                variables.push_back(argument);
            } else {
                malformed.push_back(line);
                break;
            }
            ++i;
        }
        options.insert(describe(short_name, long_name, value, variables));
    }
    return options;
}

std::set<std::string> variables_in_table()
{
    std::set<std::string> variables;
    for (const cli::Setting& setting : cli::settings) {
        for (std::string_view name : {setting.variable, setting.tini_variable}) {
            if (!name.empty()) {
                variables.emplace(name);
            }
        }
    }
    return variables;
}

std::set<std::string> variables_in_page(const std::string& page)
{
    std::set<std::string> variables;
    for (const std::string& line : section(page, "ENVIRONMENT")) {
        std::vector<std::string> word = words(line);
        for (std::size_t i = 1; !word.empty() && word[0] == ".It" && i + 1 < word.size(); ++i) {
            if (word[i] == "Ev" && is_variable(word[i + 1])) {
                variables.insert(word[i + 1]);
            }
        }
    }
    return variables;
}

// Each option of SYNOPSIS as "-s" or "--grace-signal": "Fl" marks the words after it as
// flags up to the next macro or delimiter ("Fl h | V" names -h and -V, "Fl gsvw" four).
std::set<std::string> options_in_synopsis(const std::string& page)
{
    std::set<std::string> options;
    for (const std::string& line : section(page, "SYNOPSIS")) {
        bool flags = false;
        for (std::string word : words(line)) {
            if (word[0] == '.') {
                word.erase(0, 1);  // the line's own macro
            }
            bool is_macro = word.size() == 2 && std::isupper(static_cast<unsigned char>(word[0])) != 0 &&
                            std::islower(static_cast<unsigned char>(word[1])) != 0;
            if (is_macro) {
                flags = word == "Fl";
            } else if (flags && word.size() > 1 && word[0] == '-' && word != "--") {
                options.insert("-" + word);
            } else if (flags && word[0] != '-' && word != "|") {
                for (char letter : word) {
                    options.insert(std::string("-") + letter);
                }
            }
        }
    }
    return options;
}

std::set<std::string> options_for_synopsis()
{
    std::set<std::string> options;
    for (const cli::Setting& setting : cli::settings) {
        options.insert(setting.short_name != '\0' ? std::string("-") + setting.short_name
                                                  : "--" + std::string(setting.long_name));
    }
    return options;
}

std::string only_in(const std::set<std::string>& these, const std::set<std::string>& not_those)
{
    std::string list;
    for (const std::string& item : these) {
        if (not_those.count(item) == 0) {
            list += "\n  " + item;
        }
    }
    return list;
}

}  // namespace

TEST_CASE("man page: OPTIONS lists exactly the rows of cli::settings, with their values and variables", "[manpage]")
{
    std::string page = read_page();
    REQUIRE_FALSE(page.empty());
    std::vector<std::string> malformed;
    std::set<std::string> page_options = options_in_page(page, malformed);
    std::set<std::string> table_options = options_in_table();
    for (const std::string& line : malformed) {
        FAIL_CHECK("an OPTIONS item out of the form this test reads: " << line);
    }
    INFO("in cli::settings, not in doc/reaper.1:" << only_in(table_options, page_options));
    INFO("in doc/reaper.1, not in cli::settings:" << only_in(page_options, table_options));
    CHECK(page_options == table_options);
}

TEST_CASE("man page: ENVIRONMENT names exactly the variables of cli::settings", "[manpage]")
{
    std::string page = read_page();
    std::set<std::string> page_variables = variables_in_page(page);
    std::set<std::string> table_variables = variables_in_table();
    INFO("in cli::settings, not in doc/reaper.1:" << only_in(table_variables, page_variables));
    INFO("in doc/reaper.1, not in cli::settings:" << only_in(page_variables, table_variables));
    CHECK(page_variables == table_variables);
}

TEST_CASE("man page: SYNOPSIS shows every option of cli::settings and no other", "[manpage]")
{
    std::string page = read_page();
    std::set<std::string> page_options = options_in_synopsis(page);
    std::set<std::string> table_options = options_for_synopsis();
    INFO("in cli::settings, not in the synopsis:" << only_in(table_options, page_options));
    INFO("in the synopsis, not in cli::settings:" << only_in(page_options, table_options));
    CHECK(page_options == table_options);
}
