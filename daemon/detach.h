/*
 * detach: runs the daemon in the background the classic way, for a start
 * by hand or from a script (systemd runs `wijkcald --foreground`). The
 * parent stays until the child is ready, so its exit status says whether
 * the daemon came up: 0 once the child listens, else the child's status.
 */
#ifndef WIJKCALD_DETACH_H
#define WIJKCALD_DETACH_H

/* Forks; returns in the child only, in a new session with stdin and
 * stdout on /dev/null (stderr stays for the log). Exits on failure. */
void detach_start(void);
/* In the child: tells the waiting parent to exit 0. Harmless when not
 * detached, or called twice. */
void detach_ready(void);

#endif
