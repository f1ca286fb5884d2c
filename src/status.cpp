#include "status.hpp"

#include <cerrno>
#include <sys/wait.h>

namespace status {

int exit_code(int wait_status, const CodeSet& remapped_to_success)
{
    int code = own_failure;
    if (WIFEXITED(wait_status)) {
        code = WEXITSTATUS(wait_status);
    } else if (WIFSIGNALED(wait_status)) {
        code = 128 + WTERMSIG(wait_status);
    }
    return remapped_to_success.contains(code) ? 0 : code;
}

int start_failure_code(int error, bool failed_at_exec)
{
    // As shells do: 127 only when there is nothing of that name to run.
    return failed_at_exec && error == ENOENT ? not_found : not_runnable;
}

}  // namespace status
