/*
 * statelock.h - one etwfwd per state_dir: the lock file
 * <state_dir>/etwfwd.lock (docs/pipeline.md, "One instance per state_dir").
 *
 * The running instance (`run`, `replay -c`, the service) holds an
 * exclusive lock on the file for its whole life and keeps its pid in it,
 * so a second instance is refused before it opens the spool or the log
 * file, naming the holder, and `etwfwd reload` finds the pid to signal. A
 * file left by a crashed instance is not locked (the system releases a
 * lock when its process ends) and is simply taken over. The file is never
 * removed: removing it at exit would let a starting instance lock a name
 * that a third one then creates afresh. At a clean exit it is emptied.
 */
#ifndef EF_RUNNER_STATELOCK_H
#define EF_RUNNER_STATELOCK_H

#define EF_STATELOCK_FILE "etwfwd.lock"

struct ef_statelock;

/*
 * Creates dir if needed and takes its lock, writing this process's pid in
 * the file. Returns 0; EF_EAGAIN when another process holds it (*holder:
 * its pid, 0 when the file does not say); or the EF_E* of a folder or
 * file that cannot be created or written. Any thread.
 */
int ef_statelock_take(const char *dir, struct ef_statelock **out, long *holder);

/* Empties the file and releases the lock. NULL is fine. Any thread. */
void ef_statelock_release(struct ef_statelock *l);

/*
 * Whether an instance holds dir's lock now: *held 1 with its pid in *pid
 * (0 when the file does not say), or *held 0 (no file, or a stale one:
 * *pid is then what it says, for the message). Probing takes the lock for
 * an instant when it is free. Returns 0 or an EF_E* other than a missing
 * file. Any thread.
 */
int ef_statelock_holder(const char *dir, int *held, long *pid);

#endif
