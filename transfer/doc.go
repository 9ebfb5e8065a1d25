// Package transfer is megatui's transfer engine: a queue of file jobs
// (upload, download, server-side move, MEGA to MEGA copy through a
// temporary file, local copy; and moves across sides, which remove each
// source once its copy is done) run by a pool of worker goroutines, with conflict handling, retries with backoff, an optional
// global bandwidth limit and an on-disk journal so that an interrupted
// queue resumes where it stopped.
//
// The engine owns its goroutines. Callers enqueue Requests, steer jobs with
// the control methods (Pause, Resume, Cancel, Retry, MoveToFront, Answer)
// and learn about progress from the Events channel. Every goroutine ends
// when the context given to Start is cancelled.
//
// The MEGA side is reached through the small Remote interface declared
// here (megaclient's Client is adapted to it by the caller); the local side
// is the operating system's file system.
package transfer
