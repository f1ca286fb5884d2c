#include "errors.hpp"

#include <cerrno>
#include <string_view>

namespace errors {
namespace {

// What exec, fork, setgroups/setuid, kill, signalfd, prctl, waitpid and the terminal calls
// can fail with: the numbers, and their texts one after the other in the same order (a
// table of pointers would cost more than the words).
constexpr unsigned char codes[] = {EPERM,  ENOENT, ESRCH,  EINTR,   EIO,          E2BIG,   ENOEXEC, EBADF,
                                   ECHILD, EAGAIN, ENOMEM, EACCES,  EFAULT,       ENOTDIR, EISDIR,  EINVAL,
                                   ENFILE, EMFILE, ENOTTY, ETXTBSY, ENAMETOOLONG, ENOSYS,  ELOOP,   ELIBBAD};
constexpr char texts[] = "Operation not permitted\0"
                         "No such file or directory\0"
                         "No such process\0"
                         "Interrupted system call\0"
                         "Input/output error\0"
                         "Argument list too long\0"
                         "Exec format error\0"
                         "Bad file descriptor\0"
                         "No child processes\0"
                         "Resource temporarily unavailable\0"
                         "Cannot allocate memory\0"
                         "Permission denied\0"
                         "Bad address\0"
                         "Not a directory\0"
                         "Is a directory\0"
                         "Invalid argument\0"
                         "Too many open files in system\0"
                         "Too many open files\0"
                         "Inappropriate ioctl for device\0"
                         "Text file busy\0"
                         "File name too long\0"
                         "Function not implemented\0"
                         "Too many levels of symbolic links\0"
                         "Accessing a corrupted shared library\0";

}  // namespace

Message& describe(Message& message, int error)
{
    const char* text = texts;
    for (unsigned char code : codes) {
        std::string_view current(text);
        if (code == error) {
            return message << current;
        }
        text += current.size() + 1;
    }
    return message << "error " << error;
}

}  // namespace errors
