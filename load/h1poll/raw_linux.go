package h1poll

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The loop's system calls on non-blocking descriptors, made raw: they never
// block, so the goroutine keeps its CPU through them. As ordinary system calls
// (unix.Read, which tells the scheduler it may block) every read of ~10 µs let
// the runtime's monitor take the CPU away and another thread be woken for it:
// futexes and sleeps by the thousand a second.

// rawRead is read(2).
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawWrite is write(2).
func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawPoll is epoll_wait(2) with a zero timeout: the events ready now.
func rawPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
