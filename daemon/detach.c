/* detach: fork, a pipe that carries "ready" to the parent, and setsid. */
#include "daemon/detach.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"

static int ready_fd = -1; /* the child's end of the pipe */

/* The parent: waits for one byte (ready) or the child's exit. */
static _Noreturn void wait_for_child(pid_t pid, int fd)
{
	char c;
	ssize_t n;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

void detach_start(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		fatal("detach: pipe");
	pid_t pid = fork();
	if (pid < 0)
		fatal("detach: fork");
	if (pid > 0) {
		close(p[1]);
		wait_for_child(pid, p[0]);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() < 0)
		log_warn("detach: setsid");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		fatal("detach: /dev/null");
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

void detach_ready(void)
{
	if (ready_fd < 0)
		return;
	ssize_t n;
	do
		n = write(ready_fd, "", 1);
	while (n < 0 && errno == EINTR);
	close(ready_fd);
	ready_fd = -1;
}
