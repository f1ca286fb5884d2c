#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "errors.hpp"

namespace {

std::string described(int error)
{
    Message message;
    return std::string(errors::describe(message, error).view());
}

}  // namespace

TEST_CASE("errno texts: glibc's words for the errors reaper's calls meet, a number otherwise", "[errors]")
{
    for (int error :
         {EPERM,  ENOENT,  ESRCH,  EINTR,  EIO,    E2BIG,  ENOEXEC, EBADF,   ECHILD,       EAGAIN, ENOMEM, EACCES,
          EFAULT, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY,  ETXTBSY, ENAMETOOLONG, ENOSYS, ELOOP,  ELIBBAD}) {
        INFO("errno " << error);
        CHECK(described(error) == std::strerror(error));  // the tests link glibc
    }
    CHECK(described(EHOSTDOWN) == "error " + std::to_string(EHOSTDOWN));
    CHECK(described(0) == "error 0");
    CHECK(described(-1) == "error -1");
    CHECK(described(256 + EPERM) == "error " + std::to_string(256 + EPERM));
}
